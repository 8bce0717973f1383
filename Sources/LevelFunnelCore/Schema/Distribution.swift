import PostgresClient

/// Where levelfunnel's tables live: on one PostgreSQL, or on a Citus cluster where `events` is distributed by
/// `game_id` (`docs/scaling.md`). Read from the catalog once (at `migrate`); what differs on Citus is decided here,
/// not in the SQL of the commands.
public enum Distribution: Sendable, Equatable {
    case singleNode
    /// Citus, `events` hash-distributed by `game_id`: every levelfunnel table in ``tables`` is distributed by
    /// `game_id` co-located with it, so that all of a game's rows are in one shard group on one worker.
    case citus

    /// The levelfunnel tables that hold rows of one game each, all keyed by `game_id` (schema 12), and the working
    /// tables of the passes and deltas (schema 14): distributed co-located with `events` on Citus. A new table of
    /// that kind is added here and nowhere else. (`schema_migrations` stays on the coordinator.)
    static let tables = ["level_cell_tuples", "level_cells_daily", "aggregated_days", "refresh_watermarks", "event_changes",
                         "event_removals"] + WorkingTables.all

    /// Whether a statement run again and again in a session may keep one plan for every run (a generic plan, see
    /// `PendingChanges`). Citus cannot make a distributed plan of a generic multi-step statement ("could not create
    /// distributed plan"): there every run is planned for its own parameters.
    var plansStatementsOnce: Bool { self == .singleNode }

    /// The layout of a migrated database: Citus when `events` is distributed (`migrate` refused any other Citus layout).
    static func current(_ db: PostgresConnection) throws -> Distribution {
        guard try db.query("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL").one().decode(Bool.self, at: 0) else {
            return .singleNode
        }
        return try db.query("SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass('events'))")
            .one().decode(Bool.self, at: 0) ? .citus : .singleNode
    }

    /// Reads the layout from the catalog, or refuses with one line saying what the DBA must do first: Citus is in
    /// this database and `events` is missing, local, a reference table, or distributed by another column.
    static func detect(_ db: PostgresConnection) throws -> Distribution {
        guard try db.query("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL").one().decode(Bool.self, at: 0) else {
            return .singleNode
        }
        let events = try db.query("""
            SELECT p.partmethod::text, column_to_column_name(p.logicalrelid, p.partkey)
              FROM pg_dist_partition p WHERE p.logicalrelid = to_regclass('events')
            """).first
        let method = try events?.decode(String.self, at: 0)
        let column = try events?.decode(String?.self, at: 1)
        guard method == "h", column == "game_id" else {
            let what = events == nil ? "is not distributed" : "is distributed by \(column.map { "'\($0)'" } ?? "no column")"
            throw LevelFunnelError.citusEventsNotDistributed(
                "Citus is installed in this database and events \(what): create events with a primary key that contains "
                    + "game_id and run SELECT create_distributed_table('events', 'game_id') first (docs/scaling.md)")
        }
        return .citus
    }

    /// Distributes every table of ``tables`` that can be and is not yet, co-located with `events`: run after each
    /// migration step (idempotent), so that a table is distributed in the step that gives it `game_id` in every
    /// unique key (Citus requires the distribution column in them: before schema 12, some tables lacked it).
    func distributeTables(_ db: PostgresConnection) throws {
        guard self == .citus else { return }
        for table in Self.tables {
            try db.execute(Self.distributeSQL, [table])
        }
    }

    /// `$1` a table: distributes it unless it is missing, distributed, without `game_id` or with a unique key
    /// that lacks it.
    private static let distributeSQL = """
        WITH t AS (
          SELECT c.oid, a.attnum AS game
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'game_id' AND NOT a.attisdropped
           WHERE c.oid = to_regclass($1)
        )
        SELECT create_distributed_table($1, 'game_id', colocate_with => 'events')
          FROM t
         WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t.oid)
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.oid AND i.indisunique AND NOT t.game = ANY (i.indkey))
        """

    /// Statements a migration step runs first: on Citus, triggers on a distributed table need
    /// `citus.enable_unsafe_triggers` (Citus then creates them on every shard; levelfunnel's capture functions
    /// write only rows of the shard's own games, into co-located shards: see `SchemaSQL.changeCapture`).
    var stepSettings: [String] {
        self == .citus ? ["SET LOCAL citus.enable_unsafe_triggers = on"] : []
    }
}
