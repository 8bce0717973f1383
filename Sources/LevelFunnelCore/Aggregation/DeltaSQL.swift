/// Captured changes (`event_changes`, `event_removals`) applied to the aggregates as deltas: work in proportion to
/// the changed player keys, not to the days after them (see `shared/design/exact-players.md`).
///
/// Two states of the game's events are compared: *before*, the events as the aggregates hold them (every pending
/// change undone), and *after*, the events as they are. An event id's state before is given by its first pending
/// change: inserted first, it did not exist; removed first, it was the row that change captured. Ids no change
/// mentions are the same in both. For every player key (player, level, kind) a change touched, the key's whole
/// activity is read in both states (one probe of `events_player_key_idx` per key), and its contribution to every
/// stored cell row (its gap in each cell tuple, day by day) is computed in both: the difference is the delta. Event
/// counts are the difference of the changed rows' measures.
///
/// A day whose additive dimensions would change (a key starts varying in a dimension additive on that day, or one
/// that varied stops) needs corrections from keys no change touched: it is marked stale and rebuilt whole by the
/// refresh that follows. Its level events and fingerprints are still brought up to date here, so that rebuild finds
/// its activity unchanged and marks no later day stale.
enum DeltaSQL {
    private static let dims = Dimension.columnList
    private static let dimDefinitions = Dimension.allCases.map { "\($0.column) \($0.sqlType)" }.joined(separator: ", ")
    private static let fullCells = CellSQL.fullCells.map(String.init).joined(separator: ", ")
    private static let correctionCells = (1...CellSQL.allUnpinned).filter { !CellSQL.isCoarse($0) }

    /// The working tables of one apply, emptied at its commit.
    static let createTables = [
        "CREATE TEMP TABLE IF NOT EXISTS lf_touched (id bigint, first_added boolean, first_change bigint) ON COMMIT DELETE ROWS",
        """
        CREATE TEMP TABLE IF NOT EXISTS lf_delta_rows (
          sign integer, id bigint, user_id text, level_id integer, event_name text, day date, \(dimDefinitions),
          is_booster boolean, is_egp boolean, duration numeric) ON COMMIT DELETE ROWS
        """,
        """
        CREATE TEMP TABLE IF NOT EXISTS lf_delta_activity (
          user_id text, level_id integer, event text, \(dimDefinitions), day date, n_after bigint, n_before bigint)
          ON COMMIT DELETE ROWS
        """,
        "CREATE TEMP TABLE IF NOT EXISTS lf_delta_days (day date, additive integer, rebuild boolean) ON COMMIT DELETE ROWS",
        """
        CREATE TEMP TABLE IF NOT EXISTS lf_delta_cells (
          day date, cell integer, \(dimDefinitions), level_id integer,
          \(Measure.summed.map { "\($0.column) \($0.isCount ? "bigint" : "numeric")" }.joined(separator: ", ")),
          \(Measure.players.map { "\($0.recency)_new integer, \($0.recency)_after integer[]" }.joined(separator: ", ")))
          ON COMMIT DELETE ROWS
        """,
    ]

    /// The first pending change of each event id, from `$1`'s change rows (`days`: SQL restricting `c.day`, or
    /// nothing), in the order of the statements that made them; within one statement (an update), the removal
    /// comes first.
    static func firstTouches(days: String = "") -> String {
        """
        SELECT DISTINCT ON (id) id, added AS first_added, change_id AS first_change
          FROM (SELECT c.change_id, c.statement, u.id, true AS added
                  FROM event_changes c CROSS JOIN LATERAL unnest(c.inserted) u(id) WHERE c.game_id = $1\(days)
                UNION ALL
                SELECT c.change_id, c.statement, u.id, false
                  FROM event_changes c CROSS JOIN LATERAL unnest(c.removed) u(id) WHERE c.game_id = $1\(days)) x
         ORDER BY id, coalesce(statement, change_id), added
        """
    }

