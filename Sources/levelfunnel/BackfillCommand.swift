import ArgumentParser
import Foundation
import LevelFunnelCore

struct BackfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Aggregate the history of games into the daily tables.",
        discussion: """
            In passes of consecutive days, one transaction per pass (--pass-days); re-runnable any number of \
            times with identical results. \
            Without --game, every game with level events; without --from/--to, from the game's first event day \
            to today. Two backfills of the same game never run at once: the second waits (and says so). \
            Ctrl-C or SIGTERM stops between passes (" — stopped early", exit status 130); the days done are kept.

            Faults: if the database goes away mid-pass (a restart), the pass rolls back and the backfill reconnects \
            (after 1, 2, 4, 8... s, each step on stderr) and goes on from that pass, for up to --reconnect-timeout \
            seconds. A day that fails otherwise (a statement timeout, a full disk) ends that game's backfill, with \
            one line naming the game and the day; the next game goes on.

            \(CLIErrors.exitStatus)
            """)

    @Option(help: "Game id (repeatable). Default: every game.")
    var game: [String] = []

    @Option(help: ArgumentHelp("First day (UTC). Default: the game's first event day.", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Last day (UTC). Default: today.", valueName: "YYYY-MM-DD"))
    var to: String?

    @Flag(help: "Plain progress lines even on a terminal.")
    var plain = false

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var reconnect: ReconnectOptions

    @OptionGroup var passes: PassOptions

    func run() throws {
        try CLIErrors.report {
            let fromDay = try from.map { try DateArgument.parse($0, option: "--from") }
            let toDay = try to.map { try DateArgument.parse($0, option: "--to") }
            if let fromDay, let toDay { _ = try DayRange(from: fromDay, to: toDay) }
            let store = try database.openStore()
            try store.requireWriteAccess("backfill")
            let games = game.isEmpty ? try store.games() : try game.map { try store.game($0) }
            if games.isEmpty { print("no games with level events: nothing to backfill") }
            let stop = StopSignals.installForAggregation()
            try CLIErrors.eachGame(games, id: \.id) { info in
                let range = try DayRange(from: fromDay ?? info.firstDay, to: toDay ?? max(Day.today, info.lastDay))
                let bar = ProgressReporter(title: info.id, plain: plain)
                defer { bar.finish() }
                reconnect.configure(store, note: { bar.note($0.description) })
                passes.configure(store)
                let summary = try store.backfill(game: info.id, range: range, onWait: Waiting.announce(info.id),
                                                 shouldStop: { stop.isSet }, progress: { progress in
                    bar.update(progress)
                    return !stop.isSet
                })
                bar.finish()
                print(String(format: "backfilled %@ %@..%@: %d days, %d level events, %d rows written, %d removed, %.2f s (%.0f events/s)%@",
                             info.id, range.from.iso, range.to.iso, summary.daysDone, summary.events, summary.rowsWritten,
                             summary.rowsRemoved, summary.seconds, summary.eventsPerSecond,
                             summary.cancelled ? " — stopped early" : ""))
                if summary.cancelled { throw LevelFunnelError.cancelled }
            }
        }
    }
}
