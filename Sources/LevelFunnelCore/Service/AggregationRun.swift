import Foundation

/// The passes a backfill or refresh has left: the days with events of its range, in order, which of them it
/// aggregates, and how far it got. Made once, when the run first holds the game's lock, and advanced explicitly
/// once a pass is done (``finish(_:_:changed:)``): a run re-entered on a new connection (see `withReconnect`)
/// starts again at the pass that was lost, which rolled back with its session.
struct PassPlan {
    /// The days with events of the run's range, in order.
    let busy: [Day]
    /// The days to aggregate; nil: every one (a backfill).
    private(set) var needed: Set<Day>?
    /// Index in ``busy`` of the first day not done.
    private(set) var next = 0
    /// A pass changed a day: every later day is needed too, as later days' player counts depend on earlier days.
    private(set) var earlierChanged = false
    /// How many days each pass takes, from the pace so far.
    private var sizes: AggregationPasses

    init(busy: [Day], needed: Set<Day>? = nil, maxPassDays: Int) {
        self.busy = busy
        self.needed = needed
        sizes = AggregationPasses(maxDays: maxPassDays)
    }

    /// Days with events not done yet (needed or not).
    var daysLeft: Int { busy.count - next }

    func isNeeded(_ day: Day) -> Bool { earlierChanged || needed?.contains(day) ?? true }

    /// The next pass: the first needed day from here and the needed days after it within the pass's span
    /// (``AggregationPasses``); the days not needed before it are passed over. Nil when no needed day is left.
    mutating func nextPass() -> [Day]? {
        while next < busy.count && !isNeeded(busy[next]) { next += 1 }
        guard next < busy.count else { return nil }
        return sizes.next(busy[next...].prefix(while: isNeeded))
    }

    /// `pass`, the last ``nextPass()``, is done: `done` is what each of its days did, `changed` whether any day of
    /// its range changed.
    mutating func finish(_ pass: [Day], _ done: [DayAggregation], changed: Bool) {
        sizes.record(done)
        earlierChanged = earlierChanged || changed
        next += pass.count
    }

    /// Needs `days` too (the days a resumed refresh finds not fresh).
    mutating func need(_ days: some Sequence<Day>) { needed?.formUnion(days) }
}

/// A backfill under way: its plan and what it did so far, carried across reconnects.
struct BackfillRun {
    let started: ContinuousClock.Instant
    var plan: PassPlan
    var summary: BackfillSummary
    /// Days with events done, for the pace.
    private var busyDone = 0

    init(started: ContinuousClock.Instant, game: String, range: DayRange, busy: [Day], maxPassDays: Int) {
        self.started = started
        plan = PassPlan(busy: busy, maxPassDays: maxPassDays)
        summary = BackfillSummary(game: game, range: range, daysDone: range.dayCount - busy.count, events: 0,
                                  rowsWritten: 0, rowsRemoved: 0, seconds: 0, cancelled: false)
    }

    /// Counts `day` done; returns the progress to report.
    mutating func record(_ day: DayAggregation) -> BackfillProgress {
        busyDone += 1
        summary.daysDone += 1
        summary.events += day.levelEvents
        summary.rowsWritten += day.rowsWritten
        summary.rowsRemoved += day.rowsRemoved
        summary.seconds = (ContinuousClock.now - started).seconds
        return BackfillProgress(
            game: summary.game, day: day.day, daysDone: summary.daysDone, daysTotal: summary.range.dayCount,
            events: summary.events,
            eventsPerSecond: summary.seconds > 0 ? Double(summary.events) / summary.seconds : 0,
            elapsedSeconds: summary.seconds,
            etaSeconds: summary.seconds / Double(busyDone) * Double(plan.busy.count - busyDone))
    }

    /// The summary, timed to now.
    func finished() -> BackfillSummary {
        var summary = summary
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }
}

/// A refresh under way: the game as it was when planned, the watermark's time, its plan and what it did so far,
/// carried across reconnects.
struct RefreshRun {
    let started: ContinuousClock.Instant
    let info: GameInfo
    /// When the captured changes were searched: every change committed before it is in the aggregates once the
    /// run is done.
    let searchedAt: Double
    var plan: PassPlan
    var summary: RefreshSummary

    /// The summary, timed to now.
    func finished() -> RefreshSummary {
        var summary = summary
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }
}
