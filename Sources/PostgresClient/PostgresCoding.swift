import Foundation

/// A Swift value that can be bound as a statement parameter, sent in PostgreSQL's text format.
///
/// Parameters are sent untyped (OID 0): write casts in SQL (`$1::date`) where the server cannot infer the type.
public protocol PostgresEncodable {
    /// The text form of the value, or nil for SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be decoded from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Decodes `text` (nil for SQL NULL); returns nil when the value does not fit this type.
    static func decode(postgresText text: String?) -> Self?
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self }
    public static func decode(postgresText text: String?) -> String? { text }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) -> Int? { text.flatMap { Int($0) } }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) -> Int64? { text.flatMap { Int64($0) } }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText text: String?) -> Int32? { text.flatMap { Int32($0) } }
}

extension Double: PostgresEncodable, PostgresDecodable {
    /// Round-trips exactly: Swift prints the shortest text that parses back to the same double.
    public var postgresText: String? { isFinite ? "\(self)" : (isNaN ? "NaN" : (self > 0 ? "Infinity" : "-Infinity")) }
    public static func decode(postgresText text: String?) -> Double? { text.flatMap { Double($0) } }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self ? "t" : "f" }
    public static func decode(postgresText text: String?) -> Bool? {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String?) -> Wrapped?? {
        guard let text else { return .some(nil) }
        return Wrapped.decode(postgresText: text).map { .some($0) }
    }
}

/// Array literals for bound parameters (cast them in SQL: `$1::text[]`, `$1::date[]`).
public enum PostgresArray {
    /// `{"a","b"}`: each element quoted, with `"` and `\` escaped, so any text is safe.
    public static func text(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
