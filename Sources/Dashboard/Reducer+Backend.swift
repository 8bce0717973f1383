import LevelFunnelCore

extension DashboardReducer {
    /// Answers from the database, each to the handler of its kind.
    static func handleBackend(_ state: inout DashboardState, _ answer: BackendEvent) -> [Effect] {
        switch answer {
        case .games(.success(let games)):
            return gamesLoaded(games, &state)
        case .games(.failure(let failure)):
            state.gamesLoaded = true
            state.lastError = "cannot list games: \(failure.message)"
            return []
        case .permissions(let result):
            // A failed check counts as no rights: the items say so rather than failing halfway.
            state.access = (try? result.get()) ?? .readerOnly
            return []
        case .dimensions(let game, let result):
            guard game == state.game else { return [] }
            return dimensionsLoaded(result, &state)
        case .funnel(let request, let result):
            guard state.pending?.request == request else { return [] } // superseded
            state.pending = nil
            return funnelAnswered(result, &state)
        case .dataAsOf(let game, let result):
            guard game == state.game else { return [] }
            if case .success(let date) = result { state.dataAsOf = .some(date) }
            return []
        case .backfillProgress(let job, let info):
            if case .backfillProgress(var progress) = state.overlay, progress.job == job {
                progress.progress = info
                state.overlay = .backfillProgress(progress)
            }
            return []
        case .backfillFinished(let job, let result):
            return backfillFinished(job, result, &state)
        case .refreshed(let result):
            return refreshed(result, &state)
        case .verified(let result):
            verified(result, &state)
            return []
        case .aggregationStatus(let result):
            aggregationStatusLoaded(result, &state)
            return []
        case .compared, .trend, .breakdown:
            handleViewAnswer(&state, answer)
            return []
        case .savedViews(let result):
            savedViewsLoaded(result, &state)
            return []
        case .viewSaved(let name, let result):
            switch result {
            case .success(let path): state.message = StatusMessage("saved view '\(name)' in \(path)")
            case .failure(let failure): state.message = StatusMessage("cannot save the view: \(failure.message)", isError: true)
            }
            return []
        case .exported(let result):
            switch result {
            case .success(let path): state.message = StatusMessage("exported \(state.table.rowCount) levels to \(path)")
            case .failure(let failure): state.message = StatusMessage("export failed: \(failure.message)", isError: true)
            }
            return []
        }
    }

    /// The game list: keeps the game shown when it is still there, else picks one (the one asked for, or the one with
    /// the most events) and opens it, or the saved view asked for on the command line.
    private static func gamesLoaded(_ games: [GameInfo], _ state: inout DashboardState) -> [Effect] {
        state.games = games
        state.gamesLoaded = true
        if let current = state.game, games.contains(where: { $0.id == current }) { return [] }
        guard !games.isEmpty else {
            state.game = nil
            state.message = StatusMessage("no games in this database: load events or run the generator", isError: true)
            return []
        }
        // Default: the game with the most events when known, else the first by id.
        var pick = games.max { ($0.aggregatedLevelEvents ?? 0) < ($1.aggregatedLevelEvents ?? 0) }.map(\.id) ?? games[0].id
        if games.allSatisfy({ $0.aggregatedLevelEvents == nil }) { pick = games[0].id }
        if let wanted = state.options.game {
            if games.contains(where: { $0.id == wanted }) {
                pick = wanted
            } else if state.game == nil {
                state.message = StatusMessage("unknown game '\(wanted)'; showing \(pick)", isError: true)
            }
        }
        if let view = state.options.view, state.game == nil, view.game == pick {
            return applySavedView(view, name: state.options.viewName ?? "", &state)
        }
        return selectGame(&state, pick)
    }

    /// The shown game's filter values; a compare asked for before they came starts now.
    private static func dimensionsLoaded(_ result: Result<GameDimensions, BackendFailure>,
                                         _ state: inout DashboardState) -> [Effect] {
        switch result {
        case .success(let dimensions):
            state.dimensions = dimensions
            if let preset = state.pendingCompare {
                state.pendingCompare = nil
                return startCompare(preset, &state)
            }
        case .failure(let failure): state.message = StatusMessage("cannot load filter values: \(failure.message)", isError: true)
        }
        return []
    }

