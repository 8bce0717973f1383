import Foundation
import PostgresClient
import Testing
import TestSupport

@Suite struct PostgresConnectionTests {
    @Test func bindsParametersVerbatim() throws {
        let db = try TestDatabase.fresh("pgbind").connect()
        let tricky = ["O'Brien", "a; DROP TABLE x; --", "Türkiye 🇹🇷", "back\\slash", "$1", "tab\there"]
        for value in tricky {
            let echoed = try db.query("SELECT $1::text, length($1::text)", [value]).first!
            #expect(try echoed.decode(String.self, at: 0) == value)
            #expect(try echoed.decode(Int.self, at: 1) == value.unicodeScalars.count)  // PostgreSQL counts code points
        }
    }

    @Test func decodesTypesAndNulls() throws {
        let db = try TestDatabase.fresh("pgdecode").connect()
        let row = try db.query("SELECT 42::bigint, 2.5::float8, true, NULL::text, 'x'::text, 7::int").first!
        #expect(try row.decode(Int.self, at: 0) == 42)
        #expect(try row.decode(Double.self, at: 1) == 2.5)
        #expect(try row.decode(Bool.self, at: 2) == true)
        #expect(try row.decode(String?.self, at: 3) == nil)
        #expect(try row.decode(String?.self, at: 4) == "x")
        #expect(try row.decode(Int.self, column: "int4") == 7)
        // NULL into a non-optional, and text into a number, are decoding errors naming the column.
        #expect(throws: PostgresError.self) { try row.decode(String.self, at: 3) }
        #expect(throws: PostgresError.self) { try row.decode(Int.self, at: 4) }
        let nullParameter: String? = nil
        #expect(try db.query("SELECT $1::text IS NULL", [nullParameter]).first!.decode(Bool.self, at: 0))
        #expect(try db.query("SELECT $1::float8", [0.1]).first!.decode(Double.self, at: 0) == 0.1)
    }

    @Test func reportsServerErrorsWithSQLState() throws {
        let db = try TestDatabase.fresh("pgerr").connect()
        do {
            try db.query("SELECT * FROM no_such_table")
            Issue.record("expected an error")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42P01")
            #expect(error.isUndefinedTable)
            #expect(error.message.contains("no_such_table"))
        }
        try db.execute("CREATE TABLE t (id int PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (1)")
        do {
            try db.execute("INSERT INTO t VALUES (1)")
            Issue.record("expected a unique violation")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505")
            #expect(error.detail?.contains("(id)=(1)") == true)
        }
        // The connection stays usable after an error.
        #expect(try db.query("SELECT count(*) FROM t").first!.decode(Int.self, at: 0) == 1)
    }

    @Test func transactionsCommitOrRollBack() throws {
        let db = try TestDatabase.fresh("pgtx").connect()
        try db.execute("CREATE TABLE t (v int)")
        try db.transaction { try db.execute("INSERT INTO t VALUES (1)") }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        #expect(try db.query("SELECT array_agg(v)::text FROM t").first!.decode(String.self, at: 0) == "{1}")
        #expect(try db.execute("UPDATE t SET v = v + 1") == 1)
    }

