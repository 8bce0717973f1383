-- docs/sql/aggregation-pass.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- A backfill or refresh of one game: the statements before the passes, then one pass of consecutive days in
-- one REPEATABLE READ transaction (DailyAggregation.aggregate), in the order they run.
-- CellSQL.rebuildDays(additive:) runs once per set of additive dimensions among the pass's days: rendered for
-- 31 (every dimension additive: no corrections) and 22 (funnel version and app version varied: corrections).
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- DailyAggregation.relationsToAnalyzeSQL (before a backfill; then ANALYZE of each relation)
WITH stats AS (
  SELECT c.oid, c.relkind, greatest(c.reltuples, 0) + coalesce(s.n_mod_since_analyze, 0) AS rows_now,
         c.reltuples, coalesce(s.last_analyze, s.last_autoanalyze) IS NULL AS never,
         s.n_mod_since_analyze > 0.2 * greatest(c.reltuples, 1000) AS changed
    FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
   WHERE c.oid = 'events'::regclass OR c.oid IN (SELECT relid FROM pg_partition_tree('events'))
), root AS (
  SELECT * FROM stats WHERE oid = 'events'::regclass
), leaves AS (
  SELECT stats.* FROM pg_partition_tree('events') t JOIN stats ON stats.oid = t.relid WHERE t.isleaf
), whole AS (
  SELECT oid FROM root
   WHERE never
      OR (relkind <> 'p' AND changed)
      OR (relkind = 'p'
          AND (SELECT sum(rows_now) FROM leaves) > 1.2 * greatest(root.reltuples, 1000))
)
SELECT oid::regclass::text FROM whole
UNION ALL
SELECT oid::regclass::text FROM leaves WHERE NOT EXISTS (SELECT 1 FROM whole) AND (never OR changed);

-- DailyAggregation.busyDaysSQL
-- $1 game, $2 first day, $3 last day (dates)
WITH RECURSIVE busy(day) AS (
  SELECT (SELECT (occurred_at AT TIME ZONE 'UTC')::date FROM events
           WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
           ORDER BY occurred_at LIMIT 1)
  UNION ALL
  SELECT (SELECT (e.occurred_at AT TIME ZONE 'UTC')::date FROM events e
           WHERE e.game_id = $1
             AND e.occurred_at >= (busy.day + 1)::timestamp AT TIME ZONE 'UTC'
             AND e.occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
           ORDER BY e.occurred_at LIMIT 1)
    FROM busy WHERE busy.day IS NOT NULL
)
SELECT day FROM busy WHERE day IS NOT NULL
UNION
SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND level_events > 0
ORDER BY 1;

-- DailyAggregation.aggregatedBusyDaysSQL (a role that may not read events)
-- $1 game, $2 first day, $3 last day (dates)
SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND level_events > 0;

-- DailyAggregation.pendingDaysSQL (recording the empty days: one REPEATABLE READ transaction)
-- $1 game, $2 first day, $3 last day (dates)
SELECT day FROM event_changes WHERE game_id = $1 AND day BETWEEN $2::date AND $3::date;

-- DailyAggregation.freshDaysSQL
-- $1 game, $2 first day, $3 last day (dates)
SELECT date FROM aggregated_days WHERE game_id = $1 AND date BETWEEN $2::date AND $3::date AND NOT stale;

-- DailyAggregation.recordEmptyDaysSQL
-- $1 game, $2 the days without events to record (date[]), $3 31 (every dimension additive)
INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                             activity_fingerprint)
VALUES ($1::text, unnest($2::date[]), now(), 0, '0:0', false, $3::integer, '0:0')
ON CONFLICT (game_id, date) DO UPDATE
   SET stale = false, aggregated_at = excluded.aggregated_at, level_events = 0,
       events_fingerprint = excluded.events_fingerprint, activity_fingerprint = excluded.activity_fingerprint
RETURNING date;

