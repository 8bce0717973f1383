import ArgumentParser
import Foundation
import LevelFunnelCore

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the daily refresh every day at 02:00 UTC (in the foreground).",
        discussion: """
            Sleeps until the next run time, refreshes every game (as `levelfunnel refresh` does), logs one line \
            per game, and repeats. A failed run is logged and retried at the next run time; the process keeps \
            going. Run it under a service manager, or use --print-cron to let cron start `refresh` instead.
            """)

    @Option(help: ArgumentHelp("Time of day of the run, UTC.", valueName: "HH:MM"))
    var at: String = "02:00"

    @Flag(help: "Print a crontab line that runs `levelfunnel refresh` at that time, and exit.")
    var printCron = false

    @Flag(help: "Run one refresh now, then follow the schedule.")
    var now = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws { _ = try time() }

    func run() throws {
        let (hour, minute) = try time()
        if printCron {
            let binary = CommandLine.arguments[0]
            let url = database.url.map { " --database-url '\($0)'" } ?? ""
            print("CRON_TZ=UTC\n\(minute) \(hour) * * * \(binary) refresh\(url) >> /var/log/levelfunnel-refresh.log 2>&1")
            return
        }
        if now { refreshAll() }
        while true {
            let next = Self.nextRun(after: Date(), hour: hour, minute: minute)
            log("next refresh at \(ISO8601DateFormatter().string(from: next))")
            Thread.sleep(until: next)
            refreshAll()
        }
    }

    /// The next time after `date` whose UTC clock reads hour:minute.
    static func nextRun(after date: Date, hour: Int, minute: Int) -> Date {
        let today = Day(containing: date).startDate
        let candidate = today.addingTimeInterval(Double(hour * 3600 + minute * 60))
        return candidate > date ? candidate : candidate.addingTimeInterval(86_400)
    }

    private func refreshAll() {
        do {
            let store = try database.openStore()
            try store.requireSchema()
            for game in try store.games() {
                let summary = try store.refresh(game: game.id, onWait: { log("waiting for another job on \(game.id)") })
                log(String(format: "refreshed %@: %d days, %d level events, %.2f s", game.id, summary.days.count, summary.events, summary.seconds))
            }
        } catch {
            log("refresh failed: \(error)")
        }
    }

    private func time() throws -> (Int, Int) {
        let parts = at.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else {
            throw ValidationError("--at '\(at)' is not a time: use HH:MM (UTC), e.g. 02:00")
        }
        return (h, m)
    }

    private func log(_ message: String) {
        // Written straight to the file descriptor: no stdio buffering when stdout is a log file.
        FileHandle.standardOutput.write(Data("\(ISO8601DateFormatter().string(from: Date())) \(message)\n".utf8))
    }
}
