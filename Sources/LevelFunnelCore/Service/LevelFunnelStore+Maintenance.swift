import Foundation
import PostgresClient

/// Table sizes and compaction, for operators and benchmarks.
extension LevelFunnelStore {
    /// Size on disk (table, indexes and TOAST) and estimated row count of the events and aggregate tables.
    public func tableSizes() throws -> [(table: String, bytes: Int, rows: Int)] {
        // A partitioned table has no storage of its own: its size and rows are its partitions'.
        try db.query("""
            SELECT relname::text,
                   CASE WHEN relkind = 'p' THEN (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(oid))::bigint
                        ELSE pg_total_relation_size(oid) END,
                   CASE WHEN relkind = 'p' THEN (SELECT sum(greatest(c.reltuples, 0)) FROM pg_partition_tree(oid) t
                                                   JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf)::bigint
                        ELSE greatest(reltuples, 0)::bigint END
              FROM pg_class
             WHERE oid IN ('events'::regclass, 'level_cells_daily'::regclass, 'level_cell_tuples'::regclass,
                           'aggregated_days'::regclass)
             ORDER BY relname
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1), try $0.decode(Int.self, at: 2)) }
    }

    /// A game of `events` whose id does not match `pattern` (a POSIX regular expression), or nil, also when there is
    /// no `events` table yet: how `bench --scale` and `stress` tell a database of their own from one that holds other
    /// games. Stops at the first such event (a full scan only when every event matches).
    public func someGame(notMatching pattern: String) throws -> String? {
        guard try db.query("SELECT to_regclass('events') IS NOT NULL").one().decode(Bool.self, at: 0) else { return nil }
        return try db.query("SELECT game_id FROM events WHERE game_id !~ $1 LIMIT 1", [pattern]).first?.decode(String.self, at: 0)
    }

    /// Rewrites the aggregate tables without their dead rows (`VACUUM FULL`), so that their size is that of the
    /// rows they hold: a re-backfill replaces every row of its days, and the old ones stay on disk until autovacuum
    /// makes the space reusable (the files never shrink). Takes an exclusive lock on each table while it runs:
    /// for benchmark databases (`bench`), not for one that dashboards read.
    ///
    /// It first waits (up to `patience` seconds) for the other sessions of this database that hold a snapshot:
    /// rows deleted before it began cannot be removed while it lasts, and right after a load autovacuum's `ANALYZE`
    /// of `events` holds one (a second measurement of the same rows was 75% larger under load).
    public func compactAggregates(patience: Double = 30) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        while ContinuousClock.now < deadline,
              try db.query(GameSQL.otherSnapshots).one().decode(Int.self, at: 0) > 0 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        try db.execute("VACUUM FULL level_cells_daily, level_cell_tuples, aggregated_days")
    }

    /// One game's share of the events table and of the aggregate tables, in bytes (table, indexes and TOAST),
    /// estimated from its share of each table's rows: the tables hold every game.
    public func gameSizes(game: String) throws -> (events: Int, aggregates: Int, levelEvents: Int) {
        let row = try db.query("""
            WITH share AS (
              SELECT (SELECT count(*) FROM events WHERE game_id = $1)::float8
                       / greatest((SELECT count(*) FROM events), 1) AS events,
                     (SELECT count(*) FROM aggregated_days WHERE game_id = $1)::float8
                       / greatest((SELECT count(*) FROM aggregated_days), 1) AS days,
                     (SELECT count(*) FROM level_cells_daily r JOIN level_cell_tuples t USING (game_id, tuple_id) WHERE t.game_id = $1)::float8
                       / greatest((SELECT count(*) FROM level_cells_daily), 1) AS cells
            )
            SELECT (coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('events')),  -- partitioned
                             pg_total_relation_size('events')) * events)::bigint,
                   ((pg_total_relation_size('level_cells_daily') + pg_total_relation_size('level_cell_tuples')) * cells
                    + pg_total_relation_size('aggregated_days') * days)::bigint,
                   (SELECT coalesce(sum(level_events), 0) FROM aggregated_days WHERE game_id = $1)::bigint
              FROM share
            """, [game]).one()
        return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1), try row.decode(Int.self, at: 2))
    }
}
