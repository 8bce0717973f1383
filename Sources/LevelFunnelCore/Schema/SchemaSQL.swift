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
               lf_level_id(properties)                          AS level_id,
               occurred_at,
               (occurred_at AT TIME ZONE 'UTC')::date           AS day,
               platform, country_code, app_version, level_funnel, level_funnel_version,
               event_name IN ('level_complete', 'level_failed') AND lf_has_boosters(properties) AS is_booster,
               event_name = 'level_failed' AND lf_has_egp(properties)                          AS is_egp,
               lf_duration(properties)                          AS duration
          FROM events
         WHERE event_name IN ('level_start', 'level_complete', 'level_failed')
           AND lf_level_id(properties) IS NOT NULL
        """,
    ]

    /// Indexes for reading one game's events by time (raw funnel, daily aggregation), by arrival (refresh), and
    /// by player (the earlier activity of a day's players, for exact player counts).
    /// Built concurrently so that migrating a live database never blocks the game backend's inserts;
    /// an index left invalid by an interrupted build is dropped first (see `Migration.rebuildsInvalidIndexes`).
    static let eventsIndexes = [
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS events_game_occurred_idx ON events (game_id, occurred_at)",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS events_game_received_idx ON events (game_id, received_at)",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS events_game_user_idx ON events (game_id, user_id, occurred_at)",
    ]
    static let eventsIndexNames = ["events_game_occurred_idx", "events_game_received_idx", "events_game_user_idx"]

    /// Version 7: the earlier activity of a day's players, looked up per player key (player, level, kind) instead
    /// of per player. `events_game_user_idx` made each day read *all* earlier events of its players and parse
    /// their JSON to find the level, so a day's cost grew with the length of the history (quadratic over a
    /// backfill). This index holds the level (the same expression as the `level_events` view) and the
    /// dimensions, for starts and completes only: a probe reads the few earlier events of one key, from the
    /// index alone once the table is vacuumed. It replaces `events_game_user_idx`, which nothing else reads.
    /// Both steps are concurrent, so the game backend's inserts are never blocked.
    static let playerKeyIndex = [
        """
        CREATE INDEX CONCURRENTLY IF NOT EXISTS events_player_key_idx
            ON events (game_id, user_id, lf_level_id(properties), event_name, occurred_at)
            INCLUDE (level_funnel, level_funnel_version, platform, country_code, app_version)
         WHERE event_name IN ('level_start', 'level_complete')
        """,
        "DROP INDEX CONCURRENTLY IF EXISTS events_game_user_idx",
    ]
    static let playerKeyIndexNames = ["events_player_key_idx"]

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
          -- Count and id sum of the day's level events when aggregated. When they change, the player recency
          -- of later days may change too, so those days are marked stale (re-aggregated by the next refresh).
          events_fingerprint text   NOT NULL,
          stale         boolean     NOT NULL DEFAULT false,
          -- GROUPING bits of the dimensions additive on that day: the cells the day stores (CellSQL).
          additive      integer     NOT NULL DEFAULT 0,
          PRIMARY KEY (game_id, date))
        """,
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
}
