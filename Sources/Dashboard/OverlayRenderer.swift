import LevelFunnelCore

/// Draws whatever window is open on top of the table.
enum OverlayRenderer {
    static func draw(_ screen: inout Screen, _ state: DashboardState) {
        switch state.overlay {
        case .none, .levelSearch: return // the level prompt lives in the bottom line
        case .help(let scroll): drawHelp(&screen, scroll: scroll)
        case .filter(let pane): drawPane(&screen, state, pane)
        case .dateRange(let picker):
            guard let game = state.currentGame else { return }
            let box = Box.centered(width: 52, height: 9, on: screen)
            box.draw(on: &screen, title: "Date range · \(game.id)", footer: "1-5 · Enter choose · Esc close")
            drawPicker(&screen, box: box, firstRow: 0, picker: picker, game: game, current: state.range)
        case .gameSelector(let cursor): drawGames(&screen, state, cursor: cursor)
        case .admin(let menu): AdminRenderer.drawMenu(&screen, state, menu)
        case .backfillSetup(let setup): AdminRenderer.drawSetup(&screen, state, setup)
        case .backfillConfirm(let confirm): AdminRenderer.drawConfirm(&screen, confirm)
        case .backfillProgress(let progress): AdminRenderer.drawProgress(&screen, progress)
        case .verify(let view): AdminRenderer.drawVerify(&screen, view)
        case .aggregationStatus(let view): AdminRenderer.drawStatus(&screen, view)
        case .comparePicker(let cursor): AnalysisRenderer.drawComparePicker(&screen, state, cursor: cursor)
        case .breakdownPicker(let cursor): AnalysisRenderer.drawBreakdownPicker(&screen, cursor: cursor)
        case .saveView(let field): AnalysisRenderer.drawSaveView(&screen, state, field: field)
        case .openView(let names, let cursor): AnalysisRenderer.drawOpenView(&screen, state, names: names, cursor: cursor)
        }
    }

    // MARK: Help

    /// The help box for `size` (shared with the reducer's scroll limit).
    static func helpBox(_ screen: Screen) -> Box {
        Box.centered(width: 96, height: screen.height - 2, on: screen)
    }

    static func drawHelp(_ screen: inout Screen, scroll: Int) {
        let box = helpBox(screen)
        let lines = Keymap.helpLines
        let maxScroll = max(0, lines.count - box.innerHeight)
        let first = min(scroll, maxScroll)
        let more = maxScroll > 0 ? "\(first + 1)-\(min(lines.count, first + box.innerHeight))/\(lines.count) · ↑↓ scroll · " : ""
        box.draw(on: &screen, title: "Help · levelfunnel keys", footer: more + "Esc close")
        for (row, line) in lines.dropFirst(first).prefix(box.innerHeight).enumerated() {
            if let keys = line.keys {
                box.line(row, keys, on: &screen, role: .dialogActive, x: 2)
                box.line(row, line.text, on: &screen, x: 24)
            } else {
                box.line(row, line.text, on: &screen, role: .dialogTitle)
            }
        }
    }

    // MARK: Filter panes

