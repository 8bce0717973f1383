import PostgresClient

/// What aggregating one day did.
public struct DayAggregation: Sendable, Equatable {
    public var day: Day
    /// Level events of that day that were counted.
    public var levelEvents: Int
    /// Aggregate rows inserted or updated.
    public var rowsWritten: Int
    /// Aggregate rows removed because their events no longer exist for that day.
    public var rowsRemoved: Int
    /// True when the day's events differ from those of its previous aggregation (or it had none): later days'
    /// player recency may depend on them, so they are marked stale.
    public var changed: Bool
}

/// Rebuilds the daily aggregates of one game and a *pass* of consecutive UTC days from `events` with set-based
/// statements: one read of the pass's events, one index probe per player key for its activity before the pass,
/// a window over each key's days, and the cell rows of all the pass's days written at once. A pass of several
/// days pays each statement's fixed cost and each key's probe once instead of once a day; every day still gets
/// exactly the rows that aggregating it alone would give (the differential tests compare the two).
enum DailyAggregation {
    /// Upserts the pass's rows, deletes rows that no longer have events, rebuilds its cell rows (event counts and
    /// player recency per cell tuple), and records each day of `days` as aggregated, all in one transaction: a
    /// crash leaves the previous state of those days intact. When a day's events differ from those of its last
    /// aggregation, the aggregated days after the pass are marked stale: their player recency depends on it.
    /// Returns one ``DayAggregation`` per day of `days`, in order.
    ///
    /// The transaction is REPEATABLE READ: the upsert, the players' recency and the fingerprints all read one
    /// snapshot, so events inserted meanwhile are either in all of them or in none (and then found by the next
    /// refresh through their `received_at`). `afterUpsert` lets tests insert events between the statements.
    static func aggregate(game: String, days: DayRange, _ db: PostgresConnection,
                          afterUpsert: () throws -> Void = {}) throws -> [DayAggregation] {
        try db.transaction(.repeatableRead) {
            try db.execute(sessionSettings)
            for statement in CellSQL.createPassTables { try db.execute(statement) }
            let upserted = try db.query(upsertSQL, [game, days.from.iso, days.to.iso]).map(UpsertedDay.init)
            try afterUpsert()
            let additive = try rebuildCells(game: game, days: days, withEvents: upserted.filter { $0.events > 0 }.map(\.day), db)
            var results: [DayAggregation] = []
            for day in upserted {
                let bits = additive[day.day] ?? CellSQL.allUnpinned
                let changed = try db.query(recordDaySQL, [game, day.day.iso, bits, day.events, day.fingerprint])
                    .one().decode(Bool.self, at: 0)
                results.append(DayAggregation(day: day.day, levelEvents: day.events, rowsWritten: day.written,
                                              rowsRemoved: day.removed, changed: changed))
            }
            if results.contains(where: \.changed) {
                // The pass's own days were all rebuilt from this snapshot: only the days after it depend on stale data.
                try db.execute("UPDATE aggregated_days SET stale = true WHERE game_id = $1 AND date > $2::date",
                               [game, days.to.iso])
            }
            return results
        }
    }

    /// Aggregates one day: a pass of one day.
    static func aggregate(game: String, day: Day, _ db: PostgresConnection,
                          afterUpsert: () throws -> Void = {}) throws -> DayAggregation {
        try aggregate(game: game, days: DayRange(from: day, to: day), db, afterUpsert: afterUpsert)[0]
    }

    /// One row of ``upsertSQL``: a day of the pass, what the upsert did on it, and its events' fingerprint.
    private struct UpsertedDay {
        var day: Day
        var events: Int
        var written: Int
        var removed: Int
        var fingerprint: String