-- DailyAggregation.consumeEmptyDaysSQL
-- $1 game, $2 the days recorded (date[])
DELETE FROM event_changes c
 WHERE c.game_id = $1 AND c.day = ANY ($2::date[])
   AND NOT EXISTS (SELECT 1 FROM level_events e
                    WHERE e.game_id = $1
                      AND e.occurred_at >= (c.day)::timestamp AT TIME ZONE 'UTC'
                      AND e.occurred_at <  (c.day + 1)::timestamp AT TIME ZONE 'UTC');

-- DeltaSQL.dropOrphanRemovals
-- $1 game
DELETE FROM event_removals r
 WHERE r.game_id = $1
   AND NOT EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = $1 AND c.change_id = r.change_id);

-- DailyAggregation.sessionSettings (the pass's transaction begins)
SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true),
       set_config('default_statistics_target', '10', true);

-- DailyAggregation.readEventsSQL[0]
-- $1 game, $2 the pass's first day, $3 its last day
INSERT INTO lf_fresh (game_id, date, level_id, level_funnel, level_funnel_version, platform, country_code, app_version, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, id_sum)
SELECT game_id, day, level_id, level_funnel, level_funnel_version, platform, country_code, app_version,
       count(*) FILTER (WHERE event_name = 'level_start'),
               count(*) FILTER (WHERE event_name = 'level_complete'),
               count(*) FILTER (WHERE event_name = 'level_failed'),
               count(*) FILTER (WHERE is_booster),
               count(*) FILTER (WHERE is_egp),
               coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0),
               count(duration) FILTER (WHERE event_name = 'level_complete'),
               coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0),
               count(duration) FILTER (WHERE event_name = 'level_failed'),
       sum(id)
  FROM level_events
 WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
 GROUP BY game_id, day, level_id, level_funnel, level_funnel_version, platform, country_code, app_version;

-- DailyAggregation.readEventsSQL[1]
-- $1 game, $2 the pass's first day, $3 its last day
INSERT INTO lf_activity (game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day)
SELECT DISTINCT game_id, user_id, level_id, event_name, level_funnel, level_funnel_version, platform, country_code, app_version, day
  FROM level_events
 WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
   AND event_name IN ('level_start', 'level_complete');

-- DailyAggregation.passSummarySQL
-- $1 game, $2 the pass's first day, $3 its last day
SELECT d.day, coalesce(f.events, 0),
       -- The day's fingerprint: count and id sum of its level events (every one is a start, complete or fail).
       coalesce(f.events, 0)::text || ':' || coalesce(f.id_sum, 0)::text,
       -- Its activity's: count and hash sum of its player keys (a row's text form tells NULL from '').
       coalesce(p.keys, 0)::text || ':' || coalesce(p.hash_sum, 0)::text
  FROM (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day) d
  LEFT JOIN (SELECT date, sum(starts + completes + fails) AS events, sum(id_sum) AS id_sum
               FROM lf_fresh WHERE game_id = $1 GROUP BY date) f
    ON f.date = d.day
  LEFT JOIN (SELECT day, count(*) AS keys,
                    sum(hashtextextended(ROW(user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version)::text, 0)::numeric) AS hash_sum
               FROM lf_activity WHERE game_id = $1 GROUP BY day) p
    ON p.day = d.day
 ORDER BY d.day;

-- CellSQL.fillEarlierActivity
-- $1 game, $2 the pass's first day
INSERT INTO lf_activity (game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day)
SELECT k.game_id, k.user_id, k.level_id, k.event, e.level_funnel, e.level_funnel_version, e.platform, e.country_code, e.app_version, e.day
  -- In index order: the probes walk events_player_key_idx from one end to the other, each page read once
  -- (at 100x the index is gigabytes, and probes in hash order read a page per probe from disk).
  FROM (SELECT DISTINCT game_id, user_id, level_id, event FROM lf_activity
         WHERE game_id = $1 ORDER BY user_id, level_id, event) k
  CROSS JOIN LATERAL (
    SELECT level_funnel, level_funnel_version, platform, country_code, app_version, day
      FROM level_events
     WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
       AND event_name IN ('level_start', 'level_complete')
       AND occurred_at < ($2::date)::timestamp AT TIME ZONE 'UTC'
    OFFSET 0) e;

