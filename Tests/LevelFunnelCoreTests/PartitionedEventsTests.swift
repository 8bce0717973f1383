import Foundation
@testable import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// An existing event store whose `events` is partitioned by month (`PARTITION BY RANGE (occurred_at)`) before
/// levelfunnel ever sees it: `migrate` indexes it without a duplicate and without blocking inserts, partitions added
/// later get the indexes, the day's statements read only the day's partitions, and fast equals raw across them.
@Suite struct PartitionedEventsTests {
    /// The months partitioned before `migrate`: January to April 2026 (UTC bounds).
    static let months = 1...4
    /// The events' history: three of those months.
    static let history = try! DayRange(from: Day(iso: "2026-01-22")!, to: Day(iso: "2026-03-04")!)
    static let ourIndexes = ["events_game_occurred_idx", "events_game_received_idx", "events_player_key_idx"]

    /// `SchemaSQL.eventsTable` as a big event store has it: the same columns, partitioned by `occurred_at`, its
    /// primary key holding the partition key (PostgreSQL requires it), so `id` alone is not unique any more.
    static func partitionedEventsTable() throws -> String {
        let ddl = SchemaSQL.eventsTable
            .replacingOccurrences(of: "bigserial PRIMARY KEY", with: "bigserial")
            .replacingOccurrences(of: "DEFAULT now())", with: "DEFAULT now(),\n  PRIMARY KEY (id, occurred_at))\n PARTITION BY RANGE (occurred_at)")
        try #require(ddl.contains("PARTITION BY") && !ddl.contains("PRIMARY KEY,"))
        return ddl
    }

    static func partition(_ month: Int) -> String { String(format: "events_2026_%02d", month) }

    static func createPartition(_ month: Int, _ db: PostgresConnection) throws {
        try db.execute("""
            CREATE TABLE \(partition(month)) PARTITION OF events
               FOR VALUES FROM ('\(String(format: "2026-%02d-01", month)) 00:00+00') TO ('\(String(format: "2026-%02d-01", month + 1)) 00:00+00')
            """)
    }

    static func createPartitionedEvents(_ db: PostgresConnection) throws {
        try db.execute(try partitionedEventsTable())
        for month in months { try createPartition(month, db) }
    }

    /// Events over `history`, in three monthly partitions.
    static func events(seed: UInt64, count: Int = 4000) -> [EventRow] {
        RandomEvents.make(seed: seed, count: count, firstDay: history.from.iso, days: history.dayCount, players: 30)
    }

