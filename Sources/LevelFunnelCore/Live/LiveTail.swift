import Foundation
import PostgresClient

/// The fast path's answer for days the aggregates do not cover: computed from `events` in the same answer and
/// combined with the aggregated days so that every field, distinct players included, equals the raw path.
///
/// A range `[A, B]` splits at the first day `F` that is not aggregated (never aggregated, or stale:
/// `DayState.isAggregated`). Days `[A, F)` come from the aggregates and their pending changes (`PendingChanges`),
/// exactly; days `[F, B]` from the events.
/// Event counts add up. Distinct players are those of `[A, F)` plus the players of `[F, B]` who had no activity
/// (same level, same kind, same filters) in `[A, F)`: one index probe per live key, so the cost grows with the
/// live days' players, not with the range.
/// Everything after `F` is live because the aggregated player counts of later days depend on earlier days.
/// The probe per live key (player, level, kind) uses `events_player_key_idx`, the index the daily aggregation's
/// own earlier-activity lookup uses.
enum LiveTail {
    /// One day of the range and what the aggregates know of it.
    struct DayState {
        var day: Day
        var aggregated: Bool
        var stale: Bool
        /// Holds a change to its level events that the aggregates do not (captured in `event_changes` by the
        /// transaction that made it, not yet consumed by an aggregation of the day). Read for aggregated days only:
        /// a day never aggregated is computed from the events whatever its changes.
        var pending: Bool

        /// The aggregates hold every change to its events: **the** freshness rule, which the query, the daily job
        /// and the dashboard share.
        var isFresh: Bool { aggregated && !stale && !pending }

        /// Answered from its aggregates, plus its pending changes (`PendingChanges`) when it has any; the other
        /// days (never aggregated, or stale) are computed from the events.
        var isAggregated: Bool { aggregated && !stale }
    }

    /// `$1` game, `$2`..`$3` the range: one row per aggregated day of the range (whether it is stale, whether it holds
    /// a pending change, when it was aggregated), after a first row with whether this role may read `level_events`
    /// and the game's refresh watermark; days without a row were never aggregated. One statement, and no series of
    /// calendar days: a fresh process pays each statement's parse and plan in a new backend, and
    /// `generate_series` over dates alone cost it about a millisecond there. Reads no event: the changes are those
    /// the triggers captured, exactly when their events became visible.
    static let dayStatesSQL = """
        SELECT NULL::date, false, false, NULL::float8,
               has_table_privilege('level_events'::regclass, 'SELECT'),
               (SELECT extract(epoch FROM received_through)::float8 FROM refresh_watermarks WHERE game_id = $1)
        UNION ALL
        SELECT a.date, a.stale, EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = $1 AND c.day = a.date),
               extract(epoch FROM a.aggregated_at)::float8, NULL, NULL
          FROM aggregated_days a
         WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
        """

    /// The day states of `range`. With `forEventReaders`, a role that may not read `level_events` is refused here
    /// (SQLSTATE 42501, as the server would), before any work, so that it gets the aggregates' answer, labelled
    /// (`LevelFunnelStore.eventsElseAggregates`). A privilege function, not a statement naming the view: a scan
    /// of it, even under `WHERE false`, was planned in parallel and started its workers on every query (8–12 ms).
    static func dayStates(game: String, range: DayRange, forEventReaders: Bool = false,
                          _ db: PostgresConnection) throws -> [DayState] {
        try rangeState(game: game, range: range, forEventReaders: forEventReaders, db).days
    }

