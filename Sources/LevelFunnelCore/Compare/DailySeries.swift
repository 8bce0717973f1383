/// A selection day by day: one exact funnel query per day of the range (the same filters), so each day's numbers
/// are those of `query --from DAY --to DAY`.
public struct DailySeries: Sendable {
    /// One day's answer.
    public struct Point: Sendable {
        public var day: Day
        public var result: FunnelResult
        /// The level's metrics that day, nil when it had no counted event.
        public func level(_ id: Int) -> LevelMetrics? { result.levels.first { $0.levelId == id } }
    }

    /// The whole selection (its range is the series' range).
    public var query: FunnelQuery
    /// Every day of the range, in order (days without events hold an empty result).
    public var points: [Point]

    public init(query: FunnelQuery, points: [Point]) {
        self.query = query
        self.points = points
    }

    /// Runs `funnel` once per day of `query.range` with `query`'s filters.
    public static func load(_ query: FunnelQuery, funnel: (FunnelQuery) throws -> FunnelResult) throws -> DailySeries {
        DailySeries(query: query, points: try query.range.days.map { day in
            var one = query
            one.range = .single(day)
            return Point(day: day, result: try funnel(one))
        })
    }

    /// One level's value of `field` per day (nil where undefined or absent).
    public func values(_ field: MetricField, level: Int) -> [Double?] {
        points.map { $0.level(level).flatMap(field.value) }
    }

    /// Database time of all the days' queries, in milliseconds.
    public var queryMs: Double { points.reduce(0) { $0 + $1.result.queryMs } }
}
