import Foundation
import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Input the commands must refuse, or report, in plain words (issue 17, points 10-15).
@Suite struct InputCLITests {
    /// Out-of-range numbers and dates are usage errors (exit 64) before any query: the database URL here points
    /// nowhere, so reaching it would be a connection error (exit 1) instead.
    @Test func outOfRangeOptionsAreUsageErrorsBeforeAnyQuery() throws {
        let nowhere = ["--database-url", "postgresql://u@127.0.0.1:1/x?connect_timeout=2"]
        let years = "with a year from 1900 to 9999"
        for (args, message) in [
            (["query", "--game", "g", "--funnel-version", "99999999999"],
             "--funnel-version '99999999999' is not a whole number from -2147483648 to 2147483647"),
            (["verify", "--game", "g", "--funnel-version", "2147483648"], "--funnel-version '2147483648' is not a whole number"),
            (["query", "--game", "g", "--from", "0000-01-01"], "--from '0000-01-01' is not a date: use YYYY-MM-DD \(years)"),
            (["query", "--game", "g", "--from", "+202-01-01"], "--from '+202-01-01' is not a date: use YYYY-MM-DD \(years)"),
            (["query", "--game", "g", "--to", "1899-12-31"], "--to '1899-12-31' is not a date: use YYYY-MM-DD \(years)"),
            (["query", "--game", "g", "--to=-999-01-01"], "--to '-999-01-01' is not a date"),
            (["verify", "--game", "g", "--from", " 2026-01-01"], "--from ' 2026-01-01' is not a date"),
            (["backfill", "--game", "g", "--from", "+202-01-01"], "--from '+202-01-01' is not a date: use YYYY-MM-DD \(years)"),
            (["aggregate", "--game", "g", "--date", "0000-01-01"], "--date '0000-01-01' is not a date"),
            (["generate", "--game", "g", "--start", "0202-01-01"], "--start '0202-01-01' is not a date: use YYYY-MM-DD \(years)"),
        ] {
            let run = try CLITests.levelfunnel(args + nowhere)
            #expect(run.status == 64, "\(args): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(message), "\(args): \(run.stderr)")
            #expect(!run.stderr.contains("database error") && !run.stderr.contains("cannot connect"), "\(args): \(run.stderr)")
        }
    }

    /// The bounds themselves are accepted, and answer: PostgreSQL's largest integer and the last typed year.
    @Test func theBoundsAreAccepted() throws {
        let database = try CLITests.loadedDatabase("cliinputbounds")
        let url = ["--database-url", database.url]
        let top = try CLITests.levelfunnel(["query", "--game", "g", "--source", "raw", "--funnel-version", "2147483647",
                                            "--format", "csv"] + url)
        #expect(top.status == 0, "\(top.stderr)")
        #expect(top.stdout == FunnelFormatter.csv([]), "no level has that version: \(top.stdout)")
        let late = try CLITests.levelfunnel(["query", "--game", "g", "--source", "raw", "--from", "2026-02-01", "--to", "9999-12-31",
                                             "--format", "csv"] + url)
        #expect(late.status == 0, "\(late.stderr)")
        let whole = try CLITests.levelfunnel(["query", "--game", "g", "--source", "raw", "--format", "csv"] + url)
        #expect(late.stdout == whole.stdout && whole.stdout.split(separator: "\n").count > 3)
    }

