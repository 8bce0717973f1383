import LevelFunnelCore
import Testing
import TestSupport

/// Each validity rule of the metrics contract, with a malformed event of its own, on both paths.
@Suite struct ContractRulesTests {
    static let day = "2026-03-10"
    static func at(_ time: String = "12:00:00") -> String { "\(day) \(time)+00" }

    @Test(arguments: FunnelSource.allCases)
    func levelIdMustBeAnIntegralJSONNumberInRange(source: FunnelSource) throws {
        let h = try Harness("levelid")
        let ids = [#"5"#, #"5.0"#, #""5""#, "3.5", "-1", "null", "2147483647", "2147483648", #"{"x":1}"#, "true", "1e2"]
        try h.db.insert(ids.enumerated().map { i, id in
            EventRow(user: "u\(i)", name: "level_start", properties: #"{"levelId": \#(id)}"#, occurredAt: Self.at())
        } + [EventRow(user: "missing", name: "level_start", properties: "{}", occurredAt: Self.at())])
        let levels = try h.funnel(source, from: Self.day, to: Self.day)
        // 5 and 5.0 are level 5; 1e2 is level 100; 2147483647 is the largest; everything else is ignored.
        #expect(levels.map(\.levelId) == [5, 100, 2_147_483_647])
        #expect(levels.map(\.counts.starts) == [2, 1, 1])
        #expect(levels.map(\.counts.startedPlayers) == [2, 1, 1])
    }

    @Test(arguments: FunnelSource.allCases)
    func onlyTheThreeLevelEventNamesCount(source: FunnelSource) throws {
        let h = try Harness("names")
        let names = ["level_start", "Level_Start", "LEVEL_START", "level_start ", "session_start", "level_complete",
                     "level_completed", "level_failed", "level_fail"]
        try h.db.insert(names.map {
            EventRow(user: "u", name: $0, properties: #"{"levelId": 1}"#, occurredAt: Self.at())
        })
        let l = try #require(try h.funnel(source, from: Self.day, to: Self.day).first)
        #expect((l.counts.starts, l.counts.completes, l.counts.fails) == (1, 1, 1))
    }

    @Test(arguments: FunnelSource.allCases)
    func dayIsTheUTCDateOfOccurredAtAndRangesAreInclusive(source: FunnelSource) throws {
        let h = try Harness("days")
        try h.db.insert([
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-03-09 23:59:59.999+00"),
            EventRow(user: "b", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-03-10 00:00:00+00"),
            // 01:30 in UTC+03 is 22:30 UTC the day before.
            EventRow(user: "c", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-03-11 01:30:00+03"),
            EventRow(user: "d", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-03-11 23:59:59.999999+00"),
            EventRow(user: "e", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-03-12 00:00:00+00"),
        ])
        func starts(_ from: String, _ to: String) throws -> Int {
            try h.funnel(source, from: from, to: to).first?.counts.starts ?? 0
        }
        #expect(try starts("2026-03-10", "2026-03-10") == 2)   // b and c
        #expect(try starts("2026-03-10", "2026-03-11") == 3)   // b, c, d
        #expect(try starts("2026-03-09", "2026-03-09") == 1)
        #expect(try starts("2026-03-12", "2026-03-12") == 1)
        #expect(try starts("2026-03-13", "2026-03-20") == 0)
    }

    @Test(arguments: FunnelSource.allCases)
    func boostersCountOnlyNonEmptyObjectsOnCompletesAndFails(source: FunnelSource) throws {
        let h = try Harness("boosters")
        let cases: [(String, String)] = [
            ("level_complete", #"{"hammer": 1}"#), ("level_failed", #"{"a": 0, "b": 2}"#),   // counted
            ("level_complete", "{}"), ("level_failed", "[\"hammer\"]"), ("level_complete", #""hammer""#),
            ("level_complete", "null"), ("level_start", #"{"hammer": 1}"#), ("level_failed", "1"),
        ]
        try h.db.insert(cases.enumerated().map { i, c in
            EventRow(user: "u\(i)", name: c.0, properties: #"{"levelId": 1, "boosters": \#(c.1)}"#, occurredAt: Self.at())
        })
        let l = try #require(try h.funnel(source, from: Self.day, to: Self.day).first)
        #expect(l.counts.usersWithBoosters == 2)
        #expect(l.counts.completes + l.counts.fails == 7)
        #expect(l.boosterUsage! == 2.0 / 7 * 100)
    }

    @Test(arguments: FunnelSource.allCases)
    func egpCountsOnlyPositiveNumbersOnFails(source: FunnelSource) throws {
        let h = try Harness("egp")
        let cases: [(String, String)] = [
            ("level_failed", "0.99"), ("level_failed", "5"),                        // counted
            ("level_failed", "0"), ("level_failed", "-1"), ("level_failed", #""0.99""#), ("level_failed", "null"),
            ("level_failed", "true"), ("level_complete", "0.99"),
        ]
        try h.db.insert(cases.enumerated().map { i, c in
            EventRow(user: "u\(i)", name: c.0, properties: #"{"levelId": 2, "egp": \#(c.1)}"#, occurredAt: Self.at())
        })
        let l = try #require(try h.funnel(source, from: Self.day, to: Self.day).first)
        #expect(l.counts.failsWithPurchase == 2)
        #expect(l.counts.fails == 7)
        #expect(l.egpRate! == 2.0 / 7 * 100)
    }

    @Test(arguments: FunnelSource.allCases)
    func invalidDurationsDropOutOfDurationsOnly(source: FunnelSource) throws {
        let h = try Harness("duration")
        let completes = ["0", "86400", "12.5", "-1", "86400.5", #""30""#, "null", "[1]"]
        let fails = ["7.25", "1e2", "-0.1"]
        try h.db.insert(
            completes.enumerated().map { i, d in
                EventRow(user: "c\(i)", name: "level_complete", properties: #"{"levelId": 1, "duration": \#(d)}"#, occurredAt: Self.at())
            } + fails.enumerated().map { i, d in
                EventRow(user: "f\(i)", name: "level_failed", properties: #"{"levelId": 1, "duration": \#(d)}"#, occurredAt: Self.at())
            } + [EventRow(user: "x", name: "level_failed", properties: #"{"levelId": 1}"#, occurredAt: Self.at())])
        let l = try #require(try h.funnel(source, from: Self.day, to: Self.day).first)
        #expect(l.counts.completes == 8 && l.counts.fails == 4)       // every event still counts
        #expect(l.counts.completionCount == 3)
        #expect(l.counts.totalCompletionDuration == ExactDecimal("86412.5"))
        #expect(l.counts.failCount == 2)
        #expect(l.counts.totalFailDuration == ExactDecimal("107.25"))
        #expect(l.meanCompletionDuration! == 86412.5 / 3)
        #expect(l.meanFailDuration! == 107.25 / 2)
    }

    @Test(arguments: FunnelSource.allCases)
    func distinctPlayersAndMissingFiltersIncludeNulls(source: FunnelSource) throws {
        let h = try Harness("players")
        try h.db.insert([
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: Self.at("10:00:00"), platform: "iOS"),
            EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: Self.at("10:05:00"), platform: "iOS"),
            EventRow(user: "a", name: "level_complete", properties: #"{"levelId": 1}"#, occurredAt: Self.at("10:06:00"), platform: "iOS"),
            EventRow(user: "b", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: Self.at("11:00:00"), platform: nil),
            EventRow(user: "c", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: Self.at("11:00:00"), platform: "Android"),
            EventRow(user: "c", name: "level_complete", properties: #"{"levelId": 1}"#, occurredAt: Self.at("11:01:00"), platform: "Android"),
            EventRow(user: "c", name: "level_start", properties: #"{"levelId": 2}"#, occurredAt: Self.at("11:02:00"), platform: "Android"),
        ])
        let all = try h.funnel(source, from: Self.day, to: Self.day)
        #expect(all.map(\.counts.startedPlayers) == [3, 1])
        #expect(all.map(\.counts.completedPlayers) == [2, 0])
        #expect(all[0].churnCompleteNext == 50)    // (2 - 1) / 2
        let ios = try h.funnel(source, from: Self.day, to: Self.day, filters: FunnelFilters(platform: "iOS"))
        #expect(ios.map(\.levelId) == [1])
        #expect(ios[0].counts.starts == 2 && ios[0].counts.startedPlayers == 1)
    }

    @Test(arguments: FunnelSource.allCases)
    func filterValuesWithQuotesSemicolonsAndNonASCII(source: FunnelSource) throws {
        let h = try Harness("quotes")
        let odd = ["O'Brien", "x'; DROP TABLE events; --", "Türkiye", "日本", "a\"b", "back\\slash"]
        try h.db.insert(odd.enumerated().flatMap { i, value in
            (0...i).map { n in
                EventRow(game: "g'; --", user: "u\(n)", name: "level_start", properties: #"{"levelId": 1}"#,
                         occurredAt: Self.at(), platform: value, country: value, appVersion: value, funnel: value,
                         funnelVersion: i)
            }
        })
        for (i, value) in odd.enumerated() {
            for filters in [FunnelFilters(platform: value), FunnelFilters(country: value), FunnelFilters(appVersion: value),
                            FunnelFilters(funnel: value, funnelVersion: i)] {
                let levels = try h.funnel(source, game: "g'; --", from: Self.day, to: Self.day, filters: filters)
                #expect(levels.first?.counts.starts == i + 1, "filter \(filters)")
            }
        }
        #expect(try h.db.query("SELECT count(*) FROM events").first!.decode(Int.self, at: 0) == 21)
    }
}
