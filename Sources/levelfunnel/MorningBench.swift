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
struct MorningBench {
    let store: LevelFunnelStore
    let scale: Int
    let days: Int
    let runs: Int
    /// Events of the COPY that measures the change capture.
    let captureEvents: Int
    /// Today's events stop at this many seconds after midnight (UTC), or now if earlier; nil: now.
    let todayUntil: Int?

    /// The late events come from a history of one player in this many.
    static let latePlayersDivisor = 200
    static let lateDays = 7

    /// The figures of one state.
    struct State: Codable {
        /// Over every fast run of every selection.
        var fastP50Ms: Double
        var fastP95Ms: Double
        var fastMaxMs: Double
        /// The raw path's median per selection: the cheapest and the dearest selection.
        var rawMinMs: Double
        var rawMaxMs: Double
        /// Raw answers compared field by field with the fast answer of their run, and how many differed.
        var compared: Int
        var differed: Int
        /// The fast path's coverage of the 30 days without filter.
        var coverage: String
        var aggregatedDays: Int
        var liveDays: Int
    }

    /// COPY of the same events without and with the user triggers on `events`.
    struct Capture: Codable {
        /// The user triggers on `events` (levelfunnel's change capture once installed); none: nothing measured.
        var triggers: [String]
        var events: Int?
        /// Medians, seconds.
        var withoutTriggersSeconds: Double?
        var withTriggersSeconds: Double?
        /// What the triggers add to the COPY, in percent of it without them.
        var overheadPercent: Double?
    }

    struct Result: Codable {
        var scale: Int
        var game: String
        var players: Int
        var from: Day
        var to: Day
        /// The history's level events.
        var levelEvents: Int
        var generateEventsPerSecond: Double
        var backfillSeconds: Double
        /// Today's level events until `todayUntil` (UTC), and their share of an average day of the history.
        var todayLevelEvents: Int
        var todayUntil: String
        var todayShareOfDay: Double
        var lateLevelEvents: Int
        var selections: Int
        var fastRuns: Int
        var rawRuns: Int
        var night: State
        var morning: State
        var afterRefresh: State
        /// `refresh` of the game in the morning: the changes it applied as deltas, and the days it re-aggregated
        /// (today, never aggregated before; and days whose additive dimensions changed).
        var refreshSeconds: Double
        var refreshDays: Int
        var refreshApplied: AppliedChanges
        /// A minute later: one minute of events arrived (today's and late ones, at the morning's rates), pending.
        var minuteLevelEvents: Int
        var minute: State
        /// Applying that minute (`refresh`, as `schedule` does every minute).
        var applyMinuteSeconds: Double
        var capture: Capture
        /// Every raw answer equal to the fast one, in every state.
        var exact: Bool
    }

