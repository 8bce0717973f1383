import Foundation
import PostgresClient

/// The levelfunnel domain on one PostgreSQL connection: schema, funnels (fast and raw), aggregation,
/// backfill, refresh and verification. Used by the CLI and the dashboard alike.
///
/// Owns one libpq connection: use a store from one thread at a time (open one store per thread).
/// ``makeCanceller()`` aborts a long statement from another thread.
public final class LevelFunnelStore {
    /// The underlying connection, for tools and tests that need plain SQL.
    public let db: PostgresConnection

    /// Connects using `url`, else `DATABASE_URL`, else libpq's defaults.
    public init(url: String? = nil) throws {
        db = try PostgresConnection(url: url)
        try db.execute("SET application_name = 'levelfunnel'")
    }

    /// Wraps an open connection.
    public init(connection: PostgresConnection) { db = connection }

    // MARK: Schema

    /// Creates or upgrades the schema; returns the versions applied.
    @discardableResult
    public func migrate() throws -> [Int] { try SchemaMigrator.migrate(db) }

    /// Throws ``LevelFunnelError/schemaMissing`` unless the database is migrated.
    public func requireSchema() throws { try SchemaMigrator.requireCurrent(db) }

    // MARK: Funnels

    /// Answers `query` from the daily aggregates (`.fast`) or from `events` (`.raw`).
    /// Throws ``LevelFunnelError/unknownGame(_:)`` when the game has no level events at all.
    public func funnel(_ query: FunnelQuery, source: FunnelSource = .fast) throws -> FunnelResult {
        let clock = ContinuousClock()
        var counts: [LevelCounts] = []
        let elapsed = try clock.measure {
            counts = try withSchemaCheck {
                switch source {
                case .fast: try FastFunnel.counts(query, db)
                case .raw: try RawFunnel.counts(query, db)
                }
            }
        }
        if counts.isEmpty { try requireKnownGame(query.game) }
        return FunnelResult(query: query, source: source, queryMs: elapsed.milliseconds,
                            levels: MetricsFormula.derive(counts))
    }

    /// Runs both paths for `query` and lists every field on which they differ.
    public func verify(_ query: FunnelQuery) throws -> VerifyReport {
        let fast = try funnel(query, source: .fast)
        let raw = try funnel(query, source: .raw)
        return VerifyReport(query: query, fastMs: fast.queryMs, rawMs: raw.queryMs,
                            levelsCompared: Set(fast.levels.map(\.levelId)).union(raw.levels.map(\.levelId)).count,
                            differences: FunnelComparison.differences(fast: fast.levels, raw: raw.levels))
    }

    // MARK: Games

    /// The games that have level events, with their first and last event day, ordered by id.
    public func games() throws -> [GameInfo] {
        try withSchemaCheck {
            try db.query(GameSQL.gamesWithLevelEvents).map { row in
                GameInfo(id: try row.decode(String.self, at: 0),
                         firstDay: Day(iso: try row.decode(String.self, at: 1))!,
                         lastDay: Day(iso: try row.decode(String.self, at: 2))!,
                         aggregatedLevelEvents: try row.decode(Int?.self, at: 3))
            }
        }
    }

    /// The game's history, or ``LevelFunnelError/unknownGame(_:)``.
    public func game(_ id: String) throws -> GameInfo {
        guard let row = try withSchemaCheck({ try db.query(GameSQL.gameSpan, [id]).first }),
              let first = try row.decode(String?.self, at: 0).flatMap(Day.init(iso:)),
              let last = try row.decode(String?.self, at: 1).flatMap(Day.init(iso:))
        else { throw LevelFunnelError.unknownGame(id) }
        return GameInfo(id: id, firstDay: first, lastDay: last)
    }

    /// The dimension values present in the game's aggregates (or its events, before any aggregation).
    public func dimensions(game: String) throws -> GameDimensions {
        var rows = try withSchemaCheck { try db.query(GameSQL.dimensionsFromAggregates, [game]) }
        if rows.isEmpty { rows = try db.query(GameSQL.dimensionsFromEvents, [game]) }
        var result = GameDimensions()
        var platforms = Set<String>(), countries = Set<String>(), versions = Set<String>()
        var funnels: [String: Set<Int>] = [:]
        for row in rows {
            if let v = try row.decode(String?.self, at: 0) { platforms.insert(v) }
            if let v = try row.decode(String?.self, at: 1) { countries.insert(v) }
            if let v = try row.decode(String?.self, at: 2) { versions.insert(v) }
            if let funnel = try row.decode(String?.self, at: 3) {
                let version = try row.decode(Int?.self, at: 4)
                funnels[funnel, default: []].formUnion(version.map { [$0] } ?? [])
            }
        }
        result.platforms = platforms.sorted()
        result.countries = countries.sorted()
        result.appVersions = versions.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        result.funnels = funnels.keys.sorted()
        result.funnelVersions = funnels.mapValues { $0.sorted() }
        return result
    }

    // MARK: Aggregation

    /// Re-aggregates one UTC day of one game (idempotent), holding the game's aggregation lock.
    public func aggregate(game: String, day: Day, onWait: () -> Void = {}) throws -> DayAggregation {
        try requireSchema()
        return try db.withAdvisoryLock(AdvisoryLockKey.aggregation(game: game), onWait: onWait) {
            try DailyAggregation.aggregate(game: game, day: day, db)
        }
    }

