import Foundation
import PostgresClient

/// Aggregation runs: one day, a backfill, the daily refresh (their plans: ``BackfillRun``, ``RefreshRun``).
extension LevelFunnelStore {
    /// Re-aggregates one UTC day of one game (idempotent), holding the game's aggregation lock.
    public func aggregate(game: String, day: Day, onWait: () -> Void = {},
                          shouldStop: () -> Bool = { false }) throws -> DayAggregation {
        try requireWriteAccess("aggregate")
        return try withGameLock(game, onWait: onWait, shouldStop: shouldStop) {
            try DailyAggregation.aggregate(game: game, day: day, db)
        }
    }

    /// Aggregates every day of `range` in order, re-runnable with identical results.
    ///
    /// Days without any event are recorded in one statement first (their work does not depend on how many
    /// there are); then the days with events are aggregated in passes of consecutive days, one transaction per
    /// pass (``AggregationPasses``: a few days at 100x, a month at 1x). Holds the game's advisory lock for the
    /// whole run, so two backfills (or a backfill and the daily job) never interleave; `onWait` is called when
    /// another session holds it, and `shouldStop` ends the wait (``LevelFunnelError/cancelled``). `progress` is
    /// called for each day once its pass is done; returning false stops the backfill after that pass (days
    /// already done stay done).
    ///
    /// A lost connection is re-opened (``reconnectPolicy``, reported through ``onReconnect``): the pass that was
    /// running rolled back with its session, so the backfill takes the lock again and goes on from its first
    /// day. Any other database error ends it as an ``AggregationFailure`` naming that day; the days before are
    /// done.
    public func backfill(game: String, range: DayRange, onWait: () -> Void = {}, shouldStop: () -> Bool = { false },
                         progress: (BackfillProgress) -> Bool = { _ in true }) throws -> BackfillSummary {
        try requireWriteAccess("backfill")
        let run = try withReconnect(.backfill, game: game, onWait: onWait, shouldStop: shouldStop,
                                    start: { try planBackfill(game: game, range: range) }) { run, position in
            try continueBackfill(&run, &position, shouldStop: shouldStop, progress: progress)
        }
        return run.finished()
    }

    /// Records the days of `range` without events and plans the passes over the others.
    private func planBackfill(game: String, range: DayRange) throws -> BackfillRun {
        let started = ContinuousClock.now
        try DailyAggregation.analyzeEventsIfStale(db)
        let busy = try DailyAggregation.busyDays(game: game, range: range, db)
        try DailyAggregation.recordEmptyDays(game: game, range: range, busy: busy, db)
        return BackfillRun(started: started, game: game, range: range, busy: busy, maxPassDays: maxPassDays)
    }

    /// Runs the passes `run` has left, reporting each day once its pass is done; stops after a pass when
    /// `progress` or `shouldStop` asks to while days are left (`cancelled`).
    private func continueBackfill(_ run: inout BackfillRun, _ position: inout JobPosition, shouldStop: () -> Bool,
                                  progress: (BackfillProgress) -> Bool) throws {
        while let pass = run.plan.nextPass() {
            let (done, changed) = try aggregate(game: run.summary.game, pass: pass, &position)
            run.plan.finish(pass, done, changed: changed)
            var stop = false
            for day in done { stop = !progress(run.record(day)) || stop }
            if (stop || shouldStop()) && run.plan.daysLeft > 0 {
                run.summary.cancelled = true
                return
            }
        }
    }

    /// The daily job for one game: first applies the captured changes to the aggregates as deltas (``DeltaApply``:
    /// work in proportion to the changed player keys), then re-aggregates the days that are still not fresh —
    /// never aggregated (today, until its first refresh), marked stale, or whose additive dimensions a delta
    /// changed — and every later day with events once one of them changed, since later days' player counts depend
    /// on earlier days. With nothing pending it does nothing.
    /// Empty days are recorded in one statement, so the work grows with the days that have events and changed,
    /// never with calendar days (an event dated years ahead by a wrong clock costs one day). Idempotent.
    /// The days are aggregated in passes of consecutive days (``AggregationPasses``). `shouldStop` is asked
    /// before each pass: when it says true, the refresh stops there (`stopped`); the days done are complete, and
    /// the next refresh does the rest (days after a changed day are marked stale).
    ///
    /// `check` compares the fingerprint (count and id sum) of the recent days' level events with the one recorded
    /// when they were aggregated, so that writes the triggers cannot see (sent to a partition directly, or made
    /// before change capture was installed) are found too; it reads those days' events once.
    ///
    /// A lost connection is re-opened and the refresh goes on from the day it was on, as in ``backfill(game:range:onWait:shouldStop:progress:)``;
    /// any other database error ends it as an ``AggregationFailure`` naming the day.
    public func refresh(game: String, today: Day = .today, check: FingerprintCheck = .days(7),
                        onWait: () -> Void = {}, shouldStop: () -> Bool = { false }) throws -> RefreshSummary {
        try requireWriteAccess("refresh")
        let run = try withReconnect(.refresh, game: game, onWait: onWait, shouldStop: shouldStop,
                                    start: { try planRefresh(game: game, today: today, check: check) },
                                    resume: { run in
                                        // The lost pass's COMMIT may have gone through and marked later days stale.
                                        run.plan.need(try daysNotFresh(run.info, through: today))
                                    }) { run, position in
            try continueRefresh(&run, &position, shouldStop: shouldStop)
        }
        return run.finished()
    }

