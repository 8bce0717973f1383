/// Change capture (migrations 10, 11 and 13): the triggers on `events` that record every committed change to a level
/// event in `event_changes` (and, since 13, the rows it removed in `event_removals`), read by the deltas (`DeltaSQL`),
/// the fast path's pending changes and the freshness rule.
extension SchemaSQL {
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
        let updated = updates ? updatedPairs : ""
        let grouped = groupedChanges(inserted: inserted, removed: removed, updated: updated)
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
            \(removed.map { removalsLoop(removed: $0, updated: updated) } ?? "")
              END LOOP;
              RETURN NULL;
            END $$
            """
    }

    private static let levelEvent = "event_name IN ('level_start', 'level_complete', 'level_failed')"

    /// An update's rows, old and new, paired by id (CTEs `lf_updated_old`, `lf_updated_new`); kept when anything a
    /// level event is counted by differs (or the id itself).
    private static let updatedPairs: String = {
        let counted = "game_id, user_id, event_name, properties, occurred_at, \(Dimension.columnList)"
        let row = { (alias: String) in "(" + counted.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ") + ")" }
        return """
            WITH lf_pairs AS (
              SELECT o.id AS old_id, n.id AS new_id FROM lf_old o FULL JOIN lf_new n ON n.id = o.id
               WHERE o.id IS NULL OR n.id IS NULL OR \(row("o")) IS DISTINCT FROM \(row("n"))
            ), lf_updated_old AS (SELECT o.* FROM lf_old o JOIN lf_pairs p ON p.old_id = o.id),
               lf_updated_new AS (SELECT n.* FROM lf_new n JOIN lf_pairs p ON p.new_id = n.id)
            """
    }()

    /// The level events of `inserted` and `removed` (transition tables, or the CTEs of `updated`), one row per game
    /// and day with the ids that appeared and left.
    private static func groupedChanges(inserted: String?, removed: String?, updated: String) -> String {
        let parts = [inserted.map { "SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, true AS added FROM \($0) WHERE \(levelEvent)" },
                     removed.map { "SELECT game_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, id, false AS added FROM \($0) WHERE \(levelEvent)" }]
            .compactMap { $0 }
        return """
            \(updated)
            SELECT game_id, day, coalesce(array_agg(id) FILTER (WHERE added), '{}') AS inserted,
                   coalesce(array_agg(id) FILTER (WHERE NOT added), '{}') AS removed
              FROM (\(parts.joined(separator: " UNION ALL "))) c
             GROUP BY game_id, day
            """
    }

    /// The removed rows of each change row's game and day, inserted one by one as well (see `insertEach`).
    private static func removalsLoop(removed table: String, updated: String) -> String {
        let columns = ["game_id", "id", "user_id", "event_name", "properties", "occurred_at"] + Dimension.allCases.map(\.column)
        return """
                FOR lf_removed IN \(updated)
                    SELECT \(columns.map { "r.\($0)" }.joined(separator: ", ")) FROM \(table) r
                     WHERE r.game_id = lf_row.game_id AND (r.occurred_at AT TIME ZONE 'UTC')::date = lf_row.day
                       AND r.\(levelEvent) LOOP
                  INSERT INTO event_removals (change_id, \(columns.joined(separator: ", ")))
                  VALUES (lf_change, \(columns.map { "lf_removed.\($0)" }.joined(separator: ", ")));
                END LOOP;
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
