import ArgumentParser
import Foundation
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

/// The figures of one `stress` run (`--format json` prints them as they are).
struct StressReport: Codable {
    struct Latency: Codable {
        var p50: Double, p95: Double, p99: Double, max: Double, mean: Double
    }

    struct Writer: Codable {
        /// `backfill` or `refresh`.
        var task: String
        var game: String
        /// Runs that went to the end, and runs stopped early because the readers were done.
        var runs = 0
        var stopped = 0
        /// Days re-aggregated and their level events, over every run.
        var days = 0
        var levelEvents = 0
        /// Runs that found the game's lock held by the other writer and waited for it.
        var lockWaits = 0
        var errors: [String] = []
        /// Time spent in runs (waits for the lock included).
        var seconds = 0.0
    }

    struct Sample: Codable {
        /// Sampled answers re-run on the raw path, and how many of them differed in any field.
        var compared: Int
        var differed: Int
        /// How many of the compared answers were taken while a writer was running.
        var takenDuringWrites: Int
        var rawSeconds: Double
        /// The first differences, one line each (`2026-01-03..2026-01-09 platform=iOS: level 4 startedPlayers fast 10 raw 11`).
        var differences: [String]
    }

    var game: String
    var from: String
    var to: String
    var readers: Int
    var queriesPerReader: Int
    var seed: UInt64
    /// Fast queries answered (errors excluded).
    var queries: Int
    /// Every failure: fast queries, raw re-runs and writers.
    var errors: Int
    /// The first failures' messages.
    var errorMessages: [String]
    /// From the start until the last reader's last fast query.
    var seconds: Double
    var queriesPerSecond: Double
    /// Fast queries' latency in milliseconds, as the caller waits for them.
    var latencyMs: Latency
    var writers: [Writer]
    var sample: Sample
    /// No error and no difference.
    var ok: Bool

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

/// One `stress` run: reader threads and writer threads, each on its own connection, then the raw checks.
struct StressRun: Sendable {
    var url: String?
    var game: GameInfo
    var dimensions: GameDimensions
    var others: [GameInfo]
    /// False: readers alone (the baseline).
    var writers: Bool
    var readers: Int
    var queries: Int
    var sample: Int
    var seed: UInt64

    /// The pause between a writer's runs: longer than the lock's longest poll (0.5 s), so that the other writer,
    /// waiting for the game's lock, gets it instead of the same writer again.
    static let pauseSeconds = 1.0

    func run(log: @escaping @Sendable (String) -> Void) throws -> StressReport {
        // Every connection is opened before any thread starts: a refused connection fails the run at once.
        let readerStores = try (0..<readers).map { _ in Handoff(try LevelFunnelStore(url: url)) }
        var writerTasks = writers ? [WriterTask(kind: .backfill, game: game), WriterTask(kind: .refresh, game: game)] : []
        writerTasks += others.map { WriterTask(kind: .backfill, game: $0) }
        let writerStores = try writerTasks.map { _ in Handoff(try LevelFunnelStore(url: url)) }

        let board = StressBoard(readers: readers)
        let readerGroup = DispatchGroup(), writerGroup = DispatchGroup()
        log("\(readers) readers x \(queries) fast queries on \(game.id)" + (writerTasks.isEmpty ? ", no writers" : " while "
            + writerTasks.map { "\($0.kind.rawValue) \($0.game.id)" }.joined(separator: ", ") + " loop"))
        for (index, store) in readerStores.enumerated() {
            readerGroup.enter()
            Thread { [self] in
                board.record(reader: index, read(store.value, index: index, board: board, log: log))
                readerGroup.leave()
            }.start()
        }
        for (index, (task, store)) in zip(writerTasks, writerStores).enumerated() {
            writerGroup.enter()
            Thread {
                // The daily job takes the game's lock first (it is short: the readers see both writers at work);
                // the backfill, started a moment later, waits for it.
                if task.kind == .backfill && task.game.id == game.id { Thread.sleep(forTimeInterval: StressRun.pauseSeconds) }
                board.record(writer: index, task.loop(store.value, board: board, log: log))
                writerGroup.leave()
            }.start()
        }
        // The raw checks wait for the readers' last fast query (writers stop only after it too): raw queries
        // would otherwise slow the readers still timing theirs.
        board.waitForReaders()
        writerGroup.wait()
        log((writerTasks.isEmpty ? "" : "writers stopped; ") + "re-running \(board.samples) sampled answers on the raw path")
        let checkStart = ContinuousClock.now
        board.releaseChecks()
        readerGroup.wait()
        return report(board, rawSeconds: (ContinuousClock.now - checkStart).seconds)
    }

