import LevelFunnelCore

/// The status bar (game, range, filters, source, query time, freshness) and the bottom line
/// (a message, an error, the level prompt, or the F-key bar).
enum StatusBar {
    static func draw(_ screen: inout Screen, _ state: DashboardState) {
        let y = screen.height - 2
        screen.fill(x: 0, y: y, width: screen.width, height: 1, role: .status)
        var x = 1
        for (i, field) in fields(state).enumerated() {
            if i > 0 { x += screen.write(" │ ", x: x, y: y, role: .status) }
            let room = screen.width - x
            guard room > 0 else { break }
            x += screen.write(field.text.truncated(toWidth: room), x: x, y: y, role: field.role)
        }
        drawBottomLine(&screen, state)
    }

    /// The status fields, most important first (the right end is cut on narrow terminals).
    ///
    /// While a query runs they show the selection asked for (and that it is loading); otherwise the selection
    /// the numbers on screen answer, which differs from the one asked for after a query failed (then a field
    /// says so, in the error style).
    static func fields(_ state: DashboardState) -> [(text: String, role: StyleRole)] {
        var out: [(String, StyleRole)] = []
        let answered = state.pending == nil ? state.result : nil
        let shown = answered?.query ?? state.query
        out.append((shown?.game ?? state.game ?? "no game", .status))
        if let range = shown?.range {
            let preset = range == state.range ? state.rangePreset.label : RangePreset.label(of: range, game: state.currentGame)
            out.append(("\(range.from) → \(range.to) (\(preset))", .status))
        }
        out.append(((shown?.filters ?? state.filters).summary, .status))
        if let parts = state.views.last?.parts {
            // An open view speaks for its own queries: the source that answered them and their coverage.
            out.append(sourceField(parts.answeredBy(asked: state.source)))
            out.append((Format.milliseconds(parts.map(\.result.queryMs).reduce(0, +)), .status))
            if let coverage = parts.coverageSummary { out.append((coverage.text, coverage.isComplete ? .status : .messageError)) }
        } else {
            out.append(sourceField(answered?.source ?? state.source))
            if let pending = state.pending {
                out.append((pending.source == .raw ? "raw query running… Esc cancels" : "loading…", .status))
            } else if let result = state.result {
                if !state.resultMatchesRequest {
                    out.append(("not the view asked for: its query failed", .messageError))
                }
                out.append((Format.milliseconds(result.queryMs) + (result.source == .raw ? " (raw)" : ""), .status))
                if let coverage = result.coverage, coverage.live > 0 || !coverage.isComplete || coverage.includesToday {
                    out.append((coverage.summary, coverage.isComplete ? .status : .messageError))
                }
            }
        }
        if state.result?.source == .raw {
            out.append(("live data (raw path)", .status))
        } else if let asOf = state.dataAsOf {
            out.append((asOf.map { "data as of \(Format.timestamp($0))" } ?? "not aggregated yet", .status))
        }
        return out
    }

    static func sourceField(_ source: FunnelSource) -> (text: String, role: StyleRole) {
        switch source {
        case .raw: ("RAW", .statusRaw)
        case .fast: ("fast", .status)
        case .aggregates: ("aggregates only (no access to events)", .messageError)
        }
    }

    static func drawBottomLine(_ screen: inout Screen, _ state: DashboardState) {
        let y = screen.height - 1
        if case .levelSearch(let field) = state.overlay {
            screen.fill(x: 0, y: y, width: screen.width, height: 1, role: .messageInfo)
            screen.write(" Jump to level: \(field.text)█", x: 0, y: y, role: .messageInfo)
            screen.write("Enter jump · Esc cancel ".padded(toWidth: 24, alignment: .right),
                         x: screen.width - 24, y: y, role: .messageInfo)
            return
        }
        if let message = state.message {
            let role: StyleRole = message.isError ? .messageError : .messageInfo
            screen.fill(x: 0, y: y, width: screen.width, height: 1, role: role)
            screen.write(" " + message.text, x: 0, y: y, role: role)
            return
        }
        if let error = state.lastError {
            screen.fill(x: 0, y: y, width: screen.width, height: 1, role: .messageError)
            screen.write(" error: " + error, x: 0, y: y, role: .messageError)
            return
        }
        var x = 0
        if let view = state.views.last {
            let hints: [(String, String)] = switch view {
            case .trend: [("←→", "day"), ("Home End", "first/last day"), ("Esc", "back"), ("?", "help")]
            case .compare, .breakdown: [("↑↓", "level"), ("←→", "column group"), ("Enter", "trend"), ("Esc", "back"), ("?", "help")]
            case .spikes: [("↑↓", "level"), ("←→", "measure"), ("Enter", "trend"), ("Esc", "back"), ("?", "help")]
            }
            for (key, label) in hints {
                guard x + key.displayWidth + label.displayWidth + 2 <= screen.width else { break }
                x += screen.write(key, x: x, y: y, role: .keysKey)
                x += screen.write(" " + label + " ", x: x, y: y, role: .keysLabel)
            }
            return
        }
        for hint in Keymap.hints {
            let label = hint.label.padded(toWidth: 7)
            guard x + hint.key.displayWidth + label.displayWidth <= screen.width else { break }
            x += screen.write(hint.key, x: x, y: y, role: .keysKey)
            x += screen.write(label, x: x, y: y, role: .keysLabel)
        }
    }
}