    /// Aggregates every day of `range` in order, one transaction per day, re-runnable with identical results.
    ///
    /// Holds the game's advisory lock for the whole run, so two backfills (or a backfill and the daily job)
    /// never interleave; `onWait` is called when another session holds it. `progress` is called after each
    /// day; returning false stops the backfill between days (days already done stay done).
    public func backfill(game: String, range: DayRange, onWait: () -> Void = {},
                         progress: (BackfillProgress) -> Bool = { _ in true }) throws -> BackfillSummary {
        try requireSchema()
        return try db.withAdvisoryLock(AdvisoryLockKey.aggregation(game: game), onWait: onWait) {
            let start = ContinuousClock.now
            var summary = BackfillSummary(game: game, range: range, daysDone: 0, events: 0, rowsWritten: 0,
                                          rowsRemoved: 0, seconds: 0, cancelled: false)
            for day in range.days {
                let done = try DailyAggregation.aggregate(game: game, day: day, db)
                summary.daysDone += 1
                summary.events += done.levelEvents
                summary.rowsWritten += done.rowsWritten
                summary.rowsRemoved += done.rowsRemoved
                summary.seconds = (ContinuousClock.now - start).seconds
                let perDay = summary.seconds / Double(summary.daysDone)
                let report = BackfillProgress(
                    game: game, day: day, daysDone: summary.daysDone, daysTotal: range.dayCount,
                    events: summary.events,
                    eventsPerSecond: summary.seconds > 0 ? Double(summary.events) / summary.seconds : 0,
                    elapsedSeconds: summary.seconds,
                    etaSeconds: perDay * Double(range.dayCount - summary.daysDone))
                if !progress(report) && summary.daysDone < range.dayCount {
                    summary.cancelled = true
                    break
                }
            }
            return summary
        }
    }

    /// The daily job for one game: re-aggregates the days that need it — never aggregated, marked stale,
    /// holding events received after the day was aggregated (late events), and yesterday and today — and every
    /// day after the earliest of them, since later days' player counts depend on earlier days. Idempotent.
    /// `shouldStop` is asked before each day: when it says true, the refresh stops there (`stopped`); the days
    /// done are complete, and the next refresh does the rest (days after a changed day are marked stale).
    public func refresh(game: String, today: Day = .today, onWait: () -> Void = {},
                        shouldStop: () -> Bool = { false }) throws -> RefreshSummary {
        try requireSchema()
        let info = try self.game(game)
        return try db.withAdvisoryLock(AdvisoryLockKey.aggregation(game: game), onWait: onWait) {
            let start = ContinuousClock.now
            let stale = try staleDays(info, marginSeconds: 300)
            let earliest = min(stale.min() ?? today.adding(days: -1), today.adding(days: -1))
            let days = try DayRange(from: max(earliest, info.firstDay), to: max(today, info.lastDay)).days
            var events = 0, done: [Day] = []
            for day in days {
                if shouldStop() { break }
                events += try DailyAggregation.aggregate(game: game, day: day, db).levelEvents
                done.append(day)
            }
            return RefreshSummary(game: game, days: done, events: events,
                                  seconds: (ContinuousClock.now - start).seconds, stopped: done.count < days.count)
        }
    }

    /// Days of the game's history that were never aggregated or received events after their aggregation.
    private func staleDays(_ info: GameInfo, marginSeconds: Double) throws -> [Day] {
        try db.query(RefreshSQL.daysNeedingWork, [info.id, info.firstDay.iso, info.lastDay.iso, marginSeconds])
            .map { Day(iso: try $0.decode(String.self, at: 0))! }
    }

    /// Per-game aggregation status, for admins.
    public func aggregationStatus() throws -> [AggregationStatus] {
        try games().map { info in
            let row = try db.query(RefreshSQL.status, [info.id, info.firstDay.iso, info.lastDay.iso]).first!
            return AggregationStatus(
                game: info.id, firstDay: info.firstDay, lastDay: info.lastDay,
                aggregatedDays: try row.decode(Int.self, at: 0), totalDays: info.history.dayCount,
                lastAggregatedAt: try row.decode(Double?.self, at: 1).map { Date(timeIntervalSince1970: $0) },
                staleDays: try staleDays(info, marginSeconds: 0).count)
        }
    }

    /// When the game's aggregates were last written (the dashboard's "data as of"), or nil if never.
    public func dataAsOf(game: String) throws -> Date? {
        try db.query("SELECT extract(epoch FROM max(aggregated_at))::float8 FROM aggregated_days WHERE game_id = $1", [game])
            .first?.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) }
    }

    /// True when this connection may write the aggregate tables (backfill, refresh).
    public func canWrite() throws -> Bool {
        try withSchemaCheck {
            try db.query("""
                SELECT has_table_privilege('level_metrics_daily', 'INSERT, UPDATE, DELETE')
                   AND has_table_privilege('aggregated_days', 'INSERT, UPDATE')
                   AND current_setting('transaction_read_only') = 'off'
                """).first?.decode(Bool.self, at: 0) ?? false
        }
    }

    /// Size on disk (table, indexes and TOAST) and estimated row count of the events and aggregate tables.
    public func tableSizes() throws -> [(table: String, bytes: Int, rows: Int)] {
        try db.query("""
            SELECT relname::text, pg_total_relation_size(oid), greatest(reltuples, 0)::bigint
              FROM pg_class
             WHERE oid IN ('events'::regclass, 'level_metrics_daily'::regclass, 'level_cells_daily'::regclass,
                           'level_cell_tuples'::regclass,
                           'aggregated_days'::regclass)
             ORDER BY relname
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1), try $0.decode(Int.self, at: 2)) }
    }

    /// Cancels the statement running on this store's connection, from any thread.
    public func makeCanceller() -> PostgresCanceller { db.makeCanceller() }

    // MARK: Private

    private func requireKnownGame(_ game: String) throws { _ = try self.game(game) }

    /// Turns "relation does not exist" into the schema-missing error users can act on.
    private func withSchemaCheck<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgresError where error.isUndefinedTable {
            throw LevelFunnelError.schemaMissing
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
