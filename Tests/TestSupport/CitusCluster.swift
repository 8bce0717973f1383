import Foundation
import PostgresClient

/// The private Citus cluster of `scripts/citus.sh` (a coordinator and two workers), for the distributed tests.
///
/// The coordinator's URL comes from `LEVELFUNNEL_CITUS_TEST_DATABASE_URL` (`make test-citus` sets it), else from
/// the project's script, which starts the cluster. Without Citus installed the suite is disabled, with the line
/// that says how to install it, except in CI (`CI=true`), where it runs and fails: CI never skips it silently.
public enum CitusCluster {
    /// The database the tests use on the cluster when no URL is given.
    static let testDatabase = "levelfunnel_citus_test"

    /// The project's root (this file is Tests/TestSupport/CitusCluster.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// How to get Citus when it is missing: printed when the suite is disabled.
    public static let installHint = "Citus is not installed: run `scripts/citus.sh install` (builds it from ../shared/vendor/citus, needs root), then `make test-citus`"

    /// Whether the Citus suite runs: a URL is given, Citus is installed, or this is CI (which must not skip it).
    public static var enabled: Bool {
        let env = ProcessInfo.processInfo.environment
        if env["LEVELFUNNEL_CITUS_TEST_DATABASE_URL"]?.isEmpty == false || env["CI"] == "true" { return true }
        return (try? script(["installed"]).status) == 0
    }

    /// The coordinator's URL of the test database, the cluster started by the script when no URL is given.
    public static func baseURL() throws -> String { try started.get() }

    /// The URL, the script run once per test process (tests run in parallel).
    private static let started = Result<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["LEVELFUNNEL_CITUS_TEST_DATABASE_URL"], !url.isEmpty { return url }
        let started = try script(["start", testDatabase])
        guard started.status == 0 else {
            throw PostgresError(kind: .connection, message: "scripts/citus.sh start failed: \(started.stderr) \(installHint)")
        }
        return try script(["url", testDatabase]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func script(_ arguments: [String]) throws -> Subprocess {
        try Subprocess.run(root.appendingPathComponent("scripts/citus.sh"), arguments)
    }

    /// `events` as the contract gives it, keyed by `(game_id, id)` (a distributed table's keys must contain the
    /// distribution column), distributed by `game_id`: what a DBA does before `levelfunnel migrate`.
    public static let distributedEvents = [
        """
        CREATE TABLE events (
          id                   bigserial,
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
          received_at          timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (game_id, id))
        """,
        "SELECT create_distributed_table('events', 'game_id')",
    ]

    /// The port of the worker holding `game`'s shard of `table`.
    public static func workerPort(of game: String, table: String = "events", _ db: PostgresConnection) throws -> Int {
        try db.query("""
            SELECT nodeport FROM citus_shards
             WHERE table_name = $2::regclass AND shardid = get_shard_id_for_distribution_column($2::regclass, $1::text)
            """, [game, table]).one().decode(Int.self, at: 0)
    }

    /// Two game ids (from `prefix1`, `prefix2`, ...) whose shards are on different workers.
    public static func gamesOnDifferentWorkers(_ db: PostgresConnection, prefix: String = "game") throws -> (String, String) {
        let first = "\(prefix)1"
        let port = try workerPort(of: first, db)
        for n in 2...64 where try workerPort(of: "\(prefix)\(n)", db) != port { return (first, "\(prefix)\(n)") }
        throw PostgresError(kind: .query, message: "no two games on different workers: is the cluster's second worker registered?")
    }
}

extension TestDatabase {
    /// A new empty schema on the Citus coordinator (``CitusCluster``); Citus creates it on the workers too.
    public static func freshOnCitus(_ label: String = "t") throws -> TestDatabase {
        try fresh(label, base: CitusCluster.baseURL())
    }
}
