import Foundation

/// A game that has level events, with the span of its history.
public struct GameInfo: Sendable, Hashable {
    public var id: String
    /// UTC day of its first and last counted level event.
    public var firstDay: Day
    public var lastDay: Day
    /// Level events counted by the aggregates (nil when no day is aggregated yet): cheap to read, unlike a
    /// count over `events`.
    public var aggregatedLevelEvents: Int?

    public init(id: String, firstDay: Day, lastDay: Day, aggregatedLevelEvents: Int? = nil) {
        self.id = id
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.aggregatedLevelEvents = aggregatedLevelEvents
    }

    public var history: DayRange { (try? DayRange(from: firstDay, to: lastDay)) ?? DayRange.single(firstDay) }
}

/// The dimension values present in a game's data, for filter choices.
public struct GameDimensions: Sendable, Hashable {
    public var platforms: [String] = []
    public var countries: [String] = []
    public var appVersions: [String] = []
    public var funnels: [String] = []
    /// Funnel versions seen with each funnel.
    public var funnelVersions: [String: [Int]] = [:]

    public init(platforms: [String] = [], countries: [String] = [], appVersions: [String] = [],
                funnels: [String] = [], funnelVersions: [String: [Int]] = [:]) {
        self.platforms = platforms
        self.countries = countries
        self.appVersions = appVersions
        self.funnels = funnels
        self.funnelVersions = funnelVersions
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
    /// Days with events received after the day was last aggregated (late events), or never aggregated.
    public var staleDays: Int

    public init(game: String, firstDay: Day, lastDay: Day, aggregatedDays: Int, totalDays: Int,
                lastAggregatedAt: Date?, staleDays: Int) {
        self.game = game
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.aggregatedDays = aggregatedDays
        self.totalDays = totalDays
        self.lastAggregatedAt = lastAggregatedAt
        self.staleDays = staleDays
    }
}

extension DayRange {
    /// A one-day range.
    public static func single(_ day: Day) -> DayRange { try! DayRange(from: day, to: day) }
}
