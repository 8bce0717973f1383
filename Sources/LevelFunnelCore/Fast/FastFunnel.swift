import PostgresClient

/// The fast funnel: sums of the daily aggregates, never touching `events`.
///
/// Event counts and durations are sums of `level_metrics_daily`, exact for any range. Distinct players come from
/// `level_player_recency` (see `PlayerRecencySQL`), exact for any range and filters; the daily uniques stored in
/// `level_metrics_daily` are not used, since a player active on two days, or in two dimension tuples, would
/// count twice.
enum FastFunnel {
    static func counts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
        var counts = try eventCounts(query, db)
        let players = try distinctPlayers(query, db)
        for index in counts.indices {
            let (started, completed) = players[counts[index].levelId] ?? (0, 0)
            counts[index].startedPlayers = started
            counts[index].completedPlayers = completed
        }
        return counts
    }

    /// Started and completed players per level.
    static func distinctPlayers(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [Int: (Int, Int)] {
        let filters = FilterSQL(query.filters, firstParameter: 5)
        let parameters: [any PostgresEncodable] = [query.game, query.range.from.iso, query.range.to.iso, filters.cell]
            + filters.parameters
        var result: [Int: (Int, Int)] = [:]
        for row in try db.query(PlayerRecencySQL.playersQuery(filterClause: filters.andClause), parameters) {
            result[try row.decode(Int.self, at: 0)] = (try row.decode(Int.self, at: 1), try row.decode(Int.self, at: 2))
        }
        return result
    }

    /// Every field but the player counts, from the daily metrics.
    static func eventCounts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
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
