import Foundation

/// Progress of a backfill, reported after each day.
public struct BackfillProgress: Sendable {
    public var game: String
    /// The day just aggregated.
    public var day: Day
    public var daysDone: Int
    public var daysTotal: Int
    /// Level events counted so far.
    public var events: Int
    public var eventsPerSecond: Double
    public var elapsedSeconds: Double
    /// Estimated seconds left, from the pace so far; nil before the first day.
    public var etaSeconds: Double?

    /// Fraction done, 0...1.
    public var fraction: Double { daysTotal == 0 ? 1 : Double(daysDone) / Double(daysTotal) }
}

/// What a backfill did.
public struct BackfillSummary: Sendable {
    public var game: String
    public var range: DayRange
    public var daysDone: Int
    public var events: Int
    public var rowsWritten: Int
    public var rowsRemoved: Int
    public var seconds: Double
    /// True when the progress callback asked to stop; the days done so far are complete and kept.
    public var cancelled: Bool

    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// What a refresh (the daily job) did for one game.
public struct RefreshSummary: Sendable {
    public var game: String
    /// The days re-aggregated: never aggregated before, with late events, or today/yesterday.
    public var days: [Day]
    public var events: Int
    public var seconds: Double
}