    /// The changed level events in both states, from a table of first touches (`touched`), `conditions` added to
    /// both sides (`AND ...`): as they are (`sign` 1) and as they were (`sign` -1).
    static func changedRows(touched: String, conditions: String = "") -> String {
        let columns = "id, user_id, level_id, event_name, day, \(dims), is_booster, is_egp, duration"
        return """
            SELECT 1 AS sign, \(columns)
              FROM level_events
             WHERE id = ANY (ARRAY(SELECT id FROM \(touched))) AND game_id = $1\(conditions)
            UNION ALL
            SELECT -1, \(columns.split(separator: ",").map { "r.\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", "))
              FROM level_event_removals r
              JOIN \(touched) t ON t.id = r.id AND t.first_change = r.change_id AND NOT t.first_added
             WHERE r.game_id = $1\(conditions)
            """
    }

    /// `$1` game: fills `lf_touched` and `lf_delta_rows` from every pending change.
    static let fillChangedRows = [
        "INSERT INTO lf_touched \(firstTouches())",
        "INSERT INTO lf_delta_rows (sign, id, user_id, level_id, event_name, day, \(dims), is_booster, is_egp, duration) \(changedRows(touched: "lf_touched"))",
    ]

    /// The changed rows' count, both states (``AppliedChanges/changedRows``).
    static let changedRowCount = "SELECT count(*) FROM lf_delta_rows"

    /// `$1` game: the changed keys' activity, per dimension tuple and day: how many of their events there are now
    /// (`n_after`, one probe of `events_player_key_idx` per key) and were (`n_before`: now, less the changed rows
    /// as they are, plus the changed rows as they were).
    static let fillActivity = """
        INSERT INTO lf_delta_activity (user_id, level_id, event, \(dims), day, n_after, n_before)
        WITH keys AS (
          SELECT DISTINCT user_id, level_id, event_name AS event FROM lf_delta_rows WHERE event_name IN (\(Measure.playerEvents))
        ), probed AS (
          SELECT k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day, count(*) AS n
            FROM (SELECT * FROM keys ORDER BY user_id, level_id, event) k
            CROSS JOIN LATERAL (
              SELECT \(dims), day FROM level_events
               WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
                 AND event_name IN (\(Measure.playerEvents))
              OFFSET 0) e
           GROUP BY k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day
        ), changed AS (
          SELECT user_id, level_id, event_name AS event, \(dims), day, sum(-sign) AS n
            FROM lf_delta_rows WHERE event_name IN (\(Measure.playerEvents))
           GROUP BY user_id, level_id, event_name, \(dims), day
        )
        SELECT coalesce(p.user_id, c.user_id), coalesce(p.level_id, c.level_id), coalesce(p.event, c.event),
               \(Dimension.allCases.map { "CASE WHEN p.user_id IS NULL THEN c.\($0.column) ELSE p.\($0.column) END" }.joined(separator: ", ")),
               coalesce(p.day, c.day), coalesce(p.n, 0), coalesce(p.n, 0) + coalesce(c.n, 0)
          FROM probed p
          FULL JOIN changed c
            ON c.user_id = p.user_id AND c.level_id = p.level_id AND c.event = p.event AND c.day = p.day
           AND ROW(\(Dimension.columnList(alias: "c")))::text = ROW(\(Dimension.columnList(alias: "p")))::text
        """

    /// The changed keys' activity rows in each state (`s`: 'a' after, 'b' before), with `multi`: the key has more
    /// than one dimension tuple in the two states together (only such a key can make a correction).
    private static let stateRows = """
        multi_keys AS (
          SELECT user_id, level_id, event FROM lf_delta_activity WHERE n_after > 0 OR n_before > 0
           GROUP BY user_id, level_id, event HAVING count(DISTINCT ROW(\(dims))::text) > 1
        ), state_rows AS (
          SELECT x.*, m.user_id IS NOT NULL AS multi
            FROM (SELECT 'a' AS s, * FROM lf_delta_activity WHERE n_after > 0
                  UNION ALL
                  SELECT 'b', * FROM lf_delta_activity WHERE n_before > 0) x
            LEFT JOIN multi_keys m ON m.user_id = x.user_id AND m.level_id = x.level_id AND m.event = x.event
        )
        """

