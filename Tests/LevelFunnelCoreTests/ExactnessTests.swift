import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Exact to the last digit: decimal sums never pass through `Double` arithmetic, comparisons have no tolerance.
@Suite struct ExactDecimalTests {
    @Test func parsesPrintsAndComparesCanonically() throws {
        let cases: [(String, String)] = [("0", "0"), ("-0.000", "0"), ("12.500", "12.5"), ("007.10", "7.1"), ("1e2", "100"),
                                         ("2.5E-3", "0.0025"), ("-3.25", "-3.25"), ("86400", "86400"), ("+1", "1"),
                                         ("123456789012345678901234567890.123456789012345678901", "123456789012345678901234567890.123456789012345678901")]
        for (text, canonical) in cases { #expect(ExactDecimal(text)?.description == canonical, "\(text)") }
        for bad in ["", ".5", "5.", "NaN", "1e", "--1", "1.2.3", "٣"] { #expect(ExactDecimal(bad) == nil, "\(bad)") }
        #expect(ExactDecimal("12.50") == ExactDecimal("12.5"))
        let minusTwo = ExactDecimal(-2), minusOneHalf = try #require(ExactDecimal("-1.5")), thousandth = try #require(ExactDecimal("0.001"))
        #expect(minusTwo < minusOneHalf)
        #expect(minusOneHalf < ExactDecimal.zero)
        #expect(ExactDecimal.zero < thousandth)
    }

    @Test func addsAndSubtractsWithoutRounding() throws {
        let a = ExactDecimal("0.1")!, b = ExactDecimal("0.2")!
        #expect((a + b).description == "0.3")            // 0.1 + 0.2 is 0.30000000000000004 in Double
        #expect(0.1 + 0.2 != 0.3)
        #expect((a - b).description == "-0.1")
        let nothing = b - a - a
        #expect(nothing.isZero && nothing.description == "0")
        #expect((ExactDecimal("6307.931")! - ExactDecimal("6000.5")!).description == "307.431")
        let big = ExactDecimal("99999999999999999999.999")!
        #expect((big + ExactDecimal("0.001")!).description == "100000000000000000000")
        #expect((ExactDecimal(-5) + ExactDecimal("2.75")!).description == "-2.25")
        // Sums of the same terms in any order and grouping are the same value.
        var rng = SeededRandom(seed: 7)
        let terms = (0..<200).map { _ in ExactDecimal("\(rng.next(90_000)).\(rng.next(1000))")! }
        let total = terms.reduce(ExactDecimal.zero, +)
        #expect(total == terms.reversed().reduce(ExactDecimal.zero, +))
        #expect(total - terms.dropFirst(50).reduce(ExactDecimal.zero, +) == terms.prefix(50).reduce(ExactDecimal.zero, +))
    }

    /// `verify` and the differential tests compare every field exactly: a difference in the 13th digit of a sum is
    /// a difference (it was hidden by a relative tolerance of 1e-9).
    @Test func comparisonHasNoTolerance() {
        var a = LevelCounts(levelId: 1, starts: 3, completes: 2, totalCompletionDuration: ExactDecimal("6307.931")!, completionCount: 2)
        var b = a
        b.totalCompletionDuration = ExactDecimal("6307.9310000000005")!
        let differences = FunnelComparison.differences(fast: MetricsFormula.derive([a]), raw: MetricsFormula.derive([b]))
        #expect(differences.map(\.field) == ["totalCompletionDuration", "meanCompletionDuration"])
        #expect(differences.first?.fast == "6307.931" && differences.first?.raw == "6307.9310000000005")
        a.startedPlayers = 2
        b = a
        #expect(FunnelComparison.differences(fast: MetricsFormula.derive([a]), raw: MetricsFormula.derive([b])).isEmpty)
    }
}

/// Numbers, values and labels of the fast path's composed answers (compare, by day, breakdown), against the events.
@Suite struct ComposedAnswerExactnessTests {
    static let first = Day(iso: "2026-03-01")!
    static func day(_ n: Int) -> Day { first.adding(days: n - 1) }
    static let history = try! DayRange(from: day(1), to: day(6))

    /// Durations whose sums differ in the last digits when added as doubles (0.1 + 0.2), on every day.
    static func durationEvents(days: ClosedRange<Int>, appVersion: String = "0.4", platforms: [String] = ["iOS", "Android"]) -> [EventRow] {
        days.flatMap { d in
            platforms.indices.flatMap { p in
                (1...3).flatMap { level in
                    (0..<3).flatMap { i -> [EventRow] in
                        let user = "u\(p)-\(i)", at = "\(day(d).iso) 1\(i):0\(level)+00"
                        let duration = ["0.1", "0.2", "0.7"][(i + level + d) % 3]
                        return [
                            EventRow(user: user, name: "level_start", properties: #"{"levelId": \#(level)}"#, occurredAt: at,
                                     platform: platforms[p], country: "US", appVersion: appVersion, funnel: "live_v1", funnelVersion: 1),
                            EventRow(user: user, name: i == 2 ? "level_failed" : "level_complete",
                                     properties: #"{"levelId": \#(level), "duration": \#(duration)}"#, occurredAt: at,
                                     platform: platforms[p], country: "US", appVersion: appVersion, funnel: "live_v1", funnelVersion: 1),
                        ]
                    }
                }
            }
        }
    }

    /// Issue 17, point 1: aggregated days plus live days give the raw path's sums exactly (they were added as
    /// `Double`s: 6307.9310000000005 for 6307.931).
    @Test func liveTailSumsEqualRawToTheLastDigit() throws {
        let h = try Harness("exactlive")
        try h.db.insert(Self.durationEvents(days: 1...6))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(3)))
        for filters in [FunnelFilters(), FunnelFilters(appVersion: "0.4"), FunnelFilters(platform: "iOS")] {
            let query = FunnelQuery(game: "g", range: Self.history, filters: filters)
            let fast = try h.store.funnel(query), raw = try h.store.funnel(query, source: .raw)
            #expect(fast.coverage?.aggregated == 3 && fast.coverage?.live == 3)
            let differences = FunnelComparison.differences(fast: fast.levels, raw: raw.levels)
            #expect(differences.isEmpty, "\(filters.summary): \(differences.prefix(3))")
            #expect(try h.store.verify(query).isExact)
            // The raw sums, as PostgreSQL computes them, are short decimals.
            for level in raw.levels {
                #expect(!level.counts.totalCompletionDuration.description.contains("000000"), "\(level.counts.totalCompletionDuration)")
            }
        }
    }

