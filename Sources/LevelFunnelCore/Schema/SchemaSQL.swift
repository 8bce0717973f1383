/// The DDL of every migration. Statements are idempotent (`IF NOT EXISTS`, `OR REPLACE`) so that a database
/// that already has an `events` table written by the game backend is adopted as it is.
enum SchemaSQL {
    /// The table the game backend writes, exactly as the metrics contract gives it. Never altered.
    static let eventsTable = """
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
          received_at          timestamptz NOT NULL DEFAULT now())
        """

    /// What makes a row of `events` a level event (the contract's validity rules).
    static let isLevelEvent = """
        event_name IN ('level_start', 'level_complete', 'level_failed')
           AND lf_level_id(properties) IS NOT NULL
        """

    /// The columns `level_events` derives from a row of `events` (after its id, game, user and event name): the
    /// same list for the rows captured when removed (`level_event_removals`).
    static let levelEventColumns = """
               lf_level_id(properties)                          AS level_id,
               occurred_at,
               (occurred_at AT TIME ZONE 'UTC')::date           AS day,
               platform, country_code, app_version, level_funnel, level_funnel_version,
               event_name IN ('level_complete', 'level_failed') AND lf_has_boosters(properties) AS is_booster,
               event_name = 'level_failed' AND lf_has_egp(properties)                          AS is_egp,
               lf_duration(properties)                          AS duration
        """

    /// The contract's validity rules, written once: every path reads level events through `level_events`.
    ///
    /// JSON casts sit inside `CASE` so that malformed properties (strings, objects, nulls) never raise:
    /// PostgreSQL evaluates a `CASE` branch only when its condition holds.
    static let levelEventRules = [
        """
        CREATE OR REPLACE FUNCTION lf_level_id(p jsonb) RETURNS integer
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN jsonb_typeof(p -> 'levelId') = 'number' THEN
                   CASE WHEN (p ->> 'levelId')::numeric BETWEEN 0 AND 2147483647
                         AND (p ->> 'levelId')::numeric = trunc((p ->> 'levelId')::numeric)
                        THEN (p ->> 'levelId')::numeric::integer END
                 END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION lf_duration(p jsonb) RETURNS numeric
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN jsonb_typeof(p -> 'duration') = 'number' THEN
                   CASE WHEN (p ->> 'duration')::numeric BETWEEN 0 AND 86400 THEN (p ->> 'duration')::numeric END
                 END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION lf_has_boosters(p jsonb) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN jsonb_typeof(p -> 'boosters') = 'object' THEN p -> 'boosters' <> '{}'::jsonb ELSE false END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION lf_has_egp(p jsonb) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN jsonb_typeof(p -> 'egp') = 'number' THEN (p ->> 'egp')::numeric > 0 ELSE false END
        $$
        """,
        """
        CREATE OR REPLACE VIEW level_events AS
        SELECT id,
               game_id,
               user_id,
               event_name,
        \(levelEventColumns)
          FROM events
         WHERE \(isLevelEvent)
        """,
    ]

    /// Indexes for reading one game's events by time (raw funnel, daily aggregation), by arrival (refresh), and
    /// by player (the earlier activity of a day's players, for exact player counts). `EventsIndexBuilder` builds
    /// them without blocking the game backend's inserts (concurrently; partition by partition on a partitioned
    /// `events`), and not at all when an equivalent index is already there under another name.
    static let eventsIndexes = [
        EventsIndex(name: "events_game_occurred_idx", definition: "(game_id, occurred_at)"),
        EventsIndex(name: "events_game_received_idx", definition: "(game_id, received_at)"),
        EventsIndex(name: "events_game_user_idx", definition: "(game_id, user_id, occurred_at)"),
    ]

    /// Version 7: the earlier activity of a day's players, looked up per player key (player, level, kind) instead
    /// of per player. `events_game_user_idx` made each day read *all* earlier events of its players and parse
    /// their JSON to find the level, so a day's cost grew with the length of the history (quadratic over a
    /// backfill). This index holds the level (the same expression as the `level_events` view) and the
    /// dimensions, for starts and completes only: a probe reads the few earlier events of one key, from the
    /// index alone once the table is vacuumed. It replaces `events_game_user_idx`, which nothing else reads
    /// (a database migrated from scratch never builds that one: see `SchemaMigrator`).
    static let playerKeyIndex = EventsIndex(name: "events_player_key_idx", definition: """
        (game_id, user_id, lf_level_id(properties), event_name, occurred_at)
            INCLUDE (level_funnel, level_funnel_version, platform, country_code, app_version)
         WHERE event_name IN ('level_start', 'level_complete')
        """)
    static let replacedByPlayerKeyIndex = "events_game_user_idx"