-- CellSQL.analyzeActivity
ANALYZE (SKIP_LOCKED) lf_activity, lf_fresh;

-- CellSQL.fillKeyDays[0]
-- $1 game, $2 the pass's first day
INSERT INTO lf_key_days (game_id, user_id, level_id, event, day, varying, previous, level_funnel, level_funnel_version, platform, country_code, app_version)
SELECT game_id, user_id, level_id, event, first_day,
       CASE WHEN level_funnel_min <> level_funnel_max OR (level_funnel_null AND level_funnel_set) THEN 16 ELSE 0 END
             | CASE WHEN level_funnel_version_min <> level_funnel_version_max OR (level_funnel_version_null AND level_funnel_version_set) THEN 8 ELSE 0 END
             | CASE WHEN platform_min <> platform_max OR (platform_null AND platform_set) THEN 4 ELSE 0 END
             | CASE WHEN country_code_min <> country_code_max OR (country_code_null AND country_code_set) THEN 2 ELSE 0 END
             | CASE WHEN app_version_min <> app_version_max OR (app_version_null AND app_version_set) THEN 1 ELSE 0 END,
       before, level_funnel_min, level_funnel_version_min, platform_min, country_code_min, app_version_min
  FROM (SELECT game_id, user_id, level_id, event,
               min(day) FILTER (WHERE day >= $2::date) AS first_day,
               max(day) FILTER (WHERE day >= $2::date) AS last_day,
               max(day) FILTER (WHERE day < $2::date) AS before,
               min(level_funnel) AS level_funnel_min, max(level_funnel) AS level_funnel_max, bool_or(level_funnel IS NULL) AS level_funnel_null, bool_or(level_funnel IS NOT NULL) AS level_funnel_set,
                 min(level_funnel_version) AS level_funnel_version_min, max(level_funnel_version) AS level_funnel_version_max, bool_or(level_funnel_version IS NULL) AS level_funnel_version_null, bool_or(level_funnel_version IS NOT NULL) AS level_funnel_version_set,
                 min(platform) AS platform_min, max(platform) AS platform_max, bool_or(platform IS NULL) AS platform_null, bool_or(platform IS NOT NULL) AS platform_set,
                 min(country_code) AS country_code_min, max(country_code) AS country_code_max, bool_or(country_code IS NULL) AS country_code_null, bool_or(country_code IS NOT NULL) AS country_code_set,
                 min(app_version) AS app_version_min, max(app_version) AS app_version_max, bool_or(app_version IS NULL) AS app_version_null, bool_or(app_version IS NOT NULL) AS app_version_set
          FROM lf_activity
         WHERE game_id = $1
         GROUP BY game_id, user_id, level_id, event) keys
 WHERE first_day = last_day;

