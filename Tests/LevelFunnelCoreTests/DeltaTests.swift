import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Captured changes applied to the aggregates as deltas give, row for row, the aggregates a rebuild from scratch
/// gives (issue 18, item 2).
@Suite struct DeltaTests {
    static let first = Day(iso: "2026-02-01")!
    static let history = try! DayRange(from: first, to: first.adding(days: 9))
    static let today = first.adding(days: 9)

    /// Random changes of every kind to an aggregated game: new players, replays on other days, back-dated and
    /// far-future events, dimension drift (platform, app version, funnel), deletes and updates that move an event
    /// to another day, level or tuple.
    static func change(_ db: PostgresConnection, seed: UInt64, inserts: Int, deletes: Int, updates: Int) throws {
        var rng = TestSupport.SeededRandom(seed: seed)
        var rows = RandomEvents.make(seed: seed &* 7 &+ 1, count: inserts, players: 40)
        for i in rows.indices where rng.next(10) == 0 {
            rows[i].occurredAt = ["2026-01-20T10:00:00Z", "2026-03-30T10:00:00Z", "2031-01-01T00:00:00Z"][rng.next(3)]
        }
        try db.copy(rows)
        try db.execute("""
            DELETE FROM events WHERE id IN (SELECT id FROM events WHERE game_id = 'g' ORDER BY hashint8(id # $1::bigint) LIMIT $2)
            """, [Int(seed), deletes])
        let moves = [
            // Constant values: Citus refuses an UPDATE computing a STABLE expression (timestamptz + interval).
            "occurred_at = '2026-02-07 12:00+00'", "occurred_at = '2026-02-02 08:30+00'",
            "platform = 'Switch'", "app_version = '0.9'", "level_funnel = NULL", "user_id = 'p1'",
            "properties = jsonb_set(properties, '{levelId}', '3')", "event_name = 'level_complete'",
            "country_code = 'US', level_funnel_version = 7",
        ]
        for n in 0..<updates {
            try db.execute("""
                UPDATE events SET \(moves[rng.next(moves.count)])
                 WHERE id IN (SELECT id FROM events WHERE game_id = 'g' ORDER BY hashint8(id # $1::bigint) LIMIT 3)
                """, [Int(seed) * 100 + n])
        }
    }

    /// The aggregates of `h`'s game rebuilt from scratch, day by day, as rows.
    static func rebuilt(_ h: Harness) throws -> [String] {
        try h.db.execute("DELETE FROM level_cells_daily WHERE game_id = 'g'")
        try h.db.execute("DELETE FROM aggregated_days WHERE game_id = 'g'")
        let busy = try h.db.query("SELECT DISTINCT day FROM level_events WHERE game_id = 'g' ORDER BY 1").map { try $0.decode(Day.self, at: 0) }
        for day in busy { _ = try DailyAggregation.aggregate(game: "g", day: day, h.db) }
        return try AggregateTables.rows(h.db)
    }

    /// With the changes pending, random ranges and filters over the aggregated days are answered from the
    /// aggregates plus the changes (no day live), exactly (issue 18, item 3).
    static func expectExactWhilePending(_ h: Harness, seed: UInt64) throws {
        var rng = TestSupport.SeededRandom(seed: seed)
        #expect(try h.db.query("SELECT count(*) FROM event_changes").one().decode(Int.self, at: 0) > 0)
        let filters = [FunnelFilters(), FunnelFilters(platform: "iOS"), FunnelFilters(platform: "Switch"),
                       FunnelFilters(country: "US", appVersion: "0.2"), FunnelFilters(funnel: "live_v1", funnelVersion: 1),
                       FunnelFilters(platform: "Android", country: "TR", appVersion: "0.3")]
        for _ in 0..<8 {
            let from = Self.first.adding(days: rng.next(10))
            let range = try DayRange(from: from, to: from.adding(days: rng.next(Self.first.distance(to: Self.today) - Self.first.distance(to: from) + 1)))
            let query = FunnelQuery(game: "g", range: range, filters: filters[rng.next(filters.count)])
            let report = try h.store.verify(query)
            #expect(report.isExact, "\(query): \(report.differences.prefix(3))")
            #expect(try h.store.funnel(query, today: Self.today).coverage?.live == 0)
        }
    }

    /// A change touches the days from its own on, not the earlier days of its player keys' history.
    @Test func aLateEventUpdatesItsDayAndTheDaysAfterOnly() throws {
        let h = try Harness("deltadays")
        try h.db.copy(RandomEvents.make(seed: 9, count: 1500, players: 40))
        _ = try h.store.refresh(game: "g", today: Self.today)
        let active = try h.db.query("""
            SELECT user_id FROM level_events WHERE game_id = 'g' AND event_name = 'level_start' AND level_id = 1
             GROUP BY user_id ORDER BY count(DISTINCT day) DESC, user_id LIMIT 1
            """).one().decode(String.self, at: 0)
        try h.db.insert([EventRow(user: active, name: "level_start", properties: #"{"levelId": 1}"#,
                                  occurredAt: "2026-02-09 12:00+00")])
        let applied = try DeltaApply.apply(game: "g", h.db)
        #expect(applied.changes == 1 && applied.days >= 1 && applied.days <= 2, "\(applied)")
        #expect(try h.store.verify(FunnelQuery(game: "g", range: Self.history)).isExact)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func appliedDeltasEqualARebuildRowForRow(seed: UInt64) throws {
        let h = try Harness("delta\(seed)")
        try h.db.copy(RandomEvents.make(seed: seed, count: 1500, players: 40))
        _ = try h.store.refresh(game: "g", today: Self.today)
        for round in 0..<3 {
            try Self.change(h.db, seed: seed * 10 + UInt64(round), inserts: 120, deletes: 15, updates: 4)
            try Self.expectExactWhilePending(h, seed: seed * 10 + UInt64(round))
            let applied = try DeltaApply.apply(game: "g", h.db)
            #expect(applied.changes > 0)
            #expect(applied.days > applied.daysToRebuild, "some days take deltas: \(applied)")
            #expect(try h.db.query("SELECT count(*) FROM event_changes").one().decode(Int.self, at: 0) == 0)
            // The days the deltas could not update (their additive dimensions changed, or never aggregated) are
            // rebuilt whole by the refresh; nothing else is.
            _ = try h.store.refresh(game: "g", today: Self.today, check: .none)
            let applied2 = try AggregateTables.rows(h.db)
            let rebuilt = try Self.rebuilt(h)
            let missing = rebuilt.filter { !applied2.contains($0) }, extra = applied2.filter { !rebuilt.contains($0) }
            #expect(missing.isEmpty && extra.isEmpty,
                    "round \(round): \(missing.count) rows missing, \(extra.count) extra: \(missing.prefix(4)) vs \(extra.prefix(4))")
            #expect(try h.store.verify(FunnelQuery(game: "g", range: Self.history)).isExact)
        }
    }
}