    /// One reader: its fast queries (timed), then, once the writers have stopped, its sampled answers on the raw path.
    private func read(_ store: LevelFunnelStore, index: Int, board: StressBoard, log: @Sendable (String) -> Void) -> ReaderReport {
        // Seeded per reader: the same seed gives every reader the same queries, run after run.
        var random = SplitMix64(seed: SplitMix64.derive(seed, stream: UInt64(index)))
        var report = ReaderReport()
        // Samples evenly spread over the reader's queries, so that some are taken early and some late in the run.
        let every = sample > 0 ? queries / sample : 0
        for number in 1...queries {
            let query = randomQuery(&random)
            let writing = board.isWriting
            let start = ContinuousClock.now
            do {
                let answer = try store.funnel(query, source: .fast)
                let milliseconds = (ContinuousClock.now - start).seconds * 1000
                guard answer.source == .fast else {
                    report.errors.append("\(label(query)): answered by \(answer.source.rawValue), not fast")
                    continue
                }
                report.latencies.append(milliseconds)
                if every > 0 && number % every == 0 && report.samples.count < sample {
                    report.samples.append((query, answer.levels, writing || board.isWriting))
                }
            } catch {
                report.errors.append("\(label(query)): \(error)")
            }
        }
        if board.readerFinished(samples: report.samples.count) { log("readers done") }
        board.waitForChecks()
        for (query, fast, duringWrites) in report.samples {
            do {
                let raw = try store.funnel(query, source: .raw)
                let differences = FunnelComparison.differences(fast: fast, raw: raw.levels)
                report.compared += 1
                if duringWrites { report.comparedDuringWrites += 1 }
                if !differences.isEmpty {
                    report.differed += 1
                    report.differences += differences.prefix(3).map { d in
                        "\(label(query)): level \(d.levelId) \(d.field) fast \(d.fast.map { "\($0)" } ?? "null") raw \(d.raw.map { "\($0)" } ?? "null")"
                    }
                }
            } catch {
                report.errors.append("raw \(label(query)): \(error)")
            }
        }
        return report
    }

    /// A range of one day, a week, 30 days, the whole history or any span, anywhere in the history; each dimension
    /// filtered with probability 0.3 on one of its values (a funnel version only under a funnel).
    private func randomQuery(_ random: inout SplitMix64) -> FunnelQuery {
        let days = game.history.dayCount
        let length = min(days, [1, 7, 30, days, 1 + random.below(days)][random.below(5)])
        let from = game.firstDay.adding(days: random.below(days - length + 1))
        let range = (try? DayRange(from: from, to: from.adding(days: length - 1))) ?? game.history
        var filters = FunnelFilters()
        for dimension in Dimension.allCases where random.below(10) < 3 {
            let values = dimensions.options(dimension, filters: filters)
            if !values.isEmpty { filters[dimension] = values[random.below(values.count)] }
        }
        return FunnelQuery(game: game.id, range: range, filters: filters)
    }

    private func label(_ query: FunnelQuery) -> String {
        "\(query.range)" + (query.filters.isEmpty ? "" : " " + query.filters.summary)
    }

    private func report(_ board: StressBoard, rawSeconds: Double) -> StressReport {
        let readerReports = board.readerReports.sorted { $0.key < $1.key }.map(\.value)
        let latencies = readerReports.flatMap(\.latencies)
        let writers = board.writerReports
        let errors = readerReports.flatMap(\.errors) + writers.flatMap { w in w.errors.map { "\(w.task) \(w.game): \($0)" } }
        let seconds = board.readersSeconds
        let differed = readerReports.reduce(0) { $0 + $1.differed }
        let p = { (q: Double) in BenchFigures.percentile(latencies, q) }
        return StressReport(
            game: game.id, from: game.firstDay.iso, to: game.lastDay.iso, readers: readers, queriesPerReader: queries,
            seed: seed, queries: latencies.count, errors: errors.count, errorMessages: Array(errors.prefix(10)),
            seconds: seconds, queriesPerSecond: Double(latencies.count) / max(seconds, 1e-9),
            latencyMs: .init(p50: p(0.5), p95: p(0.95), p99: p(0.99), max: latencies.max() ?? 0,
                             mean: latencies.reduce(0, +) / Double(max(latencies.count, 1))),
            writers: writers,
            sample: .init(compared: readerReports.reduce(0) { $0 + $1.compared }, differed: differed,
                          takenDuringWrites: readerReports.reduce(0) { $0 + $1.comparedDuringWrites },
                          rawSeconds: rawSeconds, differences: Array(readerReports.flatMap(\.differences).prefix(20))),
            ok: errors.isEmpty && differed == 0)
    }
}

/// What one reader measured and found.
struct ReaderReport: Sendable {
    var latencies: [Double] = []
    var errors: [String] = []
    var samples: [(query: FunnelQuery, fast: [LevelMetrics], duringWrites: Bool)] = []
    var compared = 0
    var comparedDuringWrites = 0
    var differed = 0
    var differences: [String] = []
}

/// A writer's loop: backfill of a whole history, or the daily job as on the game's last day.
struct WriterTask: Sendable {
    enum Kind: String, Sendable { case backfill, refresh }
    var kind: Kind
    var game: GameInfo

