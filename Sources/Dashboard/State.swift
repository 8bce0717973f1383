import Foundation
import LevelFunnelCore

/// What the dashboard is asked to open with (command-line options).
public struct DashboardOptions: Sendable, Hashable {
    /// Game to open (`--game`); nil picks the game with the most events (or the first).
    public var game: String?
    /// Theme to start with (`--theme`).
    public var themeName: String?
    /// Mouse wheel and clicks (`--no-mouse` turns them off).
    public var mouse: Bool
    /// Colours are off (`NO_COLOR`): only the mono theme is offered.
    public var noColor: Bool
    /// UTF-8 glyphs, or ASCII and the terminal's line drawing (a locale that is not UTF-8, `--ascii`).
    public var glyphs: Glyphs
    /// The saved views file (`w` saves, `W` opens); nil turns saved views off.
    public var viewsPath: String?
    /// A saved view to open with (`--view NAME`), and its name.
    public var view: SavedView?
    public var viewName: String?

    public init(game: String? = nil, themeName: String? = nil, mouse: Bool = true, noColor: Bool = false,
                glyphs: Glyphs = .unicode) {
        self.game = game
        self.themeName = themeName
        self.mouse = mouse
        self.noColor = noColor
        self.glyphs = glyphs
    }

    /// The same options opening on the saved view `view` called `name`, read from and saved to `path`.
    public func opening(view: SavedView?, named name: String?, path: String?) -> DashboardOptions {
        var copy = self
        copy.view = view
        copy.viewName = name
        copy.viewsPath = path
        if let view { copy.game = view.game }
        return copy
    }
}

/// A line shown at the bottom of the screen until the next key.
public struct StatusMessage: Sendable, Hashable {
    public var text: String
    public var isError: Bool

    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// The window on top of the table, if any. Only one is open at a time; it gets the keys.
public enum Overlay: Sendable, Hashable {
    case none
    case help(scroll: Int)
    case filter(FilterPaneState)
    case dateRange(RangePicker)
    case gameSelector(cursor: Int)
    case levelSearch(TextField)
    case admin(AdminMenuState)
    case backfillSetup(BackfillSetup)
    case backfillConfirm(BackfillConfirm)
    case backfillProgress(BackfillProgressState)
    case verify(VerifyViewState)
    case aggregationStatus(AggregationStatusView)
    /// The compare presets for the current selection (`C`).
    case comparePicker(cursor: Int)
    /// The dimensions to break the selection down by (`B`).
    case breakdownPicker(cursor: Int)
    /// The name to save the view under (`w`).
    case saveView(TextField)
    /// The saved views to open (`W`): nil while the file is read.
    case openView(names: [String]?, cursor: Int)
}

/// A funnel query sent and not answered yet.
public struct PendingLoad: Sendable, Hashable {
    public var request: Int
    public var query: FunnelQuery
    public var source: FunnelSource
}

/// Everything the dashboard shows, as one value. Changed only by `DashboardReducer`.
public struct DashboardState: Sendable {
    public var options: DashboardOptions
    public var size: TerminalSize

    // What the database holds.
    public var games: [GameInfo] = []
    public var gamesLoaded = false
    public var dimensions: GameDimensions?
    /// What the role may do; nil while unknown. Refused admin items and the raw toggle say why.
    public var access: AccessRights?
    /// When the fast path's data was last aggregated (`.some(nil)`: never).
    public var dataAsOf: Date??

    // The selection.
    public var game: String?
    public var range: DayRange?
    public var rangePreset: RangePreset = .wholeHistory
    public var filters = FunnelFilters()
    /// The path asked for (`r` toggles it).
    public var source: FunnelSource = .fast

    // The answer.
    public var result: FunnelResult?
    public var table = TableModel()
    public var pending: PendingLoad?
    public var lastError: String?

    // The view.
    public var rowCursor = 0
    public var topRow = 0
    /// Index into `ColumnID.scrollable` of the column under the cursor.
    public var columnCursor = 0
    /// Index into `ColumnID.scrollable` of the leftmost visible scrollable column.
    public var firstColumn = 0
    public var sort: TableSort?
    public var overlay: Overlay = .none
    /// Compare, trend, breakdown and spikes views opened over the table; the last one is shown, Esc goes back.
    public var views: [AnalysisView] = []
    /// A compare to start once the game's dimensions are known (a saved view's).
    public var pendingCompare: ComparePreset?
    /// The saved views read by the last `W`, by name.
    public var savedViews: [String: SavedView] = [:]
    public var message: StatusMessage?

    // Themes.
    public var themes: [Theme]
    public var themeIndex = 0

    /// Set by `q`: the app restores the terminal and exits.
    public var shouldQuit = false

    // Counters for request ids and backfill jobs.
    public var nextRequest = 1
    public var nextJob = 1

    /// A dashboard about to load, with `themes` to cycle through (the first, or `options.themeName`, is used).
    public init(options: DashboardOptions = DashboardOptions(), size: TerminalSize, themes: [Theme]) {
        self.options = options
        self.size = size
        var list = themes.isEmpty ? [BuiltinThemes.defaultTheme] : themes
        if options.noColor {
            list = [list.first { $0.name.lowercased() == "mono" } ?? BuiltinThemes.mono]
        }
        self.themes = list
        if let name = options.themeName, !options.noColor {
            if let index = list.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                themeIndex = index
            } else {
                message = StatusMessage("unknown theme '\(name)'; themes: \(list.map(\.name).joined(separator: ", "))", isError: true)
            }
        }
        if message == nil, let note = Self.diagnosticsMessage(for: self.themes[themeIndex]) {
            message = note
        }
    }

    /// The theme in use.
    public var theme: Theme { themes[themeIndex] }

    /// The selected game's summary.
    public var currentGame: GameInfo? { games.first { $0.id == game } }

    /// The question the table answers (nil until a game and range are known).
    public var query: FunnelQuery? {
        guard let game, let range else { return nil }
        return FunnelQuery(game: game, range: range, filters: filters)
    }

    /// False when the numbers on screen answer another selection or path than the one asked for (the query
    /// for the current one failed); true when they match, or when nothing is shown yet.
    public var resultMatchesRequest: Bool {
        guard let result else { return true }
        // A fast query answered from the aggregates alone (a role without access to events) is the view asked for.
        let sameSource = result.source == source || (source == .fast && result.source == .aggregates)
        return result.query == query && sameSource
    }

    /// Rows of the table body on screen.
    public var bodyHeight: Int { TableLayout.bodyHeight(size) }

    /// True while a funnel query on the raw path is running.
    public var isRawRunning: Bool { pending?.source == .raw }

    /// A status message for a theme's broken lines, if it has any.
    static func diagnosticsMessage(for theme: Theme) -> StatusMessage? {
        guard let first = theme.diagnostics.first else { return nil }
        let more = theme.diagnostics.count > 1 ? " (+\(theme.diagnostics.count - 1) more)" : ""
        return StatusMessage("theme \(theme.name): \(first)\(more)", isError: true)
    }
}
