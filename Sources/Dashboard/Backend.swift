import Foundation
import LevelFunnelCore

/// Aborts the statement running on a backend's connection, from any thread.
public protocol QueryCanceller: Sendable {
    func cancel()
}

/// The database work the dashboard needs. Calls block; the `EffectRunner` makes them on worker
/// threads, each with its own backend instance (so implementations need not be thread-safe).
public protocol DashboardBackend {
    func games() throws -> [GameInfo]
    func dimensions(game: String) throws -> GameDimensions
    func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult
    /// `query` day by day on the fast path; `shouldStop` is asked between days (true: `LevelFunnelError.cancelled`).
    func dailySeries(_ query: FunnelQuery, shouldStop: () -> Bool) throws -> DailySeries
    /// The baseline and variant of `plan` on the fast path, compared level by level.
    func compare(_ plan: ComparePlan) throws -> FunnelCompare
    /// `query` on the fast path broken down by `dimension`, the `top` values with the most players shown.
    func breakdown(_ query: FunnelQuery, by dimension: LevelFunnelCore.Dimension, top: Int) throws -> Breakdown
    func dataAsOf(game: String) throws -> Date?
    /// What the connected role may do (read events, aggregate): refused items say why instead of failing.
    func accessRights() throws -> AccessRights
    /// Rebuilds the aggregates of `range`; `progress` returns false to cancel, which throws
    /// `LevelFunnelError.cancelled` (a returned summary is never `cancelled`).
    func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary
    /// Re-aggregates stale days; returns a one-line summary.
    func refresh(game: String?) throws -> String
    func verify(_ query: FunnelQuery) throws -> VerifyReport
    func aggregationStatus() throws -> [AggregationStatus]
    /// Something that can abort the running statement from another thread, if supported.
    func makeCanceller() -> (any QueryCanceller)?
    /// False once the connection is broken: the runner then opens a new backend. A failed statement on a live
    /// connection (a permission, a timeout, a cancel) keeps it.
    var isAlive: Bool { get }
}

/// The core's analyses over the backend's `funnel` and `dimensions` (the store's own, with `LiveBackend`).
extension DashboardBackend {
    /// One fast `funnel` per day of the range.
    public func dailySeries(_ query: FunnelQuery, shouldStop: () -> Bool) throws -> DailySeries {
        try DailySeries.load(query, shouldStop: shouldStop) { try funnel($0, source: .fast) }
    }

    public func compare(_ plan: ComparePlan) throws -> FunnelCompare {
        try FunnelCompare.load(plan) { try funnel($0, source: .fast) }
    }

    public func breakdown(_ query: FunnelQuery, by dimension: LevelFunnelCore.Dimension, top: Int) throws -> Breakdown {
        try Breakdown.load(query, dimension: dimension, dimensions: try dimensions(game: query.game), top: top) {
            try funnel($0, source: .fast)
        }
    }
}

/// A backend failure as the dashboard shows it: one line, and whether it was a cancellation.
public struct BackendFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var cancelled: Bool

    public init(message: String, cancelled: Bool = false) {
        self.message = message
        self.cancelled = cancelled
    }

    /// Wraps any error; `LevelFunnelError.cancelled` (or `cancelled: true`) marks a cancellation.
    public init(_ error: any Error, cancelled: Bool = false) {
        if let failure = error as? BackendFailure {
            self = failure
            if cancelled { self.cancelled = true }
            return
        }
        let isCancel = cancelled || (error as? LevelFunnelError) == .cancelled
        self.cancelled = isCancel
        let text = String(describing: error)
        // Keep the status bar to one line.
        self.message = isCancel ? "cancelled" : text.split(separator: "\n").first.map(String.init) ?? text
    }

    public var description: String { message }
}

/// What the database answered to an `Effect`: fed back to the reducer as `DashboardEvent.backend`.
public enum BackendEvent: Sendable {
    case games(Result<[GameInfo], BackendFailure>)
    case permissions(Result<AccessRights, BackendFailure>)
    case dimensions(game: String, Result<GameDimensions, BackendFailure>)
    case funnel(request: Int, Result<FunnelResult, BackendFailure>)
    case dataAsOf(game: String, Result<Date?, BackendFailure>)
    case backfillProgress(job: Int, BackfillProgress)
    case backfillFinished(job: Int, Result<BackfillSummary, BackendFailure>)
    case refreshed(Result<String, BackendFailure>)
    case verified(Result<VerifyReport, BackendFailure>)
    case aggregationStatus(Result<[AggregationStatus], BackendFailure>)
    case exported(Result<String, BackendFailure>)
    case compared(request: Int, Result<FunnelCompare, BackendFailure>)
    case trend(request: Int, Result<DailySeries, BackendFailure>)
    case breakdown(request: Int, Result<Breakdown, BackendFailure>)
    case savedViews(Result<[String: SavedView], BackendFailure>)
    case viewSaved(name: String, Result<String, BackendFailure>)
}
