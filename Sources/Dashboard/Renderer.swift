import LevelFunnelCore

/// Turns a state into a screen of styled cells. Pure: no terminal, no clock, no I/O.
public enum DashboardRenderer {
    /// Draws `state` for a terminal of `size`, with `theme` deciding churn severities, in the
    /// state's glyphs (`options.glyphs`).
    public static func render(_ state: DashboardState, theme: Theme, size: TerminalSize) -> Screen {
        var screen = Screen(width: size.width, height: size.height, role: .normal)
        if TableLayout.isTooSmall(size) {
            drawTooSmall(&screen, size: size)
        } else {
            if let view = state.views.last {
                AnalysisRenderer.draw(&screen, state, view: view, theme: theme)
            } else {
                TableRenderer.drawTitle(&screen, state)
                TableRenderer.drawTable(&screen, state, theme: theme)
            }
            StatusBar.draw(&screen, state)
            OverlayRenderer.draw(&screen, state)
        }
        return state.options.glyphs.apply(to: screen)
    }

    /// Draws with the state's own theme and size.
    public static func render(_ state: DashboardState) -> Screen {
        render(state, theme: state.theme, size: state.size)
    }

    static func drawTooSmall(_ screen: inout Screen, size: TerminalSize) {
        let min = TableLayout.minimumSize
        let lines = [
            "Terminal too small: \(size.width)×\(size.height)",
            "levelfunnel needs at least \(min.width)×\(min.height).",
            "Enlarge the window, or press q to quit.",
        ]
        let top = max(0, (size.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < size.height {
            let role: StyleRole = i == 0 ? .messageError : .normal
            let text = line.truncated(toWidth: size.width)
            screen.write(text, x: max(0, (size.width - text.displayWidth) / 2), y: top + i, role: role)
        }
    }
}
