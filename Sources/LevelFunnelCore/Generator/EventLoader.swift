import PostgresClient

/// Loads a generated event stream into `events` with `COPY FROM STDIN`, in one transaction.
public struct EventLoader {
    public struct Loaded: Sendable {
        public var stats: GeneratorStats
        public var seconds: Double
    }

    let store: LevelFunnelStore

    public init(store: LevelFunnelStore) { self.store = store }

    /// Generates and copies the events of `config`. With `replacing`, the game's existing events are deleted
    /// first in the same transaction (the only place levelfunnel deletes events: synthetic games on request).
    public func load(_ config: GeneratorConfig, replacing: Bool = false) throws -> Loaded {
        let db = store.db
        let start = ContinuousClock.now
        var stats: GeneratorStats?
        try db.transaction {
            if replacing { try db.execute("DELETE FROM events WHERE game_id = $1", [config.game]) }
            try db.copyIn(Self.copySQL) { write in
                stats = try EventGenerator(config: config).generate(sink: write)
            }
        }
        try db.execute("ANALYZE events")
        return Loaded(stats: stats!, seconds: (ContinuousClock.now - start).seconds)
    }

    static let copySQL = """
        COPY events (game_id, user_id, session_id, event_name, properties, platform, country_code, app_version,
                     level_funnel, level_funnel_version, occurred_at, received_at) FROM STDIN
        """
}
