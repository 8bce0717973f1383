import LevelFunnelCore

/// Keys in the admin menu and the windows it opens: backfill (setup, confirmation, progress), verify, status.
extension DashboardReducer {
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

    static func handleBackfillSetupKey(_ state: inout DashboardState, _ key: Key, setup: BackfillSetup) -> [Effect] {
        var setup = setup
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
        return []
    }

    static func handleBackfillConfirmKey(_ state: inout DashboardState, _ key: Key, confirm: BackfillConfirm) -> [Effect] {
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
        return []
    }

    /// While it runs, Esc cancels the backfill; once it is finished, any of Enter, Esc, q and Space closes it.
    static func handleBackfillProgressKey(_ state: inout DashboardState, _ key: Key,
                                          progress: BackfillProgressState) -> [Effect] {
        var progress = progress
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
        return []
    }

    static func handleVerifyKey(_ state: inout DashboardState, _ key: Key, view: VerifyViewState) -> [Effect] {
        var view = view
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
        return []
    }

    static func handleAggregationStatusKey(_ state: inout DashboardState, _ key: Key,
                                           view: AggregationStatusView) -> [Effect] {
        var view = view
        switch key {
        case .escape, .char("q"), .enter: state.overlay = .none
        case .up, .char("k"): view.scroll = max(0, view.scroll - 1); state.overlay = .aggregationStatus(view)
        case .down, .char("j"): view.scroll += 1; state.overlay = .aggregationStatus(view)
        case .char("r"), .function(5):
            state.overlay = .aggregationStatus(AggregationStatusView())
            return [.loadAggregationStatus]
        default: break
        }
        return []
    }
}
