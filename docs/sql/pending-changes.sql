-- docs/sql/pending-changes.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- What the pending changes (event_changes) add to the aggregated days of a fast answer (PendingChanges),
-- rendered with no filter and with one filter.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- PendingChanges.sql(filterClause:), no filter
-- $1 game, $2 the first aggregated day, $3 the last
WITH touched AS (
  SELECT DISTINCT ON (id) game_id, id, added AS first_added, change_id AS first_change
  FROM (SELECT c.game_id, c.change_id, c.statement, u.id, true AS added
          FROM event_changes c CROSS JOIN LATERAL unnest(c.inserted) u(id) WHERE c.game_id = $1 AND c.day BETWEEN $2::date AND $3::date
        UNION ALL
        SELECT c.game_id, c.change_id, c.statement, u.id, false
          FROM event_changes c CROSS JOIN LATERAL unnest(c.removed) u(id) WHERE c.game_id = $1 AND c.day BETWEEN $2::date AND $3::date) x
 ORDER BY id, coalesce(statement, change_id), added
), changed AS (
  SELECT 1 AS sign, game_id, id, user_id, level_id, event_name, day, level_funnel, level_funnel_version, platform, country_code, app_version, is_booster, is_egp, duration
  FROM level_events
 WHERE id = ANY (ARRAY(SELECT id FROM touched WHERE game_id = $1)) AND game_id = $1
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
UNION ALL
SELECT -1, r.game_id, r.id, r.user_id, r.level_id, r.event_name, r.day, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version, r.is_booster, r.is_egp, r.duration
  FROM level_event_removals r
  JOIN touched t ON t.game_id = $1 AND t.id = r.id AND t.first_change = r.change_id AND NOT t.first_added
 WHERE r.game_id = $1
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
), signed AS (
  SELECT sign, level_id, count(*) FILTER (WHERE event_name = 'level_start') AS starts, count(*) FILTER (WHERE event_name = 'level_complete') AS completes, count(*) FILTER (WHERE event_name = 'level_failed') AS fails, count(*) FILTER (WHERE is_booster) AS users_with_boosters, count(*) FILTER (WHERE is_egp) AS fails_with_purchase, coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration, count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count, coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration, count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
    FROM changed GROUP BY sign, level_id
), counted AS (
  SELECT level_id, sum(sign * starts) AS starts, sum(sign * completes) AS completes, sum(sign * fails) AS fails, sum(sign * users_with_boosters) AS users_with_boosters, sum(sign * fails_with_purchase) AS fails_with_purchase, sum(sign * total_completion_duration) AS total_completion_duration, sum(sign * completion_count) AS completion_count, sum(sign * total_fail_duration) AS total_fail_duration, sum(sign * fail_count) AS fail_count
    FROM signed GROUP BY level_id
), keys AS (
  SELECT user_id, level_id, event_name, count(*) FILTER (WHERE sign = 1) AS now_changed,
         count(*) FILTER (WHERE sign = -1) AS before_changed
    FROM changed WHERE event_name IN ('level_start', 'level_complete')
   GROUP BY user_id, level_id, event_name
), players AS (
  SELECT k.level_id, k.event_name,
         sum((n.now > 0)::integer - (n.now - k.now_changed + k.before_changed > 0)::integer) AS players
    FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
    CROSS JOIN LATERAL (
      SELECT count(*) AS now FROM level_events
       WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
         AND event_name IN ('level_start', 'level_complete')
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC') n
   GROUP BY k.level_id, k.event_name
)
SELECT l.level_id, coalesce(c.starts, 0) AS starts,
       coalesce(c.completes, 0) AS completes,
       coalesce(c.fails, 0) AS fails,
       coalesce((SELECT players FROM players p WHERE p.level_id = l.level_id AND p.event_name = 'level_start'), 0)::bigint AS started_players,
       coalesce((SELECT players FROM players p WHERE p.level_id = l.level_id AND p.event_name = 'level_complete'), 0)::bigint AS completed_players,
       coalesce(c.users_with_boosters, 0) AS users_with_boosters,
       coalesce(c.fails_with_purchase, 0) AS fails_with_purchase,
       coalesce(c.total_completion_duration, 0) AS total_completion_duration,
       coalesce(c.completion_count, 0) AS completion_count,
       coalesce(c.total_fail_duration, 0) AS total_fail_duration,
       coalesce(c.fail_count, 0) AS fail_count
  FROM (SELECT level_id FROM counted UNION SELECT level_id FROM players) l
  LEFT JOIN counted c ON c.level_id = l.level_id
 ORDER BY l.level_id;

-- PendingChanges.sql(filterClause:), platform
-- $1 game, $2 the first aggregated day, $3 the last, $4 platform
WITH touched AS (
  SELECT DISTINCT ON (id) game_id, id, added AS first_added, change_id AS first_change
  FROM (SELECT c.game_id, c.change_id, c.statement, u.id, true AS added
          FROM event_changes c CROSS JOIN LATERAL unnest(c.inserted) u(id) WHERE c.game_id = $1 AND c.day BETWEEN $2::date AND $3::date
        UNION ALL
        SELECT c.game_id, c.change_id, c.statement, u.id, false
          FROM event_changes c CROSS JOIN LATERAL unnest(c.removed) u(id) WHERE c.game_id = $1 AND c.day BETWEEN $2::date AND $3::date) x
 ORDER BY id, coalesce(statement, change_id), added
), changed AS (
  SELECT 1 AS sign, game_id, id, user_id, level_id, event_name, day, level_funnel, level_funnel_version, platform, country_code, app_version, is_booster, is_egp, duration
  FROM level_events
 WHERE id = ANY (ARRAY(SELECT id FROM touched WHERE game_id = $1)) AND game_id = $1
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 AND platform = $4::text
UNION ALL
SELECT -1, r.game_id, r.id, r.user_id, r.level_id, r.event_name, r.day, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version, r.is_booster, r.is_egp, r.duration
  FROM level_event_removals r
  JOIN touched t ON t.game_id = $1 AND t.id = r.id AND t.first_change = r.change_id AND NOT t.first_added
 WHERE r.game_id = $1
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 AND platform = $4::text
), signed AS (
  SELECT sign, level_id, count(*) FILTER (WHERE event_name = 'level_start') AS starts, count(*) FILTER (WHERE event_name = 'level_complete') AS completes, count(*) FILTER (WHERE event_name = 'level_failed') AS fails, count(*) FILTER (WHERE is_booster) AS users_with_boosters, count(*) FILTER (WHERE is_egp) AS fails_with_purchase, coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration, count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count, coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration, count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
    FROM changed GROUP BY sign, level_id
), counted AS (
  SELECT level_id, sum(sign * starts) AS starts, sum(sign * completes) AS completes, sum(sign * fails) AS fails, sum(sign * users_with_boosters) AS users_with_boosters, sum(sign * fails_with_purchase) AS fails_with_purchase, sum(sign * total_completion_duration) AS total_completion_duration, sum(sign * completion_count) AS completion_count, sum(sign * total_fail_duration) AS total_fail_duration, sum(sign * fail_count) AS fail_count
    FROM signed GROUP BY level_id
), keys AS (
  SELECT user_id, level_id, event_name, count(*) FILTER (WHERE sign = 1) AS now_changed,
         count(*) FILTER (WHERE sign = -1) AS before_changed
    FROM changed WHERE event_name IN ('level_start', 'level_complete')
   GROUP BY user_id, level_id, event_name
), players AS (
  SELECT k.level_id, k.event_name,
         sum((n.now > 0)::integer - (n.now - k.now_changed + k.before_changed > 0)::integer) AS players
    FROM (SELECT * FROM keys ORDER BY user_id, level_id, event_name) k
    CROSS JOIN LATERAL (
      SELECT count(*) AS now FROM level_events
       WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event_name
         AND event_name IN ('level_start', 'level_complete')
 AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 AND platform = $4::text) n
   GROUP BY k.level_id, k.event_name
)
SELECT l.level_id, coalesce(c.starts, 0) AS starts,
       coalesce(c.completes, 0) AS completes,
       coalesce(c.fails, 0) AS fails,
       coalesce((SELECT players FROM players p WHERE p.level_id = l.level_id AND p.event_name = 'level_start'), 0)::bigint AS started_players,
       coalesce((SELECT players FROM players p WHERE p.level_id = l.level_id AND p.event_name = 'level_complete'), 0)::bigint AS completed_players,
       coalesce(c.users_with_boosters, 0) AS users_with_boosters,
       coalesce(c.fails_with_purchase, 0) AS fails_with_purchase,
       coalesce(c.total_completion_duration, 0) AS total_completion_duration,
       coalesce(c.completion_count, 0) AS completion_count,
       coalesce(c.total_fail_duration, 0) AS total_fail_duration,
       coalesce(c.fail_count, 0) AS fail_count
  FROM (SELECT level_id FROM counted UNION SELECT level_id FROM players) l
  LEFT JOIN counted c ON c.level_id = l.level_id
 ORDER BY l.level_id;
