import ArgumentParser
import LevelFunnelCore

struct RefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "The daily job: bring the aggregates up to date with the events.",
        discussion: """
            For each game, re-aggregates the days that are not fresh (never aggregated through today, marked stale, \
            or holding a change to their level events that the triggers captured since their aggregation), the \
            recent days whose events' fingerprint changed (--check-days: writes the triggers cannot see, such as \
            ones sent straight to a partition), and the later days with events after a day that changed. With \
            nothing pending it does nothing. \
            Days without events are recorded in one statement. Idempotent; run it at 02:00 UTC (see \
            `levelfunnel schedule` and deploy/systemd) or whenever fresher numbers are wanted. Days are aggregated \
            in passes of consecutive days (--pass-days); Ctrl-C or SIGTERM stops between passes; the days done are kept.

            Faults: if the database goes away mid-pass (a restart), the pass rolls back and the refresh reconnects \
            (after 1, 2, 4, 8... s, each step on stderr) and goes on from that pass, for up to --reconnect-timeout \
            seconds. A day that fails otherwise (a statement timeout, a full disk) ends that game's refresh, with \
            one line naming the game and the day; the next game goes on.

            \(CLIErrors.exitStatus)
            """)

    @Option(help: "Game id (repeatable). Default: every game.")
    var game: [String] = []

    @Option(name: .customLong("check-days"), help: ArgumentHelp(
        "Re-check the fingerprints (count and id sum) of the last N days' events, or of all days, or none.",
        valueName: "N|all|none"))
    var checkDays: String = "7"

    func validate() throws { _ = try check() }

    /// `--check-days` as the store takes it.
    func check() throws -> FingerprintCheck {
        switch checkDays {
        case "all": return .all
        case "none": return .none
        default:
            guard let n = Int(checkDays), n >= 0 else {
                throw ValidationError("--check-days '\(checkDays)' is not a number of days, 'all' or 'none'")
            }
            return .days(n)
        }
    }

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var reconnect: ReconnectOptions

    @OptionGroup var passes: PassOptions

    /// One line per game: the changes applied as deltas, the days re-aggregated, or in words that there were none
    /// (never `0 days ()`).
    static func report(_ summary: RefreshSummary) -> String {
        let days = summary.days, applied = summary.applied
        var parts: [String] = []
        if applied.changes > 0 {
            parts.append("\(applied.changedRows) changed level events applied to \(applied.days) days as deltas")
        }
        if !days.isEmpty {
            let list = days.count <= 6 ? days.map(\.iso).joined(separator: ", ") : "\(days[0])..\(days[days.count - 1])"
            parts += ["\(days.count) days (\(list))", "\(summary.emptyDays) empty days recorded", "\(summary.events) level events"]
        } else if summary.stopped {
            parts.append("no day re-aggregated")
        } else if summary.emptyDays > 0 {
            parts += ["no day with events to re-aggregate", "\(summary.emptyDays) empty days recorded"]
        } else if applied.changes == 0 {
            parts.append("nothing to do: every day is aggregated and none changed")
        }
        parts.append(String(format: "%.2f s", summary.seconds))
        return "refreshed \(summary.game): " + parts.joined(separator: ", ") + (summary.stopped ? " — stopped early" : "")
    }

    func run() throws {
        try CLIErrors.report {
            let store = try database.openStore()
            try store.requireWriteAccess("refresh")
            let games = game.isEmpty ? try store.games().map(\.id) : game
            let stop = StopSignals.installForAggregation()
            reconnect.configure(store, note: { CLIErrors.note($0.description) })
            passes.configure(store)
            try CLIErrors.eachGame(games, id: { $0 }) { id in
                let summary = try store.refresh(game: id, check: try check(), onWait: Waiting.announce(id),
                                                shouldStop: { stop.isSet })
                print(Self.report(summary))
                if summary.stopped { throw LevelFunnelError.cancelled }
            }
        }
    }
}
