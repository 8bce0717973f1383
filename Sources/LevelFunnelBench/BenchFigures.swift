import LevelFunnelCore

/// What the benches share: fast and raw answers timed side by side, and percentiles.
public enum BenchFigures {
    /// Timed answers to a set of selections.
    public struct Samples: Sendable {
        /// `queryMs` of every fast run, selection by selection.
        public var fast: [[Double]] = []
        /// `queryMs` of every raw run, selection by selection.
        public var raw: [[Double]] = []
        /// The first fast answer of each selection.
        public var firstFast: [FunnelResult] = []
        /// Raw answers compared field by field with the fast answer of their run, and how many differed.
        public var compared = 0
        public var differed = 0

        public var allFast: [Double] { fast.flatMap { $0 } }
        public var allRaw: [Double] { raw.flatMap { $0 } }
        public var exact: Bool { differed == 0 }
    }

    /// Each selection `runs` times on the fast path, its first `rawRuns` runs on the raw path too (interleaved),
    /// each raw answer compared with the fast answer of its run (`FunnelComparison`: exact, no tolerance).
    public static func sample(_ store: LevelFunnelStore, _ selections: [FunnelQuery], runs: Int, rawRuns: Int) throws -> Samples {
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
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down)), high = Int(rank.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }

    /// Raw runs per selection: at most 3, and 1 from 100x on (a raw query there takes up to a minute).
    public static func rawRuns(_ runs: Int, scale: Int) -> Int { scale >= 100 ? 1 : min(runs, 3) }
}

/// The games the benches generate, and how a database of their own is recognised: it holds only these.
public enum BenchGames {
    /// 5,000 players at 1x.
    public static func players(scale: Int) -> Int { 5_000 * scale }

    /// The seed of every generated game's history.
    public static let seed: UInt64 = 7

    /// The game `bench --scale N` generates.
    public static func scaleGame(_ scale: Int) -> String { "scale\(scale)" }

    /// The game `bench --morning N` generates.
    public static func morningGame(_ scale: Int) -> String { "morning\(scale)" }

    /// Every name `scaleGame` and `morningGame` give, as a POSIX regular expression.
    public static let pattern = "^(scale|morning)[1-9][0-9]*$"
}
