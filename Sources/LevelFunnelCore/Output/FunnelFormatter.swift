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
        out += "\"filters\":{" + result.query.filters.active.map { dimension, value in
            "\(JSONText.string(dimension.name)):\(dimension.isInteger ? value : JSONText.string(value))"
        }.joined(separator: ",") + "},"
        out += "\"source\":\(JSONText.string(result.source.rawValue)),"
        out += "\"queryMs\":\(JSONText.number((result.queryMs * 1000).rounded() / 1000)),"
        if let coverage = result.coverage { out += "\"coverage\":\(json(coverage))," }
        if let freshness = result.freshness {
            out += "\"freshness\":{\"aggregatedAt\":\(JSONText.timestamp(freshness.aggregatedAt)),"
                + "\"receivedThrough\":\(JSONText.timestamp(freshness.receivedThrough))},"
        }
        out += "\"levels\":[" + result.levels.map(levelJSON).joined(separator: ",") + "]}"
        return out
    }

    /// The one CSV writer (`query --format csv` and the dashboard's export): optional `#` comment lines, a
    /// header with `levelId` and every contract field, then one line per level in the order given; empty
    /// cells for null.
    public static func csv(_ levels: [LevelMetrics], comments: [String] = []) -> String {
        var lines = comments.map { "# " + $0 }
        lines.append((["levelId"] + MetricFields.names).joined(separator: ","))
        for level in levels {
            lines.append(([String(level.levelId)] + MetricFields.all.map { text($0, level) ?? "" }).joined(separator: ","))
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
        let fields = MetricFields.all.map { "\"\($0.name)\":\(text($0, level) ?? "null")" }
        return "{\"levelId\":\(level.levelId)," + fields.joined(separator: ",") + "}"
    }

    /// A field's value as JSON/CSV text: counts as integers, others shortest round-tripping; nil when undefined.
    static func text(_ field: MetricField, _ level: LevelMetrics) -> String? {
        field.value(level).map { field.isCount ? String(Int($0)) : JSONText.number($0) }
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

    /// An ISO 8601 UTC timestamp string, or `null`.
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "null" }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return string(formatter.string(from: date))
    }

    /// Shortest round-tripping text; integral values without a fraction.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
