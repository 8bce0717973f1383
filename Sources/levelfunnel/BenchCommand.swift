import ArgumentParser
import Foundation
import LevelFunnelBench
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
                    var bench = MorningBench(store: store, scale: factor, days: days ?? 30, runs: runs,
                                             captureEvents: captureEvents ?? 100_000 * factor,
                                             todayUntil: try todayUntil.map(Self.timeOfDay))
                    bench.freshProcess = FreshProcessQuery(executable: Bundle.main.executablePath ?? CommandLine.arguments[0],
                                                           databaseURL: database.url)
                    results.append(try bench.run(log: log))
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
        let bench = try GameBench(store: store, game: game, runs: runs)
        let selections = try bench.selections()
        print("game \(game), \(bench.game.history), \(runs) runs per path (median ms, measured in-process)")
        print("selection             fast ms    raw ms    raw/fast")
        for (label, query) in selections {
            let medians = try bench.medians(query)
            let f = medians.fastMs, r = medians.rawMs
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