    /// `CREATE INDEX` for `EventsIndexBuilder`. `name` and `table` are quoted identifiers: names from code, or
    /// names read from the catalog and quoted by PostgreSQL (DDL cannot take an identifier as a parameter).
    /// `IF NOT EXISTS` makes a re-run after an interruption skip what is done.
    static func createIndex(_ index: EventsIndex, name: String, on table: String, concurrently: Bool = false,
                            only: Bool = false) -> String {
        "CREATE INDEX \(concurrently ? "CONCURRENTLY " : "")IF NOT EXISTS \(name) ON \(only ? "ONLY " : "")\(table) \(index.definition)"
    }

    /// Whether `events` is partitioned (`PARTITION BY ...`): PostgreSQL cannot build an index on it concurrently.
    static let eventsIsPartitioned = "SELECT relkind = 'p' FROM pg_class WHERE oid = 'events'::regclass"

    /// A copy of `events`' columns (no rows) on which `EventsIndexBuilder` creates an index to read its shape as
    /// PostgreSQL sees it; dropped with the transaction.
    static let indexShapeTable = "CREATE TEMP TABLE lf_index_shape (LIKE events) ON COMMIT DROP"

    /// What makes two btree indexes interchangeable for levelfunnel's queries, whatever their names and whichever
    /// table of the partition tree they are on (columns by name): the access method, key and INCLUDE columns in
    /// order (expressions as PostgreSQL prints them), their sort options, operator classes and collations, and
    /// the predicate. `i` is a `pg_index` row.
    private static let indexShape = """
        concat_ws(' ', (SELECT am.amname FROM pg_class ic JOIN pg_am am ON am.oid = ic.relam WHERE ic.oid = i.indexrelid),
                  i.indnkeyatts,
                  (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, false), ', ' ORDER BY k)
                     FROM generate_series(1, i.indnatts) k),
                  i.indoption::text, i.indclass::text, i.indcollation::text,
                  'WHERE ' || pg_get_expr(i.indpred, i.indrelid))
        """

    /// `$1` an index: its shape (see `indexShape`).
    static let shapeOfIndex = "SELECT \(indexShape) FROM pg_index i WHERE i.indexrelid = $1::regclass"

    /// `$1` a table (oid), `$2` a shape: the indexes of that table with that shape: oid, name, qualified and quoted
    /// name, valid (complete, and on a partitioned table attached on every partition), attached to a partitioned
    /// index. Valid ones first, then by name.
    static let indexesWithShape = """
        SELECT c.oid::bigint, c.relname::text, c.oid::regclass::text, i.indisvalid AND i.indisready AND i.indislive,
               EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::bigint::oid AND \(indexShape) = $2
         ORDER BY 4 DESC, 2
        """

    /// `$1` a table (oid), `$2` an index name: that index if it is in the table's schema: oid, qualified and
    /// quoted name, the table it is on (oid), valid.
    static let indexNamed = """
        SELECT c.oid::bigint, c.oid::regclass::text, i.indrelid::bigint, i.indisvalid
          FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
         WHERE c.relname = $2 AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::bigint::oid)
        """

    /// `$1` a table (oid), `$2` a name: a row when a relation in the table's schema has that name and is not an
    /// index of that table.
    static let nameTakenBesidesIndexesOf = """
        SELECT 1 FROM pg_class c
         WHERE c.relname = $2 AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::bigint::oid)
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND i.indrelid = $1::bigint::oid)
        """

    /// `$1` a table name or oid as text: its oid and qualified, quoted name.
    static let relation = "SELECT $1::regclass::oid::bigint, $1::regclass::text"

    /// `$1` a partitioned table (oid), `$2` one of its partitioned indexes (oid): its partitions (oid, name, quoted
    /// qualified name, whether partitioned itself), each with the index attached to `$2` on it, if any (oid and
    /// whether valid).
    static let partitionsAndTheirIndex = """
        SELECT c.oid::bigint, c.relname::text, c.oid::regclass::text, c.relkind = 'p',
               x.indexrelid::bigint, x.indisvalid
          FROM pg_inherits h
          JOIN pg_class c ON c.oid = h.inhrelid
          LEFT JOIN (SELECT i.indexrelid, i.indrelid, i.indisvalid
                       FROM pg_inherits hi JOIN pg_index i ON i.indexrelid = hi.inhrelid
                      WHERE hi.inhparent = $2::bigint::oid) x ON x.indrelid = c.oid
         WHERE h.inhparent = $1::bigint::oid
         ORDER BY c.relname
        """

