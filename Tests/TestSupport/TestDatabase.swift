import Foundation
import PostgresClient

/// A private schema in the test PostgreSQL, so that tests running in parallel never see each other's rows.
///
/// The server comes from `LEVELFUNNEL_TEST_DATABASE_URL`, which `make test` sets after starting its private
/// cluster (`scripts/pg.sh`). Without it the tests fail loudly: they never skip.
public struct TestDatabase: Sendable {
    /// A connection string whose sessions use the private schema (`search_path`).
    public let url: String
    public let schema: String

    /// Creates a new empty schema.
    public static func fresh(_ label: String = "t") throws -> TestDatabase {
        try fresh(label, base: baseURL(), eventsOnCitus: true)
    }

    /// Creates a new empty schema on the server of `base`; on a Citus coordinator with `eventsOnCitus`, with
    /// `events` in it, distributed by game.
    public static func fresh(_ label: String, base: String, eventsOnCitus: Bool = false) throws -> TestDatabase {
        let schema = "\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try PostgresConnection(url: base)
        try admin.execute("CREATE SCHEMA \"\(schema)\"")
        let database = TestDatabase(url: withSearchPath(base, schema), schema: schema)
        // On a Citus coordinator (`make test-citus` runs the differential tests there), `events` is made and
        // distributed by game as a DBA would, before the test migrates.
        if try eventsOnCitus && admin.query("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL").one().decode(Bool.self, at: 0) {
            let db = try database.connect()
            for statement in CitusCluster.distributedEvents { try db.execute(statement) }
        }
        return database
    }

    /// A new database of its own (its `public` schema), for a test that measures table sizes: dead rows are
    /// removed only when no transaction of the same database may still see them, and the tests running beside it
    /// in the shared database hold such transactions. `drop()` removes it.
    public static func freshDatabase(_ label: String) throws -> TestDatabase {
        let base = try baseURL()
        let name = "lf_\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        try PostgresConnection(url: base).execute("CREATE DATABASE \"\(name)\"")
        guard let slash = base.range(of: "///"), let end = base[slash.upperBound...].firstIndex(of: "?") else {
            throw PostgresError(kind: .connection, message: "cannot name another database in \(base)")
        }
        return TestDatabase(url: base.replacingCharacters(in: slash.upperBound..<end, with: name), schema: "public")
    }

    /// Drops a database made by ``freshDatabase(_:)`` (for `defer`).
    public func drop() {
        guard schema == "public", let base = try? Self.baseURL(), let admin = try? PostgresConnection(url: base),
              let name = url.range(of: "///").flatMap({ r in url[r.upperBound...].split(separator: "?").first }) else { return }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    /// A new connection to the private schema.
    public func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

    /// The server's URL as `make test` gives it.
    public static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["LEVELFUNNEL_TEST_DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(kind: .connection, message: """
                LEVELFUNNEL_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a private \
                PostgreSQL (scripts/pg.sh) and sets it
                """)
        }
        return url
    }

    /// Adds `options=-c search_path=SCHEMA` to a URL or key=value connection string.
    static func withSearchPath(_ base: String, _ schema: String) -> String {
        if base.hasPrefix("postgres://") || base.hasPrefix("postgresql://") {
            return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        }
        return base + " options='-csearch_path=\(schema)'"
    }
}

/// A login role made for one test, on the test server (roles are per cluster, so its name carries the schema's).
public struct TestLogin {
    public let name: String
    /// The schema's URL, logged in as this role.
    public let url: String
    private let admin: PostgresConnection

    /// Creates login `<prefix>_<schema>` with USAGE on the schema; `admin` grants it more and drops it.
    public init(_ prefix: String, on database: TestDatabase, admin: PostgresConnection) throws {
        name = "\(prefix)_\(database.schema)"
        url = database.url(as: name)
        self.admin = admin
        try admin.execute("CREATE ROLE \"\(name)\" LOGIN")
        try admin.execute("GRANT USAGE ON SCHEMA \"\(database.schema)\" TO \"\(name)\"")
    }

    /// Removes the role and what it owns (for `defer`).
    public func drop() {
        _ = try? admin.execute("DROP OWNED BY \"\(name)\"")
        _ = try? admin.execute("DROP ROLE \"\(name)\"")
    }
}

extension TestDatabase {
    /// The schema's URL, logged in as `role` instead of the test server's superuser.
    public func url(as role: String) -> String { url.replacingOccurrences(of: "user=postgres", with: "user=\(role)") }
}
