/// A terminal colour: the terminal's own default, or an index in the 256-colour palette
/// (0–7 the basic colours, 8–15 their bright variants).
public enum ThemeColor: Hashable, Sendable, CustomStringConvertible {
    case terminalDefault
    case index(Int)

    /// Names accepted in theme files, with their palette index.
    public static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case .index(let n): return String(n)
        }
    }
}

/// Text attributes a theme can ask for.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1)
    public static let underline = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let dim = TextAttributes(rawValue: 8)

    /// Names accepted in theme files (`none` is the empty set).
    public static let names: [String: TextAttributes] = [
        "none": [], "bold": .bold, "underline": .underline, "reverse": .reverse, "dim": .dim,
    ]
}

/// How one role is drawn.
public struct Style: Hashable, Sendable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()
}

/// A problem found on one line of a theme file. Never fatal: the line is skipped.
public struct ThemeDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// A named set of styles plus the churn thresholds that pick `churn.ok`, `churn.warn` or `churn.bad`.
public struct Theme: Hashable, Sendable {
    public var name: String
    /// The styles the theme sets explicitly; others come from `StyleRole.parent`.
    public var styles: [StyleRole: Style]
    /// Churn at or above this (percent) is a warning (`churn.warn.from`).
    public var churnWarn: Double
    /// Churn at or above this (percent) is bad (`churn.bad.from`).
    public var churnBad: Double
    /// Lines of the file that were skipped, and why.
    public var diagnostics: [ThemeDiagnostic]
    /// The file it came from, if any.
    public var path: String?

    public static let defaultChurnWarn = 10.0
    public static let defaultChurnBad = 25.0

    public init(name: String, styles: [StyleRole: Style] = [:], churnWarn: Double = Theme.defaultChurnWarn,
                churnBad: Double = Theme.defaultChurnBad, diagnostics: [ThemeDiagnostic] = [], path: String? = nil) {
        self.name = name
        self.styles = styles
        self.churnWarn = churnWarn
        self.churnBad = churnBad
        self.diagnostics = diagnostics
        self.path = path
    }

    /// The style of `role`, following parents up to `normal` (then plain).
    public func style(_ role: StyleRole) -> Style {
        var current: StyleRole? = role
        while let r = current {
            if let s = styles[r] { return s }
            current = r.parent
        }
        return .plain
    }

    /// The role of a churn value under this theme's thresholds.
    public func churnRole(_ value: Double?) -> StyleRole {
        guard let value else { return .null }
        if value >= churnBad { return .churnBad }
        if value >= churnWarn { return .churnWarn }
        return .churnOK
    }

    /// True when the theme uses no colour at all (only attributes).
    public var isMonochrome: Bool {
        styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault }
    }

    /// The same theme for a terminal with `colorCount` colours: 256-colour indexes map to the nearest
    /// of 16 or 8 (by hue, so pastels keep their colour), and with fewer than 8 colours (or none) every
    /// colour is dropped, attributes kept. A foreground that lands on its background's colour is
    /// replaced by black or white, so no text becomes invisible.
    public func adapted(toColors colorCount: Int) -> Theme {
        if colorCount >= 256 { return self }
        var copy = self
        copy.styles = styles.mapValues { style in
            var s = style
            s.background = ColorApproximation.map(style.background, colors: colorCount)
            s.foreground = ColorApproximation.map(style.foreground, colors: colorCount)
            if style.foreground != style.background, s.foreground == s.background, case .index(let bg) = s.background {
                s.foreground = .index(ColorApproximation.isDark(bg) ? 7 : 0)
            }
            return s
        }
        return copy
    }

    /// This theme with every colour removed: what `NO_COLOR` and colourless terminals get.
    public var withoutColors: Theme { adapted(toColors: 0) }
}

/// Maps the xterm 256-colour palette onto 16 or 8 colours: greys by lightness, others by hue.
public enum ColorApproximation {
    /// xterm's RGB values of the 16 basic colours.
    static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// RGB of a palette index (0–255).
    public static func rgb(_ index: Int) -> (Int, Int, Int) {
        if index < 16 { return basic[max(0, index)] }
        if index < 232 {
            let levels = [0, 95, 135, 175, 215, 255]
            let n = index - 16
            return (levels[n / 36], levels[(n / 6) % 6], levels[n % 6])
        }
        let v = 8 + 10 * (index - 232)
        return (v, v, v)
    }

    /// `color` on a terminal with `colors` colours (below 8: the terminal default).
    public static func map(_ color: ThemeColor, colors: Int) -> ThemeColor {
        guard case .index(let index) = color else { return color }
        if colors >= 256 || index < min(colors, 16) { return color }
        if colors < 8 { return .terminalDefault }
        // A bright colour on an 8-colour terminal is its base colour.
        if index < 16 { return .index(index - 8) }
        let (r, g, b) = rgb(index)
        let high = max(r, g, b), low = min(r, g, b)
        let bright = colors >= 16
        if high - low < 40 {
            // Grey: black, dark grey, light grey or white by lightness.
            let v = (r + g + b) / 3
            if !bright { return .index(v < 128 ? 0 : 7) }
            return .index(v < 50 ? 0 : v < 150 ? 8 : v < 220 ? 7 : 15)
        }
        // A hue: the channels that stand out above the weakest one (red 1, green 2, blue 4).
        let half = (high - low) / 2
        var base = 0
        if r - low >= half { base |= 1 }
        if g - low >= half { base |= 2 }
        if b - low >= half { base |= 4 }
        return .index(bright && high >= 200 ? base + 8 : base)
    }

    /// True for palette colours (0–15) on which white text reads better than black.
    static func isDark(_ index: Int) -> Bool {
        [0, 1, 4, 5, 8].contains(index)
    }
}
