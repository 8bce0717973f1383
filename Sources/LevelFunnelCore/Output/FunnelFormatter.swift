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
        out += "\"filters\":{" + result.query.filters.activePairs.map { pair in
            let value = pair.name == "funnelVersion" ? pair.value : JSONText.string(pair.value)
            return "\(JSONText.string(pair.name)):\(value)"
        }.joined(separator: ",") + "},"
        out += "\"source\":\(JSONText.string(result.source.rawValue)),"
        out += "\"queryMs\":\(JSONText.number((result.queryMs * 1000).rounded() / 1000)),"
        out += "\"levels\":[" + result.levels.map(levelJSON).joined(separator: ",") + "]}"
        return out
    }

    /// A header line with `levelId` and every field name, then one line per level; empty cells for null.
    public static func csv(_ result: FunnelResult) -> String {
        var lines = [(["levelId"] + MetricFields.names).joined(separator: ",")]
        for level in result.levels {
            let cells = [String(level.levelId)] + zip(MetricFields.names, MetricFields.orderedValues(level)).map { name, value in
                value.map { MetricFields.integerFields.contains(name) ? String(Int($0)) : JSONText.number($0) } ?? ""
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func levelJSON(_ level: LevelMetrics) -> String {
        let fields = zip(MetricFields.names, MetricFields.orderedValues(level)).map { name, value -> String in
            let text = value.map { MetricFields.integerFields.contains(name) ? String(Int($0)) : JSONText.number($0) } ?? "null"
            return "\"\(name)\":\(text)"
        }
        return "{\"levelId\":\(level.levelId)," + fields.joined(separator: ",") + "}"
    }
}

/// Minimal JSON text for strings and numbers (key order stays as written, unlike JSONSerialization).
enum JSONText {
    static func string(_ s: String) -> String {
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

    /// Shortest round-tripping text; integral values without a fraction.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
