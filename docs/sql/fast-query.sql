-- docs/sql/fast-query.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The fast path's read of the aggregates (FastFunnel.counts: CellSQL.funnelQuery(filterClause:)), rendered with
-- no filter and one filter (a coarse cell, read alone) and with two filters (cell 0's matching tuples plus the
-- corrections of the cell that also pins the day's additive dimensions). A fast answer first asks for the
-- range's day states (live-tail.sql), and adds pending changes (pending-changes.sql) and live days.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- CellSQL.funnelQuery(filterClause:), no filter
-- $1 game, $2 first day, $3 last day (dates), $4 the cell the filters pin (31), $5 whether it is coarse (true)
SELECT r.level_id,
       sum(r.starts) AS starts,
       sum(r.completes) AS completes,
       sum(r.fails) AS fails,
       sum(coalesce(r.started_after[r.date - $2::date + 1], r.started_new)) AS started_players,
       sum(coalesce(r.completed_after[r.date - $2::date + 1], r.completed_new)) AS completed_players,
       sum(r.users_with_boosters) AS users_with_boosters,
       sum(r.fails_with_purchase) AS fails_with_purchase,
       sum(r.total_completion_duration) AS total_completion_duration,
       sum(r.completion_count) AS completion_count,
       sum(r.total_fail_duration) AS total_fail_duration,
       sum(r.fail_count) AS fail_count
  FROM aggregated_days a
  JOIN level_cell_tuples t
    ON t.game_id = a.game_id
   AND t.cell = ANY (CASE WHEN $5::boolean THEN ARRAY[$4::integer]
                          ELSE ARRAY[0, $4::integer & ~a.additive] END)
  JOIN level_cells_daily r ON r.game_id = t.game_id AND r.tuple_id = t.tuple_id AND r.date = a.date
 WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
 GROUP BY r.level_id
 ORDER BY r.level_id;

-- CellSQL.funnelQuery(filterClause:), platform
-- $1 game, $2 first day, $3 last day (dates), $4 the cell the filters pin (27), $5 whether it is coarse (true), $6 platform
SELECT r.level_id,
       sum(r.starts) AS starts,
       sum(r.completes) AS completes,
       sum(r.fails) AS fails,
       sum(coalesce(r.started_after[r.date - $2::date + 1], r.started_new)) AS started_players,
       sum(coalesce(r.completed_after[r.date - $2::date + 1], r.completed_new)) AS completed_players,
       sum(r.users_with_boosters) AS users_with_boosters,
       sum(r.fails_with_purchase) AS fails_with_purchase,
       sum(r.total_completion_duration) AS total_completion_duration,
       sum(r.completion_count) AS completion_count,
       sum(r.total_fail_duration) AS total_fail_duration,
       sum(r.fail_count) AS fail_count
  FROM aggregated_days a
  JOIN level_cell_tuples t
    ON t.game_id = a.game_id
   AND t.cell = ANY (CASE WHEN $5::boolean THEN ARRAY[$4::integer]
                          ELSE ARRAY[0, $4::integer & ~a.additive] END)
 AND platform = $6::text
  JOIN level_cells_daily r ON r.game_id = t.game_id AND r.tuple_id = t.tuple_id AND r.date = a.date
 WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
 GROUP BY r.level_id
 ORDER BY r.level_id;

-- CellSQL.funnelQuery(filterClause:), platform and country
-- $1 game, $2 first day, $3 last day (dates), $4 the cell the filters pin (25), $5 whether it is coarse (false), $6 platform, $7 country
SELECT r.level_id,
       sum(r.starts) AS starts,
       sum(r.completes) AS completes,
       sum(r.fails) AS fails,
       sum(coalesce(r.started_after[r.date - $2::date + 1], r.started_new)) AS started_players,
       sum(coalesce(r.completed_after[r.date - $2::date + 1], r.completed_new)) AS completed_players,
       sum(r.users_with_boosters) AS users_with_boosters,
       sum(r.fails_with_purchase) AS fails_with_purchase,
       sum(r.total_completion_duration) AS total_completion_duration,
       sum(r.completion_count) AS completion_count,
       sum(r.total_fail_duration) AS total_fail_duration,
       sum(r.fail_count) AS fail_count
  FROM aggregated_days a
  JOIN level_cell_tuples t
    ON t.game_id = a.game_id
   AND t.cell = ANY (CASE WHEN $5::boolean THEN ARRAY[$4::integer]
                          ELSE ARRAY[0, $4::integer & ~a.additive] END)
 AND platform = $6::text
 AND country_code = $7::text
  JOIN level_cells_daily r ON r.game_id = t.game_id AND r.tuple_id = t.tuple_id AND r.date = a.date
 WHERE a.game_id = $1 AND a.date BETWEEN $2::date AND $3::date
 GROUP BY r.level_id
 ORDER BY r.level_id;
