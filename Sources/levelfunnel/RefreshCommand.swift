import ArgumentParser
import LevelFunnelCore

struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "The daily job: bring the aggregates up to date with the events.",
        discussion: """
            For each game, re-aggregates the days never aggregated, the days that received late events since the \
            last refresh, and yesterday and today. Idempotent; run it at 02:00 UTC (see `levelfunnel schedule`) \
            or whenever fresher numbers are wanted.
            """)

    @Option(help: "Game id (repeatable). Default: every game.")
    var game: [String] = []

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireSchema()
            let games = game.isEmpty ? try store.games().map(\.id) : game
            let interrupt = InterruptFlag.install()
            for id in games {
                let summary = try store.refresh(game: id, onWait: Waiting.announce(id), shouldStop: { interrupt.isSet })
                let days = summary.days.count <= 6 || summary.days.isEmpty ? summary.days.map(\.iso).joined(separator: ", ")
                                                   : "\(summary.days[0])..\(summary.days[summary.days.count - 1])"
                print(String(format: "refreshed %@: %d days (%@), %d empty days recorded, %d level events, %.2f s%@",
                             id, summary.days.count, days, summary.emptyDays, summary.events, summary.seconds,
                             summary.stopped ? " — stopped early" : ""))
                if summary.stopped { throw LevelFunnelError.cancelled }
            }
        }
    }
}
