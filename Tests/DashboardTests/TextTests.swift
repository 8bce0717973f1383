import Dashboard
import Testing

@Suite("Display width and formatting")
struct TextTests {
    @Test func displayWidths() {
        #expect("Level".displayWidth == 5)
        #expect("ライブ".displayWidth == 6)
        #expect("日本".displayWidth == 4)
        #expect("e\u{301}".displayWidth == 1)       // e + combining acute: one cell
        #expect("ñandú".displayWidth == 5)
        #expect("—".displayWidth == 1)
        #expect("█▏".displayWidth == 2)
        #expect("👍".displayWidth == 2)
        #expect("a\u{200B}b".displayWidth == 2)    // zero-width space
        #expect("한국어".displayWidth == 6)
    }

    @Test func truncationAndPaddingUseDisplayWidth() {
        #expect("ライブ配信".truncated(toWidth: 6) == "ライ…")
        #expect("ライブ配信".truncated(toWidth: 5) == "ライ…")
        #expect("abc".truncated(toWidth: 3) == "abc")
        #expect("abcd".truncated(toWidth: 3) == "ab…")
        #expect("ライ".padded(toWidth: 6, alignment: .right) == "  ライ")
        #expect("ab".padded(toWidth: 5, alignment: .center) == " ab  ")
    }

    @Test func screenKeepsWideCharactersWhole() {
        var screen = Screen(width: 6, height: 1)
        screen.write("aライブ", x: 0, y: 0, role: .normal)
        #expect(screen.line(0) == "aライ")      // ブ would straddle the edge: left out
        screen.write("x", x: 2, y: 0, role: .normal) // overwrites the right half of ラ
        #expect(screen.line(0) == "a x イ".replacingOccurrences(of: " イ", with: "イ"))
        #expect(screen.runs(inRow: 0).count == 1)
    }

    @Test func numbers() {
        #expect(Format.count(0) == "0")
        #expect(Format.count(999) == "999")
        #expect(Format.count(1000) == "1,000")
        #expect(Format.count(1234567) == "1,234,567")
        #expect(Format.count(-1234) == "-1,234")
        #expect(Format.percent(nil) == "—")
        #expect(Format.percent(12.345) == "12.3")
        #expect(Format.percent(12.35) == "12.4")
        #expect(Format.percent(-0.04) == "0.0")
        #expect(Format.percent(-3.25) == "-3.3")
        #expect(Format.decimal(12345.678, places: 1) == "12,345.7")
        #expect(Format.decimal(.infinity, places: 1) == "—")
        #expect(Format.milliseconds(3.21) == "3.2 ms")
        #expect(Format.milliseconds(1234.4) == "1,234 ms")
        #expect(Format.duration(42) == "42s")
        #expect(Format.duration(185) == "3m 05s")
        #expect(Format.duration(3720) == "1h 02m")
    }

    @Test func columnsFormatByKind() {
        #expect(ColumnID.starts.format(12345) == "12,345")
        #expect(ColumnID.level.format(12345) == "12345")
        #expect(ColumnID.apsRaw.format(1.234) == "1.23")
        #expect(ColumnID.meanFailDuration.format(20.06) == "20.1")
        #expect(ColumnID.funnelRate.format(nil) == "—")
        #expect(ColumnID.allCases.count == 19)
        #expect(ColumnID.allCases.map(\.rawValue).contains("churnCompleteNext"))
    }

    @Test func inlineBarShowsFunnelPercent() {
        var h = Harness()
        for _ in 0..<11 { h.press(.right) } // Funnel %
        h.press(.up)
        let layout = TableLayout(table: h.state.table, firstColumn: h.state.firstColumn, width: 120)
        let funnel = layout.visible.first { $0.column == .funnelRate }!
        let y = TableLayout.bodyTop
        let full = (0..<TableModel.barWidth).map { h.screen[funnel.x + $0, y].text }.joined()
        #expect(full == "████████") // level 1 is 100%
        #expect(h.screen[funnel.x, y].role == .rowCursor) // cursor row
        #expect(h.screen[funnel.x, y + 1].role == .bar)
    }
}
