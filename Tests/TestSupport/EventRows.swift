import Foundation
import PostgresClient

/// One row of the `events` table as a test writes it.
public struct EventRow: Sendable {
    public var game: String
    public var user: String
    public var name: String
    /// The `properties` JSON text, exactly as stored.
    public var properties: String
    public var occurredAt: String
    public var platform: String?
    public var country: String?
    public var appVersion: String?
    public var funnel: String?
    public var funnelVersion: Int?

    public init(game: String = "g", user: String, name: String, properties: String,
                occurredAt: String, platform: String? = nil, country: String? = nil, appVersion: String? = nil,
                funnel: String? = nil, funnelVersion: Int? = nil) {
        self.game = game
        self.user = user
        self.name = name
        self.properties = properties
        self.occurredAt = occurredAt
        self.platform = platform
        self.country = country
        self.appVersion = appVersion
        self.funnel = funnel
        self.funnelVersion = funnelVersion
    }
}

extension PostgresConnection {
    /// Inserts rows into `events` with bound parameters.
    public func insert(_ rows: [EventRow]) throws {
        for r in rows {
            try execute("""
                INSERT INTO events (game_id, user_id, event_name, properties, occurred_at, platform, country_code,
                                    app_version, level_funnel, level_funnel_version)
                VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, $6, $7, $8, $9, $10::integer)
                """, [r.game, r.user, r.name, r.properties, r.occurredAt, r.platform, r.country, r.appVersion,
                      r.funnel, r.funnelVersion])
        }
    }
}
