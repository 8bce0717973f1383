import Foundation

/// A game that has level events, with the span of its history.
public struct GameInfo: Sendable, Hashable {
    public var id: String
    /// UTC day of its first and last counted level event.
    public var firstDay: Day
    public var lastDay: Day
    /// The last day with a counted level event that is not after today (UTC): where "the last N days" end, so that
    /// an event dated years ahead by a wrong clock does not take them there. The first day when every event is
    /// dated after today.
    public var lastPastDay: Day
    /// Level events counted by the aggregates (nil when no day is aggregated yet): cheap to read, unlike a
    /// count over `events`.
    public var aggregatedLevelEvents: Int?
    /// The span is the aggregates' (the role may not read `events`): days not aggregated yet are not in it.
    public var fromAggregatesOnly: Bool

    public init(id: String, firstDay: Day, lastDay: Day, lastPastDay: Day? = nil, aggregatedLevelEvents: Int? = nil,
                fromAggregatesOnly: Bool = false) {
        self.id = id
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.lastPastDay = lastPastDay ?? lastDay
        self.aggregatedLevelEvents = aggregatedLevelEvents
        self.fromAggregatesOnly = fromAggregatesOnly
    }

    public var history: DayRange { (try? DayRange(from: firstDay, to: lastDay)) ?? DayRange.single(firstDay) }

    /// The last `n` days ending on ``lastPastDay``, none before the first day (the `last N days` presets).
    public func lastDays(_ n: Int) -> DayRange {
        (try? DayRange(from: max(firstDay, lastPastDay.adding(days: -(n - 1))), to: lastPastDay)) ?? .single(lastPastDay)
    }
}

/// The dimension values present in a game's data, for filter choices.
public struct GameDimensions: Sendable, Hashable {
    /// Each dimension's values, sorted for pick lists (`Dimension.sorted`).
    public var values: [Dimension: [String]]
    /// For a dimension with a parent (a funnel's versions): its values under each value of the parent.
    public var valuesByParent: [Dimension: [String: [String]]]

    public init(values: [Dimension: [String]] = [:], valuesByParent: [Dimension: [String: [String]]] = [:]) {
        self.values = values
        self.valuesByParent = valuesByParent
    }

    /// Builds the lists from distinct dimension tuples (nil: NULL, which is not a filter value).
    public init(tuples: [[Dimension: String]]) {
        var seen: [Dimension: Set<String>] = [:]
        var seenByParent: [Dimension: [String: Set<String>]] = [:]
        for tuple in tuples {
            for (dimension, value) in tuple {
                seen[dimension, default: []].insert(value)
                if let parent = dimension.parent, let parentValue = tuple[parent] {
                    seenByParent[dimension, default: [:]][parentValue, default: []].insert(value)
                }
            }
        }
        values = Dictionary(uniqueKeysWithValues: seen.map { dimension, set in (dimension, dimension.sorted(set)) })
        valuesByParent = Dictionary(uniqueKeysWithValues: seenByParent.map { dimension, byParent in
            (dimension, byParent.mapValues { dimension.sorted($0) })
        })
    }

    /// The values to offer for `dimension` under `filters`: a child dimension offers only the values of the
    /// parent value filtered on, and none while the parent is "all".
    public func options(_ dimension: Dimension, filters: FunnelFilters) -> [String] {
        guard let parent = dimension.parent else { return values[dimension] ?? [] }
        guard let parentValue = filters[parent] else { return [] }
        return valuesByParent[dimension]?[parentValue] ?? []
    }
}

/// How far a game's aggregates are from its events.
public struct AggregationStatus: Sendable, Hashable {
    public var game: String
    public var firstDay: Day
    public var lastDay: Day
    /// Days of the history that have been aggregated at least once.
    public var aggregatedDays: Int
    /// Days in the history (first to last event day).
    public var totalDays: Int
    /// When the newest aggregation ran, if ever.
    public var lastAggregatedAt: Date?
    /// Days that are not fresh: never aggregated, stale, or with a pending captured change.
    public var staleDays: Int
    /// Level events dated after today (wrong device clocks); they count on their `occurred_at` day.
    public var futureEvents: Int
    /// Days a fast query computes from the events now (the live tail: from the first day that is not fresh on).
    public var liveDays: Int
    /// Read by a role that may not read `events`: `staleDays` counts only days marked stale, and pending changes,
    /// live days and future-dated events are unknown (zero).
    public var fromAggregatesOnly = false

    public init(game: String, firstDay: Day, lastDay: Day, aggregatedDays: Int, totalDays: Int,
                lastAggregatedAt: Date?, staleDays: Int, futureEvents: Int = 0, liveDays: Int = 0) {
        self.game = game
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.aggregatedDays = aggregatedDays
        self.totalDays = totalDays
        self.lastAggregatedAt = lastAggregatedAt
        self.staleDays = staleDays
        self.futureEvents = futureEvents
        self.liveDays = liveDays
    }
}

extension DayRange {
    /// A one-day range.
    public static func single(_ day: Day) -> DayRange { try! DayRange(from: day, to: day) }
}
