import Foundation

/// A game that has level events, with the span of its history.
public struct GameInfo: Sendable, Hashable {
    public var id: String
    /// UTC day of its first and last counted level event.
    public var firstDay: Day
    public var lastDay: Day

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

    public init() {}
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
}

extension DayRange {
    /// A one-day range.
    public static func single(_ day: Day) -> DayRange { try! DayRange(from: day, to: day) }
}
