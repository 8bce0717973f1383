import Dashboard
import LevelFunnelCore
import Testing

/// Text from the database and dates typed in the dashboard (issue 17): shown safely, checked like the CLI.
@Suite struct DashboardInputTests {
    /// A line break, a tab or an escape sequence in a dimension value is shown as `\n`, `\t`, `\u001B` and the
    /// pane keeps its right border on every row (raw, a line feed made the terminal clear the rest of the row and
    /// hid the text after it).
    @Test func controlCharactersInValuesAreShownAsEscapes() throws {
        var choices = Fixtures.demoChoices
        choices.values[.platform] = ["Android", "iOS\nbeta", "Web\tGL", "x\u{1B}[31mred"]
        let backend = InMemoryBackend(games: [Fixtures.demo], dimensions: ["demo": choices],
                                      counts: ["demo": Fixtures.demoCounts], asOf: Fixtures.asOf, queryMs: 3.2)
        var h = Harness(backend: backend)
        h.press(.char("p"), .down, .down, .space) // All, Android, iOS\nbeta
        #expect(h.state.filters.platform == "iOS\nbeta")
        // No cell holds a control character: the terminal is given none.
        #expect(!h.screen.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) } })
        let lines = h.text.components(separatedBy: "\n")
        #expect(lines.count == 30)
        #expect(lines.contains { $0.hasPrefix(" │ ● iOS\\nbeta        ") })
        #expect(lines.contains { $0.hasPrefix(" │ ○ Web\\tGL          ") })
        #expect(lines.contains { $0.hasPrefix(" │ ○ x\\u001B[31mred    ") })
        #expect(h.text.contains("│ platform=iOS\\nbeta │"))
        // The right border: the column of the pane's top-right corner, on every row down to its bottom edge.
        let top = try #require(lines.firstIndex { $0.contains("┌─ Filter · Platform") })
        let corner = try #require(Array(lines[top]).firstIndex(of: "┐"))
        let bottom = try #require(lines.firstIndex { $0.contains("Space pick") })
        for line in lines[(top + 1)...bottom] {
            let border = Array(line)[corner]
            #expect(border == "│" || border == "┘", "\(line)")
        }
        assertSnapshot(h.text, named: "filter-control-characters")
    }

    /// The custom date fields follow the CLI's rule for typed dates (`Day(typed:)`): four digits, years 1900-9999.
    @Test func customDatesFollowTheCLIRule() throws {
        for (from, to, message) in [("+202-01-01", "2024-01-31", "from: not a date (YYYY-MM-DD, 1900-9999)"),
                                    ("0000-01-01", "2024-01-31", "from: not a date (YYYY-MM-DD, 1900-9999)"),
                                    ("2024-02-30", "2024-03-31", "from: not a date (YYYY-MM-DD, 1900-9999)"),
                                    ("2024-01-01", "1899-12-31", "to: not a date (YYYY-MM-DD, 1900-9999)"),
                                    ("2024-01-01", "10000-01-01", "to: not a date (YYYY-MM-DD, 1900-9999)"),
                                    ("2024-03-01", "2024-01-31", "from 2024-03-01 is after to 2024-01-31")] {
            #expect(CustomRangeEditor(from: from, to: to).validate() == .failure(BackendFailure(message: message)), "\(from) \(to)")
        }
        let widest = try DayRange(from: Day(iso: "1900-01-01")!, to: Day(iso: "9999-12-31")!)
        #expect(CustomRangeEditor(from: "1900-01-01", to: "9999-12-31").validate() == .success(widest))
    }
}
