import LevelFunnelCore

/// The current view as CSV: a `#` comment header with the selection, then one row per level
/// in the order shown, every column of the table under its contract field name.
public enum CSVExport {
    /// The file's text, or nil when there is no result to export.
    public static func render(_ state: DashboardState) -> String? {
        guard let result = state.result else { return nil }
        let q = result.query
        var lines: [String] = []
        lines.append("# levelfunnel export")
        lines.append("# game: \(q.game)")
        lines.append("# range: \(q.range.from)..\(q.range.to) (\(state.rangePreset.label), \(q.range.dayCount) days)")
        let filters = q.filters.activePairs.map { "\($0.name)=\($0.value)" }
        lines.append("# filters: \(filters.isEmpty ? "none" : filters.joined(separator: ", "))")
        lines.append("# source: \(result.source.rawValue)")
        if let sort = state.sort {
            lines.append("# sort: \(sort.column.rawValue) \(sort.descending ? "descending" : "ascending")")
        } else {
            lines.append("# sort: levelId ascending")
        }
        lines.append(ColumnID.allCases.map(\.rawValue).joined(separator: ","))
        let table = state.table
        for row in 0..<table.rowCount {
            lines.append(ColumnID.allCases.map { field(table.value(row: row, column: $0), kind: $0.kind) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `levelfunnel-GAME-FROM_TO`; the runner adds a timestamp and `.csv`.
    public static func fileName(_ state: DashboardState) -> String {
        let game = state.game.map(safe) ?? "view"
        let range = state.range.map { "\($0.from)_\($0.to)" } ?? "all"
        return "levelfunnel-\(game)-\(range)"
    }

    /// Counts as integers, other values at full precision, undefined values empty.
    static func field(_ value: Double?, kind: ColumnID.Kind) -> String {
        guard let value, value.isFinite else { return "" }
        if kind == .count { return String(Int(value)) }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    /// File-name-safe: letters, digits, `-`, `_`, `.`.
    static func safe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
