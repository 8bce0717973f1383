import Foundation
import PostgresClient

/// The levelfunnel domain on one PostgreSQL connection: schema, funnels (fast and raw), aggregation,
/// backfill, refresh and verification. Used by the CLI and the dashboard alike.
///
/// Owns one libpq connection: use a store from one thread at a time (open one store per thread).
/// ``makeCanceller()`` aborts a long statement from another thread.
///
/// A backfill or refresh that loses its connection (the server restarted) opens a new one and goes on from the
/// day it was on (see ``reconnectPolicy``); the canceller follows it to the new connection.
public final class LevelFunnelStore {
    /// The underlying connection, for tools and tests that need plain SQL. A backfill or refresh replaces it with
    /// a new one when it was lost.
    public private(set) var db: PostgresConnection {
        didSet { canceller.follow(db) }
    }

    /// Cancels the statement running on ``db``, whichever connection it is now.
    private let canceller: StoreCanceller

    /// How long a backfill or refresh keeps reconnecting after losing the connection (default: 60 s).
    /// A store made with ``init(connection:)`` cannot reconnect: it does not know where the connection came from.
    public var reconnectPolicy = ReconnectPolicy()
    /// Most calendar days a backfill or refresh aggregates in one transaction (see ``AggregationPasses``); 1
    /// commits each day on its own.
    public var maxPassDays = LevelFunnelStore.defaultMaxPassDays
    /// The default of ``maxPassDays``.
    public static let defaultMaxPassDays = AggregationPasses.maxDays

    /// Called for each step of a reconnect (lost, retrying, reconnected), on the store's thread.
    public var onReconnect: (ReconnectNotice) -> Void = { _ in }

    /// Opens a new connection like the first one; nil for a wrapped connection.
    private let reopen: (() throws -> PostgresConnection)?

    /// Connects using `url`, else `DATABASE_URL`, else libpq's defaults.
    public init(url: String? = nil) throws {
        let connection = try Self.open(url)
        db = connection
        canceller = StoreCanceller(connection)
        reopen = { try Self.open(url) }
    }

    /// Wraps an open connection.
    public init(connection: PostgresConnection) {
        db = connection
        canceller = StoreCanceller(connection)
        reopen = nil
    }

    /// A connection with the store's session settings (on top of the ones every connection pins).
    private static func open(_ url: String?) throws -> PostgresConnection {
        let db = try PostgresConnection(url: url)
        // JIT off: the statements here are short, and their estimates (the `level_events` view's JSON rules are
        // opaque to the planner) made PostgreSQL spend 15-30 ms compiling a 2 ms coverage check; raw scans gain
        // nothing from it either (measured: 395 vs 399 ms on the default game). The fast path's statements are
        // prepared once per session (parsed and rewritten once) and planned for each run's own parameters: a
        // generic plan would not know which cell or which days a run reads.
        try db.execute("""
            SELECT set_config('application_name', 'levelfunnel', false), set_config('jit', 'off', false),
                   set_config('plan_cache_mode', 'force_custom_plan', false)
            """)
        return db
    }

    // MARK: Schema

    /// Creates or upgrades the schema; returns the versions applied and what was done about each index on `events`
    /// (built, or an equivalent existing one used instead).
    @discardableResult
    public func migrate() throws -> MigrationReport { try SchemaMigrator.migrate(db) }

    /// Throws ``LevelFunnelError/schemaMissing`` unless the database is migrated.
    public func requireSchema() throws { try SchemaMigrator.requireCurrent(db) }

    /// Refuses `action` up front, with the one-line reason, unless this role may aggregate (read `events`, write
    /// the aggregates, on a server that accepts writes).
    public func requireWriteAccess(_ action: String) throws {
        try requireSchema()
        if let refusal = try accessRights().writeRefusal(action) { throw refusal }
    }

    /// Refuses `action` up front, with the one-line reason, unless this role may read `events`.
    public func requireEventAccess(_ action: String) throws {
        try requireSchema()
        if let refusal = try accessRights().eventsRefusal(action) { throw refusal }
    }

    // MARK: Funnels

