-- docs/sql/deltas.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- Applying a game's pending changes as deltas (DeltaApply.apply), in one REPEATABLE READ transaction, in the
-- order the statements run. With nothing pending only the first one runs.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- DeltaSQL.pendingCount
-- $1 game
SELECT count(*) FROM event_changes WHERE game_id = $1;

-- DailyAggregation.sessionSettings
SELECT set_config('jit', 'off', true), set_config('work_mem', '256MB', true),
       set_config('default_statistics_target', '10', true);

-- DeltaSQL.fillChangedRows[0]
-- $1 game
INSERT INTO lf_touched (game_id, id, first_added, first_change) SELECT * FROM (SELECT DISTINCT ON (id) game_id, id, added AS first_added, change_id AS first_change
  FROM (SELECT c.game_id, c.change_id, c.statement, u.id, true AS added
          FROM event_changes c CROSS JOIN LATERAL unnest(c.inserted) u(id) WHERE c.game_id = $1
        UNION ALL
        SELECT c.game_id, c.change_id, c.statement, u.id, false
          FROM event_changes c CROSS JOIN LATERAL unnest(c.removed) u(id) WHERE c.game_id = $1) x
 ORDER BY id, coalesce(statement, change_id), added) touched;

-- DeltaSQL.fillChangedRows[1]
-- $1 game
INSERT INTO lf_delta_rows (game_id, sign, id, user_id, level_id, event_name, day, level_funnel, level_funnel_version, platform, country_code, app_version, is_booster, is_egp, duration)
SELECT game_id, sign, id, user_id, level_id, event_name, day, level_funnel, level_funnel_version, platform, country_code, app_version, is_booster, is_egp, duration FROM (SELECT 1 AS sign, game_id, id, user_id, level_id, event_name, day, level_funnel, level_funnel_version, platform, country_code, app_version, is_booster, is_egp, duration
  FROM level_events
 WHERE id = ANY (ARRAY(SELECT id FROM lf_touched WHERE game_id = $1)) AND game_id = $1
UNION ALL
SELECT -1, r.game_id, r.id, r.user_id, r.level_id, r.event_name, r.day, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version, r.is_booster, r.is_egp, r.duration
  FROM level_event_removals r
  JOIN lf_touched t ON t.game_id = $1 AND t.id = r.id AND t.first_change = r.change_id AND NOT t.first_added
 WHERE r.game_id = $1) changed;

-- DeltaSQL.changedRowCount
-- $1 game
SELECT count(*) FROM lf_delta_rows WHERE game_id = $1;

-- DeltaSQL.fillActivity
-- $1 game
INSERT INTO lf_delta_activity (game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day, n_after, n_before)
SELECT game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day, sum(n_now), sum(n_now) + sum(n_changed)
  FROM (SELECT k.game_id, k.user_id, k.level_id, k.event, e.level_funnel, e.level_funnel_version, e.platform, e.country_code, e.app_version, e.day,
               count(*) AS n_now, 0 AS n_changed
          FROM (SELECT DISTINCT game_id, user_id, level_id, event_name AS event FROM lf_delta_rows
                 WHERE game_id = $1 AND event_name IN ('level_start', 'level_complete')
                 ORDER BY user_id, level_id, event) k
          CROSS JOIN LATERAL (
            SELECT level_funnel, level_funnel_version, platform, country_code, app_version, day FROM level_events
             WHERE game_id = $1 AND user_id = k.user_id AND level_id = k.level_id AND event_name = k.event
               AND event_name IN ('level_start', 'level_complete')
            OFFSET 0) e
         GROUP BY k.game_id, k.user_id, k.level_id, k.event, e.level_funnel, e.level_funnel_version, e.platform, e.country_code, e.app_version, e.day
        UNION ALL
        SELECT game_id, user_id, level_id, event_name, level_funnel, level_funnel_version, platform, country_code, app_version, day, 0, sum(-sign)
          FROM lf_delta_rows WHERE game_id = $1 AND event_name IN ('level_start', 'level_complete')
         GROUP BY game_id, user_id, level_id, event_name, level_funnel, level_funnel_version, platform, country_code, app_version, day) counts
 GROUP BY game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day;

