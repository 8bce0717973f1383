import Foundation
import LevelFunnelCore

/// A game present in the database.
public struct GameSummary: Sendable, Hashable {
    public var id: String
    public var firstDay: Day
    public var lastDay: Day
    /// Number of events, when the backend knows it cheaply.
    public var events: Int?

    public init(id: String, firstDay: Day, lastDay: Day, events: Int? = nil) {
        self.id = id
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.events = events
    }

    /// The game's whole history: the default range.
    public var wholeHistory: DayRange {
        (try? DayRange(from: firstDay, to: max(firstDay, lastDay))) ?? (try! DayRange(from: firstDay, to: firstDay))
    }
}

/// The values of each filterable dimension present for one game (what the filter panes list).
public struct FilterChoices: Sendable, Hashable {
    public var platforms: [String]
    public var countries: [String]
    public var appVersions: [String]
    public var funnels: [String]
    /// The versions of each funnel.
    public var funnelVersions: [String: [Int]]

    public init(platforms: [String] = [], countries: [String] = [], appVersions: [String] = [],
                funnels: [String] = [], funnelVersions: [String: [Int]] = [:]) {
        self.platforms = platforms
        self.countries = countries
        self.appVersions = appVersions
        self.funnels = funnels
        self.funnelVersions = funnelVersions
    }
}

/// How far a backfill has got.
public struct BackfillProgressInfo: Sendable, Hashable {
    public var game: String
    public var day: Day?
    public var daysDone: Int
    public var daysTotal: Int
    public var events: Int
    public var eventsPerSecond: Double
    public var elapsedSeconds: Double
    public var etaSeconds: Double?

    public init(game: String, day: Day?, daysDone: Int, daysTotal: Int, events: Int,
                eventsPerSecond: Double, elapsedSeconds: Double, etaSeconds: Double?) {
        self.game = game
        self.day = day
        self.daysDone = daysDone
        self.daysTotal = daysTotal
        self.events = events
        self.eventsPerSecond = eventsPerSecond
        self.elapsedSeconds = elapsedSeconds
        self.etaSeconds = etaSeconds
    }

    /// 0...1.
    public var fraction: Double { daysTotal == 0 ? 1 : min(1, Double(daysDone) / Double(daysTotal)) }
}

/// What a finished backfill did.
public struct BackfillOutcome: Sendable, Hashable {
    public var game: String
    public var range: DayRange
    public var days: Int
    public var events: Int
    public var seconds: Double

    public init(game: String, range: DayRange, days: Int, events: Int, seconds: Double) {
        self.game = game
        self.range = range
        self.days = days
        self.events = events
        self.seconds = seconds
    }
}

/// One value that differs between the fast and the raw path.
public struct VerifyDifference: Sendable, Hashable {
    public var levelId: Int
    /// The contract's field name (`starts`, `churnTotal`, ...).
    public var field: String
    public var fast: Double?
    public var raw: Double?

    public init(levelId: Int, field: String, fast: Double?, raw: Double?) {
        self.levelId = levelId
        self.field = field
        self.fast = fast
        self.raw = raw
    }
}

/// The comparison of fast and raw answers for one view.
public struct VerifyOutcome: Sendable, Hashable {
    public var query: FunnelQuery
    public var levelsCompared: Int
    public var differences: [VerifyDifference]
    public var fastMs: Double?
    public var rawMs: Double?

    public init(query: FunnelQuery, levelsCompared: Int, differences: [VerifyDifference],
                fastMs: Double? = nil, rawMs: Double? = nil) {
        self.query = query
        self.levelsCompared = levelsCompared
        self.differences = differences
        self.fastMs = fastMs
        self.rawMs = rawMs
    }
}

/// How complete the pre-aggregated tables are for one game.
public struct AggregationRow: Sendable, Hashable {
    public var game: String
    public var daysAggregated: Int
    public var daysTotal: Int
    public var lastAggregated: Date?
    public var staleDays: Int

    public init(game: String, daysAggregated: Int, daysTotal: Int, lastAggregated: Date?, staleDays: Int) {
        self.game = game
        self.daysAggregated = daysAggregated
        self.daysTotal = daysTotal
        self.lastAggregated = lastAggregated
        self.staleDays = staleDays
    }
}

/// Aborts the statement running on a backend's connection, from any thread.
public protocol QueryCanceller: Sendable {
    func cancel()
}

/// The database work the dashboard needs. Calls block; the `EffectRunner` makes them on worker
/// threads, each with its own backend instance (so implementations need not be thread-safe).
public protocol DashboardBackend {
    func games() throws -> [GameSummary]
    func dimensions(game: String) throws -> FilterChoices
    func funnel(_ query: FunnelQuery, source: FunnelSource) throws -> FunnelResult
    func dataAsOf(game: String) throws -> Date?
    func canWrite() throws -> Bool
    /// Rebuilds the aggregates of `range`; `progress` returns false to cancel.
    func backfill(game: String, range: DayRange, progress: (BackfillProgressInfo) -> Bool) throws -> BackfillOutcome
    /// Re-aggregates stale days; returns a one-line summary.
    func refresh(game: String?) throws -> String
    func verify(_ query: FunnelQuery) throws -> VerifyOutcome
    func aggregationStatus() throws -> [AggregationRow]
    /// Something that can abort the running statement from another thread, if supported.
    func makeCanceller() -> (any QueryCanceller)?
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
    case games(Result<[GameSummary], BackendFailure>)
    case permissions(Result<Bool, BackendFailure>)
    case dimensions(game: String, Result<FilterChoices, BackendFailure>)
    case funnel(request: Int, Result<FunnelResult, BackendFailure>)
    case dataAsOf(game: String, Result<Date?, BackendFailure>)
    case backfillProgress(job: Int, BackfillProgressInfo)
    case backfillFinished(job: Int, Result<BackfillOutcome, BackendFailure>)
    case refreshed(Result<String, BackendFailure>)
    case verified(Result<VerifyOutcome, BackendFailure>)
    case aggregationStatus(Result<[AggregationRow], BackendFailure>)
    case exported(Result<String, BackendFailure>)
}

extension BackendEvent {
    /// The failure this answer carries, if any.
    public var failure: BackendFailure? {
        func of<T>(_ result: Result<T, BackendFailure>) -> BackendFailure? {
            if case .failure(let f) = result { return f }
            return nil
        }
        switch self {
        case .games(let r): return of(r)
        case .permissions(let r): return of(r)
        case .dimensions(_, let r): return of(r)
        case .funnel(_, let r): return of(r)
        case .dataAsOf(_, let r): return of(r)
        case .backfillProgress: return nil
        case .backfillFinished(_, let r): return of(r)
        case .refreshed(let r): return of(r)
        case .verified(let r): return of(r)
        case .aggregationStatus(let r): return of(r)
        case .exported: return nil // a file error says nothing about the connection
        }
    }
}
