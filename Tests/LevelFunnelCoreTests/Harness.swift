import LevelFunnelCore
import PostgresClient
import TestSupport

/// A migrated private schema with a store, and a way to ask either path after aggregating what is needed.
final class Harness {
    let database: TestDatabase
    let store: LevelFunnelStore

    /// What the first `migrate` reported.
    let migration: MigrationReport

    /// A fresh schema, migrated after `beforeMigrate` (which may create an `events` table of its own).
    init(_ label: String, beforeMigrate: (PostgresConnection) throws -> Void = { _ in }) throws {
        database = try TestDatabase.fresh(label)
        store = try LevelFunnelStore(url: database.url)
        try beforeMigrate(store.db)
        migration = try store.migrate()
    }

    var db: PostgresConnection { store.db }

    /// The funnel from `source`; for `.fast` and `.aggregates` the game's days in the range are aggregated first.
    func funnel(_ source: FunnelSource, game: String = "g", from: String, to: String,
                filters: FunnelFilters = FunnelFilters()) throws -> [LevelMetrics] {
        let range = try DayRange(from: Day(iso: from)!, to: Day(iso: to)!)
        if source != .raw { _ = try store.backfill(game: game, range: range) }
        return try store.funnel(FunnelQuery(game: game, range: range, filters: filters), source: source).levels
    }
}
