import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// The `levelfunnel` binary, run as a user would, against the test PostgreSQL.
@Suite struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary built next to this test bundle. When it is pointed at the test server, checks that it
    /// changed or deleted no row of `events` (see ``EventsGuard``).
    static func levelfunnel(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let events = EventsGuard(arguments, environment: environment)
        defer { events.check() }
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        env.merge(environment) { $1 }
        let done = try Subprocess.run(directory.appendingPathComponent("levelfunnel"), arguments, environment: env)
        return Run(status: done.status, stdout: done.stdout, stderr: done.stderr)
    }

    /// Every command, with the guard of ``levelfunnel(_:environment:)`` around it: none changes or deletes a row of
    /// `events` (generate only adds rows). The guard itself sees an UPDATE that changes nothing.
    @Test func noCommandChangesOrDeletesARowOfEvents() throws {
        let database = try Self.loadedDatabase("clievents")
        let url = ["--database-url", database.url]
        let db = try database.connect()
        let before = try EventsChecksum.of(db)
        #expect(before.rows == 1200)
        for args in [["migrate"], ["games"], ["backfill", "--game", "g", "--to", "2026-02-10"], ["refresh"],
                     ["aggregate", "--game", "g", "--date", "2026-02-03"], ["verify", "--game", "g"],
                     ["query", "--game", "g", "--source", "fast"], ["query", "--game", "g", "--source", "aggregates"],
                     ["query", "--game", "g", "--source", "raw"], ["query", "--game", "g", "--compare-previous"],
                     ["bench", "--game", "g", "--runs", "1"],
                     ["generate", "--game", "more", "--players", "20", "--days", "3", "--levels", "5", "--start", "2026-02-01"]] {
            let run = try Self.levelfunnel(args + url)
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }
        #expect(try EventsChecksum.of(db, upTo: before.maxId) == before)
        #expect(try EventsChecksum.of(db).rows > before.rows)
        try db.execute("UPDATE events SET user_id = user_id WHERE id = $1", [before.maxId])
        #expect(try EventsChecksum.of(db, upTo: before.maxId) != before)
    }

    /// `bench --scale`: generates the game, backfills it and measures it; fast equals raw on every selection. A
    /// second run reuses the game, and measures the same aggregate size (the tables compacted, so the rows the
    /// re-backfill replaced do not count).
    @Test func benchAtAScaleMeasuresTheWholePipelineTheSameWayTwice() throws {
        // A database of its own: other tests' transactions in the shared one would keep the replaced rows alive.
        let database = try TestDatabase.freshDatabase("clibench")
        defer { database.drop() }
        let arguments = ["bench", "--scale", "1", "--days", "2", "--runs", "1", "--format", "json",
                         "--database-url", database.url]
        func run() throws -> [String: Any] {
            let run = try Self.levelfunnel(arguments)
            #expect(run.status == 0, "\(run.stderr)")
            let results = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
            #expect(results.count == 1)
            return try #require(results.first)
        }
        let first = try run()
        #expect(first["exact"] as? Bool == true && first["selections"] as? Int == 12)
        #expect((first["levelEvents"] as? Int ?? 0) > 1000 && (first["backfillEventsPerSecond"] as? Double ?? 0) > 0)
        #expect(first["generateEventsPerSecond"] is Double)
        let percent = try #require(first["aggregatesPercent"] as? Double)
        #expect(percent > 0 && percent < 100)
        let second = try run()
        #expect(second["exact"] as? Bool == true && second["generateEventsPerSecond"] == nil)
        #expect(second["levelEvents"] as? Int == first["levelEvents"] as? Int)
        #expect(second["aggregatesMB"] as? Double == first["aggregatesMB"] as? Double, "\(first) \(second)")
    }

    /// A migrated schema holding a small random game "g" over 2026-02-01...2026-02-10.
    static func loadedDatabase(_ label: String) throws -> TestDatabase {
        let database = try TestDatabase.fresh(label)
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.copy(RandomEvents.make(seed: 17, count: 1200))
        return database
    }

    @Test func rawQueryAsJSONFollowsTheContract() throws {
        let database = try Self.loadedDatabase("clijson")
        let run = try Self.levelfunnel(["query", "--game", "g", "--from", "2026-02-02", "--to", "2026-02-08",
                                        "--platform", "iOS", "--source", "raw", "--format", "json", "--database-url", database.url])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["game", "from", "to", "filters", "source", "queryMs", "levels"])
        #expect(object["game"] as? String == "g")
        #expect(object["from"] as? String == "2026-02-02" && object["to"] as? String == "2026-02-08")
        #expect(object["source"] as? String == "raw")
        #expect((object["filters"] as? [String: Any])?.count == 1)
        #expect((object["filters"] as? [String: Any])?["platform"] as? String == "iOS")
        #expect(object["queryMs"] is Double || object["queryMs"] is Int)
        let levels = try #require(object["levels"] as? [[String: Any]])
        // The same numbers as the library's raw path, field by field.
        let store = try LevelFunnelStore(url: database.url)
        let expected = try store.funnel(FunnelQuery(game: "g", range: DayRange(from: Day(iso: "2026-02-02")!, to: Day(iso: "2026-02-08")!),
                                                    filters: FunnelFilters(platform: "iOS")), source: .raw).levels
        #expect(levels.count == expected.count && !expected.isEmpty)
        // Every number exactly as the library's raw path has it (read as written: Foundation's parser rounds).
        let exactLevels = try #require(ExactJSON(run.stdout)?["levels"]?.array)
        for ((json, exact), level) in zip(zip(levels, exactLevels), expected) {
            #expect(Set(json.keys) == Set(["levelId"] + MetricFields.names))
            #expect(json["levelId"] as? Int == level.levelId)
            for field in MetricFields.all {
                let text = field.text(level)
                #expect(text == nil ? exact[field.name] == .null : exact[field.name]?.numberText == text,
                        "level \(level.levelId) \(field.name): \(String(describing: exact[field.name])) vs \(text ?? "null")")
            }
        }
    }

    @Test func csvAndTableFormats() throws {
        let database = try Self.loadedDatabase("cliformats")
        let csv = try Self.levelfunnel(["query", "--game", "g", "--source", "raw", "--format", "csv", "--database-url", database.url])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == Substring((["levelId"] + MetricFields.names).joined(separator: ",")))
        #expect(lines.count == 7)   // header + levels 1...6
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 25 })
        let table = try Self.levelfunnel(["query", "--game", "g", "--source", "raw", "--database-url", database.url])
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n")
        #expect(rows[0].hasPrefix("g  2026-02-01 .. 2026-02-10  source raw"))
        // The dashboard's two-line column titles, then one row per level.
        #expect(rows[1].contains("Started") && rows[1].contains("Churn %"))
        #expect(rows[2].contains("Level") && rows[2].contains("start→cmpl") && rows[2].contains("fail s"))
        #expect(rows.count == 3 + 6)
        #expect(Set(rows.dropFirst().map(\.count)).count == 1)   // aligned: every row the same width
        // The numbers are the CSV's: level 1's level id and starts.
        let csvFirst = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        let tableFirst = rows[3].split(separator: " ")
        #expect(tableFirst[0] == csvFirst[0] && tableFirst[1].replacingOccurrences(of: ",", with: "") == csvFirst[1])
    }

    @Test func fastQueryAfterBackfillEqualsRawAndVerifyPasses() throws {
        let database = try Self.loadedDatabase("clifast")
        let backfill = try Self.levelfunnel(["backfill", "--game", "g", "--to", "2026-02-10", "--database-url", database.url])
        #expect(backfill.status == 0, "\(backfill.stderr)")
        #expect(backfill.stdout.contains("backfilled g 2026-02-01..2026-02-10: 10 days"))
        func levels(_ source: String) throws -> String {
            let run = try Self.levelfunnel(["query", "--game", "g", "--country", "TR", "--source", source, "--format", "json",
                                            "--database-url", database.url])
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
            return String(decoding: try JSONSerialization.data(withJSONObject: object["levels"]!, options: .sortedKeys), as: UTF8.self)
        }
        #expect(try levels("fast") == levels("raw"))
        let verify = try Self.levelfunnel(["verify", "--game", "g", "--sweep", "--database-url", database.url])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains(" 0 failed"))
        // An event arrives after the backfill: the aggregates are behind. The fast path adds the pending change to
        // the aggregates (so verify still passes, and no day is live); the aggregates alone say the day is stale.
        try database.connect().insert([EventRow(user: "late", name: "level_failed", properties: #"{"levelId": 2}"#,
                                                occurredAt: "2026-02-05 12:00+00")])
        let exact = try Self.levelfunnel(["verify", "--game", "g", "--database-url", database.url])
        #expect(exact.status == 0, "\(exact.stdout)")
        let fast = try Self.levelfunnel(["query", "--game", "g", "--format", "json", "--database-url", database.url])
        let coverage = try #require((try JSONSerialization.jsonObject(with: Data(fast.stdout.utf8)) as? [String: Any])?["coverage"]
                                    as? [String: Any])
        #expect(coverage["aggregated"] as? Int == 10 && coverage["live"] as? Int == 0)
        let strict = try Self.levelfunnel(["query", "--game", "g", "--source", "aggregates", "--database-url", database.url])
        #expect(strict.status == 0 && strict.stdout.contains("9 days aggregated + 1 stale"))
        #expect(strict.stderr.contains("incomplete answer: 9 days aggregated + 1 stale of 10 days"))
    }

    @Test func errorsAreOneLineAndNonZero() throws {
        let database = try Self.loadedDatabase("clierrors")
        func fails(_ args: [String], _ fragment: String, status: Int32? = nil, env: [String: String] = [:]) throws {
            let run = try Self.levelfunnel(args, environment: env)
            #expect(run.status != 0, "\(args) should fail")
            if let status { #expect(run.status == status) }
            #expect(run.stderr.contains(fragment), "\(args): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let url = ["--database-url", database.url]
        try fails(["query", "--game", "nope"] + url, "unknown game 'nope'", status: 1)
        try fails(["query", "--game", "g", "--from", "2026-02-30"] + url, "--from '2026-02-30' is not a date")
        try fails(["query", "--game", "g", "--to", "soon"] + url, "--to 'soon' is not a date")
        try fails(["query", "--game", "g", "--from", "2026-02-05", "--to", "2026-02-01"] + url, "--from 2026-02-05 is after --to 2026-02-01", status: 1)
        try fails(["query", "--game", "g", "--format", "xml"] + url, "xml")
        try fails(["query", "--game", "g", "--database-url", "postgresql://u:TopSecret42@127.0.0.1:1/x?connect_timeout=2"],
                  "cannot connect to the database", status: 1)
        let unreachable = try Self.levelfunnel(["games"], environment: ["DATABASE_URL": "postgresql://u:TopSecret42@127.0.0.1:1/x"])
        #expect(unreachable.status == 1 && !unreachable.stderr.contains("TopSecret42"))
        #expect(unreachable.stderr.split(separator: "\n").count == 1)
        let empty = try TestDatabase.fresh("clinoschema")
        try fails(["query", "--game", "g", "--database-url", empty.url], "run `levelfunnel migrate`", status: 1)
        try fails(["games", "--database-url", empty.url], "run `levelfunnel migrate`", status: 1)
    }

    @Test func migrateIsIdempotentAndKeepsEvents() throws {
        let database = try Self.loadedDatabase("climigrate")
        let run = try Self.levelfunnel(["migrate", "--database-url", database.url])
        #expect(run.status == 0)
        #expect(run.stdout.contains("schema is up to date"))
        #expect(try database.connect().query("SELECT count(*) FROM events").first!.decode(Int.self, at: 0) == 1200)
    }

    /// On a partitioned `events` with indexes of its own, `migrate` says which index it built per partition, which
    /// partition index it attached and which equivalent index it used instead of building one.
    @Test func migrateSaysWhichIndexesItBuiltAndWhichItReused() throws {
        let database = try TestDatabase.fresh("climigrateparts")
        let db = try database.connect()
        try db.execute("""
            CREATE TABLE events (
              id bigserial, game_id text NOT NULL, user_id text NOT NULL, session_id text, event_name text NOT NULL,
              properties jsonb NOT NULL DEFAULT '{}', platform text, country_code text, app_version text,
              level_funnel text, level_funnel_version integer, occurred_at timestamptz NOT NULL,
              received_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)
            """)
        for month in 1...3 {
            try db.execute("""
                CREATE TABLE events_2026_0\(month) PARTITION OF events
                   FOR VALUES FROM ('2026-0\(month)-01 00:00+00') TO ('2026-0\(month + 1)-01 00:00+00')
                """)
        }
        try db.execute("CREATE INDEX ev_by_arrival ON events (game_id, received_at)")
        try db.execute("CREATE INDEX ev_feb_by_time ON events_2026_02 (game_id, occurred_at)")
        let run = try Self.levelfunnel(["migrate", "--database-url", database.url])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == """
            applied migrations 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14; schema version 14
            indexes on events (partitioned: built per partition, attached to parent indexes):
              events_game_occurred_idx: built (2 partition indexes built; existing partition indexes attached: ev_feb_by_time)
              events_game_received_idx: not built, the equivalent index ev_by_arrival is used
              events_player_key_idx: built (3 partition indexes built)

            """)
        let again = try Self.levelfunnel(["migrate", "--database-url", database.url])
        #expect(again.stdout == "schema is up to date (version 14)\n")
    }

    @Test func helpNamesEveryCommand() throws {
        let run = try Self.levelfunnel(["--help"])
        for command in ["migrate", "generate", "games", "query", "verify", "aggregate", "backfill", "refresh"] {
            #expect(run.stdout.contains("  \(command) "), "help lists \(command)")
        }
    }
}

