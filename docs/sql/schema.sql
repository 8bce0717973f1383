-- docs/sql/schema.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- The DDL of every migration, in order (SchemaMigrator.migrations): each version's statements run in one
-- transaction with its record in schema_migrations. Indexes on events are built one by one outside any
-- transaction, shown here for a plain events table (EventsIndexBuilder builds them partition by partition on a
-- partitioned one, and reuses an equivalent index: docs/operations.md); an index a later version drops
-- (events_game_user_idx) is never built from scratch. The builder's catalog queries follow.
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- migration 1 (events): SchemaSQL.eventsTable
CREATE TABLE IF NOT EXISTS events (
  id                   bigserial PRIMARY KEY,
  game_id              text        NOT NULL,
  user_id              text        NOT NULL,
  session_id           text,
  event_name           text        NOT NULL,
  properties           jsonb       NOT NULL DEFAULT '{}',
  platform             text,
  country_code         text,
  app_version          text,
  level_funnel         text,
  level_funnel_version integer,
  occurred_at          timestamptz NOT NULL,
  received_at          timestamptz NOT NULL DEFAULT now());

-- migration 2 (level event rules): SchemaSQL.levelEventRules[0]
CREATE OR REPLACE FUNCTION lf_level_id(p jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(p -> 'levelId') = 'number' THEN
           CASE WHEN (p ->> 'levelId')::numeric BETWEEN 0 AND 2147483647
                 AND (p ->> 'levelId')::numeric = trunc((p ->> 'levelId')::numeric)
                THEN (p ->> 'levelId')::numeric::integer END
         END
$$;

-- migration 2 (level event rules): SchemaSQL.levelEventRules[1]
CREATE OR REPLACE FUNCTION lf_duration(p jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(p -> 'duration') = 'number' THEN
           CASE WHEN (p ->> 'duration')::numeric BETWEEN 0 AND 86400 THEN (p ->> 'duration')::numeric END
         END
$$;

-- migration 2 (level event rules): SchemaSQL.levelEventRules[2]
CREATE OR REPLACE FUNCTION lf_has_boosters(p jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(p -> 'boosters') = 'object' THEN p -> 'boosters' <> '{}'::jsonb ELSE false END
$$;

-- migration 2 (level event rules): SchemaSQL.levelEventRules[3]
CREATE OR REPLACE FUNCTION lf_has_egp(p jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(p -> 'egp') = 'number' THEN (p ->> 'egp')::numeric > 0 ELSE false END
$$;

-- migration 2 (level event rules): SchemaSQL.levelEventRules[4]
CREATE OR REPLACE VIEW level_events AS
SELECT id,
       game_id,
       user_id,
       event_name,
       lf_level_id(properties)                          AS level_id,
       occurred_at,
       (occurred_at AT TIME ZONE 'UTC')::date           AS day,
       platform, country_code, app_version, level_funnel, level_funnel_version,
       event_name IN ('level_complete', 'level_failed') AND lf_has_boosters(properties) AS is_booster,
       event_name = 'level_failed' AND lf_has_egp(properties)                          AS is_egp,
       lf_duration(properties)                          AS duration
  FROM events
 WHERE event_name IN ('level_start', 'level_complete', 'level_failed')
   AND lf_level_id(properties) IS NOT NULL;

-- migration 3 (events indexes): SchemaSQL.createIndex for events_game_occurred_idx
CREATE INDEX CONCURRENTLY IF NOT EXISTS "events_game_occurred_idx" ON events (game_id, occurred_at);

-- migration 3 (events indexes): SchemaSQL.createIndex for events_game_received_idx
CREATE INDEX CONCURRENTLY IF NOT EXISTS "events_game_received_idx" ON events (game_id, received_at);

-- migration 3 (events indexes): SchemaSQL.createIndex for events_game_user_idx
CREATE INDEX CONCURRENTLY IF NOT EXISTS "events_game_user_idx" ON events (game_id, user_id, occurred_at);

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[0]
CREATE TABLE IF NOT EXISTS level_metrics_daily (
  game_id                   text    NOT NULL,
  date                      date    NOT NULL,
  level_id                  integer NOT NULL,
  level_funnel              text,
  level_funnel_version      integer,
  platform                  text,
  country_code              text,
  app_version               text,
  starts                    integer NOT NULL,
  completes                 integer NOT NULL,
  fails                     integer NOT NULL,
  started_players           integer NOT NULL,
  completed_players         integer NOT NULL,
  users_with_boosters       integer NOT NULL,
  fails_with_purchase       integer NOT NULL,
  total_completion_duration numeric NOT NULL,
  completion_count          integer NOT NULL,
  total_fail_duration       numeric NOT NULL,
  fail_count                integer NOT NULL,
  CONSTRAINT level_metrics_daily_key UNIQUE NULLS NOT DISTINCT
    (game_id, date, level_id, level_funnel, level_funnel_version, platform, country_code, app_version));

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[1]
CREATE INDEX IF NOT EXISTS level_metrics_daily_platform_idx ON level_metrics_daily (game_id, platform, date);

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[2]
CREATE INDEX IF NOT EXISTS level_metrics_daily_country_idx ON level_metrics_daily (game_id, country_code, date);

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[3]
CREATE INDEX IF NOT EXISTS level_metrics_daily_version_idx ON level_metrics_daily (game_id, app_version, date);

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[4]
CREATE INDEX IF NOT EXISTS level_metrics_daily_funnel_idx ON level_metrics_daily (game_id, level_funnel, level_funnel_version, date);

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[5]
CREATE TABLE IF NOT EXISTS level_cell_tuples (
  tuple_id             integer  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  game_id              text     NOT NULL,
  -- GROUPING(level_funnel, level_funnel_version, platform, country_code, app_version): set bits are the
  -- dimensions not pinned (NULL here); a pinned dimension may be NULL too (see CellSQL).
  cell                 smallint NOT NULL,
  level_funnel         text,
  level_funnel_version integer,
  platform             text,
  country_code         text,
  app_version          text,
  CONSTRAINT level_cell_tuples_key UNIQUE NULLS NOT DISTINCT
    (game_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version));

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[6]
CREATE TABLE IF NOT EXISTS level_cells_daily (
  tuple_id                  integer NOT NULL,  -- level_cell_tuples; no foreign key: checked per row on every insert
  date                      date    NOT NULL,
  level_id                  integer NOT NULL,
  starts                    integer NOT NULL,
  completes                 integer NOT NULL,
  fails                     integer NOT NULL,
  users_with_boosters       integer NOT NULL,
  fails_with_purchase       integer NOT NULL,
  total_completion_duration numeric NOT NULL,
  completion_count          integer NOT NULL,
  total_fail_duration       numeric NOT NULL,
  fail_count                integer NOT NULL,
  -- Players active that day for the first time in the cell tuple, and after[k + 1]: players active that
  -- day whose previous activity was more than k days earlier or never (NULL when no player had any).
  started_new               integer NOT NULL,
  started_after             integer[],
  completed_new             integer NOT NULL,
  completed_after           integer[],
  PRIMARY KEY (tuple_id, date, level_id));

-- migration 4 (daily aggregates): SchemaSQL.dailyAggregates[7]
CREATE TABLE IF NOT EXISTS aggregated_days (
  game_id       text        NOT NULL,
  date          date        NOT NULL,
  aggregated_at timestamptz NOT NULL,
  level_events  bigint      NOT NULL,
  -- Count and id sum of the day's level events when aggregated: the daily job compares them with the
  -- events' to find days with events inserted late (see also activity_fingerprint, migration 9).
  events_fingerprint text   NOT NULL,
  stale         boolean     NOT NULL DEFAULT false,
  -- GROUPING bits of the dimensions additive on that day: the cells the day stores (CellSQL).
  additive      integer     NOT NULL DEFAULT 0,
  PRIMARY KEY (game_id, date));

-- migration 5 (refresh watermarks): SchemaSQL.refreshWatermarks
CREATE TABLE IF NOT EXISTS refresh_watermarks (
  game_id          text PRIMARY KEY,
  received_through timestamptz NOT NULL);

-- migration 6 (aggregation snapshots): SchemaSQL.aggregationSnapshots
ALTER TABLE aggregated_days ADD COLUMN IF NOT EXISTS snapshot pg_snapshot;

-- migration 7 (player key index): SchemaSQL.createIndex for events_player_key_idx
CREATE INDEX CONCURRENTLY IF NOT EXISTS "events_player_key_idx" ON events (game_id, user_id, lf_level_id(properties), event_name, occurred_at)
    INCLUDE (level_funnel, level_funnel_version, platform, country_code, app_version)
 WHERE event_name IN ('level_start', 'level_complete');

-- migration 7 (player key index): EventsIndexBuilder.drop (plain events)
DROP INDEX CONCURRENTLY IF EXISTS events_game_user_idx;

-- migration 8 (cells as corrections): SchemaSQL.cellsAsCorrections[0]
DROP TABLE level_metrics_daily;

-- migration 8 (cells as corrections): SchemaSQL.cellsAsCorrections[1]
CREATE VIEW level_metrics_daily AS
SELECT t.game_id, r.date, r.level_id, t.level_funnel, t.level_funnel_version, t.platform, t.country_code, t.app_version,
       r.starts,
       r.completes,
       r.fails,
       coalesce(r.started_after[1], r.started_new) AS started_players,
       coalesce(r.completed_after[1], r.completed_new) AS completed_players,
       r.users_with_boosters,
       r.fails_with_purchase,
       r.total_completion_duration,
       r.completion_count,
       r.total_fail_duration,
       r.fail_count
  FROM level_cell_tuples t
  JOIN level_cells_daily r ON r.tuple_id = t.tuple_id
 WHERE t.cell = 0;

-- migration 8 (cells as corrections): SchemaSQL.cellsAsCorrections[2]
UPDATE aggregated_days SET stale = true WHERE level_events > 0;

-- migration 9 (activity fingerprints): SchemaSQL.activityFingerprints[0]
ALTER TABLE aggregated_days ADD COLUMN IF NOT EXISTS activity_fingerprint text;

-- migration 9 (activity fingerprints): SchemaSQL.activityFingerprints[1]
UPDATE aggregated_days SET activity_fingerprint = '0:0' WHERE level_events = 0;

-- migration 10 (change capture): SchemaSQL.changeCapture[0]
CREATE TABLE IF NOT EXISTS event_changes (
  change_id   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  game_id     text        NOT NULL,
  day         date        NOT NULL,   -- occurred_at's UTC day
  inserted    bigint[]    NOT NULL DEFAULT '{}',   -- ids of level events that appeared on that day
  removed     bigint[]    NOT NULL DEFAULT '{}',   -- ids of level events that left it (deleted, or updated away)
  captured_at timestamptz NOT NULL DEFAULT now());

-- migration 10 (change capture): SchemaSQL.changeCapture[1]
CREATE INDEX IF NOT EXISTS event_changes_day_idx ON event_changes (game_id, day);

-- migration 10 (change capture): SchemaSQL.changeCapture[2]
CREATE OR REPLACE FUNCTION lf_capture_insert() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record;
BEGIN
  FOR lf_row IN 
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM lf_new WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
        INSERT INTO event_changes (game_id, day, inserted, removed)
        VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed);
      END LOOP;
  RETURN NULL;
END $$;

-- migration 10 (change capture): SchemaSQL.changeCapture[3]
CREATE OR REPLACE FUNCTION lf_capture_update() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record;
BEGIN
  FOR lf_row IN WITH lf_pairs AS (
  SELECT o.id AS old_id, n.id AS new_id FROM lf_old o FULL JOIN lf_new n ON n.id = o.id
   WHERE o.id IS NULL OR n.id IS NULL OR (o.game_id, o.user_id, o.event_name, o.properties, o.occurred_at, o.level_funnel, o.level_funnel_version, o.platform, o.country_code, o.app_version) IS DISTINCT FROM (n.game_id, n.user_id, n.event_name, n.properties, n.occurred_at, n.level_funnel, n.level_funnel_version, n.platform, n.country_code, n.app_version)
), lf_updated_old AS (SELECT o.* FROM lf_old o JOIN lf_pairs p ON p.old_id = o.id),
   lf_updated_new AS (SELECT n.* FROM lf_new n JOIN lf_pairs p ON p.new_id = n.id)
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM lf_updated_new WHERE event_name IN ('level_start', 'level_complete', 'level_failed') UNION ALL SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM lf_updated_old WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
        INSERT INTO event_changes (game_id, day, inserted, removed)
        VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed);
      END LOOP;
  RETURN NULL;
END $$;

-- migration 10 (change capture): SchemaSQL.changeCapture[4]
CREATE OR REPLACE FUNCTION lf_capture_delete() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record;
BEGIN
  FOR lf_row IN 
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM lf_old WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
        INSERT INTO event_changes (game_id, day, inserted, removed)
        VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed);
      END LOOP;
  RETURN NULL;
END $$;

-- migration 10 (change capture): SchemaSQL.changeCapture[5]
CREATE OR REPLACE FUNCTION lf_capture_truncate() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE aggregated_days SET stale = true WHERE level_events > 0 AND NOT stale;
  RETURN NULL;
END $$;

-- migration 10 (change capture): SchemaSQL.changeCapture[6]
DROP TRIGGER IF EXISTS lf_capture_insert ON events;

-- migration 10 (change capture): SchemaSQL.changeCapture[7]
CREATE TRIGGER lf_capture_insert AFTER INSERT ON events REFERENCING NEW TABLE AS lf_new FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_insert();

-- migration 10 (change capture): SchemaSQL.changeCapture[8]
DROP TRIGGER IF EXISTS lf_capture_update ON events;

-- migration 10 (change capture): SchemaSQL.changeCapture[9]
CREATE TRIGGER lf_capture_update AFTER UPDATE ON events REFERENCING OLD TABLE AS lf_old NEW TABLE AS lf_new
FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_update();

-- migration 10 (change capture): SchemaSQL.changeCapture[10]
DROP TRIGGER IF EXISTS lf_capture_delete ON events;

-- migration 10 (change capture): SchemaSQL.changeCapture[11]
CREATE TRIGGER lf_capture_delete AFTER DELETE ON events REFERENCING OLD TABLE AS lf_old FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_delete();

-- migration 10 (change capture): SchemaSQL.changeCapture[12]
DROP TRIGGER IF EXISTS lf_capture_truncate ON events;

-- migration 10 (change capture): SchemaSQL.changeCapture[13]
CREATE TRIGGER lf_capture_truncate AFTER TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_truncate();

-- migration 11 (changes from before capture): SchemaSQL.seedChanges
INSERT INTO event_changes (game_id, day)
SELECT DISTINCT a.game_id, a.date
  FROM aggregated_days a
  JOIN events e ON e.game_id = a.game_id AND (e.occurred_at AT TIME ZONE 'UTC')::date = a.date
  LEFT JOIN refresh_watermarks w ON w.game_id = a.game_id
 WHERE e.received_at > coalesce(w.received_through, '-infinity') - interval '300 seconds'
   AND e.received_at > a.aggregated_at - interval '300 seconds'
   AND e.event_name IN ('level_start', 'level_complete', 'level_failed');

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[0]
DROP VIEW IF EXISTS level_metrics_daily;

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[1]
ALTER TABLE level_cell_tuples ALTER COLUMN tuple_id TYPE bigint;

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[2]
ALTER TABLE level_cell_tuples DROP CONSTRAINT level_cell_tuples_pkey, ADD PRIMARY KEY (game_id, tuple_id);

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[3]
ALTER TABLE level_cells_daily ALTER COLUMN tuple_id TYPE bigint, ADD COLUMN IF NOT EXISTS game_id text;

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[4]
UPDATE level_cells_daily r SET game_id = t.game_id FROM level_cell_tuples t
 WHERE r.game_id IS NULL AND t.tuple_id = r.tuple_id;

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[5]
ALTER TABLE level_cells_daily ALTER COLUMN game_id SET NOT NULL,
  DROP CONSTRAINT level_cells_daily_pkey, ADD PRIMARY KEY (game_id, tuple_id, date, level_id);

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[6]
CREATE VIEW level_metrics_daily AS
SELECT t.game_id, r.date, r.level_id, t.level_funnel, t.level_funnel_version, t.platform, t.country_code, t.app_version,
       r.starts,
       r.completes,
       r.fails,
       coalesce(r.started_after[1], r.started_new) AS started_players,
       coalesce(r.completed_after[1], r.completed_new) AS completed_players,
       r.users_with_boosters,
       r.fails_with_purchase,
       r.total_completion_duration,
       r.completion_count,
       r.total_fail_duration,
       r.fail_count
  FROM level_cell_tuples t
  JOIN level_cells_daily r ON r.game_id = t.game_id AND r.tuple_id = t.tuple_id
 WHERE t.cell = 0;

-- migration 12 (distribution keys): SchemaSQL.distributionKeys[7]
ALTER TABLE event_changes DROP CONSTRAINT event_changes_pkey, ADD PRIMARY KEY (game_id, change_id);

-- migration 13 (deltas): SchemaSQL.deltas[0]
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- migration 13 (deltas): SchemaSQL.deltas[1]
ALTER TABLE event_changes ADD COLUMN IF NOT EXISTS statement bigint;

-- migration 13 (deltas): SchemaSQL.deltas[2]
CREATE TABLE IF NOT EXISTS event_removals (
  change_id            bigint      NOT NULL,   -- event_changes: the change that removed the row
  game_id              text        NOT NULL,
  id                   bigint      NOT NULL,
  user_id              text        NOT NULL,
  event_name           text        NOT NULL,
  properties           jsonb       NOT NULL,
  occurred_at          timestamptz NOT NULL,
  platform             text,
  country_code         text,
  app_version          text,
  level_funnel         text,
  level_funnel_version integer,
  PRIMARY KEY (game_id, change_id, id));

-- migration 13 (deltas): SchemaSQL.deltas[3]
CREATE OR REPLACE VIEW level_event_removals AS
SELECT change_id, id, game_id, user_id, event_name,
       lf_level_id(properties)                          AS level_id,
       occurred_at,
       (occurred_at AT TIME ZONE 'UTC')::date           AS day,
       platform, country_code, app_version, level_funnel, level_funnel_version,
       event_name IN ('level_complete', 'level_failed') AND lf_has_boosters(properties) AS is_booster,
       event_name = 'level_failed' AND lf_has_egp(properties)                          AS is_egp,
       lf_duration(properties)                          AS duration
  FROM event_removals
 WHERE event_name IN ('level_start', 'level_complete', 'level_failed')
   AND lf_level_id(properties) IS NOT NULL;

-- migration 13 (deltas): SchemaSQL.deltas[4]
CREATE OR REPLACE FUNCTION lf_capture_insert() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record; lf_removed record; lf_change bigint; lf_statement bigint;
BEGIN
  FOR lf_row IN 
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM lf_new WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
    INSERT INTO event_changes (game_id, day, inserted, removed, statement)
    VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed, lf_statement)
    RETURNING change_id INTO lf_change;
    lf_statement := coalesce(lf_statement, lf_change);

  END LOOP;
  RETURN NULL;
