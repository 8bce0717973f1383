import Foundation
import LevelFunnelCore

/// Performs effects against a backend and reports answers as `BackendEvent`s. Synchronous:
/// the `EffectRunner` calls it on its worker threads, tests call it directly.
public enum EffectExecutor {
    /// Runs one effect; `isCancelled` is polled by long work (backfill), `emit` receives every answer.
    public static func perform(_ effect: Effect, backend: any DashboardBackend, exportDirectory: String,
                               now: () -> Date = Date.init,
                               isCancelled: () -> Bool = { false }, emit: (BackendEvent) -> Void) {
        func failure(_ error: any Error) -> BackendFailure { BackendFailure(error, cancelled: isCancelled()) }
        switch effect {
        case .loadGames:
            emit(.games(Result { try backend.games() }.mapError(failure)))
        case .loadPermissions:
            emit(.permissions(Result { try backend.accessRights() }.mapError(failure)))
        case .loadDimensions(let game):
            emit(.dimensions(game: game, Result { try backend.dimensions(game: game) }.mapError(failure)))
        case .loadFunnel(let query, let source, let request):
            emit(.funnel(request: request, Result { try backend.funnel(query, source: source) }.mapError(failure)))
        case .loadDataAsOf(let game):
            emit(.dataAsOf(game: game, Result { try backend.dataAsOf(game: game) }.mapError(failure)))
        case .backfill(let game, let range, let job):
            let result = Result {
                try backend.backfill(game: game, range: range) { progress in
                    emit(.backfillProgress(job: job, progress))
                    return !isCancelled()
                }
            }.mapError(failure)
            emit(.backfillFinished(job: job, result))
        case .refresh(let game):
            emit(.refreshed(Result { try backend.refresh(game: game) }.mapError(failure)))
        case .verify(let query):
            emit(.verified(Result { try backend.verify(query) }.mapError(failure)))
        case .loadAggregationStatus:
            emit(.aggregationStatus(Result { try backend.aggregationStatus() }.mapError(failure)))
        case .exportCSV(let fileName, let contents):
            emit(.exported(Result { try writeExport(fileName: fileName, contents: contents, directory: exportDirectory, now: now()) }
                .mapError { BackendFailure($0) }))
        case .loadCompare(let plan, let request):
            emit(.compared(request: request, Result { try backend.compare(plan) }.mapError(failure)))
        case .loadTrend(let query, let request):
            emit(.trend(request: request, Result { try backend.dailySeries(query, shouldStop: isCancelled) }.mapError(failure)))
        case .loadBreakdown(let query, let dimension, let top, let request):
            emit(.breakdown(request: request, Result { try backend.breakdown(query, by: dimension, top: top) }.mapError(failure)))
        case .loadSavedViews(let path):
            emit(.savedViews(Result { try SavedViews.load(path: path) }.mapError { BackendFailure($0) }))
        case .saveView(let name, let view, let path):
            emit(.viewSaved(name: name, Result { try SavedViews.save(view, name: name, path: path); return path }.mapError { BackendFailure($0) }))
        case .cancelSlowWork, .cancelTrend:
            break // handled by the runner, which can reach the running work
        }
    }

    /// Writes `contents` to `DIRECTORY/FILENAME-YYYYMMDD-HHMMSS.csv` (atomically) and returns the path.
    static func writeExport(fileName: String, contents: String, directory: String, now: Date) throws -> String {
        let seconds = Int(now.timeIntervalSince1970)
        let day = Day(ordinal: seconds / 86_400)
        let s = seconds % 86_400
        let stamp = day.iso.replacingOccurrences(of: "-", with: "") + String(format: "-%02d%02d%02d", s / 3600, s / 60 % 60, s % 60)
        let path = (directory as NSString).appendingPathComponent("\(fileName)-\(stamp).csv")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}

/// Runs effects off the input loop, on two worker threads with a backend each:
/// a *quick* lane for fast-path reads and a *slow* lane for raw queries, verify, backfill and refresh,
/// so a long raw query never holds up the fast path. The slow lane's work is cancellable (its statement too);
/// so is a trend on the quick lane, between two of its days (a cancel sent to the server there could land on the
/// statement of the effect after it).
///
/// The input loop calls `run` with the reducer's effects and `drain` every few milliseconds.
public final class EffectRunner: @unchecked Sendable {
    private let quick: Lane
    private let slow: Lane
    private let outbox = Outbox()

    /// `makeBackend` is called once per lane, on that lane's thread (backends need not be thread-safe).
    public init(exportDirectory: String, makeBackend: @escaping @Sendable () throws -> any DashboardBackend) {
        quick = Lane(name: "levelfunnel.quick", exportDirectory: exportDirectory, makeBackend: makeBackend, outbox: outbox)
        slow = Lane(name: "levelfunnel.slow", exportDirectory: exportDirectory, makeBackend: makeBackend, outbox: outbox)
    }

