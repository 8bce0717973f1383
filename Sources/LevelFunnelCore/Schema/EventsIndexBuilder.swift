import Foundation
import PostgresClient

/// An index levelfunnel needs on `events` (`SchemaSQL.eventsIndexes`, `SchemaSQL.playerKeyIndex`).
struct EventsIndex: Sendable, Equatable {
    /// levelfunnel's name for it. Names come from code only.
    var name: String
    /// What follows `ON events`: `(key columns) [INCLUDE (...)] [WHERE ...]`.
    var definition: String
}

/// What `migrate` did about one index levelfunnel needs on `events`.
public struct EventsIndexOutcome: Sendable, Equatable, CustomStringConvertible {
    public enum Action: Sendable, Equatable {
        /// Built by this run.
        case built
        /// Already there under levelfunnel's name (left by an interrupted run that had built it).
        case alreadyThere
        /// An equivalent valid index was already on `events` under another name: used instead, none built.
        case reused(existing: String)
    }

    /// levelfunnel's name for the index.
    public var index: String
    public var action: Action
    /// On a partitioned `events`: partition indexes built by this run (concurrently, one partition at a time).
    public var partitionIndexesBuilt = 0
    /// On a partitioned `events`: equivalent indexes that were already on partitions, attached instead of
    /// building new ones.
    public var partitionIndexesAttached: [String] = []

    public var description: String {
        var text: String
        switch action {
        case .built: text = "\(index): built"
        case .alreadyThere: text = "\(index): already there"
        case .reused(let existing): text = "\(index): not built, the equivalent index \(existing) is used"
        }
        if partitionIndexesBuilt > 0 || !partitionIndexesAttached.isEmpty {
            var parts: [String] = []
            if partitionIndexesBuilt > 0 { parts.append("\(partitionIndexesBuilt) partition index\(partitionIndexesBuilt == 1 ? "" : "es") built") }
            if !partitionIndexesAttached.isEmpty {
                parts.append("existing partition indexes attached: " + partitionIndexesAttached.joined(separator: ", "))
            }
            text += " (" + parts.joined(separator: "; ") + ")"
        }
        return text
    }
}

/// Builds and drops levelfunnel's indexes on `events` without blocking the game backend's inserts for longer
/// than a catalog update, and never builds one that `events` already has under another name.
///
/// A plain `events` gets `CREATE INDEX CONCURRENTLY`: it takes SHARE UPDATE EXCLUSIVE on the table, which inserts
/// do not conflict with, for the whole build.
///
/// PostgreSQL cannot build an index concurrently on a partitioned table, and a plain `CREATE INDEX` on one takes
/// a SHARE lock on every partition for the whole build, stopping inserts for as long as it reads the table. So a
/// partitioned `events` is indexed the way PostgreSQL's manual describes for this case:
/// 1. `CREATE INDEX ... ON ONLY events`: an empty, invalid parent index. SHARE lock on the parent only, held for
///    a catalog update (milliseconds);
/// 2. `CREATE INDEX CONCURRENTLY` on each partition, one at a time: SHARE UPDATE EXCLUSIVE on that partition;
///    inserts go on;
/// 3. `ALTER INDEX parent ATTACH PARTITION child` for each: ACCESS EXCLUSIVE on the child index and SHARE UPDATE
///    EXCLUSIVE on the parent index, for a catalog update. Once every partition's index is attached the parent
///    index becomes valid, and partitions created later (`CREATE TABLE ... PARTITION OF events`,
///    `ALTER TABLE events ATTACH PARTITION`) get a matching index from PostgreSQL itself.
/// A sub-partitioned partition goes through the same three steps. The short steps (1, 3, and dropping an index
/// of a partitioned table, which cannot be concurrent) wait at most `lockTimeout` for their lock, so that a
/// long transaction on `events` never makes the backend's inserts queue behind a waiting migration; they are
/// retried, then the migration fails and can be run again (it resumes where it stopped).
struct EventsIndexBuilder {
    let db: PostgresConnection
    let partitioned: Bool
    private let events: Relation

    /// How long a short step waits for its lock, how many times it tries, and the pause between tries.
    static let lockTimeout = "2s"
    static let lockAttempts = 10
    static let lockRetryPause = 1.0

    /// A table or index: its oid and its qualified, quoted name as PostgreSQL prints it.
    private struct Relation { var oid: Int; var sql: String }

