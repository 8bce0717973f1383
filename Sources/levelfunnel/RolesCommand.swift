import ArgumentParser
import LevelFunnelCore

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Create the reader and writer roles (least privilege), or print their SQL for a DBA.",
        discussion: """
            levelfunnel_reader may SELECT the aggregate tables and nothing else: no events, no view over them, \
            so no user or session id. It is enough for the dashboard, `games` and `query` (the fast path answers \
            from the aggregates alone and says which days they do not cover). \
            levelfunnel_writer is what backfill, refresh and the daily job need: SELECT on events, write on the \
            aggregates, TEMPORARY on the database; it may not change events.

            Both are NOLOGIN group roles: grant them to people's login roles (--grant-reader, --grant-writer, or \
            the GRANT lines printed at the end). Idempotent: run it again after `migrate` adds tables. Needs a \
            role that may create roles and grant on the tables (the owner, a superuser).

            Refuses, changing nothing, when the reader could still read user ids afterwards: events, a partition \
            of it or a view over it readable by PUBLIC (`GRANT SELECT ON events TO PUBLIC`), by a role the reader \
            belongs to, or granted on a relation roles does not revoke; the error names each and the fix. \
            --print warns (on stderr) about grants to PUBLIC, which its SQL does not revoke.
            """)

    @Flag(help: "Print the SQL instead of running it (for a DBA to review and apply); connects only to read the schema and database names.")
    var print = false

    @Option(help: ArgumentHelp("Name of the read-only role.", valueName: "role"))
    var reader = AccessRoles.defaultReader

    @Option(help: ArgumentHelp("Name of the aggregating role.", valueName: "role"))
    var writer = AccessRoles.defaultWriter

    @Option(name: .customLong("grant-reader"), help: ArgumentHelp("Login role that gets the reader role (repeatable).", valueName: "login"))
    var readers: [String] = []

    @Option(name: .customLong("grant-writer"), help: ArgumentHelp("Login role that gets the writer role (repeatable).", valueName: "login"))
    var writers: [String] = []

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            let roles = try store.accessRoles(reader: reader, writer: writer)
            if print {
                let grants = readers.map { AccessRoles.grant(roles.reader, to: $0) } + writers.map { AccessRoles.grant(roles.writer, to: $0) }
                Swift.print("BEGIN;")
                for statement in roles.statements + grants { Swift.print(statement + ";") }
                Swift.print("COMMIT;")
                let open = try store.eventsExposure(of: nil)
                if !open.isEmpty {
                    CLIErrors.note("warning: PUBLIC may read user ids through \(open.map(\.relation).joined(separator: ", ")), "
                        + "and so would \(roles.reader): revoke it first (REVOKE ALL ON \(open[0].relation) FROM PUBLIC)")
                }
                return
            }
            try store.createRoles(roles, readers: readers, writers: writers)
            Swift.print("roles \(roles.reader) (aggregates only) and \(roles.writer) (aggregation) are ready in schema \(roles.schema)")
            for login in readers { Swift.print("granted \(roles.reader) to \(login)") }
            for login in writers { Swift.print("granted \(roles.writer) to \(login)") }
            if readers.isEmpty && writers.isEmpty {
                Swift.print("grant them to login roles, e.g.:")
                for hint in roles.grantHints { Swift.print("  " + hint) }
            }
        }
    }
}
