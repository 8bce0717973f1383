import LevelFunnelCore

extension DashboardReducer {
    /// Keys while a pane, menu or dialog is open: it gets them all.
    static func handleOverlayKey(_ state: inout DashboardState, _ key: Key) -> [Effect] {
        switch state.overlay {
        case .none:
            return []
        case .help(let scroll):
            return handleHelpKey(&state, key, scroll: scroll)
        case .filter(let pane):
            return handlePaneKey(&state, key, pane: pane)
        case .dateRange(var picker):
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
        case .gameSelector(let cursor):
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
        case .levelSearch(var field):
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
        case .admin(let menu):
            return handleAdminKey(&state, key, menu: menu)
        case .backfillSetup(var setup):
            if setup.picker.custom == nil, key == .left || key == .right, !state.games.isEmpty {
                let step = key == .left ? -1 : 1
                setup.gameIndex = (setup.gameIndex + step + state.games.count) % state.games.count
                state.overlay = .backfillSetup(setup)
                return []
            }
            guard state.games.indices.contains(setup.gameIndex) else { state.overlay = .none; return [] }
            let game = state.games[setup.gameIndex]
            switch setup.picker.handle(key, game: game, current: game.history) {
            case .stay: state.overlay = .backfillSetup(setup)
            case .cancelled: state.overlay = .admin(AdminMenuState(cursor: AdminItem.backfill.rawValue))
            case .chosen(let range, _): state.overlay = .backfillConfirm(BackfillConfirm(game: game.id, range: range))
            }
        case .backfillConfirm(let confirm):
            switch key {
            case .char("y"), .char("Y"), .enter:
                let job = state.nextJob
                state.nextJob += 1
                state.overlay = .backfillProgress(BackfillProgressState(job: job, game: confirm.game, range: confirm.range))
                return [.backfill(game: confirm.game, range: confirm.range, job: job)]
            case .char("n"), .char("N"), .escape, .char("q"):
                let index = state.games.firstIndex { $0.id == confirm.game } ?? 0
                state.overlay = .backfillSetup(BackfillSetup(gameIndex: index))
            default:
                break
            }
        case .backfillProgress(var progress):
            if progress.isFinished {
                if key == .enter || key == .escape || key == .char("q") || key == .space {
                    state.overlay = .none
                    return afterDataChange(&state)
                }
            } else if key == .escape || key == .char("q") {
                guard !progress.cancelling else { return [] }
                progress.cancelling = true
                state.overlay = .backfillProgress(progress)
                return [.cancelSlowWork]
            }
        case .verify(var view):
            switch key {
            case .escape, .char("q"), .enter:
                state.overlay = .none
                if view.isRunning {
                    state.message = StatusMessage("verify cancelled")
                    return [.cancelSlowWork]
                }
            case .up, .char("k"): view.scroll = max(0, view.scroll - 1); state.overlay = .verify(view)
            case .down, .char("j"): view.scroll += 1; state.overlay = .verify(view)
            case .pageUp: view.scroll = max(0, view.scroll - state.bodyHeight); state.overlay = .verify(view)
            case .pageDown: view.scroll += state.bodyHeight; state.overlay = .verify(view)
            default: break
            }
        case .comparePicker(let cursor):
            return handleComparePickerKey(&state, key, cursor: cursor)
        case .breakdownPicker(let cursor):
            return handleBreakdownPickerKey(&state, key, cursor: cursor)
        case .saveView(let field):
            return handleSaveViewKey(&state, key, field: field)
        case .openView(let names, let cursor):
            return handleOpenViewKey(&state, key, names: names, cursor: cursor)
        case .aggregationStatus(var view):
            switch key {
            case .escape, .char("q"), .enter: state.overlay = .none
            case .up, .char("k"): view.scroll = max(0, view.scroll - 1); state.overlay = .aggregationStatus(view)
            case .down, .char("j"): view.scroll += 1; state.overlay = .aggregationStatus(view)
            case .char("r"), .function(5):
                state.overlay = .aggregationStatus(AggregationStatusView())
                return [.loadAggregationStatus]
            default: break
            }
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

    static func handleAdminKey(_ state: inout DashboardState, _ key: Key, menu: AdminMenuState) -> [Effect] {
        var menu = menu
        if menu.refreshing {
            if key == .escape {
                state.message = StatusMessage("cancelling the refresh…")
                return [.cancelSlowWork]
            }
            return []
        }
        let count = AdminItem.allCases.count
        var chosen: AdminItem?
        switch key {
        case .up, .char("k"): menu.cursor = (menu.cursor + count - 1) % count
        case .down, .char("j"): menu.cursor = (menu.cursor + 1) % count
        case .enter, .space: chosen = AdminItem(rawValue: menu.cursor)
        case .escape, .char("q"), .char("a"), .function(8):
            state.overlay = .none
            return []
        case .char(let c):
            chosen = AdminItem.allCases.first { $0.shortcut == c }
            if let chosen { menu.cursor = chosen.rawValue }
        default: break
        }
        state.overlay = .admin(menu)
        guard let item = chosen else { return [] }
        guard let access = state.access else {
            state.message = StatusMessage("checking permissions…", isError: true)
            return [.loadPermissions]
        }
        if let refusal = item.refusal(access) {
            state.message = StatusMessage("\(refusal)", isError: true)
            return []
        }
        switch item {
        case .backfill:
            let index = state.games.firstIndex { $0.id == state.game } ?? 0
            guard !state.games.isEmpty else { state.message = StatusMessage("no games to backfill", isError: true); return [] }
            state.overlay = .backfillSetup(BackfillSetup(gameIndex: index))
        case .refresh:
            menu.refreshing = true
            state.overlay = .admin(menu)
            return [.refresh(game: nil)]
        case .verify:
            guard let query = state.query else { state.message = StatusMessage("no view to verify", isError: true); return [] }
            state.overlay = .verify(VerifyViewState(query: query))
            return [.verify(query)]
        case .status:
            state.overlay = .aggregationStatus(AggregationStatusView())
            return [.loadAggregationStatus]
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