    /// (table, index) of every index on `events` and its partitions.
    static func indexes(_ db: PostgresConnection) throws -> [String] {
        try db.query("""
            SELECT tablename || ' ' || indexname FROM pg_indexes
             WHERE schemaname = current_schema() AND tablename LIKE 'events%' ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
    }

    /// How many valid indexes of `table` have exactly these columns (no predicate), and how many of them are
    /// levelfunnel's (attached to its parent index, or it).
    static func indexCount(_ db: PostgresConnection, on table: String, columns: String) throws -> Int {
        try db.query("""
            SELECT count(*) FROM pg_index i
             WHERE i.indrelid = $1::regclass AND i.indisvalid AND i.indpred IS NULL
               AND pg_get_indexdef(i.indexrelid) LIKE '% USING btree ' || $2
            """, [table, columns]).one().decode(Int.self, at: 0)
    }

    /// Every field of random ranges and filters equals the raw path.
    static func expectExact(_ h: Harness, seed: UInt64, trials: Int, _ label: String) throws {
        var rng = SeededRandom(seed: seed)
        let dims = try h.store.dimensions(game: "g")
        var nonEmpty = 0
        for _ in 0..<trials {
            let a = rng.next(history.dayCount), b = rng.next(history.dayCount)
            let range = try DayRange(from: history.from.adding(days: min(a, b)), to: history.from.adding(days: max(a, b)))
            var filters = FunnelFilters()
            for dimension in Dimension.allCases where rng.next(3) == 0 {
                filters[dimension] = dims.options(dimension, filters: filters).randomElement(using: &rng)
            }
            let report = try h.store.verify(FunnelQuery(game: "g", range: range, filters: filters))
            if report.levelsCompared > 0 { nonEmpty += 1 }
            #expect(report.isExact, "\(label) \(range) \(filters.summary): \(report.differences.prefix(3))")
        }
        #expect(nonEmpty >= trials / 2, "\(label): \(nonEmpty) of \(trials) selections had levels")
    }

    static func plan(_ db: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable]) throws -> String {
        try db.query("EXPLAIN " + sql, parameters).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
    }

    /// The partitions a plan names (scans of a partition or of its indexes).
    static func partitions(in plan: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: #"events_2026_\d\d"#)
        return Set(regex.matches(in: plan, range: NSRange(plan.startIndex..., in: plan)).map {
            String(plan[Range($0.range, in: plan)!])
        })
    }

    // MARK: Migrate, aggregate, compare

    @Test func migrateTwiceThenFastEqualsRawAcrossPartitions() throws {
        let h = try Harness("parted", beforeMigrate: Self.createPartitionedEvents)
        #expect(h.migration.applied == Array(1...SchemaMigrator.latestVersion))
        #expect(h.migration.eventsPartitioned)
        #expect(h.migration.indexes.map(\.index) == Self.ourIndexes)
        for outcome in h.migration.indexes {
            #expect(outcome.action == .built && outcome.partitionIndexesBuilt == Self.months.count
                    && outcome.partitionIndexesAttached.isEmpty, "\(outcome)")
        }
        // The parent indexes are valid (every partition's index attached); no index is built only to be dropped.
        let indexes = try Self.indexes(h.db)
        #expect(indexes.count == (1 + Self.months.count) * (1 + Self.ourIndexes.count), "\(indexes)")
        #expect(!indexes.contains { $0.contains("game_user") })
        for month in Self.months {
            #expect(indexes.contains("\(Self.partition(month)) \(Self.partition(month))_player_key_idx"))
        }
        let invalid = try h.db.query("""
            SELECT count(*) FROM pg_index WHERE NOT indisvalid
               AND indrelid IN (SELECT relid FROM pg_partition_tree('events'))
            """).one().decode(Int.self, at: 0)
        #expect(invalid == 0)

        let again = try h.store.migrate()
        #expect(again.applied.isEmpty && again.indexes.isEmpty && again.eventsPartitioned)
        #expect(try Self.indexes(h.db) == indexes)

        // The same columns as the table `migrate` creates.
        let plain = try Harness("plainevents")
        let columns = "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, ''), ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'events'"
        #expect(try h.db.query(columns).one().decode(String.self, at: 0) == plain.db.query(columns).one().decode(String.self, at: 0))

        try h.db.copy(Self.events(seed: 91))
        let perPartition = try h.db.query("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1 ORDER BY 1")
            .map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) }
        #expect(perPartition.map(\.0) == ["events_2026_01", "events_2026_02", "events_2026_03"])
        #expect(perPartition.allSatisfy { $0.1 > 200 }, "\(perPartition)")

        // Nothing aggregated: every day comes from the events (the live tail), across partitions.
        try Self.expectExact(h, seed: 1, trials: 12, "never aggregated")
        // Part of the history aggregated: the live tail starts inside February.
        _ = try h.store.backfill(game: "g", range: DayRange(from: Self.history.from, to: Day(iso: "2026-02-14")!))
        try Self.expectExact(h, seed: 2, trials: 20, "aggregated to Feb 14")
        let summary = try h.store.backfill(game: "g", range: Self.history)
        #expect(summary.events > 2000)
        try Self.expectExact(h, seed: 3, trials: 60, "backfilled")
        // Sizes count the partitions (the partitioned table itself stores nothing).
        let sizes = try #require(try h.store.tableSizes().first { $0.table == "events" })
        #expect(sizes.bytes > 500_000 && sizes.rows == 4000, "\(sizes)")
        #expect(try h.store.gameSizes(game: "g").events == sizes.bytes)
        // A second backfill changes nothing.
        let checksum = try AggregationTests.checksum(h.db)
        _ = try h.store.backfill(game: "g", range: Self.history)
        #expect(try AggregationTests.checksum(h.db) == checksum)
    }

    /// The day's statements on `events` read only the partitions of the days they cover: their filters are
    /// ranges of `occurred_at`, so PostgreSQL prunes the others when it plans them.
    @Test func theStatementsOfADayReadOnlyItsPartition() throws {
        let h = try Harness("pruning", beforeMigrate: Self.createPartitionedEvents)
        try h.db.copy(Self.events(seed: 92))
        try h.db.execute("ANALYZE events")
        func partitions(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> Set<String> {
            let plan = try Self.plan(h.db, sql, parameters)
            let found = Self.partitions(in: plan)
            #expect(!found.isEmpty, "\(plan)")
            return found
        }
        func partitions(_ statements: [String], _ parameters: [any PostgresEncodable]) throws -> Set<String> {
            try statements.reduce(into: Set<String>()) { $0.formUnion(try partitions($1, parameters)) }
        }
        // A pass's read (counts, player keys, fingerprints): the partitions of its days, on the first and last day
        // of a month and inside one, and over a month's end.
        for day in ["2026-02-01", "2026-02-10", "2026-02-28"] {
            #expect(try partitions(DailyAggregation.readEventsSQL, ["g", day, day]) == ["events_2026_02"], "\(day)")
        }
        #expect(try partitions(DailyAggregation.readEventsSQL, ["g", "2026-03-01", "2026-03-01"]) == ["events_2026_03"])
        #expect(try partitions(DailyAggregation.readEventsSQL, ["g", "2026-02-25", "2026-03-03"])
                == ["events_2026_02", "events_2026_03"])
        // The raw funnel and the fingerprint check: the range's partitions.
        #expect(try partitions(RawFunnel.sql(filterClause: ""), ["g", "2026-02-03", "2026-02-20"]) == ["events_2026_02"])
        #expect(try partitions(RawFunnel.sql(filterClause: ""), ["g", "2026-01-30", "2026-02-02"])
                == ["events_2026_01", "events_2026_02"])
        #expect(try partitions(RefreshSQL.changedFingerprints, ["g", "2026-02-05", "2026-02-12"]) == ["events_2026_02"])
        // The live tail: [F, B] from the events and the probe of [A, F) for earlier activity (the day states read
        // no event: captured changes).
        #expect(try partitions(LiveTail.sql(filterClause: ""), ["g", "2026-02-05", "2026-02-10", "2026-02-12"])
                == ["events_2026_02"])
        #expect(try partitions(LiveTail.sql(filterClause: ""), ["g", "2026-02-20", "2026-02-27", "2026-03-03"])
                == ["events_2026_02", "events_2026_03"])
        // The earlier activity of a pass's keys reads their history: the partitions up to its first day, none after.
        #expect(try partitions(CellSQL.fillEarlierActivity, ["g", "2026-02-10"]) == ["events_2026_01", "events_2026_02"])
        // What the statements avoid: a filter on the UTC date of `occurred_at` (the view's `day`) is not a range of
        // the partition key, so nothing is pruned.
        #expect(try partitions("SELECT count(*) FROM level_events WHERE game_id = $1 AND day = $2::date", ["g", "2026-02-10"])
                == Set(Self.months.map(Self.partition)))
    }

    /// A backfill after a bulk load analyzes a partitioned `events` as a whole (autovacuum never analyzes a
    /// partitioned table); after a small load into one partition, that partition alone; once the partitions hold
    /// a fifth more rows than at the last whole analysis, the whole again.
    @Test func aBackfillAnalyzesWhatALoadChanged() throws {
        let h = try Harness("partanalyze", beforeMigrate: Self.createPartitionedEvents)
        for month in Self.months {   // no autovacuum analysis racing the backfill's
            try h.db.execute("ALTER TABLE \(Self.partition(month)) SET (autovacuum_enabled = false)")
        }
        func lastAnalyzed() throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try h.db.query("""
                SELECT c.relname::text, coalesce(s.last_analyze::text, '')
                  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                 WHERE s.relid IN (SELECT relid FROM pg_partition_tree('events'))
                """).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) })
        }
        func load(_ rows: [EventRow]) throws {
            try h.db.copy(rows)
            // This session's row counts reach the shared statistics at its next idle moment, not a second later.
            try h.db.execute("SELECT pg_stat_force_next_flush()")
        }
        let all = ["events"] + Self.months.map(Self.partition)
        try load(Self.events(seed: 95, count: 3000))
        #expect(try lastAnalyzed() == Dictionary(uniqueKeysWithValues: all.map { ($0, "") }))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let first = try lastAnalyzed()
        #expect(Set(first.keys) == Set(all) && first.values.allSatisfy { !$0.isEmpty }, "\(first)")

        // 400 more events in March: more than a fifth of that partition, less than a fifth of the whole.
        try load(RandomEvents.make(seed: 96, count: 400, firstDay: "2026-03-01", days: 4, players: 30))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let second = try lastAnalyzed()
        #expect(second["events_2026_03"] != first["events_2026_03"])
        for relation in all where relation != "events_2026_03" { #expect(second[relation] == first[relation], "\(relation)") }

        // 1,000 more in February: the partitions now hold over a fifth more rows than at the whole analysis.
        try load(RandomEvents.make(seed: 97, count: 1000, firstDay: "2026-02-10", days: 4, players: 30))
        _ = try h.store.backfill(game: "g", range: Self.history)
        let third = try lastAnalyzed()
        for relation in all { #expect(third[relation] != second[relation], "\(relation)") }
        #expect(try h.store.verify(FunnelQuery(game: "g", range: Self.history)).isExact)
    }

    // MARK: Indexes already there

    /// Indexes equivalent to levelfunnel's under other names — on `events`, or on some partitions only — are used,
    /// not duplicated; indexes that only look alike (other column order, a predicate, invalid) are not.
    @Test(arguments: [true, false])
    func equivalentIndexesUnderOtherNamesAreNotDuplicated(partitioned: Bool) throws {
        let h = try Harness(partitioned ? "reuseparted" : "reuseplain") { db in
            if partitioned { try Self.createPartitionedEvents(db) } else { try db.execute(SchemaSQL.eventsTable) }
            try db.execute("CREATE INDEX ev_by_game_time ON events (game_id, occurred_at)")
            try db.execute("CREATE INDEX ev_time_game ON events (occurred_at, game_id)")
            try db.execute("CREATE INDEX ev_starts ON events (game_id, received_at) WHERE event_name = 'level_start'")
            // Two rows of one (game, received_at) make a unique index build fail, leaving it invalid.
            try db.execute("""
                INSERT INTO events (game_id, user_id, event_name, occurred_at, received_at)
                VALUES ('g', 'a', 'level_start', '2026-01-05 10:00+00', '2026-01-05 10:00+00'),
                       ('g', 'b', 'level_start', '2026-01-05 11:00+00', '2026-01-05 10:00+00')
                """)
            let broken = partitioned ? "events_2026_01" : "events"
            #expect(throws: PostgresError.self) {
                try db.execute("CREATE UNIQUE INDEX CONCURRENTLY ev_broken ON \(broken) (game_id, received_at)")
            }
            if partitioned { try db.execute("CREATE INDEX ev_feb_arrival ON events_2026_02 (game_id, received_at)") }
        }
        let byIndex = Dictionary(uniqueKeysWithValues: h.migration.indexes.map { ($0.index, $0) })
        #expect(byIndex["events_game_occurred_idx"]?.action == .reused(existing: "ev_by_game_time"))
        #expect(byIndex["events_game_received_idx"]?.action == .built)
        #expect(byIndex["events_player_key_idx"]?.action == .built)
        if partitioned {
            #expect(byIndex["events_game_received_idx"]?.partitionIndexesAttached == ["ev_feb_arrival"])
            #expect(byIndex["events_game_received_idx"]?.partitionIndexesBuilt == Self.months.count - 1)
        }
        #expect(byIndex["events_game_occurred_idx"]?.description
                == "events_game_occurred_idx: not built, the equivalent index ev_by_game_time is used")

        let tables = partitioned ? Self.months.map(Self.partition) + ["events"] : ["events"]
        for table in tables {
            #expect(try Self.indexCount(h.db, on: table, columns: "(game_id, occurred_at)") == 1, "\(table)")
            #expect(try Self.indexCount(h.db, on: table, columns: "(game_id, received_at)") == 1, "\(table)")
        }
        let names = try Self.indexes(h.db)
        #expect(!names.contains { $0.hasSuffix("_game_occurred_idx") }, "\(names)")
        #expect(names.contains("events events_game_received_idx") && names.contains("events ev_time_game")
                && names.contains("events ev_starts"))

        let again = try h.store.migrate()
        #expect(again.applied.isEmpty)
        #expect(try Self.indexes(h.db) == names)

        // The aggregation runs on the indexes it found.
        try h.db.copy(Self.events(seed: 93, count: 1500))
        _ = try h.store.backfill(game: "g", range: Self.history)
        try Self.expectExact(h, seed: 4, trials: 10, "reused indexes")
    }

    /// A run stopped in the middle of indexing a partitioned `events` — the parent index created ON ONLY, one
    /// partition's index attached, another's build interrupted (left invalid) — is finished by the next run.
    @Test func anInterruptedBuildIsResumed() throws {
        let h = try Harness("resume") { db in
            try Self.createPartitionedEvents(db)
            try db.execute("CREATE INDEX events_game_occurred_idx ON ONLY events (game_id, occurred_at)")
            try db.execute("CREATE INDEX events_2026_01_game_occurred_idx ON events_2026_01 (game_id, occurred_at)")
            try db.execute("ALTER INDEX events_game_occurred_idx ATTACH PARTITION events_2026_01_game_occurred_idx")
            try db.execute("""
                INSERT INTO events (game_id, user_id, event_name, occurred_at)
                VALUES ('g', 'a', 'level_start', '2026-02-05 10:00+00'), ('g', 'b', 'level_start', '2026-02-05 10:00+00')
                """)
            #expect(throws: PostgresError.self) {
                try db.execute("CREATE UNIQUE INDEX CONCURRENTLY events_2026_02_game_occurred_idx ON events_2026_02 (game_id, occurred_at)")
            }
        }
        let occurred = try #require(h.migration.indexes.first)
        #expect(occurred.index == "events_game_occurred_idx" && occurred.action == .built)
        #expect(occurred.partitionIndexesBuilt == Self.months.count - 1, "\(occurred)")
        let state = try h.db.query("""
            SELECT string_agg(c.relname || ':' || i.indisvalid || ':' || i.indisunique, ' ' ORDER BY c.relname)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname LIKE 'events%game_occurred_idx' AND c.relnamespace = current_schema()::regnamespace
            """).one().decode(String.self, at: 0)
        #expect(state == (Self.months.map { "\(Self.partition($0))_game_occurred_idx:true:false" }
                          + ["events_game_occurred_idx:true:false"]).joined(separator: " "))
    }

    // MARK: Later partitions

    /// Partitions created after `migrate` (`PARTITION OF`, or a table attached with `ATTACH PARTITION`) get the
    /// indexes from PostgreSQL, attached to levelfunnel's; their days are exact and read only them.
    @Test func partitionsAddedAfterMigrateGetTheIndexes() throws {
        let h = try Harness("laterparts", beforeMigrate: Self.createPartitionedEvents)
        try Self.createPartition(5, h.db)
        try h.db.execute("CREATE TABLE events_2026_06 (LIKE events INCLUDING DEFAULTS)")
        try h.db.execute("""
            ALTER TABLE events ATTACH PARTITION events_2026_06 FOR VALUES FROM ('2026-06-01 00:00+00') TO ('2026-07-01 00:00+00')
            """)
        let attached = try h.db.query("""
            SELECT c.relname::text, string_agg(p.relname, ' ' ORDER BY p.relname)
              FROM pg_class c
              JOIN pg_index i ON i.indrelid = c.oid AND i.indisvalid
              JOIN pg_inherits x ON x.inhrelid = i.indexrelid
              JOIN pg_class p ON p.oid = x.inhparent
             WHERE c.relname IN ('events_2026_05', 'events_2026_06') AND c.relnamespace = current_schema()::regnamespace
             GROUP BY 1 ORDER BY 1
            """).map { "\(try $0.decode(String.self, at: 0)): \(try $0.decode(String.self, at: 1))" }
        let expected = (["events_pkey"] + Self.ourIndexes).sorted().joined(separator: " ")
        #expect(attached == ["events_2026_05: \(expected)", "events_2026_06: \(expected)"])
        #expect(try h.store.migrate().applied.isEmpty)

        let may = try DayRange(from: Day(iso: "2026-05-20")!, to: Day(iso: "2026-06-08")!)
        try h.db.copy(RandomEvents.make(seed: 94, count: 2000, firstDay: may.from.iso, days: may.dayCount, players: 20))
        _ = try h.store.backfill(game: "g", range: may)
        for (from, to) in [("2026-05-20", "2026-06-08"), ("2026-05-28", "2026-06-03"), ("2026-06-01", "2026-06-01")] {
            let report = try h.store.verify(FunnelQuery(game: "g", range: DayRange(from: Day(iso: from)!, to: Day(iso: to)!)))
            #expect(report.isExact && report.levelsCompared > 0, "\(from)...\(to): \(report.differences.prefix(3))")
        }
        for statement in DailyAggregation.readEventsSQL {
            let plan = try Self.plan(h.db, statement, ["g", "2026-06-02", "2026-06-02"])
            #expect(Self.partitions(in: plan) == ["events_2026_06"], "\(plan)")
        }
    }

    // MARK: Locks

    /// While a transaction that inserted into `events` stays open, the short steps of indexing a partitioned
    /// `events` (which need a lock that conflicts with inserts) give up after `lockTimeout` and retry, so other
    /// inserts never wait for that transaction behind the migration; the migration finishes once it commits.
    @Test func insertsDoNotQueueBehindAMigrationWaitingForALock() throws {
        let database = try TestDatabase.fresh("locks")
        let setup = try database.connect()
        try Self.createPartitionedEvents(setup)
        let open = try database.connect()
        try open.execute("BEGIN")
        try open.insert([EventRow(user: "a", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-01 10:00+00")])

        let migrated = LockedList()
        let migration = Thread {
            do { _ = try LevelFunnelStore(url: database.url).migrate(); migrated.append("ok") } catch { migrated.append("\(error)") }
        }
        migration.start()
        Thread.sleep(forTimeInterval: 1.0)   // the migration is now waiting for the open transaction
        let writer = try database.connect()
        let start = ContinuousClock.now
        try writer.insert([EventRow(user: "b", name: "level_start", properties: #"{"levelId": 1}"#, occurredAt: "2026-02-01 11:00+00")])
        let waited = (ContinuousClock.now - start).seconds
        #expect(migrated.items.isEmpty, "the migration waits for the open transaction")
        // At most one lock timeout (2 s), not until the open transaction ends.
        #expect(waited < 3.5, "an insert waited \(waited) s")
        Thread.sleep(forTimeInterval: 1.0)
        try open.execute("COMMIT")
        let deadline = ContinuousClock.now + .seconds(60)
        while migrated.items.isEmpty && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(migrated.items == ["ok"])
        #expect(try SchemaMigrator.currentVersion(setup) == SchemaMigrator.latestVersion)
    }
}
