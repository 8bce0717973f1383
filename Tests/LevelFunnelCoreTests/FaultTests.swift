import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Another session holds one of a day's `level_metrics_daily` rows, so a backfill or refresh of that day (and of
/// no other: a changed day marks later days stale in `aggregated_days` only) blocks inside its transaction, in its
/// upsert. On a thread and connections of its own, it waits until
/// a backend is blocked behind it, runs `beforeKill`, terminates that backend — what a server restart does to a
/// session (SQLSTATE 57P01) — and lets go of the row.
final class DayKiller: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var _error: Error?
    private var _killed: Int?

    init(url: String, game: String, day: String, beforeKill: [String] = []) throws {
        Thread { [self] in
            do {
                let holder = try PostgresConnection(url: url)
                let admin = try PostgresConnection(url: url)
                try holder.execute("BEGIN")
                let held = try holder.query("""
                    SELECT 1 FROM level_metrics_daily WHERE game_id = $1 AND date = $2::date LIMIT 1 FOR UPDATE
                    """, [game, day]).count
                guard held == 1 else { throw LevelFunnelError.invalidInput("no level_metrics_daily row for \(game) \(day) to hold") }
                let holderPid = try holder.query("SELECT pg_backend_pid()").one().decode(Int.self, at: 0)
                ready.signal()
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    // A row lock's wait only: a migration of another test's schema waits for every open
                    // transaction (CREATE INDEX CONCURRENTLY, on a virtualxid), this one's included.
                    if let victim = try admin.query("""
                        SELECT pid FROM pg_stat_activity
                         WHERE $1 = ANY (pg_blocking_pids(pid)) AND wait_event IN ('transactionid', 'tuple')
                        """, [holderPid]).first?.decode(Int.self, at: 0) {
                        for statement in beforeKill { try admin.execute(statement) }
                        try admin.execute("SELECT pg_terminate_backend($1)", [victim])
                        lock.withLock { _killed = victim }
                        break
                    }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                try holder.execute("ROLLBACK")
            } catch {
                lock.withLock { _error = error }
                ready.signal()
            }
            done.signal()
        }.start()
        _ = ready.wait(timeout: .now() + 20)
        if let error = lock.withLock({ _error }) { throw error }
    }

    /// Waits for the thread to end; returns the backend it terminated (nil: none was ever blocked).
    func finish() throws -> Int? {
        _ = done.wait(timeout: .now() + 40)
        if let error = lock.withLock({ _error }) { throw error }
        return lock.withLock { _killed }
    }
}

/// Faults in the middle of a backfill or refresh: the connection lost (reconnect and redo the day, or give up after
/// the bound), a statement timeout on one day (reported for that day). Each test has a game id of its own: advisory
/// locks are per database, and tests of other schemas run at the same time.
@Suite struct FaultTests {
    static let history = AggregationTests.history
    static let fast = ReconnectPolicy(timeout: 20, firstDelay: 0.2, maxDelay: 1)

    static func pid(_ db: PostgresConnection) throws -> Int {
        try db.query("SELECT pg_backend_pid()").one().decode(Int.self, at: 0)
    }

    static func exact(_ store: LevelFunnelStore, _ game: String) throws -> Bool {
        try store.verify(FunnelQuery(game: game, range: history)).differences.isEmpty
    }

    /// Days of the history that are aggregated and not stale.
    static func freshDays(_ db: PostgresConnection, _ game: String) throws -> Int {
        try db.query("SELECT count(*) FROM aggregated_days WHERE game_id = $1 AND NOT stale", [game]).one().decode(Int.self, at: 0)
    }

    /// A game of its own (`name`, 2,500 random events of 40 players) backfilled, then new events on every day: a
    /// backfill has something to change, and a half-done day would show.
    static func backfilledThenChanged(_ name: String, seed: UInt64) throws -> (Harness, game: String) {
        let h = try Harness(name)
        try h.db.copy(RandomEvents.make(seed: seed, count: 2500, game: name, players: 40))
        _ = try h.store.backfill(game: name, range: Self.history)
        try h.db.copy(RandomEvents.make(seed: seed + 1, count: 800, game: name, players: 60))
        return (h, name)
    }

