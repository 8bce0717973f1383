import Foundation
import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Exact on the cluster too: two games on different workers, backfilled on the coordinator, give for random ranges
/// and filters fast = raw there, and the answers of one node for the same events.
@Suite(.enabled(if: CitusCluster.enabled, Comment(rawValue: CitusCluster.installHint)))
struct CitusExactnessTests {
    static let history = try! DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)

    @Test func fastEqualsRawAndOneNodeForRandomRangesAndFiltersOfTwoGamesOnTwoWorkers() throws {
        let (_, cluster, _) = try CitusMigrateTests.migrated("citusexact")
        let (g1, g2) = try CitusCluster.gamesOnDifferentWorkers(cluster.db)
        #expect(try CitusCluster.workerPort(of: g1, cluster.db) != CitusCluster.workerPort(of: g2, cluster.db))
        let single = try Harness1("singleexact")
        let events = RandomEvents.make(seed: 7, count: 2000, game: g1) + RandomEvents.make(seed: 8, count: 1500, game: g2, driftWithinDay: false)
        for store in [cluster, single.store] {
            try store.db.copy(events)
            for game in [g1, g2] { _ = try store.backfill(game: game, range: Self.history) }
        }
        var rng = SeededRandom(seed: 99)
        var nonEmpty = 0
        for trial in 0..<40 {
            let game = trial % 2 == 0 ? g1 : g2
            let dims = try cluster.dimensions(game: game)
            let a = rng.next(10), b = rng.next(10)
            let range = try DayRange(from: Self.history.from.adding(days: min(a, b)), to: Self.history.from.adding(days: max(a, b)))
            var filters = FunnelFilters()
            if rng.next(2) == 0 { filters.platform = dims.values[.platform, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.country = dims.values[.country, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.appVersion = dims.values[.appVersion, default: []].randomElement(using: &rng) }
            let query = FunnelQuery(game: game, range: range, filters: filters)
            let report = try cluster.verify(query)
            if report.levelsCompared > 0 { nonEmpty += 1 }
            #expect(report.differences.isEmpty, "trial \(trial) \(range) \(filters): \(report.differences.prefix(3))")
            #expect(try cluster.funnel(query, source: .fast).levels == single.store.funnel(query, source: .fast).levels,
                    "trial \(trial) \(range) \(filters)")
        }
        #expect(nonEmpty >= 20)
        // A late event on the cluster: pending until the refresh, exact before and after it.
        let late = EventRow(game: g2, user: "late", name: "level_start", properties: #"{"levelId": 2}"#, occurredAt: "2026-02-03 09:00+00")
        for store in [cluster, single.store] { try store.db.insert([late]) }
        let whole = FunnelQuery(game: g2, range: Self.history)
        #expect(try cluster.verify(whole).differences.isEmpty)
        _ = try cluster.refresh(game: g2, today: Self.history.to)
        _ = try single.store.refresh(game: g2, today: Self.history.to)
        let fast = try cluster.funnel(whole, source: .fast)
        #expect(fast.coverage?.isComplete == true)
        #expect(fast.levels == (try single.store.funnel(whole, source: .fast).levels))
        #expect(try cluster.verify(whole).differences.isEmpty)
        // TRUNCATE marks every aggregated day with events stale, from the coordinator's trigger, as on one node.
        let stale = "SELECT count(*) FILTER (WHERE stale), count(*) FILTER (WHERE level_events > 0) FROM aggregated_days"
        var counts: [[Int]] = []
        for store in [cluster, single.store] {
            try store.db.execute("TRUNCATE events")
            let row = try store.db.query(stale).one()
            counts.append([try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1)])
        }
        #expect(counts[0] == counts[1] && counts[0][0] == counts[0][1] && counts[0][0] > 0, "\(counts)")
    }
}
