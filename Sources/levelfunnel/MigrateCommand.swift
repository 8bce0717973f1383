import ArgumentParser
import LevelFunnelCore

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the levelfunnel schema.",
        discussion: """
            Creates the events table when it is missing (an existing one is used as it is; its rows are never \
            changed), the indexes the queries need (built concurrently), and the aggregate tables. Safe to run \
            any number of times.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let applied = try database.openStore().migrate()
            print(applied.isEmpty ? "schema is up to date (version \(SchemaMigrator.latestVersion))"
                                  : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(SchemaMigrator.latestVersion)")
        }
    }
}
