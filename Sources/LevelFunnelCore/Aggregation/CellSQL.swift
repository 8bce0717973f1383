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
/// Which cells a day stores: the *full* cells on every day (``fullCells``): the coarse ones (no or one pinned
/// dimension), read directly, and the one that pins every dimension (cell 0), whose tuples are summed for any
/// finer filter. Summing cell 0's tuples is exact for event counts, and for distinct players as long as every
/// player active that day on a level and kind had one tuple in all their activity on it up to that day: then
/// their recency in a coarser tuple equals their recency in the one cell-0 tuple they belong to. A dimension in
/// which some key varied is not *additive* that day; for the cells that unpin such dimensions and pin the
/// additive ones (``correctionCells(additive:)``), the day stores *corrections*: per tuple, the coarser tuple's
/// recency counts minus the sum of its cell-0 tuples' (made of the keys that varied only, since every other key
/// adds the same on both sides), and only where they differ. A filter's answer on a day is then cell 0's
/// tuples that match it plus the corrections of the cell that pins the filter's and the day's additive
/// dimensions (``funnelQuery(filterClause:)``). The check is local to the day (today's and earlier events of
/// today's players), so a dimension that starts varying mid-history makes the days from then on store
/// corrections; no other day changes.
enum CellSQL {
    private static let dims = Dimension.columnList
    /// `GROUPING(...)` value of the cell that pins nothing.
    static let allUnpinned = (1 << Dimension.allCases.count) - 1

    /// Number of dimensions a cell pins.
    static func pinnedCount(_ cell: Int) -> Int { Dimension.allCases.count - (cell & allUnpinned).nonzeroBitCount }

    /// Cells small enough to store on every day and read directly: no or one pinned dimension.
    static func isCoarse(_ cell: Int) -> Bool { pinnedCount(cell) <= 1 }

    /// The cells every day stores in full: the coarse cells and cell 0 (every dimension pinned).
    static let fullCells = [0] + (0...allUnpinned).filter(isCoarse)

    /// The cells whose corrections a day stores, given its additive dimensions: every finer cell that pins all
    /// of them (not cell 0). None when every dimension is additive; 25 when none is.
    static func correctionCells(additive: Int) -> [Int] {
        (1...allUnpinned).filter { !isCoarse($0) && $0 & additive == 0 }
    }

    /// The player keys of a pass (one or more consecutive days, see `DailyAggregation`), in working tables of the
    /// game's own rows (`WorkingTables`). `lf_activity`: one row per key (player, level, kind: one per
    /// distinct-player measure), dimension tuple and day the key was active, for the pass's days and the same
    /// keys' earlier starts or completes. `lf_key_days`: one row per key and day of the pass it was active,
    /// with the dimensions that varied in its activity up to that day (`varying`, GROUPING bits), its previous
    /// active day, and (when nothing varied) its one dimension tuple. `lf_fresh`: the pass's event counts per
    /// day, level and dimension tuple, and the sum of their ids (the days' fingerprints). `lf_cells`: the rows the
    /// pass writes, before they take their tuple's id.
    ///
    /// `$1` game, `$2` the pass's first day: adds to `lf_activity` (which holds the pass's keys, written by the
    /// pass's read of its events) the earlier activity of each key (player, level, kind) before the pass: one probe of
    /// `events_player_key_idx` per key, reading only that key's earlier starts or completes, so a pass costs its
    /// own keys and their few earlier events, not its players' whole history. A key's earlier events are kept as
    /// they are: the steps after take the last day per tuple. `OFFSET 0` keeps the LATERAL subquery from being
    /// flattened into a join, so the plan is the same whatever the statistics say.
    static let fillEarlierActivity = """
        INSERT INTO lf_activity (game_id, user_id, level_id, event, \(dims), day)
        SELECT k.game_id, k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day
          -- In index order: the probes walk events_player_key_idx from one end to the other, each page read once
          -- (at 100x the index is gigabytes, and probes in hash order read a page per probe from disk).
          FROM (SELECT DISTINCT game_id, user_id, level_id, event FROM lf_activity
                 WHERE game_id = $1 ORDER BY user_id, level_id, event) k
          CROSS JOIN LATERAL (
            SELECT \(dims), day
              FROM level_events
             WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
               AND event_name IN (\(Measure.playerEvents))
               AND occurred_at < ($2::date)::timestamp AT TIME ZONE 'UTC'
            OFFSET 0) e
        """

