import Dashboard
import LevelFunnelCore
import Testing

/// Rendered screens as text, compared with Snapshots/*.txt (re-record with RECORD_SNAPSHOTS=1).
@Suite("Screen snapshots")
struct SnapshotTests {
    @Test func defaultView() {
        let h = Harness()
        assertSnapshot(h.text, named: "default-view")
        #expect(h.text.contains("demo │ 2024-01-01 → 2024-03-31 (whole history) │ no filters │ fast │ 3.2 ms │ data as of 2024-03-31 12:05 UTC"))
    }

    @Test func platformFilter() {
        var h = Harness()
        h.press(.char("p"))
        assertSnapshot(h.text, named: "filter-platform-pane")
        h.press(.down, .down, .down, .enter) // All, Android, WebGL, iOS
        #expect(h.state.filters == FunnelFilters(platform: "iOS"))
        assertSnapshot(h.text, named: "filter-platform-applied")
    }

    @Test func countryFilter() {
        var h = Harness()
        h.press(.char("c"), .end, .enter)
        #expect(h.state.filters == FunnelFilters(country: "US"))
        assertSnapshot(h.text, named: "filter-country-applied")
    }

    @Test func appVersionFilter() {
        var h = Harness()
        h.press(.char("v"), .down, .down, .space)
        #expect(h.state.filters == FunnelFilters(appVersion: "0.2"))
        assertSnapshot(h.text, named: "filter-app-version-pane-after-space")
        h.press(.escape)
        assertSnapshot(h.text, named: "filter-app-version-applied")
    }

    @Test func funnelThenVersionFilter() {
        var h = Harness()
        h.press(.char("f"), .down, .enter) // live_v1, then the version pane opens
        assertSnapshot(h.text, named: "filter-funnel-version-pane")
        h.press(.down, .down, .enter) // version 2
        #expect(h.state.filters == FunnelFilters(funnel: "live_v1", funnelVersion: 2))
        assertSnapshot(h.text, named: "filter-funnel-and-version-applied")
    }

    @Test func funnelPaneWithWideCharacters() {
        var h = Harness()
        h.press(.char("f"), .end, .space)
        #expect(h.state.filters.funnel == "ライブ")
        assertSnapshot(h.text, named: "filter-funnel-wide-characters")
    }

    @Test func sortedByChurnDescending() {
        var h = Harness()
        h.press(.end) // last column
        for _ in 0..<10 { h.press(.left) } // to Churn total % (index 8 of 18)
        #expect(ColumnID.scrollable[h.state.columnCursor] == .churnTotal)
        h.press(.char("s"))
        assertSnapshot(h.text, named: "sort-churn-total-descending")
        h.press(.char("s"))
        assertSnapshot(h.text, named: "sort-churn-total-ascending")
    }

    @Test func horizontalScroll() {
        var h = Harness()
        for _ in 0..<12 { h.press(.char("l")) }
        #expect(h.state.firstColumn > 0)
        assertSnapshot(h.text, named: "horizontal-scroll")
        h.press(.end)
        assertSnapshot(h.text, named: "horizontal-scroll-end")
    }

    @Test func help() {
        var h = Harness()
        h.press(.char("?"))
        assertSnapshot(h.text, named: "help")
        h.press(.pageDown)
        assertSnapshot(h.text, named: "help-scrolled")
    }

    @Test func tooSmallTerminal() {
        var h = Harness()
        h.send(.resize(TerminalSize(width: 50, height: 10)))
        assertSnapshot(h.text, named: "too-small")
        h.send(.resize(TerminalSize(width: 120, height: 30)))
        assertSnapshot(h.text, named: "default-view")
    }

    @Test func emptyGame() {
        let h = Harness(backend: Fixtures.backend(emptyDemo: true))
        assertSnapshot(h.text, named: "empty-game")
    }

    @Test func noGames() {
        let backend = InMemoryBackend(games: [], counts: [:])
        let h = Harness(backend: backend, options: DashboardOptions())
        assertSnapshot(h.text, named: "no-games")
    }

    /// After a failed query the table still shows the previous numbers: the status bar names the selection
    /// they answer (not the one asked for) and says so; the CSV export describes the same selection.
    @Test func failedQueryKeepsTheOldNumbersLabelledAsSuch() throws {
        var h = Harness()
        let before = h.state.table
        h.backend.funnelError = "canceling statement due to statement timeout"
        h.press(.char("p"), .down, .enter) // Android
        #expect(h.state.filters == FunnelFilters(platform: "Android"))
        #expect(h.state.table == before && !h.state.resultMatchesRequest)
        assertSnapshot(h.text, named: "failed-query-old-numbers")
        let status = h.text.components(separatedBy: "\n")[h.state.size.height - 2]
        #expect(status.contains("demo │ 2024-01-01 → 2024-03-31 (whole history) │ no filters │ fast │ not the view asked for"))
        #expect(!status.contains("platform=Android"))
        let csv = try #require(CSVExport.render(h.state))
        #expect(csv.contains("# filters: none\n"))
        // Once the query succeeds, screen and request agree again.
        h.backend.funnelError = nil
        h.press(.function(5))
        #expect(h.state.resultMatchesRequest)
        #expect(h.text.contains("demo │ 2024-01-01 → 2024-03-31 (whole history) │ platform=Android │ fast │ 3.2 ms"))
    }

