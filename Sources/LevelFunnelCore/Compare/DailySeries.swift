/// A selection day by day: one exact funnel query per day of the range that has events (the same filters), so
/// each day's numbers are those of `query --from DAY --to DAY`. The days without any event are answered without
/// a query (``QuietDays``): a wrong clock's event dated decades away costs one day, not the calendar days between.
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
    /// Database time of finding the days without events, in milliseconds.
    public var quietMs: Double = 0

    public init(query: FunnelQuery, points: [Point]) {
        self.query = query
        self.points = points
    }

    /// Runs `funnel` once per day of `query.range` with `query`'s filters, except the days `quiet` answers.
    /// `shouldStop` is asked before each query: true ends the load with ``LevelFunnelError/cancelled``.
    public static func load(_ query: FunnelQuery, quiet: QuietDays = QuietDays(), shouldStop: () -> Bool = { false },
                            funnel: (FunnelQuery) throws -> FunnelResult) throws -> DailySeries {
        var series = DailySeries(query: query, points: try query.range.days.map { day in
            if let answer = quiet.answers[day] { return Point(day: day, result: answer) }
            if shouldStop() { throw LevelFunnelError.cancelled }
            var one = query
            one.range = .single(day)
            return Point(day: day, result: try funnel(one))
        })
        series.quietMs = quiet.queryMs
        return series
    }

    /// One level's value of `field` per day (nil where undefined or absent).
    public func values(_ field: MetricField, level: Int) -> [Double?] {
        points.map { $0.level(level).flatMap(field.value) }
    }

    /// Database time of all the days' queries, in milliseconds.
    public var queryMs: Double { points.reduce(quietMs) { $0 + $1.result.queryMs } }
}

/// The days of a range that have no event at all, each with its answer (no level; its coverage and freshness as
/// a query of that day alone would give them), found with one index probe per day that has events
/// (``LevelFunnelStore/quietDays(_:source:today:)``).
public struct QuietDays: Sendable {
    public var answers: [Day: FunnelResult]
    /// Database time of finding them, in milliseconds.
    public var queryMs: Double

    public init(answers: [Day: FunnelResult] = [:], queryMs: Double = 0) {
        self.answers = answers
        self.queryMs = queryMs
    }
}