    /// Statistics for the pass tables once filled: autovacuum only ever sees them empty (a pass deletes its rows
    /// before it commits). `SKIP_LOCKED`: ANALYZE holds its lock until the transaction ends, and a pass of another
    /// game must not wait for it; that pass then plans with the statistics of the last pass analyzed.
    static let analyzeActivity = "ANALYZE (SKIP_LOCKED) lf_activity, lf_fresh"
    static let analyzeKeyDays = "ANALYZE (SKIP_LOCKED) lf_key_days"
    /// Before the rows are written: taken for one row, `lf_cells` was joined to the game's tuples by a nested loop
    /// that compared every row with every tuple of its cell (36 s for a 1x month, against 0.2 s hashed).
    static let analyzeCells = "ANALYZE (SKIP_LOCKED) lf_cells"

    /// Each dimension's summary over a group of rows, for telling whether it varied: its smallest and largest
    /// value, and whether NULL and a value occur (columns `<dimension>_min`, `_max`, `_null`, `_set`).
    static func dimensionSummaries(alias: String = "") -> String {
        let p = alias.isEmpty ? "" : "\(alias)."
        return Dimension.allCases.map {
            "min(\(p)\($0.column)) AS \($0.column)_min, max(\(p)\($0.column)) AS \($0.column)_max, "
                + "bool_or(\(p)\($0.column) IS NULL) AS \($0.column)_null, "
                + "bool_or(\(p)\($0.column) IS NOT NULL) AS \($0.column)_set"
        }.joined(separator: ",\n                 ")
    }

    /// The GROUPING bits of the dimensions that varied: from a row's own summary columns, or (`window`) combining
    /// the summaries of the rows of that window so far.
    static func varyingBits(over window: String? = nil) -> String {
        let over = window.map { " OVER \($0)" } ?? ""
        return Dimension.allCases.map { d in
            let (lo, hi) = window == nil ? ("\(d.column)_min", "\(d.column)_max") : ("min(\(d.column)_min)\(over)", "max(\(d.column)_max)\(over)")
            let (null, set) = window == nil ? ("\(d.column)_null", "\(d.column)_set")
                : ("bool_or(\(d.column)_null)\(over)", "bool_or(\(d.column)_set)\(over)")
            return "CASE WHEN \(lo) <> \(hi) OR (\(null) AND \(set)) THEN \(d.groupingBit) ELSE 0 END"
        }.joined(separator: "\n             | ")
    }

    private static let keyDayColumns = "game_id, user_id, level_id, event, day, varying, previous, \(dims)"

    /// `$1` game, `$2` the pass's first day: fills `lf_key_days` from `lf_activity`, per key and day of the pass,
    /// with what its activity up to and including that day looked like, in two statements. A dimension varied for a
    /// key when the key has two values of it (NULL counts as a value) among its activity up to that day: two
    /// non-null values (`min <> max`), or NULL and a value. Written without `count(DISTINCT ...)`, which only sorted
    /// aggregation can compute: this way PostgreSQL can hash the keys (a 100x day has 800K of them). Most keys are
    /// active on one day of the pass: one hashed grouping per key answers for them (the first statement); only the
    /// keys active on several days take a window over their days (the second).
    static let fillKeyDays = [
        """
        INSERT INTO lf_key_days (\(keyDayColumns))
        SELECT game_id, user_id, level_id, event, first_day,
               \(varyingBits()),
               before, \(Dimension.allCases.map { "\($0.column)_min" }.joined(separator: ", "))
          FROM (SELECT game_id, user_id, level_id, event,
                       min(day) FILTER (WHERE day >= $2::date) AS first_day,
                       max(day) FILTER (WHERE day >= $2::date) AS last_day,
                       max(day) FILTER (WHERE day < $2::date) AS before,
                       \(dimensionSummaries())
                  FROM lf_activity
                 WHERE game_id = $1
                 GROUP BY game_id, user_id, level_id, event) keys
         WHERE first_day = last_day
        """,
        """
        INSERT INTO lf_key_days (\(keyDayColumns))
        SELECT \(keyDayColumns) FROM (
          SELECT game_id, user_id, level_id, event, day,
                 \(varyingBits(over: "key")) AS varying,
                 lag(day) OVER key AS previous,
                 \(Dimension.allCases.map { "min(\($0.column)_min) OVER key AS \($0.column)" }.joined(separator: ", "))
            FROM (SELECT a.game_id, a.user_id, a.level_id, a.event, a.day, \(dimensionSummaries(alias: "a"))
                    FROM lf_activity a
                   -- A semi-join, which PostgreSQL hashes on the (few) keys: as a join it sorted every row of
                   -- lf_activity for a merge join (1.2 s on a 100x day that had no such key).
                   WHERE a.game_id = $1 AND (a.user_id, a.level_id, a.event) IN (
                           SELECT user_id, level_id, event FROM lf_activity
                            WHERE game_id = $1 AND day >= $2::date
                            GROUP BY user_id, level_id, event HAVING min(day) <> max(day))
                   GROUP BY a.game_id, a.user_id, a.level_id, a.event, a.day) key_day
          WINDOW key AS (PARTITION BY game_id, user_id, level_id, event ORDER BY day)) up_to_day
         WHERE day >= $2::date
        """,
    ]

