/// The two group roles levelfunnel's users need, and the SQL that makes them (`levelfunnel roles`).
///
/// - The **reader** may read the aggregates and nothing else: they hold counts, never a user id, so the people
///   who browse the funnel need no access to `events` (user and session ids). Everything they browse (games,
///   histories, filter values, funnels, freshness, coverage) is answered from these tables.
/// - The **writer** is what aggregation and the daily job need: read `events`, write the aggregates and the
///   working tables of a pass (`WorkingTables`). It may not change `events`.
///
/// Both are `NOLOGIN` group roles: people log in as their own roles, which are granted one of them.
/// Statements are idempotent, so the same list serves a first run, a re-run after an upgrade added a table,
/// and a DBA who applies it by hand (`--print`).
public struct AccessRoles: Sendable, Hashable {
    public static let defaultReader = "levelfunnel_reader"
    public static let defaultWriter = "levelfunnel_writer"

    public var reader: String
    public var writer: String
    /// The schema that holds levelfunnel's tables.
    public var schema: String
    /// The database, for CONNECT and TEMPORARY.
    public var database: String

    /// Tables a reader may read: counts and dates only.
    public static let readerTables = ["level_metrics_daily", "level_cells_daily", "level_cell_tuples", "aggregated_days",
                                      "refresh_watermarks", "schema_migrations"]

