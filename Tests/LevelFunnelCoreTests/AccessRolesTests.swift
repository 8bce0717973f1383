import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// The reader and writer roles of `levelfunnel roles`, made with names of their own per test (roles are shared by
/// the whole cluster), with one login role granted each.
struct TestRoles {
    let roles: AccessRoles
    let readerLogin: String
    let writerLogin: String
    private let database: TestDatabase

    init(_ h: Harness) throws {
        let schema = h.database.schema
        database = h.database
        roles = try h.store.accessRoles(reader: "lfr_\(schema)", writer: "lfw_\(schema)")
        #expect(roles.schema == schema)
        readerLogin = "lfrl_\(schema)"
        writerLogin = "lfwl_\(schema)"
        for login in [readerLogin, writerLogin] { try h.db.execute("CREATE ROLE \"\(login)\" LOGIN") }
        try h.store.createRoles(roles, readers: [readerLogin], writers: [writerLogin])
    }

    /// The test schema's URL, logged in as `login`.
    func url(_ login: String) -> String { database.url(as: login) }

    func drop(_ db: PostgresConnection) {
        for role in [readerLogin, writerLogin, roles.reader, roles.writer] {
            _ = try? db.execute("DROP OWNED BY \"\(role)\"")
            _ = try? db.execute("DROP ROLE \"\(role)\"")
        }
    }
}

/// Least privilege: a reader browses the funnel from the aggregates alone (never a user id) and is told in one
/// line what needs `events`; a writer aggregates and may not change `events`.
@Suite struct AccessRolesTests {
    static let first = Day(iso: "2026-02-01")!
    static func day(_ n: Int) -> Day { first.adding(days: n - 1) }
    static let history = try! DayRange(from: first, to: first.adding(days: 9))

