import LevelFunnelCore

/// The windows of the analysis views, drawn over the table: the compare and breakdown pickers, and the save and
/// open view dialogs.
extension AnalysisRenderer {
    static func drawComparePicker(_ screen: inout Screen, _ state: DashboardState, cursor: Int) {
        let choices = CompareChoices.list(state)
        let labels = choices.map { CompareChoices.label($0, state) }
        let width = min(screen.width - 2, max(56, (labels.map(\.displayWidth).max() ?? 0) + 8))
        let extra = state.filters.isEmpty ? 2 : 0
        let box = Box.centered(width: width, height: min(screen.height - 2, choices.count + 4 + extra), on: screen)
        box.draw(on: &screen, title: "Compare · \(state.filters.summary) against…", footer: "Enter compare · Esc close")
        box.line(0, "B is this selection, A the one chosen below", on: &screen, role: .dialogDisabled)
        let visible = max(1, box.innerHeight - 1 - extra)
        let top = max(0, min(cursor - visible / 2, choices.count - visible))
        for (i, label) in labels.enumerated().dropFirst(top).prefix(visible) {
            let row = 1 + i - top
            box.line(row, label, on: &screen, x: 1)
            if i == cursor { box.highlight(row, on: &screen, role: .dialogCursor) }
        }
        if extra > 0 {
            box.line(box.innerHeight - 2, "set a filter (f V p c v) to compare its value", on: &screen, role: .dialogDisabled)
            box.line(box.innerHeight - 1, "with another value or with all of them", on: &screen, role: .dialogDisabled)
        }
    }

    static func drawSaveView(_ screen: inout Screen, _ state: DashboardState, field: TextField) {
        let box = Box.centered(width: 64, height: 7, on: screen)
        box.draw(on: &screen, title: "Save this view", footer: "Enter save · Esc close")
        let saved = DashboardReducer.savedView(state)
        var what = "\(saved?.game ?? "") · \(saved?.range.text ?? "") · \(state.filters.summary)"
        if let compare = saved?.compare { what += " · compare \(compare.savedText)" }
        box.line(0, what, on: &screen, role: .dialogDisabled)
        box.line(2, "Name", on: &screen, x: 1)
        box.line(2, (field.text + "█").padded(toWidth: 42), on: &screen, role: .dialogCursor, x: 7)
        box.line(4, "in \(state.options.viewsPath ?? "")", on: &screen, role: .dialogDisabled)
    }

    static func drawOpenView(_ screen: inout Screen, _ state: DashboardState, names: [String]?, cursor: Int) {
        let lines = names ?? []
        let box = Box.centered(width: 96, height: min(screen.height - 2, max(6, lines.count + 4)), on: screen)
        box.draw(on: &screen, title: "Saved views", footer: "Enter open · Esc close")
        guard let names else { box.line(0, "reading…", on: &screen, role: .dialogDisabled); return }
        guard !names.isEmpty else {
            box.line(0, "no saved views yet: w saves the view on screen", on: &screen, role: .dialogDisabled)
            return
        }
        let visible = max(1, box.innerHeight)
        let top = max(0, min(cursor - visible / 2, names.count - visible))
        for (i, name) in names.enumerated().dropFirst(top).prefix(visible) {
            let row = i - top
            let view = state.savedViews[name]
            var what = view.map { "\($0.game) · \($0.range.text) · \($0.filters.summary)" } ?? ""
            if let compare = view?.compare { what += " · \(compare.savedText)" }
            box.line(row, name.truncated(toWidth: 20), on: &screen, role: .dialogActive, x: 1)
            box.line(row, what.truncated(toWidth: box.innerWidth - 23), on: &screen, x: 23)
            if i == cursor { box.highlight(row, on: &screen, role: .dialogCursor) }
        }
    }

    static func drawBreakdownPicker(_ screen: inout Screen, cursor: Int) {
        let box = Box.centered(width: 46, height: Dimension.allCases.count + 3, on: screen)
        box.draw(on: &screen, title: "Breakdown by…", footer: "Enter open · Esc close")
        for (i, dimension) in Dimension.allCases.enumerated() {
            box.line(i, dimension.key.label, on: &screen, role: .dialogActive, x: 1)
            box.line(i, dimension.title, on: &screen, x: 4)
            if i == cursor { box.highlight(i, on: &screen, role: .dialogCursor) }
        }
    }
}
