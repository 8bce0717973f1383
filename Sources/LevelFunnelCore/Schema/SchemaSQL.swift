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
}
