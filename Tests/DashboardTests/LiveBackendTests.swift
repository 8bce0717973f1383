import Dashboard
import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// The dashboard's backend over a real database.
@Suite struct LiveBackendTests {
    /// A database of its own, migrated, with `count` random events of `game`, and a store on it.
    static func loaded(_ name: String, game: String, seed: UInt64, count: Int) throws -> (TestDatabase, LevelFunnelStore) {
        let database = try TestDatabase.fresh(name)
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.copy(RandomEvents.make(seed: seed, count: count, game: game))
        return (database, store)
    }

    /// "Refresh now" over every game: a game whose day times out (another session holds one of its rows) is named
    /// in the one-line failure, and the other games are refreshed all the same.
    @Test func refreshOfEveryGameGoesOnPastAGameThatFails() throws {
        let database = try TestDatabase.fresh("lbrefresh")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        for (i, game) in ["lb1", "lb2"].enumerated() {
            try store.db.copy(RandomEvents.make(seed: 60 + UInt64(i), count: 600, game: game))
            _ = try store.backfill(game: game, range: DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!))
        }
        try store.db.execute("UPDATE aggregated_days SET stale = true WHERE date = '2026-02-04'")
        let holder = try database.connect()
        try holder.execute("BEGIN")
        try holder.execute("SELECT 1 FROM level_metrics_daily WHERE game_id = 'lb2' AND date = '2026-02-04' LIMIT 1 FOR UPDATE")
        defer { _ = try? holder.execute("ROLLBACK") }
        let backend = try LiveBackend(url: database.url.replacingOccurrences(
            of: "options=-csearch_path", with: "options=-cstatement_timeout%3D1500%20-csearch_path"))
        do {
            let summary = try backend.refresh(game: nil)
            Issue.record("no failure reported: \(summary)")
        } catch let failure as BackendFailure {
            #expect(failure.message.hasPrefix("2 games: "), "\(failure.message)")
            #expect(failure.message.contains("; 1 failed: refresh lb2: day 2026-02-04 failed: canceling statement due to statement timeout"),
                    "\(failure.message)")
        }
        let stale = try store.db.query("SELECT game_id FROM aggregated_days WHERE stale ORDER BY game_id").map { try $0.decode(String.self, at: 0) }
        #expect(stale == ["lb2"])
    }

    /// The canceller a lane makes once for its backend still cancels after a backfill replaced the lost connection:
    /// a raw query waiting on a locked `events` is cancelled at once (it used to wait for the lock, `cancelling…`).
    @Test func escCancelsARawQueryAfterABackfillReconnected() throws {
        let (database, _) = try Self.loaded("lbcancel", game: "lbc", seed: 62, count: 600)
        let history = try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
        let backend = try LiveBackend(url: database.url)
        let canceller = try #require(backend.makeCanceller())
        let admin = try database.connect()
        var killed: Int?
        // After the first pass (one day), the backend's session (the one holding the game's lock) is terminated:
        // the next pass reconnects.
        _ = try backend.backfill(game: "lbc", range: history) { _ in
            guard killed == nil else { return true }
            killed = try? admin.query("""
                SELECT pid FROM pg_locks
                 WHERE locktype = 'advisory' AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = $1
                """, [AdvisoryLockKey.aggregation(game: "lbc")]).one().decode(Int.self, at: 0)
            if let killed { _ = try? admin.execute("SELECT pg_terminate_backend($1)", [killed]) }
            return true
        }
        #expect(killed != nil)
        #expect(backend.isAlive)

        // On a thread of its own: lock `events`, wait for the raw query to wait for it, cancel with the canceller
        // made before the reconnect, and let go of the lock 8 s later at the latest.
        let ready = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let url = database.url
        Thread {
            guard let locker = try? PostgresConnection(url: url), let watcher = try? PostgresConnection(url: url),
                  (try? locker.execute("BEGIN")) != nil,
                  (try? locker.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")) != nil else { ready.signal(); return }
            ready.signal()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, (try? watcher.query("SELECT count(*) FROM pg_locks WHERE relation = 'events'::regclass AND NOT granted")
                    .one().decode(Int.self, at: 0)) == 0 {
                Thread.sleep(forTimeInterval: 0.02)
            }
            canceller.cancel()
            _ = done.wait(timeout: .now() + 8)
            _ = try? locker.execute("ROLLBACK")
        }.start()
        ready.wait()
        let started = Date()
        let result = Result { try backend.funnel(FunnelQuery(game: "lbc", range: history), source: .raw) }
        done.signal()
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 5, "the raw query waited \(seconds) s")
        switch result {
        case .failure(let error): #expect("\(error)".contains("canceling statement due to user request"), "\(error)")
        case .success: Issue.record("the raw query was not cancelled: it waited for the lock (\(seconds) s)")
        }
    }

    /// The dashboard's compare and breakdown are the store's analyses (`LevelFunnelStore.compare`, `.breakdown`,
    /// what the CLI's `query --compare` and `--by` answer): the same levels and groups, exact.
    @Test func compareAndBreakdownEffectsAnswerTheStoresAnalyses() throws {
        let (database, store) = try Self.loaded("lbanalysis", game: "lba", seed: 64, count: 800)
        let history = try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
        _ = try store.backfill(game: "lba", range: try DayRange(from: history.from, to: Day(iso: "2026-02-06")!))
        let query = FunnelQuery(game: "lba", range: history)
        let platforms = try store.dimensions(game: "lba").values[.platform] ?? []
        try #require(platforms.count >= 2)
        var (baseline, variant) = (query, query)
        baseline.filters[.platform] = platforms[0]
        variant.filters[.platform] = platforms[1]
        let plan = ComparePlan(baseline: baseline, variant: variant, baselineLabel: platforms[0], variantLabel: platforms[1])
        var events: [BackendEvent] = []
        let backend = try LiveBackend(url: database.url)
        EffectExecutor.perform(.loadCompare(plan, request: 1), backend: backend, exportDirectory: "/tmp") { events.append($0) }
        EffectExecutor.perform(.loadBreakdown(query, .platform, top: 1, request: 2), backend: backend, exportDirectory: "/tmp") {
            events.append($0)
        }
        guard events.count == 2, case .compared(1, .success(let compare)) = events[0],
              case .breakdown(2, .success(let breakdown)) = events[1] else {
            Issue.record("\(events)")
            return
        }
        let storeCompare = try store.compare(plan)
        #expect(!compare.levels.isEmpty && compare.levels == storeCompare.levels)
        #expect(compare.baseline.coverage == storeCompare.baseline.coverage && compare.baseline.source == .fast)
        let storeBreakdown = try store.breakdown(query, by: .platform, top: 1)
        #expect(breakdown.groups.map(\.label) == storeBreakdown.groups.map(\.label) && breakdown.groups.count == 3)
        #expect(breakdown.groups.map(\.levels) == storeBreakdown.groups.map(\.levels))
        #expect(breakdown.otherValues == storeBreakdown.otherValues && breakdown.totalPlayers == storeBreakdown.totalPlayers)
    }

    /// One event dated 2099 (a wrong clock): the "last N days" presets end on the last day with events up to today
    /// (they ended in 2099), and name the range they give.
    @Test func lastDaysPresetsIgnoreAFarFutureEvent() throws {
        let (database, store) = try Self.loaded("lbpresets", game: "lbp", seed: 63, count: 300)
        try store.db.insert([EventRow(game: "lbp", user: "clock", name: "level_start", properties: #"{"levelId": 1}"#,
                                      occurredAt: "2099-06-01 08:00+00")])
        let game = try #require(try LiveBackend(url: database.url).games().first { $0.id == "lbp" })
        let lastWeek = try DayRange(from: Day(iso: "2026-02-04")!, to: Day(iso: "2026-02-10")!)
        #expect(RangePreset.lastDays(7).range(for: game) == lastWeek)
        #expect(RangePreset.lastDays(90).range(for: game) == (try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)))
        #expect(RangePreset.label(of: lastWeek, game: game) == "last 7 days")
        #expect(RangePreset.wholeHistory.range(for: game)?.to == Day(iso: "2099-06-01")!)

        // The trend of the whole history (26,784 days) queries the 11 days with events; it stops when told to.
        let backend = try LiveBackend(url: database.url)
        let whole = FunnelQuery(game: "lbp", range: game.history)
        let started = Date()
        let series = try backend.dailySeries(whole, shouldStop: { false })
        #expect(series.points.count == 26_784 && series.points.filter { !$0.result.levels.isEmpty }.count == 11)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(throws: LevelFunnelError.cancelled) { try backend.dailySeries(whole, shouldStop: { true }) }
    }
}

