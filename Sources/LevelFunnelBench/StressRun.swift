import Foundation
import LevelFunnelCore

/// One `stress` run: reader threads and writer threads, each on its own connection, then the raw checks.
public struct StressRun: Sendable {
    public var url: String?
    public var game: GameInfo
    public var dimensions: GameDimensions
    public var others: [GameInfo]
    /// False: readers alone (the baseline).
    public var writers: Bool
    public var readers: Int
    public var queries: Int
    public var sample: Int
    public var seed: UInt64

    public init(url: String?, game: GameInfo, dimensions: GameDimensions, others: [GameInfo], writers: Bool, readers: Int,
                queries: Int, sample: Int, seed: UInt64) {
        self.url = url
        self.game = game
        self.dimensions = dimensions
        self.others = others
        self.writers = writers
        self.readers = readers
        self.queries = queries
        self.sample = sample
        self.seed = seed
    }

    /// The pause between a writer's runs: longer than the lock's longest poll (0.5 s), so that the other writer,
    /// waiting for the game's lock, gets it instead of the same writer again.
    static let pauseSeconds = 1.0

    public func run(log: @escaping @Sendable (String) -> Void) throws -> StressReport {
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
