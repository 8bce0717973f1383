import ArgumentParser
import LevelFunnelCore

/// `--allow-foreign-games`, for the commands meant for a database of their own: `bench --scale` (generates events,
/// re-backfills, `VACUUM FULL`s the aggregate tables), `bench --morning` (generates a game and adds a morning's
/// events to it) and `stress` (re-aggregates a game in a loop under load).
/// They recognise such a database by its games: only the ones bench generates, `scale<N>` and `morning<N>`.
struct BenchDatabaseOptions: ParsableArguments {
    @Flag(name: .customLong("allow-foreign-games"), help: ArgumentHelp(
        "Run even though the database holds games that bench did not generate (its are named scale<N> and morning<N>).",
        discussion: "Never on a database that dashboards or the daily job use."))
    var allowForeignGames = false

    /// The game `bench --scale N` generates.
    static func gameName(scale: Int) -> String { "scale\(scale)" }

    /// The game `bench --morning N` generates.
    static func morningGameName(scale: Int) -> String { "morning\(scale)" }

    /// Every name `gameName(scale:)` and `morningGameName(scale:)` give, as a POSIX regular expression.
    static let gamePattern = "^(scale|morning)[1-9][0-9]*$"

    /// Refuses, naming a game bench did not generate, unless `--allow-foreign-games`; `action` says what the
    /// command would do to the database.
    func check(_ store: LevelFunnelStore, action: String) throws {
        guard !allowForeignGames, let game = try store.someGame(notMatching: Self.gamePattern) else { return }
        throw LevelFunnelError.invalidInput(
            "\(action), and this database holds games that bench did not generate (such as '\(game)'): "
                + "use a database of its own, or pass --allow-foreign-games")
    }
}
