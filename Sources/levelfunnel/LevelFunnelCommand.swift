import ArgumentParser

@main
struct LevelFunnelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "levelfunnel",
        abstract: "The Level Funnel of a game: fast, exact, in the terminal.",
        discussion: """
            Reads level events (level_start, level_complete, level_failed) from PostgreSQL, pre-aggregates them \
            daily into counts-only tables, and answers funnel queries from those tables in milliseconds with the \
            same numbers as the raw computation.

            Every command that talks to the database takes --database-url; without it, DATABASE_URL is used, \
            and without that, libpq's defaults (PGHOST, PGPORT, PGUSER, PGDATABASE, ~/.pgpass).
            """,
        subcommands: [
            TuiCommand.self, MigrateCommand.self, RolesCommand.self, GenerateCommand.self, GamesCommand.self, QueryCommand.self,
            VerifyCommand.self, AggregateCommand.self, BackfillCommand.self, RefreshCommand.self, ScheduleCommand.self,
            BenchCommand.self, StressCommand.self,
        ],
        defaultSubcommand: TuiCommand.self
    )
}
