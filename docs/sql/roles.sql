-- docs/sql/roles.sql: generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;
-- do not edit: run `make sql` after changing a statement.
--
-- `levelfunnel roles` (AccessRoles.statements) for the default role names, schema public and database
-- levelfunnel, then its check that the reader cannot read user ids (AccessRoles.eventsExposureSQL).
-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);

-- AccessRoles.statements[0]
DO $roles$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'levelfunnel_reader') THEN CREATE ROLE "levelfunnel_reader" NOLOGIN; END IF;
END $roles$;

-- AccessRoles.statements[1]
DO $roles$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'levelfunnel_writer') THEN CREATE ROLE "levelfunnel_writer" NOLOGIN; END IF;
END $roles$;

-- AccessRoles.statements[2]
GRANT CONNECT ON DATABASE "levelfunnel" TO "levelfunnel_reader", "levelfunnel_writer";

-- AccessRoles.statements[3]
GRANT USAGE ON SCHEMA "public" TO "levelfunnel_reader", "levelfunnel_writer";

-- AccessRoles.statements[4]
GRANT SELECT ON "public"."level_metrics_daily", "public"."level_cells_daily", "public"."level_cell_tuples", "public"."aggregated_days", "public"."refresh_watermarks", "public"."schema_migrations" TO "levelfunnel_reader";

-- AccessRoles.statements[5]
GRANT SELECT ("game_id", "day") ON "public"."event_changes" TO "levelfunnel_reader";

-- AccessRoles.statements[6]
REVOKE ALL ON "public"."events", "public"."level_events", "public"."event_removals", "public"."level_event_removals", "public"."lf_fresh", "public"."lf_activity", "public"."lf_key_days", "public"."lf_cells", "public"."lf_touched", "public"."lf_delta_rows", "public"."lf_delta_activity", "public"."lf_delta_days", "public"."lf_delta_next" FROM "levelfunnel_reader";

-- AccessRoles.statements[7]
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "public"."events" FROM "levelfunnel_writer";

-- AccessRoles.statements[8]
GRANT SELECT ON "public"."events" TO "levelfunnel_writer";

-- AccessRoles.statements[9]
GRANT SELECT ON "public"."level_events" TO "levelfunnel_writer";

-- AccessRoles.statements[10]
GRANT SELECT ON "public"."level_metrics_daily" TO "levelfunnel_writer";

-- AccessRoles.statements[11]
GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."level_cells_daily" TO "levelfunnel_writer";

-- AccessRoles.statements[12]
GRANT SELECT, INSERT ON "public"."level_cell_tuples" TO "levelfunnel_writer";

-- AccessRoles.statements[13]
GRANT SELECT, INSERT, UPDATE ON "public"."aggregated_days" TO "levelfunnel_writer";

-- AccessRoles.statements[14]
GRANT SELECT, INSERT, UPDATE ON "public"."refresh_watermarks" TO "levelfunnel_writer";

-- AccessRoles.statements[15]
GRANT SELECT ON "public"."schema_migrations" TO "levelfunnel_writer";

-- AccessRoles.statements[16]
GRANT SELECT, DELETE ON "public"."event_changes" TO "levelfunnel_writer";

-- AccessRoles.statements[17]
GRANT SELECT, DELETE ON "public"."event_removals" TO "levelfunnel_writer";

-- AccessRoles.statements[18]
GRANT SELECT ON "public"."level_event_removals" TO "levelfunnel_writer";

-- AccessRoles.statements[19]
GRANT SELECT, INSERT, DELETE ON "public"."lf_fresh" TO "levelfunnel_writer";

-- AccessRoles.statements[20]
GRANT SELECT, INSERT, DELETE ON "public"."lf_activity" TO "levelfunnel_writer";

-- AccessRoles.statements[21]
GRANT SELECT, INSERT, DELETE ON "public"."lf_key_days" TO "levelfunnel_writer";

-- AccessRoles.statements[22]
GRANT SELECT, INSERT, DELETE ON "public"."lf_cells" TO "levelfunnel_writer";

-- AccessRoles.statements[23]
GRANT SELECT, INSERT, DELETE ON "public"."lf_touched" TO "levelfunnel_writer";

-- AccessRoles.statements[24]
GRANT SELECT, INSERT, DELETE ON "public"."lf_delta_rows" TO "levelfunnel_writer";

-- AccessRoles.statements[25]
GRANT SELECT, INSERT, DELETE ON "public"."lf_delta_activity" TO "levelfunnel_writer";

-- AccessRoles.statements[26]
GRANT SELECT, INSERT, DELETE ON "public"."lf_delta_days" TO "levelfunnel_writer";

-- AccessRoles.statements[27]
GRANT SELECT, INSERT, DELETE ON "public"."lf_delta_next" TO "levelfunnel_writer";

-- AccessRoles.statements[28]
GRANT TEMPORARY ON DATABASE "levelfunnel" TO "levelfunnel_writer";

-- AccessRoles.eventsExposureSQL
-- $1 the reader role (or public)
WITH RECURSIVE seed(rel) AS (
    SELECT 'events'::regclass::oid UNION SELECT relid::oid FROM pg_partition_tree('events')
), exposing(rel) AS (
    SELECT rel FROM seed
  UNION
    SELECT r.ev_class FROM exposing e
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                      AND d.refobjid = e.rel
      JOIN pg_rewrite r ON r.oid = d.objid
     WHERE r.ev_class <> e.rel
)
SELECT x.rel::regclass::text,
       has_any_column_privilege('public', x.rel, 'SELECT'),
       CASE WHEN $1::name = 'public' THEN '' ELSE array_to_string(ARRAY(
         SELECT m.rolname::text FROM pg_roles m
          WHERE m.rolname <> $1::name AND pg_has_role($1::name, m.oid, 'USAGE')
            AND has_any_column_privilege(m.oid, x.rel, 'SELECT') ORDER BY 1), E'\n') END
  FROM exposing x
 WHERE has_any_column_privilege($1::name, x.rel, 'SELECT')
 ORDER BY 1;
