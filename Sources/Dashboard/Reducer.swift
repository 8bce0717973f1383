import LevelFunnelCore

/// The dashboard's logic: `(state, event) -> (state, effects)`, with no I/O.
///
/// Keys, resizes and database answers come in; a new state and requests for database work
/// (`Effect`) go out. The curses layer draws the state and runs the effects off the input loop.
public enum DashboardReducer {
    /// Effects to run when the dashboard opens.
    public static func start(_ state: inout DashboardState) -> [Effect] {
        [.loadGames, .loadPermissions]
    }

    /// Pure form: returns the new state and the effects.
    public static func reduce(_ state: DashboardState, _ event: DashboardEvent) -> (DashboardState, [Effect]) {
        var copy = state
        let effects = reduce(&copy, event)
        return (copy, effects)
    }

    /// In-place form (what the app loop uses: no copy of large results per key).
    public static func reduce(_ state: inout DashboardState, _ event: DashboardEvent) -> [Effect] {
        switch event {
        case .key(let key):
            return handleKey(&state, key)
        case .resize(let size):
            state.size = size
            clampView(&state)
            return []
        case .backend(let answer):
            return handleBackend(&state, answer)
        }
    }

    // MARK: Keys

    static func handleKey(_ state: inout DashboardState, _ key: Key) -> [Effect] {
        // A message lasts until the next key.
        state.message = nil
        if TableLayout.isTooSmall(state.size) {
            if key == .char("q") || key == .function(10) { state.shouldQuit = true }
            return []
        }
        switch state.overlay {
        case .none: return state.views.isEmpty ? handleTableKey(&state, key) : handleViewKey(&state, key)
        default: return handleOverlayKey(&state, key)
        }
    }

    static func handleTableKey(_ state: inout DashboardState, _ key: Key) -> [Effect] {
        if case .mouse(let mouse) = key { return handleMouse(&state, mouse) }
        guard let command = Keymap.command(for: key) else { return [] }
        return perform(command, &state)
    }

    /// Runs a table command (shared by keys and mouse).
    static func perform(_ command: Command, _ state: inout DashboardState) -> [Effect] {
        let page = max(1, state.bodyHeight)
        let lastRow = max(0, state.table.rowCount - 1)
        let lastColumn = ColumnID.scrollable.count - 1
        switch command {
        case .rowUp: moveRow(&state, to: state.rowCursor - 1)
        case .rowDown: moveRow(&state, to: state.rowCursor + 1)
        case .pageUp:
            state.topRow = max(0, state.topRow - page)
            moveRow(&state, to: state.rowCursor - page)
        case .pageDown:
            state.topRow = min(max(0, state.table.rowCount - page), state.topRow + page)
            moveRow(&state, to: state.rowCursor + page)
        case .firstRow: moveRow(&state, to: 0)
        case .lastRow: moveRow(&state, to: lastRow)
        case .columnLeft: moveColumn(&state, to: state.columnCursor - 1)
        case .columnRight: moveColumn(&state, to: state.columnCursor + 1)
        case .firstColumn: moveColumn(&state, to: 0)
        case .lastColumn: moveColumn(&state, to: lastColumn)
        case .sort: cycleSort(&state, column: ColumnID.scrollable[state.columnCursor])
        case .findLevel:
            guard !state.table.isEmpty else { state.message = StatusMessage("no levels to search"); break }
            state.overlay = .levelSearch(.digits())
        case .filterPanes:
            return openPane(&state, Dimension.allCases[0])
        case .filterPane(let dimension):
            return openPane(&state, dimension)
        case .clearFilters:
            guard !state.filters.isEmpty else { state.message = StatusMessage("no filters to clear"); break }
            state.filters = FunnelFilters()
            state.message = StatusMessage("filters cleared")
            return loadView(&state)
        case .dateRange:
            guard state.currentGame != nil else { state.message = StatusMessage("no game loaded yet"); break }
            state.overlay = .dateRange(RangePicker(selecting: state.rangePreset))
        case .gameSelector:
            guard state.games.count > 1 else {
                state.message = StatusMessage(state.games.isEmpty ? "no games in this database"
                                              : "only one game in this database: \(state.games[0].id)")
                break
            }
            state.overlay = .gameSelector(cursor: state.games.firstIndex { $0.id == state.game } ?? 0)
        case .toggleRaw:
            return toggleRaw(&state)
        case .cancel:
            if state.isRawRunning {
                state.message = StatusMessage("cancelling the raw query…")
                return [.cancelSlowWork]
            }
        case .reload:
            guard let game = state.game else { return [.loadGames, .loadPermissions] }
            return [.loadGames, .loadDimensions(game: game), .loadDataAsOf(game: game)] + loadView(&state)
        case .nextTheme: cycleTheme(&state, by: 1)
        case .previousTheme: cycleTheme(&state, by: -1)
        case .export:
            return export(&state)
        case .admin:
            state.overlay = .admin(AdminMenuState())
            if state.access == nil { return [.loadPermissions] }
        case .help:
            state.overlay = .help(scroll: 0)
        case .quit:
            state.shouldQuit = true
        case .compare:
            return openComparePicker(&state)
        case .trend:
            return openTrendFromTable(&state)
        case .breakdown:
            guard state.query != nil else { state.message = StatusMessage("no view to break down yet"); break }
            state.overlay = .breakdownPicker(cursor: 0)
        case .spikes:
            return openSpikes(&state)
        case .saveView:
            return openSaveView(&state)
        case .openView:
            return openSavedViews(&state)
        }
        return []
    }

    // MARK: Moving