END $$;

-- migration 13 (deltas): SchemaSQL.deltas[5]
CREATE OR REPLACE FUNCTION lf_capture_update() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record; lf_removed record; lf_change bigint; lf_statement bigint;
BEGIN
  FOR lf_row IN WITH lf_pairs AS (
  SELECT o.id AS old_id, n.id AS new_id FROM lf_old o FULL JOIN lf_new n ON n.id = o.id
   WHERE o.id IS NULL OR n.id IS NULL OR (o.game_id, o.user_id, o.event_name, o.properties, o.occurred_at, o.level_funnel, o.level_funnel_version, o.platform, o.country_code, o.app_version) IS DISTINCT FROM (n.game_id, n.user_id, n.event_name, n.properties, n.occurred_at, n.level_funnel, n.level_funnel_version, n.platform, n.country_code, n.app_version)
), lf_updated_old AS (SELECT o.* FROM lf_old o JOIN lf_pairs p ON p.old_id = o.id),
   lf_updated_new AS (SELECT n.* FROM lf_new n JOIN lf_pairs p ON p.new_id = n.id)
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM lf_updated_new WHERE event_name IN ('level_start', 'level_complete', 'level_failed') UNION ALL SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM lf_updated_old WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
    INSERT INTO event_changes (game_id, day, inserted, removed, statement)
    VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed, lf_statement)
    RETURNING change_id INTO lf_change;
    lf_statement := coalesce(lf_statement, lf_change);
    FOR lf_removed IN WITH lf_pairs AS (
  SELECT o.id AS old_id, n.id AS new_id FROM lf_old o FULL JOIN lf_new n ON n.id = o.id
   WHERE o.id IS NULL OR n.id IS NULL OR (o.game_id, o.user_id, o.event_name, o.properties, o.occurred_at, o.level_funnel, o.level_funnel_version, o.platform, o.country_code, o.app_version) IS DISTINCT FROM (n.game_id, n.user_id, n.event_name, n.properties, n.occurred_at, n.level_funnel, n.level_funnel_version, n.platform, n.country_code, n.app_version)
), lf_updated_old AS (SELECT o.* FROM lf_old o JOIN lf_pairs p ON p.old_id = o.id),
   lf_updated_new AS (SELECT n.* FROM lf_new n JOIN lf_pairs p ON p.new_id = n.id)
        SELECT r.game_id, r.id, r.user_id, r.event_name, r.properties, r.occurred_at, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version FROM lf_updated_old r
         WHERE r.game_id = lf_row.game_id AND (r.occurred_at AT TIME ZONE 'UTC')::date = lf_row.day
           AND r.event_name IN ('level_start', 'level_complete', 'level_failed') LOOP
      INSERT INTO event_removals (change_id, game_id, id, user_id, event_name, properties, occurred_at, level_funnel, level_funnel_version, platform, country_code, app_version)
      VALUES (lf_change, lf_removed.game_id, lf_removed.id, lf_removed.user_id, lf_removed.event_name, lf_removed.properties, lf_removed.occurred_at, lf_removed.level_funnel, lf_removed.level_funnel_version, lf_removed.platform, lf_removed.country_code, lf_removed.app_version);
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;