    /// `$1` game: the aggregated days (not stale) that the changes reach, with their additive dimensions and
    /// whether they must be rebuilt: a changed key active on the day varies, after the change, in a dimension
    /// additive there (the day needs corrections it does not have), or stops varying in one (the dimension may
    /// have become additive). Days whose activity fingerprint is unknown (aggregated before schema 9) are rebuilt.
    static let fillDays = """
        INSERT INTO lf_delta_days (day, additive, rebuild)
        WITH \(stateRows),
        key_days AS (
          SELECT DISTINCT s, user_id, level_id, event, day FROM state_rows
        ), varying AS (
          SELECT s, user_id, level_id, event, day, \(CellSQL.varyingBits()) AS bits
            FROM (SELECT k.s, k.user_id, k.level_id, k.event, k.day, \(CellSQL.dimensionSummaries(alias: "r"))
                    FROM key_days k
                    JOIN state_rows r ON r.s = k.s AND r.user_id = k.user_id AND r.level_id = k.level_id
                                     AND r.event = k.event AND r.day <= k.day
                   GROUP BY k.s, k.user_id, k.level_id, k.event, k.day) summaries
        ), pairs AS (
          SELECT day, coalesce(a.bits, 0) AS after, coalesce(b.bits, 0) AS before
            FROM (SELECT * FROM varying WHERE s = 'a') a
            FULL JOIN (SELECT * FROM varying WHERE s = 'b') b USING (user_id, level_id, event, day)
        ), reached AS (
          -- A key's contribution to a day depends on its activity up to that day: days before the first changed
          -- row keep theirs, however long the changed keys' history.
          SELECT day FROM lf_delta_rows
          UNION
          SELECT day FROM lf_delta_activity WHERE day >= (SELECT min(day) FROM lf_delta_rows)
        )
        SELECT a.date, a.additive,
               a.activity_fingerprint IS NULL
               OR coalesce(bool_or(p.after & a.additive <> 0 OR p.before & ~p.after <> 0), false)
          FROM aggregated_days a
          JOIN reached r ON r.day = a.date
          LEFT JOIN pairs p ON p.day = a.date
         WHERE a.game_id = $1 AND NOT a.stale
         GROUP BY a.date, a.additive, a.activity_fingerprint
        """

    /// Fills `lf_delta_cells`: per day to update (not rebuilt), cell tuple and level, the difference the changes
    /// make to every stored column: event counts in the full cells, recency counts in the full cells and in the
    /// day's correction cells (a key's contribution to a correction is its contribution to the tuple less that to
    /// its cell-0 tuples). Only tuples the day stores (``CellSQL/tupleStored(additive:)``); only non-zero differences.
    static let fillCells = """
        INSERT INTO lf_delta_cells
        WITH \(stateRows), keyed AS (
          SELECT s, multi, user_id, level_id, event, day, GROUPING(\(dims)) AS cell, \(dims),
                 lag(day) OVER (PARTITION BY s, user_id, level_id, event, GROUPING(\(dims)), \(dims) ORDER BY day) AS previous
            FROM state_rows
           GROUP BY s, multi, user_id, level_id, event, day,
                    GROUPING SETS (\(CellSQL.fullCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))
          UNION ALL
          SELECT s, multi, user_id, level_id, event, day, GROUPING(\(dims)) AS cell, \(dims),
                 lag(day) OVER (PARTITION BY s, user_id, level_id, event, GROUPING(\(dims)), \(dims) ORDER BY day) AS previous
            FROM state_rows
           WHERE multi
           GROUP BY s, multi, user_id, level_id, event, day,
                    GROUPING SETS (\(correctionCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))
        ), contributions AS (
          SELECT k.day, k.cell, \(Dimension.columnList(alias: "k")), k.level_id, k.event, k.day - k.previous AS gap,
                 CASE k.s WHEN 'a' THEN 1 ELSE -1 END AS players, d.additive
            FROM keyed k JOIN lf_delta_days d ON d.day = k.day AND NOT d.rebuild
           WHERE k.cell IN (\(fullCells)) OR k.cell & d.additive = 0
          UNION ALL
          SELECT k.day, c.cell, \(Dimension.allCases.map { "CASE WHEN c.cell & \($0.groupingBit) = 0 THEN k.\($0.column) END" }.joined(separator: ", ")),
                 k.level_id, k.event, k.day - k.previous, CASE k.s WHEN 'a' THEN -1 ELSE 1 END, d.additive
            FROM keyed k JOIN lf_delta_days d ON d.day = k.day AND NOT d.rebuild
            CROSS JOIN (VALUES \(correctionCells.map { "(\($0))" }.joined(separator: ", "))) c(cell)
           WHERE k.cell = 0 AND k.multi AND c.cell & d.additive = 0
        ), gaps AS (
          SELECT day, cell, \(dims), level_id, event, gap, sum(players) AS players
            FROM contributions
           WHERE \(CellSQL.tupleStored(additive: "additive"))
           GROUP BY day, cell, \(dims), level_id, event, gap
          HAVING sum(players) <> 0
        ), recency AS (
          SELECT day, cell, \(dims), level_id,
                 \(CellSQL.recencyAggregates)
            FROM gaps
           GROUP BY day, cell, \(dims), level_id
        ), signed AS (
          SELECT r.day, r.sign, r.level_id, \(Dimension.columnList(alias: "r")), d.additive,
                 \(Measure.summed.map { "\($0.expression) AS \($0.column)" }.joined(separator: ",\n                 "))
            FROM lf_delta_rows r JOIN lf_delta_days d ON d.day = r.day AND NOT d.rebuild
           GROUP BY r.day, r.sign, r.level_id, \(Dimension.columnList(alias: "r")), d.additive
        ), counted AS (
          SELECT * FROM (
            SELECT day, GROUPING(\(dims)) AS cell, \(dims), level_id, additive,
                   \(CellSQL.eventMeasures.map { "sum(sign * \($0)) AS \($0)" }.joined(separator: ", "))
              FROM signed
             GROUP BY day, level_id, additive, GROUPING SETS (\(CellSQL.fullCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))) c
           WHERE \(CellSQL.tupleStored(additive: "additive"))
             AND (\(CellSQL.eventMeasures.map { "\($0) <> 0" }.joined(separator: " OR ")))
        )
        SELECT coalesce(c.day, r.day), coalesce(c.cell, r.cell),
               \(Dimension.allCases.map { "CASE WHEN c.cell IS NULL THEN r.\($0.column) ELSE c.\($0.column) END" }.joined(separator: ", ")),
               coalesce(c.level_id, r.level_id),
               \(CellSQL.eventMeasures.map { "coalesce(c.\($0), 0)" }.joined(separator: ", ")),
               \(Measure.players.map { "coalesce(r.\($0.recency)_new, 0), r.\($0.recency)_after" }.joined(separator: ", "))
          FROM counted c
          FULL JOIN recency r
            ON r.day = c.day AND r.cell = c.cell AND r.level_id = c.level_id
           AND ROW(\(Dimension.columnList(alias: "r")))::text = ROW(\(Dimension.columnList(alias: "c")))::text
        """

