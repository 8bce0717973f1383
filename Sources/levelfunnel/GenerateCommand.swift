import ArgumentParser
import Foundation
import LevelFunnelCore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic game's events into the events table.",
        discussion: """
            A realistic, deterministic event stream (same options and --seed: same events): players installing \
            over time, daily sessions, levels of rising difficulty, fails and replays, boosters, EGP purchases, \
            durations, platforms, countries, app upgrades, funnels and funnel versions, a small share of malformed \
            events and some events received days late. Nothing is in the future: the history stops at the time of \
            generation, and an event played before it but due later is received then (so a history that reaches \
            into the last five days depends on when it is generated too). Loaded with COPY in one transaction. \
            Refuses a game id that already has events: levelfunnel never deletes or changes events, so pick a new --game.
            The defaults give about 360K level events.
            """)

    @Option(help: "Game id to write the events under.")
    var game: String

    @Option(help: "Number of players.")
    var players: Int = 5_000

    @Option(help: "Days of history.")
    var days: Int = 60

    @Option(help: "Number of levels.")
    var levels: Int = 100

    @Option(help: "Random seed: the same seed gives the same events.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("First day of the history (UTC). Default: so that the history ends today.", valueName: "YYYY-MM-DD"))
    var start: String?

    @Option(name: .customLong("hard-levels"), parsing: .upToNextOption,
            help: ArgumentHelp("Levels made much harder than their neighbours (planted difficulty spikes).", valueName: "level"))
    var hardLevels: [Int] = []

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let startDay = try start.map { try DateArgument.parse($0, option: "--start") } ?? Day.today.adding(days: -(days - 1))
            var config = GeneratorConfig(game: game, players: players, days: days, levels: levels, seed: seed, start: startDay)
            config.hardLevels = hardLevels
            config.now = Date()
            try config.validate()
            let store = try database.openStore()
            try store.requireSchema()
            let loaded = try EventLoader(store: store).load(config)
            print(String(format: "generated %@: %d events (%d level events, %d malformed, %d late) for %d players, %@..%@, in %.2f s (%.0f events/s)",
                         game, loaded.stats.events, loaded.stats.levelEvents, loaded.stats.malformed, loaded.stats.late,
                         loaded.stats.players, startDay.iso, startDay.adding(days: days - 1).iso,
                         loaded.seconds, Double(loaded.stats.events) / loaded.seconds))
        }
    }
}
