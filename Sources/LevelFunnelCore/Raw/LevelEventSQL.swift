import PostgresClient

/// SQL fragments over the `level_events` view shared by the raw funnel and the daily aggregation,
/// so that both count exactly the same way.
enum LevelEventSQL {
    /// The per-level measures, in `LevelCounts` order; `user_id` only ever appears inside `count(DISTINCT ...)`.
    static let measures = """
        count(*) FILTER (WHERE event_name = 'level_start')                        AS starts,
        count(*) FILTER (WHERE event_name = 'level_complete')                     AS completes,
        count(*) FILTER (WHERE event_name = 'level_failed')                       AS fails,
        count(DISTINCT user_id) FILTER (WHERE event_name = 'level_start')         AS started_players,
        count(DISTINCT user_id) FILTER (WHERE event_name = 'level_complete')      AS completed_players,
        count(*) FILTER (WHERE is_booster)                                        AS users_with_boosters,
        count(*) FILTER (WHERE is_egp)                                            AS fails_with_purchase,
        coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0)   AS total_completion_duration,
        count(duration) FILTER (WHERE event_name = 'level_complete')              AS completion_count,
        coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0)     AS total_fail_duration,
        count(duration) FILTER (WHERE event_name = 'level_failed')                AS fail_count
        """

    /// Events of game `$1` that occurred on UTC days `$first` to `$last` (inclusive); a range on `occurred_at`
    /// so the `(game_id, occurred_at)` index applies. One day: the same parameter twice.
    static func gameAndDays(first: Int = 2, last: Int = 3) -> String {
        """
        game_id = $1
        AND occurred_at >= ($\(first)::date)::timestamp AT TIME ZONE 'UTC'
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
            guard let value = dimension.value(in: filters) else {
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

extension LevelCounts {
    /// Decodes a row whose first column is the level id followed by `LevelEventSQL.measures`' columns in order.
    init(row: PostgresRow) throws {
        self.init(levelId: try row.decode(Int.self, at: 0),
                  starts: try row.decode(Int.self, at: 1),
                  completes: try row.decode(Int.self, at: 2),
                  fails: try row.decode(Int.self, at: 3),
                  startedPlayers: try row.decode(Int.self, at: 4),
                  completedPlayers: try row.decode(Int.self, at: 5),
                  usersWithBoosters: try row.decode(Int.self, at: 6),
                  failsWithPurchase: try row.decode(Int.self, at: 7),
                  totalCompletionDuration: try row.decode(Double.self, at: 8),
                  completionCount: try row.decode(Int.self, at: 9),
                  totalFailDuration: try row.decode(Double.self, at: 10),
                  failCount: try row.decode(Int.self, at: 11))
    }
}
