import PostgresClient

/// An exact decimal number of any size, as PostgreSQL's `numeric` holds it: the contract's duration sums.
///
/// The sums are `numeric` in SQL, and they must stay exact when Swift adds two parts of an answer (the aggregated
/// days and the live days) or subtracts the shown values from a breakdown's total: `Double` arithmetic would
/// change their last digits (6307.9310000000005 for 6307.931). Addition and subtraction are exact; the text is
/// canonical (no trailing zeros after the point, no `-0`), so equal values print the same.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Digits of the magnitude, least significant first, without zeros at the most significant end (empty for 0).
    private var digits: [UInt8]
    /// How many of `digits` lie after the decimal point; never ends in a zero digit there.
    private var scale: Int
    private var isNegative: Bool

    public static let zero = ExactDecimal(digits: [], scale: 0, isNegative: false)

    private init(digits: [UInt8], scale: Int, isNegative: Bool) {
        self.digits = digits
        self.scale = scale
        self.isNegative = isNegative
        normalize()
    }

    /// A whole number.
    public init(_ value: Int) {
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        while magnitude > 0 {
            digits.append(UInt8(magnitude % 10))
            magnitude /= 10
        }
        self.init(digits: digits, scale: 0, isNegative: value < 0)
    }

    /// Parses decimal text such as PostgreSQL prints a `numeric` (`-12.500`, `0`, `86400`) or a JSON number
    /// writes it (`1e2`, `2.5E-3`); nil for anything else (`NaN`, `.5`, empty text).
    ///
    /// Reads the text's UTF-8 bytes: a fast answer decodes four of these per level, and iterating `Character`s
    /// (grapheme breaking, Unicode digit tables) cost a fresh process a millisecond and a half for 100 levels.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            guard let value = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)), abs(value) < 100_000 else { return nil }
            exponent = value
            bytes.removeSubrange(e...)
        }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative || bytes.first == UInt8(ascii: "+") { bytes.removeFirst() }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let wholeCount = point ?? bytes.count
        guard wholeCount > 0, point.map({ $0 + 1 < bytes.count }) ?? true else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count)
        for index in bytes.indices.reversed() where index != point {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            digits.append(bytes[index] - UInt8(ascii: "0"))
        }
        let scale = (point.map { bytes.count - $0 - 1 } ?? 0) - exponent
        if scale < 0 { digits.insert(contentsOf: repeatElement(0, count: -scale), at: 0) }
        self.init(digits: digits, scale: max(0, scale), isNegative: negative)
    }

    public var isZero: Bool { digits.isEmpty }

    /// The nearest `Double`, for ratios (a mean duration) and display; never for further sums.
    public var doubleValue: Double { Double(description)! }

    public var description: String {
        let text = String(decoding: digits.reversed().map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        let sign = isNegative ? "-" : ""
        guard scale > 0 else { return sign + (text.isEmpty ? "0" : text) }
        let padded = String(repeating: "0", count: max(0, scale + 1 - text.count)) + text
        let point = padded.index(padded.endIndex, offsetBy: -scale)
        return sign + padded[..<point] + "." + padded[point...]
    }

    public static func + (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal {
        let scale = max(a.scale, b.scale)
        let x = a.digits(atScale: scale), y = b.digits(atScale: scale)
        if a.isNegative == b.isNegative {
            return ExactDecimal(digits: add(x, y), scale: scale, isNegative: a.isNegative)
        }
        // Opposite signs: the larger magnitude keeps its sign.
        return compare(x, y) >= 0
            ? ExactDecimal(digits: subtract(x, y), scale: scale, isNegative: a.isNegative)
            : ExactDecimal(digits: subtract(y, x), scale: scale, isNegative: b.isNegative)
    }

    public static prefix func - (a: ExactDecimal) -> ExactDecimal {
        ExactDecimal(digits: a.digits, scale: a.scale, isNegative: !a.isNegative)
    }

    public static func - (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal { a + -b }
    public static func += (a: inout ExactDecimal, b: ExactDecimal) { a = a + b }
    public static func -= (a: inout ExactDecimal, b: ExactDecimal) { a = a - b }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        if a.isNegative != b.isNegative { return a.isNegative }
        let scale = max(a.scale, b.scale)
        let order = compare(a.digits(atScale: scale), b.digits(atScale: scale))
        return a.isNegative ? order > 0 : order < 0
    }

    // MARK: Digits

    private mutating func normalize() {
        let trailing = digits.prefix(scale).prefix { $0 == 0 }.count
        digits.removeFirst(trailing)
        scale -= trailing
        while digits.last == 0 { digits.removeLast() }
        if digits.isEmpty {
            scale = 0
            isNegative = false
        }
    }

    /// The magnitude's digits with `scale` digits after the point (`scale` ≥ `self.scale`).
    private func digits(atScale scale: Int) -> [UInt8] {
        digits.isEmpty ? [] : [UInt8](repeating: 0, count: scale - self.scale) + digits
    }

    /// -1, 0 or 1 as magnitude `x` is less than, equal to or greater than `y` (same scale, no leading zeros).
    private static func compare(_ x: [UInt8], _ y: [UInt8]) -> Int {
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (a, b) in zip(x.reversed(), y.reversed()) where a != b { return a < b ? -1 : 1 }
        return 0
    }

    private static func add(_ x: [UInt8], _ y: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var carry: UInt8 = 0
        for i in 0..<max(x.count, y.count) {
            let sum = (i < x.count ? x[i] : 0) + (i < y.count ? y[i] : 0) + carry
            result.append(sum % 10)
            carry = sum / 10
        }
        if carry > 0 { result.append(carry) }
        return result
    }

    /// `x − y` for magnitudes with `x` ≥ `y`.
    private static func subtract(_ x: [UInt8], _ y: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var borrow: Int = 0
        for i in 0..<x.count {
            var difference = Int(x[i]) - (i < y.count ? Int(y[i]) : 0) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 10 }
            result.append(UInt8(difference))
        }
        return result
    }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension ExactDecimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { description }
    public static func decode(postgresText text: String?) -> ExactDecimal? { text.flatMap { ExactDecimal($0) } }
}

extension ExactDecimal: Codable {
    /// Encoded as its text, so that no JSON coder rounds it through a `Double`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = ExactDecimal(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a decimal number")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
