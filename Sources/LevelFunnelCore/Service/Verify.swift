/// One field of one level on which the fast and raw paths disagree.
public struct FieldDifference: Sendable, Hashable {
    public var levelId: Int
    /// The contract's field name (`startedPlayers`, `winRate`, ...).
    public var field: String
    /// Each side's value as JSON writes it (``MetricField/text(_:)``: counts and sums exact), nil when undefined.
    public var fast: String?
    public var raw: String?

    public init(levelId: Int, field: String, fast: String?, raw: String?) {
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

/// Compares funnel answers field by field, exactly.
public enum FunnelComparison {
    /// Every field on which `fast` and `raw` differ, level by level: counts and sums as exact decimals, derived
    /// values as `Double`s to the last bit (both paths derive them alike from the counts), with no tolerance.
    /// A level present on one side only differs on every field.
    public static func differences(fast: [LevelMetrics], raw: [LevelMetrics]) -> [FieldDifference] {
        let fastByLevel = Dictionary(uniqueKeysWithValues: fast.map { ($0.levelId, $0) })
        let rawByLevel = Dictionary(uniqueKeysWithValues: raw.map { ($0.levelId, $0) })
        var result: [FieldDifference] = []
        for level in Set(fastByLevel.keys).union(rawByLevel.keys).sorted() {
            for field in MetricFields.all {
                let f = fastByLevel[level].flatMap(field.text), r = rawByLevel[level].flatMap(field.text)
                if f != r { result.append(FieldDifference(levelId: level, field: field.name, fast: f, raw: r)) }
            }
        }
        return result
    }
}
