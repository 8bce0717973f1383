import LevelFunnelCore

/// The admin menu's items.
public enum AdminItem: Int, CaseIterable, Sendable, Hashable {
    case backfill, refresh, verify, status

    public var label: String {
        switch self {
        case .backfill: return "Backfill aggregates…"
        case .refresh: return "Refresh now"
        case .verify: return "Verify this view (fast vs raw)"
        case .status: return "Aggregation status"
        }
    }

    /// The letter that picks the item directly.
    public var shortcut: Character {
        switch self {
        case .backfill: return "b"
        case .refresh: return "r"
        case .verify: return "v"
        case .status: return "s"
        }
    }

    /// Why this role may not use the item (it aggregates, or reads events), or nil.
    public func refusal(_ access: AccessRights) -> LevelFunnelError? {
        switch self {
        case .backfill: return access.writeRefusal("backfill")
        case .refresh: return access.writeRefusal("refresh")
        case .verify: return access.eventsRefusal("verify")
        case .status: return nil
        }
    }
}

/// The admin menu: its cursor and the short task it may be running (refresh).
public struct AdminMenuState: Sendable, Hashable {
    public var cursor: Int
    /// Set while "Refresh now" runs (the menu stays open and shows it).
    public var refreshing: Bool

    public init(cursor: Int = 0, refreshing: Bool = false) {
        self.cursor = cursor
        self.refreshing = refreshing
    }
}

/// Backfill, step 1: which game and which range.
public struct BackfillSetup: Sendable, Hashable {
    public var gameIndex: Int
    public var picker: RangePicker

    public init(gameIndex: Int, picker: RangePicker = RangePicker(selecting: .wholeHistory)) {
        self.gameIndex = gameIndex
        self.picker = picker
    }
}

/// Backfill, step 2: the confirmation.
public struct BackfillConfirm: Sendable, Hashable {
    public var game: String
    public var range: DayRange

    public init(game: String, range: DayRange) {
        self.game = game
        self.range = range
    }
}

/// Backfill, step 3: progress, then the summary.
public struct BackfillProgressState: Sendable, Hashable {
    public var job: Int
    public var game: String
    public var range: DayRange
    public var progress: BackfillProgress?
    public var outcome: BackfillSummary?
    public var error: String?
    public var cancelling: Bool

    public init(job: Int, game: String, range: DayRange) {
        self.job = job
        self.game = game
        self.range = range
        cancelling = false
    }

    public var isFinished: Bool { outcome != nil || error != nil }
}

/// The verify view: fast vs raw for the current selection.
public struct VerifyViewState: Sendable, Hashable {
    public var query: FunnelQuery
    public var outcome: VerifyReport?
    public var error: String?
    public var scroll: Int

    public init(query: FunnelQuery) {
        self.query = query
        scroll = 0
    }

    public var isRunning: Bool { outcome == nil && error == nil }
}

/// The per-game aggregation status view.
public struct AggregationStatusView: Sendable, Hashable {
    public var rows: [AggregationStatus]?
    public var error: String?
    public var scroll: Int

    public init() { scroll = 0 }
}