-- CellSQL.fillKeyDays[1]
-- $1 game, $2 the pass's first day
INSERT INTO lf_key_days (game_id, user_id, level_id, event, day, varying, previous, level_funnel, level_funnel_version, platform, country_code, app_version)
SELECT game_id, user_id, level_id, event, day, varying, previous, level_funnel, level_funnel_version, platform, country_code, app_version FROM (
  SELECT game_id, user_id, level_id, event, day,
         CASE WHEN min(level_funnel_min) OVER key <> max(level_funnel_max) OVER key OR (bool_or(level_funnel_null) OVER key AND bool_or(level_funnel_set) OVER key) THEN 16 ELSE 0 END
             | CASE WHEN min(level_funnel_version_min) OVER key <> max(level_funnel_version_max) OVER key OR (bool_or(level_funnel_version_null) OVER key AND bool_or(level_funnel_version_set) OVER key) THEN 8 ELSE 0 END
             | CASE WHEN min(platform_min) OVER key <> max(platform_max) OVER key OR (bool_or(platform_null) OVER key AND bool_or(platform_set) OVER key) THEN 4 ELSE 0 END
             | CASE WHEN min(country_code_min) OVER key <> max(country_code_max) OVER key OR (bool_or(country_code_null) OVER key AND bool_or(country_code_set) OVER key) THEN 2 ELSE 0 END
             | CASE WHEN min(app_version_min) OVER key <> max(app_version_max) OVER key OR (bool_or(app_version_null) OVER key AND bool_or(app_version_set) OVER key) THEN 1 ELSE 0 END AS varying,
         lag(day) OVER key AS previous,
         min(level_funnel_min) OVER key AS level_funnel, min(level_funnel_version_min) OVER key AS level_funnel_version, min(platform_min) OVER key AS platform, min(country_code_min) OVER key AS country_code, min(app_version_min) OVER key AS app_version
    FROM (SELECT a.game_id, a.user_id, a.level_id, a.event, a.day, min(a.level_funnel) AS level_funnel_min, max(a.level_funnel) AS level_funnel_max, bool_or(a.level_funnel IS NULL) AS level_funnel_null, bool_or(a.level_funnel IS NOT NULL) AS level_funnel_set,
                 min(a.level_funnel_version) AS level_funnel_version_min, max(a.level_funnel_version) AS level_funnel_version_max, bool_or(a.level_funnel_version IS NULL) AS level_funnel_version_null, bool_or(a.level_funnel_version IS NOT NULL) AS level_funnel_version_set,
                 min(a.platform) AS platform_min, max(a.platform) AS platform_max, bool_or(a.platform IS NULL) AS platform_null, bool_or(a.platform IS NOT NULL) AS platform_set,
                 min(a.country_code) AS country_code_min, max(a.country_code) AS country_code_max, bool_or(a.country_code IS NULL) AS country_code_null, bool_or(a.country_code IS NOT NULL) AS country_code_set,
                 min(a.app_version) AS app_version_min, max(a.app_version) AS app_version_max, bool_or(a.app_version IS NULL) AS app_version_null, bool_or(a.app_version IS NOT NULL) AS app_version_set
            FROM lf_activity a
           -- A semi-join, which PostgreSQL hashes on the (few) keys: as a join it sorted every row of
           -- lf_activity for a merge join (1.2 s on a 100x day that had no such key).
           WHERE a.game_id = $1 AND (a.user_id, a.level_id, a.event) IN (
                   SELECT user_id, level_id, event FROM lf_activity
                    WHERE game_id = $1 AND day >= $2::date
                    GROUP BY user_id, level_id, event HAVING min(day) <> max(day))
           GROUP BY a.game_id, a.user_id, a.level_id, a.event, a.day) key_day
  WINDOW key AS (PARTITION BY game_id, user_id, level_id, event ORDER BY day)) up_to_day
 WHERE day >= $2::date;

-- CellSQL.analyzeKeyDays
ANALYZE (SKIP_LOCKED) lf_key_days;

-- CellSQL.varyingDimensions
-- $1 game
SELECT day, coalesce(bit_or(varying), 0) FROM lf_key_days WHERE game_id = $1 GROUP BY day;

-- CellSQL.deleteDays
-- $1 game, $2 the pass's first day, $3 its last day
WITH removed AS (
  DELETE FROM level_cells_daily
   WHERE game_id = $1 AND ctid = ANY (ARRAY(
           SELECT found.ctid
             FROM level_cell_tuples t
             CROSS JOIN LATERAL (SELECT ctid FROM level_cells_daily d
                                  WHERE d.game_id = $1 AND d.tuple_id = t.tuple_id
                                    AND d.date BETWEEN $2::date AND $3::date
                                 OFFSET 0) found
            WHERE t.game_id = $1))
  RETURNING date)
SELECT date, count(*) FROM removed GROUP BY date;

