import PostgresClient

/// Queries about games and their dimension values.
enum GameSQL {
    /// The games with level events (``gamesWithLevelEvents``'s columns) on one node, or on Citus.
    static func gamesWithLevelEvents(_ distribution: Distribution) -> String {
        distribution == .citus ? gamesWithLevelEventsOnShards : gamesWithLevelEvents
    }

    /// On Citus, where a recursive CTE must stay on one shard (the loose index scan cannot): the same columns from
    /// one grouping of the level events by game, which runs on every shard in parallel, each worker reading its
    /// games' events (no loose scan: a read of every level event, shard by shard).
    static let gamesWithLevelEventsOnShards = """
        SELECT e.game_id, ((min(e.occurred_at) AT TIME ZONE 'UTC')::date)::text, ((max(e.occurred_at) AT TIME ZONE 'UTC')::date)::text,
               (SELECT sum(level_events) FROM aggregated_days a WHERE a.game_id = e.game_id),
               ((max(e.occurred_at) FILTER (WHERE e.occurred_at < ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC')
                 AT TIME ZONE 'UTC')::date)::text
          FROM level_events e
         GROUP BY e.game_id
         ORDER BY e.game_id
        """

    /// Distinct games by a loose index scan over `(game_id, occurred_at)` (one index probe per game instead of
    /// reading every event), then each game's first and last level-event day and its aggregated level events.
    static let gamesWithLevelEvents = """
        WITH RECURSIVE ids(game_id) AS (
          (SELECT game_id FROM events ORDER BY game_id LIMIT 1)
          UNION ALL
          SELECT (SELECT e.game_id FROM events e WHERE e.game_id > ids.game_id ORDER BY e.game_id LIMIT 1)
            FROM ids WHERE ids.game_id IS NOT NULL
        )
        SELECT ids.game_id, span.first_day::text, span.last_day::text,
               (SELECT sum(level_events) FROM aggregated_days a WHERE a.game_id = ids.game_id),
               (\(lastPastDay(game: "ids.game_id")))::text
          FROM ids
          CROSS JOIN LATERAL (
            SELECT (min(occurred_at) AT TIME ZONE 'UTC')::date AS first_day,
                   (max(occurred_at) AT TIME ZONE 'UTC')::date AS last_day
              FROM level_events WHERE level_events.game_id = ids.game_id) span
         WHERE ids.game_id IS NOT NULL AND span.first_day IS NOT NULL
         ORDER BY ids.game_id
        """

    /// The last level-event day of `game` (an SQL expression) that is not after today in UTC (`GameInfo.lastPastDay`):
    /// one backward scan of `(game_id, occurred_at)` from tomorrow.
    static func lastPastDay(game: String) -> String {
        """
        SELECT (occurred_at AT TIME ZONE 'UTC')::date FROM level_events
         WHERE game_id = \(game) AND occurred_at < ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC'
         ORDER BY occurred_at DESC LIMIT 1
        """
    }

    /// Days with aggregated level events up to today (UTC), for `GameInfo.lastPastDay` from the aggregates.
    private static let pastDate = "date <= (now() AT TIME ZONE 'UTC')::date"

    /// The games and history spans the aggregates know, for roles that may not read `events`: the days with
    /// aggregated level events (empty days are recorded too, with none). Same columns as `gamesWithLevelEvents`.
    static let gamesFromAggregates = """
        SELECT game_id, min(date)::text, max(date)::text, sum(level_events), (max(date) FILTER (WHERE \(pastDate)))::text
          FROM aggregated_days
         WHERE level_events > 0
         GROUP BY game_id
         ORDER BY game_id
        """

    /// `$1` game: the first and last day with aggregated level events, and the last one up to today (NULLs when none).
    static let gameSpanFromAggregates = """
        SELECT min(date)::text, max(date)::text, (max(date) FILTER (WHERE \(pastDate)))::text
          FROM aggregated_days WHERE game_id = $1 AND level_events > 0
        """

    /// `$1` game, `$2` today: level events dated after today, which phones with wrong clocks send. They count on
    /// their `occurred_at` day like every event (the metrics contract); `games` shows how many there are.
    /// A range scan of `(game_id, occurred_at)`.
    static let futureEvents = """
        SELECT count(*) FROM level_events
         WHERE game_id = $1 AND occurred_at >= ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
        """

