import PostgresClient

/// The aggregate tables of one game by content, to compare them across runs.
public enum AggregateTables {
    /// A checksum of every aggregate row of `game`. Cell rows are named by their tuple's values, not by tuple ids,
    /// so the sum does not depend on ids.
    public static func checksum(_ db: PostgresConnection, game: String = "g") throws -> String {
        try db.query("""
            SELECT (SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')
                      FROM level_metrics_daily t WHERE game_id = $1)
                || '/' ||
                   (SELECT count(*) || ':' || coalesce(md5(string_agg(x, '|' ORDER BY x)), '')
                      FROM (SELECT (u.cell, u.level_funnel, u.level_funnel_version, u.platform, u.country_code,
                                    u.app_version)::text || (r.date, r.level_id, r.starts, r.completes, r.fails,
                                    r.users_with_boosters, r.fails_with_purchase, r.total_completion_duration,
                                    r.completion_count, r.total_fail_duration, r.fail_count, r.started_new,
                                    r.started_after, r.completed_new, r.completed_after)::text AS x
                              FROM level_cells_daily r JOIN level_cell_tuples u USING (game_id, tuple_id)
                             WHERE u.game_id = $1) c)
            """, [game]).one().decode(String.self, at: 0)
    }
}

extension AggregateTables {
    /// Every aggregate row of `game` as text, in order: cell rows named by their tuple's values (not ids), and the
    /// record of each day with events (all but the time it was written). Sums of durations are compared as numbers
    /// (`12.5 - 12.5` is `0.0`, a rebuild's sum of nothing `0`). For row-by-row comparisons.
    public static func rows(_ db: PostgresConnection, game: String = "g") throws -> [String] {
        try db.query("""
            SELECT x FROM (
              SELECT 'cell ' || (u.cell, u.level_funnel, u.level_funnel_version, u.platform, u.country_code,
                                 u.app_version)::text || (r.date, r.level_id, r.starts, r.completes, r.fails,
                                 r.users_with_boosters, r.fails_with_purchase, trim_scale(r.total_completion_duration),
                                 r.completion_count, trim_scale(r.total_fail_duration), r.fail_count, r.started_new,
                                 r.started_after, r.completed_new, r.completed_after)::text AS x
                FROM level_cells_daily r JOIN level_cell_tuples u USING (game_id, tuple_id)
               WHERE u.game_id = $1
              UNION ALL
              SELECT 'day ' || (date, level_events, events_fingerprint, stale, additive, activity_fingerprint)::text
                FROM aggregated_days WHERE game_id = $1 AND level_events > 0) rows
             ORDER BY x
            """, [game]).map { try $0.decode(String.self, at: 0) }
    }
}