    /// `$1` game: the tuples the deltas need that the game does not have yet.
    static let addTuples = """
        INSERT INTO level_cell_tuples (game_id, cell, \(dims))
        SELECT DISTINCT $1, cell, \(dims) FROM lf_delta_cells
        ON CONFLICT DO NOTHING
        """

    /// The stored rows plus their deltas (`n`): whether the row existed (`r`), and whether it is kept: a full-cell
    /// row while it counts an event, a correction while it differs from zero.
    private static let nextRows = """
        WITH next AS (
          SELECT t.tuple_id, d.day, d.level_id, r.tuple_id IS NOT NULL AS existed,
                 \(CellSQL.eventMeasures.map { "coalesce(r.\($0), 0) + d.\($0) AS \($0)" }.joined(separator: ",\n                 ")),
                 \(Measure.players.map { p in
                     "coalesce(r.\(p.recency)_new, 0) + d.\(p.recency)_new AS \(p.recency)_new, "
                         + "lf_recency_add(coalesce(r.\(p.recency)_new, 0), r.\(p.recency)_after, d.\(p.recency)_new, d.\(p.recency)_after) AS \(p.recency)_after"
                 }.joined(separator: ",\n                 ")),
                 d.cell IN (\(fullCells)) AS full_cell
            FROM lf_delta_cells d
            JOIN level_cell_tuples t
              ON t.game_id = $1 AND t.cell = d.cell
             AND ROW(\(Dimension.columnList(alias: "t")))::text = ROW(\(Dimension.columnList(alias: "d")))::text
            LEFT JOIN level_cells_daily r
              ON r.game_id = $1 AND r.tuple_id = t.tuple_id AND r.date = d.day AND r.level_id = d.level_id
        ), judged AS (
          SELECT *, CASE WHEN full_cell THEN starts + completes + fails > 0
                         ELSE \(Measure.players.map { "\($0.recency)_new <> 0 OR \($0.recency)_after IS NOT NULL" }.joined(separator: " OR ")) END AS kept
            FROM next
        )
        """

