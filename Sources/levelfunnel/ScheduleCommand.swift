import ArgumentParser
import Foundation
import LevelFunnelCore
import Logging

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the daily job as a service: pending changes applied every minute, the full refresh at 02:00 UTC.",
        discussion: """
            Applies every game's pending changes (today's events and late ones, captured as they are written) \
            every --apply-every minutes (1 by default), so that only that long of events is ever pending, and \
            refreshes every game with the full checks (as `levelfunnel refresh` does) at the run time each day. At start, a run that \
            was missed while the process was down is caught up at once (a game whose day before the last run \
            time was not aggregated after that time). A game that fails is retried after 1, 2, 5 and 15 \
            minutes, then hourly, without holding up the other games; a refresh that loses the database mid-run \
            first reconnects by itself for up to --reconnect-timeout seconds and goes on from the day it was on. SIGTERM or SIGINT stops it between two \
            days of a refresh (the days done are kept; the next refresh does the rest) and it exits 0.

            Logs one line per game run (game, outcome, days, events, seconds, attempt, next_retry, error) and one \
            per run, on stdout: key=value text, or JSON objects with --log-format json.

            The recommended way to run the daily job is a systemd timer starting `levelfunnel refresh` \
            (deploy/systemd in the repository) or cron (--print-cron); `schedule` is the long-running \
            alternative, under a service manager (deploy/systemd/levelfunnel-schedule.service).
            """)

    @Option(help: ArgumentHelp("Time of day of the run, UTC.", valueName: "HH:MM"))
    var at: String = "02:00"

    @Option(name: .customLong("apply-every"),
            help: ArgumentHelp("Apply every game's pending changes every N minutes between daily runs (today's events and late ones, as deltas); 0: only the daily run.",
                               valueName: "minutes"))
    var applyEvery: Int = 1

    @Option(name: .customLong("refresh-today-every"), help: ArgumentHelp("Same as --apply-every (its former name).", visibility: .hidden))
    var refreshTodayEvery: Int?

    /// The interval in minutes, nil for daily runs only.
    private var applyMinutes: Int? { (refreshTodayEvery ?? applyEvery) > 0 ? (refreshTodayEvery ?? applyEvery) : nil }

    @Option(name: .customLong("log-format"), help: "Log lines as key=value text, or JSON for log shippers.")
    var logFormat: LogFormat = .text

    @Flag(help: "Print a crontab line that runs `levelfunnel refresh` at that time, and exit (never with a password).")
    var printCron = false

    @Flag(help: "Refresh every game now at start, whatever its last run, then follow the schedule.")
    var now = false

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var reconnect: ReconnectOptions

    @OptionGroup var passes: PassOptions

    func validate() throws {
        _ = try time()
        if applyEvery < 0 || (refreshTodayEvery ?? 1) < 1 {
            throw ValidationError("--apply-every must be 0 (daily runs only) or a number of minutes")
        }
    }

    func run() throws {
        let (hour, minute) = try time()
        if printCron {
            print(Self.cronLines(hour: hour, minute: minute, binary: RunningExecutable.path,
                                 url: database.url ?? ProcessInfo.processInfo.environment["DATABASE_URL"]))
            return
        }
        // A role that may not aggregate is told at once rather than failing every game every hour. A database that
        // cannot be reached yet is not refused: the service waits for it.
        if let store = try? database.openStore(), let refusal = (try? store.accessRights())?.writeRefusal("schedule") {
            throw CLIErrors.fail(refusal.description, code: 1)
        }
        let stop = StopSignals.install()
        let format = logFormat
        let logger = Logger(label: "levelfunnel.schedule") { _ in LineLogHandler(format: format) }
        var started: Logger.Metadata = ["at": "\(at)", "pid": .stringConvertible(Int(getpid()))]
        if let applyMinutes { started["apply_every_minutes"] = .stringConvertible(applyMinutes) }
        logger.info("started", metadata: started)
        let policy = DailySchedule.Policy(hour: hour, minute: minute,
                                          applyEvery: applyMinutes.map { Double($0) * 60 })
        let database = self.database
        let timeout = reconnect.timeout
        let passes = self.passes
        let job = DailyJob(schedule: DailySchedule(policy: policy), now: Date.init, sleep: stop.sleep(until:),
                           shouldStop: { stop.isSet }, openStore: {
                               let store = try database.openStore()
                               store.reconnectPolicy.timeout = timeout
                               passes.configure(store)
                               return store
                           },
                           report: { Self.log($0, logger, stop: stop) })
        job.run(runNow: now)
    }

    // MARK: Log lines

    static func log(_ report: DailyJob.Report, _ logger: Logger, stop: StopSignals) {
        let iso = ISO8601DateFormatter()
        switch report {
        case .game(let run):
            var fields: Logger.Metadata = [
                "game": "\(run.game)", "outcome": "\(run.outcome.rawValue)", "days": .stringConvertible(run.days.count),
                "events": .stringConvertible(run.events), "seconds": .stringConvertible(rounded(run.seconds)),
                "attempt": .stringConvertible(run.attempt),
            ]
            if let first = run.days.first, let last = run.days.last {
                fields["from"] = "\(first.iso)"
                fields["to"] = "\(last.iso)"
            }
            if let retry = run.nextRetry { fields["next_retry"] = "\(iso.string(from: retry))" }
            if let error = run.error { fields["error"] = "\(error)" }
            let level: Logger.Level = switch run.outcome { case .ok: .info; case .failed: .error; case .stopped: .notice }
            logger.log(level: level, "refresh", metadata: fields)
        case .run(let run):
            var fields: Logger.Metadata = [
                "games": .stringConvertible(run.games), "ok": .stringConvertible(run.ok),
                "failed": .stringConvertible(run.failed), "seconds": .stringConvertible(rounded(run.seconds)),
                "outcome": "\(run.stopped ? "stopped" : run.failed > 0 ? "failed" : "ok")",
            ]
            if !run.stopped { fields["next_wake"] = "\(iso.string(from: run.nextWake))" }
            logger.log(level: run.failed > 0 ? .warning : .info, "run", metadata: fields)
        case .unreachable(let error, let retry):
            logger.error("run", metadata: ["outcome": "failed", "attempt": .stringConvertible(retry.attempt),
                                           "next_retry": "\(iso.string(from: retry.at))", "error": "\(error)"])
        case .reconnecting(let notice):
            var fields: Logger.Metadata = ["game": "\(notice.game)", "attempt": .stringConvertible(notice.attempt),
                                           "seconds": .stringConvertible(rounded(notice.elapsed))]
            if let day = notice.day { fields["day"] = "\(day.iso)" }
            if let last = notice.lastDay, last != notice.day { fields["last_day"] = "\(last.iso)" }
            if let error = notice.error { fields["error"] = "\(error)" }
            if notice.step != .reconnected { fields["retry_in"] = .stringConvertible(rounded(notice.delay)) }
            let message = switch notice.step {
            case .lost: "connection lost; reconnecting"
            case .retrying: "cannot reconnect yet; retrying"
            case .reconnected: "reconnected; going on"
            }
            logger.warning("\(message)", metadata: fields)
        case .waiting(let game):
            logger.notice("waiting for another backfill or refresh of the game", metadata: ["game": "\(game)"])
        case .stopped:
            logger.notice("stopped", metadata: ["signal": "\(stop.signalName ?? "none")"])
        }
    }

    private static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    // MARK: Cron

    /// The crontab lines for `refresh` at hour:minute UTC. A password is never written: it is removed from a
    /// URL (or the whole key=value string is left out), and a comment says where it comes from instead.
    static func cronLines(hour: Int, minute: Int, binary: String, url: String?) -> String {
        var comments: [String] = []
        var argument = ""
        if let url, !url.isEmpty {
            if let safe = withoutPassword(url) {
                argument = " --database-url \(shellQuoted(safe))"
                if safe != url {
                    comments.append("# The password is not written here: put it in ~/.pgpass of the user cron runs this as.")
                }
            } else {
                comments.append("# The connection string holds a password: set DATABASE_URL in this crontab's environment,")
                comments.append("# or libpq's PG* variables with the password in ~/.pgpass of the user cron runs this as.")
            }
        }
        let command = "\(binary) refresh\(argument) >> /var/log/levelfunnel-refresh.log 2>&1"
        // cron turns an unescaped % into a newline.
        return (comments + ["CRON_TZ=UTC", "\(minute) \(hour) * * * \(command.replacingOccurrences(of: "%", with: "\\%"))"])
            .joined(separator: "\n")
    }

    /// `url` with its password removed (a `postgresql://` URL), `url` itself when it has none, or nil when a
    /// password cannot be removed safely (a key=value string holding one, or a URL that does not parse).
    static func withoutPassword(_ url: String) -> String? {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            guard var parts = URLComponents(string: url) else { return nil }
            // Edited in their encoded form, so the other parameters stay byte for byte as given.
            let items = (parts.percentEncodedQuery ?? "").split(separator: "&", omittingEmptySubsequences: false)
            let kept = items.filter { !$0.lowercased().hasPrefix("password=") }
            if parts.percentEncodedPassword == nil && kept.count == items.count { return url }
            parts.percentEncodedPassword = nil
            if kept.count != items.count { parts.percentEncodedQuery = kept.isEmpty ? nil : kept.joined(separator: "&") }
            guard let safe = parts.string, !safe.lowercased().contains("password") else { return nil }
            return safe
        }
        let hasPassword = url.range(of: #"(^|\s)password\s*="#, options: .regularExpression) != nil
        return hasPassword ? nil : url
    }

    private static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    private func time() throws -> (Int, Int) {
        let parts = at.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else {
            throw ValidationError("--at '\(at)' is not a time: use HH:MM (UTC), e.g. 02:00")
        }
        return (h, m)
    }
}
