import Foundation
import PostgresClient

/// The levelfunnel domain on one PostgreSQL connection: schema, funnels (fast and raw), aggregation,
/// backfill, refresh and verification. Used by the CLI and the dashboard alike. Each concern is an extension in a
/// file of its own (`LevelFunnelStore+Funnels.swift`, `+Aggregation`, `+Reconnect`, `+Roles`, ...).
///
/// Owns one libpq connection: use a store from one thread at a time (open one store per thread).
/// ``makeCanceller()`` aborts a long statement from another thread.
///
/// A backfill or refresh that loses its connection (the server restarted) opens a new one and goes on from the
/// day it was on (see ``reconnectPolicy``); the canceller follows it to the new connection.
public final class LevelFunnelStore {
    /// The underlying connection, for tools and tests that need plain SQL. A backfill or refresh replaces it with
    /// a new one when it was lost.
    public internal(set) var db: PostgresConnection {
        didSet { canceller.follow(db) }
    }

    /// Cancels the statement running on ``db``, whichever connection it is now.
    private let canceller: StoreCanceller

    /// How long a backfill or refresh keeps reconnecting after losing the connection (default: 60 s).
    /// A store made with ``init(connection:)`` cannot reconnect: it does not know where the connection came from.
    public var reconnectPolicy = ReconnectPolicy()
    /// Most calendar days a backfill or refresh aggregates in one transaction (see ``AggregationPasses``); 1
    /// commits each day on its own.
    public var maxPassDays = LevelFunnelStore.defaultMaxPassDays
    /// The default of ``maxPassDays``.
    public static let defaultMaxPassDays = AggregationPasses.maxDays

    /// Called for each step of a reconnect (lost, retrying, reconnected), on the store's thread.
    public var onReconnect: (ReconnectNotice) -> Void = { _ in }

    /// Opens a new connection like the first one; nil for a wrapped connection.
    let reopen: (() throws -> PostgresConnection)?

    /// Connects using `url`, else `DATABASE_URL`, else libpq's defaults.
    public init(url: String? = nil) throws {
        let connection = try Self.open(url)
        db = connection
        canceller = StoreCanceller(connection)
        reopen = { try Self.open(url) }
    }

    /// Wraps an open connection.
    public init(connection: PostgresConnection) {
        db = connection
        canceller = StoreCanceller(connection)
        reopen = nil
    }

    /// A connection with the store's session settings (on top of the ones every connection pins).
    private static func open(_ url: String?) throws -> PostgresConnection {
        let db = try PostgresConnection(url: url)
        // JIT off: the statements here are short, and their estimates (the `level_events` view's JSON rules are
        // opaque to the planner) made PostgreSQL spend 15-30 ms compiling a 2 ms coverage check; raw scans gain
        // nothing from it either (measured: 395 vs 399 ms on the default game). The fast path's statements are
        // prepared once per session (parsed and rewritten once) and planned for each run's own parameters: a
        // generic plan would not know which cell or which days a run reads.
        try db.execute("""
            SELECT set_config('application_name', 'levelfunnel', false), set_config('jit', 'off', false),
                   set_config('plan_cache_mode', 'force_custom_plan', false)
            """)
        return db
    }

    // MARK: Schema

    /// Creates or upgrades the schema; returns the versions applied and what was done about each index on `events`
    /// (built, or an equivalent existing one used instead).
    @discardableResult
    public func migrate() throws -> MigrationReport { try SchemaMigrator.migrate(db) }

    /// Throws ``LevelFunnelError/schemaMissing`` unless the database is migrated.
    public func requireSchema() throws { try SchemaMigrator.requireCurrent(db) }

    /// One PostgreSQL or Citus, read from the catalog once per store (the database does not change layout under it).
    private var knownDistribution: Distribution?
    func distribution() throws -> Distribution {
        if let known = knownDistribution { return known }
        let read = try Distribution.current(db)
        knownDistribution = read
        return read
    }

    /// False once the connection is broken (a backfill or refresh replaces a lost one by itself; other work does not).
    public var isAlive: Bool { db.isAlive }

    /// The name of the database this store is connected to.
    public var databaseName: String {
        (try? db.query("SELECT current_database()::text").one().decode(String.self, at: 0)) ?? "?"
    }

    /// Cancels the statement running on this store's connection, from any thread: the connection of the moment,
    /// also after a backfill or refresh replaced a lost one.
    public func makeCanceller() -> StoreCanceller { canceller }

    // MARK: Shared by the store's extensions

    func requireKnownGame(_ game: String) throws { _ = try self.game(game) }


    /// The answer of `events` (which reads them); for a role refused them, the answer of `aggregates`, and `true`.
    /// One mechanism for everything a reader gets from the aggregates alone: no privilege query on the way, so a
    /// role that may read events pays nothing for it.
    func eventsElseAggregates<T>(_ events: () throws -> T,
                                         _ aggregates: () throws -> T) throws -> (answer: T, fromAggregates: Bool) {
        do {
            return (try events(), false)
        } catch let error as PostgresError where error.isInsufficientPrivilege {
            return (try aggregates(), true)
        }
    }

    /// Runs `body`, which reads `events`; a permission error becomes the one-line refusal of `action`.
    func readingEvents<T>(_ action: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.isInsufficientPrivilege {
            throw LevelFunnelError.needsEventAccess(action)
        }
    }

    /// Turns "relation does not exist" into the schema-missing error users can act on.
    func withSchemaCheck<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.isUndefinedTable {
            throw LevelFunnelError.schemaMissing
        }
    }
}