    /// `$1` game: the `GROUPING(...)` bits of the dimensions that are *not* additive, per day of the pass with
    /// player keys: some key active that day varied in it up to that day.
    static let varyingDimensions = "SELECT day, coalesce(bit_or(varying), 0) FROM lf_key_days WHERE game_id = $1 GROUP BY day"

    /// `$1` game, `$2`..`$3` the pass's days: removes their cell rows (before ``rebuildDays`` writes them again)
    /// and returns how many per day. The rows are found by one index probe per cell tuple of the game and
    /// removed by their addresses (a TID scan): a plan that stays the same whatever the statistics say (a hash
    /// join read the whole table, every game's rows, for one day: 280 ms on a 1x day).
    static let deleteDays = """
        WITH removed AS (
          DELETE FROM level_cells_daily
           WHERE game_id = $1 AND ctid = ANY (ARRAY(
                   SELECT found.ctid
                     FROM level_cell_tuples t
                     CROSS JOIN LATERAL (SELECT ctid FROM level_cells_daily d
                                          WHERE d.game_id = $1 AND d.tuple_id = t.tuple_id
                                            AND d.date BETWEEN $2::date AND $3::date
                                         OFFSET 0) found
                    WHERE t.game_id = $1))
          RETURNING date)
        SELECT date, count(*) FROM removed GROUP BY date
        """

    static let eventMeasures = Measure.summed.map(\.column)
    private static let recencyColumns = Measure.players.flatMap { ["\($0.recency)_new", "\($0.recency)_after"] }
    static let rowColumns = eventMeasures + recencyColumns

    /// `(col1, col2)` of the dimensions a cell pins, for `GROUPING SETS`.
    static func groupingSet(_ cell: Int, alias: String? = nil) -> String {
        let prefix = alias.map { "\($0)." } ?? ""
        let columns = Dimension.allCases.filter { cell & $0.groupingBit == 0 }.map { prefix + $0.column }
        return "(" + columns.joined(separator: ", ") + ")"
    }

    /// Per group of `(gap, players)` rows (columns `event`, `gap`: NULL for never, `players`: a count, negative in
    /// a difference), each kind's recency columns: `*_new`, the players without earlier activity, and `*_after`,
    /// `after[k + 1]` = players whose previous activity is more than k days back (or absent), k = 0 up to the
    /// longest gap - 1 (NULL when no gap is finite).
    static let recencyAggregates = Measure.players.map { p in
        let kind = "event = '\(p.event)'"
        return """
            coalesce(sum(players) FILTER (WHERE \(kind) AND gap IS NULL), 0) AS \(p.recency)_new,
                   CASE WHEN max(gap) FILTER (WHERE \(kind)) IS NOT NULL THEN ARRAY(
                     SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
                       FROM generate_series(0, max(gap) FILTER (WHERE \(kind)) - 1) k,
                            unnest(array_agg(gap) FILTER (WHERE \(kind)), array_agg(players) FILTER (WHERE \(kind))) u(g, n)
                      GROUP BY k ORDER BY k) END AS \(p.recency)_after
            """
    }.joined(separator: ",\n")

    /// Whether a row's cell tuple is stored, given the day's additive dimension bits (`additive`, SQL): cell 0
    /// keeps every tuple, since it is summed over whatever a filter leaves out, NULLs included. Elsewhere a tuple
    /// pinning a dimension to NULL is read only when that dimension is summed over: in a correction, for an
    /// additive dimension. Filters match non-null values only.
    static func tupleStored(additive: String, alias: String? = nil) -> String {
        let p = alias.map { "\($0)." } ?? ""
        return "(\(p)cell = 0 OR (" + Dimension.allCases.map {
            "(\(p)cell & \($0.groupingBit) <> 0 OR \(p)\($0.column) IS NOT NULL OR (\($0.groupingBit) & \(additive) <> 0 AND \(p)cell NOT IN (\(fullCells.filter(isCoarse).map(String.init).joined(separator: ", ")))))"
        }.joined(separator: "\n     AND ") + "))"
    }