    @Test func aReaderGetsGamesHistoryFiltersAndFunnelsFromTheAggregatesAlone() throws {
        let h = try Harness("rolesreader")
        try h.db.copy(RandomEvents.make(seed: 31, count: 1500))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(8)))
        let roles = try TestRoles(h)
        defer { roles.drop(h.db) }
        let reader = try LevelFunnelStore(url: roles.url(roles.readerLogin))
        #expect(try reader.accessRights() == .readerOnly)

        // No user id: the events and the view over them are refused outright.
        for relation in ["events", "level_events"] {
            #expect(throws: PostgresError.self) { try reader.db.execute("SELECT user_id FROM \(relation) LIMIT 1") }
        }
        // Nor anything else with a user id: the working tables hold a pass's player keys while it runs.
        let withUserIds = try h.db.query("""
            SELECT c.relname::text, has_any_column_privilege($1, c.oid, 'SELECT')
              FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'user_id' AND NOT a.attisdropped
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'p', 'm')
            """, [roles.readerLogin]).map { (try $0.decode(String.self, at: 0), try $0.decode(Bool.self, at: 1)) }
        #expect(Set(withUserIds.map(\.0)).isSuperset(of: ["events", "lf_activity", "lf_key_days", "lf_delta_rows", "lf_delta_activity"]))
        #expect(withUserIds.filter(\.1).map(\.0) == [])

        // The game list and history span: the aggregated days with level events (days 9-10 are not aggregated).
        let aggregatedLast = try h.db.query("SELECT max(date)::text FROM aggregated_days WHERE level_events > 0").one()
            .decode(Day.self, at: 0)
        let games = try reader.games()
        #expect(games.map(\.id) == ["g"])
        #expect(games.first?.fromAggregatesOnly == true)
        #expect(games.first?.firstDay == Self.day(1) && games.first?.lastDay == aggregatedLast)
        #expect(games.first?.aggregatedLevelEvents == (try h.store.games().first?.aggregatedLevelEvents))
        #expect(try reader.game("g").history == games.first?.history)
        #expect(throws: LevelFunnelError.unknownGame("nope")) { try reader.game("nope") }

        // Filter values: those of the aggregates, as the writer sees them.
        #expect(try reader.dimensions(game: "g") == h.store.dimensions(game: "g"))

        // The whole-history default and filtered ranges: the aggregates' answer, labelled, equal to raw.
        let dims = try reader.dimensions(game: "g")
        for filters in [FunnelFilters(), FunnelFilters(platform: dims.values[.platform]?.first)] {
            let query = FunnelQuery(game: "g", range: try reader.game("g").history, filters: filters)
            let answer = try reader.funnel(query)
            #expect(answer.source == .aggregates)
            #expect(answer.coverage?.isComplete == true, "\(String(describing: answer.coverage))")
            #expect(answer.freshness?.aggregatedAt != nil)
            let raw = try h.store.funnel(query, source: .raw)
            #expect(!raw.levels.isEmpty)
            #expect(FunnelComparison.differences(fast: answer.levels, raw: raw.levels).isEmpty)
        }

        // Status from the aggregates: what they know, and no crash on what needs events.
        let status = try #require(try reader.aggregationStatus(today: Self.day(10)).first)
        #expect(status.fromAggregatesOnly && status.aggregatedDays == status.totalDays && status.staleDays == 0)
    }

    @Test func aReaderIsRefusedWhatNeedsEventsInOneLine() throws {
        let h = try Harness("rolesrefuse")
        try h.db.copy(RandomEvents.make(seed: 32, count: 400))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let roles = try TestRoles(h)
        defer { roles.drop(h.db) }
        let reader = try LevelFunnelStore(url: roles.url(roles.readerLogin))
        let query = FunnelQuery(game: "g", range: Self.history)
        #expect(throws: LevelFunnelError.needsEventAccess("the raw path")) { try reader.funnel(query, source: .raw) }
        #expect(throws: LevelFunnelError.needsEventAccess("verify")) { try reader.verify(query) }
        #expect(throws: LevelFunnelError.needsWriteAccess("backfill")) { try reader.backfill(game: "g", range: Self.history) }
        #expect(throws: LevelFunnelError.needsWriteAccess("refresh")) { try reader.refresh(game: "g", today: Self.day(10)) }
        #expect(throws: LevelFunnelError.needsWriteAccess("aggregate")) { try reader.aggregate(game: "g", day: Self.day(2)) }
        #expect(LevelFunnelError.needsEventAccess("verify").description
                == "verify needs read access to events: ask for levelfunnel_writer")
    }

    @Test func aWriterAggregatesAndMayNotChangeEvents() throws {
        let h = try Harness("roleswriter")
        try h.db.copy(RandomEvents.make(seed: 33, count: 600))
        let roles = try TestRoles(h)
        defer { roles.drop(h.db) }
        // Idempotent: the same statements again change nothing and fail nowhere.
        try h.store.createRoles(roles.roles)
        let writer = try LevelFunnelStore(url: roles.url(roles.writerLogin))
        #expect(try writer.accessRights() == .everything)
        _ = try writer.backfill(game: "g", range: Self.history)
        _ = try writer.refresh(game: "g", today: Self.day(10))
        #expect(try writer.verify(FunnelQuery(game: "g", range: Self.history)).isExact)
        // The game backend changes events; the writer applies the changes as deltas (cell rows updated in place,
        // removed rows read).
        try h.db.copy(RandomEvents.make(seed: 34, count: 60))
        try h.db.execute("UPDATE events SET platform = 'Switch' WHERE id IN (SELECT id FROM events ORDER BY id LIMIT 5)")
        try h.db.execute("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id DESC LIMIT 5)")
        let applied = try writer.refresh(game: "g", today: Self.day(10), check: .none).applied
        #expect(applied.changes > 0 && applied.rowsUpdated > 0, "\(applied)")
        #expect(try writer.verify(FunnelQuery(game: "g", range: Self.history)).isExact)
        let before = try h.db.query("SELECT count(*), sum(hashtext(e::text)) FROM events e").one()
        for statement in ["INSERT INTO events (game_id, user_id, event_name, occurred_at) VALUES ('g', 'x', 'level_start', now())",
                          "UPDATE events SET user_id = 'x'", "DELETE FROM events", "TRUNCATE events"] {
            #expect(throws: PostgresError.self, "\(statement)") { try writer.db.execute(statement) }
        }
        let after = try h.db.query("SELECT count(*), sum(hashtext(e::text)) FROM events e").one()
        #expect(try before.decode(Int.self, at: 0) == after.decode(Int.self, at: 0))
        #expect(try before.decode(Int.self, at: 1) == after.decode(Int.self, at: 1))
    }

    @Test func roleNamesMustBePlainIdentifiers() {
        for bad in ["Reader", "1reader", "read-er", "x\"; DROP TABLE events; --", ""] {
            #expect(throws: LevelFunnelError.self) { try AccessRoles(reader: bad, schema: "public", database: "d") }
        }
        #expect(throws: LevelFunnelError.self) { try AccessRoles(reader: "same", writer: "same", schema: "public", database: "d") }
        let roles = try? AccessRoles(schema: "odd\"schema", database: "db")
        #expect(roles?.statements.contains("GRANT USAGE ON SCHEMA \"odd\"\"schema\" TO \"levelfunnel_reader\", \"levelfunnel_writer\"") == true)
    }
}
