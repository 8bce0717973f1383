import LevelFunnelCore

/// Work the reducer asks for; the `EffectRunner` performs it off the input loop and answers with
/// a `BackendEvent`.
public enum Effect: Sendable, Equatable {
    case loadGames
    case loadPermissions
    case loadDimensions(game: String)
    /// A funnel query; the answer carries `request` so stale answers can be dropped.
    case loadFunnel(FunnelQuery, source: FunnelSource, request: Int)
    case loadDataAsOf(game: String)
    case backfill(game: String, range: DayRange, job: Int)
    case refresh(game: String?)
    case verify(FunnelQuery)
    case loadAggregationStatus
    /// Both selections of a compare (fast path), answered with `request`.
    case loadCompare(ComparePlan, request: Int)
    /// One fast query per day of the range that has events.
    case loadTrend(FunnelQuery, request: Int)
    /// Stop the trend answered with `request` (queued, or running: it stops before its next day).
    case cancelTrend(request: Int)
    /// The selection and each value of `dimension` (fast path).
    case loadBreakdown(FunnelQuery, Dimension, top: Int, request: Int)
    /// Write `contents` to `fileName` in the export folder.
    case exportCSV(fileName: String, contents: String)
    /// Read the saved views file.
    case loadSavedViews(path: String)
    /// Save `view` under `name` in the saved views file.
    case saveView(name: String, view: SavedView, path: String)
    /// Abort the slow work in progress (a raw query, a verify, a backfill or a refresh).
    case cancelSlowWork

    /// True for work that may take long and so runs on the second, cancellable connection.
    public var isSlow: Bool {
        switch self {
        case .loadFunnel(_, let source, _): return source == .raw
        case .backfill, .refresh, .verify: return true
        default: return false
        }
    }
}
