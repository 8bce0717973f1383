/// Exact distinct-player counts from counts alone (see `shared/design/exact-players.md`), and the per-cell event
/// counts the fast path sums, in one row per (cell tuple, day, level).
///
/// A *cell* pins a subset of the dimensions, identified by `GROUPING(...)` bits (set = dimension not pinned); a
/// *cell tuple* is a cell with values for its pinned dimensions, stored once in `level_cell_tuples` so that the
/// rows carry a small integer instead of five text columns. For every cell tuple, level, kind (start or
/// complete) and day, the row holds how many players were active that day for the first time in that cell tuple
/// (`*_new`) and `*_after[k + 1]`: how many were active that day and had last been active more than `k` days
/// earlier, or never (cumulative, so that a range reads one value per row; beyond the array's end only the new
/// players remain). The distinct players of a range `[A, B]` are the sum over its days `d` of
/// `coalesce(after[d - A + 1], new)`: each player counts on their first active day inside the range, and only
/// there. No user id is stored.
///
/// Which cells a day stores (see ``storedCells(additive:)``): the coarse ones (no or one pinned dimension)
/// always, and the finer ones only with every *additive* dimension pinned. A dimension is additive on a day when
/// every player active that day on a level and kind had one value of it in all their activity on that level and
/// kind up to that day: then their recency in a coarser cell equals their recency in the one finer cell tuple
/// they belong to, so the coarser cell is the sum of the finer ones and need not be stored. The check is local
/// to the day (today's and earlier events of today's players), so a dimension that starts varying mid-history
/// simply makes the days from then on store more cells; no other day changes.
enum CellSQL {
    private static let dims = Dimension.columnList
    /// `GROUPING(...)` value of the cell that pins nothing.
    static let allUnpinned = (1 << Dimension.allCases.count) - 1

    /// Number of dimensions a cell pins.
    static func pinnedCount(_ cell: Int) -> Int { Dimension.allCases.count - (cell & allUnpinned).nonzeroBitCount }

    /// Cells small enough to store on every day and read directly: no or one pinned dimension.
    static func isCoarse(_ cell: Int) -> Bool { pinnedCount(cell) <= 1 }

    /// The cells a day stores given the bits of its additive dimensions: the coarse cells, and every cell that
    /// pins all additive dimensions. All 32 when nothing is additive; 7 when everything is.
    static func storedCells(additive: Int) -> [Int] {
        (0...allUnpinned).filter { isCoarse($0) || $0 & additive == 0 }
    }

    /// The player keys of a pass (one or more consecutive days, see `DailyAggregation`), in temporary tables
    /// that never outlive the transaction. `lf_activity`: one row per key (player, level, kind: one per
    /// distinct-player measure), dimension tuple and day the key was active, for the pass's days and the same
    /// keys' earlier starts or completes. `lf_key_days`: one row per key and day of the pass it was active,
    /// with the dimensions that varied in its activity up to that day (`varying`, GROUPING bits), its previous
    /// active day, and (when nothing varied) its one dimension tuple.
    static let createPassTables = [
        """
        CREATE TEMP TABLE IF NOT EXISTS lf_activity (
          user_id text, level_id integer, event text,
          \(Dimension.allCases.map { "\($0.column) \($0.sqlType)" }.joined(separator: ", ")),
          day date) ON COMMIT DELETE ROWS
        """,
        """
        CREATE TEMP TABLE IF NOT EXISTS lf_key_days (
          user_id text, level_id integer, event text, day date, varying integer, previous date,
          \(Dimension.allCases.map { "\($0.column) \($0.sqlType)" }.joined(separator: ", "))) ON COMMIT DELETE ROWS
        """,
    ]

