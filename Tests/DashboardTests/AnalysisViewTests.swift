import Foundation
import Dashboard
import LevelFunnelCore
import Testing

/// Compare, trend, breakdown and spikes: reducer paths and snapshots of every screen.
@Suite("Compare, trend, breakdown and spikes")
struct AnalysisViewTests {
    /// iOS and Android with different numbers: Android brings fewer players to every level and wins more.
    static func backend() -> InMemoryBackend {
        var backend = Fixtures.backend()
        let base = Fixtures.demoCounts
        backend.filteredCounts[FunnelFilters(platform: "iOS")] = base.map { c in
            var c = c
            c.starts = c.starts * 6 / 10; c.completes = c.completes * 5 / 10; c.fails = c.fails * 7 / 10
            c.startedPlayers = c.startedPlayers * 6 / 10; c.completedPlayers = c.completedPlayers * 55 / 100
            return c
        }
        backend.filteredCounts[FunnelFilters(platform: "Android")] = base.map { c in
            var c = c
            let late = c.levelId >= 8
            c.starts = c.starts * (late ? 1 : 4) / 10; c.completes = c.completes * (late ? 1 : 4) / 10
            c.fails = c.fails * (late ? 1 : 2) / 10
            c.startedPlayers = c.startedPlayers * (late ? 1 : 4) / 10; c.completedPlayers = c.completedPlayers * (late ? 1 : 4) / 10
            return c
        }
        backend.varyByDay = true
        return backend
    }

    static func iOS(size: TerminalSize = TerminalSize(width: 120, height: 30), options: DashboardOptions = DashboardOptions(game: "demo")) -> Harness {
        var h = Harness(size: size, backend: backend(), options: options)
        h.press(.char("p"), .end, .enter)   // iOS
        #expect(h.state.filters == FunnelFilters(platform: "iOS"))
        return h
    }

    @Test func comparePickerAndView() throws {
        var h = Self.iOS()
        h.press(.char("C"))
        assertSnapshot(h.text, named: "compare-picker")
        // previous range, iOS against all, against Android, against WebGL
        h.press(.down, .down, .enter)
        guard case .compare(let view) = h.state.views.last else { Issue.record("no compare view"); return }
        #expect(view.plan.baseline.filters == FunnelFilters(platform: "Android"))
        #expect(view.plan.variant.filters == FunnelFilters(platform: "iOS"))
        let compare = try #require(view.result)
        // Each side is what the funnel query of that selection answers.
        #expect(compare.baseline.levels == (try h.backend.funnel(view.plan.baseline, source: .fast)).levels)
        #expect(compare.variant.levels == (try h.backend.funnel(view.plan.variant, source: .fast)).levels)
        h.press(.right, .right)   // Fails, then Completes... the third metric group
        assertSnapshot(h.text, named: "compare-view")
        #expect(h.text.contains("B platform=iOS  vs  A platform=Android"))
        // The detail line explains the cell under the cursor.
        h.press(.home)
        for _ in 0..<8 { h.press(.right) }   // Win %
        #expect(CompareViewState.columns[8] == .winRate)
        h.press(.down)
        assertSnapshot(h.text, named: "compare-view-win-rate")
        #expect(h.text.contains("level 2 Win % per attempts: A"))
        // Drill into the level, then back twice.
        h.press(.enter)
        guard case .trend(let trend) = h.state.views.last else { Issue.record("no trend"); return }
        #expect(trend.level == 2 && trend.query.filters == FunnelFilters(platform: "iOS"))
        h.press(.escape)
        #expect(h.state.views.map(\.name) == ["compare"])
        h.press(.escape)
        #expect(h.state.views.isEmpty)
        #expect(h.text.contains("Level Funnel · demo"))
    }

    @Test func compareNarrowAndMono() {
        var narrow = Self.iOS(size: TerminalSize(width: 72, height: 16))
        narrow.press(.char("C"), .down, .enter)   // iOS against all values
        assertSnapshot(narrow.text, named: "compare-narrow")
        var mono = Self.iOS(options: DashboardOptions(game: "demo", noColor: true))
        mono.press(.char("C"), .down, .down, .enter)
        assertSnapshot(mono.text, named: "compare-mono")
        assertSnapshot(StyleMap.render(mono.screen, theme: mono.state.theme), named: "compare-mono-attributes")
    }

    @Test func compareErrorsStayOnTheTable() {
        var h = Harness(backend: Self.backend())
        h.press(.char("C"))
        assertSnapshot(h.text, named: "compare-picker-no-filters")
        h.press(.escape, .char("f"), .down, .enter, .down, .enter)   // live_v1 version 1
        #expect(h.state.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 1))
        h.press(.char("C"), .down, .enter)   // previous funnel version: there is none before 1
        #expect(h.state.views.isEmpty)
        #expect(h.state.message?.isError == true && h.state.message?.text.contains("no version before 1") == true)
    }