    /// A saved view's `sort = "levelId desc"` puts the last level first (it came out ascending), in the table and
    /// the CSV; `levelId asc` keeps level order.
    @Test func aSavedViewSortedByLevelDescending() throws {
        let (database, store) = try AnalysisCLITests.aggregated("cliviewlevel")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("lf-config-\(UUID().uuidString)").path
        let path = SavedViews.defaultPath(environment: ["XDG_CONFIG_HOME": config])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("[views.down]\ngame = \"g\"\nsort = \"levelId desc\"\n\n[views.up]\ngame = \"g\"\nsort = \"levelId asc\"\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let levels = try store.funnel(FunnelQuery(game: "g", range: AnalysisCLITests.range)).levels
        #expect(levels.count > 2 && levels.map(\.levelId) == levels.map(\.levelId).sorted())
        func run(_ view: String, _ format: String) throws -> String {
            let run = try CLITests.levelfunnel(["query", "--view", view, "--format", format, "--database-url", database.url],
                                               environment: ["XDG_CONFIG_HOME": config])
            #expect(run.status == 0, "\(run.stderr)")
            return run.stdout
        }
        #expect(try run("down", "csv") == FunnelFormatter.csv(levels.reversed()))
        #expect(try run("up", "csv") == FunnelFormatter.csv(levels))
        let table = try run("down", "table").split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        let shown = table.compactMap(Int.init)
        #expect(shown == levels.map(\.levelId).reversed(), "\(table)")
    }

    /// `refresh` with nothing to do says so in words, never `0 days ()`. The events were received weeks ago (a
    /// refresh re-checks the last 5 minutes' arrivals every time).
    @Test func refreshWithNothingToDoSaysSo() throws {
        let database = try TestDatabase.fresh("clirefreshidle")
        let url = ["--database-url", database.url]
        #expect(try CLITests.levelfunnel(["migrate"] + url).status == 0)
        let start = Day.today.adding(days: -40).iso
        let generated = try CLITests.levelfunnel(["generate", "--game", "g", "--players", "20", "--days", "3", "--levels", "5",
                                                  "--start", start] + url)
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(try CLITests.levelfunnel(["backfill", "--game", "g", "--plain"] + url).status == 0)
        let first = try CLITests.levelfunnel(["refresh", "--game", "g"] + url)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.contains("()"), "\(first.stdout)")
        let idle = try CLITests.levelfunnel(["refresh", "--game", "g"] + url)
        #expect(idle.status == 0, "\(idle.stderr)")
        #expect(idle.stdout.hasPrefix("refreshed g: nothing to do: every day is aggregated and none changed, "), "\(idle.stdout)")
        #expect(idle.stdout.hasSuffix(" s\n") && !idle.stdout.contains("0 days"), "\(idle.stdout)")
    }