    func run(log: (String) -> Void) throws -> Result {
        let game = BenchDatabaseOptions.morningGameName(scale: scale)
        if (try? store.game(game)) != nil {
            throw LevelFunnelError.invalidInput("""
                game '\(game)' is here already, with the morning an earlier run added: bench --morning needs a database \
                without it (make morning recreates its own)
                """)
        }
        let today = Day.today
        let from = today.adding(days: -days), yesterday = today.adding(days: -1)
        let players = ScaleBench.players(scale: scale)
        let loader = EventLoader(store: store)
        var history = GeneratorConfig(game: game, players: players, days: days + 1, seed: ScaleBench.seed, start: from)
        history.now = today.startDate

        log("\(scale)x: generating \(game) (\(players) players, \(from)..\(yesterday))")
        let generated = try loader.load(history)
        log("\(scale)x: backfilling up to yesterday")
        let backfill = try store.backfill(game: game, range: DayRange(from: from, to: yesterday))
        let selections = try self.selections(game: game, from: from, today: today)
        let rawRuns = ScaleBench.rawRuns(runs, scale: scale)
        log("\(scale)x: night: fast and raw over the selections")
        let night = try state(selections, rawRuns: rawRuns)

        let now = Date()
        var todaySoFar = history
        todaySoFar.now = todayUntil.map { min(now, today.startDate.addingTimeInterval(Double($0))) } ?? now
        todaySoFar.writeFrom = today
        var late = GeneratorConfig(game: game, players: max(1, players / Self.latePlayersDivisor), days: days,
                                   seed: ScaleBench.seed + 1, start: from)
        late.now = now
        late.writeFrom = today.adding(days: -Self.lateDays)
        late.receivedAtNow = true
        // Players not seen at night (their phones were offline), each with their own dimensions.
        late.firstPlayerNumber = players + 1
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
            applyMinuteSeconds: applyMinuteSeconds, capture: capture,
            exact: [night, morning, afterRefresh, minute].allSatisfy { $0.differed == 0 })
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
    func selections(game: String, from: Day, today: Day) throws -> [FunnelQuery] {
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
        var config = GeneratorConfig(game: game, players: ScaleBench.players(scale: scale), days: days + 1,
                                     seed: ScaleBench.seed + 2, start: from)
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

    // MARK: reports

    static func json(_ results: [Result]) -> String { JSONOutput.encode(results, orEmpty: "[]") }

    static func table(_ results: [Result], database: String) -> String {
        let n = BenchFigures.grouped
        var out = "database \(database); 6 selections: the last 30 and 7 days up to today, with no filter, 1 and 3 filters; "
            + "queryMs in-process\n"
        for r in results {
            out += "\n\(r.scale)x  \(r.game): \(n(Double(r.players), 0)) players, \(r.from)..\(r.to), "
                + "\(n(Double(r.levelEvents), 0)) level events (generated at \(n(r.generateEventsPerSecond, 0)) events/s), "
                + "backfilled in \(n(r.backfillSeconds, 1)) s\n"
            out += "    morning: + \(n(Double(r.todayLevelEvents), 0)) level events of today until \(r.todayUntil) UTC "
                + "(\(n(100 * r.todayShareOfDay, 0))% of a day) + \(n(Double(r.lateLevelEvents), 0)) late ones "
                + "(0.5% of each of the last \(lateDays) days, received now)\n"
            let rows: [(String, State)] = [("night", r.night), ("morning", r.morning), ("after refresh", r.afterRefresh),
                                           ("a minute later", r.minute)]
            let cells = rows.map { name, s in
                [name, n(s.fastP50Ms, 1) + " / " + n(s.fastP95Ms, 1) + " / " + n(s.fastMaxMs, 1),
                 n(s.rawMinMs, 0) + " – " + n(s.rawMaxMs, 0),
                 s.differed == 0 ? "yes (\(s.compared))" : "NO (\(s.differed) of \(s.compared))", s.coverage]
            }
            let header = ["state", "fast p50 / p95 / worst ms", "raw ms", "fast = raw", "coverage (30 days)"]
            let widths = (0..<header.count).map { column in ([header] + cells).map { $0[column].count }.max()! }
            for line in [header] + cells {
                out += "    " + line[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    + (1...3).map { "  " + BenchFigures.pad(line[$0], widths[$0]) }.joined() + "  " + line[4] + "\n"
            }
            let a = r.refreshApplied
            out += "    refresh (applies the morning's changes): \(n(r.refreshSeconds, 2)) s: \(n(Double(a.changes), 0)) changes "
                + "(\(n(Double(a.changedRows), 0)) event rows) applied to \(a.days) days as deltas "
                + "(\(a.rowsUpdated)/\(a.rowsInserted)/\(a.rowsRemoved) cell rows updated/inserted/removed), "
                + "\(r.refreshDays) days re-aggregated (today's first time, and \(a.daysToRebuild) days whose additive dimensions changed)\n"
            out += "    a minute later: \(n(Double(r.minuteLevelEvents), 0)) level events pending (today's and late ones at the "
                + "morning's rates); applying them (refresh, as schedule does every minute): \(n(r.applyMinuteSeconds, 2)) s\n"
            let c = r.capture
            if let overhead = c.overheadPercent, let events = c.events, let without = c.withoutTriggersSeconds,
               let with = c.withTriggersSeconds {
                out += "    change capture: COPY of \(n(Double(events), 0)) events \(n(with, 2)) s with the triggers on events "
                    + "(\(c.triggers.joined(separator: ", "))), \(n(without, 2)) s without: "
                    + (overhead >= 0 ? "+" : "") + n(overhead, 1) + "%\n"
            } else {
                out += "    change capture: no capture trigger installed\n"
            }
        }
        return out
    }
}