    /// Issue 17, point 2: Other holds only events; none when every value is shown and every event has a value,
    /// and its sums are the total's less the values', exactly (no `-4.97e-14`).
    @Test func breakdownOtherIsMadeOfEventsAndExact() throws {
        let h = try Harness("exactother")
        try h.db.insert(Self.durationEvents(days: 1...4, platforms: ["iOS", "Android", "WebGL"]))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(4)))
        let query = FunnelQuery(game: "g", range: try DayRange(from: Self.day(1), to: Self.day(4)))
        let all = try h.store.breakdown(query, by: .platform, top: 5)
        #expect(all.groups.map(\.label) == ["All", "Android", "WebGL", "iOS"])
        #expect(!all.groups.contains { $0.kind == .other })
        let some = try h.store.breakdown(query, by: .platform, top: 2)
        let other = try #require(some.groups.first { $0.kind == .other })
        let raw = try h.store.funnel(FunnelQuery(game: "g", range: query.range, filters: FunnelFilters(platform: some.otherValues[0])),
                                     source: .raw)
        #expect(some.otherValues.count == 1)
        for level in raw.levels {
            let o = try #require(other.levels[level.levelId])
            for field in MetricFields.all where !Breakdown.playerFields.contains(field.name) {
                #expect(field.text(o) == field.text(level), "level \(level.levelId) \(field.name)")
            }
        }
    }

    /// Issue 17, point 3: values seen only in days computed from the events (late events, not aggregated yet) are
    /// broken down and compared like the others.
    @Test func valuesOfLiveDaysAreBrokenDownAndCompared() throws {
        let h = try Harness("exactlivevalues")
        try h.db.insert(Self.durationEvents(days: 1...4))
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.day(1), to: Self.day(4)))
        // Late events on an aggregated day, with an app version and a funnel version the aggregates have not seen.
        try h.db.insert((1...3).map { level in
            EventRow(user: "late", name: "level_start", properties: #"{"levelId": \#(level)}"#, occurredAt: "\(Self.day(2).iso) 20:00+00",
                     platform: "iOS", country: "US", appVersion: "0.9", funnel: "live_v1", funnelVersion: 4)
        })
        let query = FunnelQuery(game: "g", range: try DayRange(from: Self.day(1), to: Self.day(4)))
        // Pending: answered from the aggregates plus the changes (no day live); their values come from the events.
        #expect(try h.store.funnel(query).coverage?.live == 0)
        let byVersion = try h.store.breakdown(query, by: .appVersion, top: 5)
        #expect(byVersion.groups.map(\.label) == ["All", "0.4", "0.9"])
        #expect(byVersion.groups.last?.players == 1)
        #expect(try h.store.dimensions(game: "g", source: .aggregates).values[.appVersion] == ["0.4"])
        #expect(try h.store.dimensions(game: "g", source: .raw).values[.appVersion] == ["0.4", "0.9"])
        let versions = try h.store.dimensions(game: "g")
        let plan = try ComparePreset.previousFunnelVersion.plan(for: FunnelQuery(game: "g", range: query.range,
                                                                                 filters: FunnelFilters(funnel: "live_v1")),
                                                                dimensions: versions)
        #expect(plan.variant.filters.funnelVersion == 4 && plan.baseline.filters.funnelVersion == 1)
    }

    /// Issue 17, point 4: every part of a composed answer carries its own coverage and source; an incomplete part
    /// says so, and a role that cannot read events gets `aggregates`, never `fast`.
    @Test func composedAnswersCarryTheirPartsCoverageAndSource() throws {
        let h = try Harness("exactlabels")
        try h.db.insert(Self.durationEvents(days: 1...6))
        _ = try h.store.aggregate(game: "g", day: Self.day(3))
        let query = FunnelQuery(game: "g", range: Self.history)
        let breakdown = try h.store.breakdown(query, by: .platform, top: 5, source: .aggregates)
        #expect(breakdown.parts.count == 3)
        #expect(breakdown.parts.allSatisfy { $0.result.coverage?.aggregated == 1 && $0.result.coverage?.missing == 5 })
        #expect(breakdown.incompleteNotes.first == "incomplete answer: all: 1 day aggregated + 5 missing of 6 days")
        let compare = try h.store.compare(ComparePreset.otherValue(.platform, "Android").plan(
            for: FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "iOS")), dimensions: nil), source: .aggregates)
        #expect(compare.incompleteNotes == [
            "incomplete answer: baseline (platform=Android): 1 day aggregated + 5 missing of 6 days",
            "incomplete answer: variant (platform=iOS): 1 day aggregated + 5 missing of 6 days",
        ])
        let series = try h.store.dailySeries(query, source: .aggregates)
        #expect(series.incompleteNotes.count == 5)
        // The fast path fills the missing days from the events: complete, and every part says which were live.
        let fast = try h.store.breakdown(query, by: .platform, top: 5)
        #expect(fast.incompleteNotes.isEmpty && fast.answeredBy(asked: .fast) == .fast)
        #expect(fast.parts.allSatisfy { $0.result.coverage?.live == 6 })  // day 1 was never aggregated: all live
        #expect(fast.parts.coverageSummary?.text == "live days in 3 of 3 parts")

        // A reader: the parts were answered from the aggregates, and the whole says so.
        _ = try h.store.backfill(game: "g", range: Self.history)
        let roles = try TestRoles(h)
        defer { roles.drop(h.db) }
        let reader = try LevelFunnelStore(url: roles.url(roles.readerLogin))
        let readerBreakdown = try reader.breakdown(query, by: .platform, top: 5)
        #expect(readerBreakdown.answeredBy(asked: .fast) == .aggregates)
        #expect(try reader.dailySeries(query).answeredBy(asked: .fast) == .aggregates)
        #expect(try reader.compare(ComparePreset.previousRange.plan(for: query, dimensions: nil)).answeredBy(asked: .fast) == .aggregates)
    }
}