-- DeltaSQL.analyzeActivity
ANALYZE (SKIP_LOCKED) lf_delta_rows, lf_delta_activity;

-- DeltaSQL.fillDays
-- $1 game
INSERT INTO lf_delta_days (game_id, day, additive, rebuild)
SELECT a.game_id, a.date, a.additive,
       a.activity_fingerprint IS NULL
       OR coalesce(bool_or(p.after & a.additive <> 0 OR p.before & ~p.after <> 0), false)
  FROM aggregated_days a
  JOIN (SELECT day FROM lf_delta_rows WHERE game_id = $1
        UNION
        SELECT day FROM lf_delta_activity
         WHERE game_id = $1 AND day >= (SELECT min(day) FROM lf_delta_rows WHERE game_id = $1)) reached
    ON reached.day = a.date
  LEFT JOIN (SELECT day, coalesce(a.bits, 0) AS after, coalesce(b.bits, 0) AS before
               FROM (SELECT game_id, user_id, level_id, event, day, CASE WHEN level_funnel_min <> level_funnel_max OR (level_funnel_null AND level_funnel_set) THEN 16 ELSE 0 END
             | CASE WHEN level_funnel_version_min <> level_funnel_version_max OR (level_funnel_version_null AND level_funnel_version_set) THEN 8 ELSE 0 END
             | CASE WHEN platform_min <> platform_max OR (platform_null AND platform_set) THEN 4 ELSE 0 END
             | CASE WHEN country_code_min <> country_code_max OR (country_code_null AND country_code_set) THEN 2 ELSE 0 END
             | CASE WHEN app_version_min <> app_version_max OR (app_version_null AND app_version_set) THEN 1 ELSE 0 END AS bits
          FROM (SELECT k.game_id, k.user_id, k.level_id, k.event, k.day, min(r.level_funnel) AS level_funnel_min, max(r.level_funnel) AS level_funnel_max, bool_or(r.level_funnel IS NULL) AS level_funnel_null, bool_or(r.level_funnel IS NOT NULL) AS level_funnel_set,
                 min(r.level_funnel_version) AS level_funnel_version_min, max(r.level_funnel_version) AS level_funnel_version_max, bool_or(r.level_funnel_version IS NULL) AS level_funnel_version_null, bool_or(r.level_funnel_version IS NOT NULL) AS level_funnel_version_set,
                 min(r.platform) AS platform_min, max(r.platform) AS platform_max, bool_or(r.platform IS NULL) AS platform_null, bool_or(r.platform IS NOT NULL) AS platform_set,
                 min(r.country_code) AS country_code_min, max(r.country_code) AS country_code_max, bool_or(r.country_code IS NULL) AS country_code_null, bool_or(r.country_code IS NOT NULL) AS country_code_set,
                 min(r.app_version) AS app_version_min, max(r.app_version) AS app_version_max, bool_or(r.app_version IS NULL) AS app_version_null, bool_or(r.app_version IS NOT NULL) AS app_version_set
                  FROM (SELECT DISTINCT game_id, user_id, level_id, event, day FROM lf_delta_activity d WHERE d.game_id = $1 AND d.n_after > 0) k
                  JOIN lf_delta_activity r ON r.game_id = k.game_id AND r.user_id = k.user_id AND r.level_id = k.level_id
                                          AND r.event = k.event AND r.day <= k.day AND r.game_id = $1 AND r.n_after > 0
                 GROUP BY k.game_id, k.user_id, k.level_id, k.event, k.day) summaries) a
               FULL JOIN (SELECT game_id, user_id, level_id, event, day, CASE WHEN level_funnel_min <> level_funnel_max OR (level_funnel_null AND level_funnel_set) THEN 16 ELSE 0 END
             | CASE WHEN level_funnel_version_min <> level_funnel_version_max OR (level_funnel_version_null AND level_funnel_version_set) THEN 8 ELSE 0 END
             | CASE WHEN platform_min <> platform_max OR (platform_null AND platform_set) THEN 4 ELSE 0 END
             | CASE WHEN country_code_min <> country_code_max OR (country_code_null AND country_code_set) THEN 2 ELSE 0 END
             | CASE WHEN app_version_min <> app_version_max OR (app_version_null AND app_version_set) THEN 1 ELSE 0 END AS bits
          FROM (SELECT k.game_id, k.user_id, k.level_id, k.event, k.day, min(r.level_funnel) AS level_funnel_min, max(r.level_funnel) AS level_funnel_max, bool_or(r.level_funnel IS NULL) AS level_funnel_null, bool_or(r.level_funnel IS NOT NULL) AS level_funnel_set,
                 min(r.level_funnel_version) AS level_funnel_version_min, max(r.level_funnel_version) AS level_funnel_version_max, bool_or(r.level_funnel_version IS NULL) AS level_funnel_version_null, bool_or(r.level_funnel_version IS NOT NULL) AS level_funnel_version_set,
                 min(r.platform) AS platform_min, max(r.platform) AS platform_max, bool_or(r.platform IS NULL) AS platform_null, bool_or(r.platform IS NOT NULL) AS platform_set,
                 min(r.country_code) AS country_code_min, max(r.country_code) AS country_code_max, bool_or(r.country_code IS NULL) AS country_code_null, bool_or(r.country_code IS NOT NULL) AS country_code_set,
                 min(r.app_version) AS app_version_min, max(r.app_version) AS app_version_max, bool_or(r.app_version IS NULL) AS app_version_null, bool_or(r.app_version IS NOT NULL) AS app_version_set
                  FROM (SELECT DISTINCT game_id, user_id, level_id, event, day FROM lf_delta_activity d WHERE d.game_id = $1 AND d.n_before > 0) k
                  JOIN lf_delta_activity r ON r.game_id = k.game_id AND r.user_id = k.user_id AND r.level_id = k.level_id
                                          AND r.event = k.event AND r.day <= k.day AND r.game_id = $1 AND r.n_before > 0
                 GROUP BY k.game_id, k.user_id, k.level_id, k.event, k.day) summaries) b USING (game_id, user_id, level_id, event, day)) p
    ON p.day = a.date
 WHERE a.game_id = $1 AND NOT a.stale
 GROUP BY a.game_id, a.date, a.additive, a.activity_fingerprint;

