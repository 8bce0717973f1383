import LevelFunnelCore

/// One column of a view's grid: a title (the second header line) and its cells, already formatted.
struct GridColumn {
    var title: String
    var cells: [(text: String, role: StyleRole?)]
    var width: Int { max(title.displayWidth, cells.map(\.text.displayWidth).max() ?? 0) }
}

/// Columns under one title (the first header line): a metric's A, B and B−A, a value's columns.
struct GridGroup {
    var title: String
    var columns: [GridColumn]
    static let columnGap = 2
    static let groupGap = 3
    var width: Int {
        let inner = columns.map(\.width).reduce(0, +) + GridGroup.columnGap * max(0, columns.count - 1)
        return max(inner, title.displayWidth)
    }
}

/// Draws the compare, trend, breakdown and spikes views, and the pickers that open them.
enum AnalysisRenderer {
    /// Row of the info line, the two header lines and the first body row.
    static let infoY = 1, headerY = 2, bodyY = 4

    static func draw(_ screen: inout Screen, _ state: DashboardState, view: AnalysisView, theme: Theme) {
        screen.fill(x: 0, y: 0, width: screen.width, height: screen.height - 2, role: .normal)
        switch view {
        case .compare(let v): drawCompare(&screen, state, v, theme: theme)
        case .trend(let v): drawTrend(&screen, state, v)
        case .breakdown(let v): drawBreakdown(&screen, state, v, theme: theme)
        case .spikes(let v): drawSpikes(&screen, state, v, theme: theme)
        }
    }

    // MARK: Pieces

    static func title(_ screen: inout Screen, _ left: String, _ right: String) {
        screen.fill(x: 0, y: 0, width: screen.width, height: 1, role: .title)
        let rightWidth = right.displayWidth
        screen.write(left, x: 0, y: 0, role: .title, maxWidth: max(0, screen.width - rightWidth - 1))
        if rightWidth < screen.width - left.displayWidth - 1 { screen.write(right, x: screen.width - rightWidth, y: 0, role: .title) }
    }

    static func info(_ screen: inout Screen, _ text: String, y: Int = infoY, role: StyleRole = .header) {
        screen.fill(x: 0, y: y, width: screen.width, height: 1, role: role)
        screen.write(" " + text.truncated(toWidth: screen.width - 2), x: 0, y: y, role: role)
    }

    /// The detail line above the status bar.
    static func detail(_ screen: inout Screen, _ text: String, role: StyleRole = .null) {
        let y = screen.height - 3
        screen.fill(x: 0, y: y, width: screen.width, height: 1, role: .normal)
        screen.write(" " + text.truncated(toWidth: screen.width - 2), x: 0, y: y, role: role)
    }

    /// A notice in the middle of the body (loading, an error, nothing to show).
    static func notice(_ screen: inout Screen, _ text: String, role: StyleRole = .normal) {
        let line = text.truncated(toWidth: screen.width - 4)
        screen.write(line, x: max(2, (screen.width - line.displayWidth) / 2), y: bodyY + 1, role: role)
    }

