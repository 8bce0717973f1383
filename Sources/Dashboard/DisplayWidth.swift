/// Terminal display width of text: East Asian wide characters and emoji take two columns,
/// combining marks and other zero-width characters none, everything else one.
///
/// Every column width, truncation and padding in the dashboard goes through these functions
/// so that level names, countries or app versions in any script keep the table aligned.
public enum DisplayWidth {
    /// Columns taken by one grapheme cluster (0, 1 or 2; a control character, the width of its escape).
    public static func of(_ character: Character) -> Int {
        if let escape = escape(character) { return escape.count }
        // A cluster takes the width of its first scalar that has a width; the rest (combining
        // marks, variation selectors, joiners) ride along at zero.
        var width = 0
        for scalar in character.unicodeScalars {
            let w = of(scalar)
            if w > 0 { width = w; break }
        }
        // An emoji presentation selector turns a narrow symbol into a wide emoji.
        if width == 1, character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { width = 2 }
        return width
    }

    /// Columns taken by one scalar on its own.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 { return 0 }
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }   // control characters
        if v < 0x300 { return 1 }                                 // fast path: Latin
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0x1160...0x11FF).contains(v) { return 0 } // zero width space, Hangul medial vowels
        if isWide(v) { return 2 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns taken by `text`.
    public static func of(_ text: String) -> Int {
        var total = 0
        for c in text { total += of(c) }
        return total
    }

    /// A control character (C0, DEL, C1; or CR LF, one grapheme) as the escape the screen shows in its place:
    /// `\n`, `\r`, `\t`, `\u001B`, as in JSON. Written raw, a terminal would act on it (a line feed clears the
    /// rest of the row, a tab jumps), losing a box's right border and the text after it. Nil for other characters.
    public static func escape(_ character: Character) -> String? {
        // A control character is a grapheme on its own (only CR LF pairs up), so the first scalar tells.
        guard let first = character.unicodeScalars.first, isControl(first) else { return nil }
        return character.unicodeScalars.map { scalar in
            switch scalar {
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
        }.joined()
    }

    /// `text` with each control character replaced by its ``escape(_:)``: what the screen writes.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return text.map { escape($0) ?? String($0) }.joined()
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    /// East Asian Wide and Fullwidth ranges (Unicode's EastAsianWidth W/F, condensed).
    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
             0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF,
             0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
             0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

/// Horizontal alignment inside a fixed number of columns.
public enum Alignment: Sendable {
    case left, right, center
}

public extension String {
    /// Terminal columns this string takes.
    var displayWidth: Int { DisplayWidth.of(self) }

    /// Cuts the string to at most `width` columns, ending with `…` when something was cut.
    /// A wide character that would straddle the limit is dropped rather than split.
    func truncated(toWidth width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if displayWidth <= width { return self }
        let room = width - ellipsis.displayWidth
        guard room >= 0 else { return String(repeating: ".", count: width) }
        var out = ""
        var used = 0
        for c in self {
            let w = DisplayWidth.of(c)
            if used + w > room { break }
            out.append(c)
            used += w
        }
        return out + ellipsis
    }

    /// Pads (or truncates) to exactly `width` columns.
    func padded(toWidth width: Int, alignment: Alignment = .left) -> String {
        let text = truncated(toWidth: width)
        let gap = max(0, width - text.displayWidth)
        switch alignment {
        case .left: return text + String(repeating: " ", count: gap)
        case .right: return String(repeating: " ", count: gap) + text
        case .center:
            let left = gap / 2
            return String(repeating: " ", count: left) + text + String(repeating: " ", count: gap - left)
        }
    }
}