    /// Answers `query`: `.fast` from the daily aggregates and, for the days they do not cover, from the events
    /// (exact and complete; a role that cannot read `events` gets the `.aggregates` answer instead, which the
    /// result's `source` and `coverage` say); `.aggregates` from the aggregates only; `.raw` from `events`.
    /// Throws ``LevelFunnelError/unknownGame(_:)`` when the game has no level events at all.
    public func funnel(_ query: FunnelQuery, source: FunnelSource = .fast, today: Day = .today) throws -> FunnelResult {
        let clock = ContinuousClock()
        var answer = (counts: [LevelCounts](), coverage: Coverage?.none, freshness: Freshness?.none)
        var answeredBy = source
        let elapsed = try clock.measure {
            answer = try withSchemaCheck {
                switch source {
                case .raw:
                    return (try readingEvents("the raw path") { try RawFunnel.counts(query, db) }, nil, nil)
                case .aggregates:
                    return try aggregatesOnly(query, today: today)
                case .fast:
                    let (answer, fromAggregates) = try eventsElseAggregates(
                        { try hybrid(query, today: today) },
                        { try aggregatesOnly(query, today: today) })
                    if fromAggregates { answeredBy = .aggregates }
                    return answer
                }
            }
        }
        if answer.counts.isEmpty && answer.coverage?.missing ?? 0 == 0 { try requireKnownGame(query.game) }
        let freshness = answer.freshness   // read with the day states; none on the raw path
        return FunnelResult(query: query, source: answeredBy, queryMs: elapsed.milliseconds,
                            levels: MetricsFormula.derive(answer.counts), coverage: answer.coverage, freshness: freshness)
    }

    /// The days of `query.range` without any event (none in `events`, none aggregated), each with the answer that
    /// ``funnel(_:source:today:)`` gives for that day alone: no level, the same `source`, coverage and freshness.
    /// Found with one index probe per day that has events and one read of the range's `aggregated_days`, so that a
    /// series day by day costs the days with events, not the calendar days of its range.
    public func quietDays(_ query: FunnelQuery, source: FunnelSource = .fast, today: Day = .today) throws -> QuietDays {
        let clock = ContinuousClock()
        var answers: [Day: FunnelResult] = [:]
        let elapsed = try clock.measure {
            answers = try withSchemaCheck { try quietAnswers(query, source: source, today: today) }
        }
        return QuietDays(answers: answers, queryMs: elapsed.milliseconds)
    }

    private func quietAnswers(_ query: FunnelQuery, source: FunnelSource, today: Day) throws -> [Day: FunnelResult] {
        let (game, range) = (query.game, query.range)
        let fromEvents = { try DailyAggregation.busyDays(game: game, range: range, self.db) }
        let (busy, fromAggregates) = source == .raw
            ? (try readingEvents("the raw path", fromEvents), false)
            : try eventsElseAggregates(fromEvents, { try DailyAggregation.aggregatedBusyDays(game: game, range: range, self.db) })
        if busy.isEmpty { try requireKnownGame(game) }
        let quiet = Set(range.days).subtracting(busy)
        func day(_ day: Day) -> FunnelQuery {
            var one = query
            one.range = .single(day)
            return one
        }
        guard source != .raw else {
            return Dictionary(uniqueKeysWithValues: quiet.map { ($0, FunnelResult(query: day($0), source: .raw, queryMs: 0, levels: [])) })
        }
        let answeredBy: FunnelSource = fromAggregates ? .aggregates : source
        let recorded = Dictionary(uniqueKeysWithValues: try db.query(GameSQL.aggregatedDays, [game, range.from, range.to]).map {
            (try $0.decode(Day.self, at: 0), (stale: try $0.decode(Bool.self, at: 1), at: try $0.decode(Double.self, at: 2)))
        })
        let receivedThrough = try freshness(query).receivedThrough
        return Dictionary(uniqueKeysWithValues: quiet.map { quietDay in
            // As `hybrid` and `aggregatesOnly` count a day of their own (a day without events holds no late one).
            let record = recorded[quietDay]
            let fresh = record.map { !$0.stale } ?? false
            var coverage = Coverage(days: 1, aggregated: 1, includesToday: quietDay == today)
            switch answeredBy {
            case .fast where !fresh: (coverage.aggregated, coverage.live, coverage.firstLive, coverage.lastLive) = (0, 1, quietDay, quietDay)
            case .aggregates where record == nil: (coverage.aggregated, coverage.missing) = (0, 1)
            case .aggregates where !fresh: (coverage.aggregated, coverage.stale) = (0, 1)
            default: break
            }
            let freshness = Freshness(aggregatedAt: record.map { Date(timeIntervalSince1970: $0.at) }, receivedThrough: receivedThrough)
            return (quietDay, FunnelResult(query: day(quietDay), source: answeredBy, queryMs: 0, levels: [],
                                           coverage: coverage, freshness: freshness))
        })
    }

