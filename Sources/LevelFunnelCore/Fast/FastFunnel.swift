import PostgresClient

/// The fast funnel: sums of the daily aggregates, never touching `events`.
///
/// Event counts and durations are exact for any range. Player counts are sums of daily uniques, so they are
/// exact for single-day ranges only (a player active on two days counts twice).
enum FastFunnel {
    static func counts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 4)
        let sql = """
            SELECT level_id,
                   sum(starts), sum(completes), sum(fails),
                   sum(started_players), sum(completed_players),
                   sum(users_with_boosters), sum(fails_with_purchase),
                   sum(total_completion_duration), sum(completion_count),
                   sum(total_fail_duration), sum(fail_count)
              FROM level_metrics_daily
             WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date\(filters.andClause)
             GROUP BY level_id
             ORDER BY level_id
            """
        let parameters: [any PostgresEncodable] = [query.game, query.range.from.iso, query.range.to.iso] + filters.parameters
        return try db.query(sql, parameters).map(LevelCounts.init(row:))
    }
}
