import PostgresClient

/// What applying a game's pending changes did (``DeltaApply``).
public struct AppliedChanges: Sendable, Equatable, Codable {
    /// Captured change rows consumed (one per statement, game and day that changed level events).
    public var changes = 0
    /// Level event rows in the changes, as they are and as they were (an update counts twice).
    public var changedRows = 0
    /// Aggregated days brought up to date by deltas.
    public var days = 0
    /// Of those, days marked stale to be rebuilt whole (their additive dimensions changed).
    public var daysToRebuild = 0
    /// Cell rows updated, inserted and removed.
    public var rowsUpdated = 0
    public var rowsInserted = 0
    public var rowsRemoved = 0

    public init() {}
}

/// Applies a game's pending changes to its aggregates as deltas (`DeltaSQL`), in one REPEATABLE READ
/// transaction: the changes, the events and the aggregates are read from one snapshot, and the changes that
/// snapshot saw are consumed with the update, so a crash leaves both as they were and a change committed meanwhile
/// stays pending. Idempotent: with nothing pending it reads one count. Days never aggregated or stale are not
/// touched (a rebuild reads their events whole); the caller (``LevelFunnelStore/refresh(game:today:check:onWait:shouldStop:)``)
/// rebuilds them, and the days this marks stale, afterwards.
enum DeltaApply {
    static func apply(game: String, _ db: PostgresConnection) throws -> AppliedChanges {
        try db.transaction(.repeatableRead) {
            var applied = AppliedChanges()
            applied.changes = try db.query(DeltaSQL.pendingCount, [game]).one().decode(Int.self, at: 0)
            guard applied.changes > 0 else { return applied }
            try db.execute(DailyAggregation.sessionSettings)
            for statement in DeltaSQL.createTables { try db.execute(statement) }
            for statement in DeltaSQL.fillChangedRows { try db.execute(statement, [game]) }
            applied.changedRows = try db.query(DeltaSQL.changedRowCount).one().decode(Int.self, at: 0)
            try db.execute(DeltaSQL.fillActivity, [game])
            try db.execute(DeltaSQL.fillDays, [game])
            try db.execute(DeltaSQL.fillCells)
            try db.execute(DeltaSQL.addTuples, [game])
            let rows = try db.query(DeltaSQL.writeCells, [game]).one()
            (applied.rowsUpdated, applied.rowsInserted, applied.rowsRemoved) =
                (try rows.decode(Int.self, at: 0), try rows.decode(Int.self, at: 1), try rows.decode(Int.self, at: 2))
            let days = try db.query(DeltaSQL.recordDays, [game]).one()
            (applied.days, applied.daysToRebuild) = (try days.decode(Int.self, at: 0), try days.decode(Int.self, at: 1))
            for statement in DeltaSQL.consume { try db.execute(statement, [game]) }
            return applied
        }
    }
}
