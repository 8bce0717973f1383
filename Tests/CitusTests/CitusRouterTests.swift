import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Each game's work stays on its worker: the statements that actually run (captured on the connection, with their
/// parameters) are explained on the cluster, and a router statement is one task on the game's worker, with no
/// subplan pulling rows to the coordinator.
@Suite(.enabled(if: CitusCluster.enabled, Comment(rawValue: CitusCluster.installHint)))
struct CitusRouterTests {
    static let history = try! DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
    static let distributed = ["events", "level_events", "level_metrics_daily"] + Distribution.tables

    struct Statement: Hashable {
        var sql: String
        var parameters: [String?]
        var game: String
    }

    /// The statements of `work` that name a distributed table, each with the game it ran for (its `$1`).
    static func capture(_ db: PostgresConnection, games: Set<String>, _ work: () throws -> Void) rethrows -> [Statement] {
        var seen: [Statement] = []
        db.statementObserver = { sql, parameters in
            guard let game = parameters.first ?? nil, games.contains(game), !sql.hasPrefix("INSERT INTO events "),
                  distributed.contains(where: { sql.range(of: "\\b\($0)\\b", options: .regularExpression) != nil }) else { return }
            seen.append(Statement(sql: sql, parameters: parameters, game: game))
        }
        defer { db.statementObserver = nil }
        try work()
        return seen
    }

    /// Why `statement` is not a router statement on the worker of its game (`ports`), or nil when it is.
    static func notRouter(_ statement: Statement, ports: [String: Int], _ db: PostgresConnection) throws -> String? {
        let plan: String
        do {
            // In a transaction rolled back: EXPLAIN runs nothing, but the pass's temporary tables empty on commit.
            try db.execute("BEGIN")
            defer { _ = try? db.execute("ROLLBACK") }
            plan = try db.query("EXPLAIN (COSTS OFF) " + statement.sql, statement.parameters.map { $0 as any PostgresEncodable })
                .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
        } catch { return "EXPLAIN failed: \(error)" }
        let tasks = plan.components(separatedBy: "Task Count: ").dropFirst().map { $0.prefix { $0.isNumber } }
        if plan.contains("Distributed Subplan") || plan.contains("pull to coordinator") || plan.contains("repartition") {
            return "rows pulled through the coordinator"
        }
        guard tasks == ["1"] else { return "task counts \(tasks)" }
        guard plan.contains("port=\(ports[statement.game]!) ") else { return "not on the game's worker \(ports[statement.game]!)" }
        return nil
    }

    /// Every statement of a fast query is a router statement on the game's worker, for two games on two workers;
    /// so is every statement of an aggregation pass (a backfill, a refresh after a late event and a deleted one, whose
    /// changes it applies as deltas): the working tables are the game's rows of tables co-located with `events`.
    @Test func fastQueriesAndAggregationPassesRunOnTheGamesWorker() throws {
        let (_, store, _) = try CitusMigrateTests.migrated("citusrouter")
        let (g1, g2) = try CitusCluster.gamesOnDifferentWorkers(store.db)
        let ports = [g1: try CitusCluster.workerPort(of: g1, store.db), g2: try CitusCluster.workerPort(of: g2, store.db)]
        #expect(ports[g1] != ports[g2])
        try store.db.copy(RandomEvents.make(seed: 5, count: 800, game: g1) + RandomEvents.make(seed: 6, count: 800, game: g2))

        let passes = try Self.capture(store.db, games: [g1, g2]) {
            for game in [g1, g2] { _ = try store.backfill(game: game, range: Self.history) }
            try store.db.insert([EventRow(game: g2, user: "late", name: "level_start", properties: #"{"levelId": 1}"#,
                                          occurredAt: "2026-02-03 09:00+00")])
            // A removed event too: the deltas read the removed rows.
            let removed = try store.db.query("SELECT min(id) FROM events WHERE game_id = $1 AND event_name = 'level_start'", [g2])
                .one().decode(Int.self, at: 0)
            try store.db.execute("DELETE FROM events WHERE game_id = $1 AND id = $2", [g2, removed])
            let applied = try store.refresh(game: g2, today: Self.history.to).applied
            #expect(applied.changes == 2 && applied.days > 0)
        }
        let queries = try Self.capture(store.db, games: [g1, g2]) {
            for game in [g1, g2] {
                for filters in [FunnelFilters(), FunnelFilters(platform: "iOS"), FunnelFilters(platform: "iOS", country: "US", appVersion: "0.2")] {
                    let answer = try store.funnel(FunnelQuery(game: game, range: Self.history, filters: filters), source: .fast)
                    #expect(answer.coverage?.isComplete == true)
                }
            }
        }
        #expect(Set(queries.map(\.game)) == [g1, g2] && Set(passes.map(\.game)) == [g1, g2])
        for statement in Set(queries) {
            let why = try Self.notRouter(statement, ports: ports, store.db)
            #expect(why == nil, "fast query statement not router (\(why ?? "")):\n\(statement.sql)")
        }
        for statement in Set(passes) {
            let why = try Self.notRouter(statement, ports: ports, store.db)
            #expect(why == nil, "aggregation statement not router (\(why ?? "")):\n\(statement.sql)")
        }
        #expect(Set(passes.map(\.sql)).count >= 30)
    }
}
