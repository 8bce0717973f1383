import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// `levelfunnel roles`, and the commands as its reader and writer see them.
@Suite struct RolesCLITests {
    @Test func aReaderBrowsesFromTheAggregatesAndIsRefusedTheRestInOneLine() throws {
        let database = try CLITests.loadedDatabase("clireader")
        let admin = try database.connect()
        let suffix = database.schema
        let (reader, writer, readerLogin, writerLogin) = ("lfr_\(suffix)", "lfw_\(suffix)", "lfrl_\(suffix)", "lfwl_\(suffix)")
        defer {
            for role in [readerLogin, writerLogin, reader, writer] {
                _ = try? admin.execute("DROP OWNED BY \"\(role)\"")
                _ = try? admin.execute("DROP ROLE \"\(role)\"")
            }
        }
        for login in [readerLogin, writerLogin] { try admin.execute("CREATE ROLE \"\(login)\" LOGIN") }
        let url = ["--database-url", database.url]
        func run(_ args: [String], as login: String? = nil) throws -> CLITests.Run {
            let target = login.map { database.url(as: $0) } ?? database.url
            return try CLITests.levelfunnel(args + ["--database-url", target])
        }

        let printed = try CLITests.levelfunnel(["roles", "--print", "--reader", reader, "--writer", writer] + url)
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.hasPrefix("BEGIN;\n") && printed.stdout.hasSuffix("COMMIT;\n"))
        #expect(printed.stdout.contains("GRANT SELECT ON \"\(suffix)\".\"level_metrics_daily\""))
        #expect(!printed.stdout.contains("GRANT SELECT ON \"\(suffix)\".\"events\" TO \"\(reader)\""))
        #expect(try admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [reader]).isEmpty, "--print created a role")

        let roles = ["roles", "--reader", reader, "--writer", writer, "--grant-reader", readerLogin, "--grant-writer", writerLogin]
        for _ in 0..<2 {
            let made = try run(roles)
            #expect(made.status == 0, "\(made.stderr)")
            #expect(made.stdout.contains("granted \(reader) to \(readerLogin)"))
        }
        #expect(try run(["roles", "--reader", "Bad-Name"]).stderr.contains("must be a lowercase identifier"))

        // The writer aggregates the first eight days; the reader sees what the aggregates hold.
        let backfill = try run(["backfill", "--game", "g", "--to", "2026-02-08"], as: writerLogin)
        #expect(backfill.status == 0, "\(backfill.stderr)")

        let games = try run(["games"], as: readerLogin)
        #expect(games.status == 0, "\(games.stderr)")
        #expect(games.stdout.contains("g     2026-02-01  2026-02-08  8     8           0      -     -"), "\(games.stdout)")
        #expect(games.stdout.contains("this role may not read events"))

        let whole = try run(["query", "--game", "g", "--format", "csv"], as: readerLogin)
        #expect(whole.status == 0, "\(whole.stderr)")
        let exact = try run(["query", "--game", "g", "--from", "2026-02-01", "--to", "2026-02-08", "--source", "raw", "--format", "csv"])
        #expect(whole.stdout == exact.stdout)
        #expect(whole.stdout.split(separator: "\n").count > 3)

        for (args, line) in [(["query", "--game", "g", "--source", "raw"], "the raw path needs read access to events: ask for levelfunnel_writer"),
                             (["verify", "--game", "g"], "verify needs read access to events: ask for levelfunnel_writer"),
                             (["backfill", "--game", "g"], "backfill needs read access to events and write access to the aggregates"),
                             (["refresh"], "refresh needs read access to events and write access to the aggregates"),
                             (["aggregate", "--game", "g", "--date", "2026-02-03"], "aggregate needs read access to events"),
                             (["schedule", "--now"], "schedule needs read access to events and write access to the aggregates")] {
            let refused = try run(args, as: readerLogin)
            #expect(refused.status == 1, "\(args): \(refused.stdout)")
            #expect(refused.stderr.contains(line), "\(args): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(args): \(refused.stderr)")
        }
    }
}