    /// Daily aggregates (counts only, never a user id) and the record of which days are aggregated.
    static let dailyAggregates = [
        """
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
            (game_id, date, level_id, level_funnel, level_funnel_version, platform, country_code, app_version))
        """,
        // The fast path reads the cell rows below, not this table; these indexes serve direct lookups by game and
        // date (the key), platform, country, app version and funnel, e.g. analysts' own SQL.
        "CREATE INDEX IF NOT EXISTS level_metrics_daily_platform_idx ON level_metrics_daily (game_id, platform, date)",
        "CREATE INDEX IF NOT EXISTS level_metrics_daily_country_idx ON level_metrics_daily (game_id, country_code, date)",
        "CREATE INDEX IF NOT EXISTS level_metrics_daily_version_idx ON level_metrics_daily (game_id, app_version, date)",
        "CREATE INDEX IF NOT EXISTS level_metrics_daily_funnel_idx ON level_metrics_daily (game_id, level_funnel, level_funnel_version, date)",
        """
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
            (game_id, cell, level_funnel, level_funnel_version, platform, country_code, app_version))
        """,
        """
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
          PRIMARY KEY (tuple_id, date, level_id))
        """,
        """
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
          PRIMARY KEY (game_id, date))
        """,
    ]

    /// Migration 8: the finer cells become corrections (`CellSQL`), and `level_metrics_daily` a view of cell 0
    /// (every dimension pinned) with the same columns: its rows were the same as cell 0's, written a second time
    /// with five indexes (a third of the aggregates' size and of a day's writes at 10x). The daily uniques are
    /// the cell's players on that day alone, `coalesce(after[1], new)`. Every aggregated day is marked stale:
    /// until the next refresh (or backfill) rebuilds it in the new form, queries read it from `events`.
    static let cellsAsCorrections = [
        "DROP TABLE level_metrics_daily",
        levelMetricsDailyView(joinOnGame: false),
        "UPDATE aggregated_days SET stale = true WHERE level_events > 0",
    ]

    /// The `level_metrics_daily` view of cell 0 (migration 8), its cell rows joined to their tuples on the game too
    /// (migration 12).
    static func levelMetricsDailyView(joinOnGame: Bool) -> String {
        """
        CREATE VIEW level_metrics_daily AS
        SELECT t.game_id, r.date, r.level_id, \(Dimension.columnList(alias: "t")),
               \(Measure.all.map { m in
                   switch m.kind {
                   case .summed: "r.\(m.column)"
                   case .distinctPlayers(_, let recency): "coalesce(r.\(recency)_after[1], r.\(recency)_new) AS \(m.column)"
                   }
               }.joined(separator: ",\n       "))
          FROM level_cell_tuples t
          JOIN level_cells_daily r ON \(joinOnGame ? "r.game_id = t.game_id AND " : "")r.tuple_id = t.tuple_id
         WHERE t.cell = 0
        """
    }

    /// Migration 12: every levelfunnel table carries `game_id` and leads its primary key with it, so that each can be
    /// distributed by `game_id` co-located with `events` under Citus (`Distribution`), where a unique key must
    /// contain the distribution column. The cell rows take their tuple's game (they named it through `tuple_id`
    /// only); tuple ids become `bigint`, the only identity type Citus lets workers draw from (each worker draws
    /// from its own range, above 2^48). Rewrites the cell rows once; every count stays as it was.
    /// Idempotent, like every step.
    static let distributionKeys = [
        "DROP VIEW IF EXISTS level_metrics_daily",
        "ALTER TABLE level_cell_tuples ALTER COLUMN tuple_id TYPE bigint",
        "ALTER TABLE level_cell_tuples DROP CONSTRAINT level_cell_tuples_pkey, ADD PRIMARY KEY (game_id, tuple_id)",
        "ALTER TABLE level_cells_daily ALTER COLUMN tuple_id TYPE bigint, ADD COLUMN IF NOT EXISTS game_id text",
        """
        UPDATE level_cells_daily r SET game_id = t.game_id FROM level_cell_tuples t
         WHERE r.game_id IS NULL AND t.tuple_id = r.tuple_id
        """,
        """
        ALTER TABLE level_cells_daily ALTER COLUMN game_id SET NOT NULL,
          DROP CONSTRAINT level_cells_daily_pkey, ADD PRIMARY KEY (game_id, tuple_id, date, level_id)
        """,
        levelMetricsDailyView(joinOnGame: true),
        "ALTER TABLE event_changes DROP CONSTRAINT event_changes_pkey, ADD PRIMARY KEY (game_id, change_id)",
    ]