    /// `bench --scale` (events, VACUUM FULL), `bench --morning` (events) and `stress` (a backfill and a refresh in a
    /// loop) refuse a database holding a game bench did not generate, before writing anything;
    /// `--allow-foreign-games` overrides it, and a database of bench's games alone (scale<N>, morning<N>) needs no flag.
    @Test func benchAndStressRefuseADatabaseWithOtherGames() throws {
        let database = try TestDatabase.fresh("cliforeign")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.copy(RandomEvents.make(seed: 41, count: 300, game: "g", days: 3))
        try store.db.copy(RandomEvents.make(seed: 43, count: 300, game: "scale7", days: 3))
        try store.db.copy(RandomEvents.make(seed: 47, count: 100, game: "morning4", days: 3))
        let url = ["--database-url", database.url]
        let refusal = "this database holds games that bench did not generate (such as 'g'): use a database of its own, or pass --allow-foreign-games"
        func count(_ sql: String) throws -> Int { try store.db.query(sql).one().decode(Int.self, at: 0) }

        let bench = try CLITests.levelfunnel(["bench", "--scale", "1", "--days", "2", "--runs", "1"] + url)
        #expect(bench.status == 1, "\(bench.stdout)")
        #expect(bench.stderr == "levelfunnel: error: bench --scale writes events and compacts the aggregate tables (VACUUM FULL), and \(refusal)\n")
        let morning = try CLITests.levelfunnel(["bench", "--morning", "1", "--days", "2", "--runs", "1"] + url)
        #expect(morning.status == 1, "\(morning.stdout)")
        #expect(morning.stderr == "levelfunnel: error: bench --morning generates a game and adds a morning's events to it, and \(refusal)\n")
        let stressArgs = ["stress", "--game", "scale7", "--readers", "1", "--queries", "2", "--sample", "1"]
        let stress = try CLITests.levelfunnel(stressArgs + url)
        #expect(stress.status == 1, "\(stress.stdout)")
        #expect(stress.stderr == "levelfunnel: error: stress re-aggregates --game in a loop under load, and \(refusal)\n")
        #expect(try count("SELECT count(*) FROM events WHERE game_id IN ('scale1', 'morning1')") == 0)
        #expect(try count("SELECT count(*) FROM aggregated_days") == 0)

        // Readers alone write nothing: allowed.
        #expect(try CLITests.levelfunnel(stressArgs + ["--no-writers"] + url).status == 0)
        #expect(try count("SELECT count(*) FROM aggregated_days") == 0)
        // Told explicitly.
        let allowed = try CLITests.levelfunnel(stressArgs + ["--allow-foreign-games"] + url)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try count("SELECT count(*) FROM aggregated_days WHERE game_id = 'scale7'") >= 3)
        // bench's games alone.
        try store.db.execute("DELETE FROM events WHERE game_id = 'g'")
        let own = try CLITests.levelfunnel(stressArgs + url)
        #expect(own.status == 0, "\(own.stderr)")
    }

    /// `roles` refuses, changing nothing, while the reader could still read user ids through a grant it does not
    /// revoke (to PUBLIC, through a role the reader belongs to, on a view of its own); a real login granted the
    /// reader reads `events` before and is refused after.
    @Test func rolesRefusesWhileTheReaderCouldReadUserIds() throws {
        let database = try CLITests.loadedDatabase("clirolespublic")
        let admin = try database.connect()
        let (reader, writer) = ("lfr_\(database.schema)", "lfw_\(database.schema)")
        let login = try TestLogin("lfrl", on: database, admin: admin)
        defer {
            login.drop()
            for role in [reader, writer] {
                _ = try? admin.execute("DROP OWNED BY \"\(role)\"")
                _ = try? admin.execute("DROP ROLE \"\(role)\"")
            }
        }
        let roles = ["roles", "--reader", reader, "--writer", writer, "--grant-reader", login.name, "--database-url", database.url]
        func readsUserIds(_ relation: String) throws -> Bool {
            let db = try PostgresConnection(url: login.url)
            do {
                return try !db.query("SELECT user_id FROM \(relation) LIMIT 1").isEmpty
            } catch let error as PostgresError {
                #expect(error.message.contains("permission denied"), "\(error)")
                return false
            }
        }
        func roleExists(_ name: String) throws -> Bool { try !admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name]).isEmpty }

        try admin.execute("GRANT SELECT ON events TO PUBLIC")
        #expect(try readsUserIds("events"))
        let refused = try CLITests.levelfunnel(roles)
        #expect(refused.status == 1, "\(refused.stdout)")
        #expect(refused.stderr == "levelfunnel: error: \(reader) could still read user ids through events (granted to PUBLIC): "
            + "revoke those grants (e.g. REVOKE ALL ON events FROM PUBLIC) and run roles again; nothing was changed\n")
        #expect(try !roleExists(reader) && !roleExists(writer), "the refused run was rolled back")
        let printed = try CLITests.levelfunnel(["roles", "--print", "--reader", reader, "--writer", writer, "--database-url", database.url])
        #expect(printed.status == 0 && printed.stdout.hasSuffix("COMMIT;\n"))
        #expect(printed.stderr.contains("warning: PUBLIC may read user ids through events, and so would \(reader)"),
                "\(printed.stderr)")

        try admin.execute("REVOKE ALL ON events FROM PUBLIC")
        let made = try CLITests.levelfunnel(roles)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try !readsUserIds("events") && !readsUserIds("level_events"))
        #expect(try CLITests.levelfunnel(["roles", "--print", "--database-url", database.url]).stderr.isEmpty)

        // Through a role the reader belongs to (here the writer), and through a view roles does not know.
        try admin.execute("GRANT \"\(writer)\" TO \"\(reader)\"")
        #expect(try readsUserIds("events"))
        let member = try CLITests.levelfunnel(roles)
        #expect(member.status == 1)
        #expect(member.stderr.contains("could still read user ids through events (through role \(writer)), level_events (through role \(writer))"),
                "\(member.stderr)")
        #expect(member.stderr.contains("REVOKE \"\(writer)\" FROM \"\(reader)\""), "\(member.stderr)")
        #expect(try readsUserIds("events"), "rolled back: the membership is still there")
        try admin.execute("REVOKE \"\(writer)\" FROM \"\(reader)\"")
        try admin.execute("CREATE VIEW players AS SELECT DISTINCT user_id FROM level_events")
        try admin.execute("GRANT SELECT ON players TO \"\(reader)\"")
        #expect(try readsUserIds("players"))
        let view = try CLITests.levelfunnel(roles)
        #expect(view.status == 1)
        #expect(view.stderr.contains("could still read user ids through players (granted to the role)"), "\(view.stderr)")
        try admin.execute("DROP VIEW players")
        #expect(try CLITests.levelfunnel(roles).status == 0)
    }
}