    /// What backfill and refresh do to each table; the writer gets exactly this (and `canWrite` checks it).
    public static let writerPrivileges: [(table: String, privileges: [String])] = [
        ("events", ["SELECT"]),
        ("level_events", ["SELECT"]),
        ("level_metrics_daily", ["SELECT"]),
        ("level_cells_daily", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
        ("level_cell_tuples", ["SELECT", "INSERT"]),
        ("aggregated_days", ["SELECT", "INSERT", "UPDATE"]),
        ("refresh_watermarks", ["SELECT", "INSERT", "UPDATE"]),
        ("schema_migrations", ["SELECT"]),
        // Captured changes (written by the triggers as their owner): an aggregation consumes those it rebuilt.
        ("event_changes", ["SELECT", "DELETE"]),
        // The rows those changes removed (user ids included), read to apply them as deltas.
        ("event_removals", ["SELECT", "DELETE"]),
        ("level_event_removals", ["SELECT"]),
    ] + WorkingTables.all.map { ($0, ["SELECT", "INSERT", "DELETE"]) }

    /// Columns a reader may read in tables that hold more: which days have a pending change (the freshness rule
    /// needs them), never the changed event ids.
    public static let readerColumns: [(table: String, columns: [String])] = [("event_changes", ["game_id", "day"])]

    /// Relations that hold user ids: never granted to the reader, and revoked in case an earlier grant gave them
    /// (the working tables hold a pass's player keys, for the length of its transaction).
    static let eventRelations = ["events", "level_events", "event_removals", "level_event_removals"] + WorkingTables.all

    /// Role names are plain lowercase identifiers, so that they read the same quoted or not and can sit in the
    /// string literal of an idempotent `CREATE ROLE`.
    public init(reader: String = defaultReader, writer: String = defaultWriter, schema: String, database: String) throws {
        for name in [reader, writer] where !Self.isPlainName(name) {
            throw LevelFunnelError.invalidInput(
                "role name '\(name)' must be a lowercase identifier: a letter or _, then letters, digits or _ (at most 63)")
        }
        guard reader != writer else { throw LevelFunnelError.invalidInput("the reader and writer roles must differ") }
        self.reader = reader
        self.writer = writer
        self.schema = schema
        self.database = database
    }

    /// The statements that create or update both roles, in order.
    public var statements: [String] {
        let schema = Self.identifier(self.schema)
        let database = Self.identifier(self.database)
        let onSchema = { (table: String) in "\(schema).\(Self.identifier(table))" }
        let (reader, writer) = (Self.identifier(self.reader), Self.identifier(self.writer))
        var sql = [createRole(self.reader), createRole(self.writer)]
        sql.append("GRANT CONNECT ON DATABASE \(database) TO \(reader), \(writer)")
        sql.append("GRANT USAGE ON SCHEMA \(schema) TO \(reader), \(writer)")
        sql.append("GRANT SELECT ON \(Self.readerTables.map(onSchema).joined(separator: ", ")) TO \(reader)")
        for (table, columns) in Self.readerColumns {
            sql.append("GRANT SELECT (\(columns.map(Self.identifier).joined(separator: ", "))) ON \(onSchema(table)) TO \(reader)")
        }
        sql.append("REVOKE ALL ON \(Self.eventRelations.map(onSchema).joined(separator: ", ")) FROM \(reader)")
        sql.append("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON \(onSchema("events")) FROM \(writer)")
        for (table, privileges) in Self.writerPrivileges {
            sql.append("GRANT \(privileges.joined(separator: ", ")) ON \(onSchema(table)) TO \(writer)")
        }
        sql.append("GRANT TEMPORARY ON DATABASE \(database) TO \(writer)")
        return sql
    }

    /// `$1` role (or `public`): the relations through which it may read rows of `events` (user and session ids):
    /// `events`, its partitions and every view over them, at any depth (`level_events`, a DBA's own). Each with
    /// whether PUBLIC may read it, and the roles the role belongs to that may (`pg_read_all_data` included).
    /// Column grants count (`has_any_column_privilege`).
    static let eventsExposureSQL = """
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
                    AND has_any_column_privilege(m.oid, x.rel, 'SELECT') ORDER BY 1), E'\\n') END
          FROM exposing x
         WHERE has_any_column_privilege($1::name, x.rel, 'SELECT')
         ORDER BY 1
        """

    /// How to give the roles to people, for the command's closing lines.
    public var grantHints: [String] {
        ["GRANT \(reader) TO alice;   -- browses the dashboard: aggregates only",
         "GRANT \(writer) TO etl;     -- runs backfill, refresh and the daily job"]
    }

    /// `GRANT role TO login` for one login role (any name: quoted).
    public static func grant(_ role: String, to login: String) -> String {
        "GRANT \(identifier(role)) TO \(identifier(login))"
    }

    private func createRole(_ name: String) -> String {
        """
        DO $roles$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(name)') THEN CREATE ROLE \(Self.identifier(name)) NOLOGIN; END IF;
        END $roles$
        """
    }

    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63,
              first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// A quoted SQL identifier (DDL cannot take identifiers as parameters): embedded quotes doubled.
    public static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A relation through which a role may read user ids (`events`, a partition, a view over them), and why.
public struct EventsExposure: Sendable, Hashable, CustomStringConvertible {
    /// As PostgreSQL names it (schema-qualified when not on the search path).
    public var relation: String
    /// PUBLIC may read it: every role may, whatever `roles` revokes from the reader.
    public var publicMayRead: Bool
    /// Roles the role belongs to that may read it (meaningful when PUBLIC may not: every role has PUBLIC's rights).
    public var throughRoles: [String]

    public init(relation: String, publicMayRead: Bool, throughRoles: [String]) {
        self.relation = relation
        self.publicMayRead = publicMayRead
        self.throughRoles = throughRoles
    }

    /// `events (granted to PUBLIC)`, `level_events (through role etl)`, `events_2026 (granted to the role)`.
    public var description: String {
        if publicMayRead { return "\(relation) (granted to PUBLIC)" }
        if !throughRoles.isEmpty { return "\(relation) (through role \(throughRoles.joined(separator: ", ")))" }
        return "\(relation) (granted to the role)"
    }

    /// Why `roles` refused: what the reader could read, and the first fix.
    static func refusal(reader: String, _ exposures: [EventsExposure]) -> String {
        let fix = exposures.first(where: \.publicMayRead).map { "REVOKE ALL ON \($0.relation) FROM PUBLIC" }
            ?? exposures.first.map { e in
                e.throughRoles.first.map { "REVOKE \(AccessRoles.identifier($0)) FROM \(AccessRoles.identifier(reader))" }
                    ?? "REVOKE ALL ON \(e.relation) FROM \(AccessRoles.identifier(reader))"
            }
            ?? ""
        return "\(reader) could still read user ids through " + exposures.map(\.description).joined(separator: ", ")
            + ": revoke those grants (e.g. \(fix)) and run roles again; nothing was changed"
    }
}
