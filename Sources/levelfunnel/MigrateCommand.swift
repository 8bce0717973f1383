import ArgumentParser
import LevelFunnelCore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the levelfunnel schema.",
        discussion: """
            Creates the events table when it is missing (an existing one is used as it is; its rows are never \
            changed), the indexes the queries need, and the aggregate tables. Indexes are built concurrently, so \
            the game backend's inserts go on; on a partitioned events table, partition by partition and attached \
            to a parent index created ON ONLY events. An index events already has under another name (same \
            columns, INCLUDE and predicate, valid) is used instead of building a duplicate. Safe to run any number \
            of times; a run stopped midway resumes where it was.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let report = try database.openStore().migrate()
            guard !report.applied.isEmpty else {
                print("schema is up to date (version \(SchemaMigrator.latestVersion))")
                return
            }
            print("applied migrations \(report.applied.map(String.init).joined(separator: ", ")); schema version \(SchemaMigrator.latestVersion)")
            if !report.indexes.isEmpty {
                print("indexes on events\(report.eventsPartitioned ? " (partitioned: built per partition, attached to parent indexes)" : ""):")
                for index in report.indexes { print("  \(index)") }
            }
        }
    }
}
