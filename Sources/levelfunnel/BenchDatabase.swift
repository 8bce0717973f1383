import ArgumentParser
import LevelFunnelBench
import LevelFunnelCore

/// `--allow-foreign-games`, for the commands meant for a database of their own: `bench --scale` (generates events,
/// re-backfills, `VACUUM FULL`s the aggregate tables), `bench --morning` (generates a game and adds a morning's
/// events to it) and `stress` (re-aggregates a game in a loop under load).
/// They recognise such a database by its games: only the ones bench generates (`BenchGames`), `scale<N>` and `morning<N>`.
struct BenchDatabaseOptions: ParsableArguments {
    @Flag(name: .customLong("allow-foreign-games"), help: ArgumentHelp(
        "Run even though the database holds games that bench did not generate (its are named scale<N> and morning<N>).",
        discussion: "Never on a database that dashboards or the daily job use."))
    var allowForeignGames = false

    /// Refuses, naming a game bench did not generate, unless `--allow-foreign-games`; `action` says what the
    /// command would do to the database.
    func check(_ store: LevelFunnelStore, action: String) throws {
        guard !allowForeignGames, let game = try store.someGame(notMatching: BenchGames.pattern) else { return }
        throw LevelFunnelError.invalidInput(
            "\(action), and this database holds games that bench did not generate (such as '\(game)'): "
                + "use a database of its own, or pass --allow-foreign-games")
    }
}