-- CellSQL.rebuildDays(additive: 31)[0]
-- $1 game, $2 31 (the additive dimension bits), $3 the pass's days that have them (date[])
INSERT INTO lf_cells (game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT c.game_id, c.day, c.cell, c.level_funnel, c.level_funnel_version, c.platform, c.country_code, c.app_version, c.level_id,
       c.starts, c.completes, c.fails, c.users_with_boosters, c.fails_with_purchase, c.total_completion_duration, c.completion_count, c.total_fail_duration, c.fail_count,
       coalesce(r.started_new, 0), r.started_after, coalesce(r.completed_new, 0), r.completed_after
  FROM (SELECT game_id, date AS day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           sum(starts) AS starts, sum(completes) AS completes, sum(fails) AS fails, sum(users_with_boosters) AS users_with_boosters, sum(fails_with_purchase) AS fails_with_purchase, sum(total_completion_duration) AS total_completion_duration, sum(completion_count) AS completion_count, sum(total_fail_duration) AS total_fail_duration, sum(fail_count) AS fail_count
      FROM lf_fresh
     WHERE game_id = $1 AND date = ANY ($3::date[])
     GROUP BY game_id, date, level_id, GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())) c
  LEFT JOIN (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           started_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN started_after ELSE lf_recency_add(started_new::integer, started_after, 0, NULL) END AS started_after,
                       completed_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN completed_after ELSE lf_recency_add(completed_new::integer, completed_after, 0, NULL) END AS completed_after
      FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
                   coalesce(sum(players) FILTER (WHERE event = 'level_start' AND gap IS NULL), 0) AS started_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_start') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_start') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_start'), array_agg(players) FILTER (WHERE event = 'level_start')) u(g, n)
          GROUP BY k ORDER BY k) END AS started_after,