    /// The table's funnel (the request still pending): the cursor stays on its level; a cancelled raw query goes
    /// back to the fast path.
    private static func funnelAnswered(_ result: Result<FunnelResult, BackendFailure>,
                                       _ state: inout DashboardState) -> [Effect] {
        switch result {
        case .success(let funnel):
            let keepLevel = state.table.isEmpty ? nil : state.table.levelId(row: state.rowCursor)
            state.result = funnel
            state.table = TableModel(levels: funnel.levels, sort: state.sort)
            state.lastError = nil
            if let keepLevel, let row = state.table.row(ofLevel: keepLevel) { state.rowCursor = row }
            clampView(&state)
            return []
        case .failure(let failure) where failure.cancelled:
            state.source = .fast
            state.message = StatusMessage("raw query cancelled: back on the fast path")
            let showingFast = state.result?.source == .fast && state.result?.query == state.query
            return showingFast ? [] : loadView(&state)
        case .failure(let failure):
            state.lastError = failure.message
            return []
        }
    }

    /// A backfill's end: in its progress window when it is still open, else in the status bar (and the data reloaded).
    private static func backfillFinished(_ job: Int, _ result: Result<BackfillSummary, BackendFailure>,
                                         _ state: inout DashboardState) -> [Effect] {
        guard case .backfillProgress(var progress) = state.overlay, progress.job == job else {
            state.message = StatusMessage(resultLine(result))
            return afterDataChange(&state)
        }
        switch result {
        case .success(let outcome): progress.outcome = outcome
        case .failure(let failure):
            progress.error = failure.cancelled
                ? "cancelled after \(progress.progress?.daysDone ?? 0) of \(progress.range.dayCount) days"
                : failure.message
        }
        state.overlay = .backfillProgress(progress)
        return []
    }

    private static func refreshed(_ result: Result<String, BackendFailure>, _ state: inout DashboardState) -> [Effect] {
        if case .admin(var menu) = state.overlay {
            menu.refreshing = false
            state.overlay = .admin(menu)
        }
        switch result {
        case .success(let summary): state.message = StatusMessage("refreshed: \(summary)")
        case .failure(let failure):
            state.message = StatusMessage(failure.cancelled ? "refresh cancelled" : "refresh failed: \(failure.message)",
                                          isError: !failure.cancelled)
        }
        return afterDataChange(&state)
    }

    /// Verify's outcome, into its window when still open and for the same query.
    private static func verified(_ result: Result<VerifyReport, BackendFailure>, _ state: inout DashboardState) {
        guard case .verify(var view) = state.overlay else { return }
        switch result {
        case .success(let outcome) where outcome.query == view.query: view.outcome = outcome
        case .success: return
        case .failure(let failure): view.error = failure.cancelled ? "cancelled" : failure.message
        }
        state.overlay = .verify(view)
    }

    private static func aggregationStatusLoaded(_ result: Result<[AggregationStatus], BackendFailure>,
                                                _ state: inout DashboardState) {
        guard case .aggregationStatus(var view) = state.overlay else { return }
        switch result {
        case .success(let rows): view.rows = rows
        case .failure(let failure): view.error = failure.message
        }
        state.overlay = .aggregationStatus(view)
    }

    /// The saved views, listed in the open-view dialog when it is still open.
    private static func savedViewsLoaded(_ result: Result<[String: SavedView], BackendFailure>,
                                         _ state: inout DashboardState) {
        guard case .openView = state.overlay else { return }
        switch result {
        case .success(let views):
            state.savedViews = views
            state.overlay = .openView(names: views.keys.sorted(), cursor: 0)
        case .failure(let failure):
            state.overlay = .none
            state.message = StatusMessage("cannot read saved views: \(failure.message)", isError: true)
        }
    }

    private static func resultLine(_ result: Result<BackfillSummary, BackendFailure>) -> String {
        switch result {
        case .success(let o): return "backfill of \(o.game) done: \(o.daysDone) days, \(Format.count(o.events)) events"
        case .failure(let f): return "backfill: \(f.message)"
        }
    }
}
