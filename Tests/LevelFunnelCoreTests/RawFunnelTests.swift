import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// The raw path against an independent computation: generated events are read back row by row and the funnel is
/// computed here in Swift, following the metrics contract, then compared field by field.
@Suite struct RawFunnelTests {
    /// One event as read back from `events`.
    struct Event {
        var user: String
        var name: String
        var properties: [String: JSONValue]
        var day: Day
        var platform: String?
        var country: String?
    }

    static let config = GeneratorConfig(game: "gen", players: 300, days: 14, levels: 25, seed: 42, start: Day(iso: "2026-04-01")!)

    @Test func rawPathEqualsAnIndependentComputation() throws {
        let h = try Harness("rawgen")
        let loaded = try EventLoader(store: h.store).load(Self.config)
        #expect(loaded.stats.malformed > 0 && loaded.stats.late > 0)
        let events = try h.db.query("""
            SELECT user_id, event_name, properties::text, ((occurred_at AT TIME ZONE 'UTC')::date)::text, platform, country_code
              FROM events WHERE game_id = 'gen'
            """).map { row in
            Event(user: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1),
                  properties: try JSONDecoder().decode([String: JSONValue].self, from: Data(try row.decode(String.self, at: 2).utf8)),
                  day: Day(iso: try row.decode(String.self, at: 3))!,
                  platform: try row.decode(String?.self, at: 4), country: try row.decode(String?.self, at: 5))
        }
        #expect(events.count == loaded.stats.events)
        let start = Self.config.start
        let selections: [(DayRange, FunnelFilters)] = [
            (try DayRange(from: start, to: start.adding(days: 13)), FunnelFilters()),
            (try DayRange(from: start.adding(days: 3), to: start.adding(days: 9)), FunnelFilters()),
            (.single(start.adding(days: 5)), FunnelFilters()),
            (try DayRange(from: start, to: start.adding(days: 13)), FunnelFilters(platform: "iOS")),
            (try DayRange(from: start.adding(days: 2), to: start.adding(days: 11)), FunnelFilters(platform: "Android", country: "US")),
        ]
        for (range, filters) in selections {
            let expected = MetricsFormula.derive(Self.expectedCounts(events, range: range, filters: filters))
            let actual = try h.store.funnel(FunnelQuery(game: "gen", range: range, filters: filters), source: .raw).levels
            #expect(actual.map(\.levelId) == expected.map(\.levelId), "\(range) \(filters)")
            #expect(!expected.isEmpty)
            for (a, e) in zip(actual, expected) {
                for field in MetricFields.all {
                    // Exactly: durations are summed as decimals on both sides.
                    let x = field.text(a), y = field.text(e)
                    #expect(x == y, "\(range) \(filters) level \(a.levelId) \(field.name): raw \(x ?? "null") expected \(y ?? "null")")
                }
            }
        }
    }

    /// The contract, written out plainly over in-memory rows.
    static func expectedCounts(_ events: [Event], range: DayRange, filters: FunnelFilters) -> [LevelCounts] {
        var counts: [Int: LevelCounts] = [:]
        var started: [Int: Set<String>] = [:], completed: [Int: Set<String>] = [:]
        for e in events where e.day >= range.from && e.day <= range.to {
            guard ["level_start", "level_complete", "level_failed"].contains(e.name),
                  case .number(let id)? = e.properties["levelId"], id == id.rounded(), id >= 0, id <= 2_147_483_647
            else { continue }
            if let p = filters.platform, e.platform != p { continue }
            if let c = filters.country, e.country != c { continue }
            let level = Int(id)
            var c = counts[level] ?? LevelCounts(levelId: level)
            var duration: Double?
            if case .number(let d)? = e.properties["duration"], d >= 0, d <= 86_400 { duration = d }
            var booster = false
            if case .object(let o)? = e.properties["boosters"], !o.isEmpty { booster = true }
            switch e.name {
            case "level_start":
                c.starts += 1
                started[level, default: []].insert(e.user)
            case "level_complete":
                c.completes += 1
                completed[level, default: []].insert(e.user)
                if booster { c.usersWithBoosters += 1 }
                if let duration { c.totalCompletionDuration += ExactDecimal("\(duration)")!; c.completionCount += 1 }
            default:
                c.fails += 1
                if booster { c.usersWithBoosters += 1 }
                if case .number(let egp)? = e.properties["egp"], egp > 0 { c.failsWithPurchase += 1 }
                if let duration { c.totalFailDuration += ExactDecimal("\(duration)")!; c.failCount += 1 }
            }
            counts[level] = c
        }
        return counts.values.map { c in
            var c = c
            c.startedPlayers = started[c.levelId]?.count ?? 0
            c.completedPlayers = completed[c.levelId]?.count ?? 0
            return c
        }
    }
}

/// Any JSON value, keeping numbers apart from booleans (which `JSONSerialization` on Linux blurs).
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}
