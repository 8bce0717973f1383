import PostgresClient

/// Loads a generated event stream into `events` with `COPY FROM STDIN`, in one transaction.
public struct EventLoader {
    public struct Loaded: Sendable {
        public var stats: GeneratorStats
        public var seconds: Double
    }

    let store: LevelFunnelStore

    public init(store: LevelFunnelStore) { self.store = store }

    /// Generates and copies the events of `config`, in one transaction. Refuses a game that already has events
    /// (``LevelFunnelError/invalidInput(_:)``): events are never deleted or changed, and a second stream would
    /// double the game; unless `adding`, for a stream meant to follow the game's events (the morning bench's).
    public func load(_ config: GeneratorConfig, adding: Bool = false) throws -> Loaded {
        let db = store.db
        let start = ContinuousClock.now
        var stats: GeneratorStats?
        try db.transaction {
            if try !adding && db.query("SELECT EXISTS (SELECT 1 FROM events WHERE game_id = $1)", [config.game]).one().decode(Bool.self, at: 0) {
                throw LevelFunnelError.invalidInput("game '\(config.game)' already has events: generate under another --game")
            }
            try db.copyIn(Self.copySQL) { write in
                stats = try EventGenerator(config: config).generate(sink: write)
            }
        }
        try db.execute("ANALYZE events")
        return Loaded(stats: stats!, seconds: (ContinuousClock.now - start).seconds)
    }

    /// The COPY of `EventGenerator.columns` that loads a generated stream (the morning bench times it too).
    public static let copySQL = """
        COPY events (game_id, user_id, session_id, event_name, properties, platform, country_code, app_version,
                     level_funnel, level_funnel_version, occurred_at, received_at) FROM STDIN
        """
}
