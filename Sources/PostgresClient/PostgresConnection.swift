import CLibPQ
import Foundation

/// One libpq connection (`PGconn*`), freed with `PQfinish` when the object goes away.
///
/// libpq allows one thread per connection at a time: use a connection from one owner.
/// To abort a running statement from another thread, use ``makeCanceller()``.
public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects using `url` (a `postgresql://` URL or `key=value` string), else the `DATABASE_URL`
    /// environment variable, else libpq's own defaults (`PGHOST`, `PGPORT`, `PGUSER`, `~/.pgpass`, ...).
    ///
    /// Error messages never contain the password. The session settings that text decoding relies on are pinned
    /// (see ``pinnedSettings``), whatever the server, the role, the database or `PG*` variables say.
    public init(url: String? = nil) throws {
        let conninfo = url ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.redact(String(cString: PQerrorMessage(handle)), conninfo: conninfo)
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: "cannot connect to the database: " + message)
        }
        self.handle = handle
        // Server notices (e.g. "already exists, skipping") would otherwise be printed on stderr by libpq.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try query("SELECT " + Self.pinnedSettings.map { "set_config('\($0.name)', '\($0.value)', false)" }.joined(separator: ", "))
    }

    /// Session settings every connection pins when it opens, because values are exchanged as text: dates as
    /// `YYYY-MM-DD` (a server or `PGDATESTYLE` set to German would send `31.12.2026`), times and days in UTC,
    /// UTF-8 text, and floats that round-trip exactly.
    public static let pinnedSettings: [(name: String, value: String)] = [
        ("DateStyle", "ISO, YMD"), ("TimeZone", "UTC"), ("IntervalStyle", "postgres"),
        ("client_encoding", "UTF8"), ("extra_float_digits", "3"),
    ]

    /// False once the connection is broken (the server restarted or went away): reconnect rather than retry.
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    deinit { PQfinish(handle) }

    /// Called with the text of every statement this connection runs and its parameters (as sent: text, nil for
    /// NULL), before it runs (tests use it to check the SQL that actually runs, e.g. that every statement names its
    /// game: `DistributionTests`, or that each runs on one shard of a Citus cluster: `CitusRouterTests`).
    public var statementObserver: ((String, [String?]) -> Void)?

    /// Runs one statement with bound parameters (`$1`, `$2`, ... via `PQexecParams`) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresRows {
        let texts = parameters.map { $0.postgresText }
        statementObserver?(sql, texts)
        let result = withCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Named statements prepared on this connection, by their text (``query(_:_:prepared:)``).
    private var preparedNames: [String: String] = [:]

    /// Runs one statement with bound parameters, prepared once per connection (`PQprepare`, then
    /// `PQexecPrepared`): the server parses and rewrites its text once, not on every run (a statement over the
    /// `level_events` view spends milliseconds there). For the statements a long-lived process runs again and
    /// again (the fast path's); each run is still planned for its own parameters when the session says
    /// `plan_cache_mode = force_custom_plan`, as the store's sessions do.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = [], prepared: Bool) throws -> PostgresRows {
        guard prepared else { return try query(sql, parameters) }
        let texts = parameters.map { $0.postgresText }
        statementObserver?(sql, texts)
        let name: String
        if let known = preparedNames[sql] {
            name = known
        } else {
            name = "lf_\(preparedNames.count + 1)"
            _ = try consume(PQprepare(handle, name, sql, Int32(parameters.count), nil))
            preparedNames[sql] = name
        }
        let result = withCStrings(texts) { pointers in
            PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Transaction isolation levels (PostgreSQL's default is read committed).
    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED"
        /// Every statement of the transaction sees one snapshot, taken by its first statement.
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` inside `BEGIN` ... `COMMIT`; rolls back and rethrows if it throws.
    @discardableResult
    public func transaction<T>(_ isolation: Isolation = .readCommitted, _ body: () throws -> T) throws -> T {
        try execute("BEGIN ISOLATION LEVEL " + isolation.rawValue)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Streams data into `COPY ... FROM STDIN` (text or CSV format, as `sql` says).
    ///
    /// `produce` is called with a `write` function that sends one chunk; whatever it writes is committed
    /// (or not) with the statement. If `produce` throws, the COPY is aborted and nothing is stored.
    /// - Returns: the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, produce: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws -> Int {
        let start = PQexec(handle, sql)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try consume(start)  // throws the server's error
            throw PostgresError(kind: .copy, message: "statement did not start a COPY FROM STDIN: \(sql)")
        }
        PQclear(start)
        var failure: Error?
        do {
            try produce { chunk in
                let sent = chunk.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                        PQputCopyData(handle, $0, Int32(buffer.count))
                    }
                }
                if sent != 1 { throw PostgresError(kind: .copy, message: self.lastErrorMessage) }
            }
        } catch {
            failure = error
        }
        PQputCopyEnd(handle, failure == nil ? nil : "aborted by client")
        var rows = 0
        var serverError: Error?
        while let result = PQgetResult(handle) {
            do { rows = try consume(result).affectedRows } catch { serverError = serverError ?? error }
        }
        if let failure { throw failure }
        if let serverError { throw serverError }
        return rows
    }

    /// Holds the session-level advisory lock `key` while `body` runs.
    ///
    /// If another session holds it, calls `onWait` once (to tell the user) and polls until it is free, or until
    /// `shouldStop` returns true (then throws `CancellationError`: Ctrl-C must end a wait too).
    /// Polling, rather than blocking in `pg_advisory_lock`, keeps no transaction open while waiting: a waiter
    /// blocked inside a statement would deadlock against a holder running `CREATE INDEX CONCURRENTLY`, which
    /// waits for every open transaction. The lock is released even when `body` throws.
    public func withAdvisoryLock<T>(_ key: Int64, onWait: () -> Void = {}, shouldStop: () -> Bool = { false },
                                    _ body: () throws -> T) throws -> T {
        var delay = 0.02
        var announced = false
        while try !(query("SELECT pg_try_advisory_lock($1::bigint)", [key]).one().decode(Bool.self, at: 0)) {
            if !announced { onWait(); announced = true }
            if shouldStop() { throw CancellationError() }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 0.5)
        }
        defer { _ = try? execute("SELECT pg_advisory_unlock($1::bigint)", [key]) }
        return try body()
    }

    /// Runs `body` with the session setting `name` at `value`, then gives it back the value it had, also when `body`
    /// throws: two short statements around it (the old value is read in the statement that sets the new one).
    public func withSetting<T>(_ name: String, _ value: String, _ body: () throws -> T) throws -> T {
        let previous = try query("""
            WITH old AS MATERIALIZED (SELECT current_setting($1) AS value) SELECT value, set_config($1, $2, false) FROM old
            """, [name, value], prepared: true).one().decode(String.self, at: 0)
        defer { _ = try? query("SELECT set_config($1, $2, false)", [name, previous], prepared: true) }
        return try body()
    }

    /// A handle that can cancel the statement currently running on this connection, from any thread.
    public func makeCanceller() -> PostgresCanceller {
        PostgresCanceller(PQgetCancel(handle))
    }

    // MARK: - Private

    private var lastErrorMessage: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns a `PGresult` into rows or a thrown error, and frees it.
    /// A dead connection is reported as a `.connection` error, so that callers can tell it from a failed statement.
    private func consume(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(kind: isAlive ? .query : .connection, message: lastErrorMessage)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return Self.rows(of: result)
        default:
            var error = Self.error(of: result, fallback: lastErrorMessage)
            if !isAlive { error.kind = .connection }
            throw error
        }
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<Int32(rowCount) {
            let values: [String?] = (0..<Int32(columnCount)).map { c in
                PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c))
            }
            rows.append(PostgresRow(values: values, columns: columns))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private static func error(of result: OpaquePointer, fallback: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let pointer = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: pointer)
        }
        return PostgresError(kind: .query, sqlState: field("C"), message: field("M") ?? fallback,
                             detail: field("D"), hint: field("H"))
    }

    /// Removes the password of `conninfo` from a libpq message, should libpq ever quote it.
    static func redact(_ message: String, conninfo: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        var error: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &error) {
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "password", let value = option.pointee.val {
                    let password = String(cString: value)
                    if !password.isEmpty { text = text.replacingOccurrences(of: password, with: "****") }
                }
                option += 1
            }
        }
        if let error { PQfreemem(error) }
        return text
    }
}

/// Cancels the statement running on a connection; safe to use from any thread (`PQcancel` is thread-safe).
public final class PostgresCanceller: @unchecked Sendable {
    private let handle: OpaquePointer?

    init(_ handle: OpaquePointer?) { self.handle = handle }

    deinit { if let handle { PQfreeCancel(handle) } }

    /// Asks the server to cancel the current statement; the statement then fails with SQLSTATE 57014.
    /// Returns false when the request could not be sent.
    @discardableResult
    public func cancel() -> Bool {
        guard let handle else { return false }
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(handle, &buffer, Int32(buffer.count)) == 1
    }
}

/// Calls `body` with C strings for `values` (NULL pointers for nil), valid only during the call.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } }
    defer { owned.forEach { free($0) } }
    return body(owned.map { UnsafePointer($0) })
}
