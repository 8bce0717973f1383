import ArgumentParser
import LevelFunnelCore

struct GamesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "games",
        abstract: "List the games that have level events, with their history and aggregation status.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireSchema()
            let statuses = try store.aggregationStatus()
            guard !statuses.isEmpty else {
                print("no games with level events yet (try `levelfunnel generate --game demo`)")
                return
            }
            // A role that may not read events sees the aggregates' view: late, live and dated-ahead counts need events.
            let unknown = { (status: AggregationStatus, value: Int) in status.fromAggregatesOnly ? "-" : String(value) }
            let rows = [["game", "first day", "last day", "days", "aggregated", "stale", "live", "dated ahead"]] + statuses.map {
                [$0.game, $0.firstDay.iso, $0.lastDay.iso, String($0.totalDays), String($0.aggregatedDays), String($0.staleDays),
                 unknown($0, $0.liveDays), unknown($0, $0.futureEvents)]
            }
            let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max()! }
            for row in rows {
                print(row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
            }
            if statuses.contains(where: \.fromAggregatesOnly) {
                print("from the aggregates: this role may not read events, so days not aggregated yet are not shown, " +
                      "and live days are unknown (-)")
            } else {
                print("stale: days the next refresh updates (with a pending change, applied as a delta; marked stale; not aggregated)")
                print("live: days a query computes from the events until then (not aggregated or marked stale, and the days " +
                      "after them); pending changes are added to the aggregates' answer")
            }
            if statuses.contains(where: { $0.futureEvents > 0 }) {
                print("dated ahead: level events dated after today (device clocks); they count on their own day")
            }
        }
    }
}
