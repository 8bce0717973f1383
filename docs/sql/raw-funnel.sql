-- docs/sql/raw-funnel.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The reference: every figure of a funnel from the events in one statement (RawFunnel), rendered with no
-- filter and with two filters.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- RawFunnel.sql(filterClause:), no filter
-- $1 game, $2 first day, $3 last day (dates)
SELECT level_id,
count(*) FILTER (WHERE event_name = 'level_start') AS starts,
count(*) FILTER (WHERE event_name = 'level_complete') AS completes,
count(*) FILTER (WHERE event_name = 'level_failed') AS fails,
count(DISTINCT user_id) FILTER (WHERE event_name = 'level_start') AS started_players,
count(DISTINCT user_id) FILTER (WHERE event_name = 'level_complete') AS completed_players,
count(*) FILTER (WHERE is_booster) AS users_with_boosters,
count(*) FILTER (WHERE is_egp) AS fails_with_purchase,
coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration,
count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count,
coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration,
count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
  FROM level_events
 WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 GROUP BY level_id
 ORDER BY level_id;

-- RawFunnel.sql(filterClause:), platform and country
-- $1 game, $2 first day, $3 last day (dates), $4 platform, $5 country
SELECT level_id,
count(*) FILTER (WHERE event_name = 'level_start') AS starts,
count(*) FILTER (WHERE event_name = 'level_complete') AS completes,
count(*) FILTER (WHERE event_name = 'level_failed') AS fails,
count(DISTINCT user_id) FILTER (WHERE event_name = 'level_start') AS started_players,
count(DISTINCT user_id) FILTER (WHERE event_name = 'level_complete') AS completed_players,
count(*) FILTER (WHERE is_booster) AS users_with_boosters,
count(*) FILTER (WHERE is_egp) AS fails_with_purchase,
coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration,
count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count,
coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration,
count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
  FROM level_events
 WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 AND platform = $4::text
 AND country_code = $5::text
 GROUP BY level_id
 ORDER BY level_id;
