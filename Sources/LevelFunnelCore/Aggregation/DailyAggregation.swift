import PostgresClient

/// What aggregating one day did.
public struct DayAggregation: Sendable, Equatable {
    public var day: Day
    /// Level events of that day that were counted.
    public var levelEvents: Int
    /// Aggregate (cell) rows written for that day.
    public var rowsWritten: Int
    /// How many fewer rows the day has than before: rows whose events no longer exist for that day.
    public var rowsRemoved: Int
    /// True when the day's *activity* (its players' keys: player, level, kind and dimension tuple, what later
    /// days' player recency depends on) differs from that of its previous aggregation, or, aggregated for the
    /// first time, when it has any: the later days with events are then marked stale. An empty day, or events
    /// that leave the activity as it was (a fail, a second start), change nothing for later days.
    public var changed: Bool
}

/// Rebuilds the daily aggregates of one game and a *pass* of consecutive UTC days from `events` with set-based
/// statements: one read of the pass's events, one index probe per player key for its activity before the pass,
/// a window over each key's days, and the cell rows of all the pass's days written at once. A pass of several
/// days pays each statement's fixed cost and each key's probe once instead of once a day; every day still gets
/// exactly the rows that aggregating it alone would give (the differential tests compare the two).
enum DailyAggregation {
    /// Reads the pass's events into its working tables (``readEventsSQL``), replaces the pass's cell rows (event
    /// counts and player recency per cell tuple; days whose events are gone keep none), and records each day of
    /// `days` as aggregated, all in one transaction: a crash leaves the previous state of those days intact. When a
    /// day's activity changed (``DayAggregation/changed``), the aggregated days with events after the pass are
    /// marked stale: their player recency depends on it (a day without events has no recency to go stale).
    /// Returns one ``DayAggregation`` per day of `days`, in order.
    ///
    /// The transaction is REPEATABLE READ: the counts, the players' recency, the fingerprints and the captured
    /// changes it consumes (``consumeChangesSQL``) all read one snapshot, so an event inserted meanwhile is either
    /// in all of them or in none, and then its change stays pending (`event_changes`): the day is not fresh until
    /// the next aggregation. `afterRead` lets tests insert events between the statements.
    static func aggregate(game: String, days: DayRange, _ db: PostgresConnection,
                          afterRead: () throws -> Void = {}) throws -> [DayAggregation] {
        try db.transaction(.repeatableRead) {
            try db.execute(sessionSettings)
            for statement in readEventsSQL { try db.execute(statement, [game, days.from.iso, days.to.iso]) }
            let read = try db.query(passSummarySQL, [game, days.from.iso, days.to.iso]).map(PassDay.init)
            try afterRead()
            let cells = try rebuildCells(game: game, days: days, withEvents: read.filter { $0.events > 0 }.map(\.day), db)
            let additive = read.map { cells.additive[$0.day] ?? CellSQL.allUnpinned }
            let passDays: [any PostgresEncodable] = [
                game, PostgresArray.text(read.map(\.day.iso)), PostgresArray.text(additive.map(String.init)),
                PostgresArray.text(read.map { String($0.events) }), PostgresArray.text(read.map(\.fingerprint)),
                PostgresArray.text(read.map(\.activity)),
            ]
            // Compared before they are recorded, in a statement of its own (see `changedDaysSQL`).
            let changed = Set(try db.query(changedDaysSQL, passDays).map { try $0.decode(Day.self, at: 0) })
            try db.execute(recordDaysSQL, passDays)
            // The changes this snapshot saw are now in the aggregates; a change committed since stays pending.
            try db.execute(consumeChangesSQL, [game, PostgresArray.text(read.map(\.day.iso))])
            try db.execute(DeltaSQL.dropOrphanRemovals, [game])
            let results = read.map { day in
                let written = cells.written[day.day] ?? 0
                return DayAggregation(day: day.day, levelEvents: day.events, rowsWritten: written,
                                      rowsRemoved: max(0, (cells.removed[day.day] ?? 0) - written),
                                      changed: changed.contains(day.day))
            }
            if results.contains(where: \.changed) {
                // The pass's own days were all rebuilt from this snapshot: only the days after it depend on stale data.
                try db.execute(markLaterDaysStaleSQL, [game, days.to.iso])
            }
            for statement in WorkingTables.clear(WorkingTables.pass) { try db.execute(statement, [game]) }
            return results
        }
    }