-- migration 13 (deltas): SchemaSQL.deltas[6]
CREATE OR REPLACE FUNCTION lf_capture_delete() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE lf_row record; lf_removed record; lf_change bigint; lf_statement bigint;
BEGIN
  FOR lf_row IN 
SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
       coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
  FROM (SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM lf_old WHERE event_name IN ('level_start', 'level_complete', 'level_failed')) c
 GROUP BY game_id, day LOOP
    INSERT INTO event_changes (game_id, day, inserted, removed, statement)
    VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed, lf_statement)
    RETURNING change_id INTO lf_change;
    lf_statement := coalesce(lf_statement, lf_change);
    FOR lf_removed IN 
        SELECT r.game_id, r.id, r.user_id, r.event_name, r.properties, r.occurred_at, r.level_funnel, r.level_funnel_version, r.platform, r.country_code, r.app_version FROM lf_old r
         WHERE r.game_id = lf_row.game_id AND (r.occurred_at AT TIME ZONE 'UTC')::date = lf_row.day
           AND r.event_name IN ('level_start', 'level_complete', 'level_failed') LOOP
      INSERT INTO event_removals (change_id, game_id, id, user_id, event_name, properties, occurred_at, level_funnel, level_funnel_version, platform, country_code, app_version)
      VALUES (lf_change, lf_removed.game_id, lf_removed.id, lf_removed.user_id, lf_removed.event_name, lf_removed.properties, lf_removed.occurred_at, lf_removed.level_funnel, lf_removed.level_funnel_version, lf_removed.platform, lf_removed.country_code, lf_removed.app_version);
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;

