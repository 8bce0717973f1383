import LevelFunnelCore

/// A sort of the table: a column and a direction.
public struct TableSort: Sendable, Hashable {
    public var column: ColumnID
    public var descending: Bool

    public init(column: ColumnID, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// The funnel result formatted once for display: texts, values, column widths and row order.
///
/// Built when a result arrives or the sort changes, so drawing a frame only slices it; this keeps
/// keypress-to-redraw cheap on games with many levels.
public struct TableModel: Sendable, Equatable {
    /// Width of the inline bar in the Funnel % column.
    public static let barWidth = 8

    /// `values[row][column]`, rows in level order, columns in `ColumnID.allCases` order.
    public private(set) var values: [[Double?]]
    /// The same, as shown.
    public private(set) var texts: [[String]]
    /// Display width of each column (header and values), by `ColumnID.allCases` index.
    public private(set) var widths: [Int]
    /// Display order: indexes into `values`.
    public private(set) var order: [Int]
    public private(set) var levelIds: [Int]

    public init(levels: [LevelMetrics] = [], sort: TableSort? = nil) {
        let columns = ColumnID.allCases
        let values = levels.map { m in columns.map { $0.value(m) } }
        let texts = values.map { row in zip(columns, row).map { $0.format($1) } }
        self.values = values
        self.texts = texts
        levelIds = levels.map(\.levelId)
        widths = columns.enumerated().map { index, column in
            let (top, bottom) = column.titleLines
            // Room for the sort arrow next to the top title line.
            var width = max(top.displayWidth + 2, bottom.displayWidth)
            for row in texts { width = max(width, row[index].displayWidth) }
            if column == .funnelRate { width = max(width, TableModel.barWidth + 1 + 5) }
            return width
        }
        order = Array(values.indices)
        applySort(sort)
    }

    public var rowCount: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    /// Re-orders rows; nil restores level order. Undefined values sort last in both directions,
    /// and ties keep level order, so the order is stable and predictable.
    public mutating func applySort(_ sort: TableSort?) {
        let base = Array(values.indices)
        guard let sort, sort.column != .level || sort.descending else { order = base; return }
        let c = ColumnID.allCases.firstIndex(of: sort.column)!
        order = base.sorted { a, b in
            switch (values[a][c], values[b][c]) {
            case (nil, nil): return a < b
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?):
                if x == y { return a < b }
                return sort.descending ? x > y : x < y
            }
        }
    }

    /// Text of the cell at display row `row`, column `column`.
    public func text(row: Int, column: ColumnID) -> String {
        texts[order[row]][column.index]
    }

    /// Value of the cell at display row `row`, column `column`.
    public func value(row: Int, column: ColumnID) -> Double? {
        values[order[row]][column.index]
    }

    /// Level id shown at display row `row`.
    public func levelId(row: Int) -> Int { levelIds[order[row]] }

    /// Display row of `levelId`, or of the first level above it when it is absent.
    public func row(ofLevel levelId: Int) -> Int? {
        if let exact = order.firstIndex(where: { levelIds[$0] == levelId }) { return exact }
        let above = levelIds.indices.filter { levelIds[$0] > levelId }.min { levelIds[$0] < levelIds[$1] }
        return above.flatMap { index in order.firstIndex(of: index) }
    }

    public func width(_ column: ColumnID) -> Int { widths[column.index] }
}

extension ColumnID {
    /// Position in `allCases`.
    public var index: Int { ColumnID.allCases.firstIndex(of: self)! }
}
