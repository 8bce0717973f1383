-- docs/sql/refresh.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The daily job's own statements (RefreshSQL): which days need work, the fingerprint check, the watermark,
-- the aggregation status. The work itself is deltas.sql, then aggregation-pass.sql.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- RefreshSQL.daysNeedingWork
-- $1 game, $2..$3 its history
SELECT d::date FROM generate_series($2::date, $3::date, interval '1 day') d
 WHERE NOT EXISTS (SELECT 1 FROM aggregated_days a WHERE a.game_id = $1 AND a.date = d::date AND NOT a.stale)
UNION
SELECT DISTINCT day FROM event_changes WHERE game_id = $1;

-- RefreshSQL.changedFingerprints
-- $1 game, $2 first day, $3 last day (dates)
SELECT a.date
  FROM aggregated_days a
  LEFT JOIN (SELECT day, count(*)::text || ':' || coalesce(sum(id), 0)::text AS print
               FROM level_events
              WHERE game_id = $1
AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'
AND occurred_at <  ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
              GROUP BY day) f ON f.day = a.date
 WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
   AND a.events_fingerprint <> coalesce(f.print, '0:0');

-- RefreshSQL.saveWatermark
-- $1 game, $2 epoch seconds
INSERT INTO refresh_watermarks (game_id, received_through) VALUES ($1, to_timestamp($2::float8))
ON CONFLICT (game_id) DO UPDATE SET received_through = excluded.received_through;

-- RefreshSQL.status
-- $1 game, $2..$3 its history
SELECT count(*) FILTER (WHERE date BETWEEN $2::date AND $3::date),
       extract(epoch FROM max(aggregated_at))::float8,
       count(*) FILTER (WHERE stale AND date BETWEEN $2::date AND $3::date)
  FROM aggregated_days WHERE game_id = $1;