-- migration 13 (deltas): SchemaSQL.deltas[7]
CREATE OR REPLACE FUNCTION lf_recency_add(a_new integer, a integer[], b_new integer, b integer[])
RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(v ORDER BY k) FILTER (WHERE k <= last)
    FROM (SELECT k, v, max(k) FILTER (WHERE v <> a_new + b_new) OVER () AS last
            FROM (SELECT k, coalesce(a[k], a_new) + coalesce(b[k], b_new) AS v
                    FROM generate_series(1, greatest(cardinality(a), cardinality(b))) k) s) t
$$;

-- migration 13 (deltas): SchemaSQL.deltas[8]
UPDATE aggregated_days a SET stale = true
 WHERE NOT stale AND EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = a.game_id AND c.day = a.date);

-- migration 13 (deltas): SchemaSQL.deltas[9]
DELETE FROM event_changes;

-- migration 14 (working tables): WorkingTables.create[0]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_fresh (
  game_id text NOT NULL, date date, level_id integer, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text, starts bigint, completes bigint, fails bigint, users_with_boosters bigint, fails_with_purchase bigint, total_completion_duration numeric, completion_count bigint, total_fail_duration numeric, fail_count bigint, id_sum numeric);

-- migration 14 (working tables): WorkingTables.create[1]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_activity (
  game_id text NOT NULL, user_id text, level_id integer, event text, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text, day date);

