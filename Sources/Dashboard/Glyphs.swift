/// A box-drawing line: in ASCII mode the painter draws it with the terminal's own line-drawing
/// characters (ncurses' ACS set), which every terminal with cursor addressing has, in any locale.
public enum LineGlyph: Sendable, Hashable, CaseIterable {
    case vertical, horizontal, topLeft, topRight, bottomLeft, bottomRight
}

/// One character the dashboard draws beyond ASCII, and what stands for it in ASCII mode.
public struct Glyph: Sendable, Hashable {
    /// The UTF-8 form, as the renderer writes it.
    public let utf8: Character
    /// The ASCII stand-in: always as wide as `utf8` (one column), so the layout does not move.
    public let ascii: Character
    /// For box lines: the terminal's line-drawing character drawn over the stand-in.
    public let line: LineGlyph?

    init(_ utf8: Character, _ ascii: Character, line: LineGlyph? = nil) {
        self.utf8 = utf8
        self.ascii = ascii
        self.line = line
    }
}

/// Which characters the dashboard draws with, chosen once at start: `.unicode` in a UTF-8 locale,
/// `.ascii` otherwise (or with `--ascii`).
///
/// The renderer always draws in UTF-8; in ASCII mode the finished screen is transliterated cell by
/// cell through `table`. Doing it once at the end means no glyph can be missed, and because every
/// stand-in is exactly as wide as its glyph the layout (and so the column alignment) is the same in
/// both modes. Characters the table does not know — names in other scripts, `ñ` — become one `?` per
/// column they take: never raw bytes, which a non-UTF-8 terminal would show as several cells.
public enum Glyphs: Sendable, Hashable {
    case unicode
    case ascii

    /// Every non-ASCII character the dashboard draws, with its ASCII form.
    public static let table: [Glyph] = [
        // Box lines and the rule after the Level column: the terminal's line-drawing set.
        Glyph("│", "|", line: .vertical),
        Glyph("─", "-", line: .horizontal),
        Glyph("┌", "+", line: .topLeft),
        Glyph("┐", "+", line: .topRight),
        Glyph("└", "+", line: .bottomLeft),
        Glyph("┘", "+", line: .bottomRight),
        // Punctuation.
        Glyph("—", "-"),   // undefined values
        Glyph("–", "-"),   // ranges in messages
        Glyph("−", "-"),   // minus: differences (B−A)
        Glyph("·", "-"),   // separators in titles and hints
        Glyph("…", "~"),   // something cut or still running ("~" is not mistaken for part of a name)
        Glyph("×", "x"),   // terminal size
        Glyph("✓", "+"),
        Glyph("✗", "x"),
        // Arrows: keys, date ranges, more columns, the sort direction.
        Glyph("→", ">"), Glyph("←", "<"), Glyph("↑", "^"), Glyph("↓", "v"),
        Glyph("▶", ">"), Glyph("◀", "<"), Glyph("▲", "^"), Glyph("▼", "v"),
        // The chosen and other values of a filter pane.
        Glyph("●", "*"), Glyph("○", "o"),
        // Bars: full cells as `#`; a partial cell rounds to the nearest whole one.
        Glyph("█", "#"), Glyph("░", "."),
        // Trend charts: eighths of a cell from the bottom; low ones as `_`, middle as `-` and `=`, high as `#`.
        Glyph("▁", "_"), Glyph("▂", "_"), Glyph("▃", "-"), Glyph("▄", "-"), Glyph("▅", "="), Glyph("▆", "="), Glyph("▇", "#"),
        Glyph("▏", " "), Glyph("▎", " "), Glyph("▍", " "),
        Glyph("▌", "#"), Glyph("▋", "#"), Glyph("▊", "#"), Glyph("▉", "#"),
    ]

    /// Shown for each column of a character the table does not know.
    public static let replacement: Character = "?"

    private static let byCharacter: [Character: Glyph] =
        Dictionary(table.map { ($0.utf8, $0) }, uniquingKeysWith: { first, _ in first })

    /// The table's entry for `character`, if it has one.
    public static func glyph(for character: Character) -> Glyph? {
        byCharacter[character]
    }

    /// `screen` as this mode draws it: unchanged in `.unicode`; in `.ascii` every cell printable ASCII
    /// (box lines marked for the terminal's line-drawing characters), with the same layout.
    public func apply(to screen: Screen) -> Screen {
        guard self == .ascii else { return screen }
        var out = screen
        out.transliterateToASCII()
        return out
    }
}
