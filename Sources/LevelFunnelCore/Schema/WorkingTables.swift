/// Migration 14: the working tables of an aggregation pass (`DailyAggregation`, `CellSQL`) and of applying changes as
/// deltas (`DeltaSQL`). They were the session's temporary tables; those are the coordinator's under Citus, so a
/// pass pulled its game's counts and player keys from the worker to the coordinator and back. These are tables of
/// levelfunnel's own, `game_id` first, distributed by `game_id` co-located with `events` under Citus
/// (`Distribution.tables`): every statement of a pass reads and writes its game's rows only (`game_id = $1`), so it
/// runs on the worker holding the game, and the same statements run on one node.
///
/// A pass writes its rows and deletes them before it commits (``clear``), in one transaction: no other transaction
/// ever sees them, and no user id outlives the pass (the reader is granted nothing on them, `AccessRoles`). Passes
/// of one game never overlap (the game's advisory lock); passes of two games touch disjoint rows. `UNLOGGED`: the
/// rows never need to survive a crash, so they are not written to the WAL.
enum WorkingTables {
    private static let dims = Dimension.allCases.map { "\($0.column) \($0.sqlType)" }.joined(separator: ", ")
    private static let summed = Measure.summed.map { "\($0.column) \($0.isCount ? "bigint" : "numeric")" }.joined(separator: ", ")

    /// The pass's tables (`CellSQL`), then the deltas' own; `lf_cells` serves both.
    static let pass = ["lf_fresh", "lf_activity", "lf_key_days", "lf_cells"]
    static let deltas = ["lf_touched", "lf_delta_rows", "lf_delta_activity", "lf_delta_days", "lf_cells", "lf_delta_next"]
    static let all = pass + deltas.filter { !pass.contains($0) }

    /// `$1` game: deletes the game's rows from `tables`, one statement each (a pass's last statements).
    static func clear(_ tables: [String]) -> [String] { tables.map { "DELETE FROM \($0) WHERE game_id = $1" } }

    /// The tables' definitions (what each holds: see the statements that fill them).
    static let create: [String] = [
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_fresh (
          game_id text NOT NULL, date date, level_id integer, \(dims), \(summed), id_sum numeric)
        """,
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_activity (
          game_id text NOT NULL, user_id text, level_id integer, event text, \(dims), day date)
        """,
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_key_days (
          game_id text NOT NULL, user_id text, level_id integer, event text, day date, varying integer, previous date, \(dims))
        """,
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_cells (
          game_id text NOT NULL, day date, cell integer, \(dims), level_id integer, \(summed),
          \(Measure.players.map { "\($0.recency)_new integer, \($0.recency)_after integer[]" }.joined(separator: ", ")))
        """,
        "CREATE UNLOGGED TABLE IF NOT EXISTS lf_touched (game_id text NOT NULL, id bigint, first_added boolean, first_change bigint)",
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_rows (
          game_id text NOT NULL, sign integer, id bigint, user_id text, level_id integer, event_name text, day date, \(dims),
          is_booster boolean, is_egp boolean, duration numeric)
        """,
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_activity (
          game_id text NOT NULL, user_id text, level_id integer, event text, \(dims), day date, n_after bigint, n_before bigint)
        """,
        "CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_days (game_id text NOT NULL, day date, additive integer, rebuild boolean)",
        """
        CREATE UNLOGGED TABLE IF NOT EXISTS lf_delta_next (
          game_id text NOT NULL, tuple_id bigint, day date, level_id integer, existed boolean, kept boolean, \(summed),
          \(Measure.players.map { "\($0.recency)_new integer, \($0.recency)_after integer[]" }.joined(separator: ", ")))
        """,
    ]
}