-- migration 14 (working tables): WorkingTables.create[2]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_key_days (
  game_id text NOT NULL, user_id text, level_id integer, event text, day date, varying integer, previous date, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text);

-- migration 14 (working tables): WorkingTables.create[3]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_cells (
  game_id text NOT NULL, day date, cell integer, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text, level_id integer, starts bigint, completes bigint, fails bigint, users_with_boosters bigint, fails_with_purchase bigint, total_completion_duration numeric, completion_count bigint, total_fail_duration numeric, fail_count bigint,
  started_new integer, started_after integer[], completed_new integer, completed_after integer[]);

-- migration 14 (working tables): WorkingTables.create[4]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_touched (game_id text NOT NULL, id bigint, first_added boolean, first_change bigint);

-- migration 14 (working tables): WorkingTables.create[5]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_rows (
  game_id text NOT NULL, sign integer, id bigint, user_id text, level_id integer, event_name text, day date, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text,
  is_booster boolean, is_egp boolean, duration numeric);

-- migration 14 (working tables): WorkingTables.create[6]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_activity (
  game_id text NOT NULL, user_id text, level_id integer, event text, level_funnel text, level_funnel_version integer, platform text, country_code text, app_version text, day date, n_after bigint, n_before bigint);

-- migration 14 (working tables): WorkingTables.create[7]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_days (game_id text NOT NULL, day date, additive integer, rebuild boolean);

