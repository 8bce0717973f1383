import ArgumentParser
import LevelFunnelCore

/// `--database-url`, shared by every command that talks to PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "PostgreSQL connection URL or key=value string.",
        discussion: "Defaults to $DATABASE_URL, then to libpq's PG* variables and ~/.pgpass.",
        valueName: "url"))
    var url: String?

    /// Opens a store, turning connection failures into a one-line error.
    func openStore() throws -> LevelFunnelStore {
        try LevelFunnelStore(url: url)
    }
}

/// `--reconnect-timeout`, for the commands that aggregate day after day (backfill, refresh, schedule).
struct ReconnectOptions: ParsableArguments {
    @Option(name: .customLong("reconnect-timeout"), help: ArgumentHelp(
        "How long to keep reconnecting when the database goes away in the middle of a day (0: fail at once).",
        discussion: "Attempts after 1, 2, 4, 8, 8... s, counted from the first loss since the last day done.",
        valueName: "seconds"))
    var timeout: Double = ReconnectPolicy().timeout

    func validate() throws {
        guard timeout >= 0, timeout.isFinite else { throw ValidationError("--reconnect-timeout must be 0 or more seconds") }
    }

    /// Sets the store's reconnect policy; `note` gets each reconnect step.
    func configure(_ store: LevelFunnelStore, note: @escaping (ReconnectNotice) -> Void) {
        store.reconnectPolicy.timeout = timeout
        store.onReconnect = note
    }
}

/// `--pass-days`, for the commands that aggregate (backfill, refresh, schedule).
struct PassOptions: ParsableArguments {
    @Option(name: .customLong("pass-days"), help: ArgumentHelp(
        "Most days aggregated in one transaction (1: each day on its own).",
        discussion: """
            Consecutive days are aggregated together, as many as hold about 2M level events, up to this many: \
            faster, but a stop (Ctrl-C, SIGTERM) waits for the pass to end and a lost connection redoes the pass.
            """,
        valueName: "days"))
    var passDays: Int = LevelFunnelStore.defaultMaxPassDays

    func validate() throws {
        guard passDays >= 1 else { throw ValidationError("--pass-days must be at least 1") }
    }

    func configure(_ store: LevelFunnelStore) { store.maxPassDays = passDays }
}

/// `--game`, `--from`, `--to` and the filters: one funnel selection, shared by `query` and `verify`.
struct SelectionOptions: ParsableArguments {
    @Option(help: "Game id (see `levelfunnel games`); required unless a saved view (--view) names it.")
    var game: String?

    @Option(help: ArgumentHelp("First day, inclusive (UTC).", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Last day, inclusive (UTC).", valueName: "YYYY-MM-DD"))
    var to: String?

    @Option(help: "Only events of this platform (e.g. iOS, Android, WebGL).")
    var platform: String?

    @Option(help: "Only events of this country code (e.g. US, TR).")
    var country: String?

    @Option(name: .customLong("app-version"), help: "Only events of this app version (e.g. 0.3).")
    var appVersion: String?

    @Option(help: "Only events of this level funnel (e.g. live_v1).")
    var funnel: String?

    @Option(name: .customLong("funnel-version"), help: "Only events of this level funnel version (e.g. 2).")
    var funnelVersion: Int?

    /// The options above, one per `Dimension` (the only place the CLI names the dimensions).
    private var values: [Dimension: String?] {
        [.platform: platform, .country: country, .appVersion: appVersion, .funnel: funnel,
         .funnelVersion: funnelVersion.map(String.init)]
    }

    var filters: FunnelFilters { FunnelFilters(values.compactMapValues { $0 }) }

    func validate() throws {
        if let from { _ = try DateArgument.parse(from, option: "--from") }
        if let to { _ = try DateArgument.parse(to, option: "--to") }
        for (dimension, value) in values {
            if let value, let reason = dimension.validate(value, label: "--\(dimension.optionName)") { throw ValidationError(reason) }
        }
    }

    /// The query, with `--from`/`--to` defaulting to the game's first and last event day. With a saved view, the
    /// view's game, range and filters, each replaced by the options given.
    func query(_ store: LevelFunnelStore, view: SavedView? = nil) throws -> FunnelQuery {
        guard let game = game ?? view?.game else { throw ValidationError("Missing expected argument '--game <game>'") }
        if let view {
            var query = view.query(try store.game(game))
            query.game = game
            if let from { query.range.from = try DateArgument.parse(from, option: "--from") }
            if let to { query.range.to = try DateArgument.parse(to, option: "--to") }
            query.range = try DayRange(from: query.range.from, to: query.range.to)
            for (dimension, value) in filters.active { query.filters[dimension] = value }
            return query
        }
        let fromDay = try from.map { try DateArgument.parse($0, option: "--from") }
        let toDay = try to.map { try DateArgument.parse($0, option: "--to") }
        if let fromDay, let toDay { _ = try DayRange(from: fromDay, to: toDay) }  // reject before touching the db
        let history = (fromDay == nil || toDay == nil) ? try store.game(game).history : nil
        let range = try DayRange(from: fromDay ?? history!.from, to: toDay ?? history!.to)
        return FunnelQuery(game: game, range: range, filters: filters)
    }
}

/// A date option: the core's rule for typed dates (`Day(typed:)`, as the dashboard and saved views use), its
/// refusal a usage error (exit 64) naming the option.
enum DateArgument {
    static func parse(_ text: String, option: String) throws -> Day {
        do {
            return try Day(typed: text)
        } catch let error as LevelFunnelError {
            throw ValidationError("\(option) \(error)")
        }
    }
}
