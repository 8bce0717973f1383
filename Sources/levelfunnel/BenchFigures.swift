import LevelFunnelCore

/// What the benches share: fast and raw answers timed side by side, percentiles, and figures for people.
enum BenchFigures {
    /// Timed answers to a set of selections.
    struct Samples {
        /// `queryMs` of every fast run, selection by selection.
        var fast: [[Double]] = []
        /// `queryMs` of every raw run, selection by selection.
        var raw: [[Double]] = []
        /// The first fast answer of each selection.
        var firstFast: [FunnelResult] = []
        /// Raw answers compared field by field with the fast answer of their run, and how many differed.
        var compared = 0
        var differed = 0

        var allFast: [Double] { fast.flatMap { $0 } }
        var allRaw: [Double] { raw.flatMap { $0 } }
        var exact: Bool { differed == 0 }
    }

    /// Each selection `runs` times on the fast path, its first `rawRuns` runs on the raw path too (interleaved),
    /// each raw answer compared with the fast answer of its run (`FunnelComparison`: exact, no tolerance).
    static func sample(_ store: LevelFunnelStore, _ selections: [FunnelQuery], runs: Int, rawRuns: Int) throws -> Samples {
        var samples = Samples()
        for query in selections {
            var fast: [Double] = [], raw: [Double] = []
            for run in 0..<runs {
                let f = try store.funnel(query, source: .fast)
                fast.append(f.queryMs)
                if run == 0 { samples.firstFast.append(f) }
                if run < rawRuns {
                    let r = try store.funnel(query, source: .raw)
                    raw.append(r.queryMs)
                    samples.compared += 1
                    if !FunnelComparison.differences(fast: f.levels, raw: r.levels).isEmpty { samples.differed += 1 }
                }
            }
            samples.fast.append(fast)
            samples.raw.append(raw)
        }
        return samples
    }

    /// The `p` quantile (0...1) of `values`, interpolated between neighbours; 0 for none.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }

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
