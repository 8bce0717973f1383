import ArgumentParser
import Foundation
import LevelFunnelCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the fast path against the raw path, side by side, in one process; with --scale, the whole pipeline; with --morning, a working day's morning.",
        discussion: """
            With --game: for each selection (whole history, last 30 and 7 days, last day, and one to three \
            filters), runs both paths --runs times, interleaved, and prints the median of each and their ratio, and \
            the size of the aggregate tables against the events table. Read-only.

            With --scale 1,10[,100]: for each scale, the game 'scale<N>' (5,000 x N players, --days days from \
            2026-01-01, seed 7) is generated when the database does not have it yet (else reused), backfilled \
            (every day redone), and measured: generate and backfill events/s against the raw funnel's own scan rate \
            over the same events, one day's aggregation early and late in the history, fast and raw p50/p95 over \
            a fixed set of selections (whole history, 7 days, 1 day; no filter, one filter, three filters, the \
            drifting app version), and the game's share of the table sizes (after VACUUM FULL of the aggregate \
            tables, so that re-runs measure live rows). Writes events and aggregates: it needs a database of its \
            own, and refuses one that holds games it did not generate (unless --allow-foreign-games). At 100x \
            it takes 30 to 60 minutes (generating the game: 11 of them).

            With --morning 1,10[,100]: for each scale, the game 'morning<N>' (5,000 x N players, seed 7, --days \
            days ending yesterday) is generated and backfilled up to yesterday (the night); then today's events until \
            now (or --today-until) and a week of late events (0.5% of each of the last 7 days' volume, received \
            now) are added with COPY (the morning); then `refresh` applies them. In each of the three states, the fast path's p50/p95/worst \
            and the raw path over six selections (30 and 7 days ending today; no filter, one, three filters), every \
            raw answer compared with the fast one, and the coverage of the 30 days; the refresh's time; and what the \
            triggers on events (the change capture) cost a COPY of --capture-events events, against the same COPY \
            with them disabled, both rolled back. The morning changes the game: a database that has it already is \
            refused (`make morning` recreates its own). Also refuses a database with games bench did not generate \
            (unless --allow-foreign-games).
            """)

    @Option(help: "Game id (fast vs raw on an existing game).")
    var game: String?

    @Option(help: ArgumentHelp("Scales to generate, backfill and measure, e.g. 1,10,100 (1x = 5,000 players).", valueName: "N,N"))
    var scale: String?

    @Option(help: ArgumentHelp("Scales of the morning to generate and measure, e.g. 1,10 (1x = 5,000 players).", valueName: "N,N"))
    var morning: String?

    @Option(help: "Days of history of the generated games (default: 60 with --scale, 30 with --morning).")
    var days: Int?

    @Option(help: "Runs per path and selection (raw: at most 3, and 1 from 100x on).")
    var runs: Int = 7

    @Option(name: .customLong("capture-events"),
            help: ArgumentHelp("Events of the COPY that measures the change capture (--morning; default 100,000 x N).", valueName: "N"))
    var captureEvents: Int?

    @Option(name: .customLong("today-until"),
            help: ArgumentHelp("Today's events up to this time (UTC) at the latest, the same share in every run after it (--morning; default: now).",
                               valueName: "HH:MM"))
    var todayUntil: String?

    @Option(help: "table or json (--scale, --morning).")
    var format: String = "table"

    @OptionGroup var benchDatabase: BenchDatabaseOptions

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard [game != nil, scale != nil, morning != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of --game, --scale and --morning")
        }
        guard format == "table" || format == "json" else { throw ValidationError("--format must be table or json") }
        if let scale { _ = try Self.scales(scale) }
        if let morning { _ = try Self.scales(morning, option: "--morning") }
        if let days, days < 2 || days > 366 { throw ValidationError("--days must be between 2 and 366") }
        if let captureEvents, captureEvents < 1 { throw ValidationError("--capture-events must be at least 1") }
        if let todayUntil { _ = try Self.timeOfDay(todayUntil) }
    }

    /// `HH:MM` → seconds after midnight.
    static func timeOfDay(_ text: String) throws -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard text.count == 5, parts.count == 2, let hours = parts[0], let minutes = parts[1],
              (0..<24).contains(hours), (0..<60).contains(minutes) else {
            throw ValidationError("--today-until takes a time of day as HH:MM (UTC), e.g. 08:00")
        }
        return (hours * 60 + minutes) * 60
    }

    static func scales(_ text: String, option: String = "--scale") throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 200 }) else {
            throw ValidationError("\(option) takes whole numbers from 1 to 200 separated by commas, e.g. 1,10,100")
        }
        return values.map { $0! }
    }

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            if let scale {
                try benchDatabase.check(store, action: "bench --scale writes events and compacts the aggregate tables (VACUUM FULL)")
                try store.migrate()
                var results: [ScaleBench.Result] = []
                for factor in try Self.scales(scale) {
                    results.append(try ScaleBench(store: store, scale: factor, days: days ?? 60, runs: runs).run(log: log))
                }
                print(format == "json" ? ScaleBench.json(results) : ScaleBench.table(results, database: store.databaseName))
            } else if let morning {
                try benchDatabase.check(store, action: "bench --morning generates a game and adds a morning's events to it")
                try store.migrate()
                var results: [MorningBench.Result] = []
                for factor in try Self.scales(morning, option: "--morning") {
                    results.append(try MorningBench(store: store, scale: factor, days: days ?? 30, runs: runs,
                                                    captureEvents: captureEvents ?? 100_000 * factor,
                                                    todayUntil: try todayUntil.map(Self.timeOfDay)).run(log: log))
                }
                print(format == "json" ? MorningBench.json(results) : MorningBench.table(results, database: store.databaseName))
            } else if let game {
                try gameBench(store, game: game)
            }
        }
    }

    /// Progress on stderr, with the table only: the JSON report is all a script reads.
    private func log(_ line: String) {
        if format == "table" { FileHandle.standardError.write(Data(("bench: " + line + "\n").utf8)) }
    }

    private func gameBench(_ store: LevelFunnelStore, game: String) throws {
        try store.requireSchema()
        let info = try store.game(game)
        let dims = try store.dimensions(game: game)
        let last = info.lastDay
        func range(_ days: Int) throws -> DayRange { try DayRange(from: max(info.firstDay, last.adding(days: 1 - days)), to: last) }
        var selections: [(String, FunnelQuery)] = [
            ("whole history", FunnelQuery(game: game, range: info.history)),
            ("last 30 days", FunnelQuery(game: game, range: try range(30))),
            ("last 7 days", FunnelQuery(game: game, range: try range(7))),
            ("last day", FunnelQuery(game: game, range: .single(last))),
        ]
        if let platform = dims.values[.platform]?.first {
            selections.append(("history, platform", FunnelQuery(game: game, range: info.history, filters: FunnelFilters(platform: platform))))
            if let country = dims.values[.country]?.first, let version = dims.values[.appVersion]?.last {
                selections.append(("history, 3 filters", FunnelQuery(game: game, range: info.history,
                    filters: FunnelFilters(platform: platform, country: country, appVersion: version))))
            }
        }
        print("game \(game), \(info.history), \(runs) runs per path (median ms, measured in-process)")
        print("selection             fast ms    raw ms    raw/fast")
        for (label, query) in selections {
            var fast: [Double] = [], raw: [Double] = []
            for _ in 0..<runs {
                fast.append(try store.funnel(query, source: .fast).queryMs)
                raw.append(try store.funnel(query, source: .raw).queryMs)
            }
            let f = BenchFigures.percentile(fast, 0.5), r = BenchFigures.percentile(raw, 0.5)
            print(label.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "%9.2f %9.1f %10.0fx", f, r, r / f))
        }
        print("")
        for size in try store.tableSizes() {
            print(size.table.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: "%10.1f MB %11d rows", Double(size.bytes) / 1_048_576, size.rows))
        }
    }
}

