import Dashboard
import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// The dashboard's backend over a real database.
@Suite struct LiveBackendTests {
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
}
