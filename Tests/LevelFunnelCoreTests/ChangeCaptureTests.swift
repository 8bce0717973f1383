import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Every committed change to a level event is captured in `event_changes` by the transaction that makes it, and a
/// day holding one is not fresh until an aggregation that saw it: no margin on `received_at`, no guess from
/// snapshots (issue 18, items 1 and 5).
@Suite struct ChangeCaptureTests {
    static let first = Day(iso: "2026-02-01")!
    static func day(_ n: Int) -> Day { first.adding(days: n - 1) }
    static let history = try! DayRange(from: first, to: first.adding(days: 9))
    static let query = FunnelQuery(game: "g", range: history)

    static func aggregated(_ label: String, configure: (PostgresConnection) throws -> Void = { _ in }) throws -> Harness {
        let h = try Harness(label, beforeMigrate: configure)
        try h.db.copy(RandomEvents.make(seed: 31, count: 1200))
        _ = try h.store.refresh(game: "g", today: Self.day(10))
        #expect(try pendingDays(h).isEmpty)
        #expect(try h.store.funnel(Self.query, today: Self.day(10)).coverage?.live == 0)
        return h
    }

    static func pendingDays(_ h: Harness) throws -> [Day] {
        try h.db.query("SELECT DISTINCT day FROM event_changes WHERE game_id = 'g' ORDER BY 1").map { try $0.decode(Day.self, at: 0) }
    }

