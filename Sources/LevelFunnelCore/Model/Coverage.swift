import Foundation

/// Where each day of a fast answer came from, so that no answer is partial without saying so.
public struct Coverage: Sendable, Hashable {
    /// Days in the range.
    public var days: Int
    /// Days answered from fresh aggregates.
    public var aggregated: Int
    /// Days computed from the events in the same answer (never aggregated, stale, with a pending change, or after
    /// such a day: later days' player counts depend on it).
    public var live: Int
    /// Days that could not be answered: not aggregated, and the events could not be read (`--source aggregates`,
    /// or a role without access to `events`).
    public var missing: Int
    /// Days answered from aggregates that are known to be behind their events (only with `--source aggregates`).
    public var stale: Int
    /// The first and last day computed from the events, if any.
    public var firstLive: Day?
    public var lastLive: Day?
    /// True when the range includes today (UTC): today's numbers grow until the day is over.
    public var includesToday: Bool

    public init(days: Int, aggregated: Int, live: Int = 0, missing: Int = 0, stale: Int = 0,
                firstLive: Day? = nil, lastLive: Day? = nil, includesToday: Bool = false) {
        self.days = days
        self.aggregated = aggregated
        self.live = live
        self.missing = missing
        self.stale = stale
        self.firstLive = firstLive
        self.lastLive = lastLive
        self.includesToday = includesToday
    }

    /// True when every day is in the answer and up to date.
    public var isComplete: Bool { missing == 0 && stale == 0 }

    /// For people: `38 days aggregated + 2 live`, `5 days missing`, `today is partial`.
    public var summary: String {
        var parts = ["\(aggregated) \(aggregated == 1 ? "day" : "days") aggregated"]
        if live > 0 { parts.append("\(live) live") }
        if stale > 0 { parts.append("\(stale) stale") }
        if missing > 0 { parts.append("\(missing) missing") }
        var text = parts.joined(separator: " + ")
        if includesToday { text += ", today is partial" }
        return text
    }
}

/// How current the aggregates behind an answer are.
public struct Freshness: Sendable, Hashable {
    /// When the newest day of the range (or, without one, of the game) was last aggregated.
    public var aggregatedAt: Date?
    /// Every event received before this time is in the aggregates (the last refresh's watermark, less its
    /// margin); nil before the first refresh.
    public var receivedThrough: Date?

    public init(aggregatedAt: Date?, receivedThrough: Date?) {
        self.aggregatedAt = aggregatedAt
        self.receivedThrough = receivedThrough
    }
}
