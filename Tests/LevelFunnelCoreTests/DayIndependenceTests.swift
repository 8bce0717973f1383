import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// A day's aggregation reads only `events` (its own day, and its player keys' earlier events through
/// `events_player_key_idx`), never another day's aggregates or a working state: so any order of days, a backfill
/// from the middle, and re-aggregating an old day after later ones all give the rows of one clean backfill.
@Suite struct DayIndependenceTests {
    static let history = AggregationTests.history

    /// Events with players changing dimensions within and across days, so that the per-key path (keys that
    /// changed a dimension) and the per-tuple path (keys that did not) both carry weight.
    static func events(seed: UInt64) -> [EventRow] {
        RandomEvents.make(seed: seed, count: 2500, driftWithinDay: seed % 2 == 0)
            + AggregationTests.invariantThenSwitching(seed: seed &+ 100, count: 800, switchDay: 4)
    }

    @Test(arguments: [61 as UInt64, 62])
    func anyOrderOfDaysGivesTheRowsOfABackfill(seed: UInt64) throws {
        let reference = try Harness("inorder")
        try reference.db.copy(Self.events(seed: seed))
        _ = try reference.store.backfill(game: "g", range: Self.history)
        let expected = try AggregationTests.checksum(reference.db)

        let h = try Harness("shuffled")
        try h.db.copy(Self.events(seed: seed))
        var rng = SeededRandom(seed: seed)
        for day in Self.history.days.shuffled(using: &rng) { _ = try h.store.aggregate(game: "g", day: day) }
        #expect(try AggregationTests.checksum(h.db) == expected)
        var check = SeededRandom(seed: seed &* 7)
        try AggregationTests.expectAllFilterSubsetsExact(h, rng: &check, rounds: 1)
    }

    /// Passes of any length give the rows of single days: a pass's window over each key's days and its
    /// corrections equal what each day computes alone, whether a key's earlier activity is inside the pass or
    /// before it.
    @Test(arguments: [2, 3, 7])
    func passesOfAnyLengthGiveTheRowsOfSingleDays(passDays: Int) throws {
        let reference = try Harness("daybyday")
        try reference.db.copy(Self.events(seed: 64))
        reference.store.maxPassDays = 1
        _ = try reference.store.backfill(game: "g", range: Self.history)

        let h = try Harness("passes")
        try h.db.copy(Self.events(seed: 64))
        h.store.maxPassDays = passDays
        _ = try h.store.backfill(game: "g", range: Self.history)
        #expect(try AggregationTests.checksum(h.db) == AggregationTests.checksum(reference.db))
    }

