import LevelFunnelCore

extension DashboardReducer {
    /// Rows of a view's grid that fit: everything but title, info line, two header lines, detail line, status bar
    /// and key bar.
    static func viewBodyHeight(_ size: TerminalSize) -> Int { max(1, size.height - 7) }

    static func takeRequest(_ state: inout DashboardState) -> Int {
        defer { state.nextRequest += 1 }
        return state.nextRequest
    }

    // MARK: Opening

    static func openComparePicker(_ state: inout DashboardState) -> [Effect] {
        guard let game = state.game, state.query != nil else { state.message = StatusMessage("no view to compare yet"); return [] }
        state.overlay = .comparePicker(cursor: 0)
        return state.dimensions == nil ? [.loadDimensions(game: game)] : []
    }

    static func startCompare(_ preset: ComparePreset, _ state: inout DashboardState) -> [Effect] {
        guard let query = state.query else { return [] }
        if preset == .previousFunnelVersion && state.dimensions == nil {
            // The versions come with the game's values: compare once they are here.
            state.pendingCompare = preset
            state.message = StatusMessage("loading the funnel's versions…")
            return []
        }
        let plan: ComparePlan
        do { plan = try preset.plan(for: query, dimensions: state.dimensions) } catch {
            state.message = StatusMessage(String(describing: error), isError: true)
            return []
        }
        let request = takeRequest(&state)
        state.views.append(.compare(CompareViewState(preset: preset, plan: plan, request: request)))
        state.message = StatusMessage("compare: B \(plan.variantLabel) against A \(plan.baselineLabel)")
        return [.loadCompare(plan, request: request)]
    }

    static func openTrend(_ query: FunnelQuery, level: Int, _ state: inout DashboardState) -> [Effect] {
        let request = takeRequest(&state)
        var view = TrendViewState(query: query, level: level, request: request)
        view.day = max(0, query.range.dayCount - 1)
        state.views.append(.trend(view))
        return [.loadTrend(query, request: request)]
    }

    static func startBreakdown(_ dimension: Dimension, _ state: inout DashboardState) -> [Effect] {
        guard let query = state.query else { return [] }
        let request = takeRequest(&state)
        state.views.append(.breakdown(BreakdownViewState(query: query, dimension: dimension, top: BreakdownViewState.defaultTop,
                                                         request: request)))
        return [.loadBreakdown(query, dimension, top: BreakdownViewState.defaultTop, request: request)]
    }

    static func openSpikes(_ state: inout DashboardState) -> [Effect] {
        guard let result = state.result, !result.levels.isEmpty, state.pending == nil else {
            state.message = StatusMessage(state.pending != nil ? "wait for the table to load" : "no levels to rank")
            return []
        }
        state.views.append(.spikes(SpikesViewState(result: result, ranking: SpikeRanking.rank(result.levels))))
        return []
    }

    /// Enter on the table: the trend of the level under the cursor, for the current selection.
    static func openTrendFromTable(_ state: inout DashboardState) -> [Effect] {
        guard let query = state.query, !state.table.isEmpty else { state.message = StatusMessage("no level to show"); return [] }
        return openTrend(query, level: state.table.levelId(row: state.rowCursor), &state)
    }

    // MARK: Pickers

    static func handleComparePickerKey(_ state: inout DashboardState, _ key: Key, cursor: Int) -> [Effect] {
        let choices = CompareChoices.list(state)
        let last = max(0, choices.count - 1)
        switch key {
        case .up, .char("k"): state.overlay = .comparePicker(cursor: max(0, cursor - 1))
        case .down, .char("j"): state.overlay = .comparePicker(cursor: min(last, cursor + 1))
        case .home, .char("g"): state.overlay = .comparePicker(cursor: 0)
        case .end, .char("G"): state.overlay = .comparePicker(cursor: last)
        case .enter, .space:
            state.overlay = .none
            guard choices.indices.contains(cursor) else { return [] }
            return startCompare(choices[cursor], &state)
        case .escape, .char("q"), .char("C"): state.overlay = .none
        default: break
        }
        return []
    }

