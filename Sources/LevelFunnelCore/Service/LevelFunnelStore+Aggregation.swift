import Foundation
import PostgresClient

/// Aggregation runs: one day, a backfill, the daily refresh, and their status.
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
        var started: ContinuousClock.Instant?   // once the lock is first held
        var summary = BackfillSummary(game: game, range: range, daysDone: 0, events: 0, rowsWritten: 0, rowsRemoved: 0,
                                      seconds: 0, cancelled: false)
        var next = range.from   // every day before it is done
        var busyDone = 0
        var passes = AggregationPasses(maxDays: maxPassDays)
        try withReconnect(.backfill, game: game, onWait: onWait, shouldStop: shouldStop) { position in
            let start = started ?? .now
            started = start
            guard next <= range.to else { return }
            let rest = try DayRange(from: next, to: range.to)
            try DailyAggregation.analyzeEventsIfStale(db)
            let busy = try DailyAggregation.busyDays(game: game, range: rest, db)
            try DailyAggregation.recordEmptyDays(game: game, range: rest, busy: busy, db)
            summary.daysDone = range.from.distance(to: next) + rest.dayCount - busy.count
            var index = 0
            while index < busy.count {
                let pass = passes.next(busy[index...])
                let done = try aggregate(game: game, pass: pass, &position).days
                passes.record(done)
                next = pass.last!.adding(days: 1)
                index += pass.count
                var stop = false
                for day in done {
                    busyDone += 1
                    summary.daysDone += 1
                    summary.events += day.levelEvents
                    summary.rowsWritten += day.rowsWritten
                    summary.rowsRemoved += day.rowsRemoved
                    summary.seconds = (ContinuousClock.now - start).seconds
                    let report = BackfillProgress(
                        game: game, day: day.day, daysDone: summary.daysDone, daysTotal: range.dayCount,
                        events: summary.events,
                        eventsPerSecond: summary.seconds > 0 ? Double(summary.events) / summary.seconds : 0,
                        elapsedSeconds: summary.seconds,
                        etaSeconds: summary.seconds / Double(busyDone) * Double(busy.count - busyDone))
                    stop = !progress(report) || stop
                }
                if (stop || shouldStop()) && index < busy.count {
                    summary.cancelled = true
                    break
                }
            }
        }
        summary.seconds = started.map { (ContinuousClock.now - $0).seconds } ?? 0
        return summary
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
        var started: ContinuousClock.Instant?   // once the lock is first held
        var summary = RefreshSummary(game: game, days: [], emptyDays: 0, events: 0, seconds: 0)
        // The plan, made once: the days to re-aggregate and the watermark's time.
        var plan: (info: GameInfo, searchedAt: Double, needed: Set<Day>, busy: [Day])?
        var next = 0    // index in `busy` of the first day not done
        var earlierChanged = false
        var passes = AggregationPasses(maxDays: maxPassDays)
        try withReconnect(.refresh, game: game, onWait: onWait, shouldStop: shouldStop) { position in
            if var resumed = plan {
                // The lost day's COMMIT may have gone through and marked later days stale: they are needed too.
                resumed.needed.formUnion(try daysNotFresh(resumed.info, through: today))
                plan = resumed
            } else {
                started = .now
                let info = try self.game(game)
                let searchedAt = try db.query("SELECT extract(epoch FROM now())::float8").one().decode(Double.self, at: 0)
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
                    let (from, to) = (max(first, info.firstDay), max(today, info.lastDay, last))
                    let range = try DayRange(from: from, to: to)
                    busy = try DailyAggregation.busyDays(game: game, range: range, db)
                    summary.emptyDays = try DailyAggregation.recordEmptyDays(game: game, range: range, busy: busy, db)
                }
                plan = (info, searchedAt, needed, busy)
            }
            let (_, searchedAt, needed, busy) = plan!
            while next < busy.count {
                // A pass over the needed days from here (every day, once an earlier one changed).
                let isNeeded = { (day: Day) in needed.contains(day) || earlierChanged }
                guard isNeeded(busy[next]) else { next += 1; continue }
                if shouldStop() { summary.stopped = true; break }
                let pass = passes.next(busy[next...].prefix(while: isNeeded))
                let (done, changed) = try aggregate(game: game, pass: pass, &position)
                passes.record(done)
                earlierChanged = earlierChanged || changed
                summary.days += pass
                summary.events += done.map(\.levelEvents).reduce(0, +)
                next += pass.count
            }
            if !summary.stopped {
                // Every change committed before the search is now in the aggregates.
                try db.execute(RefreshSQL.saveWatermark, [game, searchedAt])
            }
        }
        summary.seconds = started.map { (ContinuousClock.now - $0).seconds } ?? 0
        return summary
    }

    /// The days that are not fresh: from the game's first day through `last` (its last day unless given) never
    /// aggregated or stale, and any day with a pending captured change. Reads no event.
    private func daysNotFresh(_ info: GameInfo, through last: Day? = nil) throws -> [Day] {
        try db.query(RefreshSQL.daysNeedingWork, [info.id, info.firstDay, max(info.lastDay, last ?? info.lastDay)])
            .map { try $0.decode(Day.self, at: 0) }
    }

    /// Per-game aggregation status, for admins. A role that may not read `events` gets what the aggregates
    /// know (days marked stale; no late, live or future-dated counts: ``AggregationStatus/fromAggregatesOnly``).
    public func aggregationStatus(today: Day = .today) throws -> [AggregationStatus] {
        try games().map { info in
            let row = try db.query(RefreshSQL.status, [info.id, info.firstDay.iso, info.lastDay.iso]).one()
            var status = AggregationStatus(
                game: info.id, firstDay: info.firstDay, lastDay: info.lastDay,
                aggregatedDays: try row.decode(Int.self, at: 0), totalDays: info.history.dayCount,
                lastAggregatedAt: try row.decode(Double?.self, at: 1).map { Date(timeIntervalSince1970: $0) },
                staleDays: try row.decode(Int.self, at: 2))
            guard !info.fromAggregatesOnly else {
                status.fromAggregatesOnly = true
                return status
            }
            status.staleDays = try daysNotFresh(info).count
            status.futureEvents = try db.query(GameSQL.futureEvents, [info.id, today]).one().decode(Int.self, at: 0)
            status.liveDays = try liveDays(info)
            return status
        }
    }

    /// Days of the game's history that a fast query computes from the events now: from the first day that is
    /// not fresh to the end.
    private func liveDays(_ info: GameInfo) throws -> Int {
        let states = try LiveTail.dayStates(game: info.id, range: info.history, db)
        return states.firstIndex { !$0.isAggregated }.map { states.count - $0 } ?? 0
    }

    /// When the game's aggregates were last written (the dashboard's "data as of"), or nil if never.
    public func dataAsOf(game: String) throws -> Date? {
        try db.query("SELECT extract(epoch FROM max(aggregated_at))::float8 FROM aggregated_days WHERE game_id = $1", [game])
            .first?.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) }
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
