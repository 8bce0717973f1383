import LevelFunnelCore

extension DashboardReducer {
    /// The current view as a saved view: game, range (its preset, or its dates), filters, the compare on screen,
    /// the sort and the cursor's column.
    static func savedView(_ state: DashboardState) -> SavedView? {
        guard let game = state.game, let range = state.range else { return nil }
        var saved = SavedView(game: game, filters: state.filters)
        switch state.rangePreset {
        case .wholeHistory: saved.range = .wholeHistory
        case .lastDays(let n): saved.range = .lastDays(n)
        case .custom: saved.range = .fixed(range)
        }
        for view in state.views.reversed() {
            if case .compare(let compare) = view { saved.compare = compare.preset; break }
        }
        if let sort = state.sort { saved.sort = (sort.column.rawValue, sort.descending) }
        saved.column = ColumnID.scrollable[state.columnCursor].rawValue
        return saved
    }

    static func openSaveView(_ state: inout DashboardState) -> [Effect] {
        guard state.options.viewsPath != nil else { state.message = StatusMessage("saved views are off"); return [] }
        guard savedView(state) != nil else { state.message = StatusMessage("no view to save yet"); return [] }
        state.overlay = .saveView(TextField(text: state.options.viewName ?? "", limit: 40))
        return []
    }

    static func openSavedViews(_ state: inout DashboardState) -> [Effect] {
        guard let path = state.options.viewsPath else { state.message = StatusMessage("saved views are off"); return [] }
        state.overlay = .openView(names: nil, cursor: 0)
        return [.loadSavedViews(path: path)]
    }

    static func handleSaveViewKey(_ state: inout DashboardState, _ key: Key, field: TextField) -> [Effect] {
        var field = field
        if field.handle(key) { state.overlay = .saveView(field); return [] }
        switch key {
        case .enter:
            let name = field.text.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { state.message = StatusMessage("type a name for the view", isError: true); return [] }
            state.overlay = .none
            guard let path = state.options.viewsPath, let view = savedView(state) else { return [] }
            state.options.viewName = name
            return [.saveView(name: name, view: view, path: path)]
        case .escape:
            state.overlay = .none
        default:
            break
        }
        return []
    }

    static func handleOpenViewKey(_ state: inout DashboardState, _ key: Key, names: [String]?, cursor: Int) -> [Effect] {
        let last = max(0, (names?.count ?? 0) - 1)
        switch key {
        case .up, .char("k"): state.overlay = .openView(names: names, cursor: max(0, cursor - 1))
        case .down, .char("j"): state.overlay = .openView(names: names, cursor: min(last, cursor + 1))
        case .enter, .space:
            state.overlay = .none
            guard let names, names.indices.contains(cursor), let view = state.savedViews[names[cursor]] else { return [] }
            return applySavedView(view, name: names[cursor], &state)
        case .escape, .char("q"), .char("W"):
            state.overlay = .none
        default:
            break
        }
        return []
    }

    /// Opens `view`: its game, range, filters, sort and column, then its compare once the game's values are known.
    static func applySavedView(_ view: SavedView, name: String, _ state: inout DashboardState) -> [Effect] {
        guard let game = state.games.first(where: { $0.id == view.game }) else {
            state.message = StatusMessage("saved view '\(name)': no game '\(view.game)' in this database", isError: true)
            return []
        }
        var effects: [Effect] = []
        let sameGame = state.game == game.id
        if !sameGame {
            effects += selectGame(&state, game.id)
            effects.removeAll { if case .loadFunnel = $0 { true } else { false } }
            state.pending = nil
        }
        state.views = []
        state.options.viewName = name
        state.range = view.range.range(for: game)
        switch view.range {
        case .wholeHistory: state.rangePreset = .wholeHistory
        case .lastDays(let n): state.rangePreset = RangePreset.choices.contains(.lastDays(n)) ? .lastDays(n) : .custom
        case .fixed: state.rangePreset = .custom
        }
        state.filters = view.filters
        state.sort = view.sort.flatMap { s in ColumnID(rawValue: s.field).map { TableSort(column: $0, descending: s.descending) } }
        state.table.applySort(state.sort)
        if let column = view.column.flatMap(ColumnID.init(rawValue:)), let index = ColumnID.scrollable.firstIndex(of: column) {
            moveColumn(&state, to: index)
        }
        state.message = StatusMessage("view '\(name)'")
        effects = loadView(&state) + effects
        if let compare = view.compare {
            if sameGame && state.dimensions != nil {
                effects += startCompare(compare, &state)
            } else {
                state.pendingCompare = compare
            }
        }
        return effects
    }
}