@Suite struct ScheduleTests {
    @Test func printsACronLineForTheRunTime() throws {
        let run = try CLITests.levelfunnel(["schedule", "--at", "02:30", "--print-cron", "--database-url", "postgresql:///x"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("CRON_TZ=UTC\n30 2 * * * "))
        #expect(run.stdout.contains("refresh --database-url 'postgresql:///x'"))
        let bad = try CLITests.levelfunnel(["schedule", "--at", "25:00"])
        #expect(bad.status != 0 && bad.stderr.contains("--at '25:00' is not a time"))
        let never = try CLITests.levelfunnel(["schedule", "--apply-every", "-1"])
        #expect(never.status != 0 && never.stderr.contains("--apply-every"))
    }

    @Test func theCronLineNeverHoldsThePassword() throws {
        let url = try CLITests.levelfunnel(["schedule", "--print-cron", "--database-url",
                                            "postgresql://analytics:TopSecret42@db.internal:5432/game?sslmode=require&password=TopSecret42"])
        #expect(url.status == 0 && !url.stdout.contains("TopSecret42"))
        #expect(url.stdout.contains("refresh --database-url 'postgresql://analytics@db.internal:5432/game?sslmode=require'"))
        #expect(url.stdout.hasPrefix("# The password is not written here: put it in ~/.pgpass"))
        // A key=value string with a password is left out; so is DATABASE_URL's password.
        let keyValue = try CLITests.levelfunnel(["schedule", "--print-cron", "--database-url", "host=db user=u password=TopSecret42"])
        #expect(keyValue.status == 0 && !keyValue.stdout.contains("TopSecret42") && !keyValue.stdout.contains("--database-url"))
        #expect(keyValue.stdout.contains("set DATABASE_URL in this crontab's environment"))
        let environment = try CLITests.levelfunnel(["schedule", "--print-cron"],
                                                   environment: ["DATABASE_URL": "postgres://u:TopSecret42@h/d?options=-c%20a%3Db"])
        #expect(!environment.stdout.contains("TopSecret42"))
        // cron reads % as a newline: escaped.
        #expect(environment.stdout.contains("--database-url 'postgres://u@h/d?options=-c\\%20a\\%3Db'"))
    }

    /// A running `schedule` (or another long command), its log lines (stdout and stderr) written to a file.
    final class Service {
        let process = Process()
        let log: URL

        init(_ arguments: [String], command: String = "schedule") throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("levelfunnel-schedule-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            process.executableURL = directory.appendingPathComponent("levelfunnel")
            process.arguments = [command] + arguments
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "DATABASE_URL")
            process.environment = env
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            events = EventsGuard(arguments, environment: [:])
            try Self.runAsFromAShell(process)
        }

        /// Starts `process` from a thread that blocks no signal: a child inherits the mask of the thread that spawns
        /// it, and the test runner's threads block most signals, so a child that does not catch SIGTERM would never
        /// see it (a shell or systemd would kill it).
        private static func runAsFromAShell(_ process: Process) throws {
            final class Spawn: @unchecked Sendable {
                let process: Process
                var error: (any Error)?
                let done = DispatchSemaphore(value: 0)
                init(_ process: Process) { self.process = process }
            }
            let spawn = Spawn(process)
            Thread {
                var none = sigset_t()
                sigemptyset(&none)
                pthread_sigmask(SIG_SETMASK, &none, nil)
                do { try spawn.process.run() } catch { spawn.error = error }
                spawn.done.signal()
            }.start()
            spawn.done.wait()
            if let error = spawn.error { throw error }
        }

        /// Checked when the service has ended (``terminate()``).
        private let events: EventsGuard

        deinit {
            if process.isRunning { process.terminate(); process.waitUntilExit() }
            try? FileManager.default.removeItem(at: log)
        }

        var lines: [String] { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        /// Waits (up to `seconds`) until `condition` holds.
        func wait(seconds: Double = 20, until condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return false
        }

        /// Sends SIGTERM and waits for the exit; returns the exit status (nil: still running after 20 s).
        func terminate() -> Int32? {
            kill(process.processIdentifier, SIGTERM)
            guard wait(until: { !process.isRunning }) else { return nil }
            process.waitUntilExit()
            events.check()
            return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        }
    }

    /// SIGTERM in the middle of a refresh: it stops between two days, says so, exits 0; the days done are
    /// complete, and the next refresh finishes the rest exactly (fast equals raw, every day aggregated).
    @Test func sigtermStopsBetweenDaysAndTheNextRefreshFinishes() throws {
        let database = try TestDatabase.fresh("clisigterm")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        let first = Day.today.adding(days: -24)
        try store.db.copy(RandomEvents.make(seed: 23, count: 4000, firstDay: first.iso, days: 25, players: 120, levels: 6))
        // Received before any aggregation, so that none of them counts as a late event (refresh allows 5 minutes).
        try store.db.execute("UPDATE events SET received_at = now() - interval '1 hour'")
        let total = first.distance(to: .today) + 1
        let aggregated = { try store.db.query("SELECT count(*) FROM aggregated_days WHERE NOT stale").first!.decode(Int.self, at: 0) }

        // One day per transaction, so that the stop falls between days.
        let service = try Service(["--now", "--log-format", "json", "--pass-days", "1", "--database-url", database.url])
        #expect(try service.wait { try aggregated() >= 2 }, "the refresh started")
        #expect(service.terminate() == 0)
        let lines = try service.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)") }
        let game = try #require(lines.first { $0["message"] as? String == "refresh" })
        #expect(game["game"] as? String == "g" && game["outcome"] as? String == "stopped" && game["attempt"] as? Int == 1)
        #expect(game["level"] as? String == "notice")
        let done = try #require(game["days"] as? Int)
        #expect(done >= 2 && done < total, "stopped between days: \(done) of \(total)")
        #expect(game["from"] as? String == first.iso && game["events"] is Int && game["seconds"] is Double)
        #expect(lines.last?["message"] as? String == "stopped" && lines.last?["signal"] as? String == "SIGTERM")
        #expect(try aggregated() == done)

        let refresh = try CLITests.levelfunnel(["refresh", "--database-url", database.url])
        #expect(refresh.status == 0, "\(refresh.stderr)")
        #expect(refresh.stdout.contains("refreshed g: \(total - done) days"), "\(refresh.stdout)")
        #expect(try aggregated() == total)
        let query = FunnelQuery(game: "g", range: try DayRange(from: first, to: .today))
        #expect(try store.verify(query).differences.isEmpty)
    }

