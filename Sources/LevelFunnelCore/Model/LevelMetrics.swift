/// The counted fields of one level over a range and filters (the contract's first table).
public struct LevelCounts: Sendable, Hashable, Codable {
    public var levelId: Int
    public var starts: Int
    public var completes: Int
    public var fails: Int
    /// Distinct players with at least one `level_start`.
    public var startedPlayers: Int
    /// Distinct players with at least one `level_complete`.
    public var completedPlayers: Int
    /// Number of booster events (an event count, despite the name).
    public var usersWithBoosters: Int
    /// Number of EGP events.
    public var failsWithPurchase: Int
    /// Sum of valid durations on completes, exact (a `numeric` in SQL).
    public var totalCompletionDuration: ExactDecimal
    public var completionCount: Int
    /// Sum of valid durations on fails, exact.
    public var totalFailDuration: ExactDecimal
    public var failCount: Int

    public init(levelId: Int, starts: Int = 0, completes: Int = 0, fails: Int = 0,
                startedPlayers: Int = 0, completedPlayers: Int = 0,
                usersWithBoosters: Int = 0, failsWithPurchase: Int = 0,
                totalCompletionDuration: ExactDecimal = 0, completionCount: Int = 0,
                totalFailDuration: ExactDecimal = 0, failCount: Int = 0) {
        self.levelId = levelId
        self.starts = starts
        self.completes = completes
        self.fails = fails
        self.startedPlayers = startedPlayers
        self.completedPlayers = completedPlayers
        self.usersWithBoosters = usersWithBoosters
        self.failsWithPurchase = failsWithPurchase
        self.totalCompletionDuration = totalCompletionDuration
        self.completionCount = completionCount
        self.totalFailDuration = totalFailDuration
        self.failCount = failCount
    }
}

/// One level's counts and derived metrics (percentages are 0–100; `nil` where a denominator is 0).
public struct LevelMetrics: Sendable, Hashable {
    public var counts: LevelCounts
    public var churnStartComplete: Double?
    public var churnCompleteNext: Double?
    public var churnTotal: Double?
    public var boosterUsage: Double?
    public var egpRate: Double?
    public var winRate: Double?
    public var completionRate: Double?
    public var failRate: Double?
    public var funnelRate: Double?
    public var apsRaw: Double?
    public var apsClean: Double?
    public var meanCompletionDuration: Double?
    public var meanFailDuration: Double?

    public var levelId: Int { counts.levelId }

    public init(counts: LevelCounts) { self.counts = counts }
}

/// The answer to a funnel query.
public struct FunnelResult: Sendable {
    public var query: FunnelQuery
    /// The path that answered (`.aggregates` when `.fast` was asked but `events` could not be read).
    public var source: FunnelSource
    /// Wall time of the database work, in milliseconds.
    public var queryMs: Double
    /// Levels ordered by `levelId`.
    public var levels: [LevelMetrics]

    /// Where each day came from (nil on the raw path, which reads every day from the events).
    public var coverage: Coverage?
    /// How current the aggregates behind the answer are (nil on the raw path).
    public var freshness: Freshness?

    public init(query: FunnelQuery, source: FunnelSource, queryMs: Double, levels: [LevelMetrics],
                coverage: Coverage? = nil, freshness: Freshness? = nil) {
        self.query = query
        self.source = source
        self.queryMs = queryMs
        self.levels = levels
        self.coverage = coverage
        self.freshness = freshness
    }
}
