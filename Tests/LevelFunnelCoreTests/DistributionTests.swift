import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// The SQL stays ready for distributing the tables by `game_id` (Citus, `docs/scaling.md`): every statement that
/// reads or writes `events` or an aggregate table says which game, on every table it names, so that it runs on the
/// one shard holding that game. The statements checked are the ones that actually run, captured on the connection.
@Suite struct DistributionTests {
    static let tables = ["events", "level_events", "level_metrics_daily", "level_cells_daily", "level_cell_tuples",
                        "aggregated_days", "refresh_watermarks", "event_changes"] + WorkingTables.all

    /// Statements that span games by design: the list of games (from every game's events, or its aggregates).
    static let crossGame = [GameSQL.gamesWithLevelEvents, GameSQL.gamesWithLevelEventsOnShards, GameSQL.gamesFromAggregates]

    private static let keywords: Set<String> = ["where", "on", "join", "left", "inner", "cross", "group", "order", "set",
                                                "using", "limit", "select", "returning", "union", "as", "and", "natural"]

    /// The references to `tables` in `sql` that carry no `game_id` condition. A reference passes when its alias
    /// (or its table name) has `alias.game_id = …` or `… = alias.game_id`, or, unqualified, `game_id = …` appears;
    /// an `INSERT INTO t (game_id, …)` passes when its rows take the game from `$1`. Every table has `game_id`
    /// since schema 12 (the cell rows named their game through `level_cell_tuples` only), so none is an exception.
    static func violations(_ sql: String) -> [String] {
        let text = sql.lowercased()
        let pattern = #"\b(from|join|into|update|using)\s+("# + tables.joined(separator: "|") + #")\b(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let whole = NSRange(text.startIndex..., in: text)
        func has(_ p: String) -> Bool { text.range(of: p, options: .regularExpression) != nil }
        let gameOfOne = has(#"game_id\s*=\s*\$1\b"#) || has(#"(values\s*\(|select\s+(distinct\s+)?)\$1\b"#)
        var found: [String] = []
        for match in regex.matches(in: text, range: whole) {
            let verb = String(text[Range(match.range(at: 1), in: text)!])
            let table = String(text[Range(match.range(at: 2), in: text)!])
            var alias = match.range(at: 3).location == NSNotFound ? nil : String(text[Range(match.range(at: 3), in: text)!])
            if let a = alias, keywords.contains(a) { alias = nil }
            let ok: Bool
            if verb == "into" {
                ok = has(#"into\s+"# + table + #"\s*\(\s*game_id\b"#) && gameOfOne
            } else {
                let name = alias ?? table
                ok = has("\\b\(name)\\.game_id\\s*=") || has("=\\s*\(name)\\.game_id\\b")
                    || (alias == nil && has(#"(^|[^\w.])game_id\s*="#))
            }
            if !ok { found.append("\(table)\(alias.map { " " + $0 } ?? "")") }
        }
        return found
    }

    @Test func theCheckTellsStatementsWithAndWithoutAGame() {
        #expect(Self.violations("SELECT count(*) FROM events WHERE occurred_at > now()") == ["events"])
        #expect(Self.violations("SELECT count(*) FROM events WHERE game_id = $1").isEmpty)
        #expect(Self.violations("SELECT 1 FROM events e JOIN aggregated_days a ON a.date = e.occurred_at::date WHERE e.game_id = $1")
                == ["aggregated_days a"])
        #expect(Self.violations("SELECT * FROM level_cells_daily r JOIN level_cell_tuples t USING (tuple_id)") != [])
        #expect(Self.violations("INSERT INTO aggregated_days (game_id, date) VALUES ($1, $2)").isEmpty)
        #expect(Self.violations("INSERT INTO aggregated_days (date) VALUES ($2)") == ["aggregated_days"])
    }

    /// Every statement of migrate-free work — backfill, refresh, single days, both funnels, verify, dimensions,
    /// status — names its game on every table it touches.
    @Test func everyStatementOnEventsOrAggregatesFiltersOnGameId() throws {
        let h = try Harness("distribution")
        try h.db.copy(RandomEvents.make(seed: 17, count: 900))
        var statements: [String] = []
        h.db.statementObserver = { sql, _ in statements.append(sql) }
        let history = try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
        _ = try h.store.backfill(game: "g", range: history)
        _ = try h.store.aggregate(game: "g", day: Day(iso: "2026-02-04")!)
        try h.db.insert([EventRow(user: "late", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-03 09:00+00")])
        _ = try h.store.refresh(game: "g", today: history.to)
        for filters in [FunnelFilters(), FunnelFilters(platform: "iOS"), FunnelFilters(platform: "iOS", country: "US", appVersion: "0.2")] {
            _ = try h.store.verify(FunnelQuery(game: "g", range: history, filters: filters))
        }
        _ = try h.store.dimensions(game: "g")
        _ = try h.store.aggregationStatus(today: history.to)
        _ = try h.store.dataAsOf(game: "g")
        _ = try h.store.games()
        h.db.statementObserver = nil

        let touching = statements.filter { sql in
            !Self.crossGame.contains(sql)
                && Self.tables.contains { sql.range(of: "\\b\($0)\\b", options: [.regularExpression, .caseInsensitive]) != nil }
        }
        #expect(Set(touching).count >= 20)
        for sql in Set(touching) {
            #expect(Self.violations(sql).isEmpty, "no game_id condition on \(Self.violations(sql)) in:\n\(sql)")
        }
    }

    /// Schema 12 gives the cell rows their game, leading their key (and the tuples', the changes'): a database
    /// aggregated before it answers exactly the same after the upgrade, fast = raw, without re-aggregating.
    @Test func upgradingGivesTheCellRowsTheirGameAndKeepsEveryAnswer() throws {
        let h = try Harness("keys12")
        try h.db.copy(RandomEvents.make(seed: 23, count: 900) + RandomEvents.make(seed: 24, count: 300, game: "h"))
        let history = try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
        for game in ["g", "h"] { _ = try h.store.backfill(game: game, range: history) }
        // The cell rows as schema 11 had them: no game, keyed by tuple, tuple ids unique across games (schema 14
        // draws them per game).
        try h.db.execute("ALTER TABLE level_cell_tuples ALTER COLUMN tuple_id SET GENERATED BY DEFAULT")
        for table in ["level_cell_tuples", "level_cells_daily"] {
            try h.db.execute("UPDATE \(table) SET tuple_id = tuple_id + 1000000 WHERE game_id = 'h'")
        }
        try h.db.execute("ALTER TABLE level_cell_tuples ALTER COLUMN tuple_id SET GENERATED ALWAYS")
        try h.db.execute("""
            ALTER TABLE level_cells_daily DROP COLUMN game_id CASCADE, DROP CONSTRAINT IF EXISTS level_cells_daily_pkey,
              ADD PRIMARY KEY (tuple_id, date, level_id)
            """)
        try h.db.execute(SchemaSQL.levelMetricsDailyView(joinOnGame: false))
        try h.db.execute("DELETE FROM schema_migrations WHERE version = 12")
        let metricsRows = "SELECT count(*), sum(starts), sum(started_players), sum(completed_players) FROM level_metrics_daily"
        let metrics = { let row = try h.db.query(metricsRows).one(); return try (0..<4).map { try row.decode(Int.self, at: $0) } }
        let before = try metrics()
        let queries = [FunnelFilters(), FunnelFilters(platform: "iOS"), FunnelFilters(platform: "iOS", country: "US", appVersion: "0.2")]
            .map { FunnelQuery(game: "g", range: history, filters: $0) }
        let raw = try queries.map { try h.store.funnel($0, source: .raw).levels }

        #expect(try h.store.migrate().applied == [12])
        #expect(try h.db.query("SELECT count(*) FROM level_cells_daily WHERE game_id IS NULL").one().decode(Int.self, at: 0) == 0)
        #expect(try h.db.query("""
            SELECT count(*) FROM level_cells_daily r JOIN level_cell_tuples t USING (tuple_id) WHERE r.game_id <> t.game_id
            """).one().decode(Int.self, at: 0) == 0)
        #expect(try metrics() == before)
        for (query, expected) in zip(queries, raw) {
            let fast = try h.store.funnel(query, source: .fast)
            #expect(fast.coverage?.isComplete == true && fast.levels == expected)
        }
    }
}