-- migration 14 (working tables): WorkingTables.create[8]
CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_next (
  game_id text NOT NULL, tuple_id bigint, day date, level_id integer, existed boolean, kept boolean, starts bigint, completes bigint, fails bigint, users_with_boosters bigint, fails_with_purchase bigint, total_completion_duration numeric, completion_count bigint, total_fail_duration numeric, fail_count bigint,
  started_new integer, started_after integer[], completed_new integer, completed_after integer[]);

-- SchemaSQL.eventsIsPartitioned
SELECT relkind = 'p' FROM pg_class WHERE oid = 'events'::regclass;

-- SchemaSQL.indexShapeTable
CREATE TEMP TABLE lf_index_shape (LIKE events) ON COMMIT DROP;

-- SchemaSQL.shapeOfIndex
-- $1 an index
SELECT concat_ws(' ', (SELECT am.amname FROM pg_class ic JOIN pg_am am ON am.oid = ic.relam WHERE ic.oid = i.indexrelid),
          i.indnkeyatts,
          (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, false), ', ' ORDER BY k)
             FROM generate_series(1, i.indnatts) k),
          i.indoption::text, i.indclass::text, i.indcollation::text,
          'WHERE ' || pg_get_expr(i.indpred, i.indrelid)) FROM pg_index i WHERE i.indexrelid = $1::regclass;

