import Foundation
import LevelFunnelCore

/// A backend over canned counts, for tests and offline demos: every query runs the counts through
/// `MetricsFormula`, filters select among per-filter canned counts, and the raw path equals the fast one.
public struct InMemoryBackend: DashboardBackend {
    public var gameList: [GameInfo]
    public var dimensionsByGame: [String: GameDimensions]
    /// Counts per game for unfiltered queries.
    public var counts: [String: [LevelCounts]]
    /// Counts for specific filter combinations (falls back to `counts` scaled by half per active filter).
    public var filteredCounts: [FunnelFilters: [LevelCounts]]
    public var access: AccessRights
    public var asOf: Date?
    /// When set, every funnel query throws this message.
    public var funnelError: String?
    /// When set, the funnel error also breaks the connection (`isAlive` turns false), like a server restart.
    public var funnelErrorLosesConnection = false
    private let broken = BrokenFlag()
    /// Reported as the query time.
    public var queryMs: Double
    /// Reported as every fast answer's coverage.
    public var coverage: Coverage?
    /// When true, a one-day query answers a share of the counts that changes with the day (1 to 5 fiftieths,
    /// fails doubled from day 60 of a game's history on): trends have something to show.
    public var varyByDay = false

    public init(games: [GameInfo], dimensions: [String: GameDimensions] = [:], counts: [String: [LevelCounts]],
                filteredCounts: [FunnelFilters: [LevelCounts]] = [:], access: AccessRights = .everything, asOf: Date? = nil,
                funnelError: String? = nil, queryMs: Double = 3.2) {
        gameList = games
        dimensionsByGame = dimensions
        self.counts = counts
        self.filteredCounts = filteredCounts
        self.access = access
        self.asOf = asOf
        self.funnelError = funnelError
        self.queryMs = queryMs
    }

    public func games() throws -> [GameInfo] { gameList }

    public func dimensions(game: String) throws -> GameDimensions { dimensionsByGame[game] ?? GameDimensions() }

    public var isAlive: Bool { !broken.isSet }

    public func funnel(_ query: FunnelQuery, source asked: FunnelSource) throws -> FunnelResult {
        // As the store does: a role that may not read events gets the aggregates' answer to a fast query.
        let source: FunnelSource = asked == .fast && !access.canReadEvents ? .aggregates : asked
        if let funnelError {
            if funnelErrorLosesConnection { broken.set() }
            throw BackendFailure(message: funnelError)
        }
        let base = filteredCounts[query.filters] ?? (counts[query.game] ?? []).map { c in
            // Each active filter keeps half of everything: enough to see the table react.
            let divisor = 1 << query.filters.active.count
            return LevelCounts(levelId: c.levelId, starts: c.starts / divisor, completes: c.completes / divisor,
                               fails: c.fails / divisor, startedPlayers: c.startedPlayers / divisor,
                               completedPlayers: c.completedPlayers / divisor, usersWithBoosters: c.usersWithBoosters / divisor,
                               failsWithPurchase: c.failsWithPurchase / divisor,
                               totalCompletionDuration: Self.scaled(c.totalCompletionDuration, 1 / Double(divisor)),
                               completionCount: c.completionCount / divisor,
                               totalFailDuration: Self.scaled(c.totalFailDuration, 1 / Double(divisor)), failCount: c.failCount / divisor)
        }
        guard varyByDay, query.range.dayCount == 1 else {
            return FunnelResult(query: query, source: source, queryMs: queryMs, levels: MetricsFormula.derive(base),
                                coverage: source == .raw ? nil : coverage)
        }
        let day = query.range.from.ordinal
        let late = gameList.first { $0.id == query.game }.map { $0.firstDay.distance(to: query.range.from) >= 60 } ?? false
        let daily = base.map { c in
            let k = 1 + (day + c.levelId) % 5
            func share(_ n: Int) -> Int { n * k / 50 }
            let fails = share(c.fails) * (late ? 2 : 1)
            return LevelCounts(levelId: c.levelId, starts: share(c.starts) + fails - share(c.fails), completes: share(c.completes),
                               fails: fails, startedPlayers: share(c.startedPlayers), completedPlayers: share(c.completedPlayers),
                               usersWithBoosters: share(c.usersWithBoosters) * (late ? 3 : 1), failsWithPurchase: share(c.failsWithPurchase),
                               totalCompletionDuration: Self.scaled(c.totalCompletionDuration, Double(k) / 50), completionCount: share(c.completionCount),
                               totalFailDuration: Self.scaled(c.totalFailDuration, Double(k) / 50), failCount: share(c.failCount))
        }
        return FunnelResult(query: query, source: source, queryMs: queryMs / 4, levels: MetricsFormula.derive(daily))
    }

    /// A made-up share of a sum (this backend invents its numbers; exactness is the store's business).
    private static func scaled(_ sum: ExactDecimal, _ factor: Double) -> ExactDecimal { ExactDecimal("\(sum.doubleValue * factor)")! }

    public func dataAsOf(game: String) throws -> Date? { asOf }

    public func accessRights() throws -> AccessRights { access }

    public func backfill(game: String, range: DayRange, progress: (BackfillProgress) -> Bool) throws -> BackfillSummary {
        let total = range.dayCount
        for (i, day) in range.days.enumerated() {
            let info = BackfillProgress(game: game, day: day, daysDone: i + 1, daysTotal: total, events: (i + 1) * 100,
                                        eventsPerSecond: 1000, elapsedSeconds: Double(i + 1) / 10,
                                        etaSeconds: Double(total - i - 1) / 10)
            if !progress(info) { throw LevelFunnelError.cancelled }
        }
        return BackfillSummary(game: game, range: range, daysDone: total, events: total * 100, rowsWritten: 0, rowsRemoved: 0,
                               seconds: Double(total) / 10, cancelled: false)
    }

    public func refresh(game: String?) throws -> String { "0 stale days" }

    public func verify(_ query: FunnelQuery) throws -> VerifyReport {
        let fast = try funnel(query, source: .fast)
        return VerifyReport(query: query, fastMs: queryMs, rawMs: queryMs * 40, levelsCompared: fast.levels.count, differences: [])
    }

    public func aggregationStatus() throws -> [AggregationStatus] {
        gameList.map { g in
            AggregationStatus(game: g.id, firstDay: g.firstDay, lastDay: g.lastDay,
                              aggregatedDays: g.firstDay.distance(to: g.lastDay) + 1,
                              totalDays: g.firstDay.distance(to: g.lastDay) + 1, lastAggregatedAt: asOf, staleDays: 0)
        }
    }

    public func makeCanceller() -> (any QueryCanceller)? { nil }
}

/// Whether an in-memory "connection" was broken (shared by copies of the backend value).
final class BrokenFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
