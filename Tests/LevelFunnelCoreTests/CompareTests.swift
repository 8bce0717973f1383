import LevelFunnelCore
import Testing
import TestSupport

/// Compare, daily series, breakdowns and spikes: each equal to separate fast and raw queries.
@Suite struct CompareTests {
    static let history = try! DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)

    /// A loaded, aggregated random game "g".
    static func loaded(_ label: String, seed: UInt64 = 31) throws -> Harness {
        let h = try Harness(label)
        try h.db.copy(RandomEvents.make(seed: seed, count: 3000))
        _ = try h.store.backfill(game: "g", range: history)
        return h
    }

    /// Fast and raw answers to `query` both equal `levels`, field by field.
    static func expectSeparateQueriesEqual(_ h: Harness, _ query: FunnelQuery, _ levels: [LevelMetrics],
                                           _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fast = try h.store.funnel(query, source: .fast).levels
        #expect(fast == levels, "\(what): fast", sourceLocation: sourceLocation)
        let raw = try h.store.funnel(query, source: .raw).levels
        let differences = FunnelComparison.differences(fast: levels, raw: raw)
        #expect(differences.isEmpty, "\(what): raw \(differences.prefix(3))", sourceLocation: sourceLocation)
    }

    // MARK: z-test

    /// Against values computed by hand (pooled proportion, erfc): 45/100 vs 60/100 and 380/1000 vs 95/200.
    @Test func zTestMatchesHandComputedValues() throws {
        let a = try #require(ZTest.twoProportion(successes: 45, trials: 100, versus: 60, trials: 100))
        // p = 105/200 = 0.525; se = sqrt(0.525 × 0.475 × (1/100 + 1/100)) = 0.0706222; z = 0.15 / se
        #expect(abs(a.z - 2.1239769762143657) < 1e-12)
        #expect(abs(a.pValue - 0.033672068856345876) < 1e-12)
        #expect(a.isSignificant)
        let b = try #require(ZTest.twoProportion(successes: 380, trials: 1000, versus: 95, trials: 200))
        #expect(abs(b.z - 2.5079184939733965) < 1e-12)
        #expect(abs(b.pValue - 0.012144467657031453) < 1e-12)
        // Symmetric: swapping the sides flips z, keeps p.
        let c = try #require(ZTest.twoProportion(successes: 60, trials: 100, versus: 45, trials: 100))
        #expect(abs(c.z + a.z) < 1e-12 && abs(c.pValue - a.pValue) < 1e-15)
        // Not significant: 50/100 vs 52/100 (z ≈ 0.28, p ≈ 0.78).
        let d = try #require(ZTest.twoProportion(successes: 50, trials: 100, versus: 52, trials: 100))
        #expect(!d.isSignificant && d.pValue > 0.7)
        // Nothing to test.
        #expect(ZTest.twoProportion(successes: 0, trials: 0, versus: 3, trials: 10) == nil)
        #expect(ZTest.twoProportion(successes: 0, trials: 10, versus: 0, trials: 10) == nil)   // no variance
        #expect(ZTest.twoProportion(successes: -2, trials: 10, versus: 3, trials: 10) == nil)  // negative churn
        #expect(ZTest.twoProportion(successes: 11, trials: 10, versus: 3, trials: 10) == nil)
    }

    /// The compare of two canned results: differences, denominators, trials, significance and entrants.
    @Test func compareOfTwoResults() throws {
        let q = FunnelQuery(game: "g", range: Self.history)
        let base = FunnelResult(query: q, source: .fast, queryMs: 1, levels: MetricsFormula.derive([
            LevelCounts(levelId: 1, starts: 120, completes: 45, fails: 55, startedPlayers: 100, completedPlayers: 80),
            LevelCounts(levelId: 2, starts: 90, completes: 70, fails: 20, startedPlayers: 70, completedPlayers: 65),
        ]))
        let variant = FunnelResult(query: q, source: .fast, queryMs: 1, levels: MetricsFormula.derive([
            LevelCounts(levelId: 1, starts: 130, completes: 60, fails: 40, startedPlayers: 100, completedPlayers: 90),
            LevelCounts(levelId: 3, starts: 10, completes: 5, fails: 5, startedPlayers: 10, completedPlayers: 5),
        ]))
        let compare = FunnelCompare(baseline: base, variant: variant, baselineLabel: "a", variantLabel: "b")
        #expect(compare.levels.map(\.levelId) == [1, 2, 3])
        let win = try #require(compare.levels[0].metric("winRate"))
        #expect(win.baseline == 45 && win.variant == 60 && win.difference == 15)
        #expect(win.denominator == .attempts && win.baselineTrials == 100 && win.variantTrials == 100)
        #expect(abs(win.test!.z - 2.1239769762143657) < 1e-12 && win.isSignificant)
        let starts = try #require(compare.levels[0].metric("starts"))
        #expect(starts.difference == 10 && starts.denominator == nil && starts.test == nil)
        #expect(compare.levels[0].metric("completionRate")?.denominator == .startedPlayers)
        #expect(compare.levels[0].metric("funnelRate")?.denominator == .firstLevelCompletedPlayers)
        // Level 2 only in the baseline, level 3 only in the variant: no difference, no test.
        #expect(compare.levels[1].metric("winRate")?.difference == nil && compare.levels[1].metric("winRate")?.test == nil)
        #expect(!compare.levels[0].entrantsDiffer)
        #expect(compare.levels[1].entrantsDiffer && compare.levels[2].entrantsDiffer)
        #expect(compare.levels[0].metrics.map(\.field) == MetricFields.names)
    }

    /// Every percentage field of the contract says which denominator it uses.
    @Test func everyRateHasADenominator() {
        let rates = MetricFields.names.filter { $0.hasSuffix("Rate") || $0.hasPrefix("churn") || $0 == "boosterUsage" }
        #expect(rates.count == 9)
        for name in rates { #expect(RateDenominator.ofField[name] != nil, "\(name)") }
        for name in RateDenominator.ofField.keys { #expect(MetricFields.named(name) != nil, "\(name)") }
    }

    @Test func presetsParse() throws {
        #expect(try ComparePreset.parse("platform=Android") == .otherValue(.platform, "Android"))
        #expect(try ComparePreset.parse("app-version=0.2") == .otherValue(.appVersion, "0.2"))
        #expect(try ComparePreset.parse("funnelVersion=2") == .otherValue(.funnelVersion, "2"))
        #expect(try ComparePreset.parse("country_code=all") == .everything(.country))
        #expect(try ComparePreset.parse("platform=*") == .everything(.platform))
        #expect(throws: LevelFunnelError.self) { try ComparePreset.parse("platform") }
        #expect(throws: LevelFunnelError.self) { try ComparePreset.parse("os=iOS") }
        #expect(throws: LevelFunnelError.self) { try ComparePreset.parse("funnel-version=two") }
    }

    // MARK: Against the database

    /// Each preset's two sides equal separate fast and raw queries of the same selections.
    @Test func everyPresetEqualsSeparateQueries() throws {
        let h = try Self.loaded("compare")
        let dims = try h.store.dimensions(game: "g")
        let lastWeek = try DayRange(from: Day(iso: "2026-02-06")!, to: Day(iso: "2026-02-10")!)
        let cases: [(ComparePreset, FunnelQuery)] = [
            (.previousRange, FunnelQuery(game: "g", range: lastWeek)),
            (.otherValue(.platform, "Android"), FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "iOS"))),
            (.everything(.platform), FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "iOS"))),
            (.previousFunnelVersion, FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(funnel: "live_v1", funnelVersion: 2))),
            (.previousFunnelVersion, FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(funnel: "live_v1"))),
            (.otherValue(.country, "TR"), FunnelQuery(game: "g", range: lastWeek, filters: FunnelFilters(country: "US", appVersion: "0.2"))),
        ]
        for (preset, query) in cases {
            let plan = try preset.plan(for: query, dimensions: dims)
            let compare = try h.store.compare(plan)
            #expect(!compare.baseline.levels.isEmpty && !compare.variant.levels.isEmpty, "\(preset)")
            try Self.expectSeparateQueriesEqual(h, plan.baseline, compare.baseline.levels, "\(preset) baseline")
            try Self.expectSeparateQueriesEqual(h, plan.variant, compare.variant.levels, "\(preset) variant")
            // Every difference is the variant's value less the baseline's, as separate queries give them.
            let base = try h.store.funnel(plan.baseline), variant = try h.store.funnel(plan.variant)
            for level in compare.levels {
                for (field, d) in zip(MetricFields.all, level.metrics) {
                    let b = base.levels.first { $0.levelId == level.levelId }.flatMap(field.value)
                    let v = variant.levels.first { $0.levelId == level.levelId }.flatMap(field.value)
                    #expect(d.baseline == b && d.variant == v, "\(preset) level \(level.levelId) \(field)")
                }
            }
        }
        // What each preset picks.
        let version = try ComparePreset.previousFunnelVersion.plan(
            for: FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(funnel: "live_v1")), dimensions: dims)
        #expect(version.variant.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 2))
        #expect(version.baseline.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 1))
        #expect(version.baselineLabel == "funnelVersion=1" && version.variantLabel == "funnelVersion=2")
        let previous = try ComparePreset.previousRange.plan(for: FunnelQuery(game: "g", range: lastWeek), dimensions: dims)
        #expect(previous.baseline.range == (try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-05")!)))
        let all = try ComparePreset.everything(.platform).plan(
            for: FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "iOS")), dimensions: dims)
        #expect(all.baseline.filters.isEmpty && all.baselineLabel == "platform=all" && all.variantLabel == "platform=iOS")
        #expect(throws: LevelFunnelError.self) {
            try ComparePreset.previousFunnelVersion.plan(
                for: FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(funnel: "live_v1", funnelVersion: 1)), dimensions: dims)
        }
        #expect(throws: LevelFunnelError.self) {
            try ComparePreset.everything(.country).plan(for: FunnelQuery(game: "g", range: Self.history), dimensions: dims)
        }
    }

    /// Every day of the series equals `query --from DAY --to DAY`, fast and raw.
    @Test func dailySeriesEqualsOneDayQueries() throws {
        let h = try Self.loaded("daily")
        let query = FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(platform: "Android"))
        let series = try h.store.dailySeries(query)
        #expect(series.points.map(\.day) == Self.history.days)
        for point in series.points {
            try Self.expectSeparateQueriesEqual(h, FunnelQuery(game: "g", range: .single(point.day), filters: query.filters),
                                                point.result.levels, "\(point.day)")
        }
        let win = MetricFields.named("winRate")!
        #expect(series.values(win, level: 2) == series.points.map { $0.level(2).flatMap(win.value) })
        #expect(series.values(win, level: 2).contains { $0 != nil })
    }

    /// Every value of a breakdown equals a separate query with that filter; Other's event counts are the total's
    /// less the values shown; the overlap line appears when players fall under several values.
    @Test(arguments: [Dimension.platform, .appVersion, .funnelVersion])
    func breakdownEqualsSeparateQueries(dimension: Dimension) throws {
        let h = try Self.loaded("breakdown")
        let query = FunnelQuery(game: "g", range: Self.history, filters: FunnelFilters(country: "US"))
        let breakdown = try h.store.breakdown(query, by: dimension, top: 2)
        #expect(breakdown.groups.first?.kind == .total)
        try Self.expectSeparateQueriesEqual(h, query, breakdown.groups[0].levels.values.sorted { $0.levelId < $1.levelId }, "total")
        let values = breakdown.groups.compactMap { g -> String? in if case .value(let v) = g.kind { v } else { nil } }
        #expect(values.count == 2)
        var everyValuePlayers = 0
        for value in values + breakdown.otherValues {
            var one = query
            one.filters[dimension] = value
            let levels = try h.store.funnel(one).levels
            everyValuePlayers += levels.map(\.counts.startedPlayers).max() ?? 0
            if let group = breakdown.groups.first(where: { $0.kind == .value(value) }) {
                try Self.expectSeparateQueriesEqual(h, one, group.levels.values.sorted { $0.levelId < $1.levelId }, value)
                #expect(group.players == levels.map(\.counts.startedPlayers).max())
            }
        }
        #expect(breakdown.valuesPlayers == everyValuePlayers)
        // Ranked by players.
        let shown = breakdown.groups.filter { if case .value = $0.kind { true } else { false } }.map { $0.players ?? 0 }
        #expect(shown == shown.sorted(by: >))
        // Other = total − shown values, for every summed count; player fields undefined.
        let other = try #require(breakdown.groups.last { $0.kind == Breakdown.Group.Kind.other })
        let total = breakdown.groups[0]
        let starts = MetricFields.named("starts")!, fails = MetricFields.named("fails")!
        for id in total.levels.keys {
            for field in [starts, fails] {
                let shownSum = breakdown.groups.filter { if case .value = $0.kind { true } else { false } }
                    .compactMap { $0.value(field, level: id) }.reduce(0, +)
                #expect((other.value(field, level: id) ?? 0) == total.value(field, level: id)! - shownSum, "level \(id) \(field)")
            }
        }
        #expect(other.value(MetricFields.named("startedPlayers")!, level: 1) == nil)
        #expect(other.value(MetricFields.named("winRate")!, level: 1) != nil)
        #expect(Breakdown.playerFields == ["startedPlayers", "completedPlayers", "churnStartComplete", "churnCompleteNext",
                                           "churnTotal", "completionRate", "funnelRate", "apsRaw"])
        // RandomEvents' players change app version (upgrades) and sometimes platform: values overlap.
        if dimension == .appVersion {
            #expect(breakdown.valuesPlayers > breakdown.totalPlayers)
            #expect(breakdown.overlapNote?.contains("several app version values") == true)
        }
    }

    // MARK: Spikes

    @Test func spikeRankingOnCannedLevels() throws {
        // A smooth funnel with level 5 much harder.
        let counts = (1...12).map { level -> LevelCounts in
            let hard = level == 5
            return LevelCounts(levelId: level, starts: hard ? 400 : 130 + level, completes: 100, fails: hard ? 300 : 30 + level,
                               startedPlayers: 100, completedPlayers: hard ? 80 : 98, usersWithBoosters: hard ? 120 : 10)
        }
        let ranking = SpikeRanking.rank(MetricsFormula.derive(counts))
        #expect(ranking.count == 12)
        #expect(ranking[0].levelId == 5)
        let fail = try #require(ranking[0].measure("failRate"))
        #expect(fail.value == 75 && fail.excess > 40 && (fail.robustZ ?? 0) > 3)
        #expect(ranking[0].measures.map(\.field) == SpikeRanking.fieldNames)
        #expect(ranking[1].score < ranking[0].score / 3)
    }

    /// A generated game with a planted hard level: it ranks first on the fast path.
    @Test func plantedHardLevelRanksFirst() throws {
        let h = try Harness("spikes")
        var config = GeneratorConfig(game: "spiky", players: 600, days: 14, levels: 24, seed: 5, start: Day(iso: "2026-03-01")!)
        config.hardLevels = [13]
        try config.validate()
        _ = try EventLoader(store: h.store).load(config)
        let range = try DayRange(from: config.start, to: config.start.adding(days: 13))
        _ = try h.store.backfill(game: "spiky", range: range)
        let levels = try h.store.funnel(FunnelQuery(game: "spiky", range: range)).levels
        let ranking = SpikeRanking.rank(levels)
        #expect(ranking.first?.levelId == 13, "\(ranking.prefix(3).map { ($0.levelId, $0.score) })")
        #expect((ranking.first?.measure("failRate")?.excess ?? 0) > 20)
        var bad = config
        bad.hardLevels = [30]
        #expect(throws: LevelFunnelError.self) { try bad.validate() }
    }
}