-- SchemaSQL.indexesWithShape
-- $1 a table (oid), $2 a shape
SELECT c.oid::bigint, c.relname::text, c.oid::regclass::text, i.indisvalid AND i.indisready AND i.indislive,
       EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = $1::bigint::oid AND concat_ws(' ', (SELECT am.amname FROM pg_class ic JOIN pg_am am ON am.oid = ic.relam WHERE ic.oid = i.indexrelid),
          i.indnkeyatts,
          (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, false), ', ' ORDER BY k)
             FROM generate_series(1, i.indnatts) k),
          i.indoption::text, i.indclass::text, i.indcollation::text,
          'WHERE ' || pg_get_expr(i.indpred, i.indrelid)) = $2
 ORDER BY 4 DESC, 2;

-- SchemaSQL.indexNamed
-- $1 a table (oid), $2 an index name
SELECT c.oid::bigint, c.oid::regclass::text, i.indrelid::bigint, i.indisvalid
  FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
 WHERE c.relname = $2 AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::bigint::oid);

-- SchemaSQL.nameTakenBesidesIndexesOf
-- $1 a table (oid), $2 a name
SELECT 1 FROM pg_class c
 WHERE c.relname = $2 AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::bigint::oid)
   AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND i.indrelid = $1::bigint::oid);

-- SchemaSQL.relation
-- $1 a table name or oid (text)
SELECT $1::regclass::oid::bigint, $1::regclass::text;

-- SchemaSQL.partitionsAndTheirIndex
-- $1 a partitioned table (oid), $2 its index (oid)
SELECT c.oid::bigint, c.relname::text, c.oid::regclass::text, c.relkind = 'p',
       x.indexrelid::bigint, x.indisvalid
  FROM pg_inherits h
  JOIN pg_class c ON c.oid = h.inhrelid
  LEFT JOIN (SELECT i.indexrelid, i.indrelid, i.indisvalid
               FROM pg_inherits hi JOIN pg_index i ON i.indexrelid = hi.inhrelid
              WHERE hi.inhparent = $2::bigint::oid) x ON x.indrelid = c.oid
 WHERE h.inhparent = $1::bigint::oid
 ORDER BY c.relname;
