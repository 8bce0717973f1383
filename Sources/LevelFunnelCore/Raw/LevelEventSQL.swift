import PostgresClient

/// SQL fragments over the `level_events` view shared by the raw funnel and the daily aggregation,
/// so that both count exactly the same way.
enum LevelEventSQL {
    /// Events of game `$1` that occurred on UTC days `$first` to `$last` (inclusive); a range on `occurred_at`
    /// so the `(game_id, occurred_at)` index applies. One day: the same parameter twice.
    static func gameAndDays(first: Int = 2, last: Int = 3) -> String {
        "game_id = $1\nAND " + days(first: first, last: last)
    }

    /// Events that occurred on UTC days `$first` to `$last` (inclusive), as a range on `occurred_at`.
    static func days(first: Int, last: Int) -> String {
        """
        occurred_at >= ($\(first)::date)::timestamp AT TIME ZONE 'UTC'
        AND occurred_at <  ($\(last)::date + 1)::timestamp AT TIME ZONE 'UTC'
        """
    }
}

/// Equality conditions for the filters that are set, with parameters numbered after the ones already bound.
/// The column names are the same in `events` and in the aggregate tables.
struct FilterSQL {
    var conditions: [String] = []
    var parameters: [any PostgresEncodable] = []
    /// The player cell that answers these filters: `GROUPING(...)` bits of the dimensions left unpinned.
    var cell = 0

    init(_ filters: FunnelFilters, firstParameter: Int) {
        for dimension in Dimension.allCases {
            guard let value = filters[dimension] else {
                cell |= dimension.groupingBit
                continue
            }
            conditions.append("\(dimension.column) = $\(firstParameter + parameters.count)::\(dimension.sqlType)")
            parameters.append(value)
        }
    }

    /// `AND cond AND cond ...`, or empty.
    var andClause: String { conditions.map { "\n AND " + $0 }.joined() }
}
