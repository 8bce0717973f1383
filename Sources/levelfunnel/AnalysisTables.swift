import Dashboard
import Foundation
import LevelFunnelCore

/// `query --format table` for compare, by day, breakdown and spikes: the dashboard's titles and number formats
/// as plain aligned text (`FunnelTable` for the plain funnel).
enum AnalysisTables {
    /// Default fields of a compare table.
    static let compareFields = ["startedPlayers", "winRate", "churnTotal", "funnelRate", "boosterUsage"].compactMap(MetricFields.named)
    /// Default fields of a breakdown table.
    static let breakdownFields = ["startedPlayers", "winRate", "churnTotal"].compactMap(MetricFields.named)

    static func compare(_ compare: FunnelCompare, fields: [MetricField]) -> String {
        var lines = [
            "\(compare.variant.query.game)  source \(compare.answeredBy(asked: compare.variant.source).rawValue)  "
                + Format.milliseconds(compare.baseline.queryMs + compare.variant.queryMs),
            "baseline (A): \(compare.baselineLabel)  [\(AnalysisFormatter.describe(compare.baseline.query))]"
                + (compare.baseline.coverage.map { "  (\($0.summary))" } ?? ""),
            "variant  (B): \(compare.variantLabel)  [\(AnalysisFormatter.describe(compare.variant.query))]"
                + (compare.variant.coverage.map { "  (\($0.summary))" } ?? ""),
        ]
        guard !compare.levels.isEmpty else { return (lines + ["(no level events in either selection)"]).joined(separator: "\n") + "\n" }
        var top = ["", ""], bottom = ["Level", "Entrants A/B"]
        for field in fields {
            top += [title(field), "", ""]
            bottom += ["A", "B", "B−A"]
        }
        let rows = compare.levels.map { level -> [String] in
            var row = [String(level.levelId),
                       "\(Format.count(level.baselineEntrants))/\(Format.count(level.variantEntrants))" + (level.entrantsDiffer ? " !" : "  ")]
            for field in fields {
                let d = level.metric(field.name)!
                row += [format(field, d.baseline), format(field, d.variant), signed(field, d.difference) + (d.isSignificant ? "*" : " ")]
            }
            return row
        }
        lines += TextTable.render(headers: [top, bottom], rows: rows)
        lines.append("B−A: variant less baseline. * p < \(ZTest.alpha) (two-proportion z-test, pooled; p-values in --format json/csv).")
        lines.append("! one selection brings at most half as many players to the level: its rates are per entrant, fewer entrants is not churn.")
        for field in fields {
            if let denominator = RateDenominator.ofField[field.name] { lines.append("\(title(field)) is per \(denominator.title).") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func daily(_ series: DailySeries, source: FunnelSource, level: Int?) -> String {
        let q = series.query
        var caption = "\(q.game)  \(q.range.from) .. \(q.range.to)  by day  source \(source.rawValue)  \(Format.milliseconds(series.queryMs))"
        if !q.filters.isEmpty { caption += "  " + q.filters.summary }
        if let level { caption += "  level \(level)" }
        let columns = ColumnID.allCases
        let headers = [[""] + columns.map(\.titleLines.0), ["Day"] + columns.map(\.titleLines.1)]
        var rows: [[String]] = []
        for point in series.points {
            let levels = level.map { id in point.result.levels.filter { $0.levelId == id } } ?? point.result.levels
            if levels.isEmpty { rows.append([point.day.iso, level.map(String.init) ?? "—"] + columns.dropFirst().map { _ in Format.null }) }
            for m in levels { rows.append([point.day.iso] + columns.map { $0.format($0.value(m)) }) }
        }
        return ([caption] + TextTable.render(headers: headers, rows: rows)).joined(separator: "\n") + "\n"
    }

    static func breakdown(_ breakdown: Breakdown, source: FunnelSource, fields: [MetricField]) -> String {
        let q = breakdown.query
        var caption = "\(q.game)  \(q.range.from) .. \(q.range.to)  by \(breakdown.dimension.name)  source \(source.rawValue)"
        if !q.filters.isEmpty { caption += "  " + q.filters.summary }
        var lines = [caption]
        var top = [""], bottom = ["Level"]
        for group in breakdown.groups {
            for (i, field) in fields.enumerated() {
                top.append(i == 0 ? group.label + (group.players.map { " (\(Format.count($0)))" } ?? "") : "")
                bottom.append(title(field))
            }
        }
        let rows = breakdown.levelIds.map { id in
            [String(id)] + breakdown.groups.flatMap { group in fields.map { format($0, group.value($0, level: id)) } }
        }
        lines += TextTable.render(headers: [top, bottom], rows: rows)
        if !breakdown.otherValues.isEmpty {
            lines.append("Other: \(breakdown.otherValues.joined(separator: ", ")) and events without a value; its player fields are undefined.")
        } else if breakdown.groups.contains(where: { $0.kind == .other }) {
            lines.append("Other: events without a value; its player fields are undefined.")
        }
        if let note = breakdown.overlapNote { lines.append(note + ".") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func spikes(_ ranking: [SpikeRanking.Entry], result: FunnelResult) -> String {
        let q = result.query
        var caption = "\(q.game)  \(q.range.from) .. \(q.range.to)  difficulty spikes  source \(result.source.rawValue)"
        if !q.filters.isEmpty { caption += "  " + q.filters.summary }
        let fields = SpikeRanking.fields
        var top = ["", "", ""], bottom = ["Rank", "Level", "Score"]
        for field in fields {
            top += [title(field), "", ""]
            bottom += ["value", "median", "excess"]
        }
        let rows = ranking.enumerated().map { rank, entry in
            [String(rank + 1), String(entry.levelId), Format.decimal(entry.score, places: 1)] + fields.flatMap { field in
                entry.measure(field.name).map { [format(field, $0.value), format(field, $0.median), signed(field, $0.excess)] }
                    ?? [Format.null, Format.null, Format.null]
            }
        }
        return ([caption] + TextTable.render(headers: [top, bottom], rows: rows)
                + ["median: of the \(SpikeRanking.defaultWindow) levels on each side; score: sum of the excesses over their spread (robust z)."])
            .joined(separator: "\n") + "\n"
    }

    /// A field's column title in the dashboard (`Win %`).
    static func title(_ field: MetricField) -> String { ColumnID(rawValue: field.name)?.fullName ?? field.name }

    static func format(_ field: MetricField, _ value: Double?) -> String {
        ColumnID(rawValue: field.name)?.format(value) ?? value.map { String($0) } ?? Format.null
    }

    /// `+1.5`, `-3`, `0.0`: a difference with its sign.
    static func signed(_ field: MetricField, _ value: Double?) -> String {
        guard let value else { return Format.null }
        let text = format(field, value)
        return value > 0 && !text.allSatisfy({ $0 == "0" || $0 == "." }) ? "+" + text : text
    }
}

/// Right-aligned columns separated by two spaces; widths in terminal columns.
enum TextTable {
    static func render(headers: [[String]], rows: [[String]]) -> [String] {
        let all = headers + rows
        let count = all.map(\.count).max() ?? 0
        let widths = (0..<count).map { i in all.map { i < $0.count ? $0[i].displayWidth : 0 }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { i, cell in String(repeating: " ", count: widths[i] - cell.displayWidth) + cell }
                .joined(separator: "  ")
        }
    }
}