    /// Frozen groups, a rule, then the scrollable groups from the one that keeps `grid.column` visible.
    static func drawGrid(_ screen: inout Screen, frozen: [GridGroup], groups: [GridGroup], grid: GridPosition, rows: Int) {
        let height = DashboardReducer.viewBodyHeight(TerminalSize(width: screen.width, height: screen.height))
        screen.fill(x: 0, y: headerY, width: screen.width, height: 2, role: .header)
        var x = 1
        func place(_ group: GridGroup, at gx: Int, cursor: Bool) {
            let role: StyleRole = cursor ? .headerCursor : .header
            screen.write(group.title, x: gx, y: headerY, role: role, maxWidth: max(0, screen.width - gx))
            var cx = gx + max(0, group.width - (group.columns.map(\.width).reduce(0, +) + GridGroup.columnGap * max(0, group.columns.count - 1)))
            for column in group.columns {
                let w = column.width
                guard cx + w <= screen.width else { break }
                screen.write(column.title, x: cx, y: headerY + 1, width: w, alignment: .right, role: role)
                for r in 0..<height {
                    let row = grid.top + r
                    guard row < rows, row < column.cells.count else { break }
                    let isCursor = row == grid.row
                    let cell = column.cells[row]
                    let base: StyleRole = isCursor ? .rowCursor : (row % 2 == 1 ? .rowAlt : .normal)
                    screen.write(cell.text, x: cx, y: bodyY + r, width: w, alignment: .right,
                                 role: isCursor ? .rowCursor : (cell.role ?? base))
                }
                cx += w + GridGroup.columnGap
            }
        }
        // Row backgrounds first.
        for r in 0..<height where grid.top + r < rows {
            let row = grid.top + r
            screen.fill(x: 0, y: bodyY + r, width: screen.width, height: 1,
                        role: row == grid.row ? .rowCursor : (row % 2 == 1 ? .rowAlt : .normal))
        }
        for group in frozen {
            place(group, at: x, cursor: false)
            x += group.width + GridGroup.groupGap - 1
        }
        let ruleX = x
        for y in headerY..<(headerY + 2) { screen.write("│", x: ruleX, y: y, role: .header) }
        for r in 0..<height where grid.top + r < rows {
            screen.write("│", x: ruleX, y: bodyY + r, role: grid.top + r == grid.row ? .rowCursor : .separator)
        }
        x = ruleX + 2
        let room = screen.width - x - 1
        // The first group shown: as far left as possible while the cursor's group still fits.
        var first = 0
        func span(_ from: Int) -> Int {
            (from...min(grid.column, groups.count - 1)).map { groups[$0].width + GridGroup.groupGap }.reduce(0, +) - GridGroup.groupGap
        }
        while first < grid.column && span(first) > room { first += 1 }
        var last = first
        for (i, group) in groups.enumerated().dropFirst(first) {
            guard x + group.width <= screen.width - 1 || i == first else { break }
            place(group, at: x, cursor: i == grid.column)
            x += group.width + GridGroup.groupGap
            last = i
        }
        if first > 0 { screen.write("◀", x: ruleX + 1, y: headerY + 1, role: .header) }
        if last < groups.count - 1 { screen.write("▶", x: screen.width - 1, y: headerY + 1, role: .header) }
    }

    static func levelColumn(_ ids: [Int]) -> GridGroup {
        GridGroup(title: "", columns: [GridColumn(title: "Level", cells: ids.map { (String($0), StyleRole.level) })])
    }

    /// `+1.5`: a difference with its sign, in the column's format.
    static func signed(_ column: ColumnID, _ value: Double?) -> String {
        guard let value else { return Format.null }
        let text = column.format(value)
        return value > 0 && text.contains(where: { $0 != "0" && $0 != "." && $0 != "," }) ? "+" + text : text
    }

    // MARK: Compare

    static func drawCompare(_ screen: inout Screen, _ state: DashboardState, _ v: CompareViewState, theme: Theme) {
        let column = CompareViewState.columns[v.grid.column]
        var right = ""
        if let level = v.result?.levels[safe: v.grid.row] {
            right = "level \(level.levelId) · row \(v.grid.row + 1)/\(v.result!.levels.count) · \(column.fullName) "
        }
        title(&screen, " Compare · \(v.plan.variant.game)", right)
        info(&screen, "B \(v.plan.variantLabel)  vs  A \(v.plan.baselineLabel)  ·  "
             + "\(v.plan.variant.range.from) → \(v.plan.variant.range.to) · \(v.plan.variant.filters.summary)")
        guard let compare = v.result else {
            notice(&screen, v.error.map { "compare failed: \($0)" } ?? "Loading both selections…", role: v.error == nil ? .normal : .messageError)
            return
        }
        guard !compare.levels.isEmpty else { notice(&screen, "No level events in either selection."); return }
        let levels = compare.levels
        let entrants = GridGroup(title: "Entrants", columns: [
            GridColumn(title: "A / B", cells: levels.map {
                ("\(Format.count($0.baselineEntrants)) / \(Format.count($0.variantEntrants))" + ($0.entrantsDiffer ? " !" : "  "),
                 $0.entrantsDiffer ? StyleRole.churnWarn : nil)
            }),
        ])
        let groups = CompareViewState.columns.map { column -> GridGroup in
            let diffs = levels.map { $0.metric(column.rawValue)! }
            return GridGroup(title: column.fullName, columns: [
                GridColumn(title: "A", cells: diffs.map { (column.format($0.baseline), $0.baseline == nil ? .null : nil) }),
                GridColumn(title: "B", cells: diffs.map { (column.format($0.variant), $0.variant == nil ? .null : nil) }),
                GridColumn(title: "B−A", cells: diffs.map {
                    (signed(column, $0.difference) + ($0.isSignificant ? "*" : " "),
                     $0.isSignificant ? StyleRole.diff : ($0.difference == nil ? .null : nil))
                }),
            ])
        }
        drawGrid(&screen, frozen: [levelColumn(levels.map(\.levelId)), entrants], groups: groups, grid: v.grid, rows: levels.count)
        detail(&screen, compareDetail(levels[safe: v.grid.row], column: column),
               role: levels[safe: v.grid.row]?.metric(column.rawValue)?.isSignificant == true ? .diff : .null)
    }

