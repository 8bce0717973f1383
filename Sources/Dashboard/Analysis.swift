import LevelFunnelCore

/// A cursor in a view's grid: `row` and `top` over its rows, `column` over its scrollable column groups (the
/// renderer scrolls sideways so that the cursor's group is visible).
public struct GridPosition: Sendable, Hashable {
    public var row = 0
    public var top = 0
    /// Index of the scrollable column group under the cursor.
    public var column = 0

    public init() {}
}

/// Compare: a baseline and a variant selection, level by level.
public struct CompareViewState: Sendable {
    public var preset: ComparePreset
    public var plan: ComparePlan
    public var request: Int
    public var result: FunnelCompare?
    public var error: String?
    public var grid = GridPosition()

    /// The metrics shown, one column group each (the table's columns).
    public static let columns: [ColumnID] = ColumnID.scrollable
}

/// A level's daily series over the range.
public struct TrendViewState: Sendable {
    public var query: FunnelQuery
    public var level: Int
    public var request: Int
    public var series: DailySeries?
    public var error: String?
    /// Index of the day under the cursor.
    public var day = 0

    /// The charts, top to bottom.
    public static let columns: [ColumnID] = [.starts, .startedPlayers, .winRate, .churnTotal, .boosterUsage]
}

/// A breakdown of the selection by one dimension.
public struct BreakdownViewState: Sendable {
    public var query: FunnelQuery
    public var dimension: Dimension
    public var top: Int
    public var request: Int
    public var result: Breakdown?
    public var error: String?
    public var grid = GridPosition()

    /// Values shown before Other.
    public static let defaultTop = 4
    /// The columns of each value's group.
    public static let columns: [ColumnID] = [.startedPlayers, .winRate, .churnTotal, .boosterUsage]

    /// A short title under each value: `Players`, `Win %`, `Churn %` (total), `Booster %`.
    static func title(_ column: ColumnID) -> String {
        switch column {
        case .startedPlayers: "Players"
        case .churnTotal: "Churn %"
        default: column.titleLines.1
        }
    }
}

/// Levels ranked by how far they stand above their neighbours.
public struct SpikesViewState: Sendable {
    public var result: FunnelResult
    public var ranking: [SpikeRanking.Entry]
    public var grid = GridPosition()
}

/// A view opened over the funnel table. Views stack: Enter on a level of a compare opens its trend, Esc goes back.
public enum AnalysisView: Sendable {
    case compare(CompareViewState)
    case trend(TrendViewState)
    case breakdown(BreakdownViewState)
    case spikes(SpikesViewState)

    /// The funnel queries behind the view once loaded (their sources and coverage), nil while loading.
    public var parts: [AnswerPart]? {
        switch self {
        case .compare(let v): v.result?.parts
        case .trend(let v): v.series?.parts
        case .breakdown(let v): v.result?.parts
        case .spikes(let v): [AnswerPart(label: "spikes", result: v.result)]
        }
    }

    /// `compare`, `trend`, ...: for tests and messages.
    public var name: String {
        switch self {
        case .compare: "compare"
        case .trend: "trend"
        case .breakdown: "breakdown"
        case .spikes: "spikes"
        }
    }
}

/// The compare presets offered for the current selection: previous range, previous funnel version (with a funnel
/// chosen), and for each filter set its value against all values and against each other value.
enum CompareChoices {
    static func list(_ state: DashboardState) -> [ComparePreset] {
        var out: [ComparePreset] = [.previousRange]
        if state.filters.funnel != nil { out.append(.previousFunnelVersion) }
        for (dimension, value) in state.filters.active {
            out.append(.everything(dimension))
            for other in state.dimensions?.options(dimension, filters: state.filters) ?? [] where other != value {
                out.append(.otherValue(dimension, other))
            }
        }
        return out
    }

    /// The line of a preset in the picker.
    static func label(_ preset: ComparePreset, _ state: DashboardState) -> String {
        switch preset {
        case .previousRange:
            guard let range = state.range else { return "previous range" }
            let length = range.dayCount
            return "previous \(length) day\(length == 1 ? "" : "s") (\(range.from.adding(days: -length)) → \(range.from.adding(days: -1)))"
        case .previousFunnelVersion:
            let version = state.filters.funnelVersion.map { "version \($0)" } ?? "the latest version"
            return "\(state.filters.funnel ?? "") \(version) against the version before"
        case .everything(let d):
            return "\(d.title.lowercased()) \(state.filters[d] ?? "") against all values"
        case .otherValue(let d, let v):
            return "\(d.title.lowercased()) \(state.filters[d] ?? "") against \(v)"
        }
    }
}
