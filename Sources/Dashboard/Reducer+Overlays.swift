import LevelFunnelCore

extension DashboardReducer {
    /// Keys while a pane, menu or dialog is open: it gets them all, each kind of window from a handler of its own.
    static func handleOverlayKey(_ state: inout DashboardState, _ key: Key) -> [Effect] {
        switch state.overlay {
        case .none: return []
        case .help(let scroll): return handleHelpKey(&state, key, scroll: scroll)
        case .filter(let pane): return handlePaneKey(&state, key, pane: pane)
        case .dateRange(let picker): return handleDateRangeKey(&state, key, picker: picker)
        case .gameSelector(let cursor): return handleGameSelectorKey(&state, key, cursor: cursor)
        case .levelSearch(let field): return handleLevelSearchKey(&state, key, field: field)
        case .admin(let menu): return handleAdminKey(&state, key, menu: menu)
        case .backfillSetup(let setup): return handleBackfillSetupKey(&state, key, setup: setup)
        case .backfillConfirm(let confirm): return handleBackfillConfirmKey(&state, key, confirm: confirm)
        case .backfillProgress(let progress): return handleBackfillProgressKey(&state, key, progress: progress)
        case .verify(let view): return handleVerifyKey(&state, key, view: view)
        case .comparePicker(let cursor): return handleComparePickerKey(&state, key, cursor: cursor)
        case .breakdownPicker(let cursor): return handleBreakdownPickerKey(&state, key, cursor: cursor)
        case .saveView(let field): return handleSaveViewKey(&state, key, field: field)
        case .openView(let names, let cursor): return handleOpenViewKey(&state, key, names: names, cursor: cursor)
        case .aggregationStatus(let view): return handleAggregationStatusKey(&state, key, view: view)
        }
    }

    static func handleDateRangeKey(_ state: inout DashboardState, _ key: Key, picker: RangePicker) -> [Effect] {
        var picker = picker
        guard let game = state.currentGame, let current = state.range else { state.overlay = .none; return [] }
        switch picker.handle(key, game: game, current: current) {
        case .stay:
            state.overlay = .dateRange(picker)
        case .cancelled:
            state.overlay = .none
        case .chosen(let range, let preset):
            state.overlay = .none
            state.range = range
            state.rangePreset = preset
            return loadView(&state)
        }
        return []
    }

    static func handleGameSelectorKey(_ state: inout DashboardState, _ key: Key, cursor: Int) -> [Effect] {
        let last = max(0, state.games.count - 1)
        switch key {
        case .up, .char("k"): state.overlay = .gameSelector(cursor: max(0, cursor - 1))
        case .down, .char("j"): state.overlay = .gameSelector(cursor: min(last, cursor + 1))
        case .home, .char("g"): state.overlay = .gameSelector(cursor: 0)
        case .end, .char("G"): state.overlay = .gameSelector(cursor: last)
        case .enter, .space:
            state.overlay = .none
            guard state.games.indices.contains(cursor), state.games[cursor].id != state.game else { return [] }
            return selectGame(&state, state.games[cursor].id)
        case .escape, .char("q"), .char("o"), .function(7): state.overlay = .none
        default: break
        }
        return []
    }

    /// `/`: a level number typed, then the cursor on that level (or the next one there is), in the table or a view.
    static func handleLevelSearchKey(_ state: inout DashboardState, _ key: Key, field: TextField) -> [Effect] {
        var field = field
        if field.handle(key) { state.overlay = .levelSearch(field); return [] }
        switch key {
        case .enter:
            state.overlay = .none
            guard let level = Int(field.text) else { state.message = StatusMessage("type a level number"); break }
            if !state.views.isEmpty {
                jumpInView(&state, to: level)
            } else if let row = state.table.row(ofLevel: level) {
                moveRow(&state, to: row)
                let found = state.table.levelId(row: row)
                if found != level { state.message = StatusMessage("no level \(level); showing level \(found)") }
            } else {
                state.message = StatusMessage("no level \(level) or above", isError: true)
            }
        case .escape:
            state.overlay = .none
        default:
            break
        }
        return []
    }

    static func handleHelpKey(_ state: inout DashboardState, _ key: Key, scroll: Int) -> [Effect] {
        let page = max(1, state.size.height - 4)
        let limit = Keymap.maxHelpScroll(state.size)
        func scrolled(_ to: Int) -> Overlay { .help(scroll: max(0, min(limit, to))) }
        switch key {
        case .mouse(let m) where m.kind == .wheelUp: state.overlay = scrolled(scroll - 3)
        case .mouse(let m) where m.kind == .wheelDown: state.overlay = scrolled(scroll + 3)
        case .up, .char("k"): state.overlay = scrolled(scroll - 1)
        case .down, .char("j"): state.overlay = scrolled(scroll + 1)
        case .pageUp: state.overlay = scrolled(scroll - page)
        case .pageDown, .space: state.overlay = scrolled(scroll + page)
        case .home, .char("g"): state.overlay = scrolled(0)
        case .end, .char("G"): state.overlay = scrolled(limit)
        case .escape, .char("q"), .char("?"), .function(1), .enter: state.overlay = .none
        default: break
        }
        return []
    }

    static func handlePaneKey(_ state: inout DashboardState, _ key: Key, pane: FilterPaneState) -> [Effect] {
        switch pane.handle(key, dimensions: state.dimensions, filters: state.filters, pageSize: max(1, state.bodyHeight - 4)) {
        case .stay(let next):
            state.overlay = .filter(next)
        case .close:
            state.overlay = .none
        case .apply(let filters, let then):
            state.overlay = then.map { .filter($0) } ?? .none
            guard filters != state.filters else { return [] }
            state.filters = filters
            return loadView(&state)
        }
        return []
    }

    /// Mouse on the table: wheel scrolls, a header click sorts that column, a row click selects it.
    static func handleMouse(_ state: inout DashboardState, _ mouse: MouseEvent) -> [Effect] {
        guard state.options.mouse else { return [] }
        switch mouse.kind {
        case .wheelUp:
            moveRow(&state, to: state.rowCursor - 3)
        case .wheelDown:
            moveRow(&state, to: state.rowCursor + 3)
        case .click:
            let layout = TableLayout(table: state.table, firstColumn: state.firstColumn, width: state.size.width)
            let placed = layout.column(atX: mouse.x)
            let isHeader = mouse.y >= TableLayout.headerTop && mouse.y < TableLayout.bodyTop
            if isHeader {
                if mouse.x < layout.separatorX {
                    cycleSort(&state, column: .level)
                } else if let placed {
                    state.columnCursor = placed.index
                    cycleSort(&state, column: placed.column)
                }
            } else if mouse.y >= TableLayout.bodyTop && mouse.y < TableLayout.bodyTop + state.bodyHeight {
                let row = state.topRow + mouse.y - TableLayout.bodyTop
                if row < state.table.rowCount { moveRow(&state, to: row) }
                if let placed { state.columnCursor = placed.index }
            }
        }
        return []
    }

    /// After a backfill or refresh the aggregates changed: reload what depends on them.
    static func afterDataChange(_ state: inout DashboardState) -> [Effect] {
        guard let game = state.game else { return [.loadGames] }
        return [.loadGames, .loadDataAsOf(game: game)] + loadView(&state)
    }
}
