/// One selection broken down by the values of a dimension: a group per value (the top N by players), then
/// "Other", each an exact funnel of its own.
public struct Breakdown: Sendable {
    /// One column group.
    public struct Group: Sendable {
        public enum Kind: Sendable, Hashable {
            /// Every value (the selection without a filter on the dimension).
            case total
            /// One value: the selection with the dimension = `value` (an exact fast query).
            case value(String)
            /// Every event of the other values and of no value (NULL): the total's events less the shown values'.
            /// Event counts and the rates made of them are exact; player counts are not (a player may count in a
            /// shown value and in another), so player fields are undefined here.
            case other
        }

        public var kind: Kind
        /// Levels by id.
        public var levels: [Int: LevelMetrics]
        /// The exact query that answered the total or a value (its source and coverage); nil for Other, which is
        /// made of the total and the shown values.
        public var result: FunnelResult?
        /// The most started players of any level (usually level 1): what values are ranked by. nil for Other.
        public var players: Int?

        /// `All`, the value, or `Other`.
        public var label: String {
            switch kind {
            case .total: "All"
            case .value(let v): v
            case .other: "Other"
            }
        }

        /// The value of `field` for `level`: nil where undefined, and for player fields of Other.
        public func value(_ field: MetricField, level: Int) -> Double? {
            if kind == .other && Breakdown.playerFields.contains(field.name) { return nil }
            return levels[level].flatMap(field.value)
        }

        /// `value` as JSON and CSV write it (counts and sums exact, see ``MetricField/text(_:)``).
        public func text(_ field: MetricField, level: Int) -> String? {
            if kind == .other && Breakdown.playerFields.contains(field.name) { return nil }
            return levels[level].flatMap(field.text)
        }
    }

    public var query: FunnelQuery
    public var dimension: Dimension
    /// All, then the top values by players (most first), then Other when values were left out or events have no value.
    public var groups: [Group]
    /// Values beyond the top N, folded into Other.
    public var otherValues: [String]
    /// The sum of every value's players (at the level where each value has the most) and the total's players:
    /// when the sum is larger, players fall under several values (an app upgrade, a second device).
    public var valuesPlayers: Int
    public var totalPlayers: Int
    /// Every level id in any group.
    public var levelIds: [Int]

    /// A line for people when a player falls under several values, else nil.
    public var overlapNote: String? {
        guard valuesPlayers > totalPlayers else { return nil }
        return "players can fall under several \(dimension.title.lowercased()) values: the values' players add up to "
            + "\(valuesPlayers), more than the \(totalPlayers) of the whole selection"
    }

    /// Fields that depend on distinct-player counts (undefined in Other): those that change when only the
    /// player counts change.
    public static let playerFields: Set<String> = {
        let a = LevelCounts(levelId: 1, starts: 50, completes: 30, fails: 20, startedPlayers: 20, completedPlayers: 15,
                            usersWithBoosters: 5, failsWithPurchase: 2, totalCompletionDuration: 90, completionCount: 30,
                            totalFailDuration: 40, failCount: 20)
        var b = a
        b.startedPlayers = 25
        b.completedPlayers = 12
        // The same second level after each: its funnel % and the first level's churn to it depend on level 1's players.
        var next = a
        next.levelId = 2
        let ma = MetricsFormula.derive([a, next]), mb = MetricsFormula.derive([b, next])
        return Set(MetricFields.all.filter { f in zip(ma, mb).contains { f.value($0) != f.value($1) } }.map(\.name))
    }()

    /// Loads the total and every value of `dimension` (among `values`), keeps the `top` values with the most
    /// players and folds the rest into Other. The dimension's own filter (and a child's) is dropped from `query`.
    public static func load(_ query: FunnelQuery, dimension: Dimension, values: [String], top: Int,
                            funnel: (FunnelQuery) throws -> FunnelResult) throws -> Breakdown {
        var base = query
        base.filters[dimension] = nil
        for child in Dimension.allCases where child.parent == dimension { base.filters[child] = nil }
        let total = try funnel(base)
        var ranked: [(value: String, result: FunnelResult, players: Int)] = try values.map { value in
            var one = base
            one.filters[dimension] = value
            let result = try funnel(one)
            return (value, result, result.levels.map(\.counts.startedPlayers).max() ?? 0)
        }
        ranked.sort { $0.players != $1.players ? $0.players > $1.players : $0.value < $1.value }
        let shown = ranked.prefix(max(0, top)).filter { $0.players > 0 || !$0.result.levels.isEmpty }
        let byLevel = { (levels: [LevelMetrics]) in Dictionary(uniqueKeysWithValues: levels.map { ($0.levelId, $0) }) }
        var groups = [Group(kind: .total, levels: byLevel(total.levels), result: total,
                            players: total.levels.map(\.counts.startedPlayers).max() ?? 0)]
        groups += shown.map { Group(kind: .value($0.value), levels: byLevel($0.result.levels), result: $0.result, players: $0.players) }

        // Other: the total's events less the shown values' (exact: an event has one value or none, and sums are
        // subtracted as decimals). A level is in Other only when events are left.
        let otherCounts = total.levels.compactMap { level -> LevelCounts? in
            var c = shown.reduce(level.counts) { c, s in
                s.result.levels.first { $0.levelId == level.levelId }.map { c.subtracting($0.counts, in: Measure.summed) } ?? c
            }
            c.startedPlayers = 0
            c.completedPlayers = 0
            return c.starts + c.completes + c.fails > 0 ? c : nil
        }
        if !otherCounts.isEmpty {
            groups.append(Group(kind: .other, levels: byLevel(MetricsFormula.derive(otherCounts)), result: nil, players: nil))
        }
        let ids = Set(groups.flatMap(\.levels.keys)).sorted()
        return Breakdown(query: base, dimension: dimension, groups: groups,
                         otherValues: ranked.dropFirst(shown.count).map(\.value),
                         valuesPlayers: ranked.reduce(0) { $0 + $1.players },
                         totalPlayers: groups[0].players ?? 0, levelIds: ids)
    }
}