    /// SIGTERM in the middle of a backfill stops it between two passes like Ctrl-C (it used to kill it: exit 143,
    /// no summary): it says so, prints its summary, exits 130; the days done are complete and a second backfill
    /// finishes exactly.
    @Test func sigtermStopsABackfillBetweenPasses() throws {
        let database = try TestDatabase.fresh("clibfterm")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        let first = Day.today.adding(days: -24)
        try store.db.copy(RandomEvents.make(seed: 24, count: 4000, game: "gterm", firstDay: first.iso, days: 25, players: 120, levels: 6))
        // A game of its own: the aggregation lock is per database, and other tests' schemas have a game "g".
        let aggregated = { try store.db.query("SELECT count(*) FROM aggregated_days WHERE NOT stale AND level_events > 0").one().decode(Int.self, at: 0) }

        let backfill = try Service(["--game", "gterm", "--plain", "--pass-days", "1", "--database-url", database.url], command: "backfill")
        #expect(try backfill.wait { try aggregated() >= 2 }, "the backfill started")
        #expect(backfill.terminate() == 130)
        let lines = backfill.lines
        #expect(lines.contains("levelfunnel: SIGTERM: stopping after the pass in progress commits; the days done are kept"), "\(lines)")
        let summary = try #require(lines.first { $0.hasPrefix("backfilled gterm ") }, "\(lines)")
        #expect(summary.hasSuffix(" — stopped early"))
        let done = try aggregated()
        #expect(done >= 2 && done < 25, "stopped between passes: \(done) of 25 days")

        let again = try CLITests.levelfunnel(["backfill", "--game", "gterm", "--database-url", database.url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try aggregated() == 25)
        #expect(try store.verify(FunnelQuery(game: "gterm", range: try DayRange(from: first, to: .today))).differences.isEmpty)
    }

    /// With the database refusing connections: a failed run is logged with its retry (no password), the service
    /// keeps going, and SIGTERM while it sleeps ends it at once with status 0.
    @Test func aRefusedDatabaseIsRetriedAndSigtermWhileSleepingStopsAtOnce() throws {
        let service = try Service(["--database-url", "postgresql://u:TopSecret42@127.0.0.1:1/x?connect_timeout=2"])
        #expect(service.wait { service.lines.count >= 2 })
        let started = Date()
        #expect(service.terminate() == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        let lines = service.lines
        try #require(lines.count == 3, "\(lines)")
        #expect(lines[0].contains(" info started apply_every_minutes=1 at=02:00 pid="))
        #expect(lines[1].contains(" error run outcome=failed attempt=1 next_retry=") && lines[1].contains("error=\"cannot connect to the database"))
        #expect(lines[2].contains(" notice stopped signal=SIGTERM"))
        #expect(!lines.joined().contains("TopSecret42"))
    }
}

@Suite struct GenerateTests {
    @Test func generatesOnceAndNeverTouchesExistingEvents() throws {
        let database = try TestDatabase.fresh("cligen")
        try LevelFunnelStore(url: database.url).migrate()
        let args = ["generate", "--game", "small", "--players", "50", "--days", "5", "--levels", "8", "--start", "2026-03-01",
                    "--database-url", database.url]
        let first = try CLITests.levelfunnel(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("generated small:") && first.stdout.contains("2026-03-01..2026-03-05"))
        let count = { try database.connect().query("SELECT count(*) FROM events").first!.decode(Int.self, at: 0) }
        let before = try count()
        #expect(before > 0)
        let again = try CLITests.levelfunnel(args)
        #expect(again.status == 1 && again.stderr.contains("game 'small' already has events"))
        #expect(try count() == before)
        let bad = try CLITests.levelfunnel(["generate", "--game", "x", "--players", "0", "--database-url", database.url])
        #expect(bad.status != 0 && bad.stderr.contains("--players"))
    }

