/// The two group roles levelfunnel's users need, and the SQL that makes them (`levelfunnel roles`).
///
/// - The **reader** may read the aggregates and nothing else: they hold counts, never a user id, so the people
///   who browse the funnel need no access to `events` (user and session ids). Everything they browse (games,
///   histories, filter values, funnels, freshness, coverage) is answered from these tables.
/// - The **writer** is what aggregation and the daily job need: read `events`, write the aggregates, create
///   the temporary table of a day's players. It may not change `events`.
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
        ("level_cells_daily", ["SELECT", "INSERT", "DELETE"]),
        ("level_cell_tuples", ["SELECT", "INSERT"]),
        ("aggregated_days", ["SELECT", "INSERT", "UPDATE"]),
        ("refresh_watermarks", ["SELECT", "INSERT", "UPDATE"]),
        ("schema_migrations", ["SELECT"]),
    ]

    /// Relations that hold user ids: never granted to the reader, and revoked in case an earlier grant gave them.
    static let eventRelations = ["events", "level_events"]

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
        sql.append("REVOKE ALL ON \(Self.eventRelations.map(onSchema).joined(separator: ", ")) FROM \(reader)")
        sql.append("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON \(onSchema("events")) FROM \(writer)")
        for (table, privileges) in Self.writerPrivileges {
            sql.append("GRANT \(privileges.joined(separator: ", ")) ON \(onSchema(table)) TO \(writer)")
        }
        sql.append("GRANT TEMPORARY ON DATABASE \(database) TO \(writer)")
        return sql
    }

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
