import Foundation
import LevelFunnelCore

/// Number and date formatting for the screen: fixed decimals, thousands separators, `—` for null.
///
/// Everything is done by hand (no locale): the screen must look the same in every terminal,
/// and the end-to-end test compares it with the JSON output digit by digit.
public enum Format {
    /// Shown wherever a metric is undefined (its denominator is 0).
    public static let null = "—"

    /// `1234567` → `1,234,567`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// A fixed-decimals number, `—` for nil; thousands get separators (`12,345.6`).
    public static func decimal(_ value: Double?, places: Int) -> String {
        guard let value, value.isFinite else { return null }
        let rounded = (value * pow(10, Double(places))).rounded() / pow(10, Double(places))
        // Avoid "-0.0" for tiny negatives that round to zero.
        let v = rounded == 0 ? 0 : rounded
        let text = String(format: "%.\(places)f", v)
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = Int(parts[0]) else { return text }
        let wholeText = whole == 0 && v < 0 ? "-0" : count(whole)
        return parts.count == 2 ? wholeText + "." + parts[1] : wholeText
    }

    /// Percentages are shown with one decimal (`78.3`).
    public static func percent(_ value: Double?) -> String { decimal(value, places: 1) }

    /// Milliseconds for the status bar: `0.8 ms`, `12 ms`, `1,204 ms`.
    public static func milliseconds(_ ms: Double) -> String {
        ms < 10 ? decimal(ms, places: 1) + " ms" : decimal(ms, places: 0) + " ms"
    }

    /// Seconds as a short duration: `42s`, `3m 05s`, `1h 02m`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m " + String(format: "%02ds", s % 60) }
        return "\(s / 3600)h " + String(format: "%02dm", (s % 3600) / 60)
    }

    /// A UTC timestamp to the minute: `2024-03-31 12:05 UTC`.
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = Day(ordinal: Int((Double(seconds) / 86_400).rounded(.down)))
        let secondOfDay = seconds - day.ordinal * 86_400
        return day.iso + String(format: " %02d:%02d UTC", secondOfDay / 3600, (secondOfDay % 3600) / 60)
    }
}