    static func moveRow(_ state: inout DashboardState, to row: Int) {
        state.rowCursor = max(0, min(row, state.table.rowCount - 1))
        keepCursorVisible(&state)
    }

    static func moveColumn(_ state: inout DashboardState, to column: Int) {
        state.columnCursor = max(0, min(column, ColumnID.scrollable.count - 1))
        state.firstColumn = TableLayout.firstColumn(keeping: state.columnCursor, from: state.firstColumn,
                                                    table: state.table, width: state.size.width)
    }

    static func keepCursorVisible(_ state: inout DashboardState) {
        let page = max(1, state.bodyHeight)
        if state.rowCursor < state.topRow { state.topRow = state.rowCursor }
        if state.rowCursor >= state.topRow + page { state.topRow = state.rowCursor - page + 1 }
        state.topRow = max(0, min(state.topRow, max(0, state.table.rowCount - page)))
    }

    /// Brings cursors and scroll offsets back in range after the table or the size changed.
    static func clampView(_ state: inout DashboardState) {
        state.rowCursor = max(0, min(state.rowCursor, state.table.rowCount - 1))
        keepCursorVisible(&state)
        moveColumn(&state, to: state.columnCursor)
    }

    // MARK: Sorting

    /// Descending first (the worst churn on top), then ascending, then back to level order.
    static func cycleSort(_ state: inout DashboardState, column: ColumnID) {
        let keepLevel = state.table.isEmpty ? nil : state.table.levelId(row: state.rowCursor)
        if let sort = state.sort, sort.column == column {
            state.sort = sort.descending ? TableSort(column: column, descending: false) : nil
        } else {
            state.sort = TableSort(column: column, descending: true)
        }
        state.table.applySort(state.sort)
        if let sort = state.sort {
            state.message = StatusMessage("sorted by \(column.fullName) \(sort.descending ? "▼ descending" : "▲ ascending")")
        } else {
            state.message = StatusMessage("level order")
        }
        if let keepLevel, let row = state.table.row(ofLevel: keepLevel) { state.rowCursor = row }
        keepCursorVisible(&state)
    }

    // MARK: Themes

    static func cycleTheme(_ state: inout DashboardState, by step: Int) {
        guard state.themes.count > 1 else {
            state.message = StatusMessage(state.options.noColor ? "NO_COLOR is set: colours are off (mono)"
                                          : "only one theme available")
            return
        }
        state.themeIndex = (state.themeIndex + step + state.themes.count) % state.themes.count
        state.message = DashboardState.diagnosticsMessage(for: state.theme)
            ?? StatusMessage("theme: \(state.theme.name)")
    }

    // MARK: Loading

    /// Sends the funnel query for the current selection; an unanswered raw query is cancelled first.
    static func loadView(_ state: inout DashboardState) -> [Effect] {
        guard let query = state.query else { return [] }
        var effects: [Effect] = []
        if state.isRawRunning { effects.append(.cancelSlowWork) }
        let request = state.nextRequest
        state.nextRequest += 1
        state.pending = PendingLoad(request: request, query: query, source: state.source)
        effects.append(.loadFunnel(query, source: state.source, request: request))
        return effects
    }

    static func toggleRaw(_ state: inout DashboardState) -> [Effect] {
        guard state.query != nil else { return [] }
        if state.source == .fast, let refusal = state.access?.eventsRefusal("the raw path") {
            state.message = StatusMessage("\(refusal)", isError: true)
            return []
        }
        if state.source == .fast {
            state.source = .raw
            state.message = StatusMessage("raw path: querying events directly (Esc cancels)")
            return loadView(&state)
        }
        state.source = .fast
        let showingFast = state.result?.source == .fast && state.result?.query == state.query
        if showingFast {
            // The fast answer is already on screen: only stop the raw query.
            var effects: [Effect] = []
            if state.isRawRunning { effects.append(.cancelSlowWork) }
            state.pending = nil
            state.message = StatusMessage("fast path")
            return effects
        }
        state.message = StatusMessage("fast path")
        return loadView(&state)
    }

    /// Switches to `id`: whole history, no filters, fresh dimensions.
    static func selectGame(_ state: inout DashboardState, _ id: String) -> [Effect] {
        guard let game = state.games.first(where: { $0.id == id }) else { return [] }
        state.game = id
        state.views = []
        state.rangePreset = .wholeHistory
        state.range = game.history
        state.filters = FunnelFilters()
        state.dimensions = nil
        state.dataAsOf = nil
        state.result = nil
        state.table = TableModel(levels: [], sort: state.sort)
        state.rowCursor = 0
        state.topRow = 0
        // The funnel first: the quick lane is serial, and the table is what the user waits for.
        return loadView(&state) + [.loadDimensions(game: id), .loadDataAsOf(game: id)]
    }

    static func openPane(_ state: inout DashboardState, _ dimension: Dimension) -> [Effect] {
        guard state.game != nil else { state.message = StatusMessage("no game loaded yet"); return [] }
        var target = dimension
        if dimension == .funnelVersion && state.filters.funnel == nil {
            state.message = StatusMessage("choose a funnel first: its versions follow")
            target = .funnel
        }
        state.overlay = .filter(.opening(target, dimensions: state.dimensions, filters: state.filters))
        return state.dimensions == nil ? [.loadDimensions(game: state.game!)] : []
    }

    static func export(_ state: inout DashboardState) -> [Effect] {
        guard let contents = CSVExport.render(state) else {
            state.message = StatusMessage("nothing to export yet", isError: true)
            return []
        }
        state.message = StatusMessage("exporting…")
        return [.exportCSV(fileName: CSVExport.fileName(state), contents: contents)]
    }
}
