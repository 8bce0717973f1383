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

/// Applies a game's pending changes to its aggregates as deltas (`DeltaSQL`, in the game's rows of the working
/// tables, deleted before it commits), in one REPEATABLE READ transaction: the changes, the events and the aggregates are read from one snapshot, and the changes that
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
            for statement in DeltaSQL.fillChangedRows { try db.execute(statement, [game]) }
            applied.changedRows = try db.query(DeltaSQL.changedRowCount, [game]).one().decode(Int.self, at: 0)
            try db.execute(DeltaSQL.fillActivity, [game])
            try db.execute(DeltaSQL.analyzeActivity)
            try db.execute(DeltaSQL.fillDays, [game])
            try db.execute(DeltaSQL.analyzeDays)
            try db.execute(DeltaSQL.fillCells, [game])
            try db.execute(CellSQL.analyzeCells)
            try db.execute(CellSQL.addTuples, [game])
            try db.execute(DeltaSQL.fillNextRows, [game])
            let written = try DeltaSQL.writeCells.map { try db.execute($0, [game]) }
            (applied.rowsRemoved, applied.rowsUpdated, applied.rowsInserted) = (written[0], written[1], written[2])
            let marked = try db.query(DeltaSQL.recordDays, [game]).map { try $0.decode(Bool.self, at: 0) }
            (applied.days, applied.daysToRebuild) = (marked.count, marked.filter { $0 }.count)
            for statement in DeltaSQL.consume { try db.execute(statement, [game]) }
            for statement in WorkingTables.clear(WorkingTables.deltas) { try db.execute(statement, [game]) }
            return applied
        }
    }
}
