import PostgresClient

/// The filterable dimensions of an event. The order is the order of the aggregate tables' key columns and of
/// the bits of a player cell (see `CellSQL`).
public enum Dimension: Int, CaseIterable, Sendable {
    case funnel, funnelVersion, platform, country, appVersion

    /// The column in `events` and in every aggregate table.
    public var column: String {
        switch self {
        case .funnel: "level_funnel"
        case .funnelVersion: "level_funnel_version"
        case .platform: "platform"
        case .country: "country_code"
        case .appVersion: "app_version"
        }
    }

    /// The SQL type of the column, for casts of bound parameters.
    var sqlType: String { self == .funnelVersion ? "integer" : "text" }

    /// The filter's value for this dimension, or nil when the filter is absent.
    func value(in filters: FunnelFilters) -> (any PostgresEncodable)? {
        switch self {
        case .funnel: filters.funnel
        case .funnelVersion: filters.funnelVersion
        case .platform: filters.platform
        case .country: filters.country
        case .appVersion: filters.appVersion
        }
    }

    /// `level_funnel, level_funnel_version, platform, country_code, app_version`.
    static let columnList = allCases.map(\.column).joined(separator: ", ")

    /// This dimension's bit in PostgreSQL's `GROUPING(...)` over `columnList`: set when the dimension is
    /// aggregated away (not pinned). The first column is the most significant bit.
    var groupingBit: Int { 1 << (Dimension.allCases.count - 1 - rawValue) }
}
