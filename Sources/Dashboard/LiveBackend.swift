import Foundation
import LevelFunnelCore

/// The dashboard's backend over the real database: a `LevelFunnelStore` (one connection).
///
/// The `EffectRunner` makes one per worker thread, so each lane has its own connection and a raw
/// query on one can be cancelled without touching the other.
public final class LiveBackend: DashboardBackend {
    private let store: LevelFunnelStore

    /// Connects with `url`, else `DATABASE_URL`, else libpq's defaults.
    public init(url: String?) throws {
        store = try LevelFunnelStore(url: url)
    }

    public func games() throws -> [GameInfo] {
        try store.games()
    }

    public func dimensions(game: String) throws -> GameDimensions { try store.dimensions(game: game) }

    public func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult {
        try store.funnel(query, source: source)
    }

    /// Only the days with events are queried (`LevelFunnelStore.dailySeries`).
    public func dailySeries(_ query: FunnelQuery, shouldStop: () -> Bool) throws -> DailySeries {
        try store.dailySeries(query, source: .fast, shouldStop: shouldStop)
    }

    public func compare(_ plan: ComparePlan) throws -> FunnelCompare { try store.compare(plan, source: .fast) }

    public func breakdown(_ query: FunnelQuery, by dimension: LevelFunnelCore.Dimension, top: Int) throws -> Breakdown {
        try store.breakdown(query, by: dimension, top: top, source: .fast)
    }

    public func dataAsOf(game: String) throws -> Date? { try store.dataAsOf(game: game) }

    public func accessRights() throws -> AccessRights { try store.accessRights() }

    public func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary {
        let summary = try store.backfill(game: game, range: range, progress: progress)
        if summary.cancelled { throw LevelFunnelError.cancelled }
        return summary
    }

    /// Refreshes one game or every game; a game that fails on its own (a timeout on one of its days: an
    /// ``AggregationFailure`` that is not a lost database, the rule of the CLI's `refresh`) does not stop the others:
    /// the summary names the failures, and is an error when there are any.
    public func refresh(game: String?) throws -> String {
        let ids = try game.map { [$0] } ?? store.games().map(\.id)
        var days = 0, events = 0, seconds = 0.0
        var failures: [String] = []
        for id in ids {
            do {
                let summary = try store.refresh(game: id)
                days += summary.days.count
                events += summary.events
                seconds += summary.seconds
            } catch let failure as AggregationFailure where !failure.isConnectionLost {
                failures.append("\(failure)")
            }
        }
        let games = ids.count == 1 ? ids[0] : "\(ids.count) games"
        let done = "\(games): \(days) days re-aggregated, \(Format.count(events)) events in \(Format.duration(seconds))"
        guard failures.isEmpty else {
            throw BackendFailure(message: "\(done); \(failures.count) failed: \(failures.joined(separator: "; "))")
        }
        return done
    }

    public func verify(_ query: FunnelQuery) throws -> VerifyReport { try store.verify(query) }

    public func aggregationStatus() throws -> [AggregationStatus] { try store.aggregationStatus() }

    public var isAlive: Bool { store.isAlive }

    public func makeCanceller() -> (any QueryCanceller)? {
        let canceller = store.makeCanceller()
        return ClosureCanceller { canceller.cancel() }
    }
}

/// A canceller calling a thread-safe closure.
struct ClosureCanceller: QueryCanceller {
    let action: @Sendable () -> Void

    init(_ action: @escaping @Sendable () -> Void) { self.action = action }

    func cancel() { action() }
}
