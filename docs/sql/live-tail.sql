-- docs/sql/live-tail.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The fast path's day states (the one freshness rule), and the days from the first one not aggregated
-- computed from the events (LiveTail), rendered with no filter and with one filter.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- LiveTail.dayStatesSQL
-- $1 game, $2 first day, $3 last day (dates)
SELECT NULL::date, false, false, NULL::float8,
       has_table_privilege('level_events'::regclass, 'SELECT'),
       (SELECT extract(epoch FROM received_through)::float8 FROM refresh_watermarks WHERE game_id = $1)
UNION ALL
SELECT a.date, a.stale, EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = $1 AND c.day = a.date),
       extract(epoch FROM a.aggregated_at)::float8, NULL, NULL
  FROM aggregated_days a
 WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date;

-- LiveTail.sql(filterClause:), no filter
-- $1 game, $2 the range's first day, $3 the first live day, $4 the range's last day
WITH live AS (
  SELECT user_id, level_id, event_name, is_booster, is_egp, duration
    FROM level_events
   WHERE game_id = $1
AND occurred_at >= ($3::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($4::date + 1)::timestamp AT TIME ZONE 'UTC'
), counted AS (
  SELECT level_id, count(*) FILTER (WHERE event_name = 'level_start') AS starts, count(*) FILTER (WHERE event_name = 'level_complete') AS completes, count(*) FILTER (WHERE event_name = 'level_failed') AS fails, count(*) FILTER (WHERE is_booster) AS users_with_boosters, count(*) FILTER (WHERE is_egp) AS fails_with_purchase, coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration, count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count, coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration, count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
    FROM live
   GROUP BY level_id
), keys AS (
  SELECT DISTINCT user_id, level_id, event_name FROM live WHERE event_name IN ('level_start', 'level_complete')
), newcomers AS (
  -- Keys (player, level, kind) with no activity in [A, F) under the same filters: one probe of
  -- events_player_key_idx per key, in index order, stopping at the first earlier event.
  SELECT k.level_id, k.event_name, count(*) AS players
    FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
   WHERE NOT EXISTS (
           SELECT 1 FROM level_events
            WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
              AND event_name IN ('level_start', 'level_complete')
              AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
              AND occurred_at <  ($3::date)::timestamp AT TIME ZONE 'UTC')
   GROUP BY k.level_id, k.event_name
)
SELECT c.level_id, coalesce(c.starts, 0) AS starts,
       coalesce(c.completes, 0) AS completes,
       coalesce(c.fails, 0) AS fails,
       coalesce((SELECT players FROM newcomers p WHERE p.level_id = c.level_id AND p.event_name = 'level_start'), 0)::bigint AS started_players,
       coalesce((SELECT players FROM newcomers p WHERE p.level_id = c.level_id AND p.event_name = 'level_complete'), 0)::bigint AS completed_players,
       coalesce(c.users_with_boosters, 0) AS users_with_boosters,
       coalesce(c.fails_with_purchase, 0) AS fails_with_purchase,
       coalesce(c.total_completion_duration, 0) AS total_completion_duration,
       coalesce(c.completion_count, 0) AS completion_count,
       coalesce(c.total_fail_duration, 0) AS total_fail_duration,
       coalesce(c.fail_count, 0) AS fail_count
  FROM counted c
 ORDER BY c.level_id;

-- LiveTail.sql(filterClause:), platform
-- $1 game, $2 the range's first day, $3 the first live day, $4 the range's last day, $5 platform
WITH live AS (
  SELECT user_id, level_id, event_name, is_booster, is_egp, duration
    FROM level_events
   WHERE game_id = $1
AND occurred_at >= ($3::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($4::date + 1)::timestamp AT TIME ZONE 'UTC'
 AND platform = $5::text
), counted AS (
  SELECT level_id, count(*) FILTER (WHERE event_name = 'level_start') AS starts, count(*) FILTER (WHERE event_name = 'level_complete') AS completes, count(*) FILTER (WHERE event_name = 'level_failed') AS fails, count(*) FILTER (WHERE is_booster) AS users_with_boosters, count(*) FILTER (WHERE is_egp) AS fails_with_purchase, coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration, count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count, coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration, count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
    FROM live
   GROUP BY level_id
), keys AS (
  SELECT DISTINCT user_id, level_id, event_name FROM live WHERE event_name IN ('level_start', 'level_complete')
), newcomers AS (
  -- Keys (player, level, kind) with no activity in [A, F) under the same filters: one probe of
  -- events_player_key_idx per key, in index order, stopping at the first earlier event.
  SELECT k.level_id, k.event_name, count(*) AS players
    FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
   WHERE NOT EXISTS (
           SELECT 1 FROM level_events
            WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
              AND event_name IN ('level_start', 'level_complete')
              AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
              AND occurred_at <  ($3::date)::timestamp AT TIME ZONE 'UTC'
 AND platform = $5::text)
   GROUP BY k.level_id, k.event_name
)
SELECT c.level_id, coalesce(c.starts, 0) AS starts,
       coalesce(c.completes, 0) AS completes,
       coalesce(c.fails, 0) AS fails,
       coalesce((SELECT players FROM newcomers p WHERE p.level_id = c.level_id AND p.event_name = 'level_start'), 0)::bigint AS started_players,
       coalesce((SELECT players FROM newcomers p WHERE p.level_id = c.level_id AND p.event_name = 'level_complete'), 0)::bigint AS completed_players,
       coalesce(c.users_with_boosters, 0) AS users_with_boosters,
       coalesce(c.fails_with_purchase, 0) AS fails_with_purchase,
       coalesce(c.total_completion_duration, 0) AS total_completion_duration,
       coalesce(c.completion_count, 0) AS completion_count,
       coalesce(c.total_fail_duration, 0) AS total_fail_duration,
       coalesce(c.fail_count, 0) AS fail_count
  FROM counted c
 ORDER BY c.level_id;
