import Foundation
@testable import LevelFunnelCore
import Testing
import TestSupport

/// Days are bound and read as `YYYY-MM-DD` text: formatting and parsing must be exact inverses on every day
/// PostgreSQL's `date` and levelfunnel share, and refuse anything else.
@Suite struct DayTests {
    @Test func formatsAndParsesEveryShapeOfDay() throws {
        for text in ["0001-01-01", "0999-12-31", "1900-02-28", "2024-02-29", "2026-12-03", "9999-12-31"] {
            let day = try #require(Day(iso: text), "\(text)")
            #expect(day.iso == text)
            #expect(Day(iso: day.adding(days: -1).iso) == day.adding(days: -1) || text == "0001-01-01")
        }
        var day = Day(iso: "1999-12-25")!
        for _ in 0..<800 {   // across month, year and leap-day boundaries
            #expect(Day(iso: day.iso) == day)
            day = day.adding(days: 1)
        }
        for bad in ["", "2026-1-01", "2026-01-1", "+202-01-01", "0000-01-01", "2023-02-29", "2026-13-01", "2026-00-10",
                    "2026-01-32", "20260101", "2026-01-01 ", "٢٠٢٦-01-01", "2026−01−01", "2026-01-01-"] {
            #expect(Day(iso: bad) == nil, "\(bad)")
        }
    }
}

/// The JSON's timestamps (an answer's freshness) are ISO 8601 in UTC, to the second, as Foundation writes them.
@Suite struct JSONTimestampTests {
    @Test func timestampsAreWhatISO8601DateFormatterWrites() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var rng = SeededRandom(seed: 11)
        let instants = [0, 59, 3_600, 86_399, 86_400, -1, -86_401, 1_796_320_687.68, 253_402_300_799] as [Double]
            + (0..<500).map { _ in Double(rng.next(4_000_000_000)) - 1_000_000_000 + Double(rng.next(1000)) / 1000 }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(JSONText.timestamp(date) == "\"\(formatter.string(from: date))\"", "\(seconds)")
        }
        #expect(JSONText.timestamp(nil) == "null")
    }
}
