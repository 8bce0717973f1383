import Dashboard
import LevelFunnelCore
import Testing

/// Text from the database and dates typed in the dashboard (issue 17): shown safely, checked like the CLI.
@Suite struct DashboardInputTests {
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
