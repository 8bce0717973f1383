import Foundation
import LevelFunnelCore

/// One scale of `bench --morning` (issue 18): the fast path in the ordinary state of a working day, next to the
/// fully aggregated state, measured side by side in one process.
///
/// The game `morning<N>` (5,000 × N players, seed 7) gets a history of `days` days ending yesterday, backfilled
/// up to yesterday: the night. Then the morning arrives through the generator's own COPY: today's events until
/// now (the same history going on: generated with the next day and stopped at midnight, then written from today
/// with the time of generation now) and a week of late events (the players of another history of the game, one
/// in 200, so 0.5% of each of the last 7 days' volume, all received now; players of their own, not seen at night,
/// as when phones were offline). Measured in the night, the morning and
/// after `refresh` (which applies the morning's changes): six selections, fast and raw; then the refresh itself,
/// and what the user triggers on `events` (the change capture) cost a COPY.
public struct MorningBench {
    public let store: LevelFunnelStore
    public let scale: Int
    public let days: Int
    public let runs: Int
    /// Events of the COPY that measures the change capture.
    public let captureEvents: Int
    /// Today's events stop at this many seconds after midnight (UTC), or now if earlier; nil: now.
    public let todayUntil: Int?
    /// Measures `levelfunnel query` as new processes after the refresh; nil: not measured.
    public var freshProcess: FreshProcessQuery?

    public init(store: LevelFunnelStore, scale: Int, days: Int, runs: Int, captureEvents: Int, todayUntil: Int?) {
        self.store = store
        self.scale = scale
        self.days = days
        self.runs = runs
        self.captureEvents = captureEvents
        self.todayUntil = todayUntil
    }

    /// The late events come from a history of one player in this many.
    public static let latePlayersDivisor = 200
    public static let lateDays = 7

    /// The figures of one state.
    public struct State: Codable, Sendable {
        /// Over every fast run of every selection.
        public var fastP50Ms: Double
        public var fastP95Ms: Double
        public var fastMaxMs: Double
        /// The raw path's median per selection: the cheapest and the dearest selection.
        public var rawMinMs: Double
        public var rawMaxMs: Double
        /// Raw answers compared field by field with the fast answer of their run, and how many differed.
        public var compared: Int
        public var differed: Int
        /// The fast path's coverage of the 30 days without filter.
        public var coverage: String
        public var aggregatedDays: Int
        public var liveDays: Int
    }

    /// COPY of the same events without and with the user triggers on `events`.
    public struct Capture: Codable, Sendable {
        /// The user triggers on `events` (levelfunnel's change capture once installed); none: nothing measured.
        public var triggers: [String]
        public var events: Int?
        /// Medians, seconds.
        public var withoutTriggersSeconds: Double?
        public var withTriggersSeconds: Double?
        /// What the triggers add to the COPY, in percent of it without them.
        public var overheadPercent: Double?
    }

    public struct Result: Codable, Sendable {
        public var scale: Int
        public var game: String
        public var players: Int
        public var from: Day
        public var to: Day
        /// The history's level events.
        public var levelEvents: Int
        public var generateEventsPerSecond: Double
        public var backfillSeconds: Double
        /// Today's level events until `todayUntil` (UTC), and their share of an average day of the history.
        public var todayLevelEvents: Int
        public var todayUntil: String
        public var todayShareOfDay: Double
        public var lateLevelEvents: Int
        public var selections: Int
        public var fastRuns: Int
        public var rawRuns: Int
        public var night: State
        public var morning: State
        public var afterRefresh: State
        /// `refresh` of the game in the morning: the changes it applied as deltas, and the days it re-aggregated
        /// (today, never aggregated before; and days whose additive dimensions changed).
        public var refreshSeconds: Double
        public var refreshDays: Int
        public var refreshApplied: AppliedChanges
        /// A minute later: one minute of events arrived (today's and late ones, at the morning's rates), pending.
        public var minuteLevelEvents: Int
        public var minute: State
        /// Applying that minute (`refresh`, as `schedule` does every minute).
        public var applyMinuteSeconds: Double
        /// New `levelfunnel query` processes over the last 7 days up to yesterday, after the refresh (aggregated).
        public var freshProcess: FreshProcessQuery.Figures?
        public var capture: Capture
        /// Every raw answer equal to the fast one, in every state.
        public var exact: Bool
    }

