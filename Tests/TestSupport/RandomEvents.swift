import Foundation
import PostgresClient

/// Small random event streams for differential tests: a few players over a few days, with replays across days,
/// app upgrades, NULL dimensions and malformed properties, so that every rule and every edge is exercised.
public enum RandomEvents {
    public static func make(seed: UInt64, count: Int, game: String = "g", firstDay: String = "2026-02-01",
                            days: Int = 10, players: Int = 25, levels: Int = 6,
                            driftWithinDay: Bool = true) -> [EventRow] {
        var rng = SeededRandom(seed: seed)
        let start = ISO8601DateFormatter().date(from: "\(firstDay)T00:00:00Z")!
        let platforms: [String?] = ["iOS", "Android", "WebGL", nil]
        let countries: [String?] = ["US", "TR", "MX", nil, "Türkiye's"]
        let versions: [String?] = ["0.1", "0.2", "0.3", nil]
        let funnels: [String?] = ["live_v1", "test_hard", nil]
        let names = ["level_start", "level_start", "level_complete", "level_failed", "level_failed", "Level_Start", "session_start"]
        let levelIds = ["1", "2", "3", "4", "5", "6", "2.0", "\"3\"", "-1", "null", "4.5"]
        let durations = ["12.5", "30", "0", "86400", "-3", "99999", "\"7\"", "61.25"]
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return (0..<count).map { _ in
            let player = rng.next(players)
            let day = rng.next(days)
            // A player's platform is mostly fixed; app version drifts upward with the day (upgrades).
            let drift = driftWithinDay ? rng.next(1000) : 1000 + (player * 31 + day * 17) % 1000
            let platform = drift < 100 ? platforms[drift % platforms.count] : platforms[player % platforms.count]
            let version = drift % 8 == 0 ? nil : versions[min(versions.count - 2, day * 3 / days + drift % 2)]
            var properties = "\"levelId\": \(levelIds[rng.next(100) < 90 ? rng.next(min(levels, 6)) : rng.next(levelIds.count)])"
            if rng.next(3) > 0 { properties += ", \"duration\": \(durations[rng.next(durations.count)])" }
            if rng.next(4) == 0 { properties += rng.next(3) == 0 ? ", \"boosters\": {}" : ", \"boosters\": {\"hammer\": 1}" }
            if rng.next(5) == 0 { properties += rng.next(3) == 0 ? ", \"egp\": 0" : ", \"egp\": 0.99" }
            let seconds = Double(day * 86_400 + rng.next(86_400)) + Double(rng.next(1000)) / 1000
            return EventRow(game: game, user: "p\(player)", name: names[rng.next(names.count)], properties: "{\(properties)}",
                            occurredAt: formatter.string(from: start.addingTimeInterval(seconds)),
                            platform: platform, country: countries[(player + (drift < 50 ? 1 : 0)) % countries.count],
                            appVersion: version, funnel: funnels[player % funnels.count],
                            funnelVersion: drift % 6 == 0 ? nil : 1 + (player + day / 5) % 2)
        }
    }
}

extension PostgresConnection {
    /// Loads rows into `events` quickly with COPY.
    public func copy(_ rows: [EventRow]) throws {
        func field(_ value: String?) -> String {
            guard let value else { return "\\N" }
            return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        var text = ""
        for r in rows {
            text += [r.game, r.user, r.name, r.properties, r.occurredAt, r.platform, r.country, r.appVersion, r.funnel,
                     r.funnelVersion.map(String.init)].map(field).joined(separator: "\t") + "\n"
        }
        try copyIn("""
            COPY events (game_id, user_id, event_name, properties, occurred_at, platform, country_code, app_version,
                         level_funnel, level_funnel_version) FROM STDIN
            """) { write in try write(Array(text.utf8)) }
    }
}

/// SplitMix64: tiny, fast, deterministic.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform integer in 0..<upper.
    public mutating func next(_ upper: Int) -> Int { Int(next() % UInt64(upper)) }
}