    /// `$1` game, `$2` the pass's first day: adds to `lf_activity` (which holds the pass's keys, written by the
    /// pass's upsert) the earlier activity of each key (player, level, kind) before the pass: one probe of
    /// `events_player_key_idx` per key, reading only that key's earlier starts or completes, so a pass costs its
    /// own keys and their few earlier events, not its players' whole history. A key's earlier events are kept as
    /// they are: the steps after take the last day per tuple. `OFFSET 0` keeps the LATERAL subquery from being
    /// flattened into a join, so the plan is the same whatever the statistics say.
    static let fillEarlierActivity = """
        INSERT INTO lf_activity (user_id, level_id, event, \(dims), day)
        SELECT k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day
          -- In index order: the probes walk events_player_key_idx from one end to the other, each page read once
          -- (at 100x the index is gigabytes, and probes in hash order read a page per probe from disk).
          FROM (SELECT DISTINCT user_id, level_id, event FROM lf_activity ORDER BY user_id, level_id, event) k
          CROSS JOIN LATERAL (
            SELECT \(dims), day
              FROM level_events
             WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
               AND event_name IN (\(Measure.playerEvents))
               AND occurred_at < ($2::date)::timestamp AT TIME ZONE 'UTC'
            OFFSET 0) e
        """

    /// `$1` the pass's first day. Fills `lf_key_days` from `lf_activity`: per key and day, what its activity up
    /// to and including that day looked like (a window over the key's days). A dimension varied for a key when
    /// the key has two values of it (NULL counts as a value) among its activity up to that day: two non-null
    /// values (`min <> max`), or NULL and a value. Written without `count(DISTINCT ...)`, which only sorted
    /// aggregation can compute: this way PostgreSQL can hash the keys' days (a 100x day has 700K keys).
    static let fillKeyDays = """
        INSERT INTO lf_key_days (user_id, level_id, event, day, varying, previous, \(dims))
        SELECT * FROM (
          SELECT user_id, level_id, event, day,
                 \(Dimension.allCases.map {
                      "CASE WHEN min(\($0.column)_min) OVER key <> max(\($0.column)_max) OVER key "
                      + "OR (bool_or(\($0.column)_null) OVER key AND bool_or(\($0.column)_set) OVER key) "
                      + "THEN \($0.groupingBit) ELSE 0 END"
                  }.joined(separator: "\n             | ")),
                 lag(day) OVER key,
                 \(Dimension.allCases.map { "min(\($0.column)_min) OVER key" }.joined(separator: ", "))
            FROM (SELECT user_id, level_id, event, day,
                         \(Dimension.allCases.map {
                              "min(\($0.column)) AS \($0.column)_min, max(\($0.column)) AS \($0.column)_max, "
                              + "bool_or(\($0.column) IS NULL) AS \($0.column)_null, "
                              + "bool_or(\($0.column) IS NOT NULL) AS \($0.column)_set"
                          }.joined(separator: ",\n                 "))
                    FROM lf_activity
                   GROUP BY user_id, level_id, event, day) key_day
          WINDOW key AS (PARTITION BY user_id, level_id, event ORDER BY day)) up_to_day
         WHERE day >= $1::date
        """

    /// The `GROUPING(...)` bits of the dimensions that are *not* additive, per day of the pass with player keys:
    /// some key active that day varied in it up to that day.
    static let varyingDimensions = "SELECT day, coalesce(bit_or(varying), 0) FROM lf_key_days GROUP BY day"

    /// `$1` game, `$2`..`$3` the pass's days: removes their cell rows (before ``rebuildDays`` writes them again).
    /// One index probe per cell tuple of the game, then each row by its address: a plan that stays the same
    /// whatever the statistics say (a hash join read the whole table, every game's rows, for one day: 280 ms
    /// on a 1x day).
    static let deleteDays = """
        DELETE FROM level_cells_daily r
         USING level_cell_tuples t
         CROSS JOIN LATERAL (SELECT ctid FROM level_cells_daily d
                              WHERE d.tuple_id = t.tuple_id AND d.date BETWEEN $2::date AND $3::date OFFSET 0) found
         WHERE t.game_id = $1 AND r.ctid = found.ctid
        """

    private static let eventMeasures = Measure.summed.map(\.column)
    private static let recencyColumns = Measure.players.flatMap { ["\($0.recency)_new", "\($0.recency)_after"] }
    private static let rowColumns = eventMeasures + recencyColumns

