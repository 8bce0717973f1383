import Foundation
import PostgresClient

/// Cancels the statement running on a store's connection, from any thread. A backfill or refresh that reconnects
/// replaces the connection; the canceller then cancels on the new one (a canceller of the old one would send its
/// requests to a session that no longer exists).
public final class StoreCanceller: @unchecked Sendable {
    private let lock = NSLock()
    private var current: PostgresCanceller

    init(_ db: PostgresConnection) { current = db.makeCanceller() }

    /// From now on, cancels statements of `db`.
    func follow(_ db: PostgresConnection) {
        let next = db.makeCanceller()
        lock.withLock { current = next }
    }

    /// Asks the server to cancel the current statement; false when the request could not be sent.
    @discardableResult
    public func cancel() -> Bool { lock.withLock { current }.cancel() }
}
