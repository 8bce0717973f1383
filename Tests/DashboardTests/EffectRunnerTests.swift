import Dashboard
import Foundation
import LevelFunnelCore
import Testing

/// A backend whose raw queries block until cancelled, to test that the quick lane keeps answering
/// and that cancellation reaches the running statement.
final class BlockingBackend: DashboardBackend {
    let base = Fixtures.backend()
    let gate: Gate

    init(gate: Gate) { self.gate = gate }

    func games() throws -> [GameInfo] { try base.games() }
    func dimensions(game: String) throws -> GameDimensions { try base.dimensions(game: game) }
    func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult {
        if source == .raw {
            gate.waitUntilOpen()
            throw BackendFailure(message: "canceling statement due to user request")
        }
        return try base.funnel(query, source: source)
    }
    func dataAsOf(game: String) throws -> Date? { nil }
    func accessRights() throws -> AccessRights { .everything }
    func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary {
        var done = 0
        while progress(BackfillProgress(game: game, day: range.from, daysDone: done, daysTotal: 1000, events: 0,
                                        eventsPerSecond: 0, elapsedSeconds: 0, etaSeconds: nil)) {
            done += 1
            usleep(1000)
            if done > 5000 { break }
        }
        throw LevelFunnelError.cancelled
    }
    func refresh(game: String?) throws -> String { "" }
    func verify(_ query: FunnelQuery) throws -> VerifyReport { throw BackendFailure(message: "no") }
    func aggregationStatus() throws -> [AggregationStatus] { [] }
    func makeCanceller() -> (any QueryCanceller)? { GateCanceller(gate: gate) }
    var isAlive: Bool { true }
}

final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var open = false
    func waitUntilOpen() {
        condition.lock()
        while !open { condition.wait() }
        condition.unlock()
    }
    func openGate() {
        condition.lock(); open = true; condition.broadcast(); condition.unlock()
    }
}

struct GateCanceller: QueryCanceller {
    let gate: Gate
    func cancel() { gate.openGate() }
}

/// The in-memory backend, each day of a trend taking 30 ms (a day's fast query on a big game).
struct SlowDaysBackend: DashboardBackend {
    let base = Fixtures.backend()

    func games() throws -> [GameInfo] { try base.games() }
    func dimensions(game: String) throws -> GameDimensions { try base.dimensions(game: game) }
    func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult {
        if query.range.dayCount == 1 { usleep(30_000) }
        return try base.funnel(query, source: source)
    }
    func dataAsOf(game: String) throws -> Date? { nil }
    func accessRights() throws -> AccessRights { .everything }
    func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary {
        throw BackendFailure(message: "no")
    }
    func refresh(game: String?) throws -> String { "" }
    func verify(_ query: FunnelQuery) throws -> VerifyReport { throw BackendFailure(message: "no") }
    func aggregationStatus() throws -> [AggregationStatus] { [] }
    func makeCanceller() -> (any QueryCanceller)? { nil }
    var isAlive: Bool { true }
}

