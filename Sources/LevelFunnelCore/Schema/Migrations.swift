import PostgresClient

/// One versioned step of the schema. Steps only ever add, except that an aggregate table may be replaced (its
/// days then marked stale, rebuilt from `events` by the next refresh); none alters or deletes event rows.
struct Migration: Sendable {
    var version: Int
    var name: String
    /// Run in one transaction with the step's record (in a step with indexes, one by one before them).
    var statements: [String] = []
    /// Indexes this step needs on `events`, built by `EventsIndexBuilder` outside any transaction (concurrently,
    /// partition by partition on a partitioned `events`, not at all when an equivalent one is there).
    var eventsIndexes: [EventsIndex] = []
    /// Indexes of `events` this step drops (by levelfunnel's name only).
    var dropsEventsIndexes: [String] = []
}

/// What `migrate` did.
public struct MigrationReport: Sendable, Equatable {
    /// The versions applied by this call (empty when already up to date).
    public var applied: [Int]
    /// Whether `events` is a partitioned table.
    public var eventsPartitioned: Bool
    /// One entry per index the applied versions needed on `events`, in order.
    public var indexes: [EventsIndexOutcome]
    /// One PostgreSQL, or Citus with every levelfunnel table distributed by `game_id` beside `events`.
    public var distribution: Distribution = .singleNode
}

/// Creates and upgrades the levelfunnel schema, recording applied versions in `schema_migrations`.
public enum SchemaMigrator {
    /// The newest schema version this build knows.
    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Applies every missing migration, in order; safe to run any number of times and from two sessions at once.
    /// - Returns: the versions applied by this call and what was done about each index on `events`.
    @discardableResult
    public static func migrate(_ db: PostgresConnection) throws -> MigrationReport { try migrate(db, through: .max) }

    /// Applies the missing migrations up to `version` (tests build an older schema with it).
    static func migrate(_ db: PostgresConnection, through version: Int) throws -> MigrationReport {
        // The lock comes first: two sessions creating `schema_migrations` at once would collide on the catalog
        // (`IF NOT EXISTS` does not make concurrent CREATEs safe).
        try db.withAdvisoryLock(AdvisoryLockKey.migrations) {
            let distribution = try Distribution.detect(db)
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                  version    integer PRIMARY KEY,
                  name       text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try db.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) })
            let pending = migrations.sorted(by: { $0.version < $1.version })
                .filter { !applied.contains($0.version) && $0.version <= version }
            var report = MigrationReport(applied: [], eventsPartitioned: false, indexes: [])
            var builder: EventsIndexBuilder?   // once `events` exists
            for migration in pending {
                let record = { _ = try db.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                              [migration.version, migration.name]) }
                if migration.eventsIndexes.isEmpty && migration.dropsEventsIndexes.isEmpty {
                    try db.transaction {
                        for statement in distribution.stepSettings + migration.statements { try db.execute(statement) }
                        try distribution.distributeTables(db)
                        try record()
                    }
                } else {
                    // `CREATE INDEX CONCURRENTLY` cannot run inside a transaction block: index steps run one by one,
                    // each idempotent, so a run stopped midway resumes where it was.
                    let indexes = try builder ?? EventsIndexBuilder(db)
                    builder = indexes
                    for statement in migration.statements { try db.execute(statement) }
                    // An index that a later pending version drops is not built (a first migration would build
                    // `events_game_user_idx` only to drop it).
                    let droppedLater = Set(pending.filter { $0.version > migration.version }.flatMap(\.dropsEventsIndexes))
                    for index in migration.eventsIndexes where !droppedLater.contains(index.name) {
                        report.indexes.append(try indexes.ensure(index))
                    }
                    for name in migration.dropsEventsIndexes { try indexes.drop(name) }
                    try distribution.distributeTables(db)
                    try record()
                }
                report.applied.append(migration.version)
            }
            try distribution.distributeTables(db)
            report.distribution = distribution
            report.eventsPartitioned = try builder?.partitioned
                ?? db.query(SchemaSQL.eventsIsPartitioned).one().decode(Bool.self, at: 0)
            return report
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

    static let migrations: [Migration] = [
        Migration(version: 1, name: "events", statements: [SchemaSQL.eventsTable]),
        Migration(version: 2, name: "level event rules", statements: SchemaSQL.levelEventRules),
        Migration(version: 3, name: "events indexes", eventsIndexes: SchemaSQL.eventsIndexes),
        Migration(version: 4, name: "daily aggregates", statements: SchemaSQL.dailyAggregates),
        Migration(version: 5, name: "refresh watermarks", statements: [SchemaSQL.refreshWatermarks]),
        Migration(version: 6, name: "aggregation snapshots", statements: [SchemaSQL.aggregationSnapshots]),
        Migration(version: 7, name: "player key index", eventsIndexes: [SchemaSQL.playerKeyIndex],
                  dropsEventsIndexes: [SchemaSQL.replacedByPlayerKeyIndex]),
        Migration(version: 8, name: "cells as corrections", statements: SchemaSQL.cellsAsCorrections),
        Migration(version: 9, name: "activity fingerprints", statements: SchemaSQL.activityFingerprints),
        Migration(version: 10, name: "change capture", statements: SchemaSQL.changeCapture),
        Migration(version: 11, name: "changes from before capture", statements: [SchemaSQL.seedChanges]),
        Migration(version: 12, name: "distribution keys", statements: SchemaSQL.distributionKeys),
        Migration(version: 13, name: "deltas", statements: SchemaSQL.deltas),
        Migration(version: 14, name: "working tables", statements: WorkingTables.create),
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