    @Test func aBackfillThatLosesItsConnectionReconnectsRetakesTheLockAndRedoesTheDay() throws {
        let (h, game) = try Self.backfilledThenChanged("faultbf", seed: 31)
        let before = try Self.pid(h.db)
        let killer = try DayKiller(url: h.database.url, game: game, day: "2026-02-04")
        var notices: [ReconnectNotice] = []
        h.store.reconnectPolicy = Self.fast
        h.store.onReconnect = { notices.append($0) }
        let admin = try h.database.connect()
        let key = AdvisoryLockKey.aggregation(game: game)
        var lockHeld: [Bool] = []
        let summary = try h.store.backfill(game: game, range: Self.history, progress: { progress in
            if progress.day > Day(iso: "2026-02-04")! {
                // Taken again on the new session: another session cannot get it.
                let free = (try? admin.query("SELECT pg_try_advisory_lock($1::bigint)", [key]).one().decode(Bool.self, at: 0)) ?? true
                if free { _ = try? admin.execute("SELECT pg_advisory_unlock($1::bigint)", [key]) }
                lockHeld.append(!free)
            }
            return true
        })
        #expect(try killer.finish() == before)
        #expect(notices.map(\.step) == [.lost, .reconnected])
        let lost = try #require(notices.first)
        // The pass holding 2026-02-04 (the first pass is one day; the second, the nine others) is redone whole.
        #expect(lost.day == Day(iso: "2026-02-02") && lost.lastDay == Day(iso: "2026-02-10"))
        #expect(lost.attempt == 2 && lost.delay == 0.2)
        #expect(lost.description == "backfill faultbf: connection lost during days 2026-02-02..2026-02-10 "
                + "(terminating connection due to administrator command); reconnecting in 0.2 s (attempt 2)")
        #expect(notices.last?.description.contains("; redoing days 2026-02-02..2026-02-10 (attempt 2)") == true, "\(notices)")
        #expect(summary.daysDone == 10 && !summary.cancelled)
        #expect(lockHeld.count == 6 && lockHeld.allSatisfy { $0 })
        // A new session, with the store's settings.
        #expect(try Self.pid(h.db) != before)
        let settings = try h.db.query("SELECT current_setting('application_name'), current_setting('jit'), current_setting('DateStyle')").one()
        #expect(try settings.decode(String.self, at: 0) == "levelfunnel" && settings.decode(String.self, at: 1) == "off")
        #expect(try settings.decode(String.self, at: 2) == "ISO, YMD")
        // Exact, and the same tables as a backfill that was never interrupted.
        #expect(try Self.freshDays(h.db, game) == 10)
        #expect(try Self.exact(h.store, game))
        let after = try AggregationTests.checksum(h.db, game: game)
        _ = try h.store.backfill(game: game, range: Self.history)
        #expect(try AggregationTests.checksum(h.db, game: game) == after)
    }

    /// A game of its own (`name`, 2,500 random events of 40 players) refreshed through its last day, the `today`
    /// of its refreshes.
    static func refreshed(_ name: String, seed: UInt64) throws -> (Harness, game: String, today: Day) {
        let h = try Harness(name)
        try h.db.copy(RandomEvents.make(seed: seed, count: 2500, game: name, players: 40))
        let today = Day(iso: "2026-02-10")!
        _ = try h.store.refresh(game: name, today: today)
        return (h, name, today)
    }

    @Test func aRefreshThatLosesItsConnectionGoesOnFromTheDayItWasOn() throws {
        let (h, game, today) = try Self.refreshed("faultrf", seed: 33)
        // Every day stale (as after a TRUNCATE or an upgrade): the refresh rebuilds them all.
        try h.db.execute("UPDATE aggregated_days SET stale = true WHERE game_id = $1", [game])
        let killer = try DayKiller(url: h.database.url, game: game, day: "2026-02-05")
        var notices: [ReconnectNotice] = []
        h.store.reconnectPolicy = Self.fast
        h.store.onReconnect = { notices.append($0) }
        let summary = try h.store.refresh(game: game, today: today, check: .none)
        #expect(try killer.finish() != nil)
        #expect(notices.map(\.step) == [.lost, .reconnected] && notices.allSatisfy { $0.day == Day(iso: "2026-02-02") })
        #expect(notices.first?.description.hasPrefix("refresh faultrf: connection lost during days 2026-02-02..2026-02-10") == true)
        // Each day once, the lost one redone.
        #expect(summary.days == Self.history.days)
        #expect(try Self.freshDays(h.db, game) == 10)
        #expect(try Self.exact(h.store, game))
        #expect(try h.store.aggregationStatus().first { $0.game == game }?.staleDays == 0)
    }

    /// Runs `body` (a backfill or refresh of one-day passes) while the session aggregating `day` of `game` is
    /// terminated once (``DayKiller``); checks that it was, that the store reconnected once, and that every day is
    /// then fresh and exact. Returns what `body` returned and the reconnect notices.
    static func losingConnection<T>(_ h: Harness, _ game: String, on day: String,
                                    _ body: () throws -> T) throws -> (T, [ReconnectNotice]) {
        let killer = try DayKiller(url: h.database.url, game: game, day: day)
        var notices: [ReconnectNotice] = []
        h.store.reconnectPolicy = Self.fast
        h.store.maxPassDays = 1
        h.store.onReconnect = { notices.append($0) }
        let result = try body()
        #expect(try killer.finish() != nil)
        #expect(notices.map(\.step) == [.lost, .reconnected])
        #expect(notices.allSatisfy { $0.day == Day(iso: day) && $0.lastDay == Day(iso: day) }, "\(notices)")
        #expect(try Self.freshDays(h.db, game) == 10)
        #expect(try Self.exact(h.store, game))
        return (result, notices)
    }

    /// One day a pass: a backfill lost on its fifth day goes on from that day exactly, neither redoing a day done
    /// nor skipping one (each day reported once, in order).
    @Test func aBackfillOfOneDayPassesResumesAtTheDayThatWasLost() throws {
        let (h, game) = try Self.backfilledThenChanged("faultbf1", seed: 37)
        var reported: [Day] = []
        let (summary, _) = try Self.losingConnection(h, game, on: "2026-02-05") {
            try h.store.backfill(game: game, range: Self.history, progress: { reported.append($0.day); return true })
        }
        #expect(reported == Self.history.days)
        #expect(summary.daysDone == 10 && !summary.cancelled)
    }

    /// A refresh of a few days, one a pass, lost on its second day: on the new connection it goes on with that day,
    /// not with the days it did not need (each needed day done once).
    @Test func aRefreshOfSomeDaysResumesAtTheDayThatWasLost() throws {
        let (h, game, today) = try Self.refreshed("faultrf1", seed: 39)
        try h.db.execute("UPDATE aggregated_days SET stale = true WHERE game_id = $1 AND date IN ('2026-02-03', '2026-02-06')", [game])
        let (summary, _) = try Self.losingConnection(h, game, on: "2026-02-06") {
            try h.store.refresh(game: game, today: today, check: .none)
        }
        #expect(summary.days == [Day(iso: "2026-02-03")!, Day(iso: "2026-02-06")!] && !summary.stopped)
    }

    /// The connection does not come back (the role may no longer log in): the backfill gives up after the
    /// timeout, naming the day, and that day keeps its previous aggregate.
    @Test func aConnectionThatDoesNotComeBackFailsAfterTheTimeout() throws {
        let h = try Harness("faultgiveup")
        let game = "faultgiveup"
        try h.db.copy(RandomEvents.make(seed: 35, count: 1500, game: game, players: 30))
        _ = try h.store.backfill(game: game, range: Self.history)
        let before = try AggregationTests.checksum(h.db, game: game)
        let login = try TestLogin("lf_fault", on: h.database, admin: h.db)
        defer { login.drop() }
        let role = login.name
        try h.db.execute("GRANT ALL ON ALL TABLES IN SCHEMA \"\(h.database.schema)\" TO \"\(role)\"")
        try h.db.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA \"\(h.database.schema)\" TO \"\(role)\"")
        let store = try LevelFunnelStore(url: login.url)
        store.reconnectPolicy = ReconnectPolicy(timeout: 2, firstDelay: 0.2, maxDelay: 0.5)
        var notices: [ReconnectNotice] = []
        store.onReconnect = { notices.append($0) }
        let killer = try DayKiller(url: h.database.url, game: game, day: "2026-02-04",
                                   beforeKill: ["ALTER ROLE \"\(role)\" NOLOGIN"])
        let started = Date()
        let failure = #expect(throws: AggregationFailure.self) { _ = try store.backfill(game: game, range: Self.history) }
        let elapsed = Date().timeIntervalSince(started)
        #expect(try killer.finish() != nil)
        #expect(elapsed > 2 && elapsed < 8, "gave up after \(elapsed) s")
        #expect(failure?.day == Day(iso: "2026-02-02") && failure?.isConnectionLost == true && failure?.reconnectTimeout == 2)
        #expect(failure?.description.hasPrefix("backfill faultgiveup: days 2026-02-02..2026-02-10 failed: the connection was lost and "
                                               + "could not be re-established within 2 s: ") == true, "\(String(describing: failure))")
        #expect(failure?.description.contains("not permitted to log in") == true, "\(String(describing: failure))")
        // Every attempt was reported; the waits grew 0.2, 0.4, 0.5...
        #expect(notices.first?.step == .lost && notices.dropFirst().allSatisfy { $0.step == .retrying })
        #expect(notices.map(\.attempt) == Array(2..<(2 + notices.count)) && notices.count >= 4)
        #expect(notices.prefix(3).map(\.delay) == [0.2, 0.4, 0.5])
        #expect(try AggregationTests.checksum(h.db, game: game) == before)
    }

    /// A statement timeout on one day is that day's failure, not a lost connection: no reconnect, the day named,
    /// the days before it done.
    @Test func aStatementTimeoutIsReportedForItsDay() throws {
        let h = try Harness("faulttimeout")
        let game = "faulttimeout"
        try h.db.copy(RandomEvents.make(seed: 36, count: 1500, game: game, players: 30))
        _ = try h.store.backfill(game: game, range: Self.history)
        try h.db.execute("UPDATE aggregated_days SET stale = true WHERE game_id = $1", [game])
        let holder = try h.database.connect()
        try holder.execute("BEGIN")
        try holder.execute("SELECT 1 FROM level_metrics_daily WHERE game_id = $1 AND date = '2026-02-04' LIMIT 1 FOR UPDATE", [game])
        try h.db.execute("SET statement_timeout = '300ms'")
        var notices: [ReconnectNotice] = []
        h.store.onReconnect = { notices.append($0) }
        let failure = #expect(throws: AggregationFailure.self) { _ = try h.store.backfill(game: game, range: Self.history) }
        try holder.execute("ROLLBACK")
        #expect(notices.isEmpty)
        #expect(failure?.error.isCancellation == true && failure?.isConnectionLost == false && failure?.reconnectTimeout == nil)
        #expect(failure?.description == "backfill faulttimeout: day 2026-02-04 failed: canceling statement due to statement timeout (SQLSTATE 57014)")
        #expect(try Self.freshDays(h.db, game) == 3)
        try h.db.execute("RESET statement_timeout")
        _ = try h.store.backfill(game: game, range: Self.history)
        #expect(try Self.exact(h.store, game))
    }
}

