import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// The command line under faults: one game's day failing (the others go on), the process killed with SIGKILL
/// mid-backfill, and the server restarted mid-backfill (on a cluster of the test's own).
@Suite struct FaultCLITests {
    static let history = try! DayRange(from: Day(iso: "2026-03-01")!, to: Day(iso: "2026-03-10")!)

    /// `levelfunnel ARGS`, started and left running; stderr is collected as it comes.
    final class Running {
        let process = Process()
        let stderr: StderrCollector
        let stdout = Pipe()

        init(_ arguments: [String]) throws {
            let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            process.executableURL = directory.appendingPathComponent("levelfunnel")
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "DATABASE_URL")
            process.environment = env
            let err = Pipe()
            process.standardError = err
            process.standardOutput = stdout
            stderr = StderrCollector(err)
            try process.run()
        }

        /// Waits up to `seconds` for the exit; nil when it is still running.
        func wait(seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            guard !process.isRunning else { return nil }
            process.waitUntilExit()
            return process.terminationStatus
        }

        var output: String { String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return false
    }

    /// Days of `game` aggregated by a transaction that started after `since` (the server's clock).
    static func daysAggregated(_ url: String, _ game: String, since: Double) throws -> Int {
        try PostgresConnection(url: url).query("""
            SELECT count(*) FROM aggregated_days WHERE game_id = $1 AND aggregated_at > to_timestamp($2::float8)
            """, [game, since]).one().decode(Int.self, at: 0)
    }

    static func serverNow(_ db: PostgresConnection) throws -> Double {
        try db.query("SELECT extract(epoch FROM clock_timestamp())::float8").one().decode(Double.self, at: 0)
    }

    static func exact(_ store: LevelFunnelStore, _ game: String, _ range: DayRange = history) throws -> Bool {
        let report = try store.verify(FunnelQuery(game: game, range: range))
        return report.differences.isEmpty && report.levelsCompared > 0
    }

    // MARK: A day that fails

    /// One day of one game times out (another session holds one of its rows; the CLI's statements may take 1.5 s):
    /// backfill and refresh over every game report that game and day in one line, do the other games, and exit 1.
    @Test func aDayThatTimesOutIsReportedAndTheOtherGamesGoOn() throws {
        let database = try TestDatabase.fresh("clitimeout")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        let games = ["cto1", "cto2", "cto3"]
        for (i, game) in games.enumerated() {
            try store.db.copy(RandomEvents.make(seed: 50 + UInt64(i), count: 800, game: game))
        }
        // Received before the aggregation: not late events for refresh (it allows 5 minutes).
        try store.db.execute("UPDATE events SET received_at = now() - interval '1 hour'")
        let url = ["--database-url", database.url]
        #expect(try CLITests.levelfunnel(["backfill", "--to", "2026-02-10"] + url).status == 0)
        // The refresh below redoes that day.
        try store.db.execute("UPDATE aggregated_days SET stale = true WHERE game_id = 'cto2' AND date = '2026-02-04'")

        let holder = try database.connect()
        try holder.execute("BEGIN")
        try holder.execute("SELECT 1 FROM level_metrics_daily WHERE game_id = 'cto2' AND date = '2026-02-04' LIMIT 1 FOR UPDATE")
        let timeout = ["--database-url",
                       database.url.replacingOccurrences(of: "options=-csearch_path", with: "options=-cstatement_timeout%3D1500%20-csearch_path")]
        let failed = "day 2026-02-04 failed: canceling statement due to statement timeout (SQLSTATE 57014)"

        let backfill = try CLITests.levelfunnel(["backfill", "--plain", "--to", "2026-02-10"] + timeout)
        #expect(backfill.status == 1)
        #expect(backfill.stdout.contains("backfilled cto1 2026-02-01..2026-02-10: 10 days"), "\(backfill.stdout)")
        #expect(backfill.stdout.contains("backfilled cto3 2026-02-01..2026-02-10: 10 days"))
        #expect(!backfill.stdout.contains("backfilled cto2"))
        #expect(backfill.stderr.contains("levelfunnel: error: backfill cto2: \(failed)\n"), "\(backfill.stderr)")
        #expect(backfill.stderr.hasSuffix("levelfunnel: error: 1 of 3 games failed (cto2); the others are done\n"))

        let refresh = try CLITests.levelfunnel(["refresh"] + timeout)
        #expect(refresh.status == 1)
        #expect(refresh.stdout.contains("refreshed cto1: ") && refresh.stdout.contains("refreshed cto3: "), "\(refresh.stdout)")
        #expect(refresh.stderr.contains("levelfunnel: error: refresh cto2: \(failed)\n"), "\(refresh.stderr)")
        #expect(refresh.stderr.hasSuffix("levelfunnel: error: 1 of 3 games failed (cto2); the others are done\n"))
        try holder.execute("ROLLBACK")

        let again = try CLITests.levelfunnel(["refresh"] + url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("refreshed cto2: 1 days (2026-02-04)"), "\(again.stdout)")
        for game in games {
            #expect(try Self.exact(store, game, DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)), "\(game)")
        }
        for command in ["backfill", "refresh"] {
            let help = try CLITests.levelfunnel([command, "--help"]).stdout
            #expect(help.contains("Exit status: 0 when every game is done; 1 when a game failed"), "\(command)")
            #expect(help.contains("--reconnect-timeout"))
        }
    }