    /// Queues effects; `cancelSlowWork` and `cancelTrend` act at once.
    public func run(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .cancelSlowWork: slow.cancelCurrent()
            case .cancelTrend(let request):
                quick.cancel { if case .loadTrend(_, request) = $0 { return true } else { return false } }
            default: (effect.isSlow ? slow : quick).enqueue(effect)
            }
        }
    }

    /// Answers that arrived since the last call, in arrival order.
    public func drain() -> [BackendEvent] { outbox.takeAll() }

    /// True while work is queued or running, or answers wait to be drained (the loop polls faster then: an answer
    /// that came before the loop's next look would otherwise wait out its idle timeout, 100 ms).
    public var isBusy: Bool { quick.isBusy || slow.isBusy || outbox.hasEvents }

    /// Stops both lanes after their current work (pending work is dropped, a slow query cancelled).
    public func shutdown() {
        slow.cancelCurrent()
        quick.stop()
        slow.stop()
    }
}

/// A locked list of answers.
final class Outbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [BackendEvent] = []

    func post(_ event: BackendEvent) {
        lock.lock(); events.append(event); lock.unlock()
    }

    var hasEvents: Bool {
        lock.lock(); defer { lock.unlock() }
        return !events.isEmpty
    }

    func takeAll() -> [BackendEvent] {
        lock.lock(); defer { lock.unlock() }
        let out = events
        events.removeAll()
        return out
    }
}

/// One worker thread with its own backend and a queue of effects.
final class Lane: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Effect] = []
    private var running: Effect?
    private var stopped = false
    private var cancelled = false
    private var canceller: (any QueryCanceller)?

    init(name: String, exportDirectory: String, makeBackend: @escaping @Sendable () throws -> any DashboardBackend, outbox: Outbox) {
        let thread = Thread { [self] in
            self.loop(exportDirectory: exportDirectory, makeBackend: makeBackend, outbox: outbox)
        }
        thread.name = name
        thread.start()
    }

    var isBusy: Bool {
        condition.lock(); defer { condition.unlock() }
        return running != nil || !queue.isEmpty
    }

    func enqueue(_ effect: Effect) {
        condition.lock()
        // A newer funnel query makes queued ones pointless: their answers would be dropped anyway.
        if case .loadFunnel = effect {
            queue.removeAll { if case .loadFunnel = $0 { return true } else { return false } }
        }
        if !queue.contains(effect) { queue.append(effect) }
        condition.signal()
        condition.unlock()
    }

    /// Cancels the running effect: its work stops at its next check, and its statement is cancelled.
    func cancelCurrent() {
        condition.lock()
        let target = running != nil ? canceller : nil
        if running != nil { cancelled = true }
        condition.unlock()
        // PQcancel opens a connection to the server and waits for it: never on the caller's (input) thread.
        if let target { DispatchQueue.global().async { target.cancel() } }
    }

    /// Drops the queued effects that `matches`, and stops the running one if it matches, at its next check (its
    /// statement runs to its end).
    func cancel(where matches: (Effect) -> Bool) {
        condition.lock()
        queue.removeAll(where: matches)
        if let current = running, matches(current) { cancelled = true }
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        queue.removeAll()
        condition.signal()
        condition.unlock()
    }

    private func loop(exportDirectory: String, makeBackend: @Sendable () throws -> any DashboardBackend, outbox: Outbox) {
        var backend: (any DashboardBackend)?
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            let effect = queue.removeFirst()
            running = effect
            cancelled = false
            condition.unlock()

            if backend == nil {
                do {
                    let made = try makeBackend()
                    backend = made
                    let c = made.makeCanceller()
                    condition.lock(); canceller = c; condition.unlock()
                } catch {
                    // Answer the effect with the connection error; the next effect tries again.
                    EffectExecutor.perform(effect, backend: FailingBackend(error: error), exportDirectory: exportDirectory,
                                           emit: outbox.post)
                }
            }
            if let current = backend {
                EffectExecutor.perform(effect, backend: current, exportDirectory: exportDirectory,
                                       isCancelled: { [self] in
                                           condition.lock(); defer { condition.unlock() }
                                           return cancelled
                                       },
                                       emit: outbox.post)
                // A broken connection (server restarted, network) is replaced for the next effect; a failed
                // statement on a live one (permission, timeout, cancel) keeps it.
                if !current.isAlive {
                    backend = nil
                    condition.lock(); canceller = nil; condition.unlock()
                }
            }
            condition.lock()
            running = nil
            condition.unlock()
        }
    }
}

/// Answers every call with the error that prevented connecting (export still works).
struct FailingBackend: DashboardBackend {
    var error: any Error
    func games() throws -> [GameInfo] { throw error }
    func dimensions(game: String) throws -> GameDimensions { throw error }
    func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult { throw error }
    func dataAsOf(game: String) throws -> Date? { throw error }
    func accessRights() throws -> AccessRights { throw error }
    func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary { throw error }
    func refresh(game: String?) throws -> String { throw error }
    func verify(_ query: FunnelQuery) throws -> VerifyReport { throw error }
    func aggregationStatus() throws -> [AggregationStatus] { throw error }
    func makeCanceller() -> (any QueryCanceller)? { nil }
    var isAlive: Bool { false }
}