    /// The aggregated prefix of the range from the aggregates plus its pending changes (`PendingChanges`), the rest
    /// from the events (see `LiveTail`).
    private func hybrid(_ query: FunnelQuery, today: Day) throws -> ([LevelCounts], Coverage, Freshness) {
        let (states, freshness) = try LiveTail.rangeState(game: query.game, range: query.range, forEventReaders: true, db)
        let includesToday = query.range.from <= today && today <= query.range.to
        let firstLive = states.first(where: { !$0.isAggregated })?.day
        var aggregated: [LevelCounts] = []
        if firstLive ?? query.range.to.adding(days: 1) > query.range.from {
            var prefix = query
            prefix.range = try DayRange(from: query.range.from, to: firstLive?.adding(days: -1) ?? query.range.to)
            aggregated = try FastFunnel.counts(prefix, db)
            if states.contains(where: { $0.pending && $0.day <= prefix.range.to }) {
                let pending = try PendingChanges.counts(query, days: prefix.range,
                                                        planOnce: try distribution().plansStatementsOnce, db)
                aggregated = LiveTail.combine(aggregated, pending)
            }
        }
        guard let firstLive else {
            return (aggregated, Coverage(days: states.count, aggregated: states.count, includesToday: includesToday), freshness)
        }
        let live = try LiveTail.counts(query, liveFrom: firstLive, db)
        let liveDays = firstLive.distance(to: query.range.to) + 1
        return (LiveTail.combine(aggregated, live),
                Coverage(days: states.count, aggregated: states.count - liveDays, live: liveDays,
                         firstLive: firstLive, lastLive: query.range.to, includesToday: includesToday), freshness)
    }

    /// The aggregates as they are; days they do not cover are counted as missing or stale (a day with a pending
    /// change counts as stale), never filled in.
    private func aggregatesOnly(_ query: FunnelQuery, today: Day) throws -> ([LevelCounts], Coverage, Freshness) {
        let (days, freshness) = try LiveTail.rangeState(game: query.game, range: query.range, db)
        let stale = days.filter { $0.aggregated && ($0.stale || $0.pending) }.count
        let missing = days.filter { !$0.aggregated }.count
        return (try FastFunnel.counts(query, db),
                Coverage(days: days.count, aggregated: days.count - stale - missing, missing: missing, stale: stale,
                         includesToday: query.range.from <= today && today <= query.range.to), freshness)
    }

