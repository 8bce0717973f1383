/// One field of a level in the contract's output: its name and how to read it from a level's metrics.
public struct MetricField: Sendable, Hashable, CustomStringConvertible {
    /// The contract's field name (`startedPlayers`, `winRate`, ...).
    public let name: String
    /// True for whole-number fields (event and player counts).
    public let isCount: Bool
    private let read: @Sendable (LevelMetrics) -> Double?
    /// Counts and sums: their exact value (nil for the derived ratios, which are `Double`s computed alike on
    /// every path from exact counts).
    private let readExact: (@Sendable (LevelMetrics) -> ExactDecimal)?

    init(name: String, isCount: Bool, read: @escaping @Sendable (LevelMetrics) -> Double?,
         exact: (@Sendable (LevelMetrics) -> ExactDecimal)? = nil) {
        self.name = name
        self.isCount = isCount
        self.read = read
        self.readExact = exact
    }

    /// The field's value for one level (nil where undefined), for display and ratios: a sum is rounded to the
    /// nearest `Double` here; ``exactValue(_:)`` and ``text(_:)`` keep it exact.
    public func value(_ metrics: LevelMetrics) -> Double? { read(metrics) }

    /// The exact value of a count or sum; nil for derived fields.
    public func exactValue(_ metrics: LevelMetrics) -> ExactDecimal? { readExact?(metrics) }

    /// The field as JSON and CSV write it, nil where undefined: counts and sums exactly, derived values as the
    /// shortest text that reads back as the same `Double`. Two answers agree on a field exactly when these agree.
    public func text(_ metrics: LevelMetrics) -> String? {
        if let exact = exactValue(metrics) { return exact.description }
        return value(metrics).map(JSONText.number)
    }

    public var description: String { name }
    public static func == (a: MetricField, b: MetricField) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The contract's fields of a level, in output order: the one list that JSON, CSV, tables, verify and
/// comparisons all follow. The counted fields come from `Measure.all`, the derived ones from `LevelMetrics`.
public enum MetricFields {
    /// Every field after `levelId`, in the contract's order.
    public static let all: [MetricField] = Measure.all.map { measure in
        MetricField(name: measure.name, isCount: measure.isCount, read: { measure.value($0.counts).doubleValue },
                    exact: { measure.value($0.counts) })
    } + derived

    private static let derived: [MetricField] = [
        ("churnStartComplete", \LevelMetrics.churnStartComplete), ("churnCompleteNext", \.churnCompleteNext),
        ("churnTotal", \.churnTotal), ("boosterUsage", \.boosterUsage), ("egpRate", \.egpRate), ("winRate", \.winRate),
        ("completionRate", \.completionRate), ("failRate", \.failRate), ("funnelRate", \.funnelRate),
        ("apsRaw", \.apsRaw), ("apsClean", \.apsClean),
        ("meanCompletionDuration", \.meanCompletionDuration), ("meanFailDuration", \.meanFailDuration),
    ].map { name, path in
        nonisolated(unsafe) let path = path
        return MetricField(name: name, isCount: false, read: { $0[keyPath: path] })
    }

    /// Field names after `levelId`, in the contract's order.
    public static let names: [String] = all.map(\.name)

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The field called `name`, if the contract has one.
    public static func named(_ name: String) -> MetricField? { byName[name] }
}
