/// Compare, daily series and breakdowns on the store: each made of separate exact `funnel` queries.
extension LevelFunnelStore {
    /// The baseline and variant of `plan`, compared level by level.
    public func compare(_ plan: ComparePlan, source: FunnelSource = .fast) throws -> FunnelCompare {
        try FunnelCompare.load(plan) { try funnel($0, source: source) }
    }

    /// `query` day by day: one funnel per day of its range that has events (the others need no query, see
    /// ``quietDays(_:source:today:)``). `shouldStop` ends it between two days (``LevelFunnelError/cancelled``).
    public func dailySeries(_ query: FunnelQuery, source: FunnelSource = .fast,
                            shouldStop: () -> Bool = { false }) throws -> DailySeries {
        try DailySeries.load(query, quiet: try quietDays(query, source: source), shouldStop: shouldStop) {
            try funnel($0, source: source)
        }
    }

    /// `query` broken down by `dimension`: every value present in the game (under the selection's other
    /// filters, read where `source`'s numbers come from), the `top` with the most players shown, the rest as Other.
    public func breakdown(_ query: FunnelQuery, by dimension: Dimension, top: Int,
                          source: FunnelSource = .fast) throws -> Breakdown {
        let values = try dimensions(game: query.game, source: source).breakdownValues(dimension, filters: query.filters)
        return try Breakdown.load(query, dimension: dimension, values: values, top: top) { try funnel($0, source: source) }
    }
}

extension GameDimensions {
    /// The values to break `dimension` down by under `filters`: a child's values under the parent chosen, or all
    /// of them when no parent value is chosen (a version number alone is a valid filter).
    public func breakdownValues(_ dimension: Dimension, filters: FunnelFilters) -> [String] {
        if let parent = dimension.parent, filters[parent] != nil { return options(dimension, filters: filters) }
        return values[dimension] ?? []
    }
}