coalesce(sum(players) FILTER (WHERE event = 'level_complete' AND gap IS NULL), 0) AS completed_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_complete') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_complete') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_complete'), array_agg(players) FILTER (WHERE event = 'level_complete')) u(g, n)
          GROUP BY k ORDER BY k) END AS completed_after
              FROM (SELECT game_id, day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap, sum(players) AS players
    FROM (SELECT game_id, day, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, day - previous AS gap, count(*) AS players
            FROM lf_key_days
           WHERE game_id = $1 AND varying = 0 AND day = ANY ($3::date[])
           GROUP BY game_id, day, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap) stable
   GROUP BY game_id, day, level_id, event, gap, GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())
  UNION ALL
  SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap, players FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, day - previous AS gap, count(*) AS players
    FROM (SELECT p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version) AS cell, p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version,
                 lag(p.day) OVER (PARTITION BY p.game_id, p.user_id, p.level_id, p.event, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version
                                  ORDER BY p.day) AS previous
            FROM lf_activity p
           WHERE p.game_id = $1 AND (p.user_id, p.level_id, p.event) IN (
                   SELECT user_id, level_id, event FROM (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[])) v)
           GROUP BY p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING SETS ((p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), (p.level_funnel), (p.level_funnel_version), (p.platform), (p.country_code), (p.app_version), ())) keyed
   WHERE (user_id, level_id, event, day) IN (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[]))
   GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap) v) gaps
             GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id) counts
     WHERE cell IN (0, 15, 23, 27, 29, 30, 31)
        OR started_new <> 0 OR 0 <> ANY (started_after) OR completed_new <> 0 OR 0 <> ANY (completed_after)) r
    ON r.day = c.day AND r.cell = c.cell AND r.level_id = c.level_id
   AND ROW(r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version)::text = ROW(c.level_funnel, c.level_funnel_version, c.platform, c.country_code, c.app_version)::text
 WHERE (c.cell = 0 OR ((c.cell & 16 <> 0 OR c.level_funnel IS NOT NULL OR (16 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 8 <> 0 OR c.level_funnel_version IS NOT NULL OR (8 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 4 <> 0 OR c.platform IS NOT NULL OR (4 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 2 <> 0 OR c.country_code IS NOT NULL OR (2 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 1 <> 0 OR c.app_version IS NOT NULL OR (1 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))));

-- CellSQL.rebuildDays(additive: 22)[0]
-- $1 game, $2 22 (the additive dimension bits), $3 the pass's days that have them (date[])
INSERT INTO lf_cells (game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT c.game_id, c.day, c.cell, c.level_funnel, c.level_funnel_version, c.platform, c.country_code, c.app_version, c.level_id,
       c.starts, c.completes, c.fails, c.users_with_boosters, c.fails_with_purchase, c.total_completion_duration, c.completion_count, c.total_fail_duration, c.fail_count,
       coalesce(r.started_new, 0), r.started_after, coalesce(r.completed_new, 0), r.completed_after
  FROM (SELECT game_id, date AS day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           sum(starts) AS starts, sum(completes) AS completes, sum(fails) AS fails, sum(users_with_boosters) AS users_with_boosters, sum(fails_with_purchase) AS fails_with_purchase, sum(total_completion_duration) AS total_completion_duration, sum(completion_count) AS completion_count, sum(total_fail_duration) AS total_fail_duration, sum(fail_count) AS fail_count
      FROM lf_fresh
     WHERE game_id = $1 AND date = ANY ($3::date[])
     GROUP BY game_id, date, level_id, GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())) c
  LEFT JOIN (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           started_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN started_after ELSE lf_recency_add(started_new::integer, started_after, 0, NULL) END AS started_after,
                       completed_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN completed_after ELSE lf_recency_add(completed_new::integer, completed_after, 0, NULL) END AS completed_after
      FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
                   coalesce(sum(players) FILTER (WHERE event = 'level_start' AND gap IS NULL), 0) AS started_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_start') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_start') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_start'), array_agg(players) FILTER (WHERE event = 'level_start')) u(g, n)
          GROUP BY k ORDER BY k) END AS started_after,
coalesce(sum(players) FILTER (WHERE event = 'level_complete' AND gap IS NULL), 0) AS completed_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_complete') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_complete') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_complete'), array_agg(players) FILTER (WHERE event = 'level_complete')) u(g, n)
          GROUP BY k ORDER BY k) END AS completed_after
              FROM (SELECT game_id, day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap, sum(players) AS players
    FROM (SELECT game_id, day, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, day - previous AS gap, count(*) AS players
            FROM lf_key_days
           WHERE game_id = $1 AND varying = 0 AND day = ANY ($3::date[])
           GROUP BY game_id, day, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap) stable
   GROUP BY game_id, day, level_id, event, gap, GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())
  UNION ALL
  SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap, players FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, day - previous AS gap, count(*) AS players
    FROM (SELECT p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version) AS cell, p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version,
                 lag(p.day) OVER (PARTITION BY p.game_id, p.user_id, p.level_id, p.event, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version
                                  ORDER BY p.day) AS previous
            FROM lf_activity p
           WHERE p.game_id = $1 AND (p.user_id, p.level_id, p.event) IN (
                   SELECT user_id, level_id, event FROM (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[])) v)
           GROUP BY p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING SETS ((p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), (p.level_funnel), (p.level_funnel_version), (p.platform), (p.country_code), (p.app_version), ())) keyed
   WHERE (user_id, level_id, event, day) IN (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[]))
   GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap) v) gaps
             GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id) counts
     WHERE cell IN (0, 15, 23, 27, 29, 30, 31)
        OR started_new <> 0 OR 0 <> ANY (started_after) OR completed_new <> 0 OR 0 <> ANY (completed_after)) r
    ON r.day = c.day AND r.cell = c.cell AND r.level_id = c.level_id
   AND ROW(r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version)::text = ROW(c.level_funnel, c.level_funnel_version, c.platform, c.country_code, c.app_version)::text
 WHERE (c.cell = 0 OR ((c.cell & 16 <> 0 OR c.level_funnel IS NOT NULL OR (16 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 8 <> 0 OR c.level_funnel_version IS NOT NULL OR (8 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 4 <> 0 OR c.platform IS NOT NULL OR (4 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 2 <> 0 OR c.country_code IS NOT NULL OR (2 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (c.cell & 1 <> 0 OR c.app_version IS NOT NULL OR (1 & $2::integer <> 0 AND c.cell NOT IN (15, 23, 27, 29, 30, 31)))));

-- CellSQL.rebuildDays(additive: 22)[1]
-- $1 game, $2 22 (the additive dimension bits), $3 the pass's days that have them (date[])
INSERT INTO lf_cells (game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, 0, 0, 0, 0, 0, 0, 0, 0, 0,
       started_new, started_after, completed_new, completed_after
  FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           started_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN started_after ELSE lf_recency_add(started_new::integer, started_after, 0, NULL) END AS started_after,
                       completed_new, CASE WHEN cell IN (0, 15, 23, 27, 29, 30, 31) THEN completed_after ELSE lf_recency_add(completed_new::integer, completed_after, 0, NULL) END AS completed_after
      FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
                   coalesce(sum(players) FILTER (WHERE event = 'level_start' AND gap IS NULL), 0) AS started_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_start') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_start') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_start'), array_agg(players) FILTER (WHERE event = 'level_start')) u(g, n)
          GROUP BY k ORDER BY k) END AS started_after,
coalesce(sum(players) FILTER (WHERE event = 'level_complete' AND gap IS NULL), 0) AS completed_new,
       CASE WHEN max(gap) FILTER (WHERE event = 'level_complete') IS NOT NULL THEN ARRAY(
         SELECT coalesce(sum(n) FILTER (WHERE g IS NULL OR g > k), 0)::integer
           FROM generate_series(0, max(gap) FILTER (WHERE event = 'level_complete') - 1) k,
                unnest(array_agg(gap) FILTER (WHERE event = 'level_complete'), array_agg(players) FILTER (WHERE event = 'level_complete')) u(g, n)
          GROUP BY k ORDER BY k) END AS completed_after
              FROM (SELECT v.game_id, v.day, coalesce(c.cell, v.cell) AS cell,
             CASE WHEN c.cell IS NULL OR c.cell & 16 = 0 THEN v.level_funnel END AS level_funnel, CASE WHEN c.cell IS NULL OR c.cell & 8 = 0 THEN v.level_funnel_version END AS level_funnel_version, CASE WHEN c.cell IS NULL OR c.cell & 4 = 0 THEN v.platform END AS platform, CASE WHEN c.cell IS NULL OR c.cell & 2 = 0 THEN v.country_code END AS country_code, CASE WHEN c.cell IS NULL OR c.cell & 1 = 0 THEN v.app_version END AS app_version,
             v.level_id, v.event, v.gap, CASE WHEN c.cell IS NULL THEN v.players ELSE -v.players END AS players
        FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, day - previous AS gap, count(*) AS players
    FROM (SELECT p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version) AS cell, p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version,
                 lag(p.day) OVER (PARTITION BY p.game_id, p.user_id, p.level_id, p.event, GROUPING(p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version
                                  ORDER BY p.day) AS previous
            FROM lf_activity p
           WHERE p.game_id = $1 AND (p.user_id, p.level_id, p.event) IN (
                   SELECT user_id, level_id, event FROM (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[])) v)
           GROUP BY p.game_id, p.user_id, p.level_id, p.event, p.day, GROUPING SETS ((p.level_funnel, p.level_funnel_version, p.platform, p.country_code, p.app_version), (p.level_funnel, p.level_funnel_version, p.platform, p.country_code), (p.level_funnel, p.platform, p.country_code, p.app_version), (p.level_funnel, p.platform, p.country_code))) keyed
   WHERE (user_id, level_id, event, day) IN (SELECT user_id, level_id, event, day FROM lf_key_days WHERE game_id = $1 AND varying <> 0 AND day = ANY ($3::date[]))
   GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap) v
        JOIN (VALUES (NULL::integer), (1), (8), (9)) c(cell)
          ON CASE WHEN c.cell IS NULL THEN v.cell <> 0 ELSE v.cell = 0 END) gaps
             GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id) counts
     WHERE cell IN (0, 15, 23, 27, 29, 30, 31)
        OR started_new <> 0 OR 0 <> ANY (started_after) OR completed_new <> 0 OR 0 <> ANY (completed_after)) r
 WHERE (cell = 0 OR ((cell & 16 <> 0 OR level_funnel IS NOT NULL OR (16 & $2::integer <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 8 <> 0 OR level_funnel_version IS NOT NULL OR (8 & $2::integer <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 4 <> 0 OR platform IS NOT NULL OR (4 & $2::integer <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 2 <> 0 OR country_code IS NOT NULL OR (2 & $2::integer <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 1 <> 0 OR app_version IS NOT NULL OR (1 & $2::integer <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))));

-- CellSQL.analyzeCells
ANALYZE (SKIP_LOCKED) lf_cells;

-- CellSQL.addTuples
-- $1 game
INSERT INTO level_cell_tuples (game_id, tuple_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version) OVERRIDING SYSTEM VALUE
SELECT game_id, coalesce((SELECT max(tuple_id) FROM level_cell_tuples WHERE game_id = $1), 0) + row_number() OVER (),
       cell, level_funnel, level_funnel_version, platform, country_code, app_version
  FROM (SELECT DISTINCT game_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version FROM lf_cells WHERE game_id = $1) c
ON CONFLICT ON CONSTRAINT level_cell_tuples_key DO NOTHING;

-- CellSQL.writeRows
-- $1 game
INSERT INTO level_cells_daily (game_id, tuple_id, date, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT t.game_id, t.tuple_id, c.day, c.level_id, c.starts, c.completes, c.fails, c.users_with_boosters, c.fails_with_purchase, c.total_completion_duration, c.completion_count, c.total_fail_duration, c.fail_count, c.started_new, c.started_after, c.completed_new, c.completed_after
  FROM lf_cells c
  JOIN level_cell_tuples t
    ON t.game_id = $1 AND t.cell = c.cell
   AND ROW(t.level_funnel, t.level_funnel_version, t.platform, t.country_code, t.app_version)::text = ROW(c.level_funnel, c.level_funnel_version, c.platform, c.country_code, c.app_version)::text
 WHERE c.game_id = $1 AND t.game_id = $1
 ORDER BY t.tuple_id, c.day, c.level_id;

-- CellSQL.rowsPerDay
-- $1 game
SELECT day, count(*) FROM lf_cells WHERE game_id = $1 GROUP BY day;

-- DailyAggregation.changedDaysSQL
-- $1 game, $2 the pass's days (date[]), $3 their additive bits, $4 level events, $5 fingerprints, $6 activity fingerprints (arrays in the same order)
WITH pass AS (SELECT * FROM unnest($2::date[], $3::integer[], $4::bigint[], $5::text[], $6::text[])
                AS d(date, additive, events, fingerprint, activity))
SELECT pass.date
  FROM pass LEFT JOIN aggregated_days a ON a.game_id = $1::text AND a.date = pass.date
 WHERE CASE WHEN a.date IS NULL THEN pass.activity <> '0:0'
            ELSE pass.activity IS DISTINCT FROM a.activity_fingerprint END;

-- DailyAggregation.recordDaysSQL
-- the same as changedDaysSQL
INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, stale, additive,
                             activity_fingerprint)
VALUES ($1::text, unnest($2::date[]), now(), unnest($4::bigint[]), unnest($5::text[]), false, unnest($3::integer[]),
        unnest($6::text[]))
ON CONFLICT (game_id, date) DO UPDATE
   SET aggregated_at = excluded.aggregated_at, level_events = excluded.level_events,
       events_fingerprint = excluded.events_fingerprint, stale = false, additive = excluded.additive,
       activity_fingerprint = excluded.activity_fingerprint;

-- DailyAggregation.consumeChangesSQL
-- $1 game, $2 the pass's days (date[])
DELETE FROM event_changes WHERE game_id = $1 AND day = ANY ($2::date[]);

-- DailyAggregation.markLaterDaysStaleSQL (when a day's activity changed)
-- $1 game, $2 the pass's last day
UPDATE aggregated_days SET stale = true
 WHERE game_id = $1 AND date > $2::date AND level_events > 0 AND NOT stale;

-- WorkingTables.clear(WorkingTables.pass)[0] (before the pass commits)
-- $1 game
DELETE FROM lf_fresh WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.pass)[1] (before the pass commits)
-- $1 game
DELETE FROM lf_activity WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.pass)[2] (before the pass commits)
-- $1 game
DELETE FROM lf_key_days WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.pass)[3] (before the pass commits)
-- $1 game
DELETE FROM lf_cells WHERE game_id = $1;
