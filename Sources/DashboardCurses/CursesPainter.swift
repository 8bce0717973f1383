import CNcursesw
import Dashboard

/// Paints a `Screen` with ncurses: one colour pair per distinct (foreground, background) of the theme,
/// attributes from the theme, runs of equal style written in one call.
final class CursesPainter {
    private let terminal: CursesTerminal
    private var attributes: [StyleRole: attr_t] = [:]
    private var pairs: [PairKey: Int16] = [:]
    private var themeKey: Theme?

    private struct PairKey: Hashable {
        var fg: Int16
        var bg: Int16
    }

    init(terminal: CursesTerminal) { self.terminal = terminal }

    /// Draws `screen` styled by `theme` (adapted to the terminal's colours) and refreshes.
    func paint(_ screen: Screen, theme: Theme, clearFirst: Bool = false) {
        prepare(theme)
        if clearFirst { clearok(lf_stdscr(), true) }
        lf_erase()
        for y in 0..<screen.height {
            for run in screen.runs(inRow: y) {
                lf_attrset(attributes[run.role] ?? lf_a_normal())
                _ = run.text.withCString { lf_mvaddstr(Int32(y), Int32(run.x), $0) }
            }
            // ASCII mode: box lines over their stand-ins, in the terminal's own line-drawing characters.
            for x in 0..<screen.width {
                let cell = screen[x, y]
                guard let line = cell.line else { continue }
                lf_attrset(attributes[cell.role] ?? lf_a_normal())
                lf_mvaddch(Int32(y), Int32(x), lf_acs_line(Self.acsIndex(line)))
            }
        }
        lf_attrset(lf_a_normal())
        lf_refresh()
    }

    /// The shim's number for a line (see `lf_acs_line`).
    private static func acsIndex(_ line: LineGlyph) -> Int32 {
        switch line {
        case .vertical: return 0
        case .horizontal: return 1
        case .topLeft: return 2
        case .topRight: return 3
        case .bottomLeft: return 4
        case .bottomRight: return 5
        }
    }

    /// Builds the role → attribute table when the theme changes.
    private func prepare(_ theme: Theme) {
        guard theme != themeKey else { return }
        themeKey = theme
        let adapted = theme.adapted(toColors: terminal.colorCount)
        attributes = [:]
        for role in StyleRole.allCases {
            let style = adapted.style(role)
            var attr = lf_a_normal()
            if style.attributes.contains(.bold) { attr |= lf_a_bold() }
            if style.attributes.contains(.underline) { attr |= lf_a_underline() }
            if style.attributes.contains(.reverse) { attr |= lf_a_reverse() }
            if style.attributes.contains(.dim) { attr |= lf_a_dim() }
            if terminal.colorCount > 0 {
                attr |= lf_color_pair(Int32(pair(for: style)))
            }
            attributes[role] = attr
        }
    }

    /// The pair number for a style's colours (0, the terminal's default pair, when nothing is set).
    private func pair(for style: Style) -> Int16 {
        let fg = color(style.foreground, isBackground: false)
        let bg = color(style.background, isBackground: true)
        if fg == -1 && bg == -1 { return 0 }
        let key = PairKey(fg: fg, bg: bg)
        if let existing = pairs[key] { return existing }
        let next = Int16(pairs.count + 1)
        // Pair numbers must fit the attribute's 8 colour-pair bits (attrset takes an attribute word).
        guard Int32(next) < min(lf_color_pairs(), 256) else { return 0 }
        init_pair(next, fg, bg)
        pairs[key] = next
        return next
    }

    /// A curses colour number; without default-colour support "default" becomes white on black.
    private func color(_ color: ThemeColor, isBackground: Bool) -> Int16 {
        switch color {
        case .terminalDefault: return terminal.hasDefaultColors ? -1 : (isBackground ? Int16(COLOR_BLACK) : Int16(COLOR_WHITE))
        case .index(let n): return Int16(min(n, terminal.colorCount - 1))
        }
    }
}