        init(_ row: PostgresRow) throws {
            day = try row.decode(Day.self, at: 0)
            events = try row.decode(Int.self, at: 1)
            written = try row.decode(Int.self, at: 2)
            removed = try row.decode(Int.self, at: 3)
            fingerprint = try row.decode(String.self, at: 4)
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
        SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND level_events > 0
        ORDER BY 1
        """

    /// The days of `range` that hold events or aggregates, in order.
    static func busyDays(game: String, range: DayRange, _ db: PostgresConnection) throws -> [Day] {
        try db.query(busyDaysSQL, [game, range.from, range.to]).map { try $0.decode(Day.self, at: 0) }
    }

    /// Records every day of `range` that is not in `busy` as aggregated with no events, in one statement
    /// (they have no rows to write). Days already recorded are left alone unless marked stale.
    /// Returns the number of days recorded.
    @discardableResult
    static func recordEmptyDays(game: String, range: DayRange, busy: [Day], _ db: PostgresConnection) throws -> Int {
        try db.execute("""
            INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                                         snapshot)
            SELECT $1, d::date, now(), 0, '0:0', false, $5::integer, pg_current_snapshot()
              FROM generate_series($2::date, $3::date, interval '1 day') d
             WHERE d::date <> ALL ($4::date[])
            ON CONFLICT (game_id, date) DO UPDATE
               SET stale = false, aggregated_at = excluded.aggregated_at, snapshot = excluded.snapshot
             WHERE aggregated_days.stale
            """, [game, range.from, range.to, PostgresArray.text(busy.map(\.iso)), CellSQL.allUnpinned])
    }

    /// Rebuilds the cell rows of the pass's days (`CellSQL`): adds the earlier activity of the pass's player keys
    /// (written into `lf_activity` by the upsert), sums it up per key and day, finds the dimensions additive on
    /// each day, removes the pass's cell rows and writes those of the days with events, one statement per set of
    /// additive dimensions (a pass's days share one or two). Returns the additive bits of the days with keys.
    private static func rebuildCells(game: String, days: DayRange, withEvents: [Day],
                                     _ db: PostgresConnection) throws -> [Day: Int] {
        try db.execute(CellSQL.fillEarlierActivity, [game, days.from.iso])
        try db.execute(CellSQL.fillKeyDays, [days.from.iso])
        var additive: [Day: Int] = [:]
        for row in try db.query(CellSQL.varyingDimensions) {
            additive[try row.decode(Day.self, at: 0)] = CellSQL.allUnpinned & ~(try row.decode(Int.self, at: 1))
        }
        try db.execute(CellSQL.deleteDays, [game, days.from.iso, days.to.iso])
        let groups = Dictionary(grouping: withEvents) { additive[$0] ?? CellSQL.allUnpinned }
        for (bits, sharing) in groups.sorted(by: { $0.key < $1.key }) {
            try db.execute(CellSQL.rebuildDays(additive: bits),
                           [game, bits, PostgresArray.text(sharing.sorted().map(\.iso))])
        }
        return additive
    }

    /// Settings for the pass's transaction (local: they end with it). JIT compilation is off: the pass's
    /// statements are short, and their row estimates (the `level_events` view's JSON rules are opaque to the
    /// planner) made PostgreSQL spend 60 ms compiling a statement that runs in 20. `work_mem` keeps the day's
    /// grouping sets and sorts in memory at 100x (a pass's players' keys, times the stored cells).
    static let sessionSettings = "SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true)"

    /// `$1` game, `$2` day, `$3` the day's additive dimension bits, `$4` its level events and `$5` their
    /// fingerprint (count and sum of ids, from the upsert's read of the day): records the aggregation and returns
    /// whether the day's events differ from the ones last aggregated (true as well for a day aggregated the
    /// first time).
    private static let recordDaySQL = """
        WITH previous AS (
          SELECT events_fingerprint FROM aggregated_days WHERE game_id = $1 AND date = $2::date
        ), recorded AS (
          INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                                       snapshot)
          VALUES ($1, $2::date, now(), $4::bigint, $5::text, false, $3::integer, pg_current_snapshot())
          ON CONFLICT (game_id, date) DO UPDATE
             SET aggregated_at = excluded.aggregated_at, level_events = excluded.level_events,
                 events_fingerprint = excluded.events_fingerprint, stale = false, additive = excluded.additive,
                 snapshot = excluded.snapshot
        )
        SELECT $5::text IS DISTINCT FROM (SELECT events_fingerprint FROM previous)
        """

    private static let dimensionList = Dimension.columnList
    private static let measureColumns = Measure.all.map(\.column)

    /// `$1` game, `$2`..`$3` the pass's days: returns, for every day of the pass, its level events, rows
    /// written, rows removed and its fingerprint, and writes the pass's player keys into `lf_activity`: one read
    /// of the pass's events (JSON rules and all) serves all of them. Data-modifying CTEs share one snapshot: the
    /// DELETE sees the rows as they were before the upsert and removes only keys absent from `fresh`.
    static let upsertSQL = """
        WITH day_events AS MATERIALIZED (
          SELECT * FROM level_events WHERE \(LevelEventSQL.gameAndDays(first: 2, last: 3))
        ), fresh AS (
          SELECT game_id, day AS date, level_id, \(dimensionList),
        \(Measure.selectList),
                 sum(id) AS id_sum
            FROM day_events
           GROUP BY game_id, day, level_id, \(dimensionList)
        ), players AS (
          -- The pass's player keys for the cell rows (CellSQL), from the same read of its events.
          INSERT INTO lf_activity (user_id, level_id, event, \(dimensionList), day)
          SELECT DISTINCT user_id, level_id, event_name, \(dimensionList), day
            FROM day_events
           WHERE event_name IN (\(Measure.playerEvents))
        ), written AS (
          INSERT INTO level_metrics_daily (game_id, date, level_id, \(dimensionList), \(measureColumns.joined(separator: ", ")))
          SELECT game_id, date, level_id, \(dimensionList), \(measureColumns.joined(separator: ", ")) FROM fresh
          ON CONFLICT ON CONSTRAINT level_metrics_daily_key DO UPDATE SET
            \(measureColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ",\n    "))
          RETURNING date
        ), removed AS (
          DELETE FROM level_metrics_daily d
           WHERE d.game_id = $1 AND d.date BETWEEN $2::date AND $3::date
             -- A row's text form tells NULL from '' ("(,a)" vs "(\"\",a)"): an equality the anti-join can hash,
             -- where IS NOT DISTINCT FROM compared every row of a level with every other (60 ms a day at 10x).
             AND NOT EXISTS (
               SELECT 1 FROM fresh f
                WHERE f.date = d.date AND f.level_id = d.level_id
                  AND ROW(\(Dimension.columnList(alias: "f")))::text = ROW(\(Dimension.columnList(alias: "d")))::text)
          RETURNING date
        )
        SELECT d.day, coalesce(f.events, 0), coalesce(w.rows, 0), coalesce(r.rows, 0),
               -- The day's fingerprint: count and id sum of its level events (every one is a start, complete or fail).
               coalesce(f.events, 0)::text || ':' || coalesce(f.id_sum, 0)::text
          FROM (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day) d
          LEFT JOIN (SELECT date, sum(starts + completes + fails) AS events, sum(id_sum) AS id_sum
                       FROM fresh GROUP BY date) f ON f.date = d.day
          LEFT JOIN (SELECT date, count(*) AS rows FROM written GROUP BY date) w ON w.date = d.day
          LEFT JOIN (SELECT date, count(*) AS rows FROM removed GROUP BY date) r ON r.date = d.day
         ORDER BY d.day
        """
}
