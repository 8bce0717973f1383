/// Equality filters on the event dimensions (see `Dimension`); an absent value means "all", NULLs included.
///
/// Values are kept as text keyed by dimension, so that every layer handles every dimension the same way; the
/// SQL casts them with `Dimension.sqlType`. A whole number is kept in its canonical form (`+01` is `1`), so that
/// JSON, labels and comparisons see the value, not the text typed.
public struct FunnelFilters: Sendable, Hashable, Codable {
    private var values: [Dimension: String] = [:]

    /// No filter.
    public init() {}

    /// Filters on the given dimensions.
    public init(_ values: [Dimension: String]) {
        self.values = Dictionary(uniqueKeysWithValues: values.map { ($0, $0.canonical($1)) })
    }

    /// Convenience for call sites and tests; every dimension is reachable through the subscript too.
    public init(platform: String? = nil, country: String? = nil, appVersion: String? = nil,
                funnel: String? = nil, funnelVersion: Int? = nil) {
        values[.platform] = platform
        values[.country] = country
        values[.appVersion] = appVersion
        values[.funnel] = funnel
        values[.funnelVersion] = funnelVersion.map(String.init)
    }

    /// The value filtered on for `dimension`, or nil for "all". Setting a parent (a funnel) to another value
    /// clears its children (the funnel's version), whose values belong to the old one.
    public subscript(dimension: Dimension) -> String? {
        get { values[dimension] }
        set {
            let newValue = newValue.map(dimension.canonical)
            if values[dimension] != newValue {
                for child in Dimension.allCases where child.parent == dimension { values[child] = nil }
            }
            values[dimension] = newValue
        }
    }

    public var platform: String? { get { self[.platform] } set { self[.platform] = newValue } }
    public var country: String? { get { self[.country] } set { self[.country] = newValue } }
    public var appVersion: String? { get { self[.appVersion] } set { self[.appVersion] = newValue } }
    public var funnel: String? { get { self[.funnel] } set { self[.funnel] = newValue } }
    public var funnelVersion: Int? {
        get { self[.funnelVersion].flatMap { Int($0) } }
        set { self[.funnelVersion] = newValue.map(String.init) }
    }

    /// True when no filter is set.
    public var isEmpty: Bool { values.isEmpty }

    /// The dimensions filtered on, with their values, in `Dimension.allCases` order.
    public var active: [(dimension: Dimension, value: String)] {
        Dimension.allCases.compactMap { d in values[d].map { (d, $0) } }
    }

    /// `platform=iOS country=TR`, or `no filters`.
    public var summary: String {
        isEmpty ? "no filters" : active.map { "\($0.dimension.name)=\($0.value)" }.joined(separator: " ")
    }
}

/// One funnel question: a game, an inclusive UTC date range and filters.
public struct FunnelQuery: Sendable, Hashable {
    public var game: String
    public var range: DayRange
    public var filters: FunnelFilters

    public init(game: String, range: DayRange, filters: FunnelFilters = FunnelFilters()) {
        self.game = game
        self.range = range
        self.filters = filters
    }
}

/// Which computation answers a funnel query.
public enum FunnelSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The daily aggregates for the days they cover, and the events for the others (not aggregated, stale, with
    /// a pending change): always complete and exact (milliseconds plus the live days' cost). `coverage` says
    /// which days came from where.
    case fast
    /// Straight from the `events` table (the reference).
    case raw
    /// The daily aggregates only, for roles that cannot read `events`: days they do not cover are reported in
    /// `coverage` as missing or stale, never filled in.
    case aggregates
}