    public func run(log: (String) -> Void) throws -> Result {
        let game = BenchGames.morningGame(scale)
        if (try? store.game(game)) != nil {
            throw LevelFunnelError.invalidInput("""
                game '\(game)' is here already, with the morning an earlier run added: bench --morning needs a database \
                without it (make morning recreates its own)
                """)
        }
        let today = Day.today
        let from = today.adding(days: -days), yesterday = today.adding(days: -1)
        let players = BenchGames.players(scale: scale)
        let loader = EventLoader(store: store)
        var history = GeneratorConfig(game: game, players: players, days: days + 1, seed: BenchGames.seed, start: from)
        history.now = today.startDate

        log("\(scale)x: generating \(game) (\(players) players, \(from)..\(yesterday))")
        let generated = try loader.load(history)
        log("\(scale)x: backfilling up to yesterday")
        let backfill = try store.backfill(game: game, range: DayRange(from: from, to: yesterday))
        let selections = try self.selections(game: game, from: from, today: today)
        let rawRuns = BenchFigures.rawRuns(runs, scale: scale)
        log("\(scale)x: night: fast and raw over the selections")
        let night = try state(selections, rawRuns: rawRuns)

        let (todaySoFar, late) = morningArrivals(history, today: today)
        log("\(scale)x: morning: today's events and a week of late events")
        let todayLoaded = try loader.load(todaySoFar, adding: true)
        let lateLoaded = try loader.load(late, adding: true)
        let morning = try state(selections, rawRuns: rawRuns)

        log("\(scale)x: refresh")
        let started = ContinuousClock.now
        // As schedule applies changes between daily runs: without the 02:00 fingerprint check (its own cost).
        let refresh = try store.refresh(game: game, check: .none)
        let refreshSeconds = (ContinuousClock.now - started).seconds
        let afterRefresh = try state(selections, rawRuns: rawRuns)
        let week = FunnelQuery(game: game, range: try DayRange(from: max(from, today.adding(days: -7)), to: yesterday))
        let fresh = try freshProcess?.measure(week, runs: 11)

        let morningMinutes = max(1, Int(todaySoFar.now!.timeIntervalSince(today.startDate)) / 60)
        log("\(scale)x: a minute later: one minute of events pending")
        let minuteEvents = try addMinute(game: game, today: today,
                                         todayEvents: max(1, todayLoaded.stats.levelEvents / morningMinutes),
                                         lateEvents: max(1, lateLoaded.stats.levelEvents / morningMinutes))
        let minute = try state(selections, rawRuns: rawRuns)
        let applyStarted = ContinuousClock.now
        _ = try store.refresh(game: game, check: .none)
        let applyMinuteSeconds = (ContinuousClock.now - applyStarted).seconds

        log("\(scale)x: change capture")
        let capture = try captureCost(game: game, from: from)
        let dayAverage = Double(generated.stats.levelEvents) / Double(days)
        let seconds = Int(todaySoFar.now!.timeIntervalSince(today.startDate))
        return Result(
            scale: scale, game: game, players: players, from: from, to: yesterday, levelEvents: generated.stats.levelEvents,
            generateEventsPerSecond: Double(generated.stats.events) / generated.seconds, backfillSeconds: backfill.seconds,
            todayLevelEvents: todayLoaded.stats.levelEvents, todayUntil: String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60),
            todayShareOfDay: Double(todayLoaded.stats.levelEvents) / max(dayAverage, 1), lateLevelEvents: lateLoaded.stats.levelEvents,
            selections: selections.count, fastRuns: runs, rawRuns: rawRuns, night: night, morning: morning,
            afterRefresh: afterRefresh, refreshSeconds: refreshSeconds, refreshDays: refresh.days.count,
            refreshApplied: refresh.applied, minuteLevelEvents: minuteEvents, minute: minute,
            applyMinuteSeconds: applyMinuteSeconds, freshProcess: fresh, capture: capture,
            exact: [night, morning, afterRefresh, minute].allSatisfy { $0.differed == 0 })
    }

    /// The morning's arrivals: today's events until now (or `todayUntil`), the night's history going on; and a week
    /// of late events, received now, from another history of the game with one player in `latePlayersDivisor`.
    private func morningArrivals(_ history: GeneratorConfig, today: Day) -> (today: GeneratorConfig, late: GeneratorConfig) {
        let now = Date()
        var todaySoFar = history
        todaySoFar.now = todayUntil.map { min(now, today.startDate.addingTimeInterval(Double($0))) } ?? now
        todaySoFar.writeFrom = today
        var late = GeneratorConfig(game: history.game, players: max(1, history.players / Self.latePlayersDivisor), days: days,
                                   seed: BenchGames.seed + 1, start: history.start)
        late.now = now
        late.writeFrom = today.adding(days: -Self.lateDays)
        late.receivedAtNow = true
        // Players not seen at night (their phones were offline), each with their own dimensions.
        late.firstPlayerNumber = history.players + 1
        return (todaySoFar, late)
    }

    /// One minute of arrivals at the morning's rates: `todayEvents` replays of today's level events (the same
    /// players, levels and dimensions, at a time of today) and `lateEvents` of the last week's (on their own days,
    /// as late events arrive), sampled at random and inserted by one statement each, through the capture triggers.
    /// Returns how many level events were added.
    private func addMinute(game: String, today: Day, todayEvents: Int, lateEvents: Int) throws -> Int {
        let copy = """
            INSERT INTO events (game_id, user_id, session_id, event_name, properties, platform, country_code, app_version,
                                level_funnel, level_funnel_version, occurred_at)
            SELECT game_id, user_id, session_id, event_name, properties, platform, country_code, app_version,
                   level_funnel, level_funnel_version, %@
              FROM events
             WHERE id IN (SELECT id FROM level_events
                           WHERE game_id = $1 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
                             AND occurred_at < ($3::date)::timestamp AT TIME ZONE 'UTC'
                           ORDER BY hashint8(id) LIMIT $4)
            """
        try store.db.execute(String(format: copy, "greatest(occurred_at, now() - interval '1 minute')"),
                             [game, today, today.adding(days: 1), todayEvents])
        try store.db.execute(String(format: copy, "occurred_at"),
                             [game, today.adding(days: -Self.lateDays), today, lateEvents])
        return todayEvents + lateEvents
    }

    /// The last 30 and 7 days up to today (from the history's first day on, when it is shorter), each with no
    /// filter, one and three filters (as `bench --scale`'s).
    public func selections(game: String, from: Day, today: Day) throws -> [FunnelQuery] {
        let filters = ScaleBench.filters(try store.dimensions(game: game)).prefix(3)
        let ranges = try [30, 7].map { try DayRange(from: max(from, today.adding(days: 1 - $0)), to: today) }
        return ranges.flatMap { range in filters.map { FunnelQuery(game: game, range: range, filters: $0) } }
    }

    private func state(_ selections: [FunnelQuery], rawRuns: Int) throws -> State {
        let samples = try BenchFigures.sample(store, selections, runs: runs, rawRuns: rawRuns)
        let fast = samples.allFast
        let rawMedians = samples.raw.map { BenchFigures.percentile($0, 0.5) }
        let coverage = samples.firstFast.first?.coverage
        return State(fastP50Ms: BenchFigures.percentile(fast, 0.5), fastP95Ms: BenchFigures.percentile(fast, 0.95),
                     fastMaxMs: fast.max() ?? 0, rawMinMs: rawMedians.min() ?? 0, rawMaxMs: rawMedians.max() ?? 0,
                     compared: samples.compared, differed: samples.differed, coverage: coverage?.summary ?? "-",
                     aggregatedDays: coverage?.aggregated ?? 0, liveDays: coverage?.live ?? 0)
    }

    // MARK: change capture

    /// The same events (another history of the game, its first `captureEvents` rows, generated once into memory so
    /// that only the COPY is timed) copied into `events` without and with its user triggers, alternately, each in
    /// a transaction that is rolled back: the bench's events are left as they were.
    private func captureCost(game: String, from: Day) throws -> Capture {
        let triggers = try store.db.query("""
            SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        guard !triggers.isEmpty else { return Capture(triggers: []) }
        var config = GeneratorConfig(game: game, players: BenchGames.players(scale: scale), days: days + 1,
                                     seed: BenchGames.seed + 2, start: from)
        config.now = Date()
        var chunks: [[UInt8]] = []
        var rows = 0
        struct Enough: Error {}
        do {
            _ = try EventGenerator(config: config).generate { chunk in
                // Chunks end on a row boundary: the last one is cut after the row that makes the count.
                var end = chunk.count
                for index in chunk.indices where chunk[index] == UInt8(ascii: "\n") {
                    rows += 1
                    if rows == captureEvents { end = index + 1; break }
                }
                chunks.append(Array(chunk[..<end]))
                if rows == captureEvents { throw Enough() }
            }
        } catch is Enough {}
        var without: [Double] = [], with: [Double] = []
        for _ in 0..<(scale >= 100 ? 1 : 3) {
            without.append(try copyRolledBack(chunks, triggers: false))
            with.append(try copyRolledBack(chunks, triggers: true))
        }
        let (a, b) = (BenchFigures.percentile(without, 0.5), BenchFigures.percentile(with, 0.5))
        return Capture(triggers: triggers, events: rows, withoutTriggersSeconds: a, withTriggersSeconds: b,
                       overheadPercent: 100 * (b / a - 1))
    }

    /// Seconds of the COPY alone, in `BEGIN; [ALTER TABLE events DISABLE TRIGGER USER;] COPY ...; ROLLBACK`.
    private func copyRolledBack(_ chunks: [[UInt8]], triggers: Bool) throws -> Double {
        struct RollBack: Error {}
        let db = store.db
        var seconds = 0.0
        do {
            try db.transaction {
                if !triggers { try db.execute("ALTER TABLE events DISABLE TRIGGER USER") }
                let started = ContinuousClock.now
                try db.copyIn(EventLoader.copySQL) { write in for chunk in chunks { try write(chunk) } }
                seconds = (ContinuousClock.now - started).seconds
                throw RollBack()
            }
        } catch is RollBack {}
        return seconds
    }
}
