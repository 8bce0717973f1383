import Foundation

/// Renders a funnel result as the contract's JSON, as CSV, or as an aligned table for people.
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

    /// An aligned table with a one-line caption; percentages and means with two decimals, `—` for null.
    public static func table(_ result: FunnelResult) -> String {
        let q = result.query
        var caption = "\(q.game)  \(q.range.from) .. \(q.range.to)  source \(result.source.rawValue)  \(String(format: "%.1f", result.queryMs)) ms"
        if !q.filters.isEmpty { caption += "  " + q.filters.activePairs.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
        guard !result.levels.isEmpty else { return caption + "\n(no level events in this selection)\n" }
        let header = ["level"] + TableColumns.all.map(\.title)
        let rows = result.levels.map { level in
            [String(level.levelId)] + TableColumns.all.map { $0.format(level) }
        }
        let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in String(repeating: " ", count: widths[i] - cell.count) + cell }
                .joined(separator: "  ")
        }
        return ([caption, line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    private static func levelJSON(_ level: LevelMetrics) -> String {
        let fields = zip(MetricFields.names, MetricFields.orderedValues(level)).map { name, value -> String in
            let text = value.map { MetricFields.integerFields.contains(name) ? String(Int($0)) : JSONText.number($0) } ?? "null"
            return "\"\(name)\":\(text)"
        }
        return "{\"levelId\":\(level.levelId)," + fields.joined(separator: ",") + "}"
    }
}

/// The columns of the people-facing table, in the dashboard's order: one definition for CLI and dashboard.
public struct TableColumns: Sendable {
    public var title: String
    /// The contract field shown.
    public var field: String
    public var decimals: Int

    public func format(_ level: LevelMetrics) -> String {
        guard let value = MetricFields.values(level)[field] ?? nil else { return "—" }
        return decimals == 0 ? String(Int(value)) : String(format: "%.\(decimals)f", value)
    }

    public static let all: [TableColumns] = [
        .init(title: "starts", field: "starts", decimals: 0),
        .init(title: "completes", field: "completes", decimals: 0),
        .init(title: "fails", field: "fails", decimals: 0),
        .init(title: "started", field: "startedPlayers", decimals: 0),
        .init(title: "completed", field: "completedPlayers", decimals: 0),
        .init(title: "churn%", field: "churnStartComplete", decimals: 2),
        .init(title: "churnNext%", field: "churnCompleteNext", decimals: 2),
        .init(title: "churnTot%", field: "churnTotal", decimals: 2),
        .init(title: "win%", field: "winRate", decimals: 2),
        .init(title: "compl%", field: "completionRate", decimals: 2),
        .init(title: "fail%", field: "failRate", decimals: 2),
        .init(title: "funnel%", field: "funnelRate", decimals: 2),
        .init(title: "booster%", field: "boosterUsage", decimals: 2),
        .init(title: "egp%", field: "egpRate", decimals: 2),
        .init(title: "apsRaw", field: "apsRaw", decimals: 2),
        .init(title: "apsClean", field: "apsClean", decimals: 3),
        .init(title: "meanWin s", field: "meanCompletionDuration", decimals: 1),
        .init(title: "meanFail s", field: "meanFailDuration", decimals: 1),
    ]
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
