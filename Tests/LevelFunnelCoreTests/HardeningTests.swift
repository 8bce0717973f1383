import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Defects found by a close read: each test fails on the code before its fix.
@Suite struct HardeningTests {
    static let day = Day(iso: "2026-02-03")!

    /// A server (or role, or PG* variable) with another DateStyle or TimeZone changes nothing: every connection
    /// pins what the decoders rely on.
    @Test func sessionSettingsArePinnedWhateverTheServerSays() throws {
        let h = try Harness("pinned")
        try h.db.copy(RandomEvents.make(seed: 5, count: 800))
        let normal = try h.store.games()
        // Server-side settings, as a postgresql.conf or ALTER ROLE would give them.
        let odd = try LevelFunnelStore(url: h.database.url + "%20-cdatestyle%3DGerman%2CDMY%20-ctimezone%3DAsia%2FTokyo")
        let settings = try odd.db.query("SELECT current_setting('DateStyle'), current_setting('TimeZone')").one()
        #expect(try settings.decode(String.self, at: 0) == "ISO, YMD")
        #expect(try settings.decode(String.self, at: 1) == "UTC")
        #expect(try odd.games() == normal)
        let info = try odd.game("g")
        _ = try odd.backfill(game: "g", range: info.history)
        #expect(try odd.verify(FunnelQuery(game: "g", range: info.history)).isExact)
        #expect(try odd.aggregationStatus(today: info.lastDay).first?.aggregatedDays == info.history.dayCount)
    }

    /// A date that is not `YYYY-MM-DD` is a thrown decoding error, never a crash.
    @Test func undecodableDatesThrow() throws {
        let h = try Harness("decode")
        try h.db.execute("SET DateStyle = 'German, DMY'")
        let row = try h.db.query("SELECT '2026-02-03'::date").one()
        #expect(throws: PostgresError.self) { _ = try row.decode(Day.self, at: 0) }
        #expect(throws: PostgresError.self) { _ = try h.db.query("SELECT 1 WHERE false").one() }
    }

    /// One event from a phone whose clock says 2031 costs the daily job one day of work, not 1,900 empty ones;
    /// it counts on its own day on both paths and `games` reports it.
    @Test func futureDatedEventsDoNotMakeRefreshIterateEmptyDays() throws {
        let h = try Harness("future")
        try h.db.copy(RandomEvents.make(seed: 11, count: 600))  // 2026-02-01 ... 2026-02-10
        // Fixture: the history arrived as it happened (inserted just now, events would look late to a refresh).
        try h.db.execute("UPDATE events SET received_at = occurred_at + interval '1 minute'")
        let today = Day(iso: "2026-02-10")!
        _ = try h.store.refresh(game: "g", today: today)
        try h.db.execute("""
            INSERT INTO events (game_id, user_id, event_name, properties, occurred_at, received_at)
            VALUES ('g', 'clock', 'level_start', '{"levelId": 1}', '2031-06-01 08:00+00', '2026-02-10 12:00+00')
            """)
        let clock = ContinuousClock()
        var summary: RefreshSummary?
        let elapsed = try clock.measure { summary = try h.store.refresh(game: "g", today: today) }
        let done = try #require(summary)
        // The future day, its change captured: nothing in between is aggregated one by one.
        #expect(done.days == [Day(iso: "2031-06-01")!])
        #expect(done.emptyDays > 1_900)
        #expect(elapsed < .seconds(10))
        let again = try h.store.refresh(game: "g", today: today)
        #expect(again.days.count <= 2 && again.emptyDays == 0, "\(again.days)")
        let history = try h.store.game("g").history
        #expect(history.to == Day(iso: "2031-06-01")!)
        let report = try h.store.verify(FunnelQuery(game: "g", range: history))
        #expect(report.isExact, "\(report.differences.prefix(3))")
        let future = try h.store.funnel(FunnelQuery(game: "g", range: .single(Day(iso: "2031-06-01")!)))
        #expect(future.levels.map(\.counts.starts) == [1])
        #expect(try h.store.aggregationStatus(today: today).first?.futureEvents == 1)
        #expect(try h.store.aggregationStatus(today: today).first?.staleDays == 0)
        // The stale-day search starts at the watermark of the last refresh, not at the first aggregation.
        let watermark = try h.db.query("SELECT count(*) FROM refresh_watermarks WHERE game_id = 'g'").one()
        #expect(try watermark.decode(Int.self, at: 0) == 1)
    }

    /// Backfills record empty days in one statement and report progress over days with events only.
    @Test func backfillSkipsEmptyDaysInOneStatement() throws {
        let h = try Harness("emptydays")
        try h.db.copy(RandomEvents.make(seed: 12, count: 300))  // 2026-02-01 ... 2026-02-10
        var reports = 0
        let range = try DayRange(from: Day(iso: "2026-01-01")!, to: Day(iso: "2026-03-31")!)
        let summary = try h.store.backfill(game: "g", range: range, progress: { _ in reports += 1; return true })
        #expect(summary.daysDone == range.dayCount)
        #expect(reports == 10, "one report per day with events")
        let recorded = try h.db.query("SELECT count(*) FROM aggregated_days WHERE game_id = 'g'").one()
        #expect(try recorded.decode(Int.self, at: 0) == range.dayCount)
        #expect(try h.store.verify(FunnelQuery(game: "g", range: range)).isExact)
    }

