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

    public var description: String {
        switch self {
        case .invalidInput(let message): return message
        case .unknownGame(let game): return "unknown game '\(game)': it has no events in this database (see `levelfunnel games`)"
        case .schemaMissing: return "the database has no levelfunnel schema: run `levelfunnel migrate` first"
        case .cancelled: return "cancelled"
        }
    }
}
