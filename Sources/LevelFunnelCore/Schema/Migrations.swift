import PostgresClient

/// One versioned step of the schema. Steps only ever add; none alters or deletes event rows.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
    /// `CREATE INDEX CONCURRENTLY` cannot run inside a transaction block; such steps run statement by statement.
    var transactional = true
    /// Indexes this step creates concurrently: an interrupted `CREATE INDEX CONCURRENTLY` leaves an invalid index
    /// that `IF NOT EXISTS` would keep, so such leftovers are dropped before the step runs.
    var rebuildsInvalidIndexes: [String] = []
}

/// Creates and upgrades the levelfunnel schema, recording applied versions in `schema_migrations`.
public enum SchemaMigrator {
    /// The newest schema version this build knows.
    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Applies every missing migration, in order; safe to run any number of times and from two sessions at once.
    /// - Returns: the versions applied by this call (empty when already up to date).
    @discardableResult
    public static func migrate(_ db: PostgresConnection) throws -> [Int] {
        // The lock comes first: two sessions creating `schema_migrations` at once would collide on the catalog
        // (`IF NOT EXISTS` does not make concurrent CREATEs safe).
        try db.withAdvisoryLock(AdvisoryLockKey.migrations) {
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                  version    integer PRIMARY KEY,
                  name       text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try db.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) })
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                let record = { _ = try db.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                              [migration.version, migration.name]) }
                if migration.transactional {
                    try db.transaction {
                        for statement in migration.statements { try db.execute(statement) }
                        try record()
                    }
                } else {
                    try dropInvalidIndexes(named: migration.rebuildsInvalidIndexes, db)
                    for statement in migration.statements { try db.execute(statement) }
                    try record()
                }
                done.append(migration.version)
            }
            return done
        }
    }

    /// The schema version of the database, or nil when it was never migrated.
    public static func currentVersion(_ db: PostgresConnection) throws -> Int? {
        let exists = try db.query("SELECT to_regclass('schema_migrations') IS NOT NULL").first?.decode(Bool.self, at: 0) ?? false
        guard exists else { return nil }
        return try db.query("SELECT max(version) FROM schema_migrations").first?.decode(Int?.self, at: 0) ?? nil
    }

    /// Throws ``LevelFunnelError/schemaMissing`` unless the database is migrated to this build's version.
    public static func requireCurrent(_ db: PostgresConnection) throws {
        guard let version = try currentVersion(db), version >= latestVersion else { throw LevelFunnelError.schemaMissing }
    }

    private static func dropInvalidIndexes(named names: [String], _ db: PostgresConnection) throws {
        for name in names {
            let invalid = try db.query("""
                SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE NOT i.indisvalid AND c.relname = $1 AND c.relnamespace = current_schema()::regnamespace
                """, [name])
            // The names come from SchemaSQL, never from input; DDL cannot take an identifier as a parameter.
            if !invalid.isEmpty { try db.execute("DROP INDEX CONCURRENTLY IF EXISTS \"\(name)\"") }
        }
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "events", statements: [SchemaSQL.eventsTable]),
        Migration(version: 2, name: "level event rules", statements: SchemaSQL.levelEventRules),
        Migration(version: 3, name: "events indexes", statements: SchemaSQL.eventsIndexes, transactional: false,
                  rebuildsInvalidIndexes: SchemaSQL.eventsIndexNames),
        Migration(version: 4, name: "daily aggregates", statements: SchemaSQL.dailyAggregates),
        Migration(version: 5, name: "refresh watermarks", statements: [SchemaSQL.refreshWatermarks]),
        Migration(version: 6, name: "aggregation snapshots", statements: [SchemaSQL.aggregationSnapshots]),
        Migration(version: 7, name: "player key index", statements: SchemaSQL.playerKeyIndex, transactional: false,
                  rebuildsInvalidIndexes: SchemaSQL.playerKeyIndexNames),
    ]
}

/// Keys of the advisory locks levelfunnel takes; one namespace so they never collide with each other.
enum AdvisoryLockKey {
    static let migrations: Int64 = 0x4C46_0000_0000_0001

    /// The lock that serializes aggregation work on one game (backfill, daily refresh, single-day aggregate).
    static func aggregation(game: String) -> Int64 {
        // FNV-1a: stable across processes and builds, unlike Swift's seeded `hashValue`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in game.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int64(bitPattern: hash & 0x0000_FFFF_FFFF_FFFF | 0x4C46_0000_0000_0000)
    }
}