    /// Issue 18, point 6: a game generated up to today, as `make demo` does, has nothing in the future (it used to
    /// receive late sessions up to five days ahead, and play the rest of today), so aggregated right after its
    /// generation it has no live day: the range's today is aggregated too, and only labelled partial.
    @Test func aHistoryEndingTodayHasNothingInTheFutureSoNoDayIsLiveOnceAggregated() throws {
        let database = try TestDatabase.fresh("clinow")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        let url = ["--database-url", database.url]
        let today = Day.today
        let generate = try CLITests.levelfunnel(["generate", "--game", "demo", "--players", "2000", "--days", "10", "--levels", "30",
                                                 "--hard-levels", "22"] + url)
        #expect(generate.status == 0, "\(generate.stderr)")
        let db = try database.connect()
        let row = try db.query("""
            SELECT count(*) FILTER (WHERE received_at > now()), count(*) FILTER (WHERE occurred_at > now()),
                   count(*) FILTER (WHERE occurred_at < now() - interval '1 day' AND received_at > now() - interval '10 minutes')
              FROM events WHERE game_id = 'demo'
            """).one()
        #expect(try row.decode(Int.self, at: 0) == 0, "events received after their generation")
        #expect(try row.decode(Int.self, at: 1) == 0, "events played after their generation")
        #expect(try row.decode(Int.self, at: 2) > 0, "late sessions of the last days are kept, received at the generation")

        let backfill = try CLITests.levelfunnel(["backfill", "--game", "demo"] + url)
        #expect(backfill.status == 0, "\(backfill.stderr)")
        let range = try DayRange(from: today.adding(days: -9), to: today)
        let answer = try store.funnel(FunnelQuery(game: "demo", range: range))
        #expect(answer.coverage == Coverage(days: 10, aggregated: 10, includesToday: true), "\(answer.coverage?.summary ?? "")")
        #expect(answer.coverage?.summary == "10 days aggregated, today is partial")
    }
}

/// Around one run of the binary pointed at the test server (`--database-url`, or `DATABASE_URL`, under
/// `LEVELFUNNEL_TEST_DATABASE_URL`): the checksum of `events` before, and after it ended the same — for `generate`
/// and `bench` (which generates its games), over the rows that were there before. Nothing to guard when `events` does not exist yet (before `migrate`) or
/// the URL is elsewhere (a refused port, a cron line's example host).
struct EventsGuard {
    private let url: String?
    private let command: String?
    private let before: EventsChecksum?

    init(_ arguments: [String], environment: [String: String]) {
        command = arguments.first
        let given = arguments.firstIndex(of: "--database-url").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
            ?? environment["DATABASE_URL"]
        let base = try? TestDatabase.baseURL()
        // A run as another login (a reader, a writer) is checked as the test server's own user, who may read events.
        let asOwner = given?.replacingOccurrences(of: #"user=[^&]*"#, with: "user=postgres", options: .regularExpression)
        url = asOwner.flatMap { given in base.flatMap { given.hasPrefix($0) ? given : nil } }
        before = url.flatMap { try? EventsChecksum.of(url: $0) }
    }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        guard let url, let before else { return }
        do {
            let after = try EventsChecksum.of(url: url, upTo: ["generate", "bench"].contains(command) ? before.maxId : nil)
            #expect(after == before, "`levelfunnel \(command ?? "")` changed or deleted rows of events", sourceLocation: sourceLocation)
        } catch {
            Issue.record("events could not be read after `levelfunnel \(command ?? "")`: \(error)", sourceLocation: sourceLocation)
        }
    }
}
