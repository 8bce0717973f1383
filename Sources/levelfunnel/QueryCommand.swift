import ArgumentParser
import LevelFunnelCore

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the Level Funnel of a game for a date range and filters.",
        discussion: """
            --source fast (the default) answers from the daily aggregates, and computes the days they do not \
            cover (never aggregated, stale, with late events, today) from the events in the same answer: always \
            complete and equal to --source raw, which reads only the events table (the reference). \
            --source aggregates reads the aggregates alone (for roles without access to events): days they do not \
            cover are reported as missing or stale, never filled in. Every answer says where its days came from \
            (the table's caption, JSON's "coverage"; on stderr when some are missing). Dates are UTC days, both \
            ends included; without --from/--to the game's whole history is used. Filters are equality matches; \
            a filter left out means all values, NULLs included.

            Examples:
              levelfunnel query --game demo --from 2026-01-01 --to 2026-01-31
              levelfunnel query --game demo --platform iOS --country US --format json
              levelfunnel query --game demo --source raw --format csv > funnel.csv
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var selection: SelectionOptions

    @Option(help: "Where the numbers come from: fast (aggregates + live days from the events), aggregates (only), or raw (events).")
    var source: FunnelSource = .fast

    @Option(help: "Output format: table (for people), json (the metrics contract's shape) or csv (with a header).")
    var format: Format = .table

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireSchema()
            let result = try store.funnel(try selection.query(store), source: source)
            if source == .fast && result.source == .aggregates {
                CLIErrors.note("cannot read the events table: answered from the aggregates only (ask for levelfunnel_writer)")
            }
            if let coverage = result.coverage, !coverage.isComplete {
                CLIErrors.note("incomplete answer: \(coverage.summary) of \(coverage.days) days")
            }
            switch format {
            case .table: print(FunnelTable.render(result), terminator: "")
            case .json: print(FunnelFormatter.json(result))
            case .csv: print(FunnelFormatter.csv(result), terminator: "")
            }
        }
    }
}

extension FunnelSource: ExpressibleByArgument {}
