import Dashboard
import Foundation
import LevelFunnelCore
import Testing

@Suite("Reducer")
struct ReducerTests {
    @Test func startLoadsGamesThenTheRequestedGameWithWholeHistory() {
        let h = Harness()
        #expect(h.effects.prefix(2) == [.loadGames, .loadPermissions])
        #expect(h.state.game == "demo")
        #expect(h.state.range == Fixtures.demo.history)
        #expect(h.state.rangePreset == .wholeHistory)
        #expect(h.state.table.rowCount == 12)
        #expect(h.state.access == .everything)
        #expect(h.state.dimensions == Fixtures.demoChoices)
        #expect(h.state.dataAsOf == .some(Fixtures.asOf))
    }

    @Test func unknownGameFallsBackWithAMessage() {
        let h = Harness(options: DashboardOptions(game: "nope"))
        #expect(h.state.game == "demo") // most events
        #expect(h.state.message?.isError == true)
        #expect(h.state.message?.text.contains("unknown game 'nope'") == true)
    }

    @Test func verticalMovementAndPaging() {
        var h = Harness(size: TerminalSize(width: 120, height: 12)) // 7 body rows
        #expect(h.state.bodyHeight == 7)
        h.press(.char("j"), .down)
        #expect(h.state.rowCursor == 2)
        h.press(.char("G"))
        #expect(h.state.rowCursor == 11)
        #expect(h.state.topRow == 5)
        h.press(.char("g"))
        #expect(h.state.rowCursor == 0 && h.state.topRow == 0)
        h.press(.pageDown)
        #expect(h.state.rowCursor == 7 && h.state.topRow == 5)
        h.press(.pageUp)
        #expect(h.state.rowCursor == 0 && h.state.topRow == 0)
        h.press(.char("k"), .up) // stays at the top
        #expect(h.state.rowCursor == 0)
        h.press(.ctrl("f"))
        #expect(h.state.rowCursor == 7)
    }

    @Test func horizontalMovementKeepsTheCursorColumnVisible() {
        var h = Harness(size: TerminalSize(width: 80, height: 24))
        for _ in 0..<17 { h.press(.right) }
        #expect(h.state.columnCursor == 17)
        let layout = TableLayout(table: h.state.table, firstColumn: h.state.firstColumn, width: 80)
        #expect(layout.visible.contains { $0.index == 17 })
        #expect(layout.moreLeft && !layout.moreRight)
        h.press(.home)
        #expect(h.state.columnCursor == 0 && h.state.firstColumn == 0)
        h.press(.char("$"))
        #expect(h.state.columnCursor == 17)
        h.press(.char("0"))
        #expect(h.state.columnCursor == 0)
        // The Level column is frozen: always drawn whatever the scroll.
        h.press(.end)
        #expect(h.screen.line(3).hasPrefix("     1 │"))
    }

    @Test func sortCyclesDescendingAscendingThenLevelOrder() {
        var h = Harness()
        h.press(.right) // Completes
        h.press(.char("s"))
        #expect(h.state.sort == TableSort(column: .completes, descending: true))
        let descending = (0..<12).map { h.state.table.value(row: $0, column: .completes)! }
        #expect(descending == descending.sorted(by: >))
        h.press(.function(6))
        #expect(h.state.sort == TableSort(column: .completes, descending: false))
        h.press(.char("s"))
        #expect(h.state.sort == nil)
        #expect((0..<12).map { h.state.table.levelId(row: $0) } == Array(1...12))
    }

    @Test func sortPutsUndefinedValuesLastBothWays() {
        var h = Harness()
        for _ in 0..<6 { h.press(.char("l")) } // Churn c→n
        #expect(ColumnID.scrollable[h.state.columnCursor] == .churnCompleteNext)
        h.press(.char("s"))
        #expect(h.state.table.value(row: 11, column: .churnCompleteNext) == nil)
        h.press(.char("s"))
        #expect(h.state.table.value(row: 11, column: .churnCompleteNext) == nil)
    }

    @Test func sortKeepsTheCursorOnTheSameLevel() {
        var h = Harness()
        h.press(.down, .down) // level 3
        h.press(.char("s")) // starts, descending: level 1 first, level 3 third
        #expect(h.state.table.levelId(row: h.state.rowCursor) == 3)
    }

