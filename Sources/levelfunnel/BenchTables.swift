import Foundation
import LevelFunnelBench

/// How `bench --scale` and `bench --morning` print their results: as they are (`--format json`, one line, for
/// scripts), or as a table for people.
extension ScaleBench {
    static func json(_ results: [Result]) -> String { JSONOutput.encode(results, orEmpty: "[]") }

    static func table(_ results: [Result], database: String) -> String {
        func n(_ value: Double, _ decimals: Int = 0) -> String { BenchText.grouped(value, decimals) }
        var rows: [(String, [String])] = [
            ("players", results.map { n(Double($0.players)) }),
            ("days", results.map { "\($0.days)" }),
            ("level events", results.map { n(Double($0.levelEvents)) }),
            ("generate events/s", results.map { $0.generateEventsPerSecond.map { n($0) } ?? "reused" }),
            ("backfill s", results.map { n($0.backfillSeconds, 1) }),
            ("backfill level events/s", results.map { n($0.backfillEventsPerSecond) }),
            ("raw scan level events/s", results.map { n($0.rawScanEventsPerSecond) }),
            ("backfill / raw scan", results.map { n($0.backfillToRawScan, 2) + (($0.backfillToRawScan >= 1.0 / 3) ? "" : " (< 1/3)") }),
        ]
        for number in timedDays {
            let key = "day\(number)"
            guard results.contains(where: { $0.daySeconds[key] != nil }) else { continue }
            rows.append(("day \(number): seconds (level events)", results.map { r in
                r.daySeconds[key].map { n($0, 2) + " (" + n(Double(r.dayLevelEvents[key] ?? 0)) + ")" } ?? "-" }))
        }
        rows += [
            ("fast p50 / p95 ms", results.map { n($0.fastP50Ms, 1) + " / " + n($0.fastP95Ms, 1) }),
            ("raw p50 / p95 ms", results.map { n($0.rawP50Ms) + " / " + n($0.rawP95Ms) }),
            ("raw / fast (p50)", results.map { n($0.rawP50Ms / max($0.fastP50Ms, 0.001)) + "x" }),
            ("events MB", results.map { n($0.eventsMB) }),
            ("aggregates MB (% of events)", results.map { n($0.aggregatesMB) + " (" + n($0.aggregatesPercent, 1) + "%)" }),
            ("fast = raw on every selection", results.map { $0.exact ? "yes" : "NO" }),
        ]
        let width = max(16, rows.flatMap(\.1).map(\.count).max() ?? 0) + 2
        let label = rows.map(\.0.count).max()! + 2
        var out = "database \(database); \(results.first?.selections ?? 0) selections, medians in-process\n"
        out += "".padding(toLength: label, withPad: " ", startingAt: 0)
            + results.map { BenchText.pad("\($0.scale)x", width) }.joined() + "\n"
        for (name, values) in rows {
            out += name.padding(toLength: label, withPad: " ", startingAt: 0) + values.map { BenchText.pad($0, width) }.joined() + "\n"
        }
        return out
    }
}

extension MorningBench {
    static func json(_ results: [Result]) -> String { JSONOutput.encode(results, orEmpty: "[]") }

    static func table(_ results: [Result], database: String) -> String {
        let n = BenchText.grouped
        var out = "database \(database); 6 selections: the last 30 and 7 days up to today, with no filter, 1 and 3 filters; "
            + "queryMs in-process\n"
        for r in results {
            out += "\n\(r.scale)x  \(r.game): \(n(Double(r.players), 0)) players, \(r.from)..\(r.to), "
                + "\(n(Double(r.levelEvents), 0)) level events (generated at \(n(r.generateEventsPerSecond, 0)) events/s), "
                + "backfilled in \(n(r.backfillSeconds, 1)) s\n"
            out += "    morning: + \(n(Double(r.todayLevelEvents), 0)) level events of today until \(r.todayUntil) UTC "
                + "(\(n(100 * r.todayShareOfDay, 0))% of a day) + \(n(Double(r.lateLevelEvents), 0)) late ones "
                + "(0.5% of each of the last \(lateDays) days, received now)\n"
            let rows: [(String, State)] = [("night", r.night), ("morning", r.morning), ("after refresh", r.afterRefresh),
                                           ("a minute later", r.minute)]
            let cells = rows.map { name, s in
                [name, n(s.fastP50Ms, 1) + " / " + n(s.fastP95Ms, 1) + " / " + n(s.fastMaxMs, 1),
                 n(s.rawMinMs, 0) + " – " + n(s.rawMaxMs, 0),
                 s.differed == 0 ? "yes (\(s.compared))" : "NO (\(s.differed) of \(s.compared))", s.coverage]
            }
            let header = ["state", "fast p50 / p95 / worst ms", "raw ms", "fast = raw", "coverage (30 days)"]
            let widths = (0..<header.count).map { column in ([header] + cells).map { $0[column].count }.max()! }
            for line in [header] + cells {
                out += "    " + line[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    + (1...3).map { "  " + BenchText.pad(line[$0], widths[$0]) }.joined() + "  " + line[4] + "\n"
            }
            let a = r.refreshApplied
            out += "    refresh (applies the morning's changes): \(n(r.refreshSeconds, 2)) s: \(n(Double(a.changes), 0)) changes "
                + "(\(n(Double(a.changedRows), 0)) event rows) applied to \(a.days) days as deltas "
                + "(\(a.rowsUpdated)/\(a.rowsInserted)/\(a.rowsRemoved) cell rows updated/inserted/removed), "
                + "\(r.refreshDays) days re-aggregated (today's first time, and \(a.daysToRebuild) days whose additive dimensions changed)\n"
            out += "    a minute later: \(n(Double(r.minuteLevelEvents), 0)) level events pending (today's and late ones at the "
                + "morning's rates); applying them (refresh, as schedule does every minute): \(n(r.applyMinuteSeconds, 2)) s\n"
            if let f = r.freshProcess {
                out += "    a new `levelfunnel query` process (\(f.range), aggregated, no filter; \(f.runs) runs): queryMs p50 "
                    + "\(n(f.queryP50Ms, 1)) (best \(n(f.queryMinMs, 1))), the whole process p50 \(n(f.wallP50Ms, 0)) ms\n"
            }
            let c = r.capture
            if let overhead = c.overheadPercent, let events = c.events, let without = c.withoutTriggersSeconds,
               let with = c.withTriggersSeconds {
                out += "    change capture: COPY of \(n(Double(events), 0)) events \(n(with, 2)) s with the triggers on events "
                    + "(\(c.triggers.joined(separator: ", "))), \(n(without, 2)) s without: "
                    + (overhead >= 0 ? "+" : "") + n(overhead, 1) + "%\n"
            } else {
                out += "    change capture: no capture trigger installed\n"
            }
        }
        return out
    }
}

/// Figures for people in the bench tables.
enum BenchText {
    /// `1234567.8` → `1,234,567.8` (with `decimals` decimals).
    static func grouped(_ value: Double, _ decimals: Int = 0) -> String {
        let text = String(format: "%.\(decimals)f", value)
        let parts = text.split(separator: ".", maxSplits: 1)
        var digits = String(parts[0]), grouped = ""
        let sign = digits.hasPrefix("-") ? "-" : ""
        if !sign.isEmpty { digits.removeFirst() }
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return sign + String(grouped.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// `text` right-aligned in `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
