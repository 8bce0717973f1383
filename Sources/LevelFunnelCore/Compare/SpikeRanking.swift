/// Difficulty spikes: levels whose fail rate, attempts per success, churn and booster use stand above their
/// neighbours'. A level's neighbours are the `window` levels on each side (itself left out); its excess on a
/// measure is its value less the neighbours' median, and its robust z the excess over the spread of every level's
/// excess (1.4826 × the median absolute excess). The score is the sum of the positive robust z's.
public enum SpikeRanking {
    /// The measures looked at: fail %, attempts per success (APS raw), churn start→complete % (players who
    /// started the level and never completed it) and booster %.
    public static let fieldNames = ["failRate", "apsRaw", "churnStartComplete", "boosterUsage"]
    public static var fields: [MetricField] { fieldNames.compactMap(MetricFields.named) }

    /// Levels on each side that make a level's neighbourhood.
    public static let defaultWindow = 3

    /// One measure of one level against its neighbours.
    public struct Excess: Sendable, Hashable {
        public var field: String
        public var value: Double
        /// The median of the neighbours' values.
        public var median: Double
        /// value − median.
        public var excess: Double { value - median }
        /// excess / robust spread (nil when every level has the same excess).
        public var robustZ: Double?
    }

    /// One level's standing.
    public struct Entry: Sendable, Hashable {
        public var levelId: Int
        /// Sum of the positive robust z's: 0 when nothing stands out.
        public var score: Double
        /// In `fields` order (a measure undefined on the level, or on all its neighbours, is left out).
        public var measures: [Excess]
        public func measure(_ field: String) -> Excess? { measures.first { $0.field == field } }
    }

    /// Every level, highest score first (ties in level order).
    public static func rank(_ levels: [LevelMetrics], window: Int = defaultWindow) -> [Entry] {
        let sorted = levels.sorted { $0.levelId < $1.levelId }
        var entries = sorted.map { Entry(levelId: $0.levelId, score: 0, measures: []) }
        for field in fields {
            let values = sorted.map(field.value)
            var found: [(index: Int, measure: Excess)] = []
            for (i, value) in values.enumerated() {
                guard let value else { continue }
                let lo = max(0, i - window), hi = min(values.count - 1, i + window)
                let neighbours = (lo...hi).filter { $0 != i }.compactMap { values[$0] }
                guard let median = median(neighbours) else { continue }
                found.append((i, Excess(field: field.name, value: value, median: median, robustZ: nil)))
            }
            let spread = (median(found.map { abs($0.measure.excess) }) ?? 0) * 1.4826
            for (i, var measure) in found {
                if spread > 0 { measure.robustZ = measure.excess / spread }
                entries[i].measures.append(measure)
                entries[i].score += max(0, measure.robustZ ?? 0)
            }
        }
        return entries.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