    @Test func everyFilterPaneAppliesItsDimension() {
        var h = Harness()
        h.press(.char("p"), .down, .enter)
        #expect(h.state.filters.platform == "Android")
        h.press(.char("c"), .down, .down, .enter)
        #expect(h.state.filters.country == "MX")
        h.press(.char("v"), .end, .enter)
        #expect(h.state.filters.appVersion == "0.10")
        h.press(.char("f"), .down, .down, .enter) // test_hard: opens its version pane
        guard case .filter(let pane) = h.state.overlay else { Issue.record("version pane not open"); return }
        #expect(pane.dimension == .funnelVersion)
        h.press(.down, .enter)
        #expect(h.state.filters == FunnelFilters(platform: "Android", country: "MX", appVersion: "0.10",
                                                 funnel: "test_hard", funnelVersion: 3))
        #expect(h.state.overlay == .none)
        // The table was reloaded with the filters: the backend halves counts per filter.
        #expect(h.state.result?.query.filters == h.state.filters)
        #expect(h.state.table.value(row: 0, column: .starts) == Double(1300 / 32))
        // One key clears everything.
        h.press(.char("x"))
        #expect(h.state.filters.isEmpty)
        #expect(h.state.table.value(row: 0, column: .starts) == 1300)
    }

    @Test func choosingAnotherFunnelClearsItsVersion() {
        var h = Harness()
        h.press(.char("f"), .down, .enter, .down, .enter) // live_v1 v1
        #expect(h.state.filters.funnelVersion == 1)
        h.press(.char("f"), .down, .space) // test_hard
        #expect(h.state.filters.funnel == "test_hard")
        #expect(h.state.filters.funnelVersion == nil)
    }

    @Test func funnelVersionPaneNeedsAFunnelFirst() {
        var h = Harness()
        h.press(.char("V"))
        guard case .filter(let pane) = h.state.overlay else { Issue.record("no pane"); return }
        #expect(pane.dimension == .funnel)
        #expect(h.state.message?.text.contains("choose a funnel first") == true)
    }

    @Test func panesSwitchWithTabAndLetters() {
        var h = Harness()
        h.press(.function(2))
        guard case .filter(let first) = h.state.overlay else { Issue.record("no pane"); return }
        #expect(first.dimension == .funnel)  // Dimension.allCases order
        h.press(.tab)
        guard case .filter(let second) = h.state.overlay else { Issue.record("no pane"); return }
        #expect(second.dimension == .funnelVersion)
        h.press(.backTab, .backTab)
        guard case .filter(let third) = h.state.overlay else { Issue.record("no pane"); return }
        #expect(third.dimension == .appVersion)
        h.press(.char("v"))
        guard case .filter(let fourth) = h.state.overlay else { Issue.record("no pane"); return }
        #expect(fourth.dimension == .appVersion)
        h.press(.escape)
        #expect(h.state.overlay == .none)
    }

    @Test func datePresetsAndCustomRange() {
        var h = Harness()
        h.press(.char("d"), .char("1"))
        #expect(h.state.range == (try! DayRange(from: Day(iso: "2024-03-25")!, to: Day(iso: "2024-03-31")!)))
        #expect(h.state.rangePreset == .lastDays(7))
        #expect(h.state.result?.query.range.dayCount == 7)
        h.press(.function(4), .down, .enter) // from 7 days to 30 days
        #expect(h.state.range?.dayCount == 30)
        h.press(.char("d"), .char("3"))
        #expect(h.state.range?.dayCount == 90)
        h.press(.char("d"), .char("4"))
        #expect(h.state.range == Fixtures.demo.history)

        // Custom: bad dates are refused and the dialog stays open.
        h.press(.char("d"), .char("5"))
        h.press(.ctrl("u"))
        h.type("2024-13-01")
        h.press(.enter)
        guard case .dateRange(let picker) = h.state.overlay else { Issue.record("dialog closed"); return }
        #expect(picker.custom?.error?.contains("not a date") == true)
        h.press(.ctrl("u"))
        h.type("2024-02-10")
        h.press(.tab, .ctrl("u"))
        h.type("2024-02-01")
        h.press(.enter)
        guard case .dateRange(let picker2) = h.state.overlay else { Issue.record("dialog closed"); return }
        #expect(picker2.custom?.error == "from 2024-02-10 is after to 2024-02-01")
        h.press(.ctrl("u"))
        h.type("2024-02-20")
        h.press(.enter)
        #expect(h.state.overlay == .none)
        #expect(h.state.range == (try! DayRange(from: Day(iso: "2024-02-10")!, to: Day(iso: "2024-02-20")!)))
        #expect(h.state.rangePreset == .custom)
    }

    @Test func gameSelectorSwitchesGameAndResetsSelection() {
        var h = Harness()
        h.press(.char("p"), .down, .enter)
        h.press(.char("o"), .down, .enter)
        #expect(h.state.game == "puzzle")
        #expect(h.state.filters.isEmpty)
        #expect(h.state.range == Fixtures.puzzle.history)
        #expect((0..<3).map { h.state.table.levelId(row: $0) } == [10, 20, 30])
    }

    @Test func levelSearchJumpsToTheLevelOrTheNextOne() {
        var h = Harness(size: TerminalSize(width: 120, height: 12))
        h.press(.char("/"))
        h.type("11")
        h.press(.enter)
        #expect(h.state.table.levelId(row: h.state.rowCursor) == 11)
        #expect(h.state.topRow > 0)
        h.press(.function(3))
        h.type("99")
        h.press(.enter)
        #expect(h.state.message?.isError == true)
        #expect(h.state.table.levelId(row: h.state.rowCursor) == 11)
    }

    @Test func rawToggleRunsOnTheRawPathAndBack() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("r"))
        #expect(h.state.source == .raw)
        guard case .loadFunnel(_, .raw, let request) = h.effects.last else { Issue.record("no raw load"); return }
        #expect(h.state.isRawRunning)
        // Esc cancels the running raw query...
        h.press(.escape)
        #expect(h.effects.last == .cancelSlowWork)
        // ...and its cancelled answer puts the view back on the fast path without a reload.
        h.send(.backend(.funnel(request: request, .failure(BackendFailure(message: "cancelled", cancelled: true)))))
        #expect(h.state.source == .fast)
        #expect(h.state.pending == nil)
        #expect(h.state.result?.source == .fast)

        // A raw answer replaces the table and the status shows the source.
        h.performEffects = true
        h.press(.char("r"))
        #expect(h.state.result?.source == .raw)
        #expect(h.screen.line(28).contains("RAW"))
        #expect(h.screen.line(28).contains("live data (raw path)"))
        h.press(.char("r"))
        #expect(h.state.result?.source == .fast)
    }

    @Test func staleAnswersAreIgnored() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("d"), .char("1"))
        guard case .loadFunnel(_, _, let first) = h.effects.last else { Issue.record("no load"); return }
        h.press(.char("d"), .char("2"))
        guard case .loadFunnel(let query, _, let second) = h.effects.last else { Issue.record("no load"); return }
        #expect(first != second)
        let old = FunnelResult(query: FunnelQuery(game: "demo", range: h.state.range!), source: .fast, queryMs: 1, levels: [])
        h.send(.backend(.funnel(request: first, .success(old))))
        #expect(h.state.table.rowCount == 12) // still the previous table
        #expect(h.state.pending?.request == second)
        let fresh = try! h.backend.funnel(query, source: .fast)
        h.send(.backend(.funnel(request: second, .success(fresh))))
        #expect(h.state.pending == nil)
        #expect(h.state.result?.query.range.dayCount == 30)
    }

    @Test func aNewRawQueryCancelsTheRunningOne() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("r"))
        h.press(.char("p"), .down, .enter)
        let tail = Array(h.effects.suffix(2))
        #expect(tail.first == .cancelSlowWork)
        guard case .loadFunnel(let q, .raw, _) = tail.last else { Issue.record("no raw load: \(tail)"); return }
        #expect(q.filters.platform == "Android")
    }

    @Test func errorsGoToTheStatusLineAndClearOnSuccess() {
        var h = Harness(backend: Fixtures.backend(funnelError: "boom"))
        #expect(h.state.lastError == "boom")
        #expect(h.screen.line(29).contains("error: boom"))
        h.backend.funnelError = nil
        h.press(.function(5))
        #expect(h.state.lastError == nil)
        #expect(h.state.table.rowCount == 12)
    }

    @Test func themesCycleLiveAndReportBrokenLines() {
        var broken = BuiltinThemes.defaultTheme
        broken.name = "broken"
        broken.diagnostics = [ThemeDiagnostic(line: 3, message: "unknown colour 'purpel'")]
        var h = Harness(themes: [BuiltinThemes.defaultTheme, broken, BuiltinThemes.mono])
        h.press(.char("t"))
        #expect(h.state.theme.name == "broken")
        #expect(h.state.message == StatusMessage("theme broken: line 3: unknown colour 'purpel'", isError: true))
        h.press(.function(9))
        #expect(h.state.theme.name == "mono")
        h.press(.char("T"), .char("T"))
        #expect(h.state.theme.name == "default")
    }

    @Test func themeOptionAndNoColor() {
        let chosen = Harness(options: DashboardOptions(game: "demo", themeName: "Solarized"))
        #expect(chosen.state.theme.name == "solarized")
        let unknown = Harness(options: DashboardOptions(game: "demo", themeName: "nope"))
        #expect(unknown.state.theme.name == "default")
        #expect(unknown.state.message?.isError == true)
        var noColor = Harness(options: DashboardOptions(game: "demo", themeName: "dark", noColor: true))
        #expect(noColor.state.themes.map(\.name) == ["mono"])
        noColor.press(.char("t"))
        #expect(noColor.state.theme.name == "mono")
        #expect(noColor.state.message?.text.contains("NO_COLOR") == true)
    }

    @Test func adminWithoutWritePermissionDisablesWritingItems() {
        var h = Harness(backend: Fixtures.backend(access: AccessRights(canReadEvents: true, canWriteAggregates: false)))
        h.press(.char("a"), .char("b"))
        #expect(h.state.overlay == .admin(AdminMenuState(cursor: 0)))
        #expect(h.state.message?.text == "backfill needs read access to events and write access to the aggregates: ask for levelfunnel_writer")
        h.press(.char("r"))
        #expect(!h.effects.contains(.refresh(game: nil)))
        // Read-only items still work.
        h.press(.char("s"))
        guard case .aggregationStatus(let view) = h.state.overlay else { Issue.record("no status view"); return }
        #expect(view.rows?.count == 2)
    }

    /// A reader (no access to events): the raw toggle, verify, backfill and refresh are refused with the one-line
    /// reason and no effect; the fast view, the status view and the filters go on working.
    @Test func aReaderIsToldWhatNeedsEvents() {
        var h = Harness(backend: Fixtures.backend(access: .readerOnly))
        #expect(h.state.result?.source == .aggregates)
        #expect(h.state.resultMatchesRequest)
        h.effects = []
        h.press(.char("r"))
        #expect(h.state.source == .fast)
        #expect(h.state.message?.text == "the raw path needs read access to events: ask for levelfunnel_writer")
        #expect(h.effects.isEmpty)
        h.press(.char("a"), .char("v"))
        #expect(h.state.message?.text == "verify needs read access to events: ask for levelfunnel_writer")
        h.press(.char("b"))
        #expect(h.state.message?.text.hasPrefix("backfill needs read access to events") == true)
        h.press(.char("r"))
        #expect(h.state.message?.text.hasPrefix("refresh needs read access to events") == true)
        #expect(h.effects.isEmpty)
        h.press(.char("s"))
        guard case .aggregationStatus(let view) = h.state.overlay else { Issue.record("no status view"); return }
        #expect(view.rows?.count == 2)
    }

    @Test func backfillFlowFromAdminMenu() {
        var h = Harness()
        h.press(.function(8), .down, .up, .enter) // Backfill…
        guard case .backfillSetup = h.state.overlay else { Issue.record("no setup"); return }
        h.press(.right) // puzzle
        h.press(.char("4")) // whole history
        guard case .backfillConfirm(let confirm) = h.state.overlay else { Issue.record("no confirm"); return }
        #expect(confirm.game == "puzzle" && confirm.range == Fixtures.puzzle.history)
        h.press(.char("y"))
        guard case .backfillProgress(let progress) = h.state.overlay else { Issue.record("no progress"); return }
        #expect(progress.outcome?.daysDone == Fixtures.puzzle.history.dayCount)
        #expect(progress.progress?.daysDone == progress.progress?.daysTotal)
        h.press(.enter)
        #expect(h.state.overlay == .none)
    }

    @Test func backfillCanBeCancelled() {
        var h = Harness()
        h.performEffects = false
        h.press(.char("a"), .char("b"), .enter, .char("y"))
        guard case .backfill(_, _, let job) = h.effects.last else { Issue.record("no backfill"); return }
        h.press(.escape)
        #expect(h.effects.last == .cancelSlowWork)
        guard case .backfillProgress(let progress) = h.state.overlay else { Issue.record("no progress"); return }
        #expect(progress.cancelling)
        h.send(.backend(.backfillFinished(job: job, .failure(BackendFailure(message: "cancelled", cancelled: true)))))
        guard case .backfillProgress(let done) = h.state.overlay else { Issue.record("no progress"); return }
        #expect(done.error?.hasPrefix("cancelled after 0 of 91 days") == true)
    }

    @Test func confirmationCanBeDeclined() {
        var h = Harness()
        h.press(.char("a"), .char("b"), .enter, .char("n"))
        guard case .backfillSetup = h.state.overlay else { Issue.record("not back at setup"); return }
        #expect(!h.effects.contains { if case .backfill = $0 { return true } else { return false } })
    }

    @Test func refreshAndVerifyFromAdminMenu() {
        var h = Harness()
        h.press(.char("a"), .char("r"))
        #expect(h.effects.contains(.refresh(game: nil)))
        #expect(h.state.message == StatusMessage("refreshed: 0 stale days"))
        h.press(.char("v"))
        guard case .verify(let view) = h.state.overlay else { Issue.record("no verify view"); return }
        #expect(view.outcome?.differences.isEmpty == true)
        #expect(h.text.contains("✓ fast and raw agree on all 12 levels"))
    }

    @Test func exportWritesTheViewAndShowsThePath() throws {
        var h = Harness()
        h.press(.char("p"), .char("G"), .enter) // iOS
        h.press(.char("e"))
        let text = try #require(h.state.message?.text)
        #expect(text.hasPrefix("exported 12 levels to \(h.exportDirectory)/levelfunnel-demo-2024-01-01_2024-03-31-"))
        let path = String(text.dropFirst("exported 12 levels to ".count))
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        #expect(csv.contains("# filters: platform=iOS\n"))
        #expect(csv.contains("# range: 2024-01-01..2024-03-31 (whole history, 91 days)\n"))
        try? FileManager.default.removeItem(atPath: h.exportDirectory)
    }

    @Test func resizeClampsAndTooSmallOnlyQuits() {
        var h = Harness()
        h.press(.char("G"))
        h.send(.resize(TerminalSize(width: 40, height: 8)))
        h.press(.char("j"), .char("?"))
        #expect(h.state.overlay == .none)
        h.send(.resize(TerminalSize(width: 100, height: 12)))
        #expect(h.state.topRow + h.state.bodyHeight > h.state.rowCursor)
        h.send(.resize(TerminalSize(width: 40, height: 8)))
        h.press(.char("q"))
        #expect(h.state.shouldQuit)
    }

    @Test func mouseWheelScrollsAndHeaderClickSorts() {
        var h = Harness()
        h.press(.mouse(MouseEvent(kind: .wheelDown, x: 10, y: 10)))
        #expect(h.state.rowCursor == 3)
        // Header click on "Fails" (second header line).
        let layout = TableLayout(table: h.state.table, firstColumn: 0, width: 120)
        let fails = try! #require(layout.visible.first { $0.column == .fails })
        h.press(.mouse(MouseEvent(kind: .click, x: fails.x + 1, y: 2)))
        #expect(h.state.sort == TableSort(column: .fails, descending: true))
        h.press(.mouse(MouseEvent(kind: .click, x: 3, y: TableLayout.bodyTop + 5)))
        #expect(h.state.rowCursor == 5)
        // --no-mouse ignores all of it.
        var off = Harness(options: DashboardOptions(game: "demo", mouse: false))
        off.press(.mouse(MouseEvent(kind: .wheelDown, x: 10, y: 10)))
        #expect(off.state.rowCursor == 0)
    }

    @Test func quitKeys() {
        var a = Harness()
        a.press(.char("q"))
        #expect(a.state.shouldQuit)
        var b = Harness()
        b.press(.function(10))
        #expect(b.state.shouldQuit)
        var c = Harness()
        c.press(.char("?"), .char("q")) // q closes help first
        #expect(!c.state.shouldQuit)
    }
}
