import Dashboard
import Foundation
import LevelFunnelCore

/// `query --format table`: the dashboard's columns, titles and number formats as plain aligned text.
enum FunnelTable {
    static func render(_ result: FunnelResult) -> String {
        let q = result.query
        var caption = "\(q.game)  \(q.range.from) .. \(q.range.to)  source \(result.source.rawValue)  \(String(format: "%.1f", result.queryMs)) ms"
        if !q.filters.isEmpty { caption += "  " + q.filters.summary }
        if let coverage = result.coverage { caption += "  (\(coverage.summary))" }
        guard !result.levels.isEmpty else { return caption + "\n(no level events in this selection)\n" }
        let columns = ColumnID.allCases
        let headers = [columns.map(\.titleLines.0), columns.map(\.titleLines.1)]
        let rows = result.levels.map { level in columns.map { $0.format($0.value(level)) } }
        let widths = columns.indices.map { i in (headers + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in String(repeating: " ", count: widths[i] - cell.count) + cell }
                .joined(separator: "  ")
        }
        return ([caption] + (headers + rows).map(line)).joined(separator: "\n") + "\n"
    }
}
