import Foundation
import LevelFunnelCore
import Testing

/// One parsed COPY text row (NULL → nil), with the properties decoded.
private struct Row {
    var fields: [String?]
    var properties: [String: Any]
    var occurredMs: Int64
    var receivedMs: Int64

    var game: String? { fields[0] }
    var user: String { fields[1]! }
    var session: String? { fields[2] }
    var name: String { fields[3]! }
    var platform: String? { fields[5] }
    var country: String? { fields[6] }
    var appVersion: String? { fields[7] }
    var funnel: String? { fields[8] }
    var funnelVersion: String? { fields[9] }

    var isLevelName: Bool { ["level_start", "level_complete", "level_failed"].contains(name) }
    var isEnd: Bool { name == "level_complete" || name == "level_failed" }

    /// `properties.levelId` as the contract reads it: a JSON number with an integral value in [0, 2^31 − 1].
    var levelId: Int? {
        guard let value = properties["levelId"], !(value is String), let number = value as? NSNumber else { return nil }
        let d = number.doubleValue
        guard d == d.rounded(), d >= 0, d <= 2_147_483_647 else { return nil }
        return Int(d)
    }

    /// Counts under the metrics contract.
    var counts: Bool { isLevelName && levelId != nil }

    /// Looks like a level event (any case) but does not count.
    var isMalformed: Bool { name.lowercased().hasPrefix("level_") && !counts }

    /// A property that is a JSON number, as a Double.
    func number(_ key: String) -> Double? {
        guard let v = properties[key], !(v is String), let n = v as? NSNumber else { return nil }
        return n.doubleValue
    }
}

/// Splits COPY text into rows of fields, undoing the text-format escapes.
private func parseCopyText(_ bytes: [UInt8]) throws -> [Row] {
    var rows: [Row] = []
    var fields: [String?] = []
    var current: [UInt8] = []
    var isNull = false
    var i = 0
    func finishField() {
        fields.append(isNull ? nil : String(decoding: current, as: UTF8.self))
        current.removeAll(keepingCapacity: true)
        isNull = false
    }
    while i < bytes.count {
        let b = bytes[i]
        switch b {
        case UInt8(ascii: "\t"):
            finishField()
        case UInt8(ascii: "\n"):
            finishField()
            let f = fields
            fields.removeAll(keepingCapacity: true)
            guard f.count == 12 else { throw ParseError("row \(rows.count + 1) has \(f.count) columns") }
            let json = try JSONSerialization.jsonObject(with: Data((f[4] ?? "").utf8))
            guard let properties = json as? [String: Any] else { throw ParseError("properties not an object: \(f[4] ?? "NULL")") }
            rows.append(Row(fields: f, properties: properties,
                            occurredMs: try parseTimestamp(f[10]), receivedMs: try parseTimestamp(f[11])))
        case UInt8(ascii: "\\"):
            i += 1
            guard i < bytes.count else { throw ParseError("dangling backslash") }
            switch bytes[i] {
            case UInt8(ascii: "N"): isNull = true
            case UInt8(ascii: "t"): current.append(9)
            case UInt8(ascii: "n"): current.append(10)
            case UInt8(ascii: "r"): current.append(13)
            case UInt8(ascii: "\\"): current.append(UInt8(ascii: "\\"))
            default: throw ParseError("unknown escape \\\(Character(Unicode.Scalar(bytes[i])))")
            }
        case 13:
            throw ParseError("raw carriage return")
        default:
            current.append(b)
        }
        i += 1
    }
    guard fields.isEmpty, current.isEmpty else { throw ParseError("stream does not end on a row boundary") }
    return rows
}

/// `YYYY-MM-DD HH:MM:SS.mmm+00` → milliseconds since 1970.
private func parseTimestamp(_ text: String?) throws -> Int64 {
    guard let text else { throw ParseError("NULL timestamp") }
    let u = Array(text.utf8)
    guard u.count == 26, u[10] == UInt8(ascii: " "), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
          u[19] == UInt8(ascii: "."), text.hasSuffix("+00"),
          let day = Day(iso: String(text.prefix(10))),
          let h = Int(text.dropFirst(11).prefix(2)), let m = Int(text.dropFirst(14).prefix(2)),
          let s = Int(text.dropFirst(17).prefix(2)), let ms = Int(text.dropFirst(20).prefix(3)),
          h < 24, m < 60, s < 60
    else { throw ParseError("bad timestamp \(text)") }
    return Int64(day.ordinal) * 86_400_000 + Int64(((h * 60 + m) * 60 + s) * 1000 + ms)
}

private struct ParseError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

