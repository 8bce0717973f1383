/// A one-line text input (the level search, custom dates).
public struct TextField: Sendable, Hashable {
    public var text: String
    /// Longest accepted input, in characters.
    public var limit: Int
    /// Characters accepted (nil: any printable).
    public var allowed: Set<Character>?

    public init(text: String = "", limit: Int = 40, allowed: Set<Character>? = nil) {
        self.text = text
        self.limit = limit
        self.allowed = allowed
    }

    /// Digits only (level ids).
    public static func digits(limit: Int = 10) -> TextField {
        TextField(limit: limit, allowed: Set("0123456789"))
    }

    /// `YYYY-MM-DD`.
    public static func date(_ text: String = "") -> TextField {
        TextField(text: text, limit: 10, allowed: Set("0123456789-"))
    }

    /// Applies an editing key; returns false when the key is not an edit (Enter, Esc, arrows...).
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            if let allowed, !allowed.contains(c) { return true } // swallow, but ignore
            if text.count < limit { text.append(c) }
            return true
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
            return true
        case .ctrl("u"):
            text = ""
            return true
        default:
            return false
        }
    }
}
