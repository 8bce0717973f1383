import LevelFunnelCore

/// The funnel table's columns, in display order. The raw value is the contract's JSON field name.
public enum ColumnID: String, CaseIterable, Sendable, Hashable {
    case level = "levelId"
    case starts, completes, fails, startedPlayers, completedPlayers
    case churnStartComplete, churnCompleteNext, churnTotal
    case winRate, completionRate, failRate, funnelRate, boosterUsage, egpRate
    case apsRaw, apsClean, meanCompletionDuration, meanFailDuration

    /// How values of a column are printed.
    public enum Kind: Sendable { case count, percent, ratio, seconds }

    /// The columns right of the frozen Level column.
    public static let scrollable: [ColumnID] = Array(allCases.dropFirst())

    /// Header text on two lines (the second line sits right above the numbers).
    public var titleLines: (String, String) {
        switch self {
        case .level: return ("", "Level")
        case .starts: return ("", "Starts")
        case .completes: return ("", "Completes")
        case .fails: return ("", "Fails")
        case .startedPlayers: return ("Started", "players")
        case .completedPlayers: return ("Completed", "players")
        case .churnStartComplete: return ("Churn %", "start→cmpl")
        case .churnCompleteNext: return ("Churn %", "cmpl→next")
        case .churnTotal: return ("Churn %", "total")
        case .winRate: return ("", "Win %")
        case .completionRate: return ("Completion", "%")
        case .failRate: return ("", "Fail %")
        case .funnelRate: return ("", "Funnel %")
        case .boosterUsage: return ("", "Booster %")
        case .egpRate: return ("", "EGP %")
        case .apsRaw: return ("APS", "raw")
        case .apsClean: return ("APS", "clean")
        case .meanCompletionDuration: return ("Mean", "complete s")
        case .meanFailDuration: return ("Mean", "fail s")
        }
    }

    /// The full name, for messages and the CSV header comment.
    public var fullName: String {
        switch self {
        case .level: return "Level"
        case .starts: return "Starts"
        case .completes: return "Completes"
        case .fails: return "Fails"
        case .startedPlayers: return "Started players"
        case .completedPlayers: return "Completed players"
        case .churnStartComplete: return "Churn start→complete %"
        case .churnCompleteNext: return "Churn complete→next %"
        case .churnTotal: return "Churn total %"
        case .winRate: return "Win %"
        case .completionRate: return "Completion %"
        case .failRate: return "Fail %"
        case .funnelRate: return "Funnel %"
        case .boosterUsage: return "Booster %"
        case .egpRate: return "EGP %"
        case .apsRaw: return "APS raw"
        case .apsClean: return "APS clean"
        case .meanCompletionDuration: return "Mean complete s"
        case .meanFailDuration: return "Mean fail s"
        }
    }

    public var kind: Kind {
        switch self {
        case .level, .starts, .completes, .fails, .startedPlayers, .completedPlayers: return .count
        case .apsRaw, .apsClean: return .ratio
        case .meanCompletionDuration, .meanFailDuration: return .seconds
        default: return .percent
        }
    }

    /// Churn columns are coloured by severity.
    public var isChurn: Bool {
        self == .churnStartComplete || self == .churnCompleteNext || self == .churnTotal
    }

    /// The contract field the column shows (nil for Level). A case whose raw value names no field stops the
    /// program at once rather than showing "—" (and `ColumnTests` catches it first).
    public var field: MetricField? {
        guard self != .level else { return nil }
        guard let field = MetricFields.named(rawValue) else { preconditionFailure("column \(rawValue) names no contract field") }
        return field
    }

    /// The column's value for one level (nil when undefined).
    public func value(_ m: LevelMetrics) -> Double? {
        guard let field else { return Double(m.levelId) }
        return field.value(m)
    }

    /// The value as shown on screen.
    public func format(_ value: Double?) -> String {
        guard let value else { return Format.null }
        switch kind {
        case .count: return self == .level ? String(Int(value)) : Format.count(Int(value))
        case .percent: return Format.percent(value)
        case .ratio: return Format.decimal(value, places: 2)
        case .seconds: return Format.decimal(value, places: 1)
        }
    }
}
