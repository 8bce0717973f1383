import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

@Suite struct AggregationTests {
    static let history = try! DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)

    /// A checksum of every aggregate row of a game, to compare table contents across runs.
    static func checksum(_ db: PostgresConnection, game: String = "g") throws -> String {
        try AggregateTables.checksum(db, game: game)
    }

    /// Random ranges and filter combinations: every field, distinct players included, equals the raw path,
    /// whether or not players change dimension values within a day.
    @Test(arguments: [true, false])
    func fastEqualsRawForRandomRangesAndFilters(driftWithinDay: Bool) throws {
        let h = try Harness("diff")
        try h.db.copy(RandomEvents.make(seed: driftWithinDay ? 7 : 8, count: 3000, driftWithinDay: driftWithinDay))
        let fromEvents = try h.store.dimensions(game: "g")   // nothing aggregated yet: read from events
        _ = try h.store.backfill(game: "g", range: Self.history)
        var rng = SeededRandom(seed: 99)
        let dims = try h.store.dimensions(game: "g")          // from the aggregates' cell tuples
        #expect(dims == fromEvents)
        #expect(dims.values[.platform, default: []] == ["Android", "WebGL", "iOS"])
        var nonEmpty = 0
        for trial in 0..<80 {
            let a = rng.next(10), b = rng.next(10)
            let range = try DayRange(from: Self.history.from.adding(days: min(a, b)), to: Self.history.from.adding(days: max(a, b)))
            var filters = FunnelFilters()
            if rng.next(2) == 0 { filters.platform = dims.values[.platform, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.country = dims.values[.country, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.appVersion = dims.values[.appVersion, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.funnel = dims.values[.funnel, default: []].randomElement(using: &rng) }
            if rng.next(3) == 0 { filters.funnelVersion = 1 + rng.next(2) }
            let report = try h.store.verify(FunnelQuery(game: "g", range: range, filters: filters))
            if report.levelsCompared > 0 { nonEmpty += 1 }
            #expect(report.differences.isEmpty, "trial \(trial) \(range) \(filters): \(report.differences.prefix(3))")
        }
        #expect(nonEmpty >= 40)
    }

    /// Events whose dimensions never vary per player until `switchDay`, when some players move to another
    /// platform, country, funnel or funnel version (app versions drift from the start): the days before store
    /// only the cells of additive dimensions, the days after more. Day offsets are from `history.from`.
    static func invariantThenSwitching(seed: UInt64, count: Int, switchDay: Int, players: Int = 30) -> [EventRow] {
        var rng = SeededRandom(seed: seed)
        let platforms: [String?] = ["iOS", "Android", nil]
        let countries: [String?] = ["US", "TR", nil, "MX"]
        let funnels: [String?] = ["live_v1", "test_hard", nil]
        let names = ["level_start", "level_start", "level_complete", "level_failed"]
        return (0..<count).map { _ in
            let player = rng.next(players)
            let day = rng.next(10)
            // After the switch, a third of the players alternate between two values of one dimension.
            let moved = day >= switchDay && player % 3 == 0 ? 1 + rng.next(2) : 0
            let which = player % 4
            let hour = String(format: "%02d:%02d", rng.next(24), rng.next(60))
            return EventRow(user: "p\(player)", name: names[rng.next(names.count)],
                            properties: "{\"levelId\": \(1 + rng.next(4)), \"duration\": \(rng.next(90))}",
                            occurredAt: "\(Self.history.from.adding(days: day).iso) \(hour)+00",
                            platform: platforms[(player + (which == 0 ? moved : 0)) % platforms.count],
                            country: countries[(player + (which == 1 ? moved : 0)) % countries.count],
                            appVersion: day + player % 4 < 6 ? "0.1" : "0.2",
                            funnel: funnels[(player + (which == 2 ? moved : 0)) % funnels.count],
                            funnelVersion: player % 7 == 0 ? nil : 1 + (player + (which == 3 ? moved : 0)) % 2)
        }
    }

    /// Checks every filter combination (all 32 subsets of the five dimensions, values taken at random, NULL
    /// values of the data never matching) over random ranges against the raw path.
    static func expectAllFilterSubsetsExact(_ h: Harness, rng: inout SeededRandom, rounds: Int) throws {
        let dims = try h.store.dimensions(game: "g")
        for round in 0..<rounds {
            for subset in 0..<32 {
                let a = rng.next(10), b = rng.next(10)
                let range = try DayRange(from: Self.history.from.adding(days: min(a, b)),
                                         to: Self.history.from.adding(days: max(a, b)))
                var filters = FunnelFilters()
                if subset & 1 != 0 { filters.funnel = dims.values[.funnel, default: []].randomElement(using: &rng) }
                if subset & 2 != 0 { filters.funnelVersion = 1 + rng.next(2) }
                if subset & 4 != 0 { filters.platform = dims.values[.platform, default: []].randomElement(using: &rng) }
                if subset & 8 != 0 { filters.country = dims.values[.country, default: []].randomElement(using: &rng) }
                if subset & 16 != 0 { filters.appVersion = dims.values[.appVersion, default: []].randomElement(using: &rng) }
                let report = try h.store.verify(FunnelQuery(game: "g", range: range, filters: filters))
                #expect(report.differences.isEmpty, "round \(round) \(range) \(filters): \(report.differences.prefix(3))")
            }
        }
    }

    /// Dimensions that never vary per player are summed from finer cells instead of being stored; when the data
    /// starts violating that mid-history, the days from then on store the coarser cells again. Every range and
    /// filter combination stays exact across the switch, for several random data sets.
    @Test(arguments: [(41 as UInt64, 4), (42, 1), (43, 7), (44, 10)])
    func dimensionsThatStopBeingInvariantMidHistoryStayExact(seed: UInt64, switchDay: Int) throws {
        let h = try Harness("switch\(seed)")
        try h.db.copy(Self.invariantThenSwitching(seed: seed, count: 1500, switchDay: switchDay))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let additive = try h.db.query("SELECT additive FROM aggregated_days WHERE game_id = 'g' ORDER BY date")
            .map { try $0.decode(Int.self, at: 0) }
        #expect(additive.count == 10)
        // Platform, country and funnel (bits 4, 2, 16) are additive on every day before the switch, and not on
        // some day after it (whether a given day sees a change depends on who plays what).
        let invariant = 4 | 2 | 16
        for (day, bits) in additive.enumerated() where day < switchDay {
            #expect(bits & invariant == invariant, "day \(day): additive \(bits)")
        }
        if switchDay < 10 { #expect(additive[switchDay...].contains { $0 & invariant != invariant }) }
        var rng = SeededRandom(seed: seed &* 31)
        try Self.expectAllFilterSubsetsExact(h, rng: &rng, rounds: 3)
    }

    /// A late event that breaks invariance on an early day: the later days are re-aggregated by the refresh and
    /// every answer is exact again.
    @Test func aLateEventBreakingInvarianceIsExactAfterRefresh() throws {
        let h = try Harness("lateswitch")
        try h.db.copy(Self.invariantThenSwitching(seed: 51, count: 1500, switchDay: 10))
        _ = try h.store.refresh(game: "g", today: Self.history.to)
        #expect(try h.db.query("SELECT bool_and(additive & 22 = 22) FROM aggregated_days").first!.decode(Bool.self, at: 0))
        // p1 (Android and TR on every other event) starts level 1 on day 2 on another platform and country.
        try h.db.insert([EventRow(user: "p1", name: "level_start", properties: #"{"levelId": 1}"#,
                                  occurredAt: "2026-02-03 12:00+00", platform: "WebGL", country: "BR",
                                  appVersion: "0.1", funnel: "test_hard", funnelVersion: 2)])
        _ = try h.store.refresh(game: "g", today: Self.history.to)
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
        #expect(try h.db.query("SELECT count(*) FROM aggregated_days WHERE additive & 4 = 0").first!.decode(Int.self, at: 0) > 0)
        var rng = SeededRandom(seed: 5)
        try Self.expectAllFilterSubsetsExact(h, rng: &rng, rounds: 2)
        #expect(try h.store.verify(FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "WebGL"))).differences.isEmpty)
    }

    @Test func playersActiveOnSeveralDaysOrTuplesCountOnce() throws {
        let h = try Harness("once")
        try h.db.insert([
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-01 10:00+00", appVersion: "0.1"),
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-01 18:00+00", appVersion: "0.2"),
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 10:00+00", appVersion: "0.2"),
            EventRow(user: "b", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 11:00+00", appVersion: "0.1"),
        ])
        func started(_ from: String, _ to: String, _ filters: FunnelFilters = FunnelFilters()) throws -> [Int] {
            [try h.funnel(.fast, from: from, to: to, filters: filters).first?.counts.startedPlayers ?? 0,
             try h.funnel(.raw, from: from, to: to, filters: filters).first?.counts.startedPlayers ?? 0]
        }
        #expect(try started("2026-02-01", "2026-02-03") == [2, 2])
        #expect(try started("2026-02-01", "2026-02-01") == [1, 1])     // a upgraded mid-day: still one player
        #expect(try started("2026-02-02", "2026-02-03") == [2, 2])
        #expect(try started("2026-02-01", "2026-02-03", FunnelFilters(appVersion: "0.2")) == [1, 1])
        #expect(try started("2026-02-03", "2026-02-03", FunnelFilters(appVersion: "0.1")) == [1, 1])
        // The daily table alone (sums of daily uniques per tuple) would say 4 over the whole range.
        let summed = try h.db.query("SELECT sum(started_players) FROM level_metrics_daily").first!.decode(Int.self, at: 0)
        #expect(summed == 4)
    }

    @Test func daysAggregatedOutOfOrderAreMarkedStaleUntilRefreshed() throws {
        let h = try Harness("order")
        try h.db.copy(RandomEvents.make(seed: 31, count: 1500))
        let whole = FunnelQuery(game: "g", range: Self.history)
        // Later days first: their recency misses the earlier days' activity...
        for offset in [9, 8, 5, 6, 7] { _ = try h.store.aggregate(game: "g", day: Self.history.from.adding(days: offset)) }
        // ...so aggregating an earlier day marks every later aggregated day stale.
        _ = try h.store.aggregate(game: "g", day: Self.history.from.adding(days: 2))
        let status = try #require(try h.store.aggregationStatus().first)
        #expect(status.aggregatedDays == 6)
        #expect(status.staleDays == 4 + 5)   // days 0, 1, 3, 4 never aggregated; days 5...9 stale
        _ = try h.store.refresh(game: "g", today: Self.history.to)
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
        #expect(try h.store.verify(whole).differences.isEmpty)
        // Re-aggregating a day whose events did not change marks nothing.
        _ = try h.store.aggregate(game: "g", day: Self.history.from.adding(days: 3))
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
    }

    @Test func backfillTwiceLeavesIdenticalTables() throws {
        let h = try Harness("twice")
        try h.db.copy(RandomEvents.make(seed: 11, count: 1500))
        var reports: [BackfillProgress] = []
        let first = try h.store.backfill(game: "g", range: Self.history, progress: { reports.append($0); return true })
        let sum1 = try Self.checksum(h.db)
        let second = try h.store.backfill(game: "g", range: Self.history)
        #expect(try Self.checksum(h.db) == sum1)
        // Day by day on their own (as the daily job does) the tables come out the same.
        for day in Self.history.days { _ = try h.store.aggregate(game: "g", day: day) }
        #expect(try Self.checksum(h.db) == sum1)
        #expect(first.events == second.events && first.events > 1000)
        #expect(try h.store.games().map(\.aggregatedLevelEvents) == [first.events])
        #expect(second.rowsRemoved == 0)
        #expect(reports.map(\.daysDone) == Array(1...10))
        #expect(reports.last?.etaSeconds == 0)
        // NULL dimensions never create a second row on a re-run.
        let duplicates = try h.db.query("""
            SELECT count(*) FROM (SELECT 1 FROM level_metrics_daily
             GROUP BY game_id, date, level_id, level_funnel, level_funnel_version, platform, country_code, app_version
            HAVING count(*) > 1) d
            """).first!.decode(Int.self, at: 0)
        #expect(duplicates == 0)
        let nullRows = try h.db.query("SELECT count(*) FROM level_metrics_daily WHERE platform IS NULL OR app_version IS NULL")
        #expect(try nullRows.first!.decode(Int.self, at: 0) > 0)
    }

    @Test func reaggregationRemovesRowsWhoseEventsAreGone() throws {
        let h = try Harness("gone")
        try h.db.insert([
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 10:00+00", platform: "iOS"),
            EventRow(user: "b", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 11:00+00", platform: "Android"),
        ])
        let day = Day(iso: "2026-02-03")!
        func stored() throws -> Int {
            try h.db.query("""
                SELECT count(*) FROM level_cells_daily r JOIN level_cell_tuples t USING (game_id, tuple_id)
                 WHERE t.game_id = 'g' AND r.date = '2026-02-03'
                """).one().decode(Int.self, at: 0)
        }
        // Per level: the cell pinning nothing, platform (two tuples), and cell 0 (two tuples, other dimensions NULL).
        #expect(try h.store.aggregate(game: "g", day: day).rowsWritten == 5)
        #expect(try stored() == 5)
        // Only tests remove events; levelfunnel itself never does.
        try h.db.execute("DELETE FROM events WHERE platform = 'Android'")
        let again = try h.store.aggregate(game: "g", day: day)
        #expect(again.rowsWritten == 3 && again.rowsRemoved == 2)
        #expect(try stored() == 3)
        #expect(try h.funnel(.fast, from: "2026-02-03", to: "2026-02-03")[0].counts.starts == 1)
    }

    @Test func aKilledDayTransactionLeavesThePreviousStateIntact() throws {
        let h = try Harness("killed")
        try h.db.copy(RandomEvents.make(seed: 5, count: 800))
        let day = Day(iso: "2026-02-04")!
        _ = try h.store.backfill(game: "g", range: Self.history)
        let before = try Self.checksum(h.db)
        // New events for that day, so that a completed re-aggregation would change the table.
        try h.db.copy(RandomEvents.make(seed: 6, count: 300, firstDay: "2026-02-04", days: 1))

        // Another session locks the day's status row: the aggregation upserts its metrics rows, then blocks.
        let blocker = try h.database.connect()
        try blocker.execute("BEGIN")
        try blocker.execute("SELECT 1 FROM aggregated_days WHERE game_id = 'g' AND date = '2026-02-04' FOR UPDATE")
        let victimPid = try h.db.query("SELECT pg_backend_pid()").first!.decode(Int.self, at: 0)
        let url = h.database.url
        let outcome = ResultBox()
        let thread = Thread {
            do {
                let store = try LevelFunnelStore(url: url)
                outcome.set(pid: try store.db.query("SELECT pg_backend_pid()").first!.decode(Int.self, at: 0))
                _ = try store.aggregate(game: "g", day: day)
                outcome.finish(nil)
            } catch { outcome.finish(error) }
        }
        thread.start()
        // Wait until the aggregation is blocked inside its transaction, then kill its backend.
        var waited = 0.0
        while waited < 20 {
            if let pid = outcome.pid,
               try blocker.query("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", [pid])
                .first?.decode(Bool?.self, at: 0) == true {
                try blocker.execute("SELECT pg_terminate_backend($1)", [pid])
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        #expect(outcome.waitForError() != nil)
        try blocker.execute("ROLLBACK")
        #expect(victimPid != outcome.pid)
        #expect(try Self.checksum(h.db) == before)
        // And a normal re-run then takes the new events in.
        _ = try h.store.aggregate(game: "g", day: day)
        #expect(try Self.checksum(h.db) != before)
    }

    @Test func concurrentBackfillsNeitherDoubleCountNorDeadlock() throws {
        let h = try Harness("concurrent")
        try h.db.copy(RandomEvents.make(seed: 21, count: 2000))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let expected = try Self.checksum(h.db)
        let url = h.database.url
        let group = DispatchGroup()
        let waits = ResultBox()
        for _ in 0..<3 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let store = try LevelFunnelStore(url: url)
                    _ = try store.backfill(game: "g", range: Self.history, onWait: { waits.noteWait() })
                } catch { waits.finish(error) }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(waits.error == nil)
        #expect(waits.waitCount >= 1)
        #expect(try Self.checksum(h.db) == expected)
    }

    /// Two games aggregated at the same time, each on its own connection, share the working tables without
    /// touching each other's rows: each gets the rows it gets alone, and no row is left in the working tables (a
    /// pass's player keys live only in its transaction).
    @Test func twoGamesAggregatedAtOnceGetWhatEachGetsAlone() throws {
        let h = try Harness("twogames")
        try h.db.copy(RandomEvents.make(seed: 25, count: 2000) + RandomEvents.make(seed: 26, count: 2000, game: "h"))
        for game in ["g", "h"] { _ = try h.store.backfill(game: game, range: Self.history) }
        let alone = try ["g", "h"].map { try Self.checksum(h.db, game: $0) }
        let url = h.database.url
        let group = DispatchGroup()
        let failures = ResultBox()
        for game in ["g", "h"] {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let store = try LevelFunnelStore(url: url)
                    for _ in 0..<3 { _ = try store.backfill(game: game, range: Self.history) }
                } catch { failures.finish(error) }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.error == nil)
        #expect(try ["g", "h"].map { try Self.checksum(h.db, game: $0) } == alone)
        for table in WorkingTables.all {
            #expect(try h.db.query("SELECT count(*) FROM \(table)").one().decode(Int.self, at: 0) == 0, "\(table)")
        }
    }

    @Test func refreshReaggregatesLateEventsAndNewDays() throws {
        let h = try Harness("refresh")
        try h.db.copy(RandomEvents.make(seed: 3, count: 600))
        let today = Day(iso: "2026-02-10")!
        let first = try h.store.refresh(game: "g", today: today)
        #expect(first.days.count == 10)     // every day of the history, never aggregated before
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
        // Pretend the history was aggregated an hour ago, then a late event for an old day arrives.
        try h.db.execute("UPDATE events SET received_at = received_at - interval '2 hours'")
        try h.db.execute("UPDATE aggregated_days SET aggregated_at = aggregated_at - interval '1 hour'")
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
        let oldDay = Day(iso: "2026-02-02")!
        let startsBefore = try h.store.funnel(FunnelQuery(game: "g", range: .single(oldDay))).levels.map(\.counts.starts).reduce(0, +)
        try h.db.insert([EventRow(user: "late", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-02 09:00+00")])
        #expect(try h.store.aggregationStatus().first?.staleDays == 1)
        let second = try h.store.refresh(game: "g", today: today)
        // Applied as a delta: no day rebuilt.
        #expect(second.days.isEmpty && second.applied.changedRows == 1 && second.applied.days >= 1)
        let after = try h.store.funnel(FunnelQuery(game: "g", range: .single(oldDay))).levels.map(\.counts.starts).reduce(0, +)
        #expect(after == startsBefore + 1)
        #expect(try h.store.aggregationStatus().first?.staleDays == 0)
    }
}

/// A small thread-safe box for results from background threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var _pid: Int?
    private var _error: Error?
    private var _waits = 0

    var pid: Int? { lock.withLock { _pid } }
    var error: Error? { lock.withLock { _error } }
    var waitCount: Int { lock.withLock { _waits } }

    func set(pid: Int) { lock.withLock { _pid = pid } }
    func noteWait() { lock.withLock { _waits += 1 } }
    func finish(_ error: Error?) {
        lock.withLock { if _error == nil { _error = error } }
        done.signal()
    }
    func waitForError() -> Error? {
        _ = done.wait(timeout: .now() + 30)
        return error
    }
}

@Suite struct PermissionTests {
    @Test func aReadOnlyRoleCanQueryButNotWrite() throws {
        let h = try Harness("perm")
        try h.db.insert([EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-01 10:00+00")])
        _ = try h.store.backfill(game: "g", range: .single(Day(iso: "2026-02-01")!))
        #expect(try h.store.accessRights().canWrite)
        let login = try TestLogin("lf_reader", on: h.database, admin: h.db)
        defer { login.drop() }
        try h.db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \"\(h.database.schema)\" TO \"\(login.name)\"")
        let reader = try LevelFunnelStore(url: login.url)
        #expect(try reader.accessRights().canWrite == false)
        let fast = try reader.funnel(FunnelQuery(game: "g", range: .single(Day(iso: "2026-02-01")!)))
        #expect(fast.levels.first?.counts.startedPlayers == 1)
        // Refused up front, with the reason, before any statement runs.
        #expect(throws: LevelFunnelError.needsWriteAccess("backfill")) {
            _ = try reader.backfill(game: "g", range: .single(Day(iso: "2026-02-01")!))
        }
    }
}
