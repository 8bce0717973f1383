/// Where things go on screen: fixed rows, the frozen Level column and which scrollable columns fit.
///
/// Shared by the renderer and the reducer (page size, keeping the cursor column visible, mouse hits),
/// so both agree on what is on screen.
public struct TableLayout: Sendable {
    /// Below this the dashboard shows only a "terminal too small" message.
    public static let minimumSize = TerminalSize(width: 60, height: 12)
    /// Row of the first header line (the title is row 0).
    public static let headerTop = 1
    /// Row of the first table row.
    public static let bodyTop = 3
    /// Spaces between scrollable columns.
    public static let gap = 2

    /// Table rows that fit: everything but title, two header lines, status bar and key bar.
    public static func bodyHeight(_ size: TerminalSize) -> Int { max(1, size.height - 5) }

    /// True when `size` is too small to draw the dashboard.
    public static func isTooSmall(_ size: TerminalSize) -> Bool {
        size.width < minimumSize.width || size.height < minimumSize.height
    }

    /// One visible scrollable column.
    public struct Placed: Sendable, Equatable {
        public var column: ColumnID
        /// Index in `ColumnID.scrollable`.
        public var index: Int
        public var x: Int
        public var width: Int
    }

    /// Width of the Level column's text.
    public let levelWidth: Int
    /// Column of the rule after the Level column.
    public let separatorX: Int
    /// The scrollable columns on screen, left to right.
    public let visible: [Placed]
    /// True when columns are hidden on either side.
    public let moreLeft: Bool
    public let moreRight: Bool

    /// Lays out `table` starting at scrollable column `firstColumn` in `width` columns.
    public init(table: TableModel, firstColumn: Int, width: Int) {
        levelWidth = table.width(.level)
        separatorX = levelWidth + 2
        var placed: [Placed] = []
        var x = separatorX + 1
        let columns = ColumnID.scrollable
        let first = min(max(0, firstColumn), columns.count - 1)
        for index in first..<columns.count {
            let w = table.width(columns[index])
            let start = x + TableLayout.gap
            if start + w > width - 1 && !placed.isEmpty { break }
            placed.append(Placed(column: columns[index], index: index, x: start, width: w))
            x = start + w
        }
        visible = placed
        moreLeft = first > 0
        moreRight = (placed.last?.index ?? columns.count - 1) < columns.count - 1
    }

    /// The leftmost column that keeps `cursor` in view, moving as little as possible from `current`.
    public static func firstColumn(keeping cursor: Int, from current: Int, table: TableModel, width: Int) -> Int {
        var first = min(current, cursor)
        while first < cursor {
            let layout = TableLayout(table: table, firstColumn: first, width: width)
            if layout.visible.contains(where: { $0.index == cursor }) { break }
            first += 1
        }
        return max(0, first)
    }

    /// The scrollable column at screen column `x`, if any.
    public func column(atX x: Int) -> Placed? {
        visible.first { x >= $0.x - 1 && x < $0.x + $0.width }
    }
}