private let start = Day(iso: "2026-01-05")!

/// A mid-sized history shared by the tests (generated and parsed once, never mutated).
nonisolated(unsafe) private let medium: (config: GeneratorConfig, bytes: [UInt8], chunks: [[UInt8]], stats: GeneratorStats, rows: [Row]) = {
    let config = GeneratorConfig(game: "gen_test", players: 800, days: 40, levels: 60, seed: 7, start: start)
    var bytes: [UInt8] = []
    var chunks: [[UInt8]] = []
    let stats = EventGenerator(config: config).generate { chunk in
        chunks.append(chunk)
        bytes.append(contentsOf: chunk)
    }
    let rows = try! parseCopyText(bytes)
    return (config, bytes, chunks, stats, rows)
}()

@Suite struct GeneratorTests {
    @Test func sameSeedGivesIdenticalBytesOtherSeedDiffers() {
        let config = GeneratorConfig(game: "det", players: 150, days: 20, levels: 30, seed: 42, start: start)
        let a = EventGenerator(config: config).generateAll()
        let b = EventGenerator(config: config).generateAll()
        #expect(a.bytes == b.bytes)
        #expect(a.stats == b.stats)
        #expect(!a.bytes.isEmpty)
        var other = config
        other.seed = 43
        let c = EventGenerator(config: other).generateAll()
        #expect(c.bytes != a.bytes)
    }

    @Test func chunksEndOnRowBoundariesAndAreAbout256KiB() {
        let chunks = medium.chunks
        #expect(chunks.count > 3)
        for (i, chunk) in chunks.enumerated() {
            #expect(chunk.last == UInt8(ascii: "\n"))
            if i < chunks.count - 1 {
                #expect(chunk.count >= EventGenerator.chunkSize)
                #expect(chunk.count < EventGenerator.chunkSize + 4096)
            }
        }
    }