    /// The day states of `range` and the freshness of an answer over it, in one statement.
    static func rangeState(game: String, range: DayRange, forEventReaders: Bool = false,
                           _ db: PostgresConnection) throws -> (days: [DayState], freshness: Freshness) {
        let rows = try db.query(dayStatesSQL, [game, range.from, range.to], prepared: true)
        guard let first = try rows.rows.first(where: { try $0.decode(Day?.self, at: 0) == nil }) else {
            throw PostgresError(kind: .decoding, message: "the day states lack their first row")
        }
        if forEventReaders, try first.decode(Bool.self, at: 4) == false {
            throw PostgresError(kind: .query, sqlState: "42501", message: "permission denied for view level_events")
        }
        var aggregated: [Day: (stale: Bool, pending: Bool)] = [:]
        var aggregatedAt: Double?
        for row in rows.rows where try row.decode(Day?.self, at: 0) != nil {
            aggregated[try row.decode(Day.self, at: 0)] = (try row.decode(Bool.self, at: 1), try row.decode(Bool.self, at: 2))
            aggregatedAt = max(aggregatedAt ?? -.infinity, try row.decode(Double.self, at: 3))
        }
        let days = range.days.map { day in
            DayState(day: day, aggregated: aggregated[day] != nil, stale: aggregated[day]?.stale ?? false,
                     pending: aggregated[day]?.pending ?? false)
        }
        return (days, Freshness(aggregatedAt: aggregatedAt.map { Date(timeIntervalSince1970: $0) },
                                receivedThrough: try first.decode(Double?.self, at: 5).map { Date(timeIntervalSince1970: $0) }))
    }

    /// `$1` game, `$2` the range's first day `A`, `$3` the first live day `F`, `$4` the last day `B`, filters from
    /// `$5`: the counts of `[F, B]` from the events, with distinct players counted only when they had no
    /// activity in `[A, F)`.
    static func sql(filterClause: String) -> String {
        """
        WITH live AS (
          SELECT user_id, level_id, event_name, is_booster, is_egp, duration
            FROM level_events
           WHERE \(LevelEventSQL.gameAndDays(first: 3, last: 4))\(filterClause)
        ), counted AS (
          SELECT level_id, \(Measure.summed.map { "\($0.expression) AS \($0.column)" }.joined(separator: ", "))
            FROM live
           GROUP BY level_id
        ), keys AS (
          SELECT DISTINCT user_id, level_id, event_name FROM live WHERE event_name IN (\(Measure.playerEvents))
        ), newcomers AS (
          -- Keys (player, level, kind) with no activity in [A, F) under the same filters: one probe of
          -- events_player_key_idx per key, in index order, stopping at the first earlier event.
          SELECT k.level_id, k.event_name, count(*) AS players
            FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
           WHERE NOT EXISTS (
                   SELECT 1 FROM level_events
                    WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
                      AND event_name IN (\(Measure.playerEvents))
                      AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
                      AND occurred_at <  ($3::date)::timestamp AT TIME ZONE 'UTC'\(filterClause))
           GROUP BY k.level_id, k.event_name
        )
        SELECT c.level_id, \(Measure.selectList(level: "c.level_id", counted: "c", players: "newcomers"))
          FROM counted c
         ORDER BY c.level_id
        """
    }

    /// The counts of `[from, range.to]` from the events, players new since `range.from`.
    static func counts(_ query: FunnelQuery, liveFrom from: Day, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 5)
        let parameters: [any PostgresEncodable] = [query.game, query.range.from, from, query.range.to] + filters.parameters
        return try db.query(sql(filterClause: filters.andClause), parameters, prepared: true).map(LevelCounts.init(row:))
    }

    /// Adds two sets of counts of one range exactly: two disjoint parts (`later`'s players are those new since the
    /// range began), or counts and the differences pending changes make. A level left without any event (its only
    /// events were deleted) is not in the answer, as on the raw path.
    static func combine(_ earlier: [LevelCounts], _ later: [LevelCounts]) -> [LevelCounts] {
        var byLevel = Dictionary(uniqueKeysWithValues: earlier.map { ($0.levelId, $0) })
        for counts in later {
            byLevel[counts.levelId] = (byLevel[counts.levelId] ?? LevelCounts(levelId: counts.levelId)).adding(counts, in: Measure.all)
        }
        return byLevel.values.filter { $0.starts + $0.completes + $0.fails > 0 }.sorted { $0.levelId < $1.levelId }
    }
}