    @Test func trendOfALevel() throws {
        var h = Harness(backend: Self.backend())
        h.press(.down, .down, .enter)   // level 3
        guard case .trend(let view) = h.state.views.last else { Issue.record("no trend"); return }
        #expect(view.level == 3)
        let series = try #require(view.series)
        #expect(series.points.count == Fixtures.demo.history.dayCount)
        for point in series.points.prefix(3) {
            var one = view.query
            one.range = .single(point.day)
            #expect(point.result.levels == (try h.backend.funnel(one, source: .fast)).levels)
        }
        h.press(.left, .left)
        assertSnapshot(h.text, named: "trend-view")
        #expect(h.text.contains("2024-03-29:"))
        var ascii = Harness(backend: Self.backend(), options: DashboardOptions(game: "demo", glyphs: .ascii))
        ascii.press(.down, .down, .enter, .left, .left)
        assertSnapshot(ascii.text, named: "ascii-trend-view")
        var narrow = Harness(size: TerminalSize(width: 60, height: 12), backend: Self.backend())
        narrow.press(.enter, .home)
        assertSnapshot(narrow.text, named: "trend-narrow")
    }

    @Test func breakdownView() throws {
        var h = Harness(backend: Self.backend())
        h.press(.char("B"))
        assertSnapshot(h.text, named: "breakdown-picker")
        h.press(.char("p"))
        guard case .breakdown(let view) = h.state.views.last else { Issue.record("no breakdown"); return }
        let breakdown = try #require(view.result)
        #expect(breakdown.groups.map(\.label) == ["All", "iOS", "WebGL", "Android"])   // every value shown: no Other
        for group in breakdown.groups {
            guard case .value(let value) = group.kind else { continue }
            let levels = try h.backend.funnel(FunnelQuery(game: "demo", range: Fixtures.demo.history,
                                                           filters: FunnelFilters(platform: value)), source: .fast).levels
            #expect(Array(group.levels.values).sorted { $0.levelId < $1.levelId } == levels)
        }
        assertSnapshot(h.text, named: "breakdown-view")
        h.press(.right, .right, .down, .enter)   // Android's trend of level 2
        guard case .trend(let trend) = h.state.views.last else { Issue.record("no trend"); return }
        #expect(trend.level == 2 && trend.query.filters == FunnelFilters(platform: "Android"))
    }

    @Test func spikesView() {
        var h = Harness(backend: Self.backend())
        h.press(.char("S"))
        guard case .spikes(let view) = h.state.views.last else { Issue.record("no spikes"); return }
        #expect(view.ranking == SpikeRanking.rank(h.state.result!.levels))
        assertSnapshot(h.text, named: "spikes-view")
        h.press(.enter)
        guard case .trend(let trend) = h.state.views.last else { Issue.record("no trend"); return }
        #expect(trend.level == view.ranking[0].levelId)
    }
}

/// `w` saves the view, `W` opens one, `--view NAME` opens with one.
@Suite("Saved views")
struct SavedViewTests {
    static func options(_ path: String) -> DashboardOptions {
        DashboardOptions(game: "demo").opening(view: nil, named: nil, path: path)
    }

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lf-views-\(UUID().uuidString)/views.toml").path
    }

    @Test func saveThenReopen() throws {
        // A fixed path: the save dialog shows it.
        let folder = URL(fileURLWithPath: "/tmp/levelfunnel-snapshot-views")
        try? FileManager.default.removeItem(at: folder)
        let path = folder.appendingPathComponent("views.toml").path
        var h = Harness(backend: AnalysisViewTests.backend(), options: Self.options(path))
        h.press(.char("p"), .end, .enter, .char("d"), .char("1"))   // iOS, last 7 days
        h.press(.right, .right, .char("s"))                         // sort by Fails
        h.press(.char("C"), .down, .down, .enter)                   // against Android
        #expect(h.state.views.map(\.name) == ["compare"])
        h.press(.char("w"))
        h.type("ios-android")
        assertSnapshot(h.text, named: "save-view-dialog")
        h.press(.enter)
        #expect(h.state.message?.text == "saved view 'ios-android' in \(path)")
        let saved = try #require(try SavedViews.load(path: path)["ios-android"])
        #expect(saved == SavedView(game: "demo", range: .lastDays(7), filters: FunnelFilters(platform: "iOS"),
                                   compare: .otherValue(.platform, "Android"), sort: ("fails", true), column: "fails"))
        // Somewhere else, then back through W.
        h.press(.escape, .char("x"), .char("d"), .char("4"), .char("s"), .char("s"))
        #expect(h.state.filters.isEmpty && h.state.views.isEmpty && h.state.sort == nil)
        h.press(.char("W"))
        assertSnapshot(h.text, named: "open-view-dialog")
        h.press(.enter)
        #expect(h.state.filters == FunnelFilters(platform: "iOS"))
        #expect(h.state.rangePreset == .lastDays(7))
        #expect(h.state.sort == TableSort(column: .fails, descending: true))
        guard case .compare(let compare) = h.state.views.last else { Issue.record("no compare"); return }
        #expect(compare.plan.baseline.filters == FunnelFilters(platform: "Android") && compare.result != nil)
    }

    @Test func openWithAView() throws {
        let view = SavedView(game: "puzzle", range: .wholeHistory, filters: FunnelFilters(platform: "iOS"), compare: .everything(.platform))
        let options = DashboardOptions().opening(view: view, named: "puzzle-ios", path: Self.tempPath())
        let h = Harness(backend: AnalysisViewTests.backend(), options: options)
        #expect(h.state.game == "puzzle" && h.state.filters == FunnelFilters(platform: "iOS"))
        guard case .compare(let compare) = h.state.views.last else { Issue.record("no compare"); return }
        #expect(compare.plan.baseline.filters.isEmpty && compare.result?.levels.isEmpty == false)
        #expect(h.text.contains("Compare · puzzle"))
    }

    @Test func noViewsYet() {
        var h = Harness(options: Self.options(Self.tempPath()))
        h.press(.char("W"))
        #expect(h.text.contains("no saved views yet: w saves the view on screen"))
        var off = Harness()
        off.press(.char("w"))
        #expect(off.state.message?.text == "saved views are off")
    }
}