    /// How far each game's daily job has looked: every event received before `received_through` (less the
    /// refresh margin) is reflected in the aggregates, so the next refresh reads only newer events.
    static let refreshWatermarks = """
        CREATE TABLE IF NOT EXISTS refresh_watermarks (
          game_id          text PRIMARY KEY,
          received_through timestamptz NOT NULL)
        """

    /// The snapshot a day was aggregated from: an event of that day whose inserting transaction the snapshot did
    /// not see (still running, or started later) may be missing from the day's aggregates. This is how a query
    /// tells a day with an insert that was in flight apart from a complete one (see `LiveTail`).
    static let aggregationSnapshots = "ALTER TABLE aggregated_days ADD COLUMN IF NOT EXISTS snapshot pg_snapshot"

    /// Migration 9: the fingerprint of each day's activity (count and hash sum of its player keys, see
    /// `DailyAggregation.readEventsSQL`). A day's rebuild marks later days stale only when its activity changed,
    /// not whenever its events did: later days' player recency depends on nothing else. Days recorded without
    /// events have none; the others get theirs at their next aggregation (until then a rebuild counts as a change).
    static let activityFingerprints = [
        "ALTER TABLE aggregated_days ADD COLUMN IF NOT EXISTS activity_fingerprint text",
        "UPDATE aggregated_days SET activity_fingerprint = '\(DailyAggregation.noActivity)' WHERE level_events = 0",
    ]

    /// Migration 10: every committed change to a level event is recorded in `event_changes` by the transaction that
    /// makes it, so that a change is visible exactly when the event is: no margin on `received_at`, no guess from
    /// snapshots. Statement-level triggers with transition tables (one row per game and day a statement touched,
    /// with the ids it inserted or removed): a `COPY` of a million events adds one grouping of its rows, not a row
    /// per event. The functions run as their owner (`SECURITY DEFINER`, `search_path` fixed at creation), so the
    /// game backend's role needs no privilege on levelfunnel's tables. An aggregation deletes the rows of the days
    /// it rebuilt, in its own transaction and only those its snapshot sees: a row left is a change the aggregates do
    /// not hold (`LiveTail`, `RefreshSQL.daysNeedingWork`). `TRUNCATE` marks every aggregated day with events stale.
    /// The triggers sit on `events` as named in the statement: writes sent to a partition directly are not seen
    /// (the daily job's fingerprint check finds them).
    static let changeCapture: [String] = [
        """
        CREATE TABLE IF NOT EXISTS event_changes (
          change_id   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          game_id     text        NOT NULL,
          day         date        NOT NULL,   -- occurred_at's UTC day
          inserted    bigint[]    NOT NULL DEFAULT '{}',   -- ids of level events that appeared on that day
          removed     bigint[]    NOT NULL DEFAULT '{}',   -- ids of level events that left it (deleted, or updated away)
          captured_at timestamptz NOT NULL DEFAULT now())
        """,
        "CREATE INDEX IF NOT EXISTS event_changes_day_idx ON event_changes (game_id, day)",
        captureFunction("lf_capture_insert", inserted: "lf_new", removed: nil),
        // An update that changes nothing a level event is counted by (its `received_at`, its session) is no change.
        captureFunction("lf_capture_update", inserted: "lf_updated_new", removed: "lf_updated_old", updates: true),
        captureFunction("lf_capture_delete", inserted: nil, removed: "lf_old"),
        """
        CREATE OR REPLACE FUNCTION lf_capture_truncate() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
          UPDATE aggregated_days SET stale = true WHERE level_events > 0 AND NOT stale;
          RETURN NULL;
        END $$
        """,
        "DROP TRIGGER IF EXISTS lf_capture_insert ON events",
        "CREATE TRIGGER lf_capture_insert AFTER INSERT ON events REFERENCING NEW TABLE AS lf_new FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_insert()",
        "DROP TRIGGER IF EXISTS lf_capture_update ON events",
        """
        CREATE TRIGGER lf_capture_update AFTER UPDATE ON events REFERENCING OLD TABLE AS lf_old NEW TABLE AS lf_new
        FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_update()
        """,
        "DROP TRIGGER IF EXISTS lf_capture_delete ON events",
        "CREATE TRIGGER lf_capture_delete AFTER DELETE ON events REFERENCING OLD TABLE AS lf_old FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_delete()",
        "DROP TRIGGER IF EXISTS lf_capture_truncate ON events",
        "CREATE TRIGGER lf_capture_truncate AFTER TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION lf_capture_truncate()",
    ]