    func loop(_ store: LevelFunnelStore, board: StressBoard, log: @Sendable (String) -> Void) -> StressReport.Writer {
        var report = StressReport.Writer(task: kind.rawValue, game: game.id)
        var finished = false
        // Once the readers are done, a writer that has completed a run stops (between days, or while waiting for the lock).
        let enough = { board.readersDone && finished }
        repeat {
            let start = ContinuousClock.now
            board.writerStarts()
            var waited = false
            do {
                switch kind {
                case .backfill:
                    let summary = try store.backfill(game: game.id, range: game.history, onWait: { waited = true },
                                                     shouldStop: enough, progress: { _ in !enough() })
                    if summary.cancelled { report.stopped += 1 } else { report.runs += 1 }
                    report.days += summary.daysDone
                    report.levelEvents += summary.events
                case .refresh:
                    let summary = try store.refresh(game: game.id, today: game.lastDay, check: .days(7),
                                                    onWait: { waited = true }, shouldStop: enough)
                    if summary.stopped { report.stopped += 1 } else { report.runs += 1 }
                    report.days += summary.days.count
                    report.levelEvents += summary.events
                }
            } catch let error as LevelFunnelError where error == .cancelled {
                report.stopped += 1   // its wait for the lock ended: the readers are done
            } catch {
                report.errors.append("\(error)")
            }
            board.writerEnds()
            let seconds = (ContinuousClock.now - start).seconds
            report.seconds += seconds
            if waited { report.lockWaits += 1 }
            finished = report.runs > 0 || !report.errors.isEmpty
            log(String(format: "%@ %@: run %d ended after %.1f s%@ (%d complete, %d days so far)", kind.rawValue, game.id,
                       report.runs + report.stopped + report.errors.count, seconds,
                       waited ? ", after waiting for the lock" : "", report.runs, report.days))
            var paused = 0.0
            while paused < StressRun.pauseSeconds && !enough() {
                Thread.sleep(forTimeInterval: 0.05)
                paused += 0.05
            }
        } while !enough()
        return report
    }
}

/// What the threads share: how many readers are still querying, whether a writer is running, the reports, and the
/// signal that lets readers start their raw checks.
final class StressBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private let start = ContinuousClock.now
    private var readersLeft: Int
    private var readersEnd: ContinuousClock.Instant?
    private var writing = 0
    private var sampled = 0
    private var checksReleased = false
    private var readers: [Int: ReaderReport] = [:]
    private var writers: [Int: StressReport.Writer] = [:]

    init(readers: Int) { readersLeft = readers }

    var readersDone: Bool { condition.withLock { readersLeft == 0 } }
    var isWriting: Bool { condition.withLock { writing > 0 } }
    /// From the board's creation until the last reader finished its fast queries.
    var readersSeconds: Double { condition.withLock { ((readersEnd ?? .now) - start).seconds } }
    var readerReports: [Int: ReaderReport] { condition.withLock { readers } }
    /// In the order the writers were started.
    var writerReports: [StressReport.Writer] { condition.withLock { writers.sorted { $0.key < $1.key }.map(\.value) } }

    /// Answers the readers kept for the raw checks, once they are done.
    var samples: Int { condition.withLock { sampled } }

    /// True for the last reader.
    func readerFinished(samples: Int) -> Bool {
        condition.withLock {
            sampled += samples
            readersLeft -= 1
            if readersLeft == 0 {
                readersEnd = .now
                condition.broadcast()
            }
            return readersLeft == 0
        }
    }

    func writerStarts() { condition.withLock { writing += 1 } }
    func writerEnds() { condition.withLock { writing -= 1 } }

    func releaseChecks() {
        condition.withLock {
            checksReleased = true
            condition.broadcast()
        }
    }

    func waitForReaders() {
        condition.withLock { while readersLeft > 0 { condition.wait() } }
    }

    func waitForChecks() {
        condition.withLock { while !checksReleased { condition.wait() } }
    }

    func record(reader index: Int, _ report: ReaderReport) { condition.withLock { readers[index] = report } }
    func record(writer index: Int, _ report: StressReport.Writer) { condition.withLock { writers[index] = report } }
}

/// Hands a connection opened on one thread to the one thread that uses it from then on.
final class Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

