import LevelFunnelCore

/// `bench --game`: the fast path against the raw path on an existing game, selection by selection (read-only).
public struct GameBench {
    public let store: LevelFunnelStore
    public let game: GameInfo
    public let runs: Int

    /// A selection's median `queryMs` on each path.
    public struct Medians: Sendable {
        public var fastMs: Double
        public var rawMs: Double
    }

    public init(store: LevelFunnelStore, game: String, runs: Int) throws {
        try store.requireSchema()
        self.store = store
        self.game = try store.game(game)
        self.runs = runs
    }

    /// Whole history, last 30 and 7 days, last day; then the history with one and with three filters (the game's
    /// first platform, country and last app version), when it has them.
    public func selections() throws -> [(label: String, query: FunnelQuery)] {
        let dims = try store.dimensions(game: game.id)
        let id = game.id, last = game.lastDay
        func range(_ days: Int) throws -> DayRange { try DayRange(from: max(game.firstDay, last.adding(days: 1 - days)), to: last) }
        var selections: [(String, FunnelQuery)] = [
            ("whole history", FunnelQuery(game: id, range: game.history)),
            ("last 30 days", FunnelQuery(game: id, range: try range(30))),
            ("last 7 days", FunnelQuery(game: id, range: try range(7))),
            ("last day", FunnelQuery(game: id, range: .single(last))),
        ]
        if let platform = dims.values[.platform]?.first {
            selections.append(("history, platform", FunnelQuery(game: id, range: game.history, filters: FunnelFilters(platform: platform))))
            if let country = dims.values[.country]?.first, let version = dims.values[.appVersion]?.last {
                selections.append(("history, 3 filters", FunnelQuery(game: id, range: game.history,
                    filters: FunnelFilters(platform: platform, country: country, appVersion: version))))
            }
        }
        return selections
    }

    /// Both paths `runs` times, interleaved; the median of each.
    public func medians(_ query: FunnelQuery) throws -> Medians {
        var fast: [Double] = [], raw: [Double] = []
        for _ in 0..<runs {
            fast.append(try store.funnel(query, source: .fast).queryMs)
            raw.append(try store.funnel(query, source: .raw).queryMs)
        }
        return Medians(fastMs: BenchFigures.percentile(fast, 0.5), rawMs: BenchFigures.percentile(raw, 0.5))
    }
}
