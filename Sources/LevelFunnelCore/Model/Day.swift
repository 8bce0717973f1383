import Foundation
import PostgresClient

/// A calendar day in UTC, stored as days since 1970-01-01.
///
/// Events belong to the UTC day of their `occurred_at`; ranges are inclusive of both ends.
public struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Days since 1970-01-01 (UTC).
    public var ordinal: Int

    public init(ordinal: Int) { self.ordinal = ordinal }

    /// Parses `YYYY-MM-DD` (ASCII digits only, years 0001 to 9999); returns nil for anything else, including
    /// impossible dates such as 2024-02-30, signs (`+202-01-01`) and year 0000, which PostgreSQL's `date` lacks.
    /// Dates people type go through ``init(typed:)``, which also bounds the year.
    public init?(iso text: String) {
        let parts = text.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }),
              let y = Int(Substring(parts[0])), let m = Int(Substring(parts[1])), let d = Int(Substring(parts[2])),
              y >= 1, (1...12).contains(m), d >= 1, d <= Day.daysIn(month: m, year: y)
        else { return nil }
        ordinal = Day.ordinal(year: y, month: m, day: d)
    }

    /// The years a typed date may have. Dates outside them are typos (`0202` for `2026`), and a range from one of
    /// them would make every day since then a live day of the fast path, each computed from the events.
    public static let typedYears = 1900...9999

    /// A date a person typed (CLI options, the dashboard's date fields, saved views): `YYYY-MM-DD` in
    /// ``typedYears``. Throws ``LevelFunnelError/invalidInput(_:)`` saying what is wrong, as
    /// `'0000-01-01' is not a date: use YYYY-MM-DD with a year from 1900 to 9999 (e.g. 2026-01-31)`; callers put
    /// the option or field name in front.
    public init(typed text: String) throws {
        guard let day = Day(iso: text), Day.typedYears.contains(day.civil.0) else {
            throw LevelFunnelError.invalidInput("'\(text)' is not a date: use YYYY-MM-DD with a year from "
                + "\(Day.typedYears.lowerBound) to \(Day.typedYears.upperBound) (e.g. 2026-01-31)")
        }
        self = day
    }

    /// The UTC day containing `date`.
    public init(containing date: Date) {
        ordinal = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Today in UTC.
    public static var today: Day { Day(containing: Date()) }

    /// Midnight UTC at the start of this day.
    public var startDate: Date { Date(timeIntervalSince1970: Double(ordinal) * 86_400) }

    public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func distance(to other: Day) -> Int { other.ordinal - ordinal }

    /// `YYYY-MM-DD`. Formatted by hand: Foundation's `String(format:)` costs a fresh process a millisecond on its
    /// first call (locale and argument machinery), and every query binds its days as text.
    public var iso: String {
        let (y, m, d) = civil
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(y, 4) + "-" + padded(m, 2) + "-" + padded(d, 2)
    }

    public var description: String { iso }

    public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = day
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    // Howard Hinnant's civil-from-days / days-from-civil algorithms (proleptic Gregorian).
    /// (year, month, day) of this day.
    var civil: (Int, Int, Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func ordinal(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension Day: PostgresEncodable, PostgresDecodable {
    /// `YYYY-MM-DD`: bind it with a `::date` cast.
    public var postgresText: String? { iso }

    /// Reads a `date` column, which is `YYYY-MM-DD` because every connection pins `DateStyle` to ISO (see
    /// `PostgresConnection`); any other text fails to decode (a thrown error, never a trap).
    public static func decode(postgresText text: String?) -> Day? { text.flatMap(Day.init(iso:)) }
}

/// An inclusive range of UTC days.
public struct DayRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var from: Day
    public var to: Day

    /// Creates a range; `from` must not be after `to`.
    public init(from: Day, to: Day) throws {
        guard from <= to else { throw LevelFunnelError.invalidInput("--from \(from) is after --to \(to)") }
        self.from = from
        self.to = to
    }

    /// Number of days in the range, both ends included.
    public var dayCount: Int { from.distance(to: to) + 1 }

    /// Every day in the range, in order.
    public var days: [Day] { (0..<dayCount).map { from.adding(days: $0) } }

    public var description: String { "\(from)..\(to)" }
}
