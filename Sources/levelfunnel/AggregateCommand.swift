import ArgumentParser
import LevelFunnelCore

struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Re-aggregate one UTC day of one game into the daily tables.",
        discussion: "Idempotent: the day's aggregate rows are rebuilt from events in one transaction.")

    @Option(help: "Game id.")
    var game: String

    @Option(help: ArgumentHelp("The UTC day to aggregate.", valueName: "YYYY-MM-DD"))
    var date: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let day = try DateArgument.parse(date, option: "--date")
            let store = try database.openStore()
            try store.requireWriteAccess("aggregate")
            _ = try store.game(game)
            let stop = StopSignals.installForAggregation()
            let done = try store.aggregate(game: game, day: day, onWait: Waiting.announce(game), shouldStop: { stop.isSet })
            print("aggregated \(game) \(day): \(done.levelEvents) level events, \(done.rowsWritten) rows written, \(done.rowsRemoved) removed")
        }
    }
}

enum Waiting {
    /// What to print when another session holds the game's aggregation lock.
    static func announce(_ game: String) -> () -> Void {
        { CLIErrors.note("another backfill or refresh of \(game) is running; waiting for it to finish...") }
    }
}
