import Foundation

/// Renders a funnel result as the contract's JSON or as CSV (the table for people is the dashboard's columns,
/// see `levelfunnel query --format table`).
public enum FunnelFormatter {
    /// The contract's JSON object: game, from, to, filters, source, queryMs, levels.
    public static func json(_ result: FunnelResult) -> String {
        var out = "{"
        out += "\"game\":\(JSONText.string(result.query.game)),"
        out += "\"from\":\(JSONText.string(result.query.range.from.iso)),"
        out += "\"to\":\(JSONText.string(result.query.range.to.iso)),"
        out += "\"filters\":\(json(result.query.filters)),"
        out += "\"source\":\(JSONText.string(result.source.rawValue)),"
        out += "\"queryMs\":\(JSONText.number((result.queryMs * 1000).rounded() / 1000)),"
        out += provenance(result).map { $0 + "," }.joined()
        out += "\"levels\":[" + result.levels.map(levelJSON).joined(separator: ",") + "]}"
        return out
    }

    /// The contract's `filters` object. Integer dimensions are written from their parsed value, never from the
    /// text a user typed (`+01` is not a JSON number).
    static func json(_ filters: FunnelFilters) -> String {
        "{" + filters.active.map { dimension, value in
            let text = dimension.isInteger ? Int(value).map(String.init) ?? JSONText.string(value) : JSONText.string(value)
            return "\(JSONText.string(dimension.name)):\(text)"
        }.joined(separator: ",") + "}"
    }

    /// `"coverage":{...}` and `"freshness":{...}` of an answer that is not read straight from the events (none for
    /// the raw path), as JSON members.
    static func provenance(_ result: FunnelResult) -> [String] {
        var members: [String] = []
        if let coverage = result.coverage { members.append("\"coverage\":\(json(coverage))") }
        if let freshness = result.freshness {
            members.append("\"freshness\":{\"aggregatedAt\":\(JSONText.timestamp(freshness.aggregatedAt)),"
                + "\"receivedThrough\":\(JSONText.timestamp(freshness.receivedThrough))}")
        }
        return members
    }

    /// The one CSV writer (`query --format csv` and the dashboard's export): optional `#` comment lines, a
    /// header with `levelId` and every contract field, then one line per level in the order given; empty
    /// cells for null.
    public static func csv(_ levels: [LevelMetrics], comments: [String] = []) -> String {
        var lines = comments.map { "# " + $0 }
        lines.append((["levelId"] + MetricFields.names).joined(separator: ","))
        for level in levels {
            lines.append(([String(level.levelId)] + MetricFields.all.map { $0.text(level) ?? "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `csv` of a result's levels in level order, without comments.
    public static func csv(_ result: FunnelResult) -> String { csv(result.levels) }

    private static func json(_ c: Coverage) -> String {
        let day = { (d: Day?) in d.map { JSONText.string($0.iso) } ?? "null" }
        return "{\"days\":\(c.days),\"aggregated\":\(c.aggregated),\"live\":\(c.live),\"missing\":\(c.missing),"
            + "\"stale\":\(c.stale),\"firstLive\":\(day(c.firstLive)),\"lastLive\":\(day(c.lastLive)),"
            + "\"includesToday\":\(c.includesToday)}"
    }

    static func levelJSON(_ level: LevelMetrics) -> String {
        let fields = MetricFields.all.map { "\"\($0.name)\":\($0.text(level) ?? "null")" }
        return "{\"levelId\":\(level.levelId)," + fields.joined(separator: ",") + "}"
    }

}

/// Minimal JSON text for strings and numbers (key order stays as written, unlike JSONSerialization).
public enum JSONText {
    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An ISO 8601 UTC timestamp string (`2026-12-03T20:13:28Z`, whole seconds), or `null`. Formatted by hand:
    /// creating an `ISO8601DateFormatter` cost a `query` process about 7 ms (time zone and ICU data).
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "null" }
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = Day(containing: date), within = seconds - day.ordinal * 86_400
        let clock = [within / 3600, within % 3600 / 60, within % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }
        return string("\(day.iso)T\(clock.joined(separator: ":"))Z")
    }

    /// Shortest round-tripping text; integral values without a fraction.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