    @Test func rowsHaveTheEventsTableShape() throws {
        let rows = medium.rows
        let stats = medium.stats
        #expect(rows.count == stats.events)
        let first = Int64(start.ordinal) * 86_400_000
        let horizon = Int64(start.adding(days: medium.config.days).ordinal) * 86_400_000
        for row in rows {
            #expect(row.game == "gen_test")
            #expect(row.user.hasPrefix("p") && row.user.count == 7 && Int(row.user.dropFirst()) != nil)
            #expect(row.session?.hasPrefix(row.user + "-s") == true)
            #expect(["iOS", "Android", "WebGL"].contains(row.platform ?? ""))
            #expect(row.country == nil || row.country!.count == 2)
            #expect(["0.1", "0.2", "0.3", "0.4", "0.5"].contains(row.appVersion ?? ""))
            #expect(["live_v1", "test_hard"].contains(row.funnel ?? ""))
            #expect(["1", "2", "3"].contains(row.funnelVersion ?? ""))
            #expect(row.occurredMs >= first && row.occurredMs < horizon)
            #expect(row.receivedMs >= row.occurredMs)
        }
        // Rows come in occurred_at order overall (hence per player).
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.occurredMs <= $1.occurredMs })
    }

    @Test func statsAgreeWithTheMetricsContract() {
        let rows = medium.rows
        let stats = medium.stats
        #expect(stats.levelEvents == rows.filter(\.counts).count)
        #expect(stats.malformed == rows.filter(\.isMalformed).count)
        #expect(stats.late == rows.filter { $0.receivedMs - $0.occurredMs >= 86_400_000 }.count)
        #expect(stats.players == Set(rows.map(\.user)).count)
        #expect(stats.players == medium.config.players)
        // Counted level events carry levelId as a JSON number in 1...levels.
        for row in rows where row.counts {
            #expect((1...medium.config.levels).contains(row.levelId!))
        }
        let malformedShare = Double(stats.malformed) / Double(stats.levelEvents)
        #expect(malformedShare > 0.003 && malformedShare < 0.012)
        let lateShare = Double(stats.late) / Double(stats.events)
        #expect(lateShare > 0.003 && lateShare < 0.03)
    }

    @Test func sessionsAreCoherent() {
        // Per player: a counted start is followed, in the same session, by its end on the same level, or by
        // nothing (an orphan); durations match the timestamps.
        var open: [String: Row] = [:]
        var orphans = 0
        var pairs = 0
        var lastSession: [String: String] = [:]
        var sessionsSeen: [String: Set<String>] = [:]
        for row in medium.rows {
            if let previous = lastSession[row.user], previous != row.session {
                // A session never resumes once another one of the same player has started.
                #expect(!(sessionsSeen[row.user]?.contains(row.session!) ?? false))
            }
            sessionsSeen[row.user, default: []].insert(row.session!)
            lastSession[row.user] = row.session
            // A start still open when its session is over is an orphan.
            if let pending = open[row.user], pending.session != row.session {
                orphans += 1
                open[row.user] = nil
            }
            if row.name.lowercased() == "level_start" {
                // Malformed starts open an attempt too; only counted ones are checked against their end.
                if open.updateValue(row, forKey: row.user) != nil { orphans += 1 }
                if !row.counts { open[row.user] = nil }
            } else if row.counts, row.isEnd, let startRow = open.removeValue(forKey: row.user) {
                pairs += 1
                #expect(startRow.session == row.session)
                #expect(startRow.levelId == row.levelId)
                if let d = row.number("duration"), d >= 0, d <= 86_400 {
                    #expect(abs(Double(row.occurredMs - startRow.occurredMs) / 1000 - d) < 0.0015)
                }
            }
        }
        #expect(pairs > 1000)
        let starts = medium.rows.filter { $0.counts && $0.name == "level_start" }.count
        let share = Double(orphans) / Double(starts)
        #expect(share > 0.01 && share < 0.06, "orphan share \(share)")
    }

    @Test func everyRequiredFeatureIsPresent() {
        let rows = medium.rows
        func some(_ what: Comment, _ predicate: (Row) -> Bool) {
            let found = rows.contains(where: predicate)
            #expect(found, what)
        }
        // Malformed level events of every kind.
        some("levelId as a string") { $0.isLevelName && $0.properties["levelId"] is String }
        some("fractional levelId") { $0.isLevelName && ($0.number("levelId").map { $0 != $0.rounded() } ?? false) }
        some("negative levelId") { $0.isLevelName && $0.number("levelId") == -1 }
        some("null levelId") { $0.isLevelName && $0.properties["levelId"] is NSNull }
        some("missing levelId") { $0.isLevelName && $0.properties["levelId"] == nil }
        some("out-of-range levelId") { $0.isLevelName && ($0.number("levelId") ?? 0) > 2_147_483_647 }
        some("wrong-case event name") { ["Level_Start", "LEVEL_COMPLETE", "Level_Failed"].contains($0.name) }
        some("non-level event") { $0.name == "session_start" }
        // Late arrivals.
        some("received 1–5 days late") {
            let lag = $0.receivedMs - $0.occurredMs
            return lag >= 86_400_000 && lag <= 5 * 86_400_000
        }
        // Boosters: real ones and empty objects (which do not count), on completes and fails.
        some("booster on a complete") { $0.name == "level_complete" && (($0.properties["boosters"] as? [String: Any])?.isEmpty == false) }
        some("booster on a fail") { $0.name == "level_failed" && (($0.properties["boosters"] as? [String: Any])?.isEmpty == false) }
        some("empty boosters object") { $0.isEnd && (($0.properties["boosters"] as? [String: Any])?.isEmpty == true) }
        some("hammer booster") { (($0.properties["boosters"] as? [String: Any])?["hammer"] as? Int) == 1 }
        // EGP: purchases and zeros.
        some("EGP purchase") { $0.name == "level_failed" && ($0.number("egp") ?? 0) > 0 }
        some("EGP zero") { $0.name == "level_failed" && $0.number("egp") == 0 }
        #expect(!rows.contains { $0.name != "level_failed" && $0.properties["egp"] != nil })
        // Durations: valid, negative, too long, a string.
        some("valid duration") { $0.isEnd && ($0.number("duration").map { $0 >= 0 && $0 <= 86_400 } ?? false) }
        some("negative duration") { $0.isEnd && ($0.number("duration") ?? 0) < 0 }
        some("duration over a day") { $0.isEnd && ($0.number("duration") ?? 0) > 86_400 }
        some("duration as a string") { $0.isEnd && $0.properties["duration"] is String }
        // Dimensions.
        for platform in ["iOS", "Android", "WebGL"] { some("platform \(platform)") { $0.platform == platform } }
        for country in ["US", "TR", "MX", "DE", "BR", "JP", "IN"] { some("country \(country)") { $0.country == country } }
        some("NULL country") { $0.country == nil }
        for version in ["0.1", "0.2", "0.3", "0.4", "0.5"] { some("app version \(version)") { $0.appVersion == version } }
        for funnel in ["live_v1", "test_hard"] { some("funnel \(funnel)") { $0.funnel == funnel } }
        for v in ["1", "2", "3"] { some("funnel version \(v)") { $0.funnelVersion == v } }

        var versions: [String: Set<String>] = [:]
        var funnels: [String: Set<String>] = [:]
        var funnelVersions: [String: Set<String>] = [:]
        var levelDays: [String: [Int: Set<Int64>]] = [:]
        for row in rows {
            versions[row.user, default: []].insert(row.appVersion!)
            funnels[row.user, default: []].insert(row.funnel!)
            funnelVersions[row.user, default: []].insert(row.funnelVersion!)
            if row.counts { levelDays[row.user, default: [:]][row.levelId!, default: []].insert(row.occurredMs / 86_400_000) }
        }
        let multiVersion = versions.values.filter { $0.count >= 2 }.count
        #expect(multiVersion > rows.count / 1000, "players spanning several app versions: \(multiVersion)")
        #expect(funnels.values.allSatisfy { $0.count == 1 }, "a player's funnel is fixed")
        #expect(funnelVersions.values.allSatisfy { $0.count <= 2 })
        #expect(funnelVersions.values.contains { $0.count == 2 }, "some player changes funnel version once")
        // Replays across days: someone plays the same level on two different days.
        #expect(levelDays.values.contains { $0.values.contains { $0.count >= 2 } })
        // Fails and replays: some level is attempted several times by one player.
        #expect(rows.contains { $0.name == "level_start" && ($0.number("attempt") ?? 0) >= 3 })
        // Difficulty rises: the win rate of the last levels is below that of the first ones.
        func winRate(_ levels: ClosedRange<Int>) -> Double {
            let ends = rows.filter { $0.counts && $0.isEnd && levels.contains($0.levelId!) }
            return Double(ends.filter { $0.name == "level_complete" }.count) / Double(max(1, ends.count))
        }
        #expect(winRate(1...10) > winRate(30...60) + 0.1)
    }

    /// Issue 18, point 6: given the time of generation, nothing is after it. A history that ended more than five
    /// days before (the longest delay) is the same bytes as without it: same seed, same events, where they were.
    @Test func nothingOccursOrIsReceivedAfterTheTimeOfGeneration() throws {
        let config = GeneratorConfig(game: "now", players: 400, days: 12, levels: 30, seed: 9, start: start)
        let unbounded = EventGenerator(config: config).generateAll()
        var later = config
        later.now = start.adding(days: 12 + 5).startDate.addingTimeInterval(1)
        #expect(EventGenerator(config: later).generateAll().bytes == unbounded.bytes)

        // Generated at 13:00 on the history's 9th day.
        var midway = config
        let nowMs = Int64(start.adding(days: 8).ordinal) * 86_400_000 + 13 * 3_600_000
        midway.now = Date(timeIntervalSince1970: Double(nowMs) / 1000)
        let (bytes, stats) = EventGenerator(config: midway).generateAll()
        let rows = try parseCopyText(bytes)
        #expect(rows.count == stats.events && rows.count > 1000)
        #expect(rows.allSatisfy { $0.occurredMs < nowMs && $0.receivedMs <= nowMs && $0.receivedMs >= $0.occurredMs })
        // The day goes on until then; late sessions played before are kept, received at that time at the latest.
        #expect(rows.contains { $0.occurredMs >= nowMs - 3_600_000 })
        #expect(rows.contains { $0.receivedMs == nowMs && nowMs - $0.occurredMs >= 86_400_000 })
        #expect(stats.late == rows.filter { $0.receivedMs - $0.occurredMs >= 86_400_000 }.count)
        // Up to a day before, the same events as without a time of generation (only when they are received moved).
        let dayBefore = nowMs - 86_400_000
        let unboundedRows = try parseCopyText(unbounded.bytes).filter { $0.occurredMs < dayBefore }
        #expect(rows.filter { $0.occurredMs < dayBefore }.map { $0.fields.prefix(11) } == unboundedRows.map { $0.fields.prefix(11) })
    }

    /// The morning bench's parts: from `writeFrom` on, the same rows as the whole stream (earlier days simulated,
    /// not written); with `receivedAtNow`, all received at the time of generation.
    @Test func writeFromWritesTheRestOfTheStreamReceivedAtNowIfAsked() throws {
        var config = GeneratorConfig(game: "part", players: 300, days: 10, levels: 30, seed: 4, start: start)
        let whole = try parseCopyText(EventGenerator(config: config).generateAll().bytes)
        let from = start.adding(days: 7)
        let fromMs = Int64(from.ordinal) * 86_400_000
        config.writeFrom = from
        let (bytes, stats) = EventGenerator(config: config).generateAll()
        let part = try parseCopyText(bytes)
        let rest = whole.filter { $0.occurredMs >= fromMs }
        #expect(!rest.isEmpty && part.map(\.fields) == rest.map(\.fields))
        #expect(stats.events == part.count && stats.players == Set(part.map(\.user)).count)
        #expect(stats.players < config.players)

        let nowMs = Int64(start.adding(days: 12).ordinal) * 86_400_000 + 5_000
        config.now = Date(timeIntervalSince1970: Double(nowMs) / 1000)
        config.receivedAtNow = true
        let backlog = try parseCopyText(EventGenerator(config: config).generateAll().bytes)
        #expect(backlog.map { $0.fields.prefix(11) } == rest.map { $0.fields.prefix(11) })
        #expect(backlog.allSatisfy { $0.receivedMs == nowMs })
        config.now = nil
        #expect(throws: LevelFunnelError.self) { try config.validate() }
    }

    @Test func escapingHandlesTabsNewlinesAndBackslashes() throws {
        let game = "odd\tgame\\with\nbreaks\r\"quoted\" ünï"
        let config = GeneratorConfig(game: game, players: 20, days: 3, levels: 5, seed: 3, start: start)
        try config.validate()
        let (bytes, stats) = EventGenerator(config: config).generateAll()
        let rows = try parseCopyText(bytes)
        #expect(rows.count == stats.events)
        #expect(rows.allSatisfy { $0.game == game })
    }

    @Test func aThrowingSinkStopsTheStream() {
        struct Stop: Error {}
        let config = GeneratorConfig(game: "g", players: 300, days: 20, levels: 30, start: start)
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try EventGenerator(config: config).generate { _ in
                calls += 1
                if calls == 2 { throw Stop() }
            }
        }
        #expect(calls == 2)
    }

    @Test func nonAsciiAndQuotesInPropertiesSurviveEscaping() throws {
        // Rare devices carry a quote, a backslash or non-ASCII text: find them in a bigger run.
        let config = GeneratorConfig(game: "g", players: 3_000, days: 1, levels: 20, seed: 11, start: start)
        let (bytes, _) = EventGenerator(config: config).generateAll()
        let rows = try parseCopyText(bytes)
        let devices = Set(rows.compactMap { $0.properties["device"] as? String })
        #expect(devices.contains { $0.contains("\"") || $0.contains("\\") || $0.unicodeScalars.contains { $0.value > 127 } })
    }

    @Test func defaultScaleLandsInTheExpectedRange() {
        let config = GeneratorConfig(game: "default", start: start)
        #expect(config.players == 5_000 && config.days == 60 && config.levels == 100 && config.seed == 1)
        var bytes = 0
        let stats = EventGenerator(config: config).generate { bytes += $0.count }
        #expect(stats.levelEvents >= 330_000 && stats.levelEvents <= 400_000, "\(stats)")
        #expect(stats.players == 5_000)
        #expect(stats.malformed > 0 && stats.late > 0)
        #expect(bytes > 0)
    }

    @Test func smallAndDegenerateConfigsWork() throws {
        for (players, days, levels) in [(1, 1, 1), (3, 1, 100), (5, 2, 1)] {
            let config = GeneratorConfig(game: "tiny", players: players, days: days, levels: levels, start: start)
            try config.validate()
            let (bytes, stats) = EventGenerator(config: config).generateAll()
            let rows = try parseCopyText(bytes)
            #expect(rows.count == stats.events)
            #expect(stats.players == players)
            #expect(rows.allSatisfy { !$0.counts || (1...levels).contains($0.levelId!) })
        }
    }

    @Test func configValidationNamesTheOption() throws {
        func message(_ config: GeneratorConfig) -> String? {
            do { try config.validate(); return nil } catch let LevelFunnelError.invalidInput(text) { return text } catch {
                return "unexpected \(error)"
            }
        }
        let ok = GeneratorConfig(game: "g", start: start)
        #expect(message(ok) == nil)
        var c = ok
        c.players = 0
        #expect(message(c)?.contains("--players") == true)
        c.players = 10_000_000
        #expect(message(c)?.contains("--players") == true)
        c = ok
        c.days = 0
        #expect(message(c)?.contains("--days") == true)
        c.days = 100_000
        #expect(message(c)?.contains("--days") == true)
        c = ok
        c.levels = 0
        #expect(message(c)?.contains("--levels") == true)
        c.levels = 1_000_000
        #expect(message(c)?.contains("--levels") == true)
        c = ok
        c.game = ""
        #expect(message(c)?.contains("--game") == true)
        #expect(throws: LevelFunnelError.self) { try GeneratorConfig(game: "g", players: -1, start: start).validate() }
        #expect(throws: Never.self) { try ok.validate() }
    }
}