/// One scale of `bench --scale`: generate (or reuse), backfill, measure.
struct ScaleBench {
    let store: LevelFunnelStore
    let scale: Int
    let days: Int
    let runs: Int

    static let start = Day(iso: "2026-01-01")!
    static let seed: UInt64 = 7

    /// 5,000 players at 1x.
    static func players(scale: Int) -> Int { 5_000 * scale }

    struct Result: Codable {
        var scale: Int
        var game: String
        var players: Int
        var days: Int
        var levelEvents: Int
        /// nil when the game was already there.
        var generateEventsPerSecond: Double?
        var backfillSeconds: Double
        var backfillEventsPerSecond: Double
        /// Level events per second of the raw funnel over the whole history (its median run).
        var rawScanEventsPerSecond: Double
        var backfillToRawScan: Double
        /// One day's aggregation (seconds) by day number (1 = the first day).
        var daySeconds: [String: Double]
        var dayLevelEvents: [String: Int]
        var fastP50Ms: Double
        var fastP95Ms: Double
        var rawP50Ms: Double
        var rawP95Ms: Double
        var selections: Int
        var eventsMB: Double
        var aggregatesMB: Double
        var aggregatesPercent: Double
        var exact: Bool
    }

    func run(log: (String) -> Void) throws -> Result {
        let game = BenchDatabaseOptions.gameName(scale: scale)
        let players = Self.players(scale: scale)
        var generated: Double?
        if (try? store.game(game)) == nil {
            log("\(scale)x: generating \(game) (\(players) players, \(days) days)")
            let loaded = try EventLoader(store: store).load(GeneratorConfig(game: game, players: players, days: days, seed: Self.seed,
                                                                             start: Self.start))
            generated = Double(loaded.stats.events) / loaded.seconds
        }
        let info = try store.game(game)
        log("\(scale)x: backfilling \(info.history)")
        var previousEvents = 0
        let backfill = try store.backfill(game: game, range: info.history, progress: { progress in
            // Days come in passes (several days per transaction): each day's events, and the time elapsed when
            // its pass ended.
            log(String(format: "\(scale)x: %@ %d level events, %.2f s elapsed", progress.day.iso,
                       progress.events - previousEvents, progress.elapsedSeconds))
            previousEvents = progress.events
            return true
        })

        // One day early and late in the history (its events unchanged: later days are not marked stale).
        var daySeconds: [String: Double] = [:], dayEvents: [String: Int] = [:]
        for number in [5, 30, 60] where number <= info.history.dayCount {
            let day = info.firstDay.adding(days: number - 1)
            var times: [Double] = []
            var events = 0
            for _ in 0..<(scale >= 100 ? 1 : 3) {
                let clock = ContinuousClock.now
                events = try store.aggregate(game: game, day: day).levelEvents
                let elapsed = ContinuousClock.now - clock
                times.append(elapsed.seconds)
            }
            daySeconds["day\(number)"] = BenchFigures.percentile(times, 0.5)
            dayEvents["day\(number)"] = events
        }

        log("\(scale)x: fast and raw over the selections")
        let selections = try self.selections(info)
        let samples = try BenchFigures.sample(store, selections, runs: runs, rawRuns: Self.rawRuns(runs, scale: scale))
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

    /// Whole history, last 7 days, last day; each with no filter, one filter (platform), three filters (platform,
    /// country, app version) and the drifting dimension alone (app version: players upgrade over time).
    func selections(_ info: GameInfo) throws -> [FunnelQuery] {
        let ranges = [info.history, try DayRange(from: max(info.firstDay, info.lastDay.adding(days: -6)), to: info.lastDay),
                      DayRange.single(info.lastDay)]
        let filters = Self.filters(try store.dimensions(game: info.id))
        return ranges.flatMap { range in filters.map { FunnelQuery(game: info.id, range: range, filters: $0) } }
    }

    /// No filter, one (platform), three (platform, country, app version), and the drifting app version alone.
    static func filters(_ dims: GameDimensions) -> [FunnelFilters] {
        let platform = dims.values[.platform]?.first, country = dims.values[.country]?.first
        let version = dims.values[.appVersion]?.sorted().dropLast().last ?? dims.values[.appVersion]?.first
        return [FunnelFilters(), FunnelFilters(platform: platform),
                FunnelFilters(platform: platform, country: country, appVersion: version), FunnelFilters(appVersion: version)]
    }

    /// Raw runs per selection: at most 3, and 1 from 100x on (a raw query there takes up to a minute).
    static func rawRuns(_ runs: Int, scale: Int) -> Int { scale >= 100 ? 1 : min(runs, 3) }


    static func json(_ results: [Result]) -> String { JSONOutput.encode(results, orEmpty: "[]") }

    static func table(_ results: [Result], database: String) -> String {
        func n(_ value: Double, _ decimals: Int = 0) -> String { BenchFigures.grouped(value, decimals) }
        var rows: [(String, [String])] = [
            ("players", results.map { n(Double($0.players)) }),
            ("days", results.map { "\($0.days)" }),
            ("level events", results.map { n(Double($0.levelEvents)) }),
            ("generate events/s", results.map { $0.generateEventsPerSecond.map { n($0) } ?? "reused" }),
            ("backfill s", results.map { n($0.backfillSeconds, 1) }),
            ("backfill level events/s", results.map { n($0.backfillEventsPerSecond) }),
            ("raw scan level events/s", results.map { n($0.rawScanEventsPerSecond) }),
            ("backfill / raw scan", results.map { n($0.backfillToRawScan, 2) + (($0.backfillToRawScan >= 1.0 / 3) ? "" : " (< 1/3)") }),
        ]
        for number in [5, 30, 60] {
            let key = "day\(number)"
            guard results.contains(where: { $0.daySeconds[key] != nil }) else { continue }
            rows.append(("day \(number): seconds (level events)", results.map { r in
                r.daySeconds[key].map { n($0, 2) + " (" + n(Double(r.dayLevelEvents[key] ?? 0)) + ")" } ?? "-" }))
        }
        rows += [
            ("fast p50 / p95 ms", results.map { n($0.fastP50Ms, 1) + " / " + n($0.fastP95Ms, 1) }),
            ("raw p50 / p95 ms", results.map { n($0.rawP50Ms) + " / " + n($0.rawP95Ms) }),
            ("raw / fast (p50)", results.map { n($0.rawP50Ms / max($0.fastP50Ms, 0.001)) + "x" }),
            ("events MB", results.map { n($0.eventsMB) }),
            ("aggregates MB (% of events)", results.map { n($0.aggregatesMB) + " (" + n($0.aggregatesPercent, 1) + "%)" }),
            ("fast = raw on every selection", results.map { $0.exact ? "yes" : "NO" }),
        ]
        let width = max(16, rows.flatMap(\.1).map(\.count).max() ?? 0) + 2
        let label = rows.map(\.0.count).max()! + 2
        var out = "database \(database); \(results.first?.selections ?? 0) selections, medians in-process\n"
        out += "".padding(toLength: label, withPad: " ", startingAt: 0)
            + results.map { BenchFigures.pad("\($0.scale)x", width) }.joined() + "\n"
        for (name, values) in rows {
            out += name.padding(toLength: label, withPad: " ", startingAt: 0) + values.map { BenchFigures.pad($0, width) }.joined() + "\n"
        }
        return out
    }
}