    /// `$1` game, `$2` the pass's last day: marks the aggregated days with events after it stale.
    static let markLaterDaysStaleSQL = """
        UPDATE aggregated_days SET stale = true
         WHERE game_id = $1 AND date > $2::date AND level_events > 0 AND NOT stale
        """

    /// Aggregates one day: a pass of one day.
    static func aggregate(game: String, day: Day, _ db: PostgresConnection,
                          afterRead: () throws -> Void = {}) throws -> DayAggregation {
        try aggregate(game: game, days: DayRange(from: day, to: day), db, afterRead: afterRead)[0]
    }

    /// One row of ``passSummarySQL``: a day of the pass, its level events, their fingerprint and its activity's.
    private struct PassDay {
        var day: Day
        var events: Int
        var fingerprint: String
        var activity: String

        init(_ row: PostgresRow) throws {
            day = try row.decode(Day.self, at: 0)
            events = try row.decode(Int.self, at: 1)
            fingerprint = try row.decode(String.self, at: 2)
            activity = try row.decode(String.self, at: 3)
        }
    }

    /// Runs `ANALYZE` on `events` when it was never analyzed or a fifth of its rows changed since: right after a
    /// bulk load, before autovacuum gets to it, the planner would take `events` for empty and the day statements'
    /// plans (which index, hash or sort) would be those of a tiny table (issue 7 measured a backfill 3.5x slower
    /// at 100x). Costs a sample of the table (seconds at 100x), once per load. A role that does not own `events`
    /// gets a warning from PostgreSQL and the backfill goes on with the statistics there are.
    ///
    /// A partitioned `events` is analyzed partition by partition (see `relationsToAnalyzeSQL`): a load into this
    /// month's partition re-analyzes that partition only.
    static func analyzeEventsIfStale(_ db: PostgresConnection) throws {
        for relation in try db.query(relationsToAnalyzeSQL).map({ try $0.decode(String.self, at: 0) }) {
            // A name PostgreSQL printed (`regclass`), quoted where it needs to be: never from input.
            try db.execute("ANALYZE \(relation)")
        }
    }

    /// The relations of `events` to analyze (qualified, quoted names): a plain `events` when never analyzed or a
    /// fifth of its rows changed since. A partitioned one as a whole (its own statistics and every partition's)
    /// when it was never analyzed or its partitions hold a fifth more rows than it did then: autovacuum analyzes
    /// partitions but never a partitioned table, and PostgreSQL counts no changes on it (a partition's rows are
    /// its count at its last analysis plus the rows changed since). Otherwise its leaf partitions one by one, by
    /// the plain table's rule.
    static let relationsToAnalyzeSQL = """
        WITH stats AS (
          SELECT c.oid, c.relkind, greatest(c.reltuples, 0) + coalesce(s.n_mod_since_analyze, 0) AS rows_now,
                 c.reltuples, coalesce(s.last_analyze, s.last_autoanalyze) IS NULL AS never,
                 s.n_mod_since_analyze > 0.2 * greatest(c.reltuples, 1000) AS changed
            FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
           WHERE c.oid = 'events'::regclass OR c.oid IN (SELECT relid FROM pg_partition_tree('events'))
        ), root AS (
          SELECT * FROM stats WHERE oid = 'events'::regclass
        ), leaves AS (
          SELECT stats.* FROM pg_partition_tree('events') t JOIN stats ON stats.oid = t.relid WHERE t.isleaf
        ), whole AS (
          SELECT oid FROM root
           WHERE never
              OR (relkind <> 'p' AND changed)
              OR (relkind = 'p'
                  AND (SELECT sum(rows_now) FROM leaves) > 1.2 * greatest(root.reltuples, 1000))
        )
        SELECT oid::regclass::text FROM whole
        UNION ALL
        SELECT oid::regclass::text FROM leaves WHERE NOT EXISTS (SELECT 1 FROM whole) AND (never OR changed)
        """

