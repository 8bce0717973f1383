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
        try Breakdown.load(query, dimension: dimension, dimensions: try dimensions(game: query.game, source: source), top: top) {
            try funnel($0, source: source)
        }
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

extension Breakdown {
    /// `query` broken down by `dimension` over the values `dimensions` offers under the selection's other filters
    /// (``GameDimensions/breakdownValues(_:filters:)``), the `top` with the most players shown.
    public static func load(_ query: FunnelQuery, dimension: Dimension, dimensions: GameDimensions, top: Int,
                            funnel: (FunnelQuery) throws -> FunnelResult) throws -> Breakdown {
        try load(query, dimension: dimension, values: dimensions.breakdownValues(dimension, filters: query.filters), top: top,
                 funnel: funnel)
    }
}
