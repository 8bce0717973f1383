// The player model behind the generator: installs, retention, sessions, level attempts, and the noise that real
// event pipelines carry (malformed payloads, invalid durations, late arrivals, orphan starts).

import Foundation

/// What kind of row an event is.
enum GeneratedKind: UInt8 {
    case levelStart = 0, levelComplete, levelFailed, sessionStart
}

/// How a level event's payload is broken (or not).
enum Malform: UInt8 {
    case none = 0
    /// `"levelId":"12"`: ignored.
    case stringId
    /// `"levelId":12.5`: ignored.
    case fractionalId
    /// `"levelId":-1`: ignored.
    case negativeId
    /// `"levelId":null`: ignored.
    case nullId
    /// No `levelId` at all: ignored.
    case missingId
    /// `Level_Start`, `LEVEL_COMPLETE`, `Level_Failed`: ignored (names are case-sensitive).
    case wrongCaseName
    /// `"levelId":2147483648`: out of range, ignored.
    case outOfRangeId
    /// `"levelId":12.0`: an integral JSON number, so it COUNTS (an edge case of the contract).
    case integralFloatId

    var counts: Bool { self == .none || self == .integralFloatId }
}

/// One generated row before formatting (kept small: a day's worth is sorted by time).
struct GeneratedEvent {
    var occurredMs: Int64
    var receivedMs: Int64
    var seq: UInt32
    var player: Int32
    var session: Int32
    var level: Int32
    var durationMs: Int32
    var attempt: UInt16
    var kind: GeneratedKind
    var malform: Malform = .none
    var appVersion: UInt8 = 0
    var funnelVersion: UInt8 = 1
    /// 0 none, 1 `{}`, 2 `null`, 3... real boosters (see `World.boosterJSON`).
    var booster: UInt8 = 0
    /// 0 none, 1 `0`, 2 `0.99`, 3 `1.99`, 4 `4.99`.
    var egp: UInt8 = 0
    /// 0 valid, 1 negative, 2 above 86400 s, 3 a string, 4 null.
    var durationFlaw: UInt8 = 0
    /// Stars on completes; device index on session starts.
    var extra: UInt8 = 0
}

/// A player's fixed traits and running state.
struct PlayerState {
    var rng: SplitMix64
    var installDay: Int
    var platform: Int
    var country: Int
    var funnel: Int
    var device: Int
    var funnelVersion: Int
    var funnelVersionNext: Int
    var funnelVersionChangeDay: Int
    var installVersion: Int
    /// Days after each release (index) until this player upgrades; 255 = never.
    var upgradeLag: (UInt8, UInt8, UInt8, UInt8, UInt8)
    var skill: Double
    var engagement: Double
    var boosterAffinity: Double
    var payer: Bool
    /// The core of loyal players whose retention barely decays.
    var loyal: Bool
    var preferredHour: Double
    var level = 1
    var attempts = 0
    var fails = 0
    var sessions = 0
    var clockMs: Int64 = .min
    var alive = true
    var active = false
    var egpBoost = false

    func upgradeLag(_ release: Int) -> Int {
        switch release {
        case 0: return Int(upgradeLag.0)
        case 1: return Int(upgradeLag.1)
        case 2: return Int(upgradeLag.2)
        case 3: return Int(upgradeLag.3)
        default: return Int(upgradeLag.4)
        }
    }
}

/// The fixed tables and parameters of one run.
struct World {
    static let msPerDay: Int64 = 86_400_000

    static let platforms: [StaticString] = ["iOS", "Android", "WebGL"]
    static let platformWeights = cumulative([38, 52, 10])

    /// Country code (nil → NULL), weight, UTC offset in hours, locale.
    static let countries: [(code: StaticString?, weight: Int, offset: Double, locale: StaticString)] = [
        ("US", 200, -5, "en-US"), ("TR", 110, 3, "tr-TR"), ("MX", 80, -6, "es-MX"), ("DE", 70, 1, "de-DE"),
        ("BR", 100, -3, "pt-BR"), ("JP", 60, 9, "ja-JP"), ("IN", 120, 5.5, "hi-IN"), ("GB", 50, 0, "en-GB"),
        ("FR", 40, 1, "fr-FR"), ("KR", 30, 9, "ko-KR"), ("ID", 40, 7, "id-ID"), ("PH", 30, 8, "en-PH"),
        ("CA", 20, -5, "en-CA"), ("ES", 20, 1, "es-ES"), (nil, 12, 0, "und"),
    ]
    static let countryWeights = cumulative(countries.map(\.weight))

    static let funnels: [StaticString] = ["live_v1", "test_hard"]
    static let funnelWeights = cumulative([85, 15])

    static let appVersions: [StaticString] = ["0.1", "0.2", "0.3", "0.4", "0.5"]

    /// Devices per platform for `session_start`; then rare ones (0.4% of players) that carry a quote, non-ASCII
    /// text or a backslash, to exercise escaping downstream.
    static let devices: [[String]] = [
        ["iPhone14,2", "iPhone15,3", "iPad13,1", "iPhone12,1"],
        ["SM-A525F", "Pixel 7", "Redmi Note 11", "moto g(30)"],
        ["Chrome 124", "Firefox 125", "Safari 17.4", "Edge 124"],
    ]
    static let rareDevices = ["Galaxy \"A52\" 5G", "Redmi Note 11 — Ümit's 🚀", "Chrome\\Edge 124"]

