import ArgumentParser
import Foundation
import LevelFunnelBench
import LevelFunnelCore

struct StressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Many readers on the fast path while a backfill and the daily job rewrite the game: errors, exactness, latency.",
        discussion: """
            Readers: --readers threads, each with a connection of its own (as many dashboard users), each issue \
            --queries fast funnel queries back to back, with no pause, over random ranges of the game's history \
            (one day, a week, 30 days, the whole history or any span) and random filters drawn from the game's \
            dimension values. Each query is timed as its caller waits for it (wall clock, the coverage and \
            freshness lookups included).

            Writers, meanwhile, on connections of their own, rewrite the same game, as when an admin re-backfills \
            a game while the daily job fires: a backfill of its whole history (every day re-aggregated, one \
            transaction per pass of days, so readers meet days being replaced), in a loop; and the daily job (a refresh as \
            on the game's last day: that day and the one before re-aggregated, the last 7 days' fingerprints \
            read), in a loop. Both take the game's aggregation lock, so they take turns, as in production: the \
            refresh starts first, as when an admin starts a backfill while the daily job runs; the backfill, a \
            second later, waits it out (a refresh is short, so the readers meet both); a 1 s pause between runs \
            lets the other one in. Each writer completes at least one run; once the readers are done, a running \
            backfill stops between passes. --also-backfill adds a backfill loop of other games, which runs alongside \
            (their lock is another); --no-writers runs the readers alone, the latency to compare with.

            Exactness: no event is written, so the raw answers cannot change during the run, and a fast answer must \
            equal the raw one whenever it was taken (days being replaced are replaced by identical rows in one \
            transaction; days not fresh come from the events). --sample answers per reader, spread over its \
            queries, are re-run on the raw path once the writers have stopped (raw queries take seconds at 10x \
            and would distort the latency figures) and compared field by field.

            Prints queries/s, errors, latency p50/p95/p99/max, the writers' runs, and how many sampled answers \
            were compared and how many differed. Exit status 1 when any query or writer failed or any answer \
            differed. Writes aggregates (the same rows again), never events; with writers, it refuses a database \
            that holds games `bench` did not generate (unless --allow-foreign-games). `make stress` runs \
            it on the 10x game after `bench --scale 10`.
            """)

    @Option(help: "Game to read and rewrite (see `levelfunnel games`); backfilled already, as in production.")
    var game: String

    @Option(help: "Reader threads, one connection each.")
    var readers: Int = 10

    @Option(help: "Fast queries per reader, back to back.")
    var queries: Int = 500

    @Option(help: ArgumentHelp("Answers per reader re-run on the raw path and compared, once the writers have stopped.",
                               valueName: "N"))
    var sample: Int = 3

    @Option(help: "Seed of the readers' ranges and filters: the same seed asks the same queries.")
    var seed: UInt64 = 1

    @Option(name: .customLong("also-backfill"), help: ArgumentHelp(
        "Another game to backfill in a loop meanwhile (repeatable).", valueName: "game"))
    var alsoBackfill: [String] = []

    @Flag(name: .customLong("no-writers"), help: "Readers alone, no backfill or refresh: the latency to compare with.")
    var noWriters = false

    @Option(help: "text or json.")
    var format: String = "text"

    @OptionGroup var benchDatabase: BenchDatabaseOptions

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard readers >= 1 else { throw ValidationError("--readers must be at least 1") }
        guard queries >= 1 else { throw ValidationError("--queries must be at least 1") }
        guard sample >= 0 && sample <= queries else { throw ValidationError("--sample must be between 0 and --queries") }
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json") }
        guard !alsoBackfill.contains(game) else { throw ValidationError("--also-backfill names --game: it is backfilled already") }
        guard !(noWriters && !alsoBackfill.isEmpty) else { throw ValidationError("--no-writers and --also-backfill contradict each other") }
    }

    func run() throws {
        let report = try CLIErrors.report { () -> StressReport in
            let store = try database.openStore()
            try store.requireSchema()
            let info = try store.game(game)
            if !noWriters { try benchDatabase.check(store, action: "stress re-aggregates --game in a loop under load") }
            let others = try alsoBackfill.map { try store.game($0) }
            let run = StressRun(url: database.url, game: info, dimensions: try store.dimensions(game: game), others: others,
                                writers: !noWriters, readers: readers, queries: queries, sample: sample, seed: seed)
            let text = format == "text"
            return try run.run { line in if text { FileHandle.standardError.write(Data(("stress: " + line + "\n").utf8)) } }
        }
        print(format == "json" ? report.json : report.text)
        if !report.ok { throw ExitCode(1) }
    }
}

/// How `stress` prints its report: as it is (`--format json`), or for people.
extension StressReport {
    var json: String { JSONOutput.encode(self, orEmpty: "{}") }

    var text: String {
        var lines = [
            "stress \(game) \(from)..\(to): \(Self.count(readers, "reader")) x \(Self.count(queriesPerReader, "fast query", "fast queries")) (seed \(seed))",
            String(format: "queries     %d in %.1f s: %.1f queries/s, %@", queries, seconds, queriesPerSecond, Self.count(errors, "error")),
            String(format: "latency ms  p50 %.1f  p95 %.1f  p99 %.1f  max %.1f  mean %.1f",
                   latencyMs.p50, latencyMs.p95, latencyMs.p99, latencyMs.max, latencyMs.mean),
        ]
        if writers.isEmpty { lines.append("writers     none") }
        for (index, w) in writers.enumerated() {
            lines.append((index == 0 ? "writers     " : "            ") + String(
                format: "%@ %@: %@%@, %d days (%d level events), %@, %.1f s%@", w.task, w.game, Self.count(w.runs, "run"),
                w.stopped > 0 ? " + \(w.stopped) stopped" : "", w.days, w.levelEvents, Self.count(w.errors.count, "error"), w.seconds,
                w.lockWaits > 0 ? ", \(w.lockWaits) of its runs waited for the lock" : ""))
        }
        lines.append(String(format: "sample      %@ (%d taken during writes) re-run on the raw path: %d differed (raw %.1f s)",
                            Self.count(sample.compared, "answer"), sample.takenDuringWrites, sample.differed, sample.rawSeconds))
        lines += sample.differences.map { "  differs   " + $0 }
        lines += errorMessages.map { "  error     " + $0 }
        lines.append("result      " + (ok ? "ok: no error, every sampled answer equal to the raw one" : "FAILED"))
        return lines.joined(separator: "\n")
    }

    /// `1 reader`, `10 readers`.
    private static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) " + (n == 1 ? one : many ?? one + "s")
    }
}