    /// A capture function: the level events of the transition tables `inserted` and `removed`, grouped by game and
    /// day, and (with ``captureRemovals``, schema 13) the removed rows as they were. Only the three level event names:
    /// other events never count (an invalid level id is captured and only costs its day a rebuild).
    ///
    /// With `captureRemovals`, the change rows of one statement carry its first row's `change_id` (`statement`;
    /// NULL on that first row): an update that moves an event to another day writes two change rows, and its
    /// removal must come first however their ids fall (`DeltaSQL.firstTouches`).
    static func captureFunction(_ name: String, inserted: String?, removed: String?, updates: Bool = false,
                                captureRemovals: Bool = false) -> String {
        let levelEvent = "event_name IN ('level_start', 'level_complete', 'level_failed')"
        let counted = "game_id, user_id, event_name, properties, occurred_at, \(Dimension.columnList)"
        let row = { (alias: String) in "(" + counted.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ") + ")" }
        // An update's rows, old and new, paired by id; kept when anything counted differs (or the id itself).
        let updated = updates ? """
            WITH lf_pairs AS (
              SELECT o.id AS old_id, n.id AS new_id FROM lf_old o FULL JOIN lf_new n ON n.id = o.id
               WHERE o.id IS NULL OR n.id IS NULL OR \(row("o")) IS DISTINCT FROM \(row("n"))
            ), lf_updated_old AS (SELECT o.* FROM lf_old o JOIN lf_pairs p ON p.old_id = o.id),
               lf_updated_new AS (SELECT n.* FROM lf_new n JOIN lf_pairs p ON p.new_id = n.id)
            """ : ""
        let parts = [inserted.map { "SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM \($0) WHERE \(levelEvent)" },
                     removed.map { "SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM \($0) WHERE \(levelEvent)" }]
            .compactMap { $0 }
        let grouped = """
            \(updated)
            SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
                   coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
              FROM (\(parts.joined(separator: " UNION ALL "))) c
             GROUP BY game_id, day
            """
        guard captureRemovals else {
            return """
                CREATE OR REPLACE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql
                SECURITY DEFINER SET search_path FROM CURRENT AS $$
                DECLARE lf_row record;
                BEGIN
                  \(insertEach(into: "event_changes", columns: ["game_id", "day", "inserted", "removed"], from: grouped))
                  RETURN NULL;
                END $$
                """
        }
        // The removed rows of each change row's game and day, inserted one by one as well (see `insertEach`).
        let columns = ["game_id", "id", "user_id", "event_name", "properties", "occurred_at"] + Dimension.allCases.map(\.column)
        let removals = removed.map { table in """
                FOR lf_removed IN \(updated)
                    SELECT \(columns.map { "r.\($0)" }.joined(separator: ", ")) FROM \(table) r
                     WHERE r.game_id = lf_row.game_id AND (r.occurred_at AT TIME ZONE 'UTC')::date = lf_row.day
                       AND r.\(levelEvent) LOOP
                  INSERT INTO event_removals (change_id, \(columns.joined(separator: ", ")))
                  VALUES (lf_change, \(columns.map { "lf_removed.\($0)" }.joined(separator: ", ")));
                END LOOP;
            """ } ?? ""
        return """
            CREATE OR REPLACE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path FROM CURRENT AS $$
            DECLARE lf_row record; lf_removed record; lf_change bigint; lf_statement bigint;
            BEGIN
              FOR lf_row IN \(grouped) LOOP
                INSERT INTO event_changes (game_id, day, inserted, removed, statement)
                VALUES (lf_row.game_id, lf_row.day, lf_row.inserted, lf_row.removed, lf_statement)
                RETURNING change_id INTO lf_change;
                lf_statement := coalesce(lf_statement, lf_change);
            \(removals)
              END LOOP;
              RETURN NULL;
            END $$
            """
    }