extension DailyJobTests {
    /// The daily job's refresh loses its connection mid-run: it reconnects by itself (reported), and the game's run
    /// is a success at its first attempt, exact.
    @Test func aRefreshThatLosesItsConnectionReconnectsWithinTheRun() throws {
        let game = "jobreconnect"
        let (database, store) = try Self.loaded("jobreconnect", games: [game])
        _ = try store.backfill(game: game, range: FaultTests.history)
        try store.db.execute("UPDATE aggregated_days SET stale = true WHERE date >= '2026-02-03'")
        let killer = try DayKiller(url: database.url, game: game, day: "2026-02-05")
        let clock = FakeClock(ISO8601DateFormatter().date(from: "2026-02-11T02:00:00Z")!)
        let until = clock.now.addingTimeInterval(3600)
        var reports: [DailyJob.Report] = []
        let job = DailyJob(schedule: DailySchedule(policy: .init()), now: { clock.now }, sleep: clock.sleep(until:),
                           shouldStop: { clock.now >= until },
                           openStore: {
                               let store = try LevelFunnelStore(url: database.url)
                               store.reconnectPolicy = FaultTests.fast
                               return store
                           }, report: { reports.append($0) })
        job.run(runNow: true)
        #expect(try killer.finish() != nil)
        let steps = reports.compactMap { if case .reconnecting(let notice) = $0 { notice.step } else { nil } }
        #expect(steps == [.lost, .reconnected])
        let runs = reports.compactMap { if case .game(let run) = $0 { run } else { nil } }
        #expect(runs.map { "\($0.game) \($0.outcome) \($0.attempt)" } == ["\(game) ok 1"])
        #expect(runs.first?.days.first == Day(iso: "2026-02-03"))
        #expect(try Self.fastEqualsRaw(store, game))
    }
}
