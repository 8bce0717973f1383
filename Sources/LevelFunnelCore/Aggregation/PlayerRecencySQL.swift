/// Exact distinct-player counts from counts alone (see `shared/design/exact-players.md`).
///
/// For every *cell* (a subset of the dimensions pinned to values, the rest "all"), level, kind (start or
/// complete) and day, `level_player_recency` stores how many players were active that day with each *gap*: the
/// days since the same player's previous activity in the same cell (NULL when there was none). The distinct
/// players of a range `[A, B]` are then the player-days with `date` in the range and `gap > date - A`: each
/// player is counted on their first active day inside the range, and only there. No user id is stored.
///
/// Cells are PostgreSQL grouping sets: `CUBE` over the five dimensions, identified by `GROUPING(...)` bits
/// (set = dimension not pinned). A cell that pins a dimension to NULL is never queried (filters match non-null
/// values only), so those rows are not stored.
enum PlayerRecencySQL {
    private static let dims = Dimension.columnList
    private static func prefixed(_ alias: String) -> String {
        Dimension.allCases.map { "\(alias).\($0.column)" }.joined(separator: ", ")
    }

    /// `$1` game, `$2` day. Rebuilds the day's rows: deletes them, then inserts the fresh counts. Runs inside
    /// the day's aggregation transaction. Returns the number of rows inserted.
    static let rebuildDay = """
        WITH active AS (
          SELECT DISTINCT user_id, level_id, event_name = 'level_complete' AS completed, \(dims)
            FROM level_events
           WHERE \(LevelEventSQL.gameAndDays.replacingOccurrences(of: "$3", with: "$2"))
             AND event_name IN ('level_start', 'level_complete')
        ), keys AS (
          SELECT DISTINCT user_id, level_id, completed FROM active
        ), players AS (
          SELECT DISTINCT user_id FROM active
        ), earlier AS (
          -- The same players' earlier activity on the same levels and kinds: their last day per dimension tuple.
          -- One index probe per player (events_game_user_idx), not one per player, level and kind.
          SELECT e.user_id, e.level_id, e.event_name = 'level_complete' AS completed, \(prefixed("e")), max(e.day) AS seen
            FROM players p
            JOIN level_events e ON e.game_id = $1 AND e.user_id = p.user_id
           WHERE e.occurred_at < ($2::date)::timestamp AT TIME ZONE 'UTC'
             AND e.event_name IN ('level_start', 'level_complete')
             AND (e.user_id, e.level_id, e.event_name = 'level_complete') IN (SELECT user_id, level_id, completed FROM keys)
           GROUP BY e.user_id, e.level_id, e.event_name, \(prefixed("e"))
        ), tuples AS (
          SELECT user_id, level_id, completed, \(dims), NULL::date AS seen FROM active
          UNION ALL
          SELECT user_id, level_id, completed, \(dims), seen FROM earlier
        ), cells AS (
          SELECT level_id, completed, GROUPING(\(dims)) AS cell, \(dims),
                 bool_or(seen IS NULL) AS active_today, max(seen) AS previous
            FROM tuples
           GROUP BY user_id, level_id, completed, CUBE(\(dims))
        ), removed AS (
          DELETE FROM level_player_recency WHERE game_id = $1 AND date = $2::date
        ), inserted AS (
          INSERT INTO level_player_recency (game_id, date, level_id, completed, cell, \(dims), gap, players)
          SELECT $1, $2::date, level_id, completed, cell, \(dims), $2::date - previous, count(*)
            FROM cells
           WHERE active_today
             AND \(Dimension.allCases.map { "(cell & \($0.groupingBit) <> 0 OR \($0.column) IS NOT NULL)" }.joined(separator: "\n     AND "))
           GROUP BY level_id, completed, cell, \(dims), $2::date - previous
           -- Stored cell by cell, so that a query reading one cell touches few pages.
           ORDER BY cell, level_id
          RETURNING 1
        )
        SELECT count(*) FROM inserted
        """

    /// Distinct started and completed players per level for game `$1`, days `$2`..`$3`, cell `$4`, and the
    /// filters' equality conditions (appended by the caller, parameters from `$5`).
    static func playersQuery(filterClause: String) -> String {
        """
        SELECT level_id,
               coalesce(sum(players) FILTER (WHERE NOT completed), 0) AS started_players,
               coalesce(sum(players) FILTER (WHERE completed), 0)     AS completed_players
          FROM level_player_recency
         WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND cell = $4::integer
           AND (gap IS NULL OR gap > date - $2::date)\(filterClause)
         GROUP BY level_id
        """
    }
}
