import PostgresClient

/// One counted field of a level (the contract's first table): **the one list** from which the raw query, the
/// daily tables' columns, the cell rows, the fast query and the decoding of every result are derived, by name.
/// See "How to add a measure" in docs/contributing.md.
struct Measure: Sendable {
    /// How a measure combines over days, dimension tuples and cells.
    enum Kind: Sendable, Equatable {
        /// A count or sum of events: a sum of daily (or finer) rows is exact.
        case summed
        /// Distinct players with at least one `event`: exact over a range only through recency counts
        /// (`CellSQL`), stored in the cell columns `<recency>_new` and `<recency>_after`.
        case distinctPlayers(event: String, recency: String)
    }

    /// Where the value goes in `LevelCounts`.
    enum Field: @unchecked Sendable {
        case count(WritableKeyPath<LevelCounts, Int>)
        case amount(WritableKeyPath<LevelCounts, ExactDecimal>)
    }

    /// The contract's field name (JSON, CSV).
    let name: String
    /// The column in the aggregate tables and the alias in every result set.
    let column: String
    /// How the raw path computes it over `level_events`; `user_id` appears only inside `count(DISTINCT ...)`.
    let expression: String
    let kind: Kind
    let field: Field

    static let all: [Measure] = [
        Measure(name: "starts", column: "starts",
                expression: "count(*) FILTER (WHERE event_name = 'level_start')", kind: .summed, field: .count(\.starts)),
        Measure(name: "completes", column: "completes",
                expression: "count(*) FILTER (WHERE event_name = 'level_complete')", kind: .summed, field: .count(\.completes)),
        Measure(name: "fails", column: "fails",
                expression: "count(*) FILTER (WHERE event_name = 'level_failed')", kind: .summed, field: .count(\.fails)),
        Measure(name: "startedPlayers", column: "started_players",
                expression: "count(DISTINCT user_id) FILTER (WHERE event_name = 'level_start')",
                kind: .distinctPlayers(event: "level_start", recency: "started"), field: .count(\.startedPlayers)),
        Measure(name: "completedPlayers", column: "completed_players",
                expression: "count(DISTINCT user_id) FILTER (WHERE event_name = 'level_complete')",
                kind: .distinctPlayers(event: "level_complete", recency: "completed"), field: .count(\.completedPlayers)),
        Measure(name: "usersWithBoosters", column: "users_with_boosters",
                expression: "count(*) FILTER (WHERE is_booster)", kind: .summed, field: .count(\.usersWithBoosters)),
        Measure(name: "failsWithPurchase", column: "fails_with_purchase",
                expression: "count(*) FILTER (WHERE is_egp)", kind: .summed, field: .count(\.failsWithPurchase)),
        Measure(name: "totalCompletionDuration", column: "total_completion_duration",
                expression: "coalesce(sum(duration) FILTER (WHERE event_name = 'level_complete'), 0)",
                kind: .summed, field: .amount(\.totalCompletionDuration)),
        Measure(name: "completionCount", column: "completion_count",
                expression: "count(duration) FILTER (WHERE event_name = 'level_complete')",
                kind: .summed, field: .count(\.completionCount)),
        Measure(name: "totalFailDuration", column: "total_fail_duration",
                expression: "coalesce(sum(duration) FILTER (WHERE event_name = 'level_failed'), 0)",
                kind: .summed, field: .amount(\.totalFailDuration)),
        Measure(name: "failCount", column: "fail_count",
                expression: "count(duration) FILTER (WHERE event_name = 'level_failed')",
                kind: .summed, field: .count(\.failCount)),
    ]

    /// Measures that are sums of events (exact when summed over rows).
    static let summed = all.filter { $0.kind == .summed }

    /// Distinct-player measures, with their event and recency column prefix.
    static let players: [(measure: Measure, event: String, recency: String)] = all.compactMap {
        guard case .distinctPlayers(let event, let recency) = $0.kind else { return nil }
        return ($0, event, recency)
    }

    /// The events whose players are counted: `'level_start', 'level_complete'`.
    static let playerEvents = players.map { "'\($0.event)'" }.joined(separator: ", ")

    /// Every measure of a level `level` (SQL) as a column: the summed ones from the row `counted` (an alias, 0 when
    /// it is missing), the distinct players from the table `players` (`level_id`, `event_name`, `players`; 0 when
    /// it has no row for the level and kind). For the parts of a fast answer computed from events.
    static func selectList(level: String, counted: String, players: String) -> String {
        all.map { m in
            switch m.kind {
            case .summed: "coalesce(\(counted).\(m.column), 0) AS \(m.column)"
            case .distinctPlayers(let event, _):
                "coalesce((SELECT players FROM \(players) p WHERE p.level_id = \(level) AND p.event_name = '\(event)'), 0)::bigint AS \(m.column)"
            }
        }.joined(separator: ",\n       ")
    }

    /// `expression AS column, ...` for every measure: the raw path's select list.
    static let selectList = all.map { "\($0.expression) AS \($0.column)" }.joined(separator: ",\n")

    /// Whether the field is a whole number.
    var isCount: Bool { if case .count = field { true } else { false } }

    /// The measure's value in `counts`, exactly.
    func value(_ counts: LevelCounts) -> ExactDecimal {
        switch field {
        case .count(let path): ExactDecimal(counts[keyPath: path])
        case .amount(let path): counts[keyPath: path]
        }
    }
}

extension LevelCounts {
    /// `self` plus `other` in `measures`, exactly (sums stay ``ExactDecimal``); other fields stay `self`'s.
    func adding(_ other: LevelCounts, in measures: [Measure]) -> LevelCounts { combining(other, in: measures, negated: false) }

    /// `self` minus `other` in `measures`, exactly; other fields stay `self`'s.
    func subtracting(_ other: LevelCounts, in measures: [Measure]) -> LevelCounts { combining(other, in: measures, negated: true) }

    private func combining(_ other: LevelCounts, in measures: [Measure], negated: Bool) -> LevelCounts {
        var result = self
        for measure in measures {
            switch measure.field {
            case .count(let path): result[keyPath: path] += negated ? -other[keyPath: path] : other[keyPath: path]
            case .amount(let path): result[keyPath: path] += negated ? -other[keyPath: path] : other[keyPath: path]
            }
        }
        return result
    }

    /// Decodes a row holding `level_id` and a column per measure, by name.
    init(row: PostgresRow) throws {
        self.init(levelId: try row.decode(Int.self, column: "level_id"))
        for measure in Measure.all {
            switch measure.field {
            case .count(let path): self[keyPath: path] = try row.decode(Int.self, column: measure.column)
            case .amount(let path): self[keyPath: path] = try row.decode(ExactDecimal.self, column: measure.column)
            }
        }
    }
}
