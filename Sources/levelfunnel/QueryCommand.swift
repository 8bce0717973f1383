import ArgumentParser
import LevelFunnelCore

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the Level Funnel of a game for a date range and filters.",
        discussion: """
            Answers from the daily aggregates (--source fast, the default; run `levelfunnel backfill` first) or \
            straight from the events table (--source raw, the reference). Dates are UTC days, both ends included; \
            without --from/--to the game's whole history is used. Filters are equality matches; a filter left \
            out means all values, NULLs included.

            Examples:
              levelfunnel query --game demo --from 2026-01-01 --to 2026-01-31
              levelfunnel query --game demo --platform iOS --country US --format json
              levelfunnel query --game demo --source raw --format csv > funnel.csv
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @OptionGroup var selection: SelectionOptions

    @Option(help: "Where the numbers come from: fast (aggregates) or raw (events).")
    var source: FunnelSource = .fast

    @Option(help: "Output format: table (for people), json (the metrics contract's shape) or csv (with a header).")
    var format: Format = .table

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireSchema()
            let result = try store.funnel(try selection.query(store), source: source)
            switch format {
            case .table: print(FunnelTable.render(result), terminator: "")
            case .json: print(FunnelFormatter.json(result))
            case .csv: print(FunnelFormatter.csv(result), terminator: "")
            }
        }
    }
}

extension FunnelSource: ExpressibleByArgument {}
