import PostgresClient

/// The reference funnel ("old approach"): every figure computed from the `events` table in one statement.
enum RawFunnel {
    /// `$1` game, `$2`..`$3` the range, filters from `$4`.
    static func sql(filterClause: String) -> String {
        """
        SELECT level_id,
        \(Measure.selectList)
          FROM level_events
         WHERE \(LevelEventSQL.gameAndDays())\(filterClause)
         GROUP BY level_id
         ORDER BY level_id
        """
    }

    static func counts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 4)
        let parameters: [any PostgresEncodable] = [query.game, query.range.from.iso, query.range.to.iso] + filters.parameters
        return try db.query(sql(filterClause: filters.andClause), parameters).map(LevelCounts.init(row:))
    }
}