    /// `$1` game, `$2` the additive dimension bits of days `$3` (an array: the pass's days that share them).
    /// Writes those days' rows into `lf_cells`: the full cells (``fullCells``) from their event counts (`lf_fresh`)
    /// and player keys (`lf_key_days` for keys whose dimensions never changed, `lf_activity` for the others), then
    /// (when some dimension is not additive) the corrections of ``correctionCells(additive:)`` from the keys that
    /// changed. Each an `INSERT ... SELECT` whose steps read from the innermost out: ``variedKeys(cells:)``,
    /// ``keyGaps``, ``correctionGaps(_:)``, ``recencyRows(gaps:)``, ``eventCounts``, and the full cells' counts joined with
    /// their players. A full cell's tuple with players has events (its players' starts and completes): every
    /// players' row of a full cell has its counts' row, so the join keeps the counts' side, whose `game_id` is a
    /// column of `lf_fresh` (Citus runs the `INSERT ... SELECT` on the game's shards only then).
    static func rebuildDays(additive: Int) -> [String] {
        let corrections = correctionCells(additive: additive)
        let insert = "INSERT INTO lf_cells (game_id, day, cell, \(dims), level_id, \(rowColumns.joined(separator: ", ")))"
        let full = """
            \(insert)
            SELECT c.game_id, c.day, c.cell, \(Dimension.columnList(alias: "c")), c.level_id,
                   \(eventMeasures.map { "c.\($0)" }.joined(separator: ", ")),
                   \(Measure.players.map { "coalesce(r.\($0.recency)_new, 0), r.\($0.recency)_after" }.joined(separator: ", "))
              FROM (\(eventCounts)) c
              LEFT JOIN (\(recencyRows(gaps: keyGaps))) r
                ON r.day = c.day AND r.cell = c.cell AND r.level_id = c.level_id
               AND ROW(\(Dimension.columnList(alias: "r")))::text = ROW(\(Dimension.columnList(alias: "c")))::text
             WHERE \(tupleStored(additive: "$2::integer", alias: "c"))
            """
        guard !corrections.isEmpty else { return [full] }
        let corrected = """
            \(insert)
            SELECT game_id, day, cell, \(dims), level_id, \(eventMeasures.map { _ in "0" }.joined(separator: ", ")),
                   \(Measure.players.map { "\($0.recency)_new, \($0.recency)_after" }.joined(separator: ", "))
              FROM (\(recencyRows(gaps: correctionGaps(corrections)))) r
             WHERE \(tupleStored(additive: "$2::integer"))
            """
        return [full, corrected]
    }

    /// Step 1: the keys that changed a dimension: their previous active day in each tuple of `cells`, key by key (a
    /// window partition matches NULLs like GROUP BY), on the days of `$3` they were active in it and varied; per
    /// day, cell tuple, level, kind and gap, how many.
    static func variedKeys(cells: [Int]) -> String {
        let p = Dimension.columnList(alias: "p")
        let keyedSets = cells.map { groupingSet($0, alias: "p") }.joined(separator: ", ")
        let varying = "SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[])"
        return """
            SELECT game_id, day, cell, \(dims), level_id, event, day - previous AS gap, count(*) AS players
                FROM (SELECT p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING(\(p)) AS cell, \(p),
                             lag(p.day) OVER (PARTITION BY p.game_id, p.user_id, p.level_id, p.event, GROUPING(\(p)), \(p)
                                              ORDER BY p.day) AS previous
                        FROM lf_activity p
                       WHERE p.game_id = $1 AND (p.user_id, p.level_id, p.event) IN (
                               SELECT user_id, level_id, event FROM (\(varying)) v)
                       GROUP BY p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING SETS (\(keyedSets))) keyed
               WHERE (user_id, level_id, event, day) IN (\(varying))
               GROUP BY game_id, day, cell, \(dims), level_id, event, gap
            """
    }