    /// A game big enough that a backfill takes a few seconds (3,000 players, 10 days from `history`).
    static func generate(_ game: String, _ url: [String]) throws {
        let generate = try CLITests.levelfunnel(["generate", "--game", game, "--players", "3000", "--days", "10", "--levels", "30",
                                                 "--start", Self.history.from.iso] + url)
        #expect(generate.status == 0, "\(generate.stderr)")
    }

    // MARK: SIGKILL

    /// A backfill killed with SIGKILL after its first day: every day holds either its previous aggregate or the new
    /// one, never a mix; a re-run ends exact.
    @Test func sigkillMidBackfillLeavesEveryDayWholeAndARerunIsExact() throws {
        let database = try TestDatabase.fresh("clisigkill")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        let game = "sigkill"
        let url = ["--database-url", database.url]
        try Self.generate(game, url)
        _ = try store.backfill(game: game, range: Self.history)
        let old = try Self.history.days.map { try store.funnel(FunnelQuery(game: game, range: .single($0)), source: .aggregates).levels }
        // More events on every day: a re-aggregated day differs from its previous aggregate.
        try store.db.copy(RandomEvents.make(seed: 61, count: 4000, game: game, firstDay: Self.history.from.iso, days: 10, players: 300))
        let events = EventsGuard(["backfill"] + url, environment: [:])

        let since = try Self.serverNow(store.db)
        let running = try Running(["backfill", "--game", game, "--plain", "--to", Self.history.to.iso] + url)
        #expect(try Self.eventually { try Self.daysAggregated(database.url, game, since: since) >= 1 })
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.process.terminationReason == .uncaughtSignal && running.process.terminationStatus == SIGKILL)
        events.check()
        // Its session is gone (the server saw the socket close): the game's lock is free again.
        let key = AdvisoryLockKey.aggregation(game: game)
        #expect(try Self.eventually(10) {
            let free = try store.db.query("SELECT pg_try_advisory_lock($1::bigint)", [key]).one().decode(Bool.self, at: 0)
            if free { try store.db.execute("SELECT pg_advisory_unlock($1::bigint)", [key]) }
            return free
        })

        let redone = Set(try store.db.query("""
            SELECT date FROM aggregated_days WHERE game_id = $1 AND aggregated_at > to_timestamp($2::float8)
            """, [game, since]).map { try $0.decode(Day.self, at: 0) })
        #expect(!redone.isEmpty && redone.count < 10, "killed after \(redone.count) of 10 days: the game must take longer than that")
        for (day, previous) in zip(Self.history.days, old) {
            let now = try store.funnel(FunnelQuery(game: game, range: .single(day)), source: .aggregates).levels
            if redone.contains(day) {
                let raw = try store.funnel(FunnelQuery(game: game, range: .single(day)), source: .raw).levels
                #expect(FunnelComparison.differences(fast: now, raw: raw).isEmpty, "\(day): redone, but not equal to raw")
            } else {
                #expect(FunnelComparison.differences(fast: now, raw: previous).isEmpty, "\(day): not redone, but changed")
                #expect(!FunnelComparison.differences(fast: now, raw: try store.funnel(
                    FunnelQuery(game: game, range: .single(day)), source: .raw).levels).isEmpty, "\(day): the new events should show")
            }
        }

        let rerun = try CLITests.levelfunnel(["backfill", "--game", game, "--to", Self.history.to.iso] + url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.exact(store, game))
        #expect(try store.db.query("SELECT count(*) FROM aggregated_days WHERE game_id = $1 AND NOT stale", [game])
            .one().decode(Int.self, at: 0) == 10)
    }

    // MARK: A server restart

    /// The server restarts in the middle of a backfill (`pg_ctl restart -m fast`, on a cluster of the test's own):
    /// the backfill says so, reconnects, goes on from that day and ends exact. Stopped for good, the backfill gives
    /// up after --reconnect-timeout with one line; started again, a re-run ends exact, with the same tables.
    @Test func aServerRestartMidBackfillIsSurvivedAndAStopIsGivenUpOn() throws {
        let cluster = try PrivateCluster()
        defer { cluster.remove() }
        let store = try LevelFunnelStore(url: cluster.url)
        try store.migrate()
        let game = "restart"
        let url = ["--database-url", cluster.url]
        try Self.generate(game, url)
        let events = try EventsChecksum.of(store.db)
        // One day per transaction, so that the restart falls between days done.
        let backfill = ["backfill", "--game", game, "--plain", "--pass-days", "1", "--to", Self.history.to.iso] + url

        var since = try Self.serverNow(store.db)
        let running = try Running(backfill)
        #expect(try Self.eventually { try Self.daysAggregated(cluster.url, game, since: since) >= 2 })
        try cluster.run("restart")
        let status = running.wait(seconds: 60)
        #expect(status == 0, "\(running.stderr.text)")
        let stderr = running.stderr.text
        #expect(stderr.contains("levelfunnel: backfill restart: connection lost during day 2026-03-"), "\(stderr)")
        #expect(stderr.contains("(terminating connection due to administrator command); reconnecting in 1 s (attempt 2)"), "\(stderr)")
        #expect(stderr.contains("levelfunnel: backfill restart: reconnected after "), "\(stderr)")
        #expect(running.output.contains("backfilled restart 2026-03-01..2026-03-10: 10 days"))
        let after = try LevelFunnelStore(url: cluster.url)
        #expect(try Self.exact(after, game))
        #expect(try EventsChecksum.of(after.db) == events)
        let tables = try AggregateTables.checksum(after.db, game: game)

        // Stopped for good: a bounded wait, then one line naming the day.
        since = try Self.serverNow(after.db)
        let stopping = try Running(backfill + ["--reconnect-timeout", "2"])
        #expect(try Self.eventually { try Self.daysAggregated(cluster.url, game, since: since) >= 1 })
        try cluster.run("stop")
        let stopped = Date()
        #expect(stopping.wait(seconds: 30) == 1)
        #expect(Date().timeIntervalSince(stopped) < 10)
        #expect(stopping.stderr.text.contains("reconnecting in 1 s (attempt 2)"), "\(stopping.stderr.text)")
        #expect(stopping.stderr.text.contains("levelfunnel: error: backfill restart: day 2026-03-"), "\(stopping.stderr.text)")
        #expect(stopping.stderr.text.contains("failed: the connection was lost and could not be re-established within 2 s: "))

        try cluster.run("start")
        let rerun = try CLITests.levelfunnel(backfill)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let last = try LevelFunnelStore(url: cluster.url)
        #expect(try Self.exact(last, game))
        #expect(try AggregateTables.checksum(last.db, game: game) == tables)
        #expect(try EventsChecksum.of(last.db) == events)
    }
}