    static func start(_ user: String, level: Int = 1, at: String, platform: String? = "iOS") -> EventRow {
        EventRow(user: user, name: "level_start", properties: #"{"levelId": \#(level)}"#, occurredAt: at, platform: platform)
    }

    /// The hole of the `received_at` margin: an insert in a transaction that began before an aggregation and
    /// committed after it was missed (fast 29 starts, raw 59, coverage complete).
    @Test func anInsertCommittedAfterAnAggregationThatBeganBeforeItIsPending() throws {
        let h = try Self.aggregated("capinflight")
        let backend = try h.database.connect()
        try backend.execute("BEGIN")
        try backend.insert((0..<30).map { Self.start("inflight\($0)", at: "2026-02-05 10:00+00") })
        try backend.execute("SELECT pg_sleep(1.2)")
        _ = try h.store.aggregate(game: "g", day: Self.day(5))   // does not see the uncommitted inserts
        try backend.execute("COMMIT")
        #expect(try Self.pendingDays(h) == [Self.day(5)])
        let fast = try h.store.funnel(Self.query, today: Self.day(10))
        #expect(fast.coverage?.live == 0, "answered from the aggregates plus the pending change")
        #expect(try h.store.verify(Self.query).isExact)
        #expect(try h.store.funnel(Self.query, source: .aggregates).coverage?.stale == 1)
        // The next refresh applies it as a delta (to day 5 and the days after, whose recency depends on it);
        // nothing is pending then.
        let refreshed = try h.store.refresh(game: "g", today: Self.day(10), check: .none)
        #expect(refreshed.applied.changes == 30 && refreshed.applied.changedRows == 30)
        #expect(try Self.pendingDays(h).isEmpty)
        #expect(try h.store.funnel(Self.query, today: Self.day(10)).coverage?.live == 0)
        #expect(try h.store.verify(Self.query).isExact)
        // With nothing pending, a refresh has nothing to do.
        #expect(try h.store.refresh(game: "g", today: Self.day(10), check: .none).days.isEmpty)
    }

    /// Updates and deletes are changes too (by the game backend or a DBA; levelfunnel never makes them); an update
    /// that changes nothing counted is not; a truncate marks every aggregated day with events stale.
    @Test func updatesDeletesAndTruncatesAreCaptured() throws {
        let h = try Self.aggregated("capupdates")
        // Constant values: Citus refuses an UPDATE computing a STABLE expression (timestamptz + interval) from a column.
        try h.db.execute("UPDATE events SET received_at = '2026-03-01 00:00+00', session_id = 'x'")
        #expect(try Self.pendingDays(h).isEmpty, "received_at and session ids are not counted")

        try h.db.execute("UPDATE events SET platform = 'Switch' WHERE id = (SELECT min(id) FROM level_events WHERE day = '2026-02-03')")
        try h.db.execute("UPDATE events SET occurred_at = '2026-02-08 12:00+00' WHERE id = (SELECT min(id) FROM level_events WHERE day = '2026-02-04')")
        try h.db.execute("DELETE FROM events WHERE id IN (SELECT id FROM level_events WHERE day = '2026-02-09' LIMIT 5)")
        #expect(try Self.pendingDays(h) == [Self.day(3), Self.day(4), Self.day(8), Self.day(9)])
        #expect(try h.store.verify(Self.query).isExact)
        #expect(try h.store.verify(FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "Switch"))).isExact)
        _ = try h.store.refresh(game: "g", today: Self.day(10), check: .none)
        #expect(try Self.pendingDays(h).isEmpty)
        #expect(try h.store.verify(Self.query).isExact)

        let withEvents = try h.db.query("SELECT count(*) FROM aggregated_days WHERE level_events > 0").one().decode(Int.self, at: 0)
        try h.db.execute("TRUNCATE events")
        #expect(try h.db.query("SELECT count(*) FROM aggregated_days WHERE stale").one().decode(Int.self, at: 0) == withEvents)
        #expect(withEvents == 10)
        #expect(throws: LevelFunnelError.unknownGame("g")) { try h.store.funnel(Self.query, today: Self.day(10)) }
    }

    /// A day emptied of its events (inserted, then deleted) is recorded empty again, and its changes consumed.
    @Test func aDayWhoseEventsCameAndWentIsFreshAgain() throws {
        let h = try Self.aggregated("capcameandwent")
        try h.db.insert([Self.start("ghost", at: "2026-02-12 10:00+00")])
        try h.db.execute("DELETE FROM events WHERE user_id = 'ghost'")
        #expect(try Self.pendingDays(h) == [Self.day(12)])
        _ = try h.store.refresh(game: "g", today: Self.day(12), check: .none)
        #expect(try Self.pendingDays(h).isEmpty)
        let through12 = FunnelQuery(game: "g", range: try DayRange(from: Self.day(1), to: Self.day(12)))
        #expect(try h.store.funnel(through12, today: Self.day(12)).coverage?.live == 0)
        #expect(try h.store.verify(through12).isExact)
    }

    /// A `COPY`, a partitioned `events`, and a game backend's role with no privilege on levelfunnel's tables.
    @Test func copiesPartitionsAndUnprivilegedWritersAreCaptured() throws {
        let h = try Self.aggregated("cappartitioned") { db in
            try db.execute(try PartitionedEventsTests.partitionedEventsTable())
            for month in 1...3 { try PartitionedEventsTests.createPartition(month, db) }
        }
        try h.db.copy([Self.start("copied", at: "2026-02-02 10:00+00")])
        #expect(try Self.pendingDays(h) == [Self.day(2)])

        let backend = try TestLogin("lf_backend", on: h.database, admin: h.db)
        defer { backend.drop() }
        try h.db.execute("GRANT INSERT ON events TO \"\(backend.name)\"")
        try h.db.execute("GRANT USAGE ON SEQUENCE events_id_seq TO \"\(backend.name)\"")
        let writer = try PostgresConnection(url: backend.url)
        try writer.insert([Self.start("backend", at: "2026-02-06 10:00+00")])
        #expect(throws: PostgresError.self) { try writer.query("SELECT count(*) FROM event_changes") }
        #expect(try Self.pendingDays(h) == [Self.day(2), Self.day(6)])
        #expect(try h.store.verify(Self.query).isExact)
        _ = try h.store.refresh(game: "g", today: Self.day(10), check: .none)
        #expect(try Self.pendingDays(h).isEmpty)
        #expect(try h.store.verify(Self.query).isExact)
    }

    /// Upgrading: changes made before the triggers existed (events received after their day was aggregated, as
    /// the daily job used to find them) are recorded as pending by migration 11.
    @Test func upgradingRecordsTheChangesMadeBeforeCapture() throws {
        let h = try Harness("capupgrade")
        // Before capture: the triggers are not there (disabled here), and version 10 and 11 not recorded.
        try h.db.execute("ALTER TABLE events DISABLE TRIGGER USER")
        try h.db.copy(RandomEvents.make(seed: 32, count: 600))
        try h.db.execute("UPDATE events SET received_at = occurred_at + interval '1 minute'")
        _ = try h.store.backfill(game: "g", range: Self.history)
        try h.db.insert([Self.start("late", at: "2026-02-04 10:00+00")])
        // Schema 9: none of capture's objects.
        try h.db.execute("DROP TABLE event_removals, event_changes CASCADE")
        try h.db.execute("DELETE FROM schema_migrations WHERE version >= 10")
        #expect(try SchemaMigrator.migrate(h.db, through: 11).applied == [10, 11])
        #expect(try Self.pendingDays(h) == [Self.day(4)])
        // Changes captured before schema 13 hold no removed rows: their days are marked stale instead.
        #expect(try h.store.migrate().applied == [12, 13, 14])
        #expect(try Self.pendingDays(h).isEmpty)
        #expect(try h.db.query("SELECT array_agg(date ORDER BY date)::text FROM aggregated_days WHERE stale").one()
                    .decode(String.self, at: 0) == "{2026-02-04}")
        #expect(try h.store.verify(Self.query).isExact)
        // The triggers are back: the next insert is captured.
        try h.db.insert([Self.start("after", at: "2026-02-07 10:00+00")])
        #expect(try Self.pendingDays(h) == [Self.day(7)])
    }
}
