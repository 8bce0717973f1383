import LevelFunnelCore

/// The current view as CSV: `FunnelFormatter`'s CSV (the same columns as `levelfunnel query --format csv`) with
/// `#` comment lines for the selection, rows in the order shown.
public enum CSVExport {
    /// The file's text, or nil when there is no result to export. The comments describe the result's own
    /// selection, which is what the numbers are for even when a newer request failed.
    public static func render(_ state: DashboardState) -> String? {
        guard let result = state.result else { return nil }
        let q = result.query
        let preset = q.range == state.range ? state.rangePreset.label : "custom"
        let sort = state.sort.map { "\($0.column.rawValue) \($0.descending ? "descending" : "ascending")" } ?? "levelId ascending"
        let comments = [
            "levelfunnel export",
            "game: \(q.game)",
            "range: \(q.range.from)..\(q.range.to) (\(preset), \(q.range.dayCount) days)",
            "filters: \(q.filters.isEmpty ? "none" : q.filters.active.map { "\($0.dimension.name)=\($0.value)" }.joined(separator: ", "))",
            "source: \(result.source.rawValue)",
            "sort: \(sort)",
        ]
        return FunnelFormatter.csv(state.table.order.map { result.levels[$0] }, comments: comments)
    }

    /// `levelfunnel-GAME-FROM_TO`; the runner adds a timestamp and `.csv`.
    public static func fileName(_ state: DashboardState) -> String {
        let game = state.game.map(safe) ?? "view"
        let range = state.range.map { "\($0.from)_\($0.to)" } ?? "all"
        return "levelfunnel-\(game)-\(range)"
    }

    /// File-name-safe: letters, digits, `-`, `_`, `.`.
    static func safe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}