    /// Step 2, full cells: per day, cell tuple, level, kind and gap, the players. Keys with one dimension tuple in all
    /// their activity (nearly every key) have the same previous activity in every cell, so they are counted per tuple
    /// and gap first, and the full cells are sums of those counts (a few thousand rows instead of every key times
    /// every cell). The keys that changed (step 1) count in each cell as they are.
    static var keyGaps: String {
        let full = fullCells.map { groupingSet($0) }.joined(separator: ", ")
        return """
            SELECT game_id, day, GROUPING(\(dims)) AS cell, \(dims), level_id, event, gap, sum(players) AS players
                FROM (SELECT game_id, day, \(dims), level_id, event, day - previous AS gap, count(*) AS players
                        FROM lf_key_days
                       WHERE game_id = $1 AND varying = 0 AND day = ANY ($3::date[])
                       GROUP BY game_id, day, \(dims), level_id, event, gap) stable
               GROUP BY game_id, day, level_id, event, gap, GROUPING SETS (\(full))
              UNION ALL
              SELECT game_id, day, cell, \(dims), level_id, event, gap, players FROM (\(variedKeys(cells: fullCells))) v
            """
    }

    /// Step 2, corrections: the keys that changed, in each correction cell's tuple as they are, and counted in cell
    /// 0 and subtracted from each correction cell's tuple above them (`c.cell` not NULL). Keys that never changed
    /// add the same to a tuple and to the sum of its cell-0 tuples: they make no corrections.
    static func correctionGaps(_ corrections: [Int]) -> String {
        """
        SELECT v.game_id, v.day, coalesce(c.cell, v.cell) AS cell,
                     \(Dimension.allCases.map { "CASE WHEN c.cell IS NULL OR c.cell & \($0.groupingBit) = 0 THEN v.\($0.column) END AS \($0.column)" }
                        .joined(separator: ", ")),
                     v.level_id, v.event, v.gap, CASE WHEN c.cell IS NULL THEN v.players ELSE -v.players END AS players
                FROM (\(variedKeys(cells: [0] + corrections))) v
                JOIN (VALUES (NULL::integer), \(corrections.map { "(\($0))" }.joined(separator: ", "))) c(cell)
                  ON CASE WHEN c.cell IS NULL THEN v.cell <> 0 ELSE v.cell = 0 END
        """
    }

    /// Step 3: per day, cell tuple and level, for each kind: after[k + 1] = players whose previous activity is
    /// more than k days back (or absent), k = 0 up to the longest gap - 1. Most keys have no earlier activity at
    /// all: their array is NULL. In a correction the counts are differences, and a tuple whose differences are all
    /// zero is not stored; its arrays are canonical (lf_recency_add: they end at the last element that differs
    /// from new), as a delta leaves them (in a full cell the longest gap's element always does).
    static func recencyRows(gaps: String) -> String {
        let full = fullCells.map(String.init).joined(separator: ", ")
        return """
            SELECT game_id, day, cell, \(dims), level_id,
                       \(Measure.players.map { p in
                           "\(p.recency)_new, CASE WHEN cell IN (\(full)) THEN \(p.recency)_after "
                               + "ELSE lf_recency_add(\(p.recency)_new::integer, \(p.recency)_after, 0, NULL) END AS \(p.recency)_after"
                       }.joined(separator: ",\n                       "))
                  FROM (SELECT game_id, day, cell, \(dims), level_id,
                               \(recencyAggregates)
                          FROM (\(gaps)) gaps
                         GROUP BY game_id, day, cell, \(dims), level_id) counts
                 WHERE cell IN (\(full))
                    OR \(Measure.players.map { "\($0.recency)_new <> 0 OR 0 <> ANY (\($0.recency)_after)" }.joined(separator: " OR "))
            """
    }

    /// Step 4: event counts are sums of the days' finest rows (`lf_fresh`), exact in every full cell (corrections
    /// have none).
    static let eventCounts = """
        SELECT game_id, date AS day, GROUPING(\(dims)) AS cell, \(dims), level_id,
                   \(eventMeasures.map { "sum(\($0)) AS \($0)" }.joined(separator: ", "))
              FROM lf_fresh
             WHERE game_id = $1 AND date = ANY ($3::date[])
             GROUP BY game_id, date, level_id, GROUPING SETS (\(fullCells.map { groupingSet($0) }.joined(separator: ", ")))
        """

