import Foundation
import PostgresClient

/// Which long job of the store a failure or a reconnect belongs to.
public enum AggregationJob: String, Sendable {
    case backfill, refresh
}

/// How long a backfill or refresh keeps reconnecting after losing its connection (the server restarted, crashed,
/// or the network dropped), and how long it waits between attempts.
public struct ReconnectPolicy: Sendable, Hashable {
    /// Seconds to keep trying, counted from the first loss since the last day done: a day that brings the server
    /// down each time it runs is given up on too. 0 never reconnects (the job fails at once).
    public var timeout: Double
    /// The first wait; each next one doubles, up to ``maxDelay`` (and never past the timeout).
    public var firstDelay: Double
    public var maxDelay: Double

    public init(timeout: Double = 60, firstDelay: Double = 1, maxDelay: Double = 8) {
        self.timeout = timeout
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// Never reconnect.
    public static let never = ReconnectPolicy(timeout: 0)

    /// The wait before the `n`-th reconnect attempt (1-based).
    func delay(_ n: Int) -> Double { min(maxDelay, firstDelay * pow(2, Double(max(0, n - 1)))) }
}

/// One step of a reconnect, as a backfill or refresh reports it (the CLI prints it on stderr, `schedule` logs it).
public struct ReconnectNotice: Sendable, CustomStringConvertible {
    public enum Step: Sendable, Equatable {
        /// The connection was lost; the next attempt comes after `delay`.
        case lost
        /// A reconnect attempt failed; the next one comes after `delay`.
        case retrying
        /// Connected again: the job takes its game's lock again and redoes `day` (or goes on).
        case reconnected
    }

    public var job: AggregationJob
    public var game: String
    /// The first day of the pass being aggregated when the connection broke; nil before the first pass or between
    /// passes.
    public var day: Day?
    /// The pass's last day (`day` when the pass is one day).
    public var lastDay: Day?
    public var step: Step
    /// The attempt at `day` that comes next (`lost`, `retrying`) or that is starting (`reconnected`); the day's
    /// first run is attempt 1.
    public var attempt: Int
    /// Seconds until the next attempt (`lost`, `retrying`).
    public var delay: Double
    /// Seconds since the connection was lost.
    public var elapsed: Double
    /// What broke the connection (`lost`), or why reconnecting failed (`retrying`).
    public var error: String?

    public var description: String {
        let during = passDays(day, lastDay).map { "during \($0)" } ?? "between days"
        let seconds = { (s: Double) in
            let tenths = (s * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths)) s" : String(format: "%.1f s", tenths)
        }
        let reason = error.map { " (\($0))" } ?? ""
        switch step {
        case .lost:
            return "\(job.rawValue) \(game): connection lost \(during)\(reason); reconnecting in \(seconds(delay)) (attempt \(attempt))"
        case .retrying:
            return "\(job.rawValue) \(game): cannot reconnect yet\(reason); retrying in \(seconds(delay)) (attempt \(attempt))"
        case .reconnected:
            let next = passDays(day, lastDay).map { "redoing \($0)" } ?? "going on"
            return "\(job.rawValue) \(game): reconnected after \(String(format: "%.1f", elapsed)) s; \(next) (attempt \(attempt))"
        }
    }
}

extension PostgresError {
    /// The message's first line without libpq's severity prefix: a lost connection's message is libpq's whole text
    /// ("FATAL:  terminating connection due to administrator command\nCONTEXT: ...\nserver closed the connection
    /// unexpectedly...").
    var headline: String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        for prefix in ["FATAL:", "ERROR:", "PANIC:"] where line.hasPrefix(prefix) {
            return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}

/// "day D" or "days F..L": the days of a pass, for messages.
func passDays(_ first: Day?, _ last: Day?) -> String? {
    guard let first else { return nil }
    guard let last, last != first else { return "day \(first.iso)" }
    return "days \(first.iso)..\(last.iso)"
}

/// A backfill or refresh of one game failed: on which days (nil: before the first pass or between passes) and why.
/// The days done before them are complete; the failed days keep their previous aggregates (their transaction
/// rolled back). A failure other than a lost connection names one day: a pass of several days that fails is
/// redone day by day, so that the days before the failing one get done.
public struct AggregationFailure: Error, Sendable, CustomStringConvertible {
    public var job: AggregationJob
    public var game: String
    /// The first day of the failed pass.
    public var day: Day?
    /// The pass's last day (`day` when the pass is one day).
    public var lastDay: Day?
    /// The database's error (for a lost connection, the last one met while reconnecting).
    public var error: PostgresError
    /// Set when the connection was lost and did not come back within this many seconds.
    public var reconnectTimeout: Double?

    /// True when the database could not be reached (a lost connection not re-established): the next game would fail
    /// the same way. Any other failure (a statement timeout, a full disk) is the game's own.
    public var isConnectionLost: Bool { error.isConnectionLost }

    public var description: String {
        let what = "\(job.rawValue) \(game): " + (passDays(day, lastDay).map { "\($0) failed" } ?? "failed")
        let cause = error.description.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        if let reconnectTimeout, reconnectTimeout > 0 {
            return "\(what): the connection was lost and could not be re-established within \(Int(reconnectTimeout.rounded())) s: \(cause)"
        }
        return "\(what): \(cause)"
    }
}
