import ArgumentParser
import Foundation
import LevelFunnelCore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the fast path against the raw path, side by side, in one process.",
        discussion: """
            For each selection (whole history, last 30 and 7 days, last day, and one to three filters), runs both \
            paths --runs times, interleaved, and prints the median of each and their ratio. Also prints the size \
            of the aggregate tables against the events table. Read-only.
            """)

    @Option(help: "Game id.")
    var game: String

    @Option(help: "Runs per path and selection.")
    var runs: Int = 7

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireSchema()
            let info = try store.game(game)
            let dims = try store.dimensions(game: game)
            let last = info.lastDay
            func range(_ days: Int) throws -> DayRange { try DayRange(from: max(info.firstDay, last.adding(days: 1 - days)), to: last) }
            var selections: [(String, FunnelQuery)] = [
                ("whole history", FunnelQuery(game: game, range: info.history)),
                ("last 30 days", FunnelQuery(game: game, range: try range(30))),
                ("last 7 days", FunnelQuery(game: game, range: try range(7))),
                ("last day", FunnelQuery(game: game, range: .single(last))),
            ]
            if let platform = dims.values[.platform]?.first {
                selections.append(("history, platform", FunnelQuery(game: game, range: info.history, filters: FunnelFilters(platform: platform))))
                if let country = dims.values[.country]?.first, let version = dims.values[.appVersion]?.last {
                    selections.append(("history, 3 filters", FunnelQuery(game: game, range: info.history,
                        filters: FunnelFilters(platform: platform, country: country, appVersion: version))))
                }
            }
            print("game \(game), \(info.history), \(runs) runs per path (median ms, measured in-process)")
            print("selection             fast ms    raw ms    raw/fast")
            for (label, query) in selections {
                var fast: [Double] = [], raw: [Double] = []
                for _ in 0..<runs {
                    fast.append(try store.funnel(query, source: .fast).queryMs)
                    raw.append(try store.funnel(query, source: .raw).queryMs)
                }
                let f = median(fast), r = median(raw)
                print(label.padding(toLength: 20, withPad: " ", startingAt: 0)
                      + String(format: "%9.2f %9.1f %10.0fx", f, r, r / f))
            }
            print("")
            for size in try store.tableSizes() {
                print(size.table.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%10.1f MB %11d rows", Double(size.bytes) / 1_048_576, size.rows))
            }
        }
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
