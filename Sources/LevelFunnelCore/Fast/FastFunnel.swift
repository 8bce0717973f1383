import PostgresClient

/// The fast funnel: one read of the per-cell daily rows (`level_cells_daily`, see `CellSQL`), never
/// touching `events`.
///
/// Each day in the range contributes the rows of the cell tuples matching the filters, in the cell that answers
/// them on that day: event counts are plain sums (exact in any cell), distinct players are recency counts (exact
/// for any range and filters). `level_metrics_daily` (the finest daily rows) is not read: summing its daily
/// uniques would count a player active on two days, or in two dimension tuples, twice, and its event counts are
/// repeated in the coarse cells, which are far fewer rows.
enum FastFunnel {
    static func counts(_ query: FunnelQuery, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 6)
        let parameters: [any PostgresEncodable] = [query.game, query.range.from.iso, query.range.to.iso,
                                                   filters.cell, CellSQL.isCoarse(filters.cell)]
            + filters.parameters
        return try db.query(CellSQL.funnelQuery(filterClause: filters.andClause), parameters, prepared: true)
            .map(LevelCounts.init(row:))
    }
}
