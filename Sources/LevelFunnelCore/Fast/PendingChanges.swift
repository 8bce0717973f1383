import PostgresClient

/// The fast path's answer for changes the aggregates do not hold yet (captured in `event_changes`, not yet applied
/// by a refresh): what they add to, or take from, the aggregated days of a range, so that no day turns live because
/// a change is pending.
///
/// The changed events are compared in their two states (`DeltaSQL`): as they are, and as the aggregates hold them.
/// Event counts add the difference of their measures. A changed key (player, level, kind) counts as a distinct
/// player of the range when it has an event in the range under the filters: one probe of `events_player_key_idx`
/// per key counts its events now; less its changed events as they are, plus those as they were, gives the count
/// the aggregates hold. The key adds a player when it has events now and had none, and takes one away in the
/// opposite case. Only the change rows of the range's days are read: an event's state before its changes lies on
/// the day of its first change, so changes of other days say nothing about the range.
enum PendingChanges {
    /// `$1` game, `$2`..`$3` the aggregated days, filters from `$4`: per level, what the pending changes add.
    static func sql(filterClause: String) -> String {
        let inRange = "\n AND " + LevelEventSQL.days(first: 2, last: 3) + filterClause
        return """
            WITH touched AS (
              \(DeltaSQL.firstTouches(days: " AND c.day BETWEEN $2::date AND $3::date"))
            ), changed AS (
              \(DeltaSQL.changedRows(touched: "touched", conditions: inRange))
            ), signed AS (
              SELECT sign, level_id, \(Measure.summed.map { "\($0.expression) AS \($0.column)" }.joined(separator: ", "))
                FROM changed GROUP BY sign, level_id
            ), counted AS (
              SELECT level_id, \(Measure.summed.map { "sum(sign * \($0.column)) AS \($0.column)" }.joined(separator: ", "))
                FROM signed GROUP BY level_id
            ), keys AS (
              SELECT user_id, level_id, event_name, count(*) FILTER (WHERE sign = 1) AS now_changed,
                     count(*) FILTER (WHERE sign = -1) AS before_changed
                FROM changed WHERE event_name IN (\(Measure.playerEvents))
               GROUP BY user_id, level_id, event_name
            ), players AS (
              SELECT k.level_id, k.event_name,
                     sum((n.now > 0)::integer - (n.now - k.now_changed + k.before_changed > 0)::integer) AS players
                FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
                CROSS JOIN LATERAL (
                  SELECT count(*) AS now FROM level_events
                   WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
                     AND event_name IN (\(Measure.playerEvents))\(inRange)) n
               GROUP BY k.level_id, k.event_name
            )
            SELECT l.level_id, \(Measure.selectList(level: "l.level_id", counted: "c", players: "players"))
              FROM (SELECT level_id FROM counted UNION SELECT level_id FROM players) l
              LEFT JOIN counted c ON c.level_id = l.level_id
             ORDER BY l.level_id
            """
    }

    /// What the pending changes of `days` add to `query`'s counts there (negative where they remove). With
    /// `planOnce` (one PostgreSQL, `Distribution.plansStatementsOnce`) the statement is planned once per session:
    /// its plan does not depend on the days or the filters' values (the changes and each key's probe are index
    /// lookups whatever they are), and planning it for each run, over the views' rules, cost more than running it
    /// (3.4 ms against 1.8 ms with 70 pending events at 10x).
    static func counts(_ query: FunnelQuery, days: DayRange, planOnce: Bool, _ db: PostgresConnection) throws -> [LevelCounts] {
        let filters = FilterSQL(query.filters, firstParameter: 4)
        let parameters: [any PostgresEncodable] = [query.game, days.from, days.to] + filters.parameters
        let run = { try db.query(sql(filterClause: filters.andClause), parameters, prepared: true).map(LevelCounts.init(row:)) }
        return try planOnce ? db.withSetting("plan_cache_mode", "force_generic_plan", run) : run()
    }
}
