import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// `migrate` on a Citus cluster: it distributes every levelfunnel table beside `events`, or refuses in one line;
/// change capture works there as on one node.
@Suite(.enabled(if: CitusCluster.enabled, Comment(rawValue: CitusCluster.installHint)))
struct CitusMigrateTests {
    /// A fresh schema on the coordinator with `events` distributed by `game_id`, migrated.
    static func migrated(_ label: String) throws -> (TestDatabase, LevelFunnelStore, MigrationReport) {
        let database = try TestDatabase.freshOnCitus(label)
        let store = try LevelFunnelStore(url: database.url)
        for statement in CitusCluster.distributedEvents { try store.db.execute(statement) }
        return (database, store, try store.migrate())
    }

    @Test func migrateDistributesEveryLevelfunnelTableCoLocatedWithEvents() throws {
        let (_, store, report) = try Self.migrated("citusmigrate")
        #expect(report.distribution == .citus)
        #expect(report.applied == Array(1...SchemaMigrator.latestVersion))
        let rows = try store.db.query("""
            SELECT logicalrelid::regclass::text, partmethod::text, column_to_column_name(logicalrelid, partkey),
                   colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'events'::regclass)
              FROM pg_dist_partition
             WHERE logicalrelid::regclass::text = ANY ($1::text[])
             ORDER BY 1
            """, [PostgresArray.text(Distribution.tables)])
        let distributed = try rows.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1)) \(try $0.decode(String.self, at: 2)) \(try $0.decode(Bool.self, at: 3))" }
        #expect(distributed == Distribution.tables.sorted().map { "\($0) h game_id true" })
        // A second run changes nothing.
        #expect(try store.migrate().applied.isEmpty)
    }

    @Test func migrateRefusesInOneLineWhenEventsIsNotDistributedByGame() throws {
        for setup in [[] as [String],
                      [CitusCluster.distributedEvents[0]],
                      [CitusCluster.distributedEvents[0].replacingOccurrences(of: "PRIMARY KEY (game_id, id)", with: "PRIMARY KEY (user_id, id)"),
                       "SELECT create_distributed_table('events', 'user_id')"]] {
            let database = try TestDatabase.freshOnCitus("citusrefuse")
            let store = try LevelFunnelStore(url: database.url)
            for statement in setup { try store.db.execute(statement) }
            let refusal = #expect(throws: LevelFunnelError.self) { try store.migrate() }
            let line = refusal?.description ?? ""
            #expect(!line.contains("\n") && line.contains("create_distributed_table('events', 'game_id')"))
            #expect(line.contains(setup.count == 2 ? "distributed by 'user_id'" : "is not distributed"), "\(line)")
            #expect(try store.db.query("SELECT to_regclass('schema_migrations') IS NULL").one().decode(Bool.self, at: 0))
        }
    }

    /// The same writes on the cluster and on one node capture the same changes, each visible in the transaction
    /// that makes it (and gone with it when it rolls back), for two games on different workers.
    @Test func captureOnTheClusterRecordsWhatOneNodeRecords() throws {
        let (_, cluster, _) = try Self.migrated("cituscapture")
        let (g1, g2) = try CitusCluster.gamesOnDifferentWorkers(cluster.db)
        #expect(try CitusCluster.workerPort(of: g1, table: "event_changes", cluster.db)
                == CitusCluster.workerPort(of: g1, cluster.db))
        let single = try Harness1("singlecapture")

        func start(_ game: String, _ user: String, _ at: String) -> EventRow {
            EventRow(game: game, user: user, name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: at)
        }
        func changes(_ db: PostgresConnection) throws -> [String] {
            try db.query("""
                SELECT game_id || ' ' || day || ' ' || (SELECT array_agg(i ORDER BY i) FROM unnest(inserted) i)::text
                       || ' ' || (SELECT array_agg(r ORDER BY r) FROM unnest(removed) r)::text
                  FROM event_changes ORDER BY 1
                """).map { try $0.decode(String?.self, at: 0) ?? "" }
        }
        var seen: [[String]] = []
        for db in [cluster.db, single.db] {
            try db.transaction {
                try db.insert([start(g1, "a", "2026-02-01 10:00+00")])
                try db.copy([start(g1, "b", "2026-02-01 11:00+00"), start(g2, "b", "2026-02-02 11:00+00"),
                             EventRow(game: g2, user: "c", name: "purchase", properties: "{}", occurredAt: "2026-02-02 12:00+00")])
                // Seen by the transaction that made it.
                #expect(try changes(db).count == 3)
            }
            try db.execute("BEGIN")
            try db.insert([start(g2, "rolled back", "2026-02-05 10:00+00")])
            #expect(try changes(db).count == 4)
            try db.execute("ROLLBACK")
            try db.execute("UPDATE events SET occurred_at = '2026-02-04 11:00+00' WHERE user_id = 'b' AND game_id = $1", [g2])
            try db.execute("UPDATE events SET received_at = now() WHERE game_id = $1", [g1])   // counts nothing: no change
            try db.execute("DELETE FROM events WHERE user_id = 'a' AND game_id = $1", [g1])
            seen.append(try changes(db))
        }
        #expect(seen[0].count == 6)
        #expect(seen[0] == seen[1])
    }
}

/// A migrated schema on the single-node test PostgreSQL (`LEVELFUNNEL_TEST_DATABASE_URL`), to compare with.
struct Harness1 {
    let store: LevelFunnelStore
    var db: PostgresConnection { store.db }
    init(_ label: String) throws {
        store = try LevelFunnelStore(url: TestDatabase.fresh(label).url)
        try store.migrate()
    }
}
