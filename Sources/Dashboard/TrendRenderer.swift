import LevelFunnelCore

/// The trend view: one small bar chart per metric over the level's days, the day under the cursor marked.
extension AnalysisRenderer {
    /// Eighths of a cell, bottom-up.
    static let eighths: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Where the charts go: the label column, the chart's columns and the days they show.
    struct TrendLayout {
        static let labelWidth = 15
        static let chartX = labelWidth + 2
        /// The day index the chart's first column shows, and the days shown.
        var firstDay: Int
        var shown: Range<Int>
        var chartHeight: Int
        /// How many of the metrics fit.
        var charts: Int

        init(days: Int, cursor: Int, screen: Screen) {
            let chartWidth = max(1, screen.width - Self.chartX - 1)
            // The days on screen: all when they fit, else a window that holds the cursor.
            firstDay = days <= chartWidth ? 0 : max(0, min(cursor - chartWidth / 2, days - chartWidth))
            shown = firstDay..<min(days, firstDay + chartWidth)
            let area = screen.height - 3 - 3   // rows 2 ..< height-4, the axis on height-4
            charts = max(1, min(TrendViewState.columns.count, area / 2))
            chartHeight = max(1, min(4, area / charts - 1))
        }
    }

    static func drawTrend(_ screen: inout Screen, _ state: DashboardState, _ v: TrendViewState) {
        let days = v.query.range.days
        let day = days[safe: v.day] ?? v.query.range.to
        title(&screen, " Trend · level \(v.level) · \(v.query.game)", "\(day) · day \(v.day + 1)/\(days.count) ")
        info(&screen, "\(v.query.range.from) → \(v.query.range.to) · \(v.query.filters.summary) · one exact fast query per day with events"
             + (v.series.map { " (\(Format.milliseconds($0.queryMs)) in all)" } ?? ""))
        guard let series = v.series else {
            notice(&screen, v.error.map { "trend failed: \($0)" } ?? "Loading \(days.count) days… (Esc cancels)", role: v.error == nil ? .normal : .messageError)
            return
        }
        let layout = TrendLayout(days: days.count, cursor: v.day, screen: screen)
        var y = 2
        for column in TrendViewState.columns.prefix(layout.charts) {
            drawTrendChart(&screen, column, values: series.values(column.field!, level: v.level), day: day, cursor: v.day,
                           layout: layout, y: y)
            y += layout.chartHeight + 1
        }
        drawTrendAxis(&screen, days: days, day: day, cursor: v.day, layout: layout, y: min(y, screen.height - 4))
        let point = series.points[safe: v.day]
        let m = point?.level(v.level)
        let values = TrendViewState.columns.map { c in "\(c.fullName) \(c.format(m.flatMap { c.value($0) }))" }
        detail(&screen, "\(day): " + (m == nil ? "no events of level \(v.level) that day" : values.joined(separator: " · ")),
               role: .normal)
    }

    /// One metric from row `y`: its name and its value on the cursor's day (with its range) on the first line, then
    /// the bars, scaled from its lowest value to its highest, the highest and lowest written beside them.
    static func drawTrendChart(_ screen: inout Screen, _ column: ColumnID, values: [Double?], day: Day, cursor: Int,
                               layout: TrendLayout, y: Int) {
        let labelWidth = TrendLayout.labelWidth, chartX = TrendLayout.chartX, chartHeight = layout.chartHeight
        let defined = values.compactMap { $0 }
        // From the lowest value to the highest: a change shows even when it is small next to the values.
        let lo = defined.min() ?? 0, hi = max(defined.max() ?? 0, lo)
        let current = values[safe: cursor] ?? nil
        screen.write(column.fullName.truncated(toWidth: labelWidth), x: 1, y: y, role: .header)
        var label = "\(column.format(current)) on \(day)"
        if !defined.isEmpty { label += "  ·  min \(column.format(defined.min())) · max \(column.format(defined.max()))" }
        screen.write(label.truncated(toWidth: screen.width - chartX - 1), x: chartX, y: y, role: .normal)
        for row in 0..<chartHeight {
            let cy = y + 1 + row
            let fromBottom = chartHeight - 1 - row
            if row == 0 { screen.write(column.format(hi).padded(toWidth: labelWidth, alignment: .right), x: 0, y: cy, role: .null) }
            if row == chartHeight - 1 && chartHeight > 1 {
                screen.write(column.format(lo).padded(toWidth: labelWidth, alignment: .right), x: 0, y: cy, role: .null)
            }
            for (i, index) in layout.shown.enumerated() {
                var glyph: Character = " "
                if let value = values[index] {
                    // One eighth for the lowest value, every eighth of the height for the highest.
                    let total = hi > lo ? 1 + Int(((value - lo) / (hi - lo) * Double(chartHeight * 8 - 1)).rounded()) : 1
                    glyph = eighths[max(0, min(8, total - fromBottom * 8))]
                } else if fromBottom == 0 {
                    glyph = "·"
                }
                screen.write(String(glyph), x: chartX + i, y: cy, role: index == cursor ? .rowCursor : (values[index] == nil ? .null : .bar))
            }
        }
    }

    /// The axis under the charts: the first and last day shown, and the cursor's day marked under its column.
    static func drawTrendAxis(_ screen: inout Screen, days: [Day], day: Day, cursor: Int, layout: TrendLayout, y axisY: Int) {
        guard axisY >= 2 else { return }
        let chartX = TrendLayout.chartX, shown = layout.shown
        screen.fill(x: 0, y: axisY, width: screen.width, height: 1, role: .normal)
        let from = days[shown.lowerBound].iso, to = days[shown.upperBound - 1].iso
        let cursorX = chartX + cursor - layout.firstDay
        let toX = chartX + shown.count - to.count
        if cursorX > chartX + from.count { screen.write(from, x: chartX, y: axisY, role: .null) }
        if shown.count > from.count * 2 + 2 && cursorX < toX - 1 { screen.write(to, x: toX, y: axisY, role: .null) }
        screen.write("↑ " + day.iso, x: min(cursorX, screen.width - 13), y: axisY, role: .header)
    }
}
