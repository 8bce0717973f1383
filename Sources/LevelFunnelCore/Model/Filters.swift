/// Equality filters on the event dimensions; `nil` means "all", NULLs included.
public struct FunnelFilters: Sendable, Hashable, Codable {
    public var platform: String?
    public var country: String?
    public var appVersion: String?
    public var funnel: String?
    public var funnelVersion: Int?

    public init(platform: String? = nil, country: String? = nil, appVersion: String? = nil,
                funnel: String? = nil, funnelVersion: Int? = nil) {
        self.platform = platform
        self.country = country
        self.appVersion = appVersion
        self.funnel = funnel
        self.funnelVersion = funnelVersion
    }

    /// True when no filter is set.
    public var isEmpty: Bool { self == FunnelFilters() }

    /// The filters that are set, as (contract name, value) pairs in a fixed order.
    /// The names are those of the JSON output's `filters` object.
    public var activePairs: [(name: String, value: String)] {
        var pairs: [(String, String)] = []
        if let platform { pairs.append(("platform", platform)) }
        if let country { pairs.append(("country", country)) }
        if let appVersion { pairs.append(("appVersion", appVersion)) }
        if let funnel { pairs.append(("funnel", funnel)) }
        if let funnelVersion { pairs.append(("funnelVersion", String(funnelVersion))) }
        return pairs
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
    /// Pre-aggregated daily tables (milliseconds).
    case fast
    /// Straight from the `events` table (the reference).
    case raw
}
