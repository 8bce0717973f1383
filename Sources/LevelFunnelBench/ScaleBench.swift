import LevelFunnelCore

/// One scale of `bench --scale`: generate (or reuse), backfill, measure.
public struct ScaleBench {
    public let store: LevelFunnelStore
    public let scale: Int
    public let days: Int
    public let runs: Int

    public static let start = Day(iso: "2026-01-01")!

    public init(store: LevelFunnelStore, scale: Int, days: Int, runs: Int) {
        self.store = store
        self.scale = scale
        self.days = days
        self.runs = runs
    }

    public struct Result: Codable, Sendable {
        public var scale: Int
        public var game: String
        public var players: Int
        public var days: Int
        public var levelEvents: Int
        /// nil when the game was already there.
        public var generateEventsPerSecond: Double?
        public var backfillSeconds: Double
        public var backfillEventsPerSecond: Double
        /// Level events per second of the raw funnel over the whole history (its median run).
        public var rawScanEventsPerSecond: Double
        public var backfillToRawScan: Double
        /// One day's aggregation (seconds) by day number (1 = the first day).
        public var daySeconds: [String: Double]
        public var dayLevelEvents: [String: Int]
        public var fastP50Ms: Double
        public var fastP95Ms: Double
        public var rawP50Ms: Double
        public var rawP95Ms: Double
        public var selections: Int
        public var eventsMB: Double
        public var aggregatesMB: Double
        public var aggregatesPercent: Double
        public var exact: Bool
    }

    /// The day numbers whose aggregation is timed on its own (those within the history).
    public static let timedDays = [5, 30, 60]

    public func run(log: (String) -> Void) throws -> Result {
        let game = BenchGames.scaleGame(scale)
        let players = BenchGames.players(scale: scale)
        let generated = try generateIfMissing(game, players: players, log: log)
        let info = try store.game(game)
        let backfill = try backfillHistory(info, log: log)
        let (daySeconds, dayEvents) = try timeDays(info)

        log("\(scale)x: fast and raw over the selections")
        let selections = try self.selections(info)
        let samples = try BenchFigures.sample(store, selections, runs: runs, rawRuns: BenchFigures.rawRuns(runs, scale: scale))
        let (fast, raw) = (samples.allFast, samples.allRaw)
        let rawScan = Double(backfill.events) / (BenchFigures.percentile(samples.raw[0], 0.5) / 1000)
        // A reused game's backfill left the rows it replaced on disk: measured as they are, sizes would grow with
        // every run (35% instead of 21% at 1x on the third run).
        log("\(scale)x: compacting the aggregate tables (VACUUM FULL) to measure their live size")
        try store.compactAggregates()
        let sizes = try store.gameSizes(game: game)
        return Result(scale: scale, game: game, players: players, days: info.history.dayCount, levelEvents: backfill.events,
                      generateEventsPerSecond: generated, backfillSeconds: backfill.seconds,
                      backfillEventsPerSecond: backfill.eventsPerSecond, rawScanEventsPerSecond: rawScan,
                      backfillToRawScan: backfill.eventsPerSecond / rawScan, daySeconds: daySeconds, dayLevelEvents: dayEvents,
                      fastP50Ms: BenchFigures.percentile(fast, 0.5), fastP95Ms: BenchFigures.percentile(fast, 0.95),
                      rawP50Ms: BenchFigures.percentile(raw, 0.5), rawP95Ms: BenchFigures.percentile(raw, 0.95), selections: selections.count,
                      eventsMB: Double(sizes.events) / 1_048_576, aggregatesMB: Double(sizes.aggregates) / 1_048_576,
                      aggregatesPercent: 100 * Double(sizes.aggregates) / Double(max(sizes.events, 1)), exact: samples.exact)
    }

    /// Generates the game when the database does not have it yet: its events per second, nil when reused.
    private func generateIfMissing(_ game: String, players: Int, log: (String) -> Void) throws -> Double? {
        guard (try? store.game(game)) == nil else { return nil }
        log("\(scale)x: generating \(game) (\(players) players, \(days) days)")
        let loaded = try EventLoader(store: store).load(GeneratorConfig(game: game, players: players, days: days, seed: BenchGames.seed,
                                                                         start: Self.start))
        return Double(loaded.stats.events) / loaded.seconds
    }

    /// Every day of the history redone, each day's events logged as its pass ends.
    private func backfillHistory(_ info: GameInfo, log: (String) -> Void) throws -> BackfillSummary {
        log("\(scale)x: backfilling \(info.history)")
        var previousEvents = 0
        return try store.backfill(game: info.id, range: info.history, progress: { progress in
            // Days come in passes (several days per transaction): each day's events, and the time elapsed when
            // its pass ended.
            log(String(format: "\(scale)x: %@ %d level events, %.2f s elapsed", progress.day.iso,
                       progress.events - previousEvents, progress.elapsedSeconds))
            previousEvents = progress.events
            return true
        })
    }

    /// One day early and late in the history aggregated again (its events unchanged: later days are not marked
    /// stale): the median seconds and the level events, by `day<N>`.
    private func timeDays(_ info: GameInfo) throws -> ([String: Double], [String: Int]) {
        var daySeconds: [String: Double] = [:], dayEvents: [String: Int] = [:]
        for number in Self.timedDays where number <= info.history.dayCount {
            let day = info.firstDay.adding(days: number - 1)
            var times: [Double] = []
            var events = 0
            for _ in 0..<(scale >= 100 ? 1 : 3) {
                let clock = ContinuousClock.now
                events = try store.aggregate(game: info.id, day: day).levelEvents
                let elapsed = ContinuousClock.now - clock
                times.append(elapsed.seconds)
            }
            daySeconds["day\(number)"] = BenchFigures.percentile(times, 0.5)
            dayEvents["day\(number)"] = events
        }
        return (daySeconds, dayEvents)
    }

    /// Whole history, last 7 days, last day; each with no filter, one filter (platform), three filters (platform,
    /// country, app version) and the drifting dimension alone (app version: players upgrade over time).
    public func selections(_ info: GameInfo) throws -> [FunnelQuery] {
        let ranges = [info.history, try DayRange(from: max(info.firstDay, info.lastDay.adding(days: -6)), to: info.lastDay),
                      DayRange.single(info.lastDay)]
        let filters = Self.filters(try store.dimensions(game: info.id))
        return ranges.flatMap { range in filters.map { FunnelQuery(game: info.id, range: range, filters: $0) } }
    }

    /// No filter, one (platform), three (platform, country, app version), and the drifting app version alone.
    public static func filters(_ dims: GameDimensions) -> [FunnelFilters] {
        let platform = dims.values[.platform]?.first, country = dims.values[.country]?.first
        let version = dims.values[.appVersion]?.sorted().dropLast().last ?? dims.values[.appVersion]?.first
        return [FunnelFilters(), FunnelFilters(platform: platform),
                FunnelFilters(platform: platform, country: country, appVersion: version), FunnelFilters(appVersion: version)]
    }
}
