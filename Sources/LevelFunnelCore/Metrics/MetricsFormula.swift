/// The dashboard's derived-metric formulas, shared by every path so that raw and fast answers agree.
///
/// Definitions follow `shared/design/metrics-contract.md`: every ratio is `nil` when its denominator is 0;
/// *next level* is the next `levelId` present in the result and *first level* the lowest one.
public enum MetricsFormula {
    /// Derives every metric for `counts` (any order); returns levels ordered by `levelId`.
    public static func derive(_ counts: [LevelCounts]) -> [LevelMetrics] {
        let sorted = counts.sorted { $0.levelId < $1.levelId }
        guard let first = sorted.first else { return [] }
        return sorted.indices.map { index in
            let next = index + 1 < sorted.count ? sorted[index + 1] : nil
            return metrics(for: sorted[index], next: next, first: first)
        }
    }

    /// Metrics of one level given its successor in the result (nil on the last level) and the first level.
    public static func metrics(for c: LevelCounts, next: LevelCounts?, first: LevelCounts) -> LevelMetrics {
        var m = LevelMetrics(counts: c)
        let ended = c.completes + c.fails
        m.churnStartComplete = percent(c.startedPlayers - c.completedPlayers, of: c.startedPlayers)
        if let next {
            m.churnCompleteNext = percent(c.completedPlayers - next.startedPlayers, of: c.completedPlayers)
            m.churnTotal = percent(c.startedPlayers - next.startedPlayers, of: c.startedPlayers)
        }
        m.boosterUsage = percent(c.usersWithBoosters, of: ended)
        m.egpRate = percent(c.failsWithPurchase, of: c.fails)
        m.winRate = percent(c.completes, of: ended)
        m.completionRate = percent(c.completedPlayers, of: c.startedPlayers)
        m.failRate = percent(c.fails, of: ended)
        m.funnelRate = percent(c.completedPlayers, of: first.completedPlayers)
        m.apsRaw = ratio(Double(c.starts), Double(c.completedPlayers))
        m.apsClean = ratio(Double(c.completes), Double(ended))
        m.meanCompletionDuration = ratio(c.totalCompletionDuration.doubleValue, Double(c.completionCount))
        m.meanFailDuration = ratio(c.totalFailDuration.doubleValue, Double(c.failCount))
        return m
    }

    private static func percent(_ numerator: Int, of denominator: Int) -> Double? {
        ratio(Double(numerator), Double(denominator)).map { $0 * 100 }
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
        denominator == 0 ? nil : numerator / denominator
    }
}