    init(_ db: PostgresConnection) throws {
        self.db = db
        partitioned = try db.query(SchemaSQL.eventsIsPartitioned).one().decode(Bool.self, at: 0)
        let row = try db.query(SchemaSQL.relation, ["events"]).one()
        events = Relation(oid: try row.decode(Int.self, at: 0), sql: try row.decode(String.self, at: 1))
    }

    /// Makes sure `events` has `index` or an equivalent one.
    func ensure(_ index: EventsIndex) throws -> EventsIndexOutcome {
        let shape = try shape(of: index)
        let existing = try indexes(on: events, shape: shape).filter(\.valid)
        if existing.contains(where: { $0.name == index.name }) {
            return EventsIndexOutcome(index: index.name, action: .alreadyThere)
        }
        if let other = existing.first {
            if !partitioned { try dropIfInvalid(index.name, of: events) }   // a leftover of an interrupted build
            return EventsIndexOutcome(index: index.name, action: .reused(existing: other.name))
        }
        var outcome = EventsIndexOutcome(index: index.name, action: .built)
        let name = Self.quoted(index.name)
        if partitioned {
            try briefly(SchemaSQL.createIndex(index, name: name, on: events.sql, only: true))
            let parent = try createdIndex(named: index.name, of: events)
            try complete(parent.relation, on: events, index, shape: shape, &outcome)
        } else {
            try dropIfInvalid(index.name, of: events)
            try db.execute(SchemaSQL.createIndex(index, name: name, on: events.sql, concurrently: true))
        }
        return outcome
    }

    /// Drops levelfunnel's index `name` from `events` if it is there: concurrently on a plain table; on a
    /// partitioned one (where PostgreSQL cannot) with a brief ACCESS EXCLUSIVE lock on `events` and its
    /// partitions, for a catalog update.
    func drop(_ name: String) throws {
        guard let existing = try index(named: name, of: events) else { return }
        if partitioned {
            try briefly("DROP INDEX IF EXISTS \(existing.relation.sql)")
        } else {
            try db.execute("DROP INDEX CONCURRENTLY IF EXISTS \(existing.relation.sql)")
        }
    }

    // MARK: Partitions

    /// Gives every partition of `table` an index attached to `parent` (a partitioned index of `table`): an
    /// equivalent index the partition already has, else one built concurrently (a sub-partitioned partition gets a
    /// parent index of its own, completed the same way). Partitions done by an interrupted run are skipped.
    private func complete(_ parent: Relation, on table: Relation, _ index: EventsIndex, shape: String,
                          _ outcome: inout EventsIndexOutcome) throws {
        let partitions = try db.query(SchemaSQL.partitionsAndTheirIndex, [table.oid, parent.oid]).map { row in
            (table: Relation(oid: try row.decode(Int.self, at: 0), sql: try row.decode(String.self, at: 2)),
             name: try row.decode(String.self, at: 1), isPartitioned: try row.decode(Bool.self, at: 3),
             attached: try row.decode(Int?.self, at: 4), attachedValid: try row.decode(Bool?.self, at: 5))
        }
        for partition in partitions {
            if let attached = partition.attached {
                // Attached already; a sub-partitioned one may still miss some of its own partitions' indexes.
                if partition.isPartitioned && partition.attachedValid == false {
                    let sql = try db.query(SchemaSQL.relation, [String(attached)]).one().decode(String.self, at: 1)
                    try complete(Relation(oid: attached, sql: sql), on: partition.table, index, shape: shape, &outcome)
                }
                continue
            }
            let child: Relation
            if let equivalent = try indexes(on: partition.table, shape: shape).first(where: { $0.valid && !$0.attached }) {
                child = equivalent.relation
                outcome.partitionIndexesAttached.append(equivalent.name)
            } else {
                let name = try childName(index, partition: partition.table, partitionName: partition.name)
                if partition.isPartitioned {
                    try briefly(SchemaSQL.createIndex(index, name: Self.quoted(name), on: partition.table.sql, only: true))
                    child = try createdIndex(named: name, of: partition.table).relation
                    try complete(child, on: partition.table, index, shape: shape, &outcome)
                } else {
                    try dropIfInvalid(name, of: partition.table)
                    try db.execute(SchemaSQL.createIndex(index, name: Self.quoted(name), on: partition.table.sql,
                                                         concurrently: true))
                    child = try createdIndex(named: name, of: partition.table).relation
                    outcome.partitionIndexesBuilt += 1
                }
            }
            try briefly("ALTER INDEX \(parent.sql) ATTACH PARTITION \(child.sql)")
        }
    }

