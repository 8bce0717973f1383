import Dashboard
import Foundation
import LevelFunnelCore
import Testing

/// ASCII mode (a locale that is not UTF-8, or `--ascii`): the glyph table, the transliterated
/// screens, names the locale cannot show, and the snapshots of the main screens.
@Suite("Glyphs and ASCII mode")
struct GlyphTests {
    static let ascii = DashboardOptions(game: "demo", glyphs: .ascii)

    @Test func everyStandInIsOnePrintableASCIIColumnLikeItsGlyph() {
        for glyph in Glyphs.table {
            #expect(DisplayWidth.of(glyph.utf8) == 1, "\(glyph.utf8)")
            #expect(DisplayWidth.of(glyph.ascii) == 1, "\(glyph.utf8) → \(glyph.ascii)")
            #expect(glyph.ascii.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, "\(glyph.utf8)")
            #expect(!glyph.utf8.isASCII, "\(glyph.utf8) needs no stand-in")
        }
        #expect(Set(Glyphs.table.map(\.utf8)).count == Glyphs.table.count, "each glyph once")
        #expect(Set(Glyphs.table.compactMap(\.line)) == Set(LineGlyph.allCases))
    }

    /// A glyph added to the renderer without an ASCII form would show as `?`: every non-ASCII
    /// character in the dashboard's code (comments aside) must be in the table.
    @Test func everyGlyphTheDashboardWritesIsInTheTable() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("Sources/Dashboard")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 20)
        for file in files {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in source.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                let code = line.components(separatedBy: " // ").first ?? String(line)
                for c in code where !c.isASCII && Glyphs.glyph(for: c) == nil {
                    Issue.record("\(file): '\(c)' has no ASCII form in Glyphs.table: \(line)")
                }
            }
        }
    }

    @Test func asciiScreensKeepTheLayoutOfUTF8Screens() {
        var utf8 = Harness()
        var ascii = Harness(options: Self.ascii)
        for keys in [[Key](), [.char("p")], [.escape, .char("?")], [.escape, .char("f"), .end], [.escape, .char("a")]] {
            for key in keys { utf8.press(key); ascii.press(key) }
            let u = utf8.screen, a = ascii.screen
            for y in 0..<a.height {
                for x in 0..<a.width {
                    let cell = a[x, y]
                    #expect(!cell.isContinuation && cell.text.count == 1 && cell.text.first!.isASCII,
                            "(\(x), \(y)) '\(cell.text)' after \(keys)")
                    #expect(cell.role == u[x, y].role)
                    // The same cells hold lines; a wide character's columns each get a mark.
                    if let line = cell.line {
                        #expect(Glyphs.glyph(for: Character(u[x, y].text))?.line == line)
                    } else if u[x, y].text.count == 1, let glyph = Glyphs.glyph(for: Character(u[x, y].text)) {
                        #expect(cell.text == String(glyph.ascii))
                    } else if !u[x, y].text.allSatisfy(\.isASCII) || u[x, y].isContinuation {
                        #expect(cell.text == "?")
                    } else {
                        #expect(cell.text == u[x, y].text)
                    }
                }
            }
        }
    }

    @Test func unicodeModeLeavesTheScreenAsDrawn() {
        let h = Harness()
        #expect(Glyphs.unicode.apply(to: h.screen) == h.screen)
        #expect(h.screen.text.contains("│") && !h.screen.cells.contains { $0.line != nil })
    }

    /// `ñandú "q"` and `ライブ` under LANG=C: one `?` per column, the pane's border where it belongs.
    @Test func namesTheLocaleCannotShowAreMarkedWithoutMovingColumns() {
        var choices = Fixtures.demoChoices
        choices.values[.funnel] = ["live_v1", "ñandú \"q\"", "ライブ"]
        let backend = InMemoryBackend(games: [Fixtures.demo], dimensions: ["demo": choices],
                                      counts: ["demo": Fixtures.demoCounts], asOf: Fixtures.asOf, queryMs: 3.2)
        var h = Harness(backend: backend, options: Self.ascii)
        h.press(.char("f"), .down, .down, .space) // All, live_v1, ñandú "q"
        #expect(h.state.filters.funnel == "ñandú \"q\"")
        let lines = h.text.components(separatedBy: "\n")
        #expect(lines.contains { $0.contains("| * ?and? \"q\"    ") })
        #expect(lines.contains { $0.contains("| o ??????    ") })
        #expect(h.text.contains("funnel=?and? \"q\""))
        // The pane's right border: one column on every row of the pane (ASCII only, so characters are columns).
        for line in lines[2...10] {
            let border = line.dropFirst(46).first
            #expect(border == "|" || border == "+", "\(line)")
        }
        assertSnapshot(h.text, named: "ascii-filter-funnel-names")
    }

    @Test func funnelBarRoundsToWholeHashes() {
        var h = Harness(options: Self.ascii)
        for _ in 0..<11 { h.press(.right) } // Funnel %
        let layout = TableLayout(table: h.state.table, firstColumn: h.state.firstColumn, width: 120)
        let funnel = layout.visible.first { $0.column == .funnelRate }!
        var checked = 0
        for row in 0..<h.state.bodyHeight where row < h.state.table.rowCount {
            guard let percent = h.state.table.value(row: row, column: .funnelRate) else { continue }
            let y = TableLayout.bodyTop + row
            let bar = (0..<TableModel.barWidth).map { h.screen[funnel.x + $0, y].text }.joined()
            // Rounded to eighths as in UTF-8, then a partial cell of half or more is a whole `#`.
            let eighths = Int((percent / 100 * Double(TableModel.barWidth * 8)).rounded())
            let hashes = (eighths + 4) / 8
            #expect(bar == String(repeating: "#", count: hashes) + String(repeating: " ", count: TableModel.barWidth - hashes),
                    "row \(row): \(percent)% drawn as '\(bar)'")
            checked += 1
        }
        #expect(checked >= 10)
    }

    // MARK: Snapshots

    @Test func defaultView() {
        let h = Harness(options: Self.ascii)
        assertSnapshot(h.text, named: "ascii-default-view")
        #expect(h.text.contains("demo | 2024-01-01 > 2024-03-31 (whole history) | no filters | fast | 3.2 ms | data as of 2024-03-31 12:05 UTC"))
    }

    @Test func filterPane() {
        var h = Harness(options: Self.ascii)
        h.press(.char("p"))
        assertSnapshot(h.text, named: "ascii-filter-platform-pane")
    }

    @Test func backfillProgress() {
        var h = Harness(options: Self.ascii)
        h.performEffects = false
        h.press(.char("a"), .char("b"), .char("1"), .char("y"))
        guard case .backfill(_, _, let job) = h.effects.last else {
            Issue.record("no backfill effect: \(h.effects)")
            return
        }
        h.send(.backend(.backfillProgress(job: job, BackfillProgress(
            game: "demo", day: Day(iso: "2024-03-28")!, daysDone: 3, daysTotal: 7, events: 45_000,
            eventsPerSecond: 15_000, elapsedSeconds: 3, etaSeconds: 4))))
        assertSnapshot(h.text, named: "ascii-backfill-progress")
    }

    @Test func help() {
        var h = Harness(options: Self.ascii)
        h.press(.char("?"))
        assertSnapshot(h.text, named: "ascii-help")
    }

    @Test func sortedAndScrolled() {
        var h = Harness(options: Self.ascii)
        for _ in 0..<8 { h.press(.right) }
        h.press(.char("s"))
        assertSnapshot(h.text, named: "ascii-sorted-scrolled")
    }
}
