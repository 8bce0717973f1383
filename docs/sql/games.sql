-- docs/sql/games.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The game list, each game's history and its dimension values (GameSQL): from the events, and from the
-- aggregates for a role that may not read them.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- GameSQL.gamesWithLevelEvents
WITH RECURSIVE ids(game_id) AS (
  (SELECT game_id FROM events ORDER BY game_id LIMIT 1)
  UNION ALL
  SELECT (SELECT e.game_id FROM events e WHERE e.game_id > ids.game_id ORDER BY e.game_id LIMIT 1)
    FROM ids WHERE ids.game_id IS NOT NULL
)
SELECT ids.game_id, span.first_day::text, span.last_day::text,
       (SELECT sum(level_events) FROM aggregated_days a WHERE a.game_id = ids.game_id),
       (SELECT (occurred_at AT TIME ZONE 'UTC')::date FROM level_events
 WHERE game_id = ids.game_id AND occurred_at < ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC'
 ORDER BY occurred_at DESC LIMIT 1)::text
  FROM ids
  CROSS JOIN LATERAL (
    SELECT (min(occurred_at) AT TIME ZONE 'UTC')::date AS first_day,
           (max(occurred_at) AT TIME ZONE 'UTC')::date AS last_day
      FROM level_events WHERE level_events.game_id = ids.game_id) span
 WHERE ids.game_id IS NOT NULL AND span.first_day IS NOT NULL
 ORDER BY ids.game_id;

-- GameSQL.gamesFromAggregates
SELECT game_id, min(date)::text, max(date)::text, sum(level_events), (max(date) FILTER (WHERE date <= (now() AT TIME ZONE 'UTC')::date))::text
  FROM aggregated_days
 WHERE level_events > 0
 GROUP BY game_id
 ORDER BY game_id;

-- GameSQL.gameSpan
-- $1 game
SELECT ((min(occurred_at) AT TIME ZONE 'UTC')::date)::text, ((max(occurred_at) AT TIME ZONE 'UTC')::date)::text,
       (SELECT (occurred_at AT TIME ZONE 'UTC')::date FROM level_events
 WHERE game_id = $1 AND occurred_at < ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC'
 ORDER BY occurred_at DESC LIMIT 1)::text
  FROM level_events WHERE game_id = $1;

-- GameSQL.gameSpanFromAggregates
-- $1 game
SELECT min(date)::text, max(date)::text, (max(date) FILTER (WHERE date <= (now() AT TIME ZONE 'UTC')::date))::text
  FROM aggregated_days WHERE game_id = $1 AND level_events > 0;

-- GameSQL.futureEvents
-- $1 game, $2 today
SELECT count(*) FROM level_events
 WHERE game_id = $1 AND occurred_at >= ($2::date + 1)::timestamp AT TIME ZONE 'UTC';

-- GameSQL.freshness
-- $1 game, $2 first day, $3 last day (dates)
SELECT extract(epoch FROM (SELECT max(aggregated_at) FROM aggregated_days
                            WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date))::float8,
       extract(epoch FROM (SELECT received_through FROM refresh_watermarks WHERE game_id = $1))::float8;

-- GameSQL.aggregatedDays
-- $1 game, $2 first day, $3 last day (dates)
SELECT date, stale, extract(epoch FROM aggregated_at)::float8
  FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date;

-- GameSQL.dimensionsFromEvents
-- $1 game
SELECT DISTINCT level_funnel, level_funnel_version, platform, country_code, app_version
  FROM level_events WHERE game_id = $1;

-- GameSQL.dimensionsFromEventsSince
-- $1 game, $2 a day
SELECT DISTINCT level_funnel, level_funnel_version, platform, country_code, app_version
  FROM level_events WHERE game_id = $1 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC';

-- GameSQL.dimensionsFromAggregates
-- $1 game
SELECT level_funnel, level_funnel_version, platform, country_code, app_version
  FROM level_cell_tuples t
 WHERE t.game_id = $1 AND t.cell = 0
   AND EXISTS (SELECT 1 FROM level_cells_daily r WHERE r.game_id = t.game_id AND r.tuple_id = t.tuple_id);