    /// Applies the captured changes as deltas, then plans the passes over the days still not fresh (and those
    /// whose fingerprint `check` finds changed), recording the range's days without events.
    private func planRefresh(game: String, today: Day, check: FingerprintCheck) throws -> RefreshRun {
        let started = ContinuousClock.now
        let info = try self.game(game)
        let searchedAt = try db.query("SELECT extract(epoch FROM now())::float8").one().decode(Double.self, at: 0)
        var summary = RefreshSummary(game: game, days: [], emptyDays: 0, events: 0, seconds: 0)
        // The captured changes first, as deltas; what they cannot update is left not fresh, for the passes.
        summary.applied = try DeltaApply.apply(game: game, db)
        // Today too, until it is recorded: its events then arrive as captured changes.
        var needed = Set(try daysNotFresh(info, through: today))
        if let window = check.window(history: info.history, today: today) {
            needed.formUnion(try db.query(RefreshSQL.changedFingerprints, [game, window.from, window.to])
                .map { try $0.decode(Day.self, at: 0) })
        }
        var busy: [Day] = []
        if let first = needed.min(), let last = needed.max() {
            let range = try DayRange(from: max(first, info.firstDay), to: max(today, info.lastDay, last))
            busy = try DailyAggregation.busyDays(game: game, range: range, db)
            summary.emptyDays = try DailyAggregation.recordEmptyDays(game: game, range: range, busy: busy, db)
        }
        return RefreshRun(started: started, info: info, searchedAt: searchedAt,
                          plan: PassPlan(busy: busy, needed: needed, maxPassDays: maxPassDays), summary: summary)
    }

    /// Runs the passes `run` has left (every day with events after a changed one); asks `shouldStop` before each.
    /// Done, saves the watermark: every change committed before the search is then in the aggregates.
    private func continueRefresh(_ run: inout RefreshRun, _ position: inout JobPosition, shouldStop: () -> Bool) throws {
        while let pass = run.plan.nextPass() {
            if shouldStop() {
                run.summary.stopped = true
                return
            }
            let (done, changed) = try aggregate(game: run.info.id, pass: pass, &position)
            run.plan.finish(pass, done, changed: changed)
            run.summary.days += pass
            run.summary.events += done.map(\.levelEvents).reduce(0, +)
        }
        try db.execute(RefreshSQL.saveWatermark, [run.info.id, run.searchedAt])
    }

    /// The days that are not fresh: from the game's first day through `last` (its last day unless given) never
    /// aggregated or stale, and any day with a pending captured change. Reads no event.
    func daysNotFresh(_ info: GameInfo, through last: Day? = nil) throws -> [Day] {
        try db.query(RefreshSQL.daysNeedingWork, [info.id, info.firstDay, max(info.lastDay, last ?? info.lastDay)])
            .map { try $0.decode(Day.self, at: 0) }
    }

    /// Holds the game's aggregation lock while `body` runs; a wait ended by `shouldStop` is a cancellation.
    func withGameLock<T>(_ game: String, onWait: () -> Void, shouldStop: () -> Bool,
                                 _ body: () throws -> T) throws -> T {
        do {
            return try db.withAdvisoryLock(AdvisoryLockKey.aggregation(game: game), onWait: onWait, shouldStop: shouldStop, body)
        } catch is CancellationError {
            throw LevelFunnelError.cancelled
        }
    }

    /// Aggregates the days of `pass` (days with events, in order, within ``AggregationPasses/maxDays``) in one
    /// transaction and returns what each of them did, and whether any day of the pass's range changed (an empty
    /// day between them may have received events since the plan was made). When a pass of several days fails for
    /// any reason but a lost connection (a statement timeout, a lock), its days are redone one by one: the days
    /// before the failing one get done, and the failure names its day.
    private func aggregate(game: String, pass: [Day],
                           _ position: inout JobPosition) throws -> (days: [DayAggregation], changed: Bool) {
        guard let first = pass.first, let last = pass.last else { return ([], false) }
        position.day = first
        position.lastDay = last
        do {
            let range = try DailyAggregation.aggregate(game: game, days: DayRange(from: first, to: last), db)
            position.finishedDay()
            return (range.filter { pass.contains($0.day) }, range.contains(where: \.changed))
        } catch let error as PostgresError where pass.count > 1 && !error.isConnectionLost && db.isAlive {
            var done: [DayAggregation] = []
            for day in pass {
                position.day = day
                position.lastDay = day
                done.append(try DailyAggregation.aggregate(game: game, day: day, db))
            }
            position.finishedDay()
            return (done, done.contains(where: \.changed))
        }
    }
}