    /// `$1` game, `$2` the additive dimension bits of days `$3` (an array: the pass's days that share them).
    /// Writes those days' rows of the cells in `storedCells(additive:)` from their `level_metrics_daily` rows
    /// (event counts) and their player keys (recency: `lf_key_days` for keys whose dimensions never changed,
    /// `lf_activity` for the others). Returns the number of rows inserted.
    static func rebuildDays(additive: Int) -> String {
        let cells = storedCells(additive: additive)
        let sets = cells.map { cell in
            "(" + Dimension.allCases.filter { cell & $0.groupingBit == 0 }.map(\.column).joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        let psets = cells.map { cell in
            "(" + Dimension.allCases.filter { cell & $0.groupingBit == 0 }.map { "p.\($0.column)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
        let coarse = cells.filter(isCoarse).map(String.init).joined(separator: ", ")
        return """
        WITH gaps AS (
          -- Keys with one dimension tuple in all their activity (nearly every key): their previous activity is
          -- the same in every cell, so they are counted per tuple and gap first, and the cells are sums of those
          -- counts (a few thousand rows instead of every key times every cell).
          SELECT day, GROUPING(\(dims)) AS cell, \(dims), level_id, event, gap, sum(players) AS players
            FROM (SELECT day, \(dims), level_id, event, day - previous AS gap, count(*) AS players
                    FROM lf_key_days
                   WHERE varying = 0 AND day = ANY ($3::date[])
                   GROUP BY day, \(dims), level_id, event, gap) stable
           GROUP BY day, level_id, event, gap, GROUPING SETS (\(sets))
          UNION ALL
          -- Keys that changed a dimension: their previous active day in each cell tuple, key by key (a window
          -- partition matches NULLs like GROUP BY), on the days they were active in it and varied.
          SELECT day, cell, \(dims), level_id, event, day - previous AS gap, count(*) AS players
            FROM (SELECT p.user_id, p.level_id, p.event, p.day, GROUPING(\(Dimension.columnList(alias: "p"))) AS cell,
                         \(Dimension.columnList(alias: "p")),
                         lag(p.day) OVER (PARTITION BY p.user_id, p.level_id, p.event,
                                                       GROUPING(\(Dimension.columnList(alias: "p"))), \(Dimension.columnList(alias: "p"))
                                          ORDER BY p.day) AS previous
                    FROM lf_activity p
                   WHERE (p.user_id, p.level_id, p.event) IN (
                           SELECT user_id, level_id, event FROM lf_key_days WHERE varying <> 0 AND day = ANY ($3::date[]))
                   GROUP BY p.user_id, p.level_id, p.event, p.day, GROUPING SETS (\(psets))) keyed
           WHERE (user_id, level_id, event, day) IN (
                   SELECT user_id, level_id, event, day FROM lf_key_days WHERE varying <> 0 AND day = ANY ($3::date[]))
           GROUP BY day, cell, \(dims), level_id, event, gap
        ), recency AS (
          -- after[k + 1] = players whose previous activity is more than k days back (or absent), k = 0 up to the
          -- longest gap - 1. Most keys have no earlier activity at all: their array is NULL.
          SELECT day, cell, \(dims), level_id, event,
                 coalesce(sum(players) FILTER (WHERE gap IS NULL), 0) AS fresh,
                 CASE WHEN max(gap) IS NOT NULL THEN ARRAY(
                   SELECT sum(p) FILTER (WHERE g IS NULL OR g > k)::integer
                     FROM generate_series(0, max(gap) - 1) k, unnest(array_agg(gap), array_agg(players)) u(g, p)
                    GROUP BY k ORDER BY k) END AS after
            FROM gaps
           GROUP BY day, cell, \(dims), level_id, event
        ), counted AS (
          -- Event counts are sums of the days' finest rows, exact in every cell.
          SELECT date AS day, GROUPING(\(dims)) AS cell, \(dims), level_id,
                 \(eventMeasures.map { "sum(\($0)) AS \($0)" }.joined(separator: ", "))
            FROM level_metrics_daily
           WHERE game_id = $1 AND date = ANY ($3::date[])
           GROUP BY date, level_id, GROUPING SETS (\(sets))
        ), merged AS (
          -- One row per day, cell tuple and level; GROUP BY (unlike a join) matches NULL dimension values.
          SELECT day, cell, \(dims), level_id,
                 \(eventMeasures.map { "sum(\($0)) AS \($0)" }.joined(separator: ", ")),
                 \(Measure.players.map { p in
                     "coalesce(max(fresh) FILTER (WHERE event = '\(p.event)'), 0) AS \(p.recency)_new, "
                     + "max(after) FILTER (WHERE event = '\(p.event)') AS \(p.recency)_after"
                 }.joined(separator: ",\n       "))
            FROM (SELECT day, cell, \(dims), level_id, \(eventMeasures.joined(separator: ", ")),
                         NULL::text AS event, NULL::bigint AS fresh, NULL::integer[] AS after
                    FROM counted
                  UNION ALL
                  SELECT day, cell, \(dims), level_id, \(eventMeasures.map { _ in "NULL" }.joined(separator: ", ")),
                         event, fresh, after
                    FROM recency) parts
           -- A tuple pinning a dimension to NULL is read only when that dimension is summed over: in a fine cell,
           -- for an additive dimension. Filters match non-null values only.
           WHERE \(Dimension.allCases.map {
                "(cell & \($0.groupingBit) <> 0 OR \($0.column) IS NOT NULL OR (\($0.groupingBit) & $2::integer <> 0 AND cell NOT IN (\(coarse))))"
            }.joined(separator: "\n     AND "))
           GROUP BY day, cell, \(dims), level_id
        ), added AS (
          INSERT INTO level_cell_tuples (game_id, cell, \(dims))
          SELECT DISTINCT $1, cell, \(dims) FROM merged
          ON CONFLICT DO NOTHING
          RETURNING tuple_id, cell, \(dims)
        ), identified AS (
          -- Each row takes its tuple's id: new tuples come from RETURNING, known ones from the table (this
          -- statement's snapshot does not see its own inserts). A window partition matches NULLs like GROUP BY.
          SELECT max(tuple_id) OVER (PARTITION BY cell, \(dims)) AS id, *
            FROM (SELECT NULL::integer AS tuple_id, * FROM merged
                  UNION ALL
                  SELECT tuple_id, NULL, cell, \(dims), NULL, \(rowColumns.map { _ in "NULL" }.joined(separator: ", ")) FROM added
                  UNION ALL
                  SELECT tuple_id, NULL, cell, \(dims), NULL, \(rowColumns.map { _ in "NULL" }.joined(separator: ", "))
                    FROM level_cell_tuples WHERE game_id = $1) rows
        ), inserted AS (
          INSERT INTO level_cells_daily (tuple_id, date, level_id, \(rowColumns.joined(separator: ", ")))
          SELECT id, day, level_id, \(rowColumns.joined(separator: ", "))
            FROM identified
           WHERE level_id IS NOT NULL
           -- Stored tuple by tuple, so that a query reading one tuple's days touches few pages.
           ORDER BY id, day, level_id
          RETURNING 1
        )
        SELECT count(*) FROM inserted
        """
    }

    /// Every `LevelCounts` field per level for game `$1`, days `$2`..`$3`, the cell `$4` that the filters pin
    /// (bits of unpinned dimensions), `$5` = whether that cell is coarse, and the filters' equality conditions
    /// on the cell tuple (appended by the caller, parameters from `$6`). Each day reads the cell that answers
    /// the filters given that day's additive dimensions: the filters' own cell when it is coarse (always
    /// stored), else the cell that also pins the day's additive dimensions, summed over their values.
    static func funnelQuery(filterClause: String) -> String {
        """
        SELECT r.level_id,
               \(Measure.all.map { m in
                   switch m.kind {
                   case .summed: "sum(r.\(m.column)) AS \(m.column)"
                   case .distinctPlayers(_, let recency):
                       "sum(coalesce(r.\(recency)_after[r.date - $2::date + 1], r.\(recency)_new)) AS \(m.column)"
                   }
               }.joined(separator: ",\n       "))
          FROM aggregated_days a
          JOIN level_cell_tuples t
            ON t.game_id = a.game_id
           AND t.cell = CASE WHEN $5::boolean THEN $4::integer ELSE $4::integer & ~a.additive END\(filterClause)
          JOIN level_cells_daily r ON r.tuple_id = t.tuple_id AND r.date = a.date
         WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
         GROUP BY r.level_id
         ORDER BY r.level_id
        """
    }
}
