import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// The fast path is never silently partial: days the aggregates do not cover come from the events in the same
/// answer, exactly, and `coverage` says which.
@Suite struct LiveTailTests {
    static let first = Day(iso: "2026-02-01")!
    static let history = try! DayRange(from: first, to: first.adding(days: 9))
    static func day(_ n: Int) -> Day { first.adding(days: n - 1) }

    /// Random ranges and filters, every one equal to the raw path on every field.
    static func expectExact(_ h: Harness, seed: UInt64, trials: Int = 25, _ label: String) throws {
        var rng = SeededRandom(seed: seed)
        let dims = try h.store.dimensions(game: "g")
        for _ in 0..<trials {
            let a = rng.next(10), b = rng.next(10)
            let range = try DayRange(from: history.from.adding(days: min(a, b)), to: history.from.adding(days: max(a, b)))
            var filters = FunnelFilters()
            for dimension in Dimension.allCases where rng.next(3) == 0 {
                filters[dimension] = dims.options(dimension, filters: filters).randomElement(using: &rng)
            }
            let report = try h.store.verify(FunnelQuery(game: "g", range: range, filters: filters))
            #expect(report.isExact, "\(label) \(range) \(filters.summary): \(report.differences.prefix(3))")
        }
    }

    @Test func rangesMixingAggregatedNeverAggregatedLateAndStaleDaysEqualRaw() throws {
        let h = try Harness("livemix")
        try h.db.copy(RandomEvents.make(seed: 21, count: 2500))
        // Never aggregated: every day is live.
        let none = try h.store.funnel(FunnelQuery(game: "g", range: Self.history))
        #expect(none.coverage == Coverage(days: 10, aggregated: 0, live: 10, firstLive: Self.day(1), lastLive: Self.day(10)))
        try Self.expectExact(h, seed: 1, "never aggregated")

        // Days 1-6 aggregated, 7-10 not.
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(6)))
        let partial = try h.store.funnel(FunnelQuery(game: "g", range: Self.history))
        #expect(partial.coverage == Coverage(days: 10, aggregated: 6, live: 4, firstLive: Self.day(7), lastLive: Self.day(10)))
        #expect(partial.source == .fast)
        #expect(try h.store.aggregationStatus(today: Self.day(10)).first?.liveDays == 4)
        try Self.expectExact(h, seed: 2, "days 7-10 live")

        // Late events on day 3 from players also active on days 2 and 5 (both sides of the boundary).
        let players = try h.db.query("""
            SELECT DISTINCT user_id FROM level_events WHERE game_id = 'g' AND day = '2026-02-02'
            INTERSECT SELECT DISTINCT user_id FROM level_events WHERE game_id = 'g' AND day = '2026-02-05'
            ORDER BY 1 LIMIT 3
            """).map { try $0.decode(String.self, at: 0) }
        #expect(!players.isEmpty)
        try h.db.insert(players.flatMap { user in
            (1...4).flatMap { level in
                [EventRow(user: user, name: "level_start", properties: #"{"levelId": \#(level)}"#, occurredAt: "2026-02-03 23:00+00",
                          platform: "iOS", country: "TR", appVersion: "0.9", funnel: "live_v1", funnelVersion: 2),
                 EventRow(user: user, name: "level_complete", properties: #"{"levelId": \#(level), "duration": 12.5}"#,
                          occurredAt: "2026-02-03 23:01+00", platform: "iOS", country: "TR", appVersion: "0.9",
                          funnel: "live_v1", funnelVersion: 2)]
            }
        })
        let late = try h.store.funnel(FunnelQuery(game: "g", range: Self.history))
        // Pending on day 3: answered from its aggregates plus the changes; no day turns live because of them.
        #expect(late.coverage?.aggregated == 6 && late.coverage?.firstLive == Self.day(7))
        try Self.expectExact(h, seed: 3, "late events on day 3")

        // Day 3 re-aggregated: its events changed, so days 4-6 are marked stale and stay live until refreshed.
        _ = try h.store.aggregate(game: "g", day: Self.day(3))
        let stale = try h.store.funnel(FunnelQuery(game: "g", range: Self.history))
        #expect(stale.coverage?.aggregated == 3 && stale.coverage?.firstLive == Self.day(4))
        try Self.expectExact(h, seed: 4, "days 4-6 stale")

        // After the daily job, everything is aggregated again.
        _ = try h.store.refresh(game: "g", today: Self.day(10))
        let whole = try h.store.funnel(FunnelQuery(game: "g", range: Self.history), today: Self.day(10))
        #expect(whole.coverage == Coverage(days: 10, aggregated: 10, includesToday: true))
        try Self.expectExact(h, seed: 5, "refreshed")
    }

    /// `--source aggregates` never fills a day it does not have: missing and stale days are counted, and the
    /// numbers are those of the aggregated days alone.
    @Test func theStrictSourceReportsMissingAndStaleDays() throws {
        let h = try Harness("livestrict")
        try h.db.copy(RandomEvents.make(seed: 22, count: 1200))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(5)))
        let query = FunnelQuery(game: "g", range: Self.history)
        let strict = try h.store.funnel(query, source: .aggregates)
        #expect(strict.source == .aggregates)
        #expect(strict.coverage == Coverage(days: 10, aggregated: 5, missing: 5))
        #expect(strict.coverage?.summary == "5 days aggregated + 5 missing")
        let firstFive = try h.store.funnel(FunnelQuery(game: "g", range: DayRange(from: Self.day(1), to: Self.day(5))), source: .raw)
        #expect(FunnelComparison.differences(fast: strict.levels, raw: firstFive.levels).isEmpty)
        let json = FunnelFormatter.json(strict)
        #expect(json.contains(#""coverage":{"days":10,"aggregated":5,"live":0,"missing":5,"stale":0,"firstLive":null"#))
        #expect(json.contains(#""freshness":{"aggregatedAt":"20"#))
        // A late event makes its day stale for the strict source, live for the fast one.
        try h.db.insert([EventRow(user: "late", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-02 08:00+00")])
        #expect(try h.store.funnel(query, source: .aggregates).coverage?.stale == 1)
        #expect(try h.store.verify(query).isExact)
    }

    /// Events inserted with an old `received_at` (a backup imported, a queue replayed) are captured like any other:
    /// exact at once, re-aggregated by the next refresh with its default check. Writes the triggers cannot see
    /// (here: with them disabled, as before capture existed) are found by the daily job's fingerprint check.
    @Test func backDatedInsertsAreCapturedAndUncapturedOnesFoundByTheFingerprintCheck() throws {
        let h = try Harness("livebackdated")
        try h.db.copy(RandomEvents.make(seed: 23, count: 1000))
        try h.db.execute("UPDATE events SET received_at = occurred_at + interval '1 minute'")
        _ = try h.store.refresh(game: "g", today: Self.day(10))
        try h.db.execute("""
            INSERT INTO events (game_id, user_id, event_name, properties, occurred_at, received_at)
            VALUES ('g', 'imported', 'level_start', '{"levelId": 2}', '2026-02-01 09:00+00', '2025-01-01 09:00:05+00')
            """)
        let query = FunnelQuery(game: "g", range: Self.history)
        #expect(try h.store.funnel(query).coverage?.live == 0, "pending changes are answered, not computed live")
        #expect(try h.store.verify(query).isExact)
        #expect(try h.store.refresh(game: "g", today: Self.day(10), check: .none).applied.changedRows == 1)
        #expect(try h.store.funnel(query, today: Self.day(10)).coverage?.live == 0)

        try h.db.execute("ALTER TABLE events DISABLE TRIGGER lf_capture_insert")
        try h.db.execute("""
            INSERT INTO events (game_id, user_id, event_name, properties, occurred_at, received_at)
            VALUES ('g', 'uncaptured', 'level_start', '{"levelId": 2}', '2026-02-08 09:00+00', '2026-02-08 09:00:05+00')
            """)
        try h.db.execute("ALTER TABLE events ENABLE TRIGGER lf_capture_insert")
        #expect(!(try h.store.verify(query).isExact), "an uncaptured write is not seen until the fingerprint check")
        #expect(!(try h.store.refresh(game: "g", today: Self.day(10), check: .none)).days.contains(Self.day(8)))
        #expect(try h.store.refresh(game: "g", today: Self.day(10), check: .days(7)).days.contains(Self.day(8)))
        #expect(try h.store.verify(query).isExact)
    }

    /// A role that may read the aggregates but not `events` gets the aggregates' answer, labelled as such.
    @Test func aRoleWithoutEventsGetsTheAggregatesAndIsToldSo() throws {
        let h = try Harness("livereader")
        try h.db.copy(RandomEvents.make(seed: 24, count: 800))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(8)))
        let login = try TestLogin("lf_reader", on: h.database, admin: h.db)
        defer { login.drop() }
        let role = login.name
        try h.db.execute("""
            GRANT SELECT ON level_metrics_daily, level_cells_daily, level_cell_tuples, aggregated_days, refresh_watermarks,
                            schema_migrations TO "\(role)"
            """)
        try h.db.execute("GRANT SELECT (game_id, day) ON event_changes TO \"\(role)\"")
        let reader = try LevelFunnelStore(url: login.url)
        let answer = try reader.funnel(FunnelQuery(game: "g", range: Self.history))
        #expect(answer.source == .aggregates)
        #expect(answer.coverage == Coverage(days: 10, aggregated: 8, missing: 2))
        let expected = try h.store.funnel(FunnelQuery(game: "g", range: DayRange(from: Self.day(1), to: Self.day(8))), source: .raw)
        #expect(FunnelComparison.differences(fast: answer.levels, raw: expected.levels).isEmpty)
    }
}
