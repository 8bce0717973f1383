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
    private static let fullCells = CellSQL.fullCells.map(String.init).joined(separator: ", ")
    private static let correctionCells = (1...CellSQL.allUnpinned).filter { !CellSQL.isCoarse($0) }

    /// The first pending change of each event id, from `$1`'s change rows (`days`: SQL restricting `c.day`, or
    /// nothing), in the order of the statements that made them; within one statement (an update), the removal
    /// comes first.
    static func firstTouches(days: String = "") -> String {
        """
        SELECT DISTINCT ON (id) game_id, id, added AS first_added, change_id AS first_change
          FROM (SELECT c.game_id, c.change_id, c.statement, u.id, true AS added
                  FROM event_changes c CROSS JOIN LATERAL unnest(c.inserted) u(id) WHERE c.game_id = $1\(days)
                UNION ALL
                SELECT c.game_id, c.change_id, c.statement, u.id, false
                  FROM event_changes c CROSS JOIN LATERAL unnest(c.removed) u(id) WHERE c.game_id = $1\(days)) x
         ORDER BY id, coalesce(statement, change_id), added
        """
    }

    /// The changed level events in both states, from a table of first touches (`touched`), `conditions` added to
    /// both sides (`AND ...`): as they are (`sign` 1) and as they were (`sign` -1).
    static func changedRows(touched: String, conditions: String = "") -> String {
        let columns = "game_id, id, user_id, level_id, event_name, day, \(dims), is_booster, is_egp, duration"
        return """
            SELECT 1 AS sign, \(columns)
              FROM level_events
             WHERE id = ANY (ARRAY(SELECT id FROM \(touched) WHERE game_id = $1)) AND game_id = $1\(conditions)
            UNION ALL
            SELECT -1, \(columns.split(separator: ",").map { "r.\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", "))
              FROM level_event_removals r
              JOIN \(touched) t ON t.game_id = $1 AND t.id = r.id AND t.first_change = r.change_id AND NOT t.first_added
             WHERE r.game_id = $1\(conditions)
            """
    }

    private static let deltaRowColumns = "game_id, sign, id, user_id, level_id, event_name, day, \(dims), is_booster, is_egp, duration"

    /// `$1` game: fills `lf_touched` and `lf_delta_rows` from every pending change.
    static let fillChangedRows = [
        "INSERT INTO lf_touched (game_id, id, first_added, first_change) SELECT * FROM (\(firstTouches())) touched",
        """
        INSERT INTO lf_delta_rows (\(deltaRowColumns))
        SELECT \(deltaRowColumns) FROM (\(changedRows(touched: "lf_touched"))) changed
        """,
    ]

    /// `$1` game: the changed rows' count, both states (``AppliedChanges/changedRows``).
    static let changedRowCount = "SELECT count(*) FROM lf_delta_rows WHERE game_id = $1"

    /// `$1` game: the changed keys' activity, per dimension tuple and day: how many of their events there are now
    /// (`n_after`, one probe of `events_player_key_idx` per key) and were (`n_before`: now, less the changed rows
    /// as they are, plus the changed rows as they were). The two counts are grouped together (GROUP BY matches NULL
    /// dimension values).
    static let fillActivity = """
        INSERT INTO lf_delta_activity (game_id, user_id, level_id, event, \(dims), day, n_after, n_before)
        SELECT game_id, user_id, level_id, event, \(dims), day, sum(n_now), sum(n_now) + sum(n_changed)
          FROM (SELECT k.game_id, k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day,
                       count(*) AS n_now, 0 AS n_changed
                  FROM (SELECT DISTINCT game_id, user_id, level_id, event_name AS event FROM lf_delta_rows
                         WHERE game_id = $1 AND event_name IN (\(Measure.playerEvents))
                         ORDER BY user_id, level_id, event) k
                  CROSS JOIN LATERAL (
                    SELECT \(dims), day FROM level_events
                     WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
                       AND event_name IN (\(Measure.playerEvents))
                    OFFSET 0) e
                 GROUP BY k.game_id, k.user_id, k.level_id, k.event, \(Dimension.columnList(alias: "e")), e.day
                UNION ALL
                SELECT game_id, user_id, level_id, event_name, \(dims), day, 0, sum(-sign)
                  FROM lf_delta_rows WHERE game_id = $1 AND event_name IN (\(Measure.playerEvents))
                 GROUP BY game_id, user_id, level_id, event_name, \(dims), day) counts
         GROUP BY game_id, user_id, level_id, event, \(dims), day
        """

    /// Whether a row of `lf_delta_activity` (`alias`) is in state `s` ('a' after, 'b' before).
    private static func inState(_ s: String, _ alias: String) -> String {
        "\(alias).game_id = $1 AND \(alias).\(s == "a" ? "n_after" : "n_before") > 0"
    }

    private static let activityColumns = "game_id, user_id, level_id, event, \(dims), day"

    /// Statistics for the apply's tables once filled (autovacuum only ever sees them empty, and takes them for one
    /// row: the days reached and the deltas were planned as nested loops, twice as slow as hashed). `SKIP_LOCKED`:
    /// see `CellSQL.analyzeActivity`.
    static let analyzeActivity = "ANALYZE (SKIP_LOCKED) lf_delta_rows, lf_delta_activity"
    static let analyzeDays = "ANALYZE (SKIP_LOCKED) lf_delta_days"

    /// The changed keys' activity rows in each state (`s`), with `multi`: the key has more than one dimension tuple
    /// in the two states together (only such a key can make a correction).
    private static let bothStates = """
        SELECT x.*, m.user_id IS NOT NULL AS multi
                  FROM (SELECT 'a' AS s, \(activityColumns) FROM lf_delta_activity a WHERE \(inState("a", "a"))
                        UNION ALL
                        SELECT 'b', \(activityColumns) FROM lf_delta_activity b WHERE \(inState("b", "b"))) x
                  LEFT JOIN (SELECT game_id, user_id, level_id, event FROM lf_delta_activity
                              WHERE game_id = $1 AND (n_after > 0 OR n_before > 0)
                              GROUP BY game_id, user_id, level_id, event HAVING count(DISTINCT ROW(\(dims))::text) > 1) m
                    ON m.game_id = x.game_id AND m.user_id = x.user_id AND m.level_id = x.level_id AND m.event = x.event
        """

    /// Per changed key and day it was active in state `s`, the dimensions that varied in its activity up to that day.
    private static func varyingKeys(_ s: String) -> String {
        """
        SELECT game_id, user_id, level_id, event, day, \(CellSQL.varyingBits()) AS bits
                  FROM (SELECT k.game_id, k.user_id, k.level_id, k.event, k.day, \(CellSQL.dimensionSummaries(alias: "r"))
                          FROM (SELECT DISTINCT game_id, user_id, level_id, event, day FROM lf_delta_activity d WHERE \(inState(s, "d"))) k
                          JOIN lf_delta_activity r ON r.game_id = k.game_id AND r.user_id = k.user_id AND r.level_id = k.level_id
                                                  AND r.event = k.event AND r.day <= k.day AND \(inState(s, "r"))
                         GROUP BY k.game_id, k.user_id, k.level_id, k.event, k.day) summaries
        """
    }

    /// `$1` game: the aggregated days (not stale) that the changes reach, with their additive dimensions and
    /// whether they must be rebuilt: a changed key active on the day varies, after the change, in a dimension
    /// additive there (the day needs corrections it does not have), or stops varying in one (the dimension may
    /// have become additive). Days whose activity fingerprint is unknown (aggregated before schema 9) are rebuilt.
    /// A key's contribution to a day depends on its activity up to that day: days before the first changed row keep
    /// theirs, however long the changed keys' history (`reached`).
    static let fillDays = """
        INSERT INTO lf_delta_days (game_id, day, additive, rebuild)
        SELECT a.game_id, a.date, a.additive,
               a.activity_fingerprint IS NULL
               OR coalesce(bool_or(p.after & a.additive <> 0 OR p.before & ~p.after <> 0), false)
          FROM aggregated_days a
          JOIN (SELECT day FROM lf_delta_rows WHERE game_id = $1
                UNION
                SELECT day FROM lf_delta_activity
                 WHERE game_id = $1 AND day >= (SELECT min(day) FROM lf_delta_rows WHERE game_id = $1)) reached
            ON reached.day = a.date
          LEFT JOIN (SELECT day, coalesce(a.bits, 0) AS after, coalesce(b.bits, 0) AS before
                       FROM (\(varyingKeys("a"))) a
                       FULL JOIN (\(varyingKeys("b"))) b USING (game_id, user_id, level_id, event, day)) p
            ON p.day = a.date
         WHERE a.game_id = $1 AND NOT a.stale
         GROUP BY a.game_id, a.date, a.additive, a.activity_fingerprint
        """

    /// Each changed key's previous active day in each cell tuple, per state and day: every key in the full cells,
    /// the keys with several tuples (`multi`) in the correction cells too.
    private static let keyed = """
        SELECT s, multi, game_id, user_id, level_id, event, day, GROUPING(\(dims)) AS cell, \(dims),
                       lag(day) OVER (PARTITION BY s, game_id, user_id, level_id, event, GROUPING(\(dims)), \(dims) ORDER BY day) AS previous
                  FROM (\(bothStates)) state_rows
                 GROUP BY s, multi, game_id, user_id, level_id, event, day,
                          GROUPING SETS (\(CellSQL.fullCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))
                UNION ALL
                SELECT s, multi, game_id, user_id, level_id, event, day, GROUPING(\(dims)) AS cell, \(dims),
                       lag(day) OVER (PARTITION BY s, game_id, user_id, level_id, event, GROUPING(\(dims)), \(dims) ORDER BY day) AS previous
                  FROM (\(bothStates)) state_rows
                 WHERE multi
                 GROUP BY s, multi, game_id, user_id, level_id, event, day,
                          GROUPING SETS (\(correctionCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))
        """

    /// Per day to update, cell tuple, level, kind and gap, the players the changes add (negative: take away). A
    /// key counts in each of its tuples (`c.cell` NULL), and a multi key's cell-0 tuple once more, with the
    /// opposite sign, in each correction cell above it: its contribution to a correction is its contribution to the
    /// tuple less that to its cell-0 tuples. Only tuples the day stores; only non-zero sums.
    private static let deltaGaps = """
        SELECT game_id, day, cell, \(dims), level_id, event, gap, sum(players) AS players
          FROM (SELECT kd.game_id, kd.day, coalesce(c.cell, kd.cell) AS cell,
                       \(Dimension.allCases.map { "CASE WHEN c.cell IS NULL OR c.cell & \($0.groupingBit) = 0 THEN kd.\($0.column) END AS \($0.column)" }
                            .joined(separator: ", ")),
                       kd.level_id, kd.event, kd.day - kd.previous AS gap,
                       CASE WHEN (kd.s = 'a') = (c.cell IS NULL) THEN 1 ELSE -1 END AS players, d.additive
                  FROM (\(keyed)) kd
                  JOIN lf_delta_days d ON d.game_id = $1 AND d.day = kd.day AND NOT d.rebuild
                  JOIN (VALUES (NULL::integer), \(correctionCells.map { "(\($0))" }.joined(separator: ", "))) c(cell)
                    ON CASE WHEN c.cell IS NULL THEN kd.cell IN (\(fullCells)) OR kd.cell & d.additive = 0
                            ELSE kd.cell = 0 AND kd.multi AND c.cell & d.additive = 0 END) contributions
         WHERE \(CellSQL.tupleStored(additive: "additive"))
         GROUP BY game_id, day, cell, \(dims), level_id, event, gap
        HAVING sum(players) <> 0
        """

    /// Per day to update, cell tuple and level, the difference the changes make to the event counts (full cells).
    private static let deltaCounts = """
        SELECT * FROM (
                  SELECT game_id, day, GROUPING(\(dims)) AS cell, \(dims), level_id, additive,
                         \(CellSQL.eventMeasures.map { "sum(sign * \($0)) AS \($0)" }.joined(separator: ", "))
                    FROM (SELECT r.game_id, r.day, r.sign, r.level_id, \(Dimension.columnList(alias: "r")), d.additive,
                                 \(Measure.summed.map { "\($0.expression) AS \($0.column)" }.joined(separator: ",\n                                 "))
                            FROM lf_delta_rows r
                            JOIN lf_delta_days d ON d.game_id = $1 AND d.day = r.day AND NOT d.rebuild
                           WHERE r.game_id = $1
                           GROUP BY r.game_id, r.day, r.sign, r.level_id, \(Dimension.columnList(alias: "r")), d.additive) signed
                   GROUP BY game_id, day, level_id, additive, GROUPING SETS (\(CellSQL.fullCells.map { CellSQL.groupingSet($0) }.joined(separator: ", ")))) c
                 WHERE \(CellSQL.tupleStored(additive: "additive"))
                   AND (\(CellSQL.eventMeasures.map { "\($0) <> 0" }.joined(separator: " OR ")))
        """

    /// `$1` game: fills `lf_cells` with the deltas: per day to update (not rebuilt), cell tuple and level, the
    /// difference the changes make to every stored column: event counts in the full cells (``deltaCounts``), recency
    /// counts in the full cells and in the day's correction cells (``deltaGaps``), merged as a pass merges its rows
    /// (`CellSQL.mergedRows`).
    static let fillCells = """
        INSERT INTO lf_cells (game_id, day, cell, \(dims), level_id, \(CellSQL.rowColumns.joined(separator: ", ")))
        SELECT game_id, day, cell, \(dims), level_id, \(CellSQL.rowColumns.joined(separator: ", "))
          FROM (\(CellSQL.mergedRows(recency: """
            SELECT game_id, day, cell, \(dims), level_id,
                                 \(CellSQL.recencyAggregates)
                            FROM (\(deltaGaps)) gaps
                           GROUP BY game_id, day, cell, \(dims), level_id
            """, counted: deltaCounts))) merged
        """

    /// `$1` game: the stored rows plus their deltas (`lf_cells`), into `lf_delta_next`: whether the row existed, and
    /// whether it is kept: a full-cell row while it counts an event, a correction while it differs from zero.
    static let fillNextRows = """
        INSERT INTO lf_delta_next (game_id, tuple_id, day, level_id, existed, kept, \(CellSQL.rowColumns.joined(separator: ", ")))
        SELECT game_id, tuple_id, day, level_id, existed,
               CASE WHEN full_cell THEN starts + completes + fails > 0
                    ELSE \(Measure.players.map { "\($0.recency)_new <> 0 OR \($0.recency)_after IS NOT NULL" }.joined(separator: " OR ")) END,
               \(CellSQL.rowColumns.joined(separator: ", "))
          FROM (SELECT t.game_id, t.tuple_id, d.day, d.level_id, r.tuple_id IS NOT NULL AS existed,
                       \(CellSQL.eventMeasures.map { "coalesce(r.\($0), 0) + d.\($0) AS \($0)" }.joined(separator: ",\n                       ")),
                       \(Measure.players.map { p in
                           "coalesce(r.\(p.recency)_new, 0) + d.\(p.recency)_new AS \(p.recency)_new, "
                               + "lf_recency_add(coalesce(r.\(p.recency)_new, 0), r.\(p.recency)_after, d.\(p.recency)_new, d.\(p.recency)_after) AS \(p.recency)_after"
                       }.joined(separator: ",\n                       ")),
                       d.cell IN (\(fullCells)) AS full_cell
                  FROM lf_cells d
                  JOIN level_cell_tuples t
                    ON t.game_id = $1 AND t.cell = d.cell
                   AND ROW(\(Dimension.columnList(alias: "t")))::text = ROW(\(Dimension.columnList(alias: "d")))::text
                  LEFT JOIN level_cells_daily r
                    ON r.game_id = $1 AND r.tuple_id = t.tuple_id AND r.date = d.day AND r.level_id = d.level_id
                 WHERE d.game_id = $1) next
        """

    /// `$1` game: writes the deltas (`lf_delta_next`) into `level_cells_daily`: the rows removed, updated and
    /// inserted, one statement each (each returns its count).
    static let writeCells = [
        """
        DELETE FROM level_cells_daily r USING lf_delta_next j
         WHERE r.game_id = $1 AND j.game_id = $1 AND j.existed AND NOT j.kept
           AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id
        """,
        """
        UPDATE level_cells_daily r
           SET \(CellSQL.rowColumns.map { "\($0) = j.\($0)" }.joined(separator: ", "))
          FROM lf_delta_next j
         WHERE r.game_id = $1 AND j.game_id = $1 AND j.existed AND j.kept
           AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id
        """,
        """
        INSERT INTO level_cells_daily (game_id, tuple_id, date, level_id, \(CellSQL.rowColumns.joined(separator: ", ")))
        SELECT game_id, tuple_id, day, level_id, \(CellSQL.rowColumns.joined(separator: ", "))
          FROM lf_delta_next WHERE game_id = $1 AND NOT existed AND kept
        """,
    ]

    /// `$1` game: brings the reached days' records up to date: level events, their fingerprint (count and id sum)
    /// and the activity's (count and hash sum of the player keys, as `DailyAggregation.passSummarySQL` computes
    /// them), and marks the days to rebuild stale; a day whose records and cell rows stay is left alone. Returns
    /// whether each day updated was marked.
    static let recordDays = """
        UPDATE aggregated_days a
           SET level_events = a.level_events + coalesce(e.events, 0),
               events_fingerprint = (split_part(a.events_fingerprint, ':', 1)::numeric + coalesce(e.events, 0))::text
                                    || ':' || (split_part(a.events_fingerprint, ':', 2)::numeric + coalesce(e.ids, 0))::text,
               activity_fingerprint = (split_part(a.activity_fingerprint, ':', 1)::numeric + coalesce(k.keys, 0))::text
                                    || ':' || (split_part(a.activity_fingerprint, ':', 2)::numeric + coalesce(k.hashes, 0))::text,
               stale = d.rebuild
          FROM lf_delta_days d
          LEFT JOIN (SELECT day, sum(sign) AS events, sum(sign * id) AS ids FROM lf_delta_rows WHERE game_id = $1 GROUP BY day) e
            ON e.day = d.day
          LEFT JOIN (SELECT day, sum(present) AS keys, sum(present * hash) AS hashes
                       FROM (SELECT day, (n_after > 0)::integer - (n_before > 0)::integer AS present,
                                    hashtextextended(ROW(user_id, level_id, event, \(dims))::text, 0)::numeric AS hash
                               FROM lf_delta_activity WHERE game_id = $1) keys
                      WHERE present <> 0 GROUP BY day) k
            ON k.day = d.day
          LEFT JOIN (SELECT DISTINCT day FROM lf_cells WHERE game_id = $1) c ON c.day = d.day
         WHERE a.game_id = $1 AND d.game_id = $1 AND a.date = d.day
           -- Only days something changed on: a day reached whose counts stay is not rewritten.
           AND (d.rebuild OR e.day IS NOT NULL OR k.day IS NOT NULL OR c.day IS NOT NULL)
        RETURNING a.stale
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
