import Foundation
@testable import LevelFunnelCore
import Testing

/// `docs/sql/*.sql`: every statement levelfunnel runs, for the default measures and dimensions, rendered from the
/// Swift that builds it, one file per concern, so that a reader can open it, a reviewer sees a change in a diff and
/// an analyst can run it in psql. ``SQLDocsTests`` keeps the files equal to the builders;
/// `LEVELFUNNEL_WRITE_SQL=1` (`make sql`) writes them instead.
enum SQLDocs {
    /// One statement: where it comes from, what its parameters are, and its text.
    struct Statement {
        var source: String
        var parameters: String
        var sql: String
    }

    /// One file of `docs/sql`.
    struct File {
        var name: String
        /// What the file holds and, for builders that take arguments, which ones it was rendered with.
        var about: String
        var statements: [Statement]

        var text: String {
            var lines = ["-- docs/sql/\(name): generated from the Swift builders by Tests/LevelFunnelCoreTests/SQLDocsTests.swift;",
                         "-- do not edit: run `make sql` after changing a statement.",
                         "--"]
            lines += about.split(separator: "\n", omittingEmptySubsequences: false).map { "-- \($0)".trimmingTrailingSpaces }
            lines.append("-- To run a statement in psql, prepare it: PREPARE q AS <statement>; EXECUTE q('demo', '2026-10-01', ...);")
            for statement in statements {
                lines += ["", "-- \(statement.source)"]
                if !statement.parameters.isEmpty { lines.append("-- \(statement.parameters)") }
                lines.append(statement.sql + ";")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static let noFilter = FunnelFilters()
    static let oneFilter = FunnelFilters(platform: "iOS")
    static let twoFilters = FunnelFilters(platform: "iOS", country: "US")

    /// `, $4 platform, $5 country` for the filters' parameters from `first`.
    static func filterParameters(_ filters: FunnelFilters, first: Int) -> String {
        Dimension.allCases.filter { filters[$0] != nil }.enumerated()
            .map { ", $\(first + $0.offset) \($0.element.name)" }.joined()
    }

    static func filtered(_ source: String, _ filters: FunnelFilters, first: Int, parameters: String,
                         _ sql: (String) -> String) -> Statement {
        let label = filters == noFilter ? "no filter"
            : Dimension.allCases.filter { filters[$0] != nil }.map(\.name).joined(separator: " and ")
        return Statement(source: "\(source), \(label)",
                         parameters: parameters + filterParameters(filters, first: first),
                         sql: sql(FilterSQL(filters, firstParameter: first).andClause))
    }

    static let dayRange = "$2 first day, $3 last day (dates)"

    static var files: [File] {
        [aggregationPass, deltas, fastQuery, liveTail, pendingChanges, rawFunnel, games, refresh, schema, roles]
    }

    static let aggregationPass = File(name: "aggregation-pass.sql", about: """
        A backfill or refresh of one game: the statements before the passes, then one pass of consecutive days in
        one REPEATABLE READ transaction (DailyAggregation.aggregate), in the order they run.
        CellSQL.rebuildDays(additive:) runs once per set of additive dimensions among the pass's days: rendered for
        31 (every dimension additive: no corrections) and 22 (funnel version and app version varied: corrections).
        """, statements: [
            Statement(source: "DailyAggregation.relationsToAnalyzeSQL (before a backfill; then ANALYZE of each relation)",
                      parameters: "", sql: DailyAggregation.relationsToAnalyzeSQL),
            Statement(source: "DailyAggregation.busyDaysSQL", parameters: "$1 game, \(dayRange)", sql: DailyAggregation.busyDaysSQL),
            Statement(source: "DailyAggregation.aggregatedBusyDaysSQL (a role that may not read events)",
                      parameters: "$1 game, \(dayRange)", sql: DailyAggregation.aggregatedBusyDaysSQL),
            Statement(source: "DailyAggregation.pendingDaysSQL (recording the empty days: one REPEATABLE READ transaction)",
                      parameters: "$1 game, \(dayRange)", sql: DailyAggregation.pendingDaysSQL),
            Statement(source: "DailyAggregation.freshDaysSQL", parameters: "$1 game, \(dayRange)", sql: DailyAggregation.freshDaysSQL),
            Statement(source: "DailyAggregation.recordEmptyDaysSQL",
                      parameters: "$1 game, $2 the days without events to record (date[]), $3 \(CellSQL.allUnpinned) (every dimension additive)",
                      sql: DailyAggregation.recordEmptyDaysSQL),
            Statement(source: "DailyAggregation.consumeEmptyDaysSQL", parameters: "$1 game, $2 the days recorded (date[])",
                      sql: DailyAggregation.consumeEmptyDaysSQL),
            Statement(source: "DeltaSQL.dropOrphanRemovals", parameters: "$1 game", sql: DeltaSQL.dropOrphanRemovals),
            Statement(source: "DailyAggregation.sessionSettings (the pass's transaction begins)", parameters: "",
                      sql: DailyAggregation.sessionSettings),
        ] + DailyAggregation.readEventsSQL.enumerated().map {
            Statement(source: "DailyAggregation.readEventsSQL[\($0.offset)]", parameters: "$1 game, $2 the pass's first day, $3 its last day",
                      sql: $0.element)
        } + [
            Statement(source: "DailyAggregation.passSummarySQL", parameters: "$1 game, $2 the pass's first day, $3 its last day",
                      sql: DailyAggregation.passSummarySQL),
            Statement(source: "CellSQL.fillEarlierActivity", parameters: "$1 game, $2 the pass's first day",
                      sql: CellSQL.fillEarlierActivity),
            Statement(source: "CellSQL.analyzeActivity", parameters: "", sql: CellSQL.analyzeActivity),
        ] + CellSQL.fillKeyDays.enumerated().map {
            Statement(source: "CellSQL.fillKeyDays[\($0.offset)]", parameters: "$1 game, $2 the pass's first day", sql: $0.element)
        } + [
            Statement(source: "CellSQL.analyzeKeyDays", parameters: "", sql: CellSQL.analyzeKeyDays),
            Statement(source: "CellSQL.varyingDimensions", parameters: "$1 game", sql: CellSQL.varyingDimensions),
            Statement(source: "CellSQL.deleteDays", parameters: "$1 game, $2 the pass's first day, $3 its last day",
                      sql: CellSQL.deleteDays),
        ] + [CellSQL.allUnpinned, 22].flatMap { additive in
            CellSQL.rebuildDays(additive: additive).enumerated().map {
                Statement(source: "CellSQL.rebuildDays(additive: \(additive))[\($0.offset)]",
                          parameters: "$1 game, $2 \(additive) (the additive dimension bits), $3 the pass's days that have them (date[])",
                          sql: $0.element)
            }
        } + [
            Statement(source: "CellSQL.analyzeCells", parameters: "", sql: CellSQL.analyzeCells),
            Statement(source: "CellSQL.addTuples", parameters: "$1 game", sql: CellSQL.addTuples),
            Statement(source: "CellSQL.writeRows", parameters: "$1 game", sql: CellSQL.writeRows),
            Statement(source: "CellSQL.rowsPerDay", parameters: "$1 game", sql: CellSQL.rowsPerDay),
            Statement(source: "DailyAggregation.changedDaysSQL",
                      parameters: "$1 game, $2 the pass's days (date[]), $3 their additive bits, $4 level events, $5 fingerprints, $6 activity fingerprints (arrays in the same order)",
                      sql: DailyAggregation.changedDaysSQL),
            Statement(source: "DailyAggregation.recordDaysSQL", parameters: "the same as changedDaysSQL",
                      sql: DailyAggregation.recordDaysSQL),
            Statement(source: "DailyAggregation.consumeChangesSQL", parameters: "$1 game, $2 the pass's days (date[])",
                      sql: DailyAggregation.consumeChangesSQL),
            Statement(source: "DailyAggregation.markLaterDaysStaleSQL (when a day's activity changed)",
                      parameters: "$1 game, $2 the pass's last day", sql: DailyAggregation.markLaterDaysStaleSQL),
        ] + WorkingTables.clear(WorkingTables.pass).enumerated().map {
            Statement(source: "WorkingTables.clear(WorkingTables.pass)[\($0.offset)] (before the pass commits)", parameters: "$1 game", sql: $0.element)
        })

    static let deltas = File(name: "deltas.sql", about: """
        Applying a game's pending changes as deltas (DeltaApply.apply), in one REPEATABLE READ transaction, in the
        order the statements run. With nothing pending only the first one runs.
        """, statements: [
            Statement(source: "DeltaSQL.pendingCount", parameters: "$1 game", sql: DeltaSQL.pendingCount),
            Statement(source: "DailyAggregation.sessionSettings", parameters: "", sql: DailyAggregation.sessionSettings),
        ] + DeltaSQL.fillChangedRows.enumerated().map {
            Statement(source: "DeltaSQL.fillChangedRows[\($0.offset)]", parameters: "$1 game", sql: $0.element)
        } + [
            Statement(source: "DeltaSQL.changedRowCount", parameters: "$1 game", sql: DeltaSQL.changedRowCount),
            Statement(source: "DeltaSQL.fillActivity", parameters: "$1 game", sql: DeltaSQL.fillActivity),
            Statement(source: "DeltaSQL.analyzeActivity", parameters: "", sql: DeltaSQL.analyzeActivity),
            Statement(source: "DeltaSQL.fillDays", parameters: "$1 game", sql: DeltaSQL.fillDays),
            Statement(source: "DeltaSQL.analyzeDays", parameters: "", sql: DeltaSQL.analyzeDays),
            Statement(source: "DeltaSQL.fillCells", parameters: "$1 game", sql: DeltaSQL.fillCells),
            Statement(source: "CellSQL.analyzeCells", parameters: "", sql: CellSQL.analyzeCells),
            Statement(source: "CellSQL.addTuples", parameters: "$1 game", sql: CellSQL.addTuples),
            Statement(source: "DeltaSQL.fillNextRows", parameters: "$1 game", sql: DeltaSQL.fillNextRows),
        ] + DeltaSQL.writeCells.enumerated().map {
            Statement(source: "DeltaSQL.writeCells[\($0.offset)]", parameters: "$1 game", sql: $0.element)
        } + [
            Statement(source: "DeltaSQL.recordDays", parameters: "$1 game", sql: DeltaSQL.recordDays),
        ] + DeltaSQL.consume.enumerated().map {
            Statement(source: "DeltaSQL.consume[\($0.offset)]", parameters: "$1 game", sql: $0.element)
        } + WorkingTables.clear(WorkingTables.deltas).enumerated().map {
            Statement(source: "WorkingTables.clear(WorkingTables.deltas)[\($0.offset)] (before the apply commits)", parameters: "$1 game", sql: $0.element)
        })

    static let fastQuery = File(name: "fast-query.sql", about: """
        The fast path's read of the aggregates (FastFunnel.counts: CellSQL.funnelQuery(filterClause:)), rendered with
        no filter and one filter (a coarse cell, read alone) and with two filters (cell 0's matching tuples plus the
        corrections of the cell that also pins the day's additive dimensions). A fast answer first asks for the
        range's day states (live-tail.sql), and adds pending changes (pending-changes.sql) and live days.
        """, statements: [noFilter, oneFilter, twoFilters].map { filters in
            filtered("CellSQL.funnelQuery(filterClause:)", filters, first: 6,
                     parameters: "$1 game, \(dayRange), $4 the cell the filters pin (\(FilterSQL(filters, firstParameter: 6).cell)), $5 whether it is coarse (\(CellSQL.isCoarse(FilterSQL(filters, firstParameter: 6).cell)))",
                     CellSQL.funnelQuery(filterClause:))
        })

    static let liveTail = File(name: "live-tail.sql", about: """
        The fast path's day states (the one freshness rule), and the days from the first one not aggregated
        computed from the events (LiveTail), rendered with no filter and with one filter.
        """, statements: [
            Statement(source: "LiveTail.dayStatesSQL", parameters: "$1 game, \(dayRange)", sql: LiveTail.dayStatesSQL),
        ] + [noFilter, oneFilter].map {
            filtered("LiveTail.sql(filterClause:)", $0, first: 5,
                     parameters: "$1 game, $2 the range's first day, $3 the first live day, $4 the range's last day",
                     LiveTail.sql(filterClause:))
        })

    static let pendingChanges = File(name: "pending-changes.sql", about: """
        What the pending changes (event_changes) add to the aggregated days of a fast answer (PendingChanges),
        rendered with no filter and with one filter.
        """, statements: [noFilter, oneFilter].map {
            filtered("PendingChanges.sql(filterClause:)", $0, first: 4,
                     parameters: "$1 game, $2 the first aggregated day, $3 the last", PendingChanges.sql(filterClause:))
        })

    static let rawFunnel = File(name: "raw-funnel.sql", about: """
        The reference: every figure of a funnel from the events in one statement (RawFunnel), rendered with no
        filter and with two filters.
        """, statements: [noFilter, twoFilters].map {
            filtered("RawFunnel.sql(filterClause:)", $0, first: 4, parameters: "$1 game, \(dayRange)", RawFunnel.sql(filterClause:))
        })

    static let games = File(name: "games.sql", about: """
        The game list, each game's history and its dimension values (GameSQL): from the events, and from the
        aggregates for a role that may not read them.
        """, statements: [
            Statement(source: "GameSQL.gamesWithLevelEvents", parameters: "", sql: GameSQL.gamesWithLevelEvents),
            Statement(source: "GameSQL.gamesFromAggregates", parameters: "", sql: GameSQL.gamesFromAggregates),
            Statement(source: "GameSQL.gameSpan", parameters: "$1 game", sql: GameSQL.gameSpan),
            Statement(source: "GameSQL.gameSpanFromAggregates", parameters: "$1 game", sql: GameSQL.gameSpanFromAggregates),
            Statement(source: "GameSQL.futureEvents", parameters: "$1 game, $2 today", sql: GameSQL.futureEvents),
            Statement(source: "GameSQL.freshness", parameters: "$1 game, \(dayRange)", sql: GameSQL.freshness),
            Statement(source: "GameSQL.aggregatedDays", parameters: "$1 game, \(dayRange)", sql: GameSQL.aggregatedDays),
            Statement(source: "GameSQL.dimensionsFromEvents", parameters: "$1 game", sql: GameSQL.dimensionsFromEvents),
            Statement(source: "GameSQL.dimensionsFromEventsSince", parameters: "$1 game, $2 a day",
                      sql: GameSQL.dimensionsFromEventsSince),
            Statement(source: "GameSQL.dimensionsFromAggregates", parameters: "$1 game", sql: GameSQL.dimensionsFromAggregates),
        ])

    static let refresh = File(name: "refresh.sql", about: """
        The daily job's own statements (RefreshSQL): which days need work, the fingerprint check, the watermark,
        the aggregation status. The work itself is deltas.sql, then aggregation-pass.sql.
        """, statements: [
            Statement(source: "RefreshSQL.daysNeedingWork", parameters: "$1 game, $2..$3 its history", sql: RefreshSQL.daysNeedingWork),
            Statement(source: "RefreshSQL.changedFingerprints", parameters: "$1 game, \(dayRange)",
                      sql: RefreshSQL.changedFingerprints),
            Statement(source: "RefreshSQL.saveWatermark", parameters: "$1 game, $2 epoch seconds", sql: RefreshSQL.saveWatermark),
            Statement(source: "RefreshSQL.status", parameters: "$1 game, $2..$3 its history", sql: RefreshSQL.status),
        ])

    static let schema = File(name: "schema.sql", about: """
        The DDL of every migration, in order (SchemaMigrator.migrations): each version's statements run in one
        transaction with its record in schema_migrations. Indexes on events are built one by one outside any
        transaction, shown here for a plain events table (EventsIndexBuilder builds them partition by partition on a
        partitioned one, and reuses an equivalent index: docs/operations.md); an index a later version drops
        (events_game_user_idx) is never built from scratch. The builder's catalog queries follow.
        """, statements: SchemaMigrator.migrations.flatMap(migrationStatements) + indexBuilderQueries)

    static let indexBuilderQueries: [Statement] = [
        Statement(source: "SchemaSQL.eventsIsPartitioned", parameters: "", sql: SchemaSQL.eventsIsPartitioned),
        Statement(source: "SchemaSQL.indexShapeTable", parameters: "", sql: SchemaSQL.indexShapeTable),
        Statement(source: "SchemaSQL.shapeOfIndex", parameters: "$1 an index", sql: SchemaSQL.shapeOfIndex),
        Statement(source: "SchemaSQL.indexesWithShape", parameters: "$1 a table (oid), $2 a shape", sql: SchemaSQL.indexesWithShape),
        Statement(source: "SchemaSQL.indexNamed", parameters: "$1 a table (oid), $2 an index name", sql: SchemaSQL.indexNamed),
        Statement(source: "SchemaSQL.nameTakenBesidesIndexesOf", parameters: "$1 a table (oid), $2 a name",
                  sql: SchemaSQL.nameTakenBesidesIndexesOf),
        Statement(source: "SchemaSQL.relation", parameters: "$1 a table name or oid (text)", sql: SchemaSQL.relation),
        Statement(source: "SchemaSQL.partitionsAndTheirIndex", parameters: "$1 a partitioned table (oid), $2 its index (oid)",
                  sql: SchemaSQL.partitionsAndTheirIndex),
    ]

    /// One migration's statements: those run in its transaction, then the indexes it builds or drops on `events`.
    static func migrationStatements(_ migration: Migration) -> [Statement] {
        let label = "migration \(migration.version) (\(migration.name))"
        var statements: [Statement] = []
        for (source, sql) in zip(migrationSources[migration.version] ?? [], migration.statements) {
            statements.append(Statement(source: "\(label): \(source.name)", parameters: "", sql: sql))
        }
        for index in migration.eventsIndexes {
            let sql = SchemaSQL.createIndex(index, name: EventsIndexBuilder.quoted(index.name), on: "events", concurrently: true)
            statements.append(Statement(source: "\(label): SchemaSQL.createIndex for \(index.name)", parameters: "", sql: sql))
        }
        for name in migration.dropsEventsIndexes {
            statements.append(Statement(source: "\(label): EventsIndexBuilder.drop (plain events)", parameters: "",
                                        sql: "DROP INDEX CONCURRENTLY IF EXISTS \(name)"))
        }
        return statements
    }

    /// The Swift constants each migration's statements come from, in order (``SQLDocsTests`` checks that they are
    /// the migration's statements).
    static let migrationSources: [Int: [(name: String, sql: String)]] = {
        func one(_ name: String, _ sql: String) -> [(name: String, sql: String)] { [(name, sql)] }
        func each(_ name: String, _ sql: [String]) -> [(name: String, sql: String)] {
            sql.enumerated().map { ("\(name)[\($0.offset)]", $0.element) }
        }
        return [
            1: one("SchemaSQL.eventsTable", SchemaSQL.eventsTable),
            2: each("SchemaSQL.levelEventRules", SchemaSQL.levelEventRules),
            3: [],
            4: each("SchemaSQL.dailyAggregates", SchemaSQL.dailyAggregates),
            5: one("SchemaSQL.refreshWatermarks", SchemaSQL.refreshWatermarks),
            6: one("SchemaSQL.aggregationSnapshots", SchemaSQL.aggregationSnapshots),
            7: [],
            8: each("SchemaSQL.cellsAsCorrections", SchemaSQL.cellsAsCorrections),
            9: each("SchemaSQL.activityFingerprints", SchemaSQL.activityFingerprints),
            10: each("SchemaSQL.changeCapture", SchemaSQL.changeCapture),
            11: one("SchemaSQL.seedChanges", SchemaSQL.seedChanges),
            12: each("SchemaSQL.distributionKeys", SchemaSQL.distributionKeys),
            13: each("SchemaSQL.deltas", SchemaSQL.deltas),
            14: each("WorkingTables.create", WorkingTables.create),
        ]
    }()

    static let roles = File(name: "roles.sql", about: """
        `levelfunnel roles` (AccessRoles.statements) for the default role names, schema public and database
        levelfunnel, then its check that the reader cannot read user ids (AccessRoles.eventsExposureSQL).
        """, statements: (try! AccessRoles(schema: "public", database: "levelfunnel")).statements.enumerated().map {
            Statement(source: "AccessRoles.statements[\($0.offset)]", parameters: "", sql: $0.element)
        } + [
            Statement(source: "AccessRoles.eventsExposureSQL", parameters: "$1 the reader role (or public)",
                      sql: AccessRoles.eventsExposureSQL),
        ])

    /// `docs/sql` in this checkout.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/sql")
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

@Suite("SQL docs") struct SQLDocsTests {
    /// Each file of `docs/sql` is what the builders render now, and there is no other: a changed statement fails here,
    /// naming its file, until `make sql` writes it again (and the diff shows the change).
    @Test func docsSQLFilesEqualTheRenderedStatements() throws {
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["LEVELFUNNEL_WRITE_SQL"] == "1" {
            try fm.createDirectory(at: SQLDocs.directory, withIntermediateDirectories: true)
            for file in SQLDocs.files {
                try file.text.write(to: SQLDocs.directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
        }
        for file in SQLDocs.files {
            let written = try? String(contentsOf: SQLDocs.directory.appendingPathComponent(file.name), encoding: .utf8)
            if let difference = Self.firstDifference(written, file.text) {
                Issue.record("docs/sql/\(file.name) differs from the SQL the code runs (\(difference)): run `make sql` and review the diff")
            }
        }
        let present = try fm.contentsOfDirectory(atPath: SQLDocs.directory.path).filter { $0.hasSuffix(".sql") }
        #expect(Set(present) == Set(SQLDocs.files.map(\.name)), "docs/sql holds files the code does not render")
    }

    /// Where `written` first differs from `rendered`, for the failure message; nil when they are equal.
    static func firstDifference(_ written: String?, _ rendered: String) -> String? {
        guard let written else { return "missing" }
        guard written != rendered else { return nil }
        let (old, new) = (written.components(separatedBy: "\n"), rendered.components(separatedBy: "\n"))
        let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
        let show = { (lines: [String]) in line < lines.count ? "'\(lines[line])'" : "end of file" }
        return "line \(line + 1): the file has \(show(old)), the code \(show(new))"
    }

    /// schema.sql names each migration statement's constant, and those constants are the migration's statements.
    @Test func everyMigrationStatementIsNamed() {
        for migration in SchemaMigrator.migrations {
            #expect(SQLDocs.migrationSources[migration.version]?.map(\.sql) == migration.statements,
                    "migration \(migration.version): name its statements in SQLDocs.migrationSources")
        }
    }

    /// The rendered SQL holds every statement: no builder renders empty, and no statement is rendered twice.
    @Test func everyRenderedStatementHasText() {
        for file in SQLDocs.files {
            #expect(!file.statements.isEmpty, "\(file.name)")
            for statement in file.statements {
                #expect(!statement.sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(file.name): \(statement.source)")
            }
            #expect(Set(file.statements.map(\.source)).count == file.statements.count, "\(file.name)")
        }
    }
}