    /// `$1` game, `$2`..`$3` a range: the days of the range holding any event (one index probe per such day on
    /// `(game_id, occurred_at)`, however long the gaps between them: a phone clock set to 2031 costs one probe,
    /// not 1,900 empty days), plus the days that have aggregated level events (so that rows whose events are
    /// gone get removed).
    static let busyDaysSQL = """
        WITH RECURSIVE busy(day) AS (
          SELECT (SELECT (occurred_at AT TIME ZONE 'UTC')::date FROM events
                   WHERE \(LevelEventSQL.gameAndDays(first: 2, last: 3))
                   ORDER BY occurred_at LIMIT 1)
          UNION ALL
          SELECT (SELECT (e.occurred_at AT TIME ZONE 'UTC')::date FROM events e
                   WHERE e.game_id = $1
                     AND e.occurred_at >= (busy.day + 1)::timestamp AT TIME ZONE 'UTC'
                     AND e.occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
                   ORDER BY e.occurred_at LIMIT 1)
            FROM busy WHERE busy.day IS NOT NULL
        )
        SELECT day FROM busy WHERE day IS NOT NULL
        UNION
        \(aggregatedBusyDaysSQL)
        ORDER BY 1
        """

    /// `$1` game, `$2`..`$3` a range: the days that have aggregated level events.
    static let aggregatedBusyDaysSQL = """
        SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND level_events > 0
        """

    /// The days of `range` that hold events or aggregates, in order.
    static func busyDays(game: String, range: DayRange, _ db: PostgresConnection) throws -> [Day] {
        try db.query(busyDaysSQL, [game, range.from, range.to]).map { try $0.decode(Day.self, at: 0) }
    }

    /// The days of `range` that hold aggregated level events: the busy days a role that may not read `events` knows.
    static func aggregatedBusyDays(game: String, range: DayRange, _ db: PostgresConnection) throws -> [Day] {
        try db.query(aggregatedBusyDaysSQL, [game, range.from, range.to]).map { try $0.decode(Day.self, at: 0) }
    }

    /// Records every day of `range` that is not in `busy` as aggregated with no events, in one statement
    /// (they have no rows to write). Days already recorded are left alone unless marked stale or holding a pending
    /// change (an event inserted, then deleted). The changes of the days it records are consumed, unless the day
    /// received a level event after `busy` was read (then it stays pending, and the day is not fresh).
    /// Returns the number of days recorded.
    ///
    /// Statements in one REPEATABLE READ transaction, so that they see one snapshot as a single statement would:
    /// the days with pending changes and the fresh ones are read first, not in the upsert's conflict condition (under
    /// Citus an upsert's condition cannot read another distributed table, nor take parameters).
    @discardableResult
    static func recordEmptyDays(game: String, range: DayRange, busy: [Day], _ db: PostgresConnection) throws -> Int {
        try db.transaction(.repeatableRead) {
            let days = { (sql: String) in Set(try db.query(sql, [game, range.from, range.to]).map { try $0.decode(Day.self, at: 0) }) }
            let pending = try days(pendingDaysSQL)
            let fresh = try days(freshDaysSQL)
            let busy = Set(busy)
            let empty = range.days.filter { !busy.contains($0) && (!fresh.contains($0) || pending.contains($0)) }
            let recorded = try db.query(recordEmptyDaysSQL, [game, PostgresArray.text(empty.map(\.iso)), CellSQL.allUnpinned])
                .map { try $0.decode(Day.self, at: 0) }
            try db.execute(consumeEmptyDaysSQL, [game, PostgresArray.text(recorded.map(\.iso))])
            try db.execute(DeltaSQL.dropOrphanRemovals, [game])
            return recorded.count
        }
    }

    /// `$1` game, `$2`..`$3` a range: its days with a pending change.
    static let pendingDaysSQL = "SELECT day FROM event_changes WHERE game_id = $1 AND day BETWEEN $2::date AND $3::date"

    /// `$1` game, `$2`..`$3` a range: its days aggregated and not stale.
    static let freshDaysSQL = "SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND NOT stale"

    /// `$1` game, `$2` days (an array), `$3` the additive bits of a day without keys: records them as aggregated
    /// without events; returns the days recorded. One row of `VALUES` whose `unnest` makes a row per day: under
    /// Citus an insert of the game's rows from `VALUES` goes to its shard, where `INSERT ... SELECT` from an array
    /// would be evaluated on the coordinator.
    static let recordEmptyDaysSQL = """
        INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                                     activity_fingerprint)
        VALUES ($1::text, unnest($2::date[]), now(), 0, '0:0', false, $3::integer, '\(noActivity)')
        ON CONFLICT (game_id, date) DO UPDATE
           SET stale = false, aggregated_at = excluded.aggregated_at, level_events = 0,
               events_fingerprint = excluded.events_fingerprint, activity_fingerprint = excluded.activity_fingerprint
        RETURNING date
        """

