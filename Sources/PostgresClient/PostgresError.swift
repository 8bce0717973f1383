/// Any failure reported by libpq or the server, with the server's diagnostic fields when it sent them.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// Where the failure happened.
    public enum Kind: Sendable, Equatable {
        /// Connecting or authenticating failed, or the connection broke (the server restarted or is unreachable):
        /// the connection cannot be used any more.
        case connection
        /// A statement failed (syntax, constraint, cancellation...).
        case query
        /// A `COPY FROM STDIN` stream failed.
        case copy
        /// A value in a result could not be decoded into the requested Swift type.
        case decoding
    }

    public var kind: Kind
    /// Five-character SQLSTATE code (e.g. `42P01` undefined table, `57014` query cancelled), when the server sent one.
    public var sqlState: String?
    /// The primary message, one line.
    public var message: String
    /// The server's DETAIL field, if any.
    public var detail: String?
    /// The server's HINT field, if any.
    public var hint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    /// True when the statement was cancelled (`PQcancel`, statement timeout).
    public var isCancellation: Bool { sqlState == "57014" }

    /// True when a table or other relation the statement names does not exist.
    public var isUndefinedTable: Bool { sqlState == "42P01" }

    /// True when the role lacks a privilege the statement needs (SQLSTATE 42501).
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }

    /// True when the connection is unusable (it never opened, or it broke): open a new one. Besides libpq's own
    /// connection failures, the server's "connection exception" class (`08xxx`) and the shutdown codes count: `57P01`
    /// (a fast shutdown or restart, or `pg_terminate_backend`), `57P02` (crash recovery) and `57P03` (starting up or
    /// shutting down), whose sessions end with the statement.
    public var isConnectionLost: Bool {
        kind == .connection || sqlState.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains($0) } ?? false
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += " — \(detail)" }
        return text
    }
}