-- DeltaSQL.analyzeDays
ANALYZE (SKIP_LOCKED) lf_delta_days;

-- DeltaSQL.fillCells
-- $1 game
INSERT INTO lf_cells (game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after
  FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id,
           coalesce(sum(starts), 0) AS starts, coalesce(sum(completes), 0) AS completes, coalesce(sum(fails), 0) AS fails, coalesce(sum(users_with_boosters), 0) AS users_with_boosters, coalesce(sum(fails_with_purchase), 0) AS fails_with_purchase, coalesce(sum(total_completion_duration), 0) AS total_completion_duration, coalesce(sum(completion_count), 0) AS completion_count, coalesce(sum(total_fail_duration), 0) AS total_fail_duration, coalesce(sum(fail_count), 0) AS fail_count,
           coalesce(sum(started_new), 0) AS started_new, max(started_after) AS started_after, coalesce(sum(completed_new), 0) AS completed_new, max(completed_after) AS completed_after
      FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count,
                   NULL::integer AS started_new, NULL::integer[] AS started_after, NULL::integer AS completed_new, NULL::integer[] AS completed_after
              FROM (SELECT * FROM (
          SELECT game_id, day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, additive,
                 sum(sign * starts) AS starts, sum(sign * completes) AS completes, sum(sign * fails) AS fails, sum(sign * users_with_boosters) AS users_with_boosters, sum(sign * fails_with_purchase) AS fails_with_purchase, sum(sign * total_completion_duration) AS total_completion_duration, sum(sign * completion_count) AS completion_count, sum(sign * total_fail_duration) AS total_fail_duration, sum(sign * fail_count) AS fail_count
            FROM (SELECT r.game_id, r.day, r.sign, r.level_id, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version, d.additive,
                         count(*) FILTER (WHERE event_name = 'level_start') AS starts,
                                 count(*) FILTER (WHERE event_name = 'level_complete') AS completes,
                                 count(*) FILTER (WHERE event_name = 'level_failed') AS fails,
                                 count(*) FILTER (WHERE is_booster) AS users_with_boosters,
                                 count(*) FILTER (WHERE is_egp) AS fails_with_purchase,
                                 coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0) AS total_completion_duration,
                                 count(duration) FILTER (WHERE event_name = 'level_complete') AS completion_count,
                                 coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0) AS total_fail_duration,
                                 count(duration) FILTER (WHERE event_name = 'level_failed') AS fail_count
                    FROM lf_delta_rows r
                    JOIN lf_delta_days d ON d.game_id = $1 AND d.day = r.day AND NOT d.rebuild
                   WHERE r.game_id = $1
                   GROUP BY r.game_id, r.day, r.sign, r.level_id, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version, d.additive) signed
           GROUP BY game_id, day, level_id, additive, GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())) c
         WHERE (cell = 0 OR ((cell & 16 <> 0 OR level_funnel IS NOT NULL OR (16 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 8 <> 0 OR level_funnel_version IS NOT NULL OR (8 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 4 <> 0 OR platform IS NOT NULL OR (4 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 2 <> 0 OR country_code IS NOT NULL OR (2 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 1 <> 0 OR app_version IS NOT NULL OR (1 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))))
           AND (starts <> 0 OR completes <> 0 OR fails <> 0 OR users_with_boosters <> 0 OR fails_with_purchase <> 0 OR total_completion_duration <> 0 OR completion_count <> 0 OR total_fail_duration <> 0 OR fail_count <> 0)) counted
            UNION ALL
            SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, NULL AS starts, NULL AS completes, NULL AS fails, NULL AS users_with_boosters, NULL AS fails_with_purchase, NULL AS total_completion_duration, NULL AS completion_count, NULL AS total_fail_duration, NULL AS fail_count,
                   started_new, started_after, completed_new, completed_after
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
                FROM (SELECT game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap, sum(players) AS players
  FROM (SELECT kd.game_id, kd.day, coalesce(c.cell, kd.cell) AS cell,
               CASE WHEN c.cell IS NULL OR c.cell & 16 = 0 THEN kd.level_funnel END AS level_funnel, CASE WHEN c.cell IS NULL OR c.cell & 8 = 0 THEN kd.level_funnel_version END AS level_funnel_version, CASE WHEN c.cell IS NULL OR c.cell & 4 = 0 THEN kd.platform END AS platform, CASE WHEN c.cell IS NULL OR c.cell & 2 = 0 THEN kd.country_code END AS country_code, CASE WHEN c.cell IS NULL OR c.cell & 1 = 0 THEN kd.app_version END AS app_version,
               kd.level_id, kd.event, kd.day - kd.previous AS gap,
               CASE WHEN (kd.s = 'a') = (c.cell IS NULL) THEN 1 ELSE -1 END AS players, d.additive
          FROM (SELECT s, multi, game_id, user_id, level_id, event, day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version,
               lag(day) OVER (PARTITION BY s, game_id, user_id, level_id, event, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version), level_funnel, level_funnel_version, platform, country_code, app_version ORDER BY day) AS previous
          FROM (SELECT x.*, m.user_id IS NOT NULL AS multi
          FROM (SELECT 'a' AS s, game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day FROM lf_delta_activity a WHERE a.game_id = $1 AND a.n_after > 0
                UNION ALL
                SELECT 'b', game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day FROM lf_delta_activity b WHERE b.game_id = $1 AND b.n_before > 0) x
          LEFT JOIN (SELECT game_id, user_id, level_id, event FROM lf_delta_activity
                      WHERE game_id = $1 AND (n_after > 0 OR n_before > 0)
                      GROUP BY game_id, user_id, level_id, event HAVING count(DISTINCT ROW(level_funnel, level_funnel_version, platform, country_code, app_version)::text) > 1) m
            ON m.game_id = x.game_id AND m.user_id = x.user_id AND m.level_id = x.level_id AND m.event = x.event) state_rows
         GROUP BY s, multi, game_id, user_id, level_id, event, day,
                  GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code, app_version), (level_funnel), (level_funnel_version), (platform), (country_code), (app_version), ())
        UNION ALL
        SELECT s, multi, game_id, user_id, level_id, event, day, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version) AS cell, level_funnel, level_funnel_version, platform, country_code, app_version,
               lag(day) OVER (PARTITION BY s, game_id, user_id, level_id, event, GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version), level_funnel, level_funnel_version, platform, country_code, app_version ORDER BY day) AS previous
          FROM (SELECT x.*, m.user_id IS NOT NULL AS multi
          FROM (SELECT 'a' AS s, game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day FROM lf_delta_activity a WHERE a.game_id = $1 AND a.n_after > 0
                UNION ALL
                SELECT 'b', game_id, user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version, day FROM lf_delta_activity b WHERE b.game_id = $1 AND b.n_before > 0) x
          LEFT JOIN (SELECT game_id, user_id, level_id, event FROM lf_delta_activity
                      WHERE game_id = $1 AND (n_after > 0 OR n_before > 0)
                      GROUP BY game_id, user_id, level_id, event HAVING count(DISTINCT ROW(level_funnel, level_funnel_version, platform, country_code, app_version)::text) > 1) m
            ON m.game_id = x.game_id AND m.user_id = x.user_id AND m.level_id = x.level_id AND m.event = x.event) state_rows
         WHERE multi
         GROUP BY s, multi, game_id, user_id, level_id, event, day,
                  GROUPING SETS ((level_funnel, level_funnel_version, platform, country_code), (level_funnel, level_funnel_version, platform, app_version), (level_funnel, level_funnel_version, platform), (level_funnel, level_funnel_version, country_code, app_version), (level_funnel, level_funnel_version, country_code), (level_funnel, level_funnel_version, app_version), (level_funnel, level_funnel_version), (level_funnel, platform, country_code, app_version), (level_funnel, platform, country_code), (level_funnel, platform, app_version), (level_funnel, platform), (level_funnel, country_code, app_version), (level_funnel, country_code), (level_funnel, app_version), (level_funnel_version, platform, country_code, app_version), (level_funnel_version, platform, country_code), (level_funnel_version, platform, app_version), (level_funnel_version, platform), (level_funnel_version, country_code, app_version), (level_funnel_version, country_code), (level_funnel_version, app_version), (platform, country_code, app_version), (platform, country_code), (platform, app_version), (country_code, app_version))) kd
          JOIN lf_delta_days d ON d.game_id = $1 AND d.day = kd.day AND NOT d.rebuild
          JOIN (VALUES (NULL::integer), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (16), (17), (18), (19), (20), (21), (22), (24), (25), (26), (28)) c(cell)
            ON CASE WHEN c.cell IS NULL THEN kd.cell IN (0, 15, 23, 27, 29, 30, 31) OR kd.cell & d.additive = 0
                    ELSE kd.cell = 0 AND kd.multi AND c.cell & d.additive = 0 END) contributions
 WHERE (cell = 0 OR ((cell & 16 <> 0 OR level_funnel IS NOT NULL OR (16 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 8 <> 0 OR level_funnel_version IS NOT NULL OR (8 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 4 <> 0 OR platform IS NOT NULL OR (4 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 2 <> 0 OR country_code IS NOT NULL OR (2 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))
     AND (cell & 1 <> 0 OR app_version IS NOT NULL OR (1 & additive <> 0 AND cell NOT IN (15, 23, 27, 29, 30, 31)))))
 GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id, event, gap
HAVING sum(players) <> 0) gaps
               GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id) recency) sides
     GROUP BY game_id, day, cell, level_funnel, level_funnel_version, platform, country_code, app_version, level_id) merged;