    /// `$1` game, `$2` days recorded empty: consumes their changes, unless a level event of the day is there now.
    static let consumeEmptyDaysSQL = """
        DELETE FROM event_changes c
         WHERE c.game_id = $1 AND c.day = ANY ($2::date[])
           AND NOT EXISTS (SELECT 1 FROM level_events e
                            WHERE e.game_id = $1
                              AND e.occurred_at >= (c.day)::timestamp AT TIME ZONE 'UTC'
                              AND e.occurred_at <  (c.day + 1)::timestamp AT TIME ZONE 'UTC')
        """

    /// `$1` game, `$2` days a pass rebuilt: deletes their captured changes that the pass's snapshot sees.
    static let consumeChangesSQL = "DELETE FROM event_changes WHERE game_id = $1 AND day = ANY ($2::date[])"

    /// What rebuilding a pass's cell rows did, per day: the additive dimension bits (days with player keys), and
    /// the rows removed and written.
    private struct RebuiltCells {
        var additive: [Day: Int] = [:]
        var removed: [Day: Int] = [:]
        var written: [Day: Int] = [:]
    }

    /// Rebuilds the cell rows of the pass's days (`CellSQL`): adds the earlier activity of the pass's player keys
    /// (written into `lf_activity` by ``readEventsSQL``), sums it up per key and day, finds the dimensions additive on
    /// each day, removes the pass's cell rows and computes those of the days with events into `lf_cells`, one
    /// statement per set of additive dimensions (a pass's days share one or two), then adds their new tuples and
    /// writes them with their tuples' ids.
    private static func rebuildCells(game: String, days: DayRange, withEvents: [Day],
                                     _ db: PostgresConnection) throws -> RebuiltCells {
        var cells = RebuiltCells()
        func perDay(_ rows: PostgresRows) throws -> [Day: Int] {
            Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(Day.self, at: 0), try $0.decode(Int.self, at: 1)) })
        }
        try db.execute(CellSQL.fillEarlierActivity, [game, days.from.iso])
        // The working tables have no statistics of their own (autovacuum only sees them empty): without them
        // PostgreSQL takes a 100x day's 740K key days for 8 rows and sorts them by their text columns (2.4 s) where a
        // hash takes 0.4 s. Sampling them costs 0.1–0.3 s at 100x, milliseconds at 1x.
        try db.execute(CellSQL.analyzeActivity)
        for statement in CellSQL.fillKeyDays { try db.execute(statement, [game, days.from.iso]) }
        try db.execute(CellSQL.analyzeKeyDays)
        cells.additive = try perDay(try db.query(CellSQL.varyingDimensions, [game])).mapValues { CellSQL.allUnpinned & ~$0 }
        cells.removed = try perDay(try db.query(CellSQL.deleteDays, [game, days.from.iso, days.to.iso]))
        let groups = Dictionary(grouping: withEvents) { cells.additive[$0] ?? CellSQL.allUnpinned }
        for (bits, sharing) in groups.sorted(by: { $0.key < $1.key }) {
            for statement in CellSQL.rebuildDays(additive: bits) {
                try db.execute(statement, [game, bits, PostgresArray.text(sharing.sorted().map(\.iso))])
            }
        }
        try db.execute(CellSQL.analyzeCells)
        try db.execute(CellSQL.addTuples, [game])
        try db.execute(CellSQL.writeRows, [game])
        cells.written = try perDay(try db.query(CellSQL.rowsPerDay, [game]))
        return cells
    }

    /// Settings for the pass's transaction (local: they end with it). JIT compilation is off: the pass's
    /// statements are short, and their row estimates (the `level_events` view's JSON rules are opaque to the
    /// planner) made PostgreSQL spend 60 ms compiling a statement that runs in 20. `work_mem` keeps the day's
    /// grouping sets and sorts in memory at 100x (a pass's players' keys, times the stored cells).
    /// `default_statistics_target` sizes the sample of the pass tables' `ANALYZE` (3,000 rows: their row counts
    /// and rough distinct counts are what the plans need; the default sample cost 0.35 s a pass at 1x).
    static let sessionSettings = """
        SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true),
               set_config('default_statistics_target', '10', true)
        """

    /// The activity fingerprint of a day without player keys.
    static let noActivity = "0:0"

    /// `$1` game; `$2` the pass's days, `$3` their additive dimension bits, `$4` their level events, `$5` their
    /// fingerprints (count and sum of ids) and `$6` their activity's (count and hash sum of the player keys), from
    /// ``readEventsSQL``, as arrays in the same order.
    static let passDaysSQL = """
        SELECT * FROM unnest($2::date[], $3::integer[], $4::bigint[], $5::text[], $6::text[])
                        AS d(date, additive, events, fingerprint, activity)
        """

    /// The pass's days (``passDaysSQL``) whose activity differs from the one on record (``DayAggregation/changed``).
    /// A day recorded before its activity was (schema 8) has none on record: it counts as changed unless it had no
    /// events. A statement before ``recordDaysSQL``, not a CTE beside it: Citus runs a data-modifying CTE before
    /// the rest of its statement, which would then compare the days with themselves.
    static let changedDaysSQL = """
        WITH pass AS (\(passDaysSQL))
        SELECT pass.date
          FROM pass LEFT JOIN aggregated_days a ON a.game_id = $1::text AND a.date = pass.date
         WHERE CASE WHEN a.date IS NULL THEN pass.activity <> '\(noActivity)'
                    ELSE pass.activity IS DISTINCT FROM a.activity_fingerprint END
        """

    /// Records the pass's days (the arrays of ``passDaysSQL``) as aggregated, in one statement: one row of `VALUES`
    /// whose `unnest`s make a row per day (see ``recordEmptyDaysSQL``).
    static let recordDaysSQL = """
        INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                                     activity_fingerprint)
        VALUES ($1::text, unnest($2::date[]), now(), unnest($4::bigint[]), unnest($5::text[]), false, unnest($3::integer[]),
                unnest($6::text[]))
        ON CONFLICT (game_id, date) DO UPDATE
           SET aggregated_at = excluded.aggregated_at, level_events = excluded.level_events,
               events_fingerprint = excluded.events_fingerprint, stale = false, additive = excluded.additive,
               activity_fingerprint = excluded.activity_fingerprint
        """

    private static let dimensionList = Dimension.columnList
    private static let summedColumns = Measure.summed.map(\.column)

    /// `$1` game, `$2`..`$3` the pass's days: reads the pass's level events into its working tables, in two
    /// statements (under Citus, each an `INSERT ... SELECT` on the game's shards): its event counts per day, level
    /// and dimension tuple into `lf_fresh`, and its player keys into `lf_activity` (CellSQL).
    static let readEventsSQL = [
        """
        INSERT INTO lf_fresh (game_id, date, level_id, \(dimensionList), \(summedColumns.joined(separator: ", ")), id_sum)
        SELECT game_id, day, level_id, \(dimensionList),
               \(Measure.summed.map { "\($0.expression)" }.joined(separator: ",\n               ")),
               sum(id)
          FROM level_events
         WHERE \(LevelEventSQL.gameAndDays(first: 2, last: 3))
         GROUP BY game_id, day, level_id, \(dimensionList)
        """,
        """
        INSERT INTO lf_activity (game_id, user_id, level_id, event, \(dimensionList), day)
        SELECT DISTINCT game_id, user_id, level_id, event_name, \(dimensionList), day
          FROM level_events
         WHERE \(LevelEventSQL.gameAndDays(first: 2, last: 3))
           AND event_name IN (\(Measure.playerEvents))
        """,
    ]

    /// `$1` game, `$2`..`$3` the pass's days: for every day of the pass, its level events, their fingerprint and its
    /// activity's, from the working tables ``readEventsSQL`` filled.
    static let passSummarySQL = """
        SELECT d.day, coalesce(f.events, 0),
               -- The day's fingerprint: count and id sum of its level events (every one is a start, complete or fail).
               coalesce(f.events, 0)::text || ':' || coalesce(f.id_sum, 0)::text,
               -- Its activity's: count and hash sum of its player keys (a row's text form tells NULL from '').
               coalesce(p.keys, 0)::text || ':' || coalesce(p.hash_sum, 0)::text
          FROM (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day) d
          LEFT JOIN (SELECT date, sum(starts + completes + fails) AS events, sum(id_sum) AS id_sum
                       FROM lf_fresh WHERE game_id = $1 GROUP BY date) f
            ON f.date = d.day
          LEFT JOIN (SELECT day, count(*) AS keys,
                            sum(hashtextextended(ROW(user_id, level_id, event, \(dimensionList))::text, 0)::numeric) AS hash_sum
                       FROM lf_activity WHERE game_id = $1 GROUP BY day) p
            ON p.day = d.day
         ORDER BY d.day
        """
}
