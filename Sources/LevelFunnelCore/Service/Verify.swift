/// One field of one level on which the fast and raw paths disagree.
public struct FieldDifference: Sendable, Hashable {
    public var levelId: Int
    /// The contract's field name (`startedPlayers`, `winRate`, ...).
    public var field: String
    public var fast: Double?
    public var raw: Double?

    public init(levelId: Int, field: String, fast: Double?, raw: Double?) {
        self.levelId = levelId
        self.field = field
        self.fast = fast
        self.raw = raw
    }
}

/// The comparison of the fast and raw answers to one query.
public struct VerifyReport: Sendable, Hashable {
    public var query: FunnelQuery
    public var fastMs: Double
    public var rawMs: Double
    public var levelsCompared: Int
    public var differences: [FieldDifference]

    public init(query: FunnelQuery, fastMs: Double, rawMs: Double, levelsCompared: Int, differences: [FieldDifference]) {
        self.query = query
        self.fastMs = fastMs
        self.rawMs = rawMs
        self.levelsCompared = levelsCompared
        self.differences = differences
    }

    public var isExact: Bool { differences.isEmpty }
}

/// Compares funnel answers field by field.
public enum FunnelComparison {
    /// Every difference between `fast` and `raw` beyond float rounding (relative 1e-9), level by level.
    /// A level present on one side only differs on every field.
    public static func differences(fast: [LevelMetrics], raw: [LevelMetrics]) -> [FieldDifference] {
        let fastByLevel = Dictionary(uniqueKeysWithValues: fast.map { ($0.levelId, $0) })
        let rawByLevel = Dictionary(uniqueKeysWithValues: raw.map { ($0.levelId, $0) })
        var result: [FieldDifference] = []
        for level in Set(fastByLevel.keys).union(rawByLevel.keys).sorted() {
            for field in MetricFields.all {
                let f = fastByLevel[level].flatMap(field.value), r = rawByLevel[level].flatMap(field.value)
                if !same(f, r) { result.append(FieldDifference(levelId: level, field: field.name, fast: f, raw: r)) }
            }
        }
        return result
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        default: return false
        }
    }
}