    static func handleBreakdownPickerKey(_ state: inout DashboardState, _ key: Key, cursor: Int) -> [Effect] {
        let last = Dimension.allCases.count - 1
        switch key {
        case .up, .char("k"): state.overlay = .breakdownPicker(cursor: max(0, cursor - 1))
        case .down, .char("j"): state.overlay = .breakdownPicker(cursor: min(last, cursor + 1))
        case .enter, .space:
            state.overlay = .none
            return startBreakdown(Dimension.allCases[cursor], &state)
        case .escape, .char("q"), .char("B"): state.overlay = .none
        case .char(let c):
            if let dimension = Dimension.allCases.first(where: { $0.key == .char(c) }) {
                state.overlay = .none
                return startBreakdown(dimension, &state)
            }
        default: break
        }
        return []
    }

    // MARK: Keys in a view

    /// Keys in a compare, trend, breakdown or spikes view: those every view shares first, then the view's own.
    static func handleViewKey(_ state: inout DashboardState, _ key: Key) -> [Effect] {
        guard let view = state.views.last else { return [] }
        if let effects = handleViewCommonKey(&state, key, view: view) { return effects }
        return handleViewCursorKey(&state, key, view: view)
    }

    /// Back, help, quit, themes, level search, saved views; nil for any other key.
    private static func handleViewCommonKey(_ state: inout DashboardState, _ key: Key, view: AnalysisView) -> [Effect]? {
        switch key {
        case .escape, .char("q"), .backspace:
            state.views.removeLast()
            // A trend still loading is stopped, so that it does not hold up the table's next query.
            if case .trend(let trend) = view, trend.series == nil, trend.error == nil {
                state.message = StatusMessage("trend cancelled")
                return [.cancelTrend(request: trend.request)]
            }
            return []
        case .char("?"), .function(1):
            state.overlay = .help(scroll: 0)
            return []
        case .function(10):
            state.shouldQuit = true
            return []
        case .char("t"), .function(9): cycleTheme(&state, by: 1); return []
        case .char("T"): cycleTheme(&state, by: -1); return []
        case .char("/"), .function(3):
            if case .trend = view { return [] }
            state.overlay = .levelSearch(.digits())
            return []
        case .char("w"): return openSaveView(&state)
        case .char("W"): return openSavedViews(&state)
        default: return nil
        }
    }

    /// Enter opens the trend of the level (and group) under the cursor; other keys move the view's cursor.
    private static func handleViewCursorKey(_ state: inout DashboardState, _ key: Key, view: AnalysisView) -> [Effect] {
        var view = view
        let page = viewBodyHeight(state.size)
        switch view {
        case .compare(var v):
            if key == .enter, let level = v.result?.levels[safe: v.grid.row] {
                return openTrend(v.plan.variant, level: level.levelId, &state)
            }
            moveGrid(&v.grid, key, rows: v.result?.levels.count ?? 0, groups: CompareViewState.columns.count, page: page)
            view = .compare(v)
        case .breakdown(var v):
            if key == .enter, let result = v.result, let level = result.levelIds[safe: v.grid.row] {
                // The trend of the group under the cursor (a value), or of the whole selection.
                var query = result.query
                if case .value(let value) = result.groups[safe: v.grid.column + 1]?.kind { query.filters[v.dimension] = value }
                return openTrend(query, level: level, &state)
            }
            moveGrid(&v.grid, key, rows: v.result?.levelIds.count ?? 0, groups: max(1, (v.result?.groups.count ?? 1) - 1),
                     page: page)
            view = .breakdown(v)
        case .spikes(var v):
            if key == .enter, let entry = v.ranking[safe: v.grid.row] {
                return openTrend(v.result.query, level: entry.levelId, &state)
            }
            moveGrid(&v.grid, key, rows: v.ranking.count, groups: SpikeRanking.fields.count, page: page)
            view = .spikes(v)
        case .trend(var v):
            moveTrendDay(&v, key)
            view = .trend(v)
        }
        state.views[state.views.count - 1] = view
        return []
    }