    /// What the cursor's cell means: both values with their denominators, the test, the entrants.
    static func compareDetail(_ level: LevelComparison?, column: ColumnID) -> String {
        guard let level, let d = level.metric(column.rawValue) else { return "" }
        var text = "level \(level.levelId) \(column.fullName)"
        if let denominator = d.denominator {
            let unit = denominator.isPlayers ? denominator.title : "attempts"
            text += " per \(unit): A \(column.format(d.baseline)) of \(d.baselineTrials.map(Format.count) ?? "—")"
                + " · B \(column.format(d.variant)) of \(d.variantTrials.map(Format.count) ?? "—")"
            if denominator == .fails { text = text.replacingOccurrences(of: "per attempts", with: "per fails") }
            if let test = d.test {
                text += " · B−A \(signed(column, d.difference)) · z \(Format.decimal(test.z, places: 2)) · p \(pText(test.pValue))"
                if test.isSignificant { text += " · significant (p < \(ZTest.alpha))" }
            } else {
                text += " · no test"
            }
        } else {
            text += ": A \(column.format(d.baseline)) · B \(column.format(d.variant)) · B−A \(signed(column, d.difference))"
        }
        if level.entrantsDiffer { text += " · ! entrants differ: rates are per entrant" }
        return text
    }

    static func pText(_ p: Double) -> String {
        p < 0.0001 ? "<0.0001" : Format.decimal(p, places: 4)
    }

    // MARK: Breakdown