/// A PostgreSQL cluster of the test's own, made by `scripts/pg.sh` in a directory of its own: it may be restarted
/// and stopped, which the shared test cluster never may (other tests and people use it).
final class PrivateCluster {
    let directory: String
    private let script: String
    /// The URL of its database `faults`.
    private(set) var url = ""

    init() throws {
        directory = "/tmp/levelfunnel-faults-\(UUID().uuidString.prefix(8).lowercased())"
        // Tests/LevelFunnelCLITests/this file → the package root.
        script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/pg.sh").path
        do {
            try run("start", "faults")
            url = try run("url", "faults").trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            remove()
            throw error
        }
    }

    /// Runs `scripts/pg.sh ARGS` on this cluster; throws with its stderr when it fails.
    @discardableResult
    func run(_ arguments: String...) throws -> String {
        var env = ProcessInfo.processInfo.environment
        // Its own directory (data, socket, log); the port only names the socket file in it.
        env["LEVELFUNNEL_PG_DIR"] = directory
        env["LEVELFUNNEL_PG_PORT"] = "54330"
        let done = try Subprocess.run(URL(fileURLWithPath: "/bin/bash"), [script] + arguments, environment: env)
        guard done.status == 0 else {
            throw LevelFunnelError.invalidInput("scripts/pg.sh \(arguments.joined(separator: " ")) failed (\(done.status)): \(done.stderr)")
        }
        return done.stdout
    }

    /// Stops the cluster (if it runs) and deletes its directory.
    func remove() {
        _ = try? run("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }
}