    /// A view's cursor moved by `key` over `rows` levels and `groups` column groups, kept on the page.
    private static func moveGrid(_ grid: inout GridPosition, _ key: Key, rows: Int, groups: Int, page: Int) {
        switch key {
        case .up, .char("k"): grid.row -= 1
        case .down, .char("j"): grid.row += 1
        case .pageUp, .ctrl("b"): grid.row -= page; grid.top -= page
        case .pageDown, .ctrl("f"): grid.row += page; grid.top += page
        case .char("g"): grid.row = 0
        case .char("G"): grid.row = rows - 1
        case .left, .char("h"): grid.column -= 1
        case .right, .char("l"): grid.column += 1
        case .home, .char("0"): grid.column = 0
        case .end, .char("$"): grid.column = groups - 1
        default: return
        }
        grid.row = max(0, min(grid.row, rows - 1))
        grid.column = max(0, min(grid.column, groups - 1))
        if grid.row < grid.top { grid.top = grid.row }
        if grid.row >= grid.top + page { grid.top = grid.row - page + 1 }
        grid.top = max(0, min(grid.top, max(0, rows - page)))
    }

    /// A trend's day cursor: a day, a week, the first or last day.
    private static func moveTrendDay(_ trend: inout TrendViewState, _ key: Key) {
        let days = trend.query.range.dayCount
        switch key {
        case .left, .char("h"): trend.day -= 1
        case .right, .char("l"): trend.day += 1
        case .home, .char("0"), .char("g"): trend.day = 0
        case .end, .char("$"), .char("G"): trend.day = days - 1
        case .pageUp: trend.day -= 7
        case .pageDown: trend.day += 7
        default: break
        }
        trend.day = max(0, min(trend.day, days - 1))
    }

    /// `/` in a compare, breakdown or spikes view: the cursor to `level` (or the first level above it).
    static func jumpInView(_ state: inout DashboardState, to level: Int) {
        guard var view = state.views.last else { return }
        let page = viewBodyHeight(state.size)
        func jump(_ grid: inout GridPosition, _ ids: [Int]) {
            let row = ids.firstIndex(of: level) ?? ids.enumerated().filter { $0.element > level }.min { $0.element < $1.element }?.offset
            guard let row else { state.message = StatusMessage("no level \(level) or above", isError: true); return }
            if ids[row] != level { state.message = StatusMessage("no level \(level); showing level \(ids[row])") }
            grid.row = row
            if row < grid.top || row >= grid.top + page { grid.top = max(0, min(row - page / 2, ids.count - page)) }
        }
        switch view {
        case .compare(var v): jump(&v.grid, v.result?.levels.map(\.levelId) ?? []); view = .compare(v)
        case .breakdown(var v): jump(&v.grid, v.result?.levelIds ?? []); view = .breakdown(v)
        case .spikes(var v): jump(&v.grid, v.ranking.map(\.levelId)); view = .spikes(v)
        case .trend: return
        }
        state.views[state.views.count - 1] = view
    }

    // MARK: Answers

    static func handleViewAnswer(_ state: inout DashboardState, _ answer: BackendEvent) {
        for index in state.views.indices {
            switch (state.views[index], answer) {
            case (.compare(var v), .compared(let request, let result)) where v.request == request:
                switch result {
                case .success(let compare): v.result = compare
                case .failure(let failure): v.error = failure.message
                }
                state.views[index] = .compare(v)
            case (.trend(var v), .trend(let request, let result)) where v.request == request:
                switch result {
                case .success(let series): v.series = series
                case .failure(let failure): v.error = failure.message
                }
                state.views[index] = .trend(v)
            case (.breakdown(var v), .breakdown(let request, let result)) where v.request == request:
                switch result {
                case .success(let breakdown): v.result = breakdown
                case .failure(let failure): v.error = failure.message
                }
                state.views[index] = .breakdown(v)
            default:
                break
            }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
