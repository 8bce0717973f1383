import Foundation

/// Progress of a backfill, reported after each day.
public struct BackfillProgress: Sendable, Hashable {
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

    public init(game: String, day: Day, daysDone: Int, daysTotal: Int, events: Int,
                eventsPerSecond: Double, elapsedSeconds: Double, etaSeconds: Double?) {
        self.game = game
        self.day = day
        self.daysDone = daysDone
        self.daysTotal = daysTotal
        self.events = events
        self.eventsPerSecond = eventsPerSecond
        self.elapsedSeconds = elapsedSeconds
        self.etaSeconds = etaSeconds
    }

    /// Fraction done, 0...1.
    public var fraction: Double { daysTotal == 0 ? 1 : Double(daysDone) / Double(daysTotal) }
}

/// What a backfill did.
public struct BackfillSummary: Sendable, Hashable {
    public var game: String
    public var range: DayRange
    public var daysDone: Int
    public var events: Int
    public var rowsWritten: Int
    public var rowsRemoved: Int
    public var seconds: Double
    /// True when the progress callback asked to stop; the days done so far are complete and kept.
    public var cancelled: Bool

    public init(game: String, range: DayRange, daysDone: Int, events: Int, rowsWritten: Int, rowsRemoved: Int,
                seconds: Double, cancelled: Bool) {
        self.game = game
        self.range = range
        self.daysDone = daysDone
        self.events = events
        self.rowsWritten = rowsWritten
        self.rowsRemoved = rowsRemoved
        self.seconds = seconds
        self.cancelled = cancelled
    }

    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// What a refresh (the daily job) did for one game.
public struct RefreshSummary: Sendable {
    public var game: String
    /// The days re-aggregated: never aggregated before, stale (among them those whose additive dimensions a
    /// delta changed), and the later days with events after a day whose activity changed.
    public var days: [Day]
    /// Days without events recorded as aggregated (in one statement).
    public var emptyDays: Int
    public var events: Int
    public var seconds: Double
    /// True when `shouldStop` ended the refresh early: `days` holds the days done, each complete, and the next
    /// refresh does the rest.
    public var stopped = false
    /// The pending changes applied as deltas before any day was rebuilt.
    public var applied = AppliedChanges()

    public init(game: String, days: [Day], emptyDays: Int = 0, events: Int, seconds: Double, stopped: Bool = false) {
        self.game = game
        self.days = days
        self.emptyDays = emptyDays
        self.events = events
        self.seconds = seconds
        self.stopped = stopped
    }
}

/// Which days the daily job re-checks against their events' fingerprints (see `LevelFunnelStore.refresh`).
public enum FingerprintCheck: Sendable, Hashable {
    /// None: only the captured changes (`event_changes`) say which days changed.
    case none
    /// The last `n` days up to today.
    case days(Int)
    /// The whole history.
    case all

    /// The days to check, within the game's history; nil when there are none.
    func window(history: DayRange, today: Day) -> DayRange? {
        switch self {
        case .none: return nil
        case .all: return history
        case .days(let n):
            let from = max(history.from, today.adding(days: 1 - n))
            let to = min(history.to, today)
            return n > 0 && from <= to ? try? DayRange(from: from, to: to) : nil
        }
    }
}
