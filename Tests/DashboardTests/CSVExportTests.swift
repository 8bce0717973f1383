import Dashboard
import LevelFunnelCore
import Testing

@Suite("CSV export")
struct CSVExportTests {
    @Test func headerCommentsThenContractColumnsInViewOrder() throws {
        var h = Harness()
        h.press(.char("c"), .char("G"), .enter) // country US
        h.press(.right, .char("s"))             // sort by completes, descending
        let csv = try #require(CSVExport.render(h.state))
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(7)) == [
            "# levelfunnel export",
            "# game: demo",
            "# range: 2024-01-01..2024-03-31 (whole history, 91 days)",
            "# filters: country=US",
            "# source: fast",
            "# sort: completes descending",
            "levelId," + MetricFields.names.joined(separator: ","),
        ])
        #expect(lines.count == 7 + 12 + 1) // rows and the final newline
        #expect(lines[7].hasPrefix("1,650,485,165,500,475,"))
        // Undefined values are empty fields: level 12 has no next level and no fails.
        let last = lines.first { $0.hasPrefix("12,") }!
        let fields = last.split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields.count == 1 + MetricFields.all.count)
        let empty = ["churnCompleteNext", "churnTotal", "egpRate", "meanFailDuration"].map { 1 + MetricFields.names.firstIndex(of: $0)! }
        #expect(empty.allSatisfy { fields[$0] == "" })
        // One writer: the same text as `levelfunnel query --format csv` for these levels, in the order shown.
        let shown = h.state.table.order.map { h.state.result!.levels[$0] }
        #expect(lines.dropFirst(6).joined(separator: "\n") == FunnelFormatter.csv(shown))
    }

    @Test func nothingToExportBeforeAResult() {
        var h = Harness(backend: Fixtures.backend(funnelError: "down"))
        #expect(CSVExport.render(h.state) == nil)
        h.press(.char("e"))
        #expect(h.state.message?.isError == true)
    }

    @Test func fileNamesAreSafe() {
        var h = Harness()
        h.state.game = "a/b c"
        #expect(CSVExport.fileName(h.state) == "levelfunnel-a_b_c-2024-01-01_2024-03-31")
    }
}
