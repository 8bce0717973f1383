import LevelFunnelCore

/// Draws the admin menu, the backfill steps, the verify view and the aggregation status.
enum AdminRenderer {
    static func drawMenu(_ screen: inout Screen, _ state: DashboardState, _ menu: AdminMenuState) {
        let box = Box.centered(width: 56, height: 11, on: screen)
        box.draw(on: &screen, title: "Admin", footer: "letter or Enter · Esc close")
        let refusals = AdminItem.allCases.map { item in state.access.flatMap(item.refusal) }
        for item in AdminItem.allCases {
            let row = item.rawValue
            let disabled = state.access == nil ? item != .status : refusals[row] != nil
            let role: StyleRole = disabled ? .dialogDisabled : .dialog
            box.line(row, String(item.shortcut), on: &screen, role: disabled ? .dialogDisabled : .dialogActive, x: 1)
            box.line(row, item.label + (refusals[row] != nil ? " (disabled)" : ""), on: &screen, role: role, x: 4)
            if row == menu.cursor { box.highlight(row, on: &screen, role: disabled ? .dialogDisabled : .dialogCursor) }
        }
        if menu.refreshing {
            box.line(5, "Refreshing aggregates… (Esc cancels)", on: &screen, role: .dialogActive)
        } else if let access = state.access, !access.canReadEvents {
            box.line(5, "This role reads the aggregates only (no user ids):", on: &screen, role: .dialogError)
            box.line(6, "the items above need \(AccessRoles.defaultWriter).", on: &screen, role: .dialogError)
        } else if let access = state.access, let refusal = access.writeRefusal("backfill") {
            box.line(5, refusal == .readOnlyServer("backfill") ? "This server is read-only (a standby?):"
                                                               : "No write access to the aggregates:", on: &screen, role: .dialogError)
            box.line(6, "backfill and refresh need \(AccessRoles.defaultWriter).", on: &screen, role: .dialogError)
        } else if state.access == nil {
            box.line(5, "Checking permissions…", on: &screen, role: .dialogDisabled)
        }
        if let message = state.message, !menu.refreshing {
            box.line(7, message.text, on: &screen, role: message.isError ? .dialogError : .dialog)
        }
    }

    static func drawSetup(_ screen: inout Screen, _ state: DashboardState, _ setup: BackfillSetup) {
        guard state.games.indices.contains(setup.gameIndex) else { return }
        let game = state.games[setup.gameIndex]
        let box = Box.centered(width: 56, height: 11, on: screen)
        box.draw(on: &screen, title: "Backfill · choose game and range", footer: "Enter next · Esc back")
        box.line(0, "Game", on: &screen)
        let chooser = state.games.count > 1 ? "◀ \(game.id) ▶" : game.id
        box.line(0, chooser, on: &screen, role: .dialogActive, x: 8)
        if state.games.count > 1 { box.line(0, "←/→", on: &screen, role: .dialogDisabled, x: 10 + chooser.displayWidth) }
        box.line(1, "Range", on: &screen)
        OverlayRenderer.drawPicker(&screen, box: box, firstRow: 3, picker: setup.picker, game: game, current: nil)
    }

    static func drawConfirm(_ screen: inout Screen, _ confirm: BackfillConfirm) {
        let box = Box.centered(width: 56, height: 9, on: screen)
        box.draw(on: &screen, title: "Backfill · confirm", footer: "y yes · n no")
        box.line(0, "Rebuild the aggregates of \(confirm.game)", on: &screen)
        box.line(1, "from \(confirm.range.from) to \(confirm.range.to) (\(confirm.range.dayCount) days)?", on: &screen)
        box.line(3, "Progress is shown as it runs; Esc cancels.", on: &screen, role: .dialogDisabled)
        box.line(5, "[y] Backfill", on: &screen, role: .dialogActive, x: 4)
        box.line(5, "[n] Back", on: &screen, x: 24)
    }

    static func drawProgress(_ screen: inout Screen, _ state: BackfillProgressState) {
        let box = Box.centered(width: 64, height: 11, on: screen)
        let footer = state.isFinished ? "Enter close" : (state.cancelling ? "cancelling…" : "Esc cancel")
        box.draw(on: &screen, title: "Backfill · \(state.game) · \(state.range.from) → \(state.range.to)", footer: footer)
        let p = state.progress
        let done = state.outcome.map { _ in state.range.dayCount } ?? p?.daysDone ?? 0
        let total = p?.daysTotal ?? state.range.dayCount
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let barWidth = box.innerWidth - 7
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        box.line(0, String(repeating: "█", count: filled), on: &screen, role: .progressDone)
        box.line(0, String(repeating: "░", count: barWidth - filled), on: &screen, role: .progressTodo, x: filled)
        box.line(0, "\(Int((fraction * 100).rounded(.down)))%".padded(toWidth: 5, alignment: .right), on: &screen, x: barWidth + 1)
        let at = state.isFinished ? "" : (p.map { "   (at \($0.day))" } ?? "")
        box.line(2, "Days    \(done) / \(total)" + at, on: &screen)
        if let p {
            let events = state.outcome?.events ?? p.events
            let rate = state.outcome?.eventsPerSecond ?? p.eventsPerSecond
            box.line(3, "Events  \(Format.count(events))   \(Format.count(Int(rate.rounded()))) events/s", on: &screen)
            let eta = p.etaSeconds.map { "   ETA \(Format.duration($0))" } ?? ""
            let elapsed = state.outcome?.seconds ?? p.elapsedSeconds
            box.line(4, "Time    \(Format.duration(elapsed))" + (state.isFinished ? "" : eta), on: &screen)
        } else if !state.isFinished {
            box.line(3, "Starting…", on: &screen, role: .dialogDisabled)
        }
        if let outcome = state.outcome {
            box.line(6, "Done: \(outcome.daysDone) days, \(Format.count(outcome.events)) events in \(Format.duration(outcome.seconds)).",
                     on: &screen, role: .dialogActive)
        } else if let error = state.error {
            box.line(6, error, on: &screen, role: .dialogError)
        } else if state.cancelling {
            box.line(6, "Cancelling…", on: &screen, role: .dialogError)
        }
    }