    private func freshness(_ query: FunnelQuery) throws -> Freshness {
        let row = try db.query(GameSQL.freshness, [query.game, query.range.from, query.range.to]).one()
        return Freshness(aggregatedAt: try row.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) },
                         receivedThrough: try row.decode(Double?.self, at: 1).map { Date(timeIntervalSince1970: $0) })
    }

    /// Runs both paths for `query` and lists every field on which they differ.
    public func verify(_ query: FunnelQuery) throws -> VerifyReport {
        try requireEventAccess("verify")
        let fast = try funnel(query, source: .fast)
        let raw = try funnel(query, source: .raw)
        return VerifyReport(query: query, fastMs: fast.queryMs, rawMs: raw.queryMs,
                            levelsCompared: Set(fast.levels.map(\.levelId)).union(raw.levels.map(\.levelId)).count,
                            differences: FunnelComparison.differences(fast: fast.levels, raw: raw.levels))
    }

    // MARK: Games

    /// One PostgreSQL or Citus, read from the catalog once per store (the database does not change layout under it).
    private var knownDistribution: Distribution?
    func distribution() throws -> Distribution {
        if let known = knownDistribution { return known }
        let read = try Distribution.current(db)
        knownDistribution = read
        return read
    }

    /// The games that have level events, with their first and last event day, ordered by id.
    /// A role that may not read `events` gets the games and history spans of the aggregates
    /// (``GameInfo/fromAggregatesOnly``): days not aggregated yet are not part of them.
    public func games() throws -> [GameInfo] {
        let (rows, fromAggregates) = try withSchemaCheck {
            try eventsElseAggregates({ try db.query(GameSQL.gamesWithLevelEvents(distribution())) },
                                     { try db.query(GameSQL.gamesFromAggregates) })
        }
        return try rows.map { row in
            let first = try row.decode(Day.self, at: 1)
            return GameInfo(id: try row.decode(String.self, at: 0), firstDay: first, lastDay: try row.decode(Day.self, at: 2),
                            lastPastDay: try row.decode(Day?.self, at: 4) ?? first,
                            aggregatedLevelEvents: try row.decode(Int?.self, at: 3), fromAggregatesOnly: fromAggregates)
        }
    }

    /// The game's history (from the aggregates for a role that may not read `events`), or
    /// ``LevelFunnelError/unknownGame(_:)``.
    public func game(_ id: String) throws -> GameInfo {
        let (rows, fromAggregates) = try withSchemaCheck {
            try eventsElseAggregates({ try db.query(GameSQL.gameSpan, [id]) }, { try db.query(GameSQL.gameSpanFromAggregates, [id]) })
        }
        guard let row = rows.first,
              let first = try row.decode(Day?.self, at: 0),
              let last = try row.decode(Day?.self, at: 1)
        else { throw LevelFunnelError.unknownGame(id) }
        return GameInfo(id: id, firstDay: first, lastDay: last, lastPastDay: try row.decode(Day?.self, at: 2) ?? first,
                        fromAggregatesOnly: fromAggregates)
    }

    /// The dimension values of the game, read from wherever `source`'s numbers come from: `.raw` from the events;
    /// `.aggregates` from the aggregates; `.fast` from the aggregates and the events of the days a fast query
    /// computes from the events (never aggregated, stale, or with a pending change), so that a value seen only in those
    /// days (a version released today) is offered and broken down like the others. A role that may not read
    /// `events` gets the aggregates' values.
    public func dimensions(game: String, source: FunnelSource = .fast) throws -> GameDimensions {
        let rows: [PostgresRow]
        switch source {
        case .raw:
            rows = try withSchemaCheck { try readingEvents("the raw path") { try db.query(GameSQL.dimensionsFromEvents, [game]).rows } }
        case .aggregates:
            rows = try withSchemaCheck { try db.query(GameSQL.dimensionsFromAggregates, [game]).rows }
        case .fast:
            let aggregated = try withSchemaCheck { try db.query(GameSQL.dimensionsFromAggregates, [game]).rows }
            rows = aggregated + (try eventsElseAggregates({ try liveDimensions(game: game) }, { [] }).answer)
        }
        return GameDimensions(tuples: try rows.map { row in
            var tuple: [Dimension: String] = [:]
            for dimension in Dimension.allCases { tuple[dimension] = try row.decode(String?.self, column: dimension.column) }
            return tuple
        })
    }

    /// The dimension tuples of the events of the days a fast query over the game's history computes from the
    /// events (from its first day that is not fresh on); none when every day is fresh or the game has no events.
    private func liveDimensions(game: String) throws -> [PostgresRow] {
        guard let span = try db.query(GameSQL.gameSpan, [game]).first,
              let first = try span.decode(Day?.self, at: 0), let last = try span.decode(Day?.self, at: 1)
        else { return [] }
        let states = try LiveTail.dayStates(game: game, range: try DayRange(from: first, to: last), db)
        // From the first day whose events the aggregates do not all hold: live, or with pending changes.
        guard let firstLive = states.first(where: { !$0.isFresh })?.day else { return [] }
        return try db.query(GameSQL.dimensionsFromEventsSince, [game, firstLive]).rows
    }

    // MARK: Aggregation

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

    /// What this role may do: read `events`, write the aggregates, on a server that accepts writes.
    public func accessRights() throws -> AccessRights {
        // One privilege per call: `has_table_privilege(t, 'INSERT, DELETE')` is true when *any* of them is held.
        let needed = AccessRoles.writerPrivileges.flatMap { table, privileges in privileges.map { (table, $0) } }
        let row = try withSchemaCheck {
            try db.query("""
                SELECT bool_and(has_table_privilege(t, p)) FILTER (WHERE t NOT IN ('events', 'level_events'))
                         AND has_database_privilege(current_database(), 'TEMPORARY'),
                       bool_and(has_table_privilege(t, p)) FILTER (WHERE t IN ('events', 'level_events')),
                       current_setting('transaction_read_only') = 'on'
                  FROM unnest($1::text[], $2::text[]) AS u(t, p)
                """, [PostgresArray.text(needed.map(\.0)), PostgresArray.text(needed.map(\.1))]).one()
        }
        return AccessRights(canReadEvents: try row.decode(Bool.self, at: 1),
                            canWriteAggregates: try row.decode(Bool.self, at: 0),
                            readOnlyServer: try row.decode(Bool.self, at: 2))
    }

    /// Creates or updates the reader and writer roles (idempotent) and grants them to `readers` and `writers`.
    ///
    /// Refuses (rolls everything back) when the reader could still read user ids once its statements ran: a grant
    /// `roles` does not revoke (to PUBLIC, to a role the reader belongs to, on a partition or another view).
    public func createRoles(_ roles: AccessRoles, readers: [String] = [], writers: [String] = []) throws {
        try requireSchema()
        try db.transaction {
            for statement in roles.statements { try db.execute(statement) }
            for login in readers { try db.execute(AccessRoles.grant(roles.reader, to: login)) }
            for login in writers { try db.execute(AccessRoles.grant(roles.writer, to: login)) }
            let exposures = try eventsExposure(of: roles.reader)
            if !exposures.isEmpty {
                throw LevelFunnelError.readerReadsEvents(EventsExposure.refusal(reader: roles.reader, exposures))
            }
        }
    }

    /// The relations through which `role` (nil: PUBLIC, i.e. every role) may read user ids; empty when none.
    public func eventsExposure(of role: String?) throws -> [EventsExposure] {
        try db.query(AccessRoles.eventsExposureSQL, [role ?? "public"]).map { row in
            EventsExposure(relation: try row.decode(String.self, at: 0), publicMayRead: try row.decode(Bool.self, at: 1),
                           throughRoles: try row.decode(String.self, at: 2).split(separator: "\n").map(String.init))
        }
    }

    /// The reader and writer roles (default names unless given) for the schema and database of this connection.
    public func accessRoles(reader: String = AccessRoles.defaultReader,
                            writer: String = AccessRoles.defaultWriter) throws -> AccessRoles {
        try requireSchema()
        let row = try db.query("SELECT current_schema()::text, current_database()::text").one()
        return try AccessRoles(reader: reader, writer: writer, schema: try row.decode(String.self, at: 0),
                               database: try row.decode(String.self, at: 1))
    }

    /// Size on disk (table, indexes and TOAST) and estimated row count of the events and aggregate tables.
    public func tableSizes() throws -> [(table: String, bytes: Int, rows: Int)] {
        // A partitioned table has no storage of its own: its size and rows are its partitions'.
        try db.query("""
            SELECT relname::text,
                   CASE WHEN relkind = 'p' THEN (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(oid))::bigint
                        ELSE pg_total_relation_size(oid) END,
                   CASE WHEN relkind = 'p' THEN (SELECT sum(greatest(c.reltuples, 0)) FROM pg_partition_tree(oid) t
                                                   JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf)::bigint
                        ELSE greatest(reltuples, 0)::bigint END
              FROM pg_class
             WHERE oid IN ('events'::regclass, 'level_cells_daily'::regclass, 'level_cell_tuples'::regclass,
                           'aggregated_days'::regclass)
             ORDER BY relname
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1), try $0.decode(Int.self, at: 2)) }
    }

    /// A game of `events` whose id does not match `pattern` (a POSIX regular expression), or nil, also when there is
    /// no `events` table yet: how `bench --scale` and `stress` tell a database of their own from one that holds other
    /// games. Stops at the first such event (a full scan only when every event matches).
    public func someGame(notMatching pattern: String) throws -> String? {
        guard try db.query("SELECT to_regclass('events') IS NOT NULL").one().decode(Bool.self, at: 0) else { return nil }
        return try db.query("SELECT game_id FROM events WHERE game_id !~ $1 LIMIT 1", [pattern]).first?.decode(String.self, at: 0)
    }

    /// Rewrites the aggregate tables without their dead rows (`VACUUM FULL`), so that their size is that of the
    /// rows they hold: a re-backfill replaces every row of its days, and the old ones stay on disk until autovacuum
    /// makes the space reusable (the files never shrink). Takes an exclusive lock on each table while it runs:
    /// for benchmark databases (`bench`), not for one that dashboards read.
    ///
    /// It first waits (up to `patience` seconds) for the other sessions of this database that hold a snapshot:
    /// rows deleted before it began cannot be removed while it lasts, and right after a load autovacuum's `ANALYZE`
    /// of `events` holds one (a second measurement of the same rows was 75% larger under load).
    public func compactAggregates(patience: Double = 30) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        while ContinuousClock.now < deadline,
              try db.query(GameSQL.otherSnapshots).one().decode(Int.self, at: 0) > 0 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try db.execute("VACUUM FULL level_cells_daily, level_cell_tuples, aggregated_days")
    }

    /// One game's share of the events table and of the aggregate tables, in bytes (table, indexes and TOAST),
    /// estimated from its share of each table's rows: the tables hold every game.
    public func gameSizes(game: String) throws -> (events: Int, aggregates: Int, levelEvents: Int) {
        let row = try db.query("""
            WITH share AS (
              SELECT (SELECT count(*) FROM events WHERE game_id = $1)::float8
                       / greatest((SELECT count(*) FROM events), 1) AS events,
                     (SELECT count(*) FROM aggregated_days WHERE game_id = $1)::float8
                       / greatest((SELECT count(*) FROM aggregated_days), 1) AS days,
                     (SELECT count(*) FROM level_cells_daily r JOIN level_cell_tuples t USING (game_id, tuple_id) WHERE t.game_id = $1)::float8
                       / greatest((SELECT count(*) FROM level_cells_daily), 1) AS cells
            )
            SELECT (coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events')),  -- partitioned
                             pg_total_relation_size('events')) * events)::bigint,
                   ((pg_total_relation_size('level_cells_daily') + pg_total_relation_size('level_cell_tuples')) * cells
                    + pg_total_relation_size('aggregated_days') * days)::bigint,
                   (SELECT coalesce(sum(level_events), 0) FROM aggregated_days WHERE game_id = $1)::bigint
              FROM share
            """, [game]).one()
        return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1), try row.decode(Int.self, at: 2))
    }

    /// The name of the database this store is connected to.
    public var databaseName: String {
        (try? db.query("SELECT current_database()::text").one().decode(String.self, at: 0)) ?? "?"
    }

    /// Cancels the statement running on this store's connection, from any thread: the connection of the moment,
    /// also after a backfill or refresh replaced a lost one.
    public func makeCanceller() -> StoreCanceller { canceller }

    // MARK: Private

    private func requireKnownGame(_ game: String) throws { _ = try self.game(game) }


    /// The answer of `events` (which reads them); for a role refused them, the answer of `aggregates`, and `true`.
    /// One mechanism for everything a reader gets from the aggregates alone: no privilege query on the way, so a
    /// role that may read events pays nothing for it.
    private func eventsElseAggregates<T>(_ events: () throws -> T,
                                         _ aggregates: () throws -> T) throws -> (answer: T, fromAggregates: Bool) {
        do {
            return (try events(), false)
        } catch let error as PostgresError where error.isInsufficientPrivilege {
            return (try aggregates(), true)
        }
    }

    /// Runs `body`, which reads `events`; a permission error becomes the one-line refusal of `action`.
    private func readingEvents<T>(_ action: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.isInsufficientPrivilege {
            throw LevelFunnelError.needsEventAccess(action)
        }
    }

    /// Holds the game's aggregation lock while `body` runs; a wait ended by `shouldStop` is a cancellation.
    private func withGameLock<T>(_ game: String, onWait: () -> Void, shouldStop: () -> Bool,
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

    /// Where a backfill or refresh is, for reconnecting: the pass running (its first and last day), its attempt, and
    /// when the connection was first lost since the last pass done (the reconnect timeout counts from it).
    struct JobPosition {
        var day: Day?
        var lastDay: Day?
        var attempt = 1
        var lostAt: ContinuousClock.Instant?

        mutating func finishedDay() { self = JobPosition() }
    }

    /// Runs `body` under the game's lock. When the connection is lost, opens a new one (``reconnect(_:game:after:_:shouldStop:)``),
    /// takes the lock again (it went with the old session) and runs `body` again: `body` keeps its progress outside,
    /// so it goes on from the day that was running (rolled back with its session). Other database errors come out
    /// as an ``AggregationFailure`` naming the day.
    private func withReconnect<T>(_ job: AggregationJob, game: String, onWait: () -> Void, shouldStop: () -> Bool,
                                  _ body: (inout JobPosition) throws -> T) throws -> T {
        var position = JobPosition()
        while true {
            do {
                return try withGameLock(game, onWait: onWait, shouldStop: shouldStop) { try body(&position) }
            } catch let error as PostgresError {
                guard error.isConnectionLost || !db.isAlive else {
                    throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: error)
                }
                try reconnect(job, game: game, after: error, &position, shouldStop: shouldStop)
            }
        }
    }

    /// Replaces the lost connection with a new one, waiting 1, 2, 4, 8, 8... s between attempts (``reconnectPolicy``)
    /// until it connects or the timeout since the first loss runs out (then throws an ``AggregationFailure``).
    /// `shouldStop` ends the wait (``LevelFunnelError/cancelled``).
    private func reconnect(_ job: AggregationJob, game: String, after loss: PostgresError, _ position: inout JobPosition,
                           shouldStop: () -> Bool) throws {
        let policy = reconnectPolicy
        guard let reopen, policy.timeout > 0 else {
            throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: loss)
        }
        let lostAt = position.lostAt ?? .now
        position.lostAt = lostAt
        var error = loss
        var step = ReconnectNotice.Step.lost
        for tries in 1... {
            let elapsed = (ContinuousClock.now - lostAt).seconds
            guard elapsed < policy.timeout else {
                throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: error, reconnectTimeout: policy.timeout)
            }
            position.attempt += 1
            let delay = min(policy.delay(tries), policy.timeout - elapsed)
            onReconnect(ReconnectNotice(job: job, game: game, day: position.day, lastDay: position.lastDay, step: step, attempt: position.attempt,
                                        delay: delay, elapsed: elapsed, error: error.headline))
            let wake = ContinuousClock.now + .seconds(delay)
            while ContinuousClock.now < wake {
                if shouldStop() { throw LevelFunnelError.cancelled }
                Thread.sleep(forTimeInterval: min(0.1, max(0, (wake - ContinuousClock.now).seconds)))
            }
            do {
                let fresh = try reopen()
                fresh.statementObserver = db.statementObserver
                db = fresh
                onReconnect(ReconnectNotice(job: job, game: game, day: position.day, lastDay: position.lastDay, step: .reconnected,
                                            attempt: position.attempt, delay: 0,
                                            elapsed: (ContinuousClock.now - lostAt).seconds, error: nil))
                return
            } catch let failed as PostgresError {
                error = failed
                step = .retrying
            }
        }
    }

    /// Turns "relation does not exist" into the schema-missing error users can act on.
    private func withSchemaCheck<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.isUndefinedTable {
            throw LevelFunnelError.schemaMissing
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double (for timings printed and reported).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// The duration in milliseconds, as a Double.
    public var milliseconds: Double { seconds * 1000 }
}

/// Cancels the statement running on a store's connection, from any thread. A backfill or refresh that reconnects
/// replaces the connection; the canceller then cancels on the new one (a canceller of the old one would send its
/// requests to a session that no longer exists).
public final class StoreCanceller: @unchecked Sendable {
    private let lock = NSLock()
    private var current: PostgresCanceller

    init(_ db: PostgresConnection) { current = db.makeCanceller() }

    /// From now on, cancels statements of `db`.
    func follow(_ db: PostgresConnection) {
        let next = db.makeCanceller()
        lock.withLock { current = next }
    }

    /// Asks the server to cancel the current statement; false when the request could not be sent.
    @discardableResult
    public func cancel() -> Bool { lock.withLock { current }.cancel() }
}