    static func drawBreakdown(_ screen: inout Screen, _ state: DashboardState, _ v: BreakdownViewState, theme: Theme) {
        var right = ""
        if let result = v.result, let id = result.levelIds[safe: v.grid.row] {
            right = "level \(id) · row \(v.grid.row + 1)/\(result.levelIds.count) · \(result.groups[safe: v.grid.column + 1]?.label ?? "") "
        }
        title(&screen, " Breakdown · \(v.dimension.title) · \(v.query.game)", right)
        info(&screen, "top \(v.top) values by players, then Other  ·  \(v.query.range.from) → \(v.query.range.to)"
             + " · \(v.result?.query.filters.summary ?? v.query.filters.summary)")
        guard let result = v.result else {
            notice(&screen, v.error.map { "breakdown failed: \($0)" } ?? "Loading every value…", role: v.error == nil ? .normal : .messageError)
            return
        }
        guard !result.levelIds.isEmpty else { notice(&screen, "No level events in this selection."); return }
        let ids = result.levelIds
        let groups = result.groups.map { group -> GridGroup in
            let title = group.label + (group.players.map { " · \(Format.count($0)) players" } ?? " · players n/a")
            return GridGroup(title: title, columns: BreakdownViewState.columns.map { column in
                GridColumn(title: BreakdownViewState.title(column), cells: ids.map { id in
                    let value = column.field.flatMap { group.value($0, level: id) }
                    return (column.format(value), value == nil ? StyleRole.null : (column.isChurn ? theme.churnRole(value) : nil))
                })
            })
        }
        // All stays on the left while a value's group fits beside it; on a narrow terminal it scrolls with them.
        let level = levelColumn(ids)
        let widest = groups.dropFirst().map(\.width).max() ?? 0
        if level.width + groups[0].width + widest + 3 * GridGroup.groupGap + 2 <= screen.width {
            drawGrid(&screen, frozen: [level, groups[0]], groups: Array(groups.dropFirst()), grid: v.grid, rows: ids.count)
        } else {
            var grid = v.grid
            grid.column += 1
            drawGrid(&screen, frozen: [level], groups: groups, grid: grid, rows: ids.count)
        }
        var notes: [String] = []
        if result.valuesPlayers > result.totalPlayers {
            notes.append("players in several values: the values' \(Format.count(result.valuesPlayers)) players"
                         + " are more than the \(Format.count(result.totalPlayers)) in All")
        }
        if !result.otherValues.isEmpty { notes.append("Other: \(result.otherValues.joined(separator: ", ")) and no value") }
        detail(&screen, notes.isEmpty ? "each value is an exact query; Other's players are not counted (a player can be in several)"
               : notes.joined(separator: " · "), role: result.overlapNote == nil ? .null : .churnWarn)
    }

    // MARK: Spikes

    static func drawSpikes(_ screen: inout Screen, _ state: DashboardState, _ v: SpikesViewState, theme: Theme) {
        let fields = SpikeRanking.fields
        var right = ""
        if let entry = v.ranking[safe: v.grid.row] { right = "level \(entry.levelId) · rank \(v.grid.row + 1)/\(v.ranking.count) " }
        title(&screen, " Difficulty spikes · \(v.result.query.game)", right)
        info(&screen, "levels ranked by how far they stand above the median of the \(SpikeRanking.defaultWindow) levels on each side"
             + "  ·  \(v.result.query.range.from) → \(v.result.query.range.to) · \(v.result.query.filters.summary)")
        let ranking = v.ranking
        let frozen = [GridGroup(title: "", columns: [
            GridColumn(title: "Rank", cells: ranking.indices.map { (String($0 + 1), nil) }),
            GridColumn(title: "Level", cells: ranking.map { (String($0.levelId), StyleRole.level) }),
            GridColumn(title: "Score", cells: ranking.map { (Format.decimal($0.score, places: 1), nil) }),
        ])]
        let groups = fields.map { field -> GridGroup in
            let column = ColumnID(rawValue: field.name)!
            let measures = ranking.map { $0.measure(field.name) }
            return GridGroup(title: column.fullName, columns: [
                GridColumn(title: "value", cells: measures.map { ($0.map { column.format($0.value) } ?? Format.null, $0 == nil ? .null : nil) }),
                GridColumn(title: "median", cells: measures.map { ($0.map { column.format($0.median) } ?? Format.null, $0 == nil ? .null : nil) }),
                GridColumn(title: "excess", cells: measures.map { m in
                    let z = m?.robustZ ?? 0
                    return (m.map { signed(column, $0.excess) } ?? Format.null,
                            m == nil ? .null : (z >= 3 ? StyleRole.churnBad : z >= 2 ? .churnWarn : nil))
                }),
            ])
        }
        drawGrid(&screen, frozen: frozen, groups: groups, grid: v.grid, rows: ranking.count)
        if let entry = ranking[safe: v.grid.row] {
            let standouts = entry.measures.filter { ($0.robustZ ?? 0) >= 2 }.map { m -> String in
                let column = ColumnID(rawValue: m.field)!
                return "\(column.fullName) \(column.format(m.value)) vs \(column.format(m.median)) around"
            }
            detail(&screen, "level \(entry.levelId): " + (standouts.isEmpty ? "nothing stands out (robust z < 2)" : standouts.joined(separator: " · ")),
                   role: standouts.isEmpty ? .null : .churnWarn)
        }
    }
}