    static func drawVerify(_ screen: inout Screen, _ view: VerifyViewState) {
        let rows = view.outcome.map { $0.differences.isEmpty ? 1 : $0.differences.count + 4 } ?? 1
        let box = Box.centered(width: 76, height: rows + 5, on: screen)
        box.draw(on: &screen, title: "Verify · fast vs raw", footer: view.isRunning ? "Esc cancel" : "↑↓ scroll · Esc close")
        let q = view.query
        box.line(0, "\(q.game) · \(q.range.from) → \(q.range.to)" + (q.filters.isEmpty ? "" : " · \(q.filters.summary)"), on: &screen)
        if view.isRunning {
            box.line(2, "Running the raw query on the events table… (Esc cancels)", on: &screen, role: .dialogDisabled)
            return
        }
        if let error = view.error {
            box.line(2, error, on: &screen, role: .dialogError)
            return
        }
        guard let outcome = view.outcome else { return }
        let timing = "fast \(Format.milliseconds(outcome.fastMs)), raw \(Format.milliseconds(outcome.rawMs))"
        if outcome.differences.isEmpty {
            box.line(2, "✓ fast and raw agree on all \(outcome.levelsCompared) levels (\(timing))",
                     on: &screen, role: .dialogActive)
            return
        }
        let levels = Set(outcome.differences.map(\.levelId)).count
        box.line(2, "✗ \(outcome.differences.count) differences in \(levels) of \(outcome.levelsCompared) levels (\(timing))",
                 on: &screen, role: .dialogError)
        box.line(4, "Level".padded(toWidth: 7, alignment: .right) + "  " + "Field".padded(toWidth: 24)
                 + "Fast".padded(toWidth: 14, alignment: .right) + "Raw".padded(toWidth: 14, alignment: .right),
                 on: &screen, role: .dialogTitle)
        let visible = max(1, box.innerHeight - 5)
        let first = min(view.scroll, max(0, outcome.differences.count - visible))
        for (i, d) in outcome.differences.dropFirst(first).prefix(visible).enumerated() {
            let row = 5 + i
            box.line(row, String(d.levelId).padded(toWidth: 7, alignment: .right) + "  " + d.field.padded(toWidth: 24), on: &screen)
            box.line(row, number(d.fast).padded(toWidth: 14, alignment: .right), on: &screen, role: .diff, x: 33)
            box.line(row, number(d.raw).padded(toWidth: 14, alignment: .right), on: &screen, role: .diff, x: 47)
        }
    }

    static func drawStatus(_ screen: inout Screen, _ view: AggregationStatusView) {
        let box = Box.centered(width: 78, height: (view.rows?.count ?? 1) + 4, on: screen)
        box.draw(on: &screen, title: "Aggregation status", footer: "r reload · Esc close")
        if let error = view.error { box.line(0, error, on: &screen, role: .dialogError); return }
        guard let rows = view.rows else { box.line(0, "Loading…", on: &screen, role: .dialogDisabled); return }
        if rows.isEmpty { box.line(0, "No games.", on: &screen); return }
        let gameWidth = max(4, min(20, rows.map { $0.game.displayWidth }.max() ?? 4))
        box.line(0, "Game".padded(toWidth: gameWidth) + "  " + "Aggregated".padded(toWidth: 14, alignment: .right)
                 + "  " + "Stale".padded(toWidth: 6, alignment: .right) + "  Last aggregated", on: &screen, role: .dialogTitle)
        let visible = max(1, box.innerHeight - 1)
        let first = min(view.scroll, max(0, rows.count - visible))
        for (i, r) in rows.dropFirst(first).prefix(visible).enumerated() {
            let row = 1 + i
            let days = "\(r.aggregatedDays)/\(r.totalDays) days"
            box.line(row, r.game.padded(toWidth: gameWidth) + "  " + days.padded(toWidth: 14, alignment: .right), on: &screen)
            box.line(row, String(r.staleDays).padded(toWidth: 6, alignment: .right), on: &screen,
                     role: r.staleDays > 0 ? .dialogError : .dialog, x: gameWidth + 18)
            box.line(row, r.lastAggregatedAt.map(Format.timestamp) ?? "never", on: &screen, x: gameWidth + 26)
        }
    }

    /// A side's exact text (counts with separators), cut to the column with `…` when longer.
    private static func number(_ text: String?) -> String {
        guard let text else { return Format.null }
        if let count = Int(text) { return Format.count(count) }
        return text.count <= 13 ? text : text.prefix(12) + "…"
    }
}
