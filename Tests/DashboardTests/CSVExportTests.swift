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
            "levelId,starts,completes,fails,startedPlayers,completedPlayers,churnStartComplete,churnCompleteNext,churnTotal,"
                + "winRate,completionRate,failRate,funnelRate,boosterUsage,egpRate,apsRaw,apsClean,meanCompletionDuration,meanFailDuration",
        ])
        #expect(lines.count == 7 + 12 + 1) // rows and the final newline
        #expect(lines[7].hasPrefix("1,650,485,165,500,475,5,"))
        // Undefined values are empty fields: level 12 has no next level and no fails.
        let last = lines.first { $0.hasPrefix("12,") }!
        let fields = last.split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields.count == 19)
        #expect(fields[7] == "" && fields[8] == "" && fields[14] == "" && fields[18] == "")
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