    /// PL/pgSQL (in a function declaring `lf_row record`) that inserts each row of `query`, a query on a trigger's
    /// transition tables, into `table`: the rows are read first, then inserted one by one (one per game and day).
    /// Under Citus the trigger runs on each shard of `events`, and a statement there that inserts into a distributed
    /// table cannot read a transition table ("could not find named tuplestore"); an `INSERT ... VALUES` of one game's
    /// row goes to the co-located shard, on the same worker, in the same transaction. One form for both layouts.
    static func insertEach(into table: String, columns: [String], from query: String) -> String {
        """
        FOR lf_row IN \(query) LOOP
                INSERT INTO \(table) (\(columns.joined(separator: ", ")))
                VALUES (\(columns.map { "lf_row.\($0)" }.joined(separator: ", ")));
              END LOOP;
        """
    }

    /// Migration 13: deltas. The capture keeps the content of the level events an update or delete removes
    /// (`event_removals`, consumed with their change), so that a change can be applied to the aggregates, and
    /// answered at query time, without rebuilding a day (`DeltaSQL`); `level_event_removals` reads them by the
    /// rules of `level_events`. `lf_recency_add` adds two recency columns (a row's `*_new` and `*_after`) in their
    /// canonical form: the array stops at its last element that differs from `new` (beyond it, every element is
    /// `new`), and is NULL when none does.
    static let deltas: [String] = [
        // Under Citus, a function created after a parallel change to shards in the same transaction is refused:
        // the step's shard changes go one at a time (a placeholder setting on one node, where nothing reads it).
        "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'",
        "ALTER TABLE event_changes ADD COLUMN IF NOT EXISTS statement bigint",
        """
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
          PRIMARY KEY (game_id, change_id, id))
        """,
        """
        CREATE OR REPLACE VIEW level_event_removals AS
        SELECT change_id, id, game_id, user_id, event_name,
        \(levelEventColumns)
          FROM event_removals
         WHERE \(isLevelEvent)
        """,
        captureFunction("lf_capture_insert", inserted: "lf_new", removed: nil, captureRemovals: true),
        captureFunction("lf_capture_update", inserted: "lf_updated_new", removed: "lf_updated_old", updates: true,
                        captureRemovals: true),
        captureFunction("lf_capture_delete", inserted: nil, removed: "lf_old", captureRemovals: true),
        """
        CREATE OR REPLACE FUNCTION lf_recency_add(a_new integer, a integer[], b_new integer, b integer[])
        RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT array_agg(v ORDER BY k) FILTER (WHERE k <= last)
            FROM (SELECT k, v, max(k) FILTER (WHERE v <> a_new + b_new) OVER () AS last
                    FROM (SELECT k, coalesce(a[k], a_new) + coalesce(b[k], b_new) AS v
                            FROM generate_series(1, greatest(cardinality(a), cardinality(b))) k) s) t
        $$
        """,
        // Changes captured before this version have no removed rows nor statement: their days are rebuilt whole.
        // Last: under Citus, DDL after a multi-shard write in the same transaction is refused.
        """
        UPDATE aggregated_days a SET stale = true
         WHERE NOT stale AND EXISTS (SELECT 1 FROM event_changes c WHERE c.game_id = a.game_id AND c.day = a.date)
        """,
        "DELETE FROM event_changes",
    ]


    /// Migration 11, after the triggers are in place (its own transaction, so that inserts wait for the triggers'
    /// short lock only): the days whose events the aggregates may not hold from before capture began, found the
    /// way the daily job found them until then (events received since the game's last refresh, less its margin,
    /// after their day was aggregated), recorded as changes.
    static let seedChanges = """
        INSERT INTO event_changes (game_id, day)
        SELECT DISTINCT a.game_id, a.date
          FROM aggregated_days a
          JOIN events e ON e.game_id = a.game_id AND (e.occurred_at AT TIME ZONE 'UTC')::date = a.date
          LEFT JOIN refresh_watermarks w ON w.game_id = a.game_id
         WHERE e.received_at > coalesce(w.received_through, '-infinity') - interval '300 seconds'
           AND e.received_at > a.aggregated_at - interval '300 seconds'
           AND e.event_name IN ('level_start', 'level_complete', 'level_failed')
        """
}

