import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Issue 17, bounded work: after a complete backfill every day is answered from the aggregates (a day's rebuild
/// marks later days stale only when its players' activity changed), and a series day by day costs the days that
/// have events, not the calendar days between a wrong clock's event and the rest. Each test failed before its fix.
@Suite struct BoundedWorkTests {
    static let history = AggregationTests.history

    /// No day of the game's history is stale or live, a whole-history fast answer comes from the aggregates alone,
    /// and every range and filter combination equals the raw path (the aggregates, not a live tail, answer).
    static func expectFreshAndExact(_ h: Harness, _ what: String, seed: UInt64) throws {
        let status = try #require(try h.store.aggregationStatus().first)
        #expect(status.aggregatedDays == status.totalDays && status.staleDays == 0 && status.liveDays == 0,
                "\(what): \(status.aggregatedDays) of \(status.totalDays) aggregated, \(status.staleDays) stale, \(status.liveDays) live")
        let info = try h.store.game("g")
        let whole = try h.store.funnel(FunnelQuery(game: "g", range: info.history))
        #expect(whole.coverage?.live == 0 && whole.coverage?.aggregated == info.history.dayCount, "\(what): \(String(describing: whole.coverage))")
        #expect(try h.store.verify(FunnelQuery(game: "g", range: info.history)).differences.isEmpty, "\(what)")
        var rng = SeededRandom(seed: seed)
        try AggregationTests.expectAllFilterSubsetsExact(h, rng: &rng, rounds: 1)
    }

    /// Days of the game marked stale.
    static func staleDays(_ h: Harness) throws -> [Day] {
        try h.db.query("SELECT date FROM aggregated_days WHERE game_id = 'g' AND stale ORDER BY date").map { try $0.decode(Day.self, at: 0) }
    }

    /// A day without events inside the history (recorded empty before the passes) is not made stale by the first
    /// pass (one day: 02-01; the next starts at 02-03): it has no player recency to go stale. Was: `aggregated 10,
    /// stale 1, live 9`.
    @Test func anEmptyDayInsideTheHistoryStaysFresh() throws {
        let h = try Harness("emptyinside")
        try h.db.copy(RandomEvents.make(seed: 61, count: 2000).filter { !$0.occurredAt.hasPrefix("2026-02-02") })
        _ = try h.store.backfill(game: "g", range: Self.history)
        #expect(try Self.staleDays(h) == [])
        try Self.expectFreshAndExact(h, "empty 02-02", seed: 1)
    }

    /// One event dated 1970 (a phone's reset clock): the backfill from 1970 leaves no stale day. Was: 20,499 stale
    /// days and the whole history live.
    @Test func anEventDated1970LeavesNoStaleDay() throws {
        let h = try Harness("epoch")
        try h.db.copy(RandomEvents.make(seed: 62, count: 2000))
        // p1 plays on: their later starts of level 1 count their 1970 start as earlier activity.
        try h.db.insert([EventRow(user: "p1", name: "level_start", properties: #"{"levelId": 1}"#,
                                  occurredAt: "1970-01-01 00:00+00", platform: "iOS")])
        let info = try h.store.game("g")
        #expect(info.firstDay == Day(iso: "1970-01-01")!)
        _ = try h.store.backfill(game: "g", range: info.history)
        #expect(try Self.staleDays(h) == [])
        try Self.expectFreshAndExact(h, "1970", seed: 2)
    }

    /// `aggregate --date` of an empty day before the history, aggregated for the first time, changes nothing for
    /// later days. Was: every day of the history stale, and live.
    @Test func aggregatingAnEmptyDayBeforeTheHistoryMarksNothing() throws {
        let h = try Harness("emptybefore")
        try h.db.copy(RandomEvents.make(seed: 63, count: 2000))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let done = try h.store.aggregate(game: "g", day: Day(iso: "2026-01-31")!)
        #expect(done.levelEvents == 0 && !done.changed)
        #expect(try Self.staleDays(h) == [])
        try Self.expectFreshAndExact(h, "aggregate 01-31", seed: 3)
    }

    /// A day rebuilt with new events that leave its players' activity as it was (a second start of the same key,
    /// a fail) marks nothing; a start on another platform (a new key) marks the later days with events, and a
    /// refresh makes every answer exact again. A day on record from before schema 9 (no activity fingerprint)
    /// counts as changed once.
    @Test func onlyAChangeOfActivityMarksLaterDaysStale() throws {
        let h = try Harness("activity")
        func solo(_ name: String, at time: String, platform: String = "iOS") -> EventRow {
            EventRow(user: "solo", name: name, properties: #"{"levelId": 1}"#, occurredAt: time, platform: platform,
                     country: "US", appVersion: "0.1", funnel: "live_v1", funnelVersion: 1)
        }
        try h.db.copy(RandomEvents.make(seed: 64, count: 2000).filter { !$0.occurredAt.hasPrefix("2026-02-08") })
        try h.db.insert([solo("level_start", at: "2026-02-03 10:00+00"), solo("level_start", at: "2026-02-06 10:00+00")])
        _ = try h.store.backfill(game: "g", range: Self.history)
        let day = Day(iso: "2026-02-03")!

        try h.db.insert([solo("level_start", at: "2026-02-03 11:00+00"), solo("level_failed", at: "2026-02-03 11:05+00")])
        var again = try h.store.aggregate(game: "g", day: day)
        #expect(!again.changed)
        #expect(try Self.staleDays(h) == [])
        try Self.expectFreshAndExact(h, "the same key again, a fail", seed: 4)

        try h.db.insert([solo("level_start", at: "2026-02-03 12:00+00", platform: "Android")])
        again = try h.store.aggregate(game: "g", day: day)
        #expect(again.changed)
        // Every later day with events; 02-08 has none.
        #expect(try Self.staleDays(h) == ["2026-02-04", "2026-02-05", "2026-02-06", "2026-02-07", "2026-02-09", "2026-02-10"]
            .map { Day(iso: $0)! })
        _ = try h.store.refresh(game: "g", today: Self.history.to)
        try Self.expectFreshAndExact(h, "a new key", seed: 5)

        try h.db.execute("UPDATE aggregated_days SET activity_fingerprint = NULL WHERE level_events > 0")
        #expect(try h.store.aggregate(game: "g", day: day).changed)
        #expect(try Self.staleDays(h).count == 6)
    }

    /// Migration 9 on a version-8 database: days recorded without events get the empty activity; the others have
    /// none on record until their next aggregation.
    @Test func upgradingRecordsTheActivityOfEmptyDays() throws {
        let database = try TestDatabase.fresh("upgrade9")
        let store = try LevelFunnelStore(url: database.url)
        try SchemaMigrator.migrate(store.db, through: 8)
        try store.db.execute("""
            INSERT INTO aggregated_days (game_id, date, aggregated_at, level_events, events_fingerprint, additive)
            VALUES ('g', '2026-02-01', now(), 0, '0:0', 31), ('g', '2026-02-02', now(), 5, '5:15', 31)
            """)
        #expect(try store.migrate().applied == [9, 10, 11, 12, 13, 14])
        let prints = try store.db.query("SELECT activity_fingerprint FROM aggregated_days ORDER BY date").map { try $0.decode(String?.self, at: 0) }
        #expect(prints == ["0:0", nil])
    }

    /// A series day by day over a history stretched to 2031 by one wrong clock queries the days with events only
    /// (it ran four statements for each of the 1,947 calendar days); every day's answer, empty days included, is
    /// that of a query of that day alone (levels, source, coverage, freshness), and fast equals raw on every day.
    @Test func aSeriesDayByDayQueriesTheDaysWithEventsOnly() throws {
        let h = try Harness("series")
        try h.db.copy(RandomEvents.make(seed: 65, count: 1500).filter { !$0.occurredAt.hasPrefix("2026-02-05") })
        try h.db.insert([EventRow(user: "clock", name: "level_start", properties: #"{"levelId": 1}"#,
                                  occurredAt: "2031-06-01 08:00+00")])
        let history = try h.store.game("g").history
        #expect(history.dayCount == 1_947)
        // Aggregated through March: the days after are live on the fast path, missing from the aggregates.
        _ = try h.store.backfill(game: "g", range: DayRange(from: history.from, to: Day(iso: "2026-03-31")!))
        var series: [FunnelSource: DailySeries] = [:]
        for source in [FunnelSource.fast, .aggregates, .raw] {
            var statements = 0
            h.db.statementObserver = { _, _ in statements += 1 }
            let one = try h.store.dailySeries(FunnelQuery(game: "g", range: history), source: source)
            h.db.statementObserver = nil
            series[source] = one
            #expect(one.points.map(\.day) == Array(history.days))
            #expect(statements < 100, "\(source): \(statements) statements for 10 days with events")
            for iso in ["2026-02-01", "2026-02-05", "2026-02-10", "2026-02-11", "2026-03-31", "2026-04-01", "2031-05-31", "2031-06-01"] {
                let day = Day(iso: iso)!
                let point = one.points[history.from.distance(to: day)].result
                let alone = try h.store.funnel(FunnelQuery(game: "g", range: .single(day)), source: source)
                #expect(point.levels == alone.levels && point.source == alone.source, "\(source) \(iso)")
                #expect(point.coverage == alone.coverage && point.freshness == alone.freshness,
                        "\(source) \(iso): \(String(describing: point.coverage)) vs \(String(describing: alone.coverage))")
            }
        }
        let fast = try #require(series[.fast]), raw = try #require(series[.raw])
        for (f, r) in zip(fast.points, raw.points) {
            #expect(FunnelComparison.differences(fast: f.result.levels, raw: r.result.levels).isEmpty, "\(f.day)")
        }
        #expect(fast.points.filter { !$0.result.levels.isEmpty }.count == 10)
        #expect(throws: LevelFunnelError.unknownGame("nope")) {
            try h.store.dailySeries(FunnelQuery(game: "nope", range: history))
        }
    }

    /// One event dated 2099: "the last 7 days" still end on the last day with events up to today (they jumped to
    /// 2099), from `events` or, for a role that may read the aggregates only, from them; and that role's series
    /// over the whole history (26,000 days) queries the days with aggregated events only.
    @Test func aWrongClockMovesNeitherTheLastDaysNorTheCostOfASeries() throws {
        let h = try Harness("clock2099")
        try h.db.copy(RandomEvents.make(seed: 66, count: 600))
        try h.db.insert([EventRow(user: "clock", name: "level_start", properties: #"{"levelId": 1}"#,
                                  occurredAt: "2099-06-01 08:00+00")])
        let lastWeek = try DayRange(from: Day(iso: "2026-02-04")!, to: Day(iso: "2026-02-10")!)
        let info = try h.store.game("g")
        #expect(info.history.to == Day(iso: "2099-06-01")!)
        #expect(SavedRange.lastDays(7).range(for: info) == lastWeek)
        #expect(SavedRange.lastDays(7).range(for: try #require(try h.store.games().first)) == lastWeek)
        _ = try h.store.backfill(game: "g", range: info.history)

        let login = try TestLogin("lf_reader", on: h.database, admin: h.db)
        defer { login.drop() }
        try h.db.execute("""
            GRANT SELECT ON level_metrics_daily, level_cells_daily, level_cell_tuples, aggregated_days, refresh_watermarks,
                            schema_migrations TO "\(login.name)"
            """)
        try h.db.execute("GRANT SELECT (game_id, day) ON event_changes TO \"\(login.name)\"")
        let reader = try LevelFunnelStore(url: login.url)
        let readerInfo = try reader.game("g")
        #expect(readerInfo.fromAggregatesOnly && readerInfo.history == info.history)
        #expect(SavedRange.lastDays(7).range(for: readerInfo) == lastWeek)
        #expect(SavedRange.lastDays(7).range(for: try #require(try reader.games().first)) == lastWeek)
        var statements = 0
        reader.db.statementObserver = { _, _ in statements += 1 }
        let series = try reader.dailySeries(FunnelQuery(game: "g", range: info.history))
        reader.db.statementObserver = nil
        #expect(series.points.count == info.history.dayCount)
        #expect(statements < 150, "\(statements) statements for 11 days with events")
        #expect(Set(series.points.map(\.result.source)) == [.aggregates])
        #expect(series.points.allSatisfy { $0.result.coverage == Coverage(days: 1, aggregated: 1, includesToday: $0.day == .today) })
        let busy = series.points.filter { !$0.result.levels.isEmpty }
        #expect(busy.count == 11)
        for point in busy {
            let raw = try h.store.funnel(FunnelQuery(game: "g", range: .single(point.day)), source: .raw)
            #expect(FunnelComparison.differences(fast: point.result.levels, raw: raw.levels).isEmpty, "\(point.day)")
        }
    }
}
