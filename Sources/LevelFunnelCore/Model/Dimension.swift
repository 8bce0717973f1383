import Foundation
import PostgresClient

/// The filterable dimensions of an event: **the one list** every layer derives its dimensions from (SQL columns,
/// cells, filters, filter choices, JSON names, the dashboard's panes). See "How to add a dimension" in docs/contributing.md.
///
/// The order is the order of the aggregate tables' key columns and of the bits of a player cell (see `CellSQL`):
/// append new dimensions at the end, never reorder (stored `cell` and `additive` values depend on it).
public enum Dimension: Int, CaseIterable, Sendable, Hashable, Codable {
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

    /// The filter's name in the contract's JSON (`filters`) and in messages (`platform=iOS`).
    public var name: String {
        switch self {
        case .funnel: "funnel"
        case .funnelVersion: "funnelVersion"
        case .platform: "platform"
        case .country: "country"
        case .appVersion: "appVersion"
        }
    }

    /// For people: pane titles, help.
    public var title: String {
        switch self {
        case .funnel: "Funnel"
        case .funnelVersion: "Funnel version"
        case .platform: "Platform"
        case .country: "Country"
        case .appVersion: "App version"
        }
    }

    /// The SQL type of the column, for casts of bound parameters.
    public var sqlType: String { self == .funnelVersion ? "integer" : "text" }

    /// True when values are whole numbers (JSON numbers, validated on input).
    public var isInteger: Bool { sqlType == "integer" }

    /// A dimension whose values only make sense within one value of another (a funnel's versions).
    public var parent: Dimension? { self == .funnelVersion ? .funnel : nil }

    /// Values sort like version numbers (`0.10` after `0.9`, `10` after `9`).
    var sortsNumerically: Bool { self == .appVersion || isInteger }

    /// Checks a value typed by a user; returns a one-line reason when it cannot be this dimension's value, which
    /// starts with `label` (the dimension's name unless given, e.g. `--funnel-version`). An integer must fit
    /// PostgreSQL's `integer`, or the query would fail on the cast of its parameter.
    public func validate(_ value: String, label: String? = nil) -> String? {
        guard isInteger, Int32(value) == nil else { return nil }
        return "\(label ?? name) '\(value)' is not a whole number from \(Int32.min) to \(Int32.max)"
    }

    /// The value as filters keep it: a whole number in canonical form (`+01` → `1`); other text as given.
    public func canonical(_ value: String) -> String {
        guard isInteger, let number = Int32(value) else { return value }
        return String(number)
    }

    /// Orders values for pick lists.
    public func sorted(_ values: some Sequence<String>) -> [String] {
        sortsNumerically ? values.sorted { $0.compare($1, options: .numeric) == .orderedAscending } : values.sorted()
    }

    /// `level_funnel, level_funnel_version, platform, country_code, app_version`.
    static let columnList = allCases.map(\.column).joined(separator: ", ")

    /// The columns prefixed with a table alias: `e.level_funnel, e.level_funnel_version, ...`.
    static func columnList(alias: String) -> String { allCases.map { "\(alias).\($0.column)" }.joined(separator: ", ") }

    /// This dimension's bit in PostgreSQL's `GROUPING(...)` over `columnList`: set when the dimension is
    /// aggregated away (not pinned). The first column is the most significant bit.
    var groupingBit: Int { 1 << (Dimension.allCases.count - 1 - rawValue) }
}
