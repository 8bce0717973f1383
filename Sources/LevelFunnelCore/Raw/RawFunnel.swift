import PostgresClient

/// The reference funnel ("old approach"): every figure computed from the `events` table in one statement.
enum RawFunnel {
    static func counts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 4)
        let sql = """
            SELECT level_id,
            \(Measure.selectList)
              FROM level_events
             WHERE \(LevelEventSQL.gameAndDays())\(filters.andClause)
             GROUP BY level_id
             ORDER BY level_id
            """
        let parameters: [any PostgresEncodable] = [query.game, query.range.from.iso, query.range.to.iso] + filters.parameters
        return try db.query(sql, parameters).map(LevelCounts.init(row:))
    }
}