    static func drawPane(_ screen: inout Screen, _ state: DashboardState, _ pane: FilterPaneState) {
        let options = pane.dimension.options(state.dimensions, filters: state.filters)
        let labels = options.map { $0 ?? "All" }
        let widest = labels.map(\.displayWidth).max() ?? 3
        let width = min(screen.width - 2, max(46, widest + 8))
        let height = min(screen.height - TableLayout.bodyTop - 1, max(8, options.count + 5))
        let box = Box(x: 1, y: TableLayout.bodyTop - 1, width: width, height: height)
        box.draw(on: &screen, title: "Filter · \(pane.dimension.title) (\(pane.dimension.key.label))",
                 footer: "Space pick · Enter ok · x clear · Esc")

        // Tab strip: every pane, the open one highlighted.
        var x = 0
        for dimension in Dimension.allCases {
            let short = dimension.tabTitle
            let open = dimension == pane.dimension
            let name = open ? "[\(short)]" : " \(short) "
            box.line(0, name, on: &screen, role: open ? .dialogCursor : .dialog, x: x)
            x += name.displayWidth
        }
        box.line(1, String(repeating: "─", count: box.innerWidth), on: &screen)

        let visible = max(1, box.innerHeight - 2)
        let top = max(0, min(pane.cursor - visible / 2, options.count - visible))
        let selected = pane.dimension.selected(in: state.filters)
        if state.dimensions == nil {
            box.line(2, "loading values…", on: &screen, role: .dialogDisabled)
            return
        }
        for (i, option) in options.enumerated().dropFirst(top).prefix(visible) {
            let row = 2 + i - top
            let chosen = option == selected
            box.line(row, chosen ? "●" : "○", on: &screen, role: chosen ? .dialogActive : .dialog)
            box.line(row, labels[i], on: &screen, role: chosen ? .dialogActive : .dialog, x: 2)
            if i == pane.cursor { box.highlight(row, on: &screen, role: .dialogCursor) }
        }
        if pane.dimension == .funnelVersion && state.filters.funnel == nil {
            box.line(3, "choose a funnel first (f)", on: &screen, role: .dialogDisabled)
        }
    }

    // MARK: Date range

    /// The preset list (with each preset's dates) or the custom date fields.
    static func drawPicker(_ screen: inout Screen, box: Box, firstRow: Int, picker: RangePicker, game: GameInfo, current: DayRange?) {
        if let editor = picker.custom {
            box.line(firstRow, "Custom range (YYYY-MM-DD), Tab switches field", on: &screen)
            let fields = [("From", editor.from.text, !editor.editingTo), ("To", editor.to.text, editor.editingTo)]
            for (i, field) in fields.enumerated() {
                let row = firstRow + 2 + i
                box.line(row, field.0, on: &screen, x: 2)
                let text = field.1 + (field.2 ? "█" : "")
                box.line(row, text.padded(toWidth: 11), on: &screen, role: field.2 ? .dialogCursor : .dialogActive, x: 8)
            }
            if let error = editor.error {
                box.line(firstRow + 5, error, on: &screen, role: .dialogError)
            } else {
                box.line(firstRow + 5, "Enter apply · Esc back to presets", on: &screen, role: .dialogDisabled)
            }
            return
        }
        for (i, preset) in RangePreset.choices.enumerated() {
            let row = firstRow + i
            var dates = "type the dates"
            if let range = preset.range(for: game) { dates = "\(range.from) → \(range.to)" }
            let isCurrent = preset != .custom && preset.range(for: game) == current
            box.line(row, "\(i + 1)", on: &screen, role: .dialogActive, x: 1)
            box.line(row, preset.label, on: &screen, role: isCurrent ? .dialogActive : .dialog, x: 4)
            box.line(row, dates, on: &screen, x: 20)
            if i == picker.cursor { box.highlight(row, on: &screen, role: .dialogCursor) }
        }
    }

    // MARK: Games

    static func drawGames(_ screen: inout Screen, _ state: DashboardState, cursor: Int) {
        let idWidth = max(4, state.games.map { $0.id.displayWidth }.max() ?? 4)
        let box = Box.centered(width: idWidth + 50, height: min(state.games.count + 4, screen.height - 2), on: screen)
        box.draw(on: &screen, title: "Game", footer: "Enter open · Esc close")
        box.line(0, "Game".padded(toWidth: idWidth) + "  First day   Last day          Events", on: &screen, role: .dialogTitle, x: 1)
        let visible = max(1, box.innerHeight - 1)
        let top = max(0, min(cursor - visible / 2, state.games.count - visible))
        for (i, game) in state.games.enumerated().dropFirst(top).prefix(visible) {
            let row = 1 + i - top
            let line = game.id.padded(toWidth: idWidth) + "  \(game.firstDay)  \(game.lastDay)  "
                + (game.aggregatedLevelEvents.map(Format.count) ?? "").padded(toWidth: 12, alignment: .right)
            box.line(row, line, on: &screen, role: game.id == state.game ? .dialogActive : .dialog, x: 1)
            if i == cursor { box.highlight(row, on: &screen, role: .dialogCursor) }
        }
    }
}