    /// Migration 8 on a database that a version-7 build aggregated: `level_metrics_daily` becomes a view of cell 0,
    /// the aggregated days are stale (answered from `events` meanwhile, exactly), and a refresh rebuilds them.
    @Test func upgradingToCorrectionsMarksDaysStaleUntilARefreshRebuildsThem() throws {
        let database = try TestDatabase.fresh("upgrade8")
        let store = try LevelFunnelStore(url: database.url)
        try SchemaMigrator.migrate(store.db, through: 7)
        try store.db.copy(Self.events(seed: 67))
        // What a version-7 backfill left behind, in outline: the days recorded, and rows in the old table.
        try store.db.execute("""
            INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, additive)
            SELECT 'g', d::date, now(), 1, '1:1', 31 FROM generate_series($1::date, $2::date, interval '1 day') d
            """, [Self.history.from.iso, Self.history.to.iso])
        try store.db.execute("""
            INSERT INTO level_metrics_daily (game_id, date, level_id, starts, completes, fails, started_players,
              completed_players, users_with_boosters, fails_with_purchase, total_completion_duration, completion_count,
              total_fail_duration, fail_count)
            VALUES ('g', $1::date, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
            """, [Self.history.from.iso])
        #expect(try store.migrate().applied == [8, 9, 10, 11, 12, 13, 14])
        #expect(try store.db.query("SELECT relkind::text FROM pg_class WHERE oid = 'level_metrics_daily'::regclass")
                .one().decode(String.self, at: 0) == "v")
        let stale = { try store.db.query("SELECT count(*) FROM aggregated_days WHERE stale").one().decode(Int.self, at: 0) }
        #expect(try stale() == Self.history.dayCount)
        let whole = FunnelQuery(game: "g", range: Self.history)
        #expect(try store.verify(whole).isExact)
        _ = try store.refresh(game: "g", today: Self.history.to, check: .none)
        #expect(try stale() == 0)
        #expect(try store.verify(whole).isExact)
        // The view's rows are the finest daily counts: their sums are the raw path's.
        let sums = try store.db.query("""
            SELECT (SELECT sum(starts) FROM level_metrics_daily WHERE game_id = 'g'),
                   (SELECT count(*) FROM level_events WHERE game_id = 'g' AND event_name = 'level_start')
            """).one()
        #expect(try sums.decode(Int.self, at: 0) == sums.decode(Int.self, at: 1))
    }

    @Test func aBackfillFromTheMiddleThenTheWholeHistoryGivesTheRowsOfOneBackfill() throws {
        let reference = try Harness("whole")
        try reference.db.copy(Self.events(seed: 63))
        _ = try reference.store.backfill(game: "g", range: Self.history)

        let h = try Harness("middle")
        try h.db.copy(Self.events(seed: 63))
        _ = try h.store.backfill(game: "g", range: try DayRange(from: Self.history.from.adding(days: 5), to: Self.history.to))
        #expect(try h.store.verify(FunnelQuery(game: "g", range: try DayRange(from: Self.history.from.adding(days: 5),
                                                                               to: Self.history.to))).isExact)
        _ = try h.store.backfill(game: "g", range: Self.history)
        #expect(try AggregationTests.checksum(h.db) == AggregationTests.checksum(reference.db))
    }

    /// Late events on an old day, one of them moving a player to another platform: re-aggregating that day alone
    /// marks the later days stale; the refresh redoes them, and the tables equal a backfill of all the events.
    @Test func reaggregatingAnOldDayAfterLaterDaysThenRefreshingIsExact() throws {
        let late = [
            EventRow(user: "p3", name: "level_start", properties: #"{"levelId": 2}"#, occurredAt: "2026-02-03 09:00+00",
                     platform: "WebGL", country: "BR", appVersion: "0.1", funnel: "live_v1", funnelVersion: 1),
            EventRow(user: "p3", name: "level_complete", properties: #"{"levelId": 2}"#, occurredAt: "2026-02-03 09:05+00",
                     platform: "WebGL", country: "BR", appVersion: "0.1", funnel: "live_v1", funnelVersion: 1),
            EventRow(user: "newcomer", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 10:00+00"),
        ]
        let reference = try Harness("lateref")
        try reference.db.copy(Self.events(seed: 64) + late)
        _ = try reference.store.backfill(game: "g", range: Self.history)

        let h = try Harness("lateold")
        try h.db.copy(Self.events(seed: 64))
        _ = try h.store.backfill(game: "g", range: Self.history)
        try h.db.insert(late)
        _ = try h.store.aggregate(game: "g", day: Day(iso: "2026-02-03")!)
        #expect(try h.store.aggregationStatus(today: Self.history.to).first?.staleDays == 7)
        _ = try h.store.refresh(game: "g", today: Self.history.to)
        #expect(try AggregationTests.checksum(h.db) == AggregationTests.checksum(reference.db))
        var rng = SeededRandom(seed: 64)
        try AggregationTests.expectAllFilterSubsetsExact(h, rng: &rng, rounds: 1)
    }

    /// The earlier-activity lookup is one index probe per key whatever the statistics say: on an `events` table
    /// that was never analyzed (a bulk load autovacuum has not seen yet), the plan is the same nested loop.
    @Test func theEarlierActivityLookupProbesTheKeyIndexWithoutStatistics() throws {
        let h = try Harness("plan")
        try h.db.copy(Self.events(seed: 65))
        let analyzed = try h.db.query("SELECT last_analyze FROM pg_stat_user_tables WHERE relid = 'events'::regclass").one()
        #expect(try analyzed.decode(String?.self, at: 0) == nil)
        let plan = try h.db.query("EXPLAIN " + CellSQL.fillEarlierActivity, ["g", "2026-02-05"])
            .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        #expect(plan.contains("Nested Loop") && plan.contains("events_player_key_idx"), "\(plan)")
        // The probe's conditions are the index's own, the player included (a collation mismatch between the pass's
        // tables and `events` once left only `game_id` usable: a scan of the game's index per key).
        let condition = plan.split(separator: "\n").first { $0.contains("Index Cond") } ?? ""
        #expect(condition.contains("(user_id = ") && condition.contains("(event_name = "), "\(plan)")
    }

    /// A backfill right after a bulk load analyzes `events` first; a second one (nothing changed) does not.
    @Test func aBackfillAfterABulkLoadAnalyzesEventsOnce() throws {
        let h = try Harness("analyze")
        try h.db.copy(Self.events(seed: 66))
        // A session reports its table counters at most once a second: unflushed, the COPY's rows would reach the
        // statistics after the first backfill's ANALYZE and make the second one analyze again (seen under load).
        try h.db.execute("SELECT pg_stat_force_next_flush()")
        func lastAnalyze() throws -> String? {
            try h.db.query("SELECT last_analyze::text FROM pg_stat_user_tables WHERE relid = 'events'::regclass").one()
                .decode(String?.self, at: 0)
        }
        #expect(try lastAnalyze() == nil)
        _ = try h.store.backfill(game: "g", range: Self.history)
        let first = try lastAnalyze()
        #expect(first != nil)
        _ = try h.store.backfill(game: "g", range: Self.history)
        #expect(try lastAnalyze() == first)
    }
}
