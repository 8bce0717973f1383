/// A JSON value whose numbers keep the text they were written with, so that tests compare them exactly
/// (Foundation's parser turns them into `Double`s, off in the last bits on Linux).
public indirect enum ExactJSON: Equatable, Sendable {
    case object([String: ExactJSON])
    case array([ExactJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// Parses `text` (RFC 8259); nil when it is not valid JSON.
    public init?(_ text: String) {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        guard let value = parser.value(), parser.atEnd else { return nil }
        self = value
    }

    public subscript(key: String) -> ExactJSON? { if case .object(let o) = self { o[key] } else { nil } }
    public var array: [ExactJSON]? { if case .array(let a) = self { a } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// A number's text as written.
    public var numberText: String? { if case .number(let n) = self { n } else { nil } }
    public var int: Int? { numberText.flatMap { Int($0) } }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0

        var atEnd: Bool { mutating get { skipSpace(); return i == scalars.count } }

        mutating func skipSpace() { while i < scalars.count, " \t\n\r".unicodeScalars.contains(scalars[i]) { i += 1 } }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.unicodeScalars)
            guard i + w.count <= scalars.count, Array(scalars[i..<(i + w.count)]) == w else { return false }
            i += w.count
            return true
        }

        mutating func value() -> ExactJSON? {
            skipSpace()
            guard i < scalars.count else { return nil }
            switch scalars[i] {
            case "{":
                i += 1
                var object: [String: ExactJSON] = [:]
                skipSpace()
                if i < scalars.count, scalars[i] == "}" { i += 1; return .object(object) }
                while true {
                    skipSpace()
                    guard case .string(let key)? = value() else { return nil }
                    skipSpace()
                    guard literal(":"), let member = value() else { return nil }
                    object[key] = member
                    skipSpace()
                    if literal("}") { return .object(object) }
                    guard literal(",") else { return nil }
                }
            case "[":
                i += 1
                var array: [ExactJSON] = []
                skipSpace()
                if literal("]") { return .array(array) }
                while true {
                    guard let element = value() else { return nil }
                    array.append(element)
                    skipSpace()
                    if literal("]") { return .array(array) }
                    guard literal(",") else { return nil }
                }
            case "\"":
                i += 1
                var text = ""
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\" {
                        i += 1
                        guard i < scalars.count else { return nil }
                        switch scalars[i] {
                        case "n": text += "\n"
                        case "t": text += "\t"
                        case "r": text += "\r"
                        case "b": text += "\u{8}"
                        case "f": text += "\u{c}"
                        case "u":
                            guard i + 4 < scalars.count, let code = UInt32(String(String.UnicodeScalarView(scalars[(i + 1)...(i + 4)])), radix: 16),
                                  let scalar = Unicode.Scalar(code) else { return nil }
                            text.unicodeScalars.append(scalar)
                            i += 4
                        case let c where "\"\\/".unicodeScalars.contains(c): text.unicodeScalars.append(c)
                        default: return nil
                        }
                    } else {
                        guard scalars[i].value >= 0x20 else { return nil }
                        text.unicodeScalars.append(scalars[i])
                    }
                    i += 1
                }
                guard i < scalars.count else { return nil }
                i += 1
                return .string(text)
            case "t": return literal("true") ? .bool(true) : nil
            case "f": return literal("false") ? .bool(false) : nil
            case "n": return literal("null") ? .null : nil
            default:
                // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
                let start = i
                func digits() -> Int { let s = i; while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }; return i - s }
                if scalars[i] == "-" { i += 1 }
                guard i < scalars.count else { return nil }
                if scalars[i] == "0" { i += 1 } else if digits() == 0 { return nil }
                if i < scalars.count, scalars[i] == "." { i += 1; guard digits() > 0 else { return nil } }
                if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
                    i += 1
                    if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" { i += 1 }
                    guard digits() > 0 else { return nil }
                }
                return .number(String(String.UnicodeScalarView(scalars[start..<i])))
            }
        }
    }
}
