/// How many days each pass of a backfill or refresh takes (a pass: consecutive days aggregated in one
/// transaction, see `DailyAggregation`). Longer passes pay each statement's fixed cost and each player key's
/// probe once for more days; their temporary tables and sorts grow with the pass's events. So a pass spans as
/// many calendar days as hold about ``eventBudget`` level events at the pace seen so far in this run (its first
/// pass is one day, to see the pace): a month at 1x (6K level events a day), about two days at 100x (950K).
struct AggregationPasses {
    /// Calendar days a pass spans at most, by default.
    static let maxDays = 31
    /// Level events a pass aims at: its working set (the pass's player keys and their days, sorted and grouped
    /// in `work_mem`) stays in memory at 100x.
    static let eventBudget = 2_000_000

    /// Calendar days a pass spans at most in this run.
    let maxDays: Int
    private var daysDone = 0
    private var eventsDone = 0

    init(maxDays: Int = Self.maxDays) { self.maxDays = max(1, maxDays) }

    /// Calendar days the next pass spans.
    var spanDays: Int {
        guard daysDone > 0 else { return 1 }
        let perDay = max(1, eventsDone / daysDone)
        return min(maxDays, max(1, Self.eventBudget / perDay))
    }

    /// The next pass: the first of `days` (days with events, in order) and those after it within ``spanDays``.
    func next(_ days: ArraySlice<Day>) -> [Day] {
        guard let first = days.first else { return [] }
        let span = spanDays
        return Array(days.prefix { first.distance(to: $0) < span })
    }

    /// Counts a pass done, for the pace.
    mutating func record(_ done: [DayAggregation]) {
        daysDone += done.count
        eventsDone += done.map(\.levelEvents).reduce(0, +)
    }
}