    /// Days computed from the events, or missing, are said in the status bar.
    @Test func coverageInTheStatusBar() {
        var backend = Fixtures.backend()
        backend.coverage = Coverage(days: 91, aggregated: 89, live: 2, firstLive: Day(iso: "2024-03-30"),
                                    lastLive: Day(iso: "2024-03-31"), includesToday: true)
        let h = Harness(size: TerminalSize(width: 180, height: 20), backend: backend)
        assertSnapshot(h.text, named: "coverage-live-days")
        #expect(h.text.contains("│ 3.2 ms │ 89 days aggregated + 2 live, today is partial │"))
        backend.coverage = Coverage(days: 91, aggregated: 80, missing: 11)
        #expect(Harness(size: TerminalSize(width: 180, height: 20), backend: backend).text
            .contains("│ 80 days aggregated + 11 missing │"))
    }

    @Test func errorInStatusBar() {
        let h = Harness(backend: Fixtures.backend(funnelError: "database error: connection to server lost"))
        assertSnapshot(h.text, named: "error-status-bar")
    }

    @Test func monoTheme() {
        let h = Harness(options: DashboardOptions(game: "demo", noColor: true))
        #expect(h.state.theme.name == "mono")
        #expect(h.state.theme.isMonochrome)
        // Same text as the coloured default view; styles come from attributes only.
        assertSnapshot(h.text, named: "default-view")
        assertSnapshot(StyleMap.render(h.screen, theme: h.state.theme), named: "mono-theme-attributes")
    }

    @Test func dateRangeDialog() {
        var h = Harness()
        h.press(.char("d"))
        assertSnapshot(h.text, named: "date-range-dialog")
        h.press(.char("5"), .ctrl("u"))
        h.type("2024-02-30")
        h.press(.enter)
        assertSnapshot(h.text, named: "date-range-custom-error")
    }

    @Test func gameSelector() {
        var h = Harness()
        h.press(.char("o"))
        assertSnapshot(h.text, named: "game-selector")
    }

    @Test func adminMenuReadOnly() {
        var h = Harness(backend: Fixtures.backend(access: AccessRights(canReadEvents: true, canWriteAggregates: false)))
        h.press(.char("a"))
        assertSnapshot(h.text, named: "admin-read-only")
    }

    /// A role that reads the aggregates only: every item that needs events is disabled, and the menu says why.
    @Test func adminMenuForAReader() {
        var h = Harness(backend: Fixtures.backend(access: .readerOnly))
        h.press(.char("a"), .char("v"))
        assertSnapshot(h.text, named: "admin-reader")
    }

    @Test func backfillProgressAndSummary() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("a"), .char("b"), .char("1"), .char("y"))
        guard case .backfill(let game, let range, let job) = h.effects.last else {
            Issue.record("no backfill effect: \(h.effects)")
            return
        }
        #expect(game == "demo" && range.dayCount == 7)
        h.send(.backend(.backfillProgress(job: job, BackfillProgress(
            game: "demo", day: Day(iso: "2024-03-28")!, daysDone: 3, daysTotal: 7, events: 45_000,
            eventsPerSecond: 15_000, elapsedSeconds: 3, etaSeconds: 4))))
        assertSnapshot(h.text, named: "backfill-progress")
        h.send(.backend(.backfillFinished(job: job, .success(BackfillSummary(game: "demo", range: range, daysDone: 7,
                                                                            events: 105_000, rowsWritten: 0, rowsRemoved: 0,
                                                                            seconds: 7.2, cancelled: false)))))
        assertSnapshot(h.text, named: "backfill-done")
    }

    @Test func verifyWithDifferences() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("a"), .char("v"))
        let query = h.state.query!
        h.send(.backend(.verified(.success(VerifyReport(query: query, fastMs: 3.2, rawMs: 812, levelsCompared: 12, differences: [
            FieldDifference(levelId: 3, field: "startedPlayers", fast: "880", raw: "881"),
            FieldDifference(levelId: 3, field: "churnStartComplete", fast: "18.181818", raw: "18.274688"),
        ])))))
        assertSnapshot(h.text, named: "verify-differences")
    }

    @Test func aggregationStatus() {
        var h = Harness()
        h.press(.char("a"), .char("s"))
        assertSnapshot(h.text, named: "aggregation-status")
    }

    @Test func rawPathRunning() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("r"))
        assertSnapshot(h.text, named: "raw-running")
    }

    @Test func levelSearchPrompt() {
        var h = Harness()
        h.press(.char("/"))
        h.type("9")
        assertSnapshot(h.text, named: "level-search")
        h.press(.enter)
        #expect(h.state.table.levelId(row: h.state.rowCursor) == 9)
    }

    @Test func smallestSupportedSize() {
        var h = Harness(size: TableLayout.minimumSize)
        assertSnapshot(h.text, named: "minimum-size")
        h.press(.char("?"))
        assertSnapshot(h.text, named: "minimum-size-help")
    }
}

/// A text picture of styles: one letter per cell for the attributes of its role, to check that a
/// theme (here mono) keeps the cursor, headers and churn severity visible without colour.
enum StyleMap {
    static func render(_ screen: Screen, theme: Theme) -> String {
        (0..<screen.height).map { y in
            var line = ""
            for x in 0..<screen.width {
                let a = theme.style(screen[x, y].role).attributes
                line += a.contains(.reverse) ? "R" : a.contains(.bold) && a.contains(.underline) ? "B" :
                    a.contains(.bold) ? "b" : a.contains(.underline) ? "u" : a.contains(.dim) ? "d" : "."
            }
            return line
        }.joined(separator: "\n")
    }
}
