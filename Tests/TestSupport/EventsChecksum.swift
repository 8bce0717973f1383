import PostgresClient

/// A fingerprint of the rows of `events`, to check that a command changed or deleted none of them: their count,
/// highest id and a sum of hashes of each row's text and `xmin` (an UPDATE, even one that changes nothing, gives
/// the row a new `xmin`).
public struct EventsChecksum: Sendable, Equatable, CustomStringConvertible {
    public var rows: Int
    public var maxId: Int
    public var hash: String

    /// The rows with `id <= upTo` (all of them when nil): after `generate`, the rows that were there before.
    public static func of(_ db: PostgresConnection, upTo: Int? = nil) throws -> EventsChecksum {
        let row = try db.query("""
            SELECT count(*), coalesce(max(id), 0),
                   coalesce(sum(hashtextextended(e::text || '/' || e.xmin::text, 0)::numeric), 0)::text
              FROM events e
             WHERE $1::bigint IS NULL OR e.id <= $1::bigint
            """, [upTo]).one()
        return EventsChecksum(rows: try row.decode(Int.self, at: 0), maxId: try row.decode(Int.self, at: 1),
                              hash: try row.decode(String.self, at: 2))
    }

    public static func of(url: String, upTo: Int? = nil) throws -> EventsChecksum {
        try of(PostgresConnection(url: url), upTo: upTo)
    }

    public var description: String { "\(rows) rows up to id \(maxId), hash \(hash)" }
}
