/// Errors the domain reports to its users, each with a one-line message fit for a terminal.
public enum LevelFunnelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user's input is wrong (dates, ranges, options).
    case invalidInput(String)
    /// The game has no level events in this database.
    case unknownGame(String)
    /// The database has not been migrated.
    case schemaMissing
    /// Cancelled by the user.
    case cancelled
    /// The action reads `events`, which this role may not (a dashboard reader): names the action.
    case needsEventAccess(String)
    /// The action aggregates: it reads `events` and writes the aggregates, which this role may not.
    case needsWriteAccess(String)
    /// The action writes, and the server accepts no writes (a standby, or `default_transaction_read_only`).
    case readOnlyServer(String)
    /// `roles` refused: the reader role could still read user ids (the explanation and the fix).
    case readerReadsEvents(String)
    /// `migrate` refused on Citus: `events` must be distributed by `game_id` first (what to do).
    case citusEventsNotDistributed(String)

    public var description: String {
        switch self {
        case .invalidInput(let message): return message
        case .unknownGame(let game): return "unknown game '\(game)': it has no events in this database (see `levelfunnel games`)"
        case .schemaMissing: return "the database has no levelfunnel schema: run `levelfunnel migrate` first"
        case .cancelled: return "cancelled"
        case .needsEventAccess(let action):
            return "\(action) needs read access to events: ask for \(AccessRoles.defaultWriter)"
        case .needsWriteAccess(let action):
            return "\(action) needs read access to events and write access to the aggregates: ask for \(AccessRoles.defaultWriter)"
        case .readOnlyServer(let action):
            return "\(action) writes the aggregates, and this server is read-only (a standby?): connect to the primary"
        case .readerReadsEvents(let why): return why
        case .citusEventsNotDistributed(let what): return what
        }
    }
}
