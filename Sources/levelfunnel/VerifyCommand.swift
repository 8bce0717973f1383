import ArgumentParser
import Foundation
import LevelFunnelCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare the fast path with the raw path, field by field.",
        discussion: """
            Runs both computations for one selection (same options as `query`) or, with --sweep, for every \
            single-value filter of the game over one day, one week and the whole history. Prints every field \
            that differs, per level. Exit status 1 when any field differs beyond float rounding (relative 1e-9).
            Stale or missing aggregates show up here: run `levelfunnel refresh` and verify again.
            """)

    @OptionGroup var selection: SelectionOptions

    @Flag(help: "Check every single-value filter of the game over one day, one week and the whole history.")
    var sweep = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if selection.game == nil { throw ValidationError("Missing expected argument '--game <game>'") }
    }

    func run() throws {
        let failed = try CLIErrors.report { () -> Bool in
            let store = try database.openStore()
            try store.requireEventAccess("verify")
            let query = try selection.query(store)
            let queries = sweep ? try VerifySweep.queries(store: store, game: try store.game(query.game), filters: query.filters)
                                : [query]
            var failures = 0
            for query in queries {
                let report = try store.verify(query)
                let differences = report.differences
                let label = "\(query.range)" + (query.filters.isEmpty ? "" : " " + query.filters.summary)
                if differences.isEmpty {
                    print(String(format: "ok    %@  (%d levels, fast %.1f ms, raw %.1f ms)", label, report.levelsCompared, report.fastMs, report.rawMs))
                } else {
                    failures += 1
                    print("DIFF  \(label)  (\(differences.count) fields differ)")
                    for d in differences {
                        print("      level \(d.levelId)  \(d.field): fast \(d.fast ?? "null")  raw \(d.raw ?? "null")")
                    }
                }
            }
            print("\(queries.count - failures) passed, \(failures) failed")
            return failures > 0
        }
        if failed { throw ExitCode(1) }
    }
}

/// The selections `verify --sweep` checks.
enum VerifySweep {
    static func queries(store: LevelFunnelStore, game: GameInfo, filters base: FunnelFilters) throws -> [FunnelQuery] {
        let last = game.lastDay
        let ranges = [DayRange.single(last),
                      try DayRange(from: max(game.firstDay, last.adding(days: -6)), to: last),
                      game.history]
        let dims = try store.dimensions(game: game.id)
        var filterSets = [base]
        for dimension in Dimension.allCases {
            filterSets += (dims.values[dimension] ?? []).map { value in var f = base; f[dimension] = value; return f }
        }
        return ranges.flatMap { range in filterSets.map { FunnelQuery(game: game.id, range: range, filters: $0) } }
    }
}