    /// The other sessions of this database holding a snapshot (autovacuum's included): while one lasts, `VACUUM`
    /// keeps the rows deleted before it began.
    static let otherSnapshots = """
        SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL
        """

    /// `$1` game, `$2`..`$3` a range: when its newest day was last aggregated (epoch seconds), and the game's
    /// refresh watermark (every change committed before it is in the aggregates).
    static let freshness = """
        SELECT extract(epoch FROM (SELECT max(aggregated_at) FROM aggregated_days
                                    WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date))::float8,
               extract(epoch FROM (SELECT received_through FROM refresh_watermarks WHERE game_id = $1))::float8
        """

    /// `$1` game, `$2`..`$3` a range: each day of it recorded as aggregated, whether it is stale, and when it was
    /// aggregated (epoch seconds).
    static let aggregatedDays = """
        SELECT date, stale, extract(epoch FROM aggregated_at)::float8
          FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date
        """

    /// `$1` game: its first and last level-event day, and the last one up to today (NULLs when it has none).
    static let gameSpan = """
        SELECT ((min(occurred_at) AT TIME ZONE 'UTC')::date)::text, ((max(occurred_at) AT TIME ZONE 'UTC')::date)::text,
               (\(lastPastDay(game: "$1")))::text
          FROM level_events WHERE game_id = $1
        """

    /// Columns: the dimensions (`Dimension.columnList`). Read from the tuples of
    /// the cell that pins every dimension (stored for every aggregated day, see `CellSQL.fullCells`), still in
    /// use: a thousand rows rather than every daily row (1 ms instead of 90 ms on the 10x game).
    static let dimensionsFromAggregates = """
        SELECT \(Dimension.columnList)
          FROM level_cell_tuples t
         WHERE t.game_id = $1 AND t.cell = 0
           AND EXISTS (SELECT 1 FROM level_cells_daily r WHERE r.game_id = t.game_id AND r.tuple_id = t.tuple_id)
        """

    static let dimensionsFromEvents = """
        SELECT DISTINCT \(Dimension.columnList)
          FROM level_events WHERE game_id = $1
        """

    /// `$1` game, `$2` a day: the dimension tuples of the game's level events on that day and after (through the
    /// `(game_id, occurred_at)` index).
    static let dimensionsFromEventsSince = """
        SELECT DISTINCT \(Dimension.columnList)
          FROM level_events WHERE game_id = $1 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
        """
}

/// Queries of the daily job and the aggregation status.
enum RefreshSQL {
    /// `$1` game, `$2`..`$3` its history: the days that are not fresh (`LiveTail.DayState.isFresh`): never
    /// aggregated or marked stale, and days holding a captured change the aggregates do not. Reads no event.
    static let daysNeedingWork = """
        SELECT d::date FROM generate_series($2::date, $3::date, interval '1 day') d
         WHERE NOT EXISTS (SELECT 1 FROM aggregated_days a WHERE a.game_id = $1 AND a.date = d::date AND NOT a.stale)
        UNION
        SELECT DISTINCT day FROM event_changes WHERE game_id = $1
        """

    /// `$1` game, `$2`..`$3` days: aggregated days whose level events' fingerprint (count and id sum, as
    /// `DailyAggregation` records it) is no longer the recorded one. One pass over those days' events.
    static let changedFingerprints = """
        SELECT a.date
          FROM aggregated_days a
          LEFT JOIN (SELECT day, count(*)::text || ':' || coalesce(sum(id), 0)::text AS print
                       FROM level_events
                      WHERE \(LevelEventSQL.gameAndDays())
                      GROUP BY day) f ON f.day = a.date
         WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
           AND a.events_fingerprint <> coalesce(f.print, '0:0')
        """

    /// `$1` game, `$2` epoch seconds: the events received before then are all accounted for.
    static let saveWatermark = """
        INSERT INTO refresh_watermarks (game_id, received_through) VALUES ($1, to_timestamp($2::float8))
        ON CONFLICT (game_id) DO UPDATE SET received_through = excluded.received_through
        """

    /// `$1` game, `$2`..`$3` its history: aggregated days in it and the newest aggregation time (epoch seconds).
    static let status = """
        SELECT count(*) FILTER (WHERE date BETWEEN $2::date AND $3::date),
               extract(epoch FROM max(aggregated_at))::float8,
               count(*) FILTER (WHERE stale AND date BETWEEN $2::date AND $3::date)
          FROM aggregated_days WHERE game_id = $1
        """
}