    /// A setting changed for one body gets its value back afterwards, when the body throws too; the statements
    /// inside see the new value.
    @Test func withSettingRestoresTheSessionValue() throws {
        let db = try TestDatabase.fresh("pgsetting").connect()
        try db.execute("SET plan_cache_mode = force_custom_plan")
        let seen = try db.withSetting("plan_cache_mode", "force_generic_plan") {
            try db.query("SHOW plan_cache_mode").one().decode(String.self, at: 0)
        }
        #expect(seen == "force_generic_plan")
        #expect(try db.query("SHOW plan_cache_mode").one().decode(String.self, at: 0) == "force_custom_plan")
        try db.execute("SET work_mem = '3MB'")
        #expect(throws: PostgresError.self) {
            try db.withSetting("work_mem", "1MB") { try db.query("SELECT * FROM no_such_table") }
        }
        #expect(try db.query("SHOW work_mem").one().decode(String.self, at: 0) == "3MB")
    }

    @Test func copiesRowsInAndAbortsCleanly() throws {
        let db = try TestDatabase.fresh("pgcopy").connect()
        try db.execute("CREATE TABLE t (a text, b int)")
        let copied = try db.copyIn("COPY t (a, b) FROM STDIN") { write in
            try write(Array("x\t1\ny\\tz\t2\n".utf8))
            try write(Array("\\N\t3\n".utf8))
        }
        #expect(copied == 3)
        let rows = try db.query("SELECT a, b FROM t ORDER BY b").map { (try $0.decode(String?.self, at: 0), try $0.decode(Int.self, at: 1)) }
        #expect(rows.map(\.0) == ["x", "y\tz", nil])
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try db.copyIn("COPY t (a, b) FROM STDIN") { write in
                try write(Array("w\t4\n".utf8))
                throw Stop()
            }
        }
        #expect(throws: PostgresError.self) {
            try db.copyIn("COPY t (a, b) FROM STDIN") { write in try write(Array("bad\tnot-a-number\n".utf8)) }
        }
        #expect(try db.query("SELECT count(*) FROM t").first!.decode(Int.self, at: 0) == 3)
    }

    @Test func advisoryLockMakesTheSecondSessionWait() throws {
        let database = try TestDatabase.fresh("pglock")
        let first = try database.connect()
        let key: Int64 = 0x7E57_0000 + Int64.random(in: 0..<1_000_000)
        let state = LockedFlags()
        let done = DispatchSemaphore(value: 0)
        try first.withAdvisoryLock(key) {
            // Another thread and session asks for the lock while `first` holds it.
            let thread = Thread {
                let second = try? database.connect()
                _ = try? second?.withAdvisoryLock(key, onWait: { state.set("waited") }) { state.set("ran") }
                done.signal()
            }
            thread.start()
            Thread.sleep(forTimeInterval: 0.5)
            #expect(state.has("waited"))
            #expect(!state.has("ran"))
        }
        done.wait()
        #expect(state.has("ran"))
        // Both released: the lock is free again.
        #expect(try first.query("SELECT pg_try_advisory_lock($1::bigint)", [key]).first!.decode(Bool.self, at: 0))
    }

    @Test func cancelsARunningStatement() throws {
        let db = try TestDatabase.fresh("pgcancel").connect()
        let canceller = db.makeCanceller()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { canceller.cancel() }
        let start = Date()
        do {
            try db.query("SELECT pg_sleep(10)")
            Issue.record("expected cancellation")
        } catch let error as PostgresError {
            #expect(error.isCancellation)
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(try db.query("SELECT 1").first!.decode(Int.self, at: 0) == 1)
    }

    /// A session ended by the server (shutdown, crash recovery, start-up) or a connection exception counts as a
    /// lost connection whatever libpq's status says; a cancelled or failed statement does not.
    @Test func serverEndedSessionsCountAsLostConnections() {
        for state in ["57P01", "57P02", "57P03", "08006", "08003"] {
            #expect(PostgresError(kind: .query, sqlState: state, message: "").isConnectionLost, "\(state)")
        }
        for state in ["57014", "53100", "55P03", "42501", nil] {
            #expect(!PostgresError(kind: .query, sqlState: state, message: "").isConnectionLost, "\(String(describing: state))")
        }
        #expect(PostgresError(kind: .connection, message: "gone").isConnectionLost)
    }

    @Test func connectionFailureNeverEchoesThePassword() throws {
        do {
            _ = try PostgresConnection(url: "postgresql://alice:Sup3rS3cret@127.0.0.1:1/nowhere?connect_timeout=2")
            Issue.record("expected a connection error")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(!error.message.contains("Sup3rS3cret"))
            #expect(error.message.contains("cannot connect"))
        }
        do {
            _ = try PostgresConnection(url: "host=/nonexistent password=Sup3rS3cret bogus_option=1")
            Issue.record("expected a connection error")
        } catch let error as PostgresError {
            #expect(!error.message.contains("Sup3rS3cret"))
        }
    }
}

final class LockedFlags: @unchecked Sendable {
    private let lock = NSLock()
    private var flags: Set<String> = []
    func set(_ flag: String) { lock.withLock { _ = flags.insert(flag) } }
    func has(_ flag: String) -> Bool { lock.withLock { flags.contains(flag) } }
}