@Suite("Effect runner")
struct EffectRunnerTests {
    /// Drains until `predicate` holds for one answer or 5 s pass.
    func waitFor(_ runner: EffectRunner, _ predicate: (BackendEvent) -> Bool) -> [BackendEvent] {
        var seen: [BackendEvent] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let batch = runner.drain()
            seen += batch
            if batch.contains(where: predicate) { return seen }
            usleep(2000)
        }
        return seen
    }

    @Test func fastQueriesAnswerWhileARawQueryRunsAndRawIsCancellable() {
        let gate = Gate()
        let runner = EffectRunner(exportDirectory: "/tmp", makeBackend: { BlockingBackend(gate: gate) })
        defer { runner.shutdown() }
        let query = FunnelQuery(game: "demo", range: Fixtures.demo.history)
        runner.run([.loadFunnel(query, source: .raw, request: 1)])
        usleep(50_000) // let the raw query start blocking
        runner.run([.loadFunnel(query, source: .fast, request: 2)])
        let fast = waitFor(runner) { if case .funnel(2, .success) = $0 { return true } else { return false } }
        #expect(fast.contains { if case .funnel(2, .success) = $0 { return true } else { return false } })
        #expect(runner.isBusy) // the raw query is still blocked

        runner.run([.cancelSlowWork])
        let cancelled = waitFor(runner) { if case .funnel(1, _) = $0 { return true } else { return false } }
        let answer = cancelled.compactMap { event -> BackendFailure? in
            if case .funnel(1, .failure(let f)) = event { return f } else { return nil }
        }.first
        #expect(answer?.cancelled == true)
    }

    /// Enter (a trend of 91 days), Esc, then a filter: the trend stops at its next day and the table's query is
    /// answered at once (it waited for the whole trend: `loading…` for minutes on a long history).
    @Test func escOnALoadingTrendLetsTheTableQueryThrough() throws {
        var h = Harness()
        h.performEffects = false
        let before = h.effects.count
        h.press(.enter)
        guard case .loadTrend(let query, let request)? = h.effects.last else { Issue.record("no trend: \(h.effects)"); return }
        h.press(.escape)
        h.press(.char("p"), .down, .down, .down, .enter)   // iOS
        let afterEnter = Array(h.effects[(before + 1)...])
        guard case .loadFunnel(_, _, let next)? = afterEnter.last else { Issue.record("no table query: \(afterEnter)"); return }

        let runner = EffectRunner(exportDirectory: "/tmp", makeBackend: { SlowDaysBackend() })
        defer { runner.shutdown() }
        runner.run([.loadTrend(query, request: request)])
        usleep(100_000)   // on its days
        let pressed = Date()
        runner.run(afterEnter)
        let answers = waitFor(runner) { if case .funnel(next, .success) = $0 { return true } else { return false } }
        let waited = Date().timeIntervalSince(pressed)
        #expect(answers.contains { if case .funnel(next, .success) = $0 { return true } else { return false } })
        #expect(waited < 1, "the table's query waited \(waited) s for the trend")
    }

    @Test func backfillReportsProgressAndStopsOnCancel() {
        let runner = EffectRunner(exportDirectory: "/tmp", makeBackend: { BlockingBackend(gate: Gate()) })
        defer { runner.shutdown() }
        runner.run([.backfill(game: "demo", range: Fixtures.demo.history, job: 7)])
        let progress = waitFor(runner) { if case .backfillProgress(7, let p) = $0 { return p.daysDone > 3 } else { return false } }
        #expect(!progress.isEmpty)
        runner.run([.cancelSlowWork])
        let finished = waitFor(runner) { if case .backfillFinished(7, _) = $0 { return true } else { return false } }
        let failure = finished.compactMap { event -> BackendFailure? in
            if case .backfillFinished(7, .failure(let f)) = event { return f } else { return nil }
        }.first
        #expect(failure?.cancelled == true)
    }

    @Test func connectionFailuresAreAnsweredNotFatal() {
        struct Down: Error, CustomStringConvertible { var description: String { "could not connect to server" } }
        let runner = EffectRunner(exportDirectory: "/tmp", makeBackend: { throw Down() })
        defer { runner.shutdown() }
        runner.run([.loadGames])
        let answers = waitFor(runner) { if case .games = $0 { return true } else { return false } }
        let message = answers.compactMap { event -> String? in
            if case .games(.failure(let f)) = event { return f.message } else { return nil }
        }.first
        #expect(message == "could not connect to server")
    }

    @Test func exportWritesAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lf-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var answers: [BackendEvent] = []
        EffectExecutor.perform(.exportCSV(fileName: "x", contents: "a,b\n"), backend: Fixtures.backend(),
                               exportDirectory: dir, now: { Fixtures.asOf }, emit: { answers.append($0) })
        guard case .exported(.success(let path)) = answers.first else { Issue.record("\(answers)"); return }
        #expect(path == dir + "/x-20240331-120500.csv")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n")
    }
}

@Suite("Effect runner reconnects")
struct ReconnectTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }

    /// After the connection broke, the lane opens a new backend (a new connection) for the next effect.
    @Test func aBrokenConnectionMakesTheNextEffectReconnect() {
        let made = Counter()
        let results = Self.twoFunnelQueries(EffectRunner(exportDirectory: "/tmp", makeBackend: {
            var backend = Fixtures.backend()
            if made.next() == 1 {
                backend.funnelError = "server closed the connection unexpectedly"
                backend.funnelErrorLosesConnection = true
            }
            return backend
        }))
        #expect(results == [false, true])
        #expect(made.next() == 3, "two backends were made")
    }

    /// A failed statement on a live connection (permission, timeout) keeps the connection: no reconnect.
    @Test func aFailedStatementKeepsTheConnection() {
        let made = Counter()
        let results = Self.twoFunnelQueries(EffectRunner(exportDirectory: "/tmp", makeBackend: {
            _ = made.next()
            return Fixtures.backend(funnelError: "permission denied for table level_cells_daily")
        }))
        #expect(results == [false, false])
        #expect(made.next() == 2, "one backend was made")
    }

    /// Runs two funnel queries one after the other; whether each succeeded.
    static func twoFunnelQueries(_ runner: EffectRunner) -> [Bool] {
        defer { runner.shutdown() }
        let query = FunnelQuery(game: "demo", range: Fixtures.demo.history)
        var answers: [BackendEvent] = []
        for request in 1...2 {
            runner.run([.loadFunnel(query, source: .fast, request: request)])
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline, !answers.contains(where: { if case .funnel(request, _) = $0 { return true } else { return false } }) {
                answers += runner.drain()
                usleep(2000)
            }
        }
        return answers.compactMap { event -> Bool? in
            if case .funnel(_, let r) = event { return (try? r.get()) != nil } else { return nil }
        }
    }
}