    /// `$1` game: writes the deltas into `level_cells_daily`: rows updated, inserted and removed, in one
    /// statement. Returns how many of each.
    static let writeCells = """
        \(nextRows), removed AS (
          DELETE FROM level_cells_daily r USING judged j
           WHERE r.game_id = $1 AND j.existed AND NOT j.kept
             AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id
          RETURNING 1
        ), updated AS (
          UPDATE level_cells_daily r
             SET \(CellSQL.rowColumns.map { "\($0) = j.\($0)" }.joined(separator: ", "))
            FROM judged j
           WHERE r.game_id = $1 AND j.existed AND j.kept
             AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id
          RETURNING 1
        ), inserted AS (
          INSERT INTO level_cells_daily (game_id, tuple_id, date, level_id, \(CellSQL.rowColumns.joined(separator: ", ")))
          SELECT $1, tuple_id, day, level_id, \(CellSQL.rowColumns.joined(separator: ", ")) FROM judged WHERE NOT existed AND kept
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted), (SELECT count(*) FROM removed)
        """

    /// `$1` game: brings the reached days' records up to date: level events, their fingerprint (count and id sum)
    /// and the activity's (count and hash sum of the player keys, as `DailyAggregation.readEventsSQL` computes
    /// them), and marks the days to rebuild stale; a day whose records and cell rows stay is left alone. Returns the
    /// days updated and the days marked.
    static let recordDays = """
        WITH counted AS (
          SELECT day, sum(sign) AS events, sum(sign * id) AS ids FROM lf_delta_rows GROUP BY day
        ), keys AS (
          SELECT day, (n_after > 0)::integer - (n_before > 0)::integer AS present,
                 hashtextextended(ROW(user_id, level_id, event, \(dims))::text, 0)::numeric AS hash
            FROM lf_delta_activity
        ), activity AS (
          SELECT day, sum(present) AS keys, sum(present * hash) AS hashes FROM keys WHERE present <> 0 GROUP BY day
        ), cells AS (
          SELECT DISTINCT day FROM lf_delta_cells
        ), updated AS (
          UPDATE aggregated_days a
             SET level_events = a.level_events + coalesce(e.events, 0),
                 events_fingerprint = (split_part(a.events_fingerprint, ':', 1)::numeric + coalesce(e.events, 0))::text
                                      || ':' || (split_part(a.events_fingerprint, ':', 2)::numeric + coalesce(e.ids, 0))::text,
                 activity_fingerprint = (split_part(a.activity_fingerprint, ':', 1)::numeric + coalesce(k.keys, 0))::text
                                      || ':' || (split_part(a.activity_fingerprint, ':', 2)::numeric + coalesce(k.hashes, 0))::text,
                 stale = d.rebuild
            FROM lf_delta_days d
            LEFT JOIN counted e ON e.day = d.day
            LEFT JOIN activity k ON k.day = d.day
            LEFT JOIN cells c ON c.day = d.day
           WHERE a.game_id = $1 AND a.date = d.day
             -- Only days something changed on: a day reached whose counts stay is not rewritten.
             AND (d.rebuild OR e.day IS NOT NULL OR k.day IS NOT NULL OR c.day IS NOT NULL)
          RETURNING a.stale
        )
        SELECT count(*), count(*) FILTER (WHERE stale) FROM updated
        """

    /// `$1` game: the pending changes, now in the aggregates (or in days left to rebuild), are consumed, with their
    /// removed rows. Only those this transaction's snapshot saw: a change committed since stays pending.
    static let consume = ["DELETE FROM event_changes WHERE game_id = $1", "DELETE FROM event_removals WHERE game_id = $1"]

    /// `$1` game: the removed rows of changes consumed by a rebuild of their day (`DailyAggregation`).
    static let dropOrphanRemovals = """
        DELETE FROM event_removals r
         WHERE r.game_id = $1
           AND NOT EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = $1 AND c.change_id = r.change_id)
        """

    /// `$1` game: how many changes are pending (the apply's first look, to do nothing when nothing is).
    static let pendingCount = "SELECT count(*) FROM event_changes WHERE game_id = $1"
}