-- CellSQL.analyzeCells
ANALYZE (SKIP_LOCKED) lf_cells;

-- CellSQL.addTuples
-- $1 game
INSERT INTO level_cell_tuples (game_id, tuple_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version) OVERRIDING SYSTEM VALUE
SELECT game_id, coalesce((SELECT max(tuple_id) FROM level_cell_tuples WHERE game_id = $1), 0) + row_number() OVER (),
       cell, level_funnel, level_funnel_version, platform, country_code, app_version
  FROM (SELECT DISTINCT game_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version FROM lf_cells WHERE game_id = $1) c
ON CONFLICT ON CONSTRAINT level_cell_tuples_key DO NOTHING;

-- DeltaSQL.fillNextRows
-- $1 game
INSERT INTO lf_delta_next (game_id, tuple_id, day, level_id, existed, kept, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT game_id, tuple_id, day, level_id, existed,
       CASE WHEN full_cell THEN starts + completes + fails > 0
            ELSE started_new <> 0 OR started_after IS NOT NULL OR completed_new <> 0 OR completed_after IS NOT NULL END,
       starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after
  FROM (SELECT t.game_id, t.tuple_id, d.day, d.level_id, r.tuple_id IS NOT NULL AS existed,
               coalesce(r.starts, 0) + d.starts AS starts,
                       coalesce(r.completes, 0) + d.completes AS completes,
                       coalesce(r.fails, 0) + d.fails AS fails,
                       coalesce(r.users_with_boosters, 0) + d.users_with_boosters AS users_with_boosters,
                       coalesce(r.fails_with_purchase, 0) + d.fails_with_purchase AS fails_with_purchase,
                       coalesce(r.total_completion_duration, 0) + d.total_completion_duration AS total_completion_duration,
                       coalesce(r.completion_count, 0) + d.completion_count AS completion_count,
                       coalesce(r.total_fail_duration, 0) + d.total_fail_duration AS total_fail_duration,
                       coalesce(r.fail_count, 0) + d.fail_count AS fail_count,
               coalesce(r.started_new, 0) + d.started_new AS started_new, lf_recency_add(coalesce(r.started_new, 0), r.started_after, d.started_new, d.started_after) AS started_after,
                       coalesce(r.completed_new, 0) + d.completed_new AS completed_new, lf_recency_add(coalesce(r.completed_new, 0), r.completed_after, d.completed_new, d.completed_after) AS completed_after,
               d.cell IN (0, 15, 23, 27, 29, 30, 31) AS full_cell
          FROM lf_cells d
          JOIN level_cell_tuples t
            ON t.game_id = $1 AND t.cell = d.cell
           AND ROW(t.level_funnel, t.level_funnel_version, t.platform, t.country_code, t.app_version)::text = ROW(d.level_funnel, d.level_funnel_version, d.platform, d.country_code, d.app_version)::text
          LEFT JOIN level_cells_daily r
            ON r.game_id = $1 AND r.tuple_id = t.tuple_id AND r.date = d.day AND r.level_id = d.level_id
         WHERE d.game_id = $1) next;

-- DeltaSQL.writeCells[0]
-- $1 game
DELETE FROM level_cells_daily r USING lf_delta_next j
 WHERE r.game_id = $1 AND j.game_id = $1 AND j.existed AND NOT j.kept
   AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id;

-- DeltaSQL.writeCells[1]
-- $1 game
UPDATE level_cells_daily r
   SET starts = j.starts, completes = j.completes, fails = j.fails, users_with_boosters = j.users_with_boosters, fails_with_purchase = j.fails_with_purchase, total_completion_duration = j.total_completion_duration, completion_count = j.completion_count, total_fail_duration = j.total_fail_duration, fail_count = j.fail_count, started_new = j.started_new, started_after = j.started_after, completed_new = j.completed_new, completed_after = j.completed_after
  FROM lf_delta_next j
 WHERE r.game_id = $1 AND j.game_id = $1 AND j.existed AND j.kept
   AND r.tuple_id = j.tuple_id AND r.date = j.day AND r.level_id = j.level_id;

-- DeltaSQL.writeCells[2]
-- $1 game
INSERT INTO level_cells_daily (game_id, tuple_id, date, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after)
SELECT game_id, tuple_id, day, level_id, starts, completes, fails, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count, total_fail_duration, fail_count, started_new, started_after, completed_new, completed_after
  FROM lf_delta_next WHERE game_id = $1 AND NOT existed AND kept;

-- DeltaSQL.recordDays
-- $1 game
UPDATE aggregated_days a
   SET level_events = a.level_events + coalesce(e.events, 0),
       events_fingerprint = (split_part(a.events_fingerprint, ':', 1)::numeric + coalesce(e.events, 0))::text
                            || ':' || (split_part(a.events_fingerprint, ':', 2)::numeric + coalesce(e.ids, 0))::text,
       activity_fingerprint = (split_part(a.activity_fingerprint, ':', 1)::numeric + coalesce(k.keys, 0))::text
                            || ':' || (split_part(a.activity_fingerprint, ':', 2)::numeric + coalesce(k.hashes, 0))::text,
       stale = d.rebuild
  FROM lf_delta_days d
  LEFT JOIN (SELECT day, sum(sign) AS events, sum(sign * id) AS ids FROM lf_delta_rows WHERE game_id = $1 GROUP BY day) e
    ON e.day = d.day
  LEFT JOIN (SELECT day, sum(present) AS keys, sum(present * hash) AS hashes
               FROM (SELECT day, (n_after > 0)::integer - (n_before > 0)::integer AS present,
                            hashtextextended(ROW(user_id, level_id, event, level_funnel, level_funnel_version, platform, country_code, app_version)::text, 0)::numeric AS hash
                       FROM lf_delta_activity WHERE game_id = $1) keys
              WHERE present <> 0 GROUP BY day) k
    ON k.day = d.day
  LEFT JOIN (SELECT DISTINCT day FROM lf_cells WHERE game_id = $1) c ON c.day = d.day
 WHERE a.game_id = $1 AND d.game_id = $1 AND a.date = d.day
   -- Only days something changed on: a day reached whose counts stay is not rewritten.
   AND (d.rebuild OR e.day IS NOT NULL OR k.day IS NOT NULL OR c.day IS NOT NULL)
RETURNING a.stale;

-- DeltaSQL.consume[0]
-- $1 game
DELETE FROM event_changes WHERE game_id = $1;

-- DeltaSQL.consume[1]
-- $1 game
DELETE FROM event_removals WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[0] (before the apply commits)
-- $1 game
DELETE FROM lf_touched WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[1] (before the apply commits)
-- $1 game
DELETE FROM lf_delta_rows WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[2] (before the apply commits)
-- $1 game
DELETE FROM lf_delta_activity WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[3] (before the apply commits)
-- $1 game
DELETE FROM lf_delta_days WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[4] (before the apply commits)
-- $1 game
DELETE FROM lf_cells WHERE game_id = $1;

-- WorkingTables.clear(WorkingTables.deltas)[5] (before the apply commits)
-- $1 game
DELETE FROM lf_delta_next WHERE game_id = $1;