    /// Two or three first-time migrations at once: none fails (the lock is taken before any DDL).
    @Test func parallelFirstMigrationsNeverCollide() throws {
        for trial in 0..<6 {
            let database = try TestDatabase.fresh("migrate\(trial)")
            let errors = LockedList()
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do { try LevelFunnelStore(url: database.url).migrate() } catch { errors.append("\(error)") }
            }
            #expect(errors.items.isEmpty, "trial \(trial): \(errors.items)")
            let version = try SchemaMigrator.currentVersion(database.connect())
            #expect(version == SchemaMigrator.latestVersion)
        }
    }

    /// Events inserted while a day is being aggregated are in every statement of it or in none: the day's
    /// counts, its cells and its fingerprint agree, and the next refresh picks the new event up.
    @Test func aDayIsAggregatedFromOneSnapshot() throws {
        let h = try Harness("snapshot")
        try h.db.insert((0..<5).map { EventRow(user: "u\($0)", name: "level_start", properties: #"{"levelId": 1}"#,
                                               occurredAt: "2026-02-03 10:00+00") })
        let writer = try h.database.connect()
        _ = try DailyAggregation.aggregate(game: "g", day: Self.day, h.db, afterRead: {
            try writer.insert([EventRow(user: "late", name: "level_start", properties: #"{"levelId": 1}"#,
                                        occurredAt: "2026-02-03 11:00+00")])
        })
        let row = try h.db.query("""
            SELECT (SELECT level_events FROM aggregated_days WHERE game_id = 'g' AND date = '2026-02-03'),
                   (SELECT sum(starts) FROM level_metrics_daily WHERE game_id = 'g' AND date = '2026-02-03'),
                   (SELECT sum(r.starts) FROM level_cells_daily r JOIN level_cell_tuples t USING (tuple_id)
                     WHERE t.game_id = 'g' AND t.cell = \(CellSQL.allUnpinned) AND r.date = '2026-02-03')
            """).one()
        #expect(try row.decode(Int.self, at: 0) == 5)
        #expect(try row.decode(Int.self, at: 1) == 5)
        #expect(try row.decode(Int.self, at: 2) == 5)
        // The late event was received after the snapshot: the daily job finds it.
        _ = try h.store.refresh(game: "g", today: Self.day)
        #expect(try h.store.verify(FunnelQuery(game: "g", range: .single(Self.day))).isExact)
        #expect(try h.store.funnel(FunnelQuery(game: "g", range: .single(Self.day))).levels.first?.counts.startedPlayers == 6)
    }

    /// A wait for another job's lock ends when the caller asks to stop.
    @Test func waitingForTheGameLockIsCancellable() throws {
        let h = try Harness("lockwait")
        try h.db.insert([EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 10:00+00")])
        let holder = try h.database.connect()
        try holder.execute("SELECT pg_advisory_lock($1::bigint)", [AdvisoryLockKey.aggregation(game: "g")])
        var waited = false
        let start = Date()
        #expect(throws: LevelFunnelError.cancelled) {
            _ = try h.store.backfill(game: "g", range: .single(Self.day), onWait: { waited = true },
                                     shouldStop: { Date().timeIntervalSince(start) > 0.3 })
        }
        #expect(waited && Date().timeIntervalSince(start) < 5)
    }

    /// The write check covers every table backfill touches and the temporary table: a role that may write only
    /// some of them is told it cannot, and one granted the full list can really backfill.
    @Test func canWriteChecksEveryPrivilegeBackfillNeeds() throws {
        let h = try Harness("privileges")
        try h.db.insert([EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 10:00+00")])
        let schema = h.database.schema
        let login = try TestLogin("lf_partial", on: h.database, admin: h.db)
        defer { login.drop() }
        let role = login.name
        try h.db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \"\(schema)\" TO \"\(role)\"")
        // What the old check looked at: any one privilege on these two tables.
        try h.db.execute("GRANT INSERT ON level_metrics_daily, aggregated_days TO \"\(role)\"")
        let url = login.url
        let partial = try LevelFunnelStore(url: url)
        #expect(try partial.accessRights().canWrite == false)
        for (table, privileges) in AccessRoles.writerPrivileges {
            try h.db.execute("GRANT \(privileges.joined(separator: ", ")) ON \(table) TO \"\(role)\"")
        }
        let full = try LevelFunnelStore(url: url)
        #expect(try full.accessRights().canWrite)
        _ = try full.backfill(game: "g", range: .single(Self.day))
        _ = try full.refresh(game: "g", today: Self.day)
        #expect(try full.funnel(FunnelQuery(game: "g", range: .single(Self.day))).levels.first?.counts.startedPlayers == 1)
    }

    /// A broken connection is told apart from a failed statement.
    @Test func aDeadConnectionIsReportedAsSuch() throws {
        let h = try Harness("dead")
        let victim = try h.database.connect()
        let pid = try victim.query("SELECT pg_backend_pid()").one().decode(Int.self, at: 0)
        #expect(throws: PostgresError.self) { try victim.execute("SELECT 1/0") }
        #expect(victim.isAlive)
        try h.db.execute("SELECT pg_terminate_backend($1)", [pid])
        do {
            try victim.execute("SELECT 1")
            Issue.record("a terminated connection answered")
        } catch let error as PostgresError {
            #expect(error.isConnectionLost, "\(error)")
        }
        #expect(!victim.isAlive)
    }
}

/// Strings appended from several threads.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    var items: [String] { lock.withLock { values } }
    func append(_ value: String) { lock.withLock { values.append(value) } }
}