    static let boosterJSON: [StaticString] = [
        "", "{}", "null", "{\"hammer\":1}", "{\"shuffle\":1}", "{\"hammer\":1,\"bomb\":2}", "{\"extra_moves\":5}",
        "{\"rainbow\":1}",
    ]
    static let egpJSON: [StaticString] = ["", "0", "0.99", "1.99", "4.99"]
    /// Cumulative weights of 0.99, 1.99 and 4.99.
    static let egpWeights = cumulative([60, 30, 10])

    let players: Int
    let days: Int
    let levels: Int
    let seed: UInt64
    let startMs: Int64
    /// No event occurs at or after it: the history's end, or the time of generation if earlier.
    let horizonMs: Int64
    /// No event is received after it: the time of generation (`GeneratorConfig.now`).
    let receivedByMs: Int64
    /// Day index of each app version's release.
    let releaseDays: [Int]
    /// Day index from which funnel version 2 and 3 are rolled out.
    let funnelRollout: (Int, Int)
    /// Base win probability and base duration (seconds) per level; index 0 unused.
    let levelWin: [Double]
    let levelSeconds: [Double]
    /// COPY-escaped JSON string literals (with quotes) of devices: platform × 4, then the rare ones.
    let deviceJSON: [[UInt8]]

    init(config: GeneratorConfig) {
        players = max(0, config.players)
        days = max(0, config.days)
        levels = max(1, config.levels)
        seed = config.seed
        startMs = Int64(config.start.ordinal) * World.msPerDay
        receivedByMs = config.now.map(World.milliseconds) ?? .max
        horizonMs = min(startMs + Int64(days) * World.msPerDay, receivedByMs)
        let dayCount = days
        releaseDays = (0..<World.appVersions.count).map { $0 * dayCount / World.appVersions.count }
        funnelRollout = (days / 3, 2 * days / 3)

        var rng = SplitMix64(seed: SplitMix64.derive(config.seed, stream: 0xFFFF_FFFF))
        var win = [0.0]
        var seconds = [0.0]
        for level in 1...levels {
            let progress = levels > 1 ? Double(level - 1) / Double(levels - 1) : 0
            var p = 0.9 - 0.4 * progress.power(0.8)
            if level % 10 == 0 { p -= 0.22 }          // boss levels
            else if level % 10 == 5 { p -= 0.08 }     // mini-bosses
            p += (rng.unit() - 0.5) * 0.12            // some levels are simply nicer than others
            if config.hardLevels.contains(level) { p = min(p, 0.2) }   // planted spikes (no random draw: same seed, same rest)
            win.append(p)
            seconds.append(24 + 0.3 * Double(min(level, 300)) + rng.unit() * 12 + (level % 10 == 0 ? 15 : 0))
        }
        levelWin = win
        levelSeconds = seconds

        var jsons: [[UInt8]] = []
        for name in World.devices.joined() + World.rareDevices {
            jsons.append(CopyTextWriter.escaped(JSONText.string(name)))
        }
        deviceJSON = jsons
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func cumulative(_ weights: [Int]) -> [Int] {
        var total = 0
        return weights.map { total += $0; return total }
    }

    // MARK: players

    func makePlayer(_ index: Int) -> PlayerState {
        var rng = SplitMix64(seed: SplitMix64.derive(seed, stream: UInt64(index)))
        // More installs early on (launch), a long tail later.
        let installDay = min(days - 1, Int(Double(days) * rng.unit().power(1.6)))
        let platform = rng.pick(cumulative: World.platformWeights)
        let country = rng.pick(cumulative: World.countryWeights)
        let funnel = rng.pick(cumulative: World.funnelWeights)
        var device = platform * 4 + rng.below(4)
        if rng.chance(0.004) { device = 12 + rng.below(World.rareDevices.count) }

        var funnelVersion = installDay >= funnelRollout.1 ? 3 : installDay >= funnelRollout.0 ? 2 : 1
        if days < 3 { funnelVersion = 1 + rng.below(3) }
        var funnelVersionNext = funnelVersion
        var changeDay = Int.max
        if funnelVersion < 3 && rng.chance(0.3) {
            funnelVersionNext = funnelVersion + 1
            let rollout = funnelVersionNext == 2 ? funnelRollout.0 : funnelRollout.1
            changeDay = max(rollout, installDay + 1) + rng.below(10)
        }

        var installVersion = 0
        for (i, day) in releaseDays.enumerated() where day <= installDay { installVersion = i }
        let sticky = rng.chance(0.1)
        var lags = [UInt8](repeating: 255, count: 5)
        for i in 0..<5 where !sticky {
            lags[i] = UInt8(min(254, Int(rng.exponential(mean: 3.5))))
        }

        let engagement = min(2.5, max(0.25, 0.9 * (0.55 * rng.gaussian()).naturalExp))
        let offset = World.countries[country].offset
        var hour = (8 + 15 * rng.unit() - offset).truncatingRemainder(dividingBy: 24)
        if hour < 0 { hour += 24 }

        return PlayerState(
            rng: rng, installDay: installDay, platform: platform, country: country, funnel: funnel, device: device,
            funnelVersion: funnelVersion, funnelVersionNext: funnelVersionNext, funnelVersionChangeDay: changeDay,
            installVersion: installVersion, upgradeLag: (lags[0], lags[1], lags[2], lags[3], lags[4]),
            skill: rng.gaussian() * 0.05, engagement: engagement, boosterAffinity: rng.unit().power(2),
            payer: rng.chance(0.06), loyal: rng.chance(0.05), preferredHour: hour)
    }

    func appVersion(_ p: PlayerState, day: Int) -> Int {
        var v = p.installVersion
        var i = v + 1
        while i < releaseDays.count {
            let lag = p.upgradeLag(i)
            if lag != 255 && releaseDays[i] + lag <= day { v = i }
            i += 1
        }
        return v
    }
}