    /// The name of `index` on a partition: the partition's name with levelfunnel's suffix
    /// (`events_2026_02_game_occurred_idx`), or levelfunnel's name and the partition's oid when that is too long or
    /// taken by another relation.
    private func childName(_ index: EventsIndex, partition: Relation, partitionName: String) throws -> String {
        let suffix = index.name.hasPrefix("events_") ? String(index.name.dropFirst("events_".count)) : index.name
        let readable = partitionName + "_" + suffix
        if readable.utf8.count <= 63 {
            if try db.query(SchemaSQL.nameTakenBesidesIndexesOf, [partition.oid, readable]).isEmpty { return readable }
        }
        return "\(index.name)_\(partition.oid)"
    }

    // MARK: Catalog

    /// An index as the catalog sees it.
    private struct Existing { var relation: Relation; var name: String; var valid: Bool; var attached: Bool }

    /// The shape of `index` (see `SchemaSQL.indexShape`), read from a copy of it on an empty copy of `events`'
    /// columns: PostgreSQL prints expressions and predicates its own way, and both sides are printed alike.
    private func shape(of index: EventsIndex) throws -> String {
        try db.transaction {
            try db.execute(SchemaSQL.indexShapeTable)
            try db.execute(SchemaSQL.createIndex(index, name: "lf_index_shape_idx", on: "lf_index_shape"))
            return try db.query(SchemaSQL.shapeOfIndex, ["lf_index_shape_idx"]).one().decode(String.self, at: 0)
        }
    }

    /// The indexes of `table` with `shape`, valid ones first.
    private func indexes(on table: Relation, shape: String) throws -> [Existing] {
        try db.query(SchemaSQL.indexesWithShape, [table.oid, shape]).map { row in
            Existing(relation: Relation(oid: try row.decode(Int.self, at: 0), sql: try row.decode(String.self, at: 2)),
                     name: try row.decode(String.self, at: 1), valid: try row.decode(Bool.self, at: 3),
                     attached: try row.decode(Bool.self, at: 4))
        }
    }

    /// The index called `name` in `table`'s schema, if it is an index of `table`.
    private func index(named name: String, of table: Relation) throws -> (relation: Relation, valid: Bool)? {
        guard let row = try db.query(SchemaSQL.indexNamed, [table.oid, name]).first,
              try row.decode(Int.self, at: 2) == table.oid else { return nil }
        return (Relation(oid: try row.decode(Int.self, at: 0), sql: try row.decode(String.self, at: 1)),
                try row.decode(Bool.self, at: 3))
    }

    /// The index `CREATE INDEX IF NOT EXISTS name` just made (or found) on `table`. `IF NOT EXISTS` also skips when
    /// another relation of the schema has that name: then nothing was made, and the user has to say what to do.
    private func createdIndex(named name: String, of table: Relation) throws -> (relation: Relation, valid: Bool) {
        guard let index = try index(named: name, of: table) else {
            throw LevelFunnelError.invalidInput("""
                cannot create the index \(name) on \(table.sql): another relation of its schema has that name \
                (rename it, then run `levelfunnel migrate` again)
                """)
        }
        return index
    }

    /// An interrupted `CREATE INDEX CONCURRENTLY` leaves an invalid index that `IF NOT EXISTS` would keep: drop it
    /// (concurrently: it is on a plain table or a leaf partition) so that it is built again.
    private func dropIfInvalid(_ name: String, of table: Relation) throws {
        if let existing = try index(named: name, of: table), !existing.valid {
            try db.execute("DROP INDEX CONCURRENTLY IF EXISTS \(existing.relation.sql)")
        }
    }

    /// Runs a statement that needs a lock conflicting with inserts for a moment, in its own transaction with
    /// `lock_timeout`, retrying when the lock is not granted in time (SQLSTATE 55P03).
    private func briefly(_ sql: String) throws {
        for attempt in 1... {
            do {
                try db.transaction {
                    try db.execute("SELECT set_config('lock_timeout', $1, true)", [Self.lockTimeout])
                    try db.execute(sql)
                }
                return
            } catch let error as PostgresError where error.sqlState == "55P03" && attempt < Self.lockAttempts {
                Thread.sleep(forTimeInterval: Self.lockRetryPause)
            }
        }
    }

    /// A name from code or from the catalog as an SQL identifier.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