extension AnalysisViewTests {
    @Test func jumpToALevelInAView() {
        var h = Harness(size: TerminalSize(width: 120, height: 14), backend: Self.backend())
        h.press(.char("S"), .char("/"))
        h.type("10")
        h.press(.enter)
        guard case .spikes(let view) = h.state.views.last else { Issue.record("no spikes"); return }
        #expect(view.ranking[view.grid.row].levelId == 10)
        #expect(view.grid.top <= view.grid.row && view.grid.row < view.grid.top + 7)
        #expect(h.text.contains("level 10 · rank"))
    }
}

extension AnalysisViewTests {
    /// The views on the smallest supported terminal, and the trend in the mono theme.
    @Test func narrowAndMonoScreens() {
        let small = TerminalSize(width: 60, height: 12)
        var spikes = Harness(size: small, backend: Self.backend())
        spikes.press(.char("S"))
        assertSnapshot(spikes.text, named: "spikes-narrow")
        var breakdown = Harness(size: small, backend: Self.backend())
        breakdown.press(.char("B"), .char("v"), .right)
        assertSnapshot(breakdown.text, named: "breakdown-narrow")
        var mono = Harness(backend: Self.backend(), options: DashboardOptions(game: "demo", noColor: true))
        mono.press(.down, .enter)
        assertSnapshot(StyleMap.render(mono.screen, theme: mono.state.theme), named: "trend-mono-attributes")
    }
}

extension AnalysisViewTests {
    /// The previous funnel version needs the game's values: a compare asked for before they arrive waits for them.
    @Test func previousVersionWaitsForTheValues() throws {
        var h = Harness(backend: Self.backend())
        h.press(.char("f"), .down, .enter, .end, .enter)   // live_v1 version 2
        #expect(h.state.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 2))
        h.performEffects = false
        h.state.dimensions = nil
        h.press(.char("C"), .down, .enter)
        #expect(h.state.views.isEmpty && h.state.pendingCompare == .previousFunnelVersion)
        h.performEffects = true
        h.run([.loadDimensions(game: "demo")])
        guard case .compare(let view) = h.state.views.last else { Issue.record("no compare"); return }
        #expect(view.plan.baseline.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 1))
        #expect(view.result != nil)
    }
}

extension AnalysisViewTests {
    /// Issue 17, point 4: a view says the source that answered its queries and whether any of them lacks days.
    @Test func viewsSayTheirPartsCoverageAndSource() throws {
        var backend = Self.backend()
        backend.coverage = Coverage(days: 6, aggregated: 1, missing: 5)
        backend.varyByDay = false
        var h = Harness(size: TerminalSize(width: 220, height: 30), backend: backend, options: DashboardOptions(game: "demo"))
        h.press(.char("p"), .end, .enter)   // iOS
        h.press(.char("C"), .down, .down, .enter)   // against Android
        guard case .compare = h.state.views.last else { Issue.record("no compare view"); return }
        let status = h.text.split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(status.contains("incomplete: baseline (platform=Android) 1 day aggregated + 5 missing (+1 more parts)"), "\(status)")

        var reader = Self.backend()
        reader.access = .readerOnly
        var r = Harness(size: TerminalSize(width: 220, height: 30), backend: reader, options: DashboardOptions(game: "demo"))
        r.press(.char("B"), .enter)   // breakdown by the first dimension
        guard case .breakdown = r.state.views.last else { Issue.record("no breakdown view"); return }
        let readerStatus = r.text.split(separator: "\n").dropLast().last.map(String.init) ?? ""
        #expect(readerStatus.contains("aggregates only (no access to events)"), "\(readerStatus)")
    }
}
