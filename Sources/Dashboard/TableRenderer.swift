import LevelFunnelCore

/// Draws the title line and the funnel table (frozen Level column, headers, rows, bars, churn colours).
enum TableRenderer {
    static func drawTitle(_ screen: inout Screen, _ state: DashboardState) {
        screen.fill(x: 0, y: 0, width: screen.width, height: 1, role: .title)
        let left = " Level Funnel" + (state.game.map { " · \($0)" } ?? "")
        var right = ""
        if !state.table.isEmpty {
            let column = ColumnID.scrollable[state.columnCursor]
            right = "level \(state.table.levelId(row: state.rowCursor)) · row \(state.rowCursor + 1)/\(state.table.rowCount)"
                + " · \(column.fullName) "
        }
        let rightWidth = right.displayWidth
        screen.write(left, x: 0, y: 0, role: .title, maxWidth: max(0, screen.width - rightWidth - 1))
        if rightWidth < screen.width - left.displayWidth - 1 {
            screen.write(right, x: screen.width - rightWidth, y: 0, role: .title)
        }
    }

    static func drawTable(_ screen: inout Screen, _ state: DashboardState, theme: Theme) {
        let table = state.table
        let layout = TableLayout(table: table, firstColumn: state.firstColumn, width: screen.width)
        let top = TableLayout.headerTop

        // Headers.
        screen.fill(x: 0, y: top, width: screen.width, height: 2, role: .header)
        let levelArrow = arrow(for: .level, state.sort)
        screen.write(levelArrow, x: 1, y: top, width: layout.levelWidth, alignment: .right,
                     role: levelArrow.isEmpty ? .header : .headerSorted)
        screen.write("Level", x: 1, y: top + 1, width: layout.levelWidth, alignment: .right,
                     role: state.sort?.column == .level ? .headerSorted : .header)
        screen.write("│", x: layout.separatorX, y: top, role: .header)
        screen.write("│", x: layout.separatorX, y: top + 1, role: .header)
        for placed in layout.visible {
            let (upper, lower) = placed.column.titleLines
            let a = arrow(for: placed.column, state.sort)
            let upperText = a.isEmpty ? upper : (upper.isEmpty ? a : upper + " " + a)
            let role: StyleRole = placed.index == state.columnCursor ? .headerCursor
                : (state.sort?.column == placed.column ? .headerSorted : .header)
            screen.write(upperText, x: placed.x, y: top, width: placed.width, alignment: .right, role: role)
            screen.write(lower, x: placed.x, y: top + 1, width: placed.width, alignment: .right, role: role)
        }
        if layout.moreLeft { screen.write("◀", x: layout.separatorX + 1, y: top + 1, role: .header) }
        if layout.moreRight { screen.write("▶", x: screen.width - 1, y: top + 1, role: .header) }

        // Body.
        let bodyTop = TableLayout.bodyTop
        let height = TableLayout.bodyHeight(TerminalSize(width: screen.width, height: screen.height))
        if let notice = emptyNotice(state) {
            for (i, line) in notice.enumerated() where i < height {
                let text = line.text.truncated(toWidth: screen.width - 4)
                screen.write(text, x: max(2, (screen.width - text.displayWidth) / 2), y: bodyTop + 1 + i, role: line.role)
            }
            return
        }
        for r in 0..<height {
            let row = state.topRow + r
            guard row < table.rowCount else { break }
            let y = bodyTop + r
            let isCursor = row == state.rowCursor
            let base: StyleRole = isCursor ? .rowCursor : (row % 2 == 1 ? .rowAlt : .normal)
            screen.fill(x: 0, y: y, width: screen.width, height: 1, role: base)
            screen.write(table.text(row: row, column: .level), x: 1, y: y, width: layout.levelWidth,
                         alignment: .right, role: isCursor ? .rowCursor : .level)
            screen.write("│", x: layout.separatorX, y: y, role: isCursor ? .rowCursor : .separator)
            for placed in layout.visible {
                let value = table.value(row: row, column: placed.column)
                let text = table.text(row: row, column: placed.column)
                var role = base
                if !isCursor {
                    if value == nil { role = .null } else if placed.column.isChurn { role = theme.churnRole(value) }
                }
                if placed.column == .funnelRate, let value {
                    let bar = inlineBar(value, width: TableModel.barWidth)
                    screen.write(bar, x: placed.x, y: y, role: isCursor ? .rowCursor : .bar)
                    let numberX = placed.x + TableModel.barWidth + 1
                    screen.write(text, x: numberX, y: y, width: placed.width - TableModel.barWidth - 1,
                                 alignment: .right, role: role)
                } else {
                    screen.write(text, x: placed.x, y: y, width: placed.width, alignment: .right, role: role)
                }
            }
        }
    }

    /// `▲`/`▼` on the sorted column, empty elsewhere.
    static func arrow(for column: ColumnID, _ sort: TableSort?) -> String {
        guard let sort, sort.column == column else { return "" }
        return sort.descending ? "▼" : "▲"
    }

    /// A bar of `width` cells for a percentage, in eighths of a cell; over 100 is drawn full.
    static func inlineBar(_ percent: Double, width: Int) -> String {
        let eighths = Int((max(0, min(100, percent)) / 100 * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var bar = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        bar += String(repeating: " ", count: max(0, width - bar.count))
        return bar
    }

    /// What the table area says when it has no rows to show.
    static func emptyNotice(_ state: DashboardState) -> [(text: String, role: StyleRole)]? {
        guard state.table.isEmpty else { return nil }
        if !state.gamesLoaded { return [("Connecting…", .normal)] }
        if state.games.isEmpty {
            if let error = state.lastError { return [(error, .messageError)] }
            return [("No games in this database.", .normal),
                    ("Load events into the events table (or generate demo data), then press F5.", .null)]
        }
        if let error = state.lastError, state.result == nil { return [(error, .messageError)] }
        if state.result == nil || state.pending != nil && state.result?.query != state.query {
            return [("Loading…", .normal)]
        }
        guard let result = state.result else { return nil }
        var lines: [(String, StyleRole)] = [
            ("No level events for \(result.query.game) from \(result.query.range.from) to \(result.query.range.to)"
             + (result.query.filters.isEmpty ? "." : " with these filters."), .normal),
        ]
        lines.append((result.query.filters.isEmpty ? "d changes the dates, o the game." : "x clears the filters, d changes the dates.", .null))
        return lines
    }
}