    /// One row per day, cell tuple and level: event counts (`counted`) and players (`recency`) merged by grouping
    /// both (GROUP BY matches NULL dimension values, and tells them from ''), when either may lack the other's row
    /// (the deltas' rows: `DeltaSQL.fillCells`).
    static func mergedRows(recency: String, counted: String) -> String {
        let recencyColumns = Measure.players.map { ["\($0.recency)_new", "\($0.recency)_after"] }
        return """
            SELECT game_id, day, cell, \(dims), level_id,
                       \(eventMeasures.map { "coalesce(sum(\($0)), 0) AS \($0)" }.joined(separator: ", ")),
                       \(recencyColumns.map { "coalesce(sum(\($0[0])), 0) AS \($0[0]), max(\($0[1])) AS \($0[1])" }.joined(separator: ", "))
                  FROM (SELECT game_id, day, cell, \(dims), level_id, \(eventMeasures.joined(separator: ", ")),
                               \(recencyColumns.map { "NULL::integer AS \($0[0]), NULL::integer[] AS \($0[1])" }.joined(separator: ", "))
                          FROM (\(counted)) counted
                        UNION ALL
                        SELECT game_id, day, cell, \(dims), level_id, \(eventMeasures.map { "NULL AS \($0)" }.joined(separator: ", ")),
                               \(recencyColumns.map { "\($0[0]), \($0[1])" }.joined(separator: ", "))
                          FROM (\(recency)) recency) sides
                 GROUP BY game_id, day, cell, \(dims), level_id
            """
    }

    /// `$1` game: the tuples of the rows in `lf_cells` (a pass's, or the deltas') that the game does not have yet.
    /// Their ids are drawn per game, above the game's largest (tuples are keyed by game and id): Citus evaluates an
    /// identity column's default on the coordinator, so an `INSERT ... SELECT` relying on it would pull the rows
    /// there. The game's lock keeps two passes of a game from drawing at once; if they did, the second would fail
    /// on the primary key (only the tuple key is the conflict that does nothing).
    static let addTuples = """
        INSERT INTO level_cell_tuples (game_id, tuple_id, cell, \(dims)) OVERRIDING SYSTEM VALUE
        SELECT game_id, coalesce((SELECT max(tuple_id) FROM level_cell_tuples WHERE game_id = $1), 0) + row_number() OVER (),
               cell, \(dims)
          FROM (SELECT DISTINCT game_id, cell, \(dims) FROM lf_cells WHERE game_id = $1) c
        ON CONFLICT ON CONSTRAINT level_cell_tuples_key DO NOTHING
        """

    /// `$1` game: writes the pass's rows (`lf_cells`) into `level_cells_daily`, each with its tuple's id (matched by
    /// their text form, which tells NULL from '': "(,a)" vs "(\"\",a)"), tuple by tuple, so that a query reading one
    /// tuple's days touches few pages.
    static let writeRows = """
        INSERT INTO level_cells_daily (game_id, tuple_id, date, level_id, \(rowColumns.joined(separator: ", ")))
        SELECT t.game_id, t.tuple_id, c.day, c.level_id, \(rowColumns.map { "c.\($0)" }.joined(separator: ", "))
          FROM lf_cells c
          JOIN level_cell_tuples t
            ON t.game_id = $1 AND t.cell = c.cell
           AND ROW(\(Dimension.columnList(alias: "t")))::text = ROW(\(Dimension.columnList(alias: "c")))::text
         WHERE c.game_id = $1 AND t.game_id = $1
         ORDER BY t.tuple_id, c.day, c.level_id
        """

    /// `$1` game: the rows written per day.
    static let rowsPerDay = "SELECT day, count(*) FROM lf_cells WHERE game_id = $1 GROUP BY day"

    /// Every `LevelCounts` field per level for game `$1`, days `$2`..`$3`, the cell `$4` that the filters pin
    /// (bits of unpinned dimensions), `$5` = whether that cell is coarse, and the filters' equality conditions
    /// on the cell tuple (appended by the caller, parameters from `$6`). A coarse cell is stored in full on every
    /// day and read alone. Any other filter reads, each day, cell 0's tuples that match it plus the corrections
    /// of the cell that also pins the day's additive dimensions (none when that is cell 0 itself).
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
           AND t.cell = ANY (CASE WHEN $5::boolean THEN ARRAY[$4::integer]
                                  ELSE ARRAY[0, $4::integer & ~a.additive] END)\(filterClause)
          JOIN level_cells_daily r ON r.game_id = t.game_id AND r.tuple_id = t.tuple_id AND r.date = a.date
         WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
         GROUP BY r.level_id
         ORDER BY r.level_id
        """
    }
}
