import Foundation
import PostgresClient

/// The daily job as a long-running loop: wakes when ``DailySchedule`` says so, refreshes the due games one by one
/// (a failing game never skips the games after it), records successes and failures, sleeps, and stops between
/// two days of a refresh when asked.
///
/// Everything that touches the outside is injected — the clock, sleeping, opening a store, the refresh itself
/// and where reports go — so the loop is tested with a fake clock and a database that refuses connections for
/// a while. A store is opened per wake-up (and again after a failure), so a restarted database is picked up; a
/// refresh that loses its connection mid-run reconnects by itself first (``LevelFunnelStore/reconnectPolicy``),
/// and only fails — to be retried on the schedule — when the database stays away longer than that.
public final class DailyJob {
    /// One structured log line.
    public enum Report: Sendable {
        /// One game's run: done (`ok`), failed (with the retry), or stopped between days.
        case game(GameRun)
        /// The end of a wake-up: how many games ran, and when the next wake-up is.
        case run(Run)
        /// The games could not be listed before they ever were (the database is unreachable at start).
        case unreachable(error: String, retry: DailySchedule.Retry)
        /// Another backfill or refresh holds the game's lock; the refresh waits for it.
        case waiting(game: String)
        /// The refresh lost its connection mid-run and is reconnecting (then goes on from the day it was on).
        case reconnecting(ReconnectNotice)
        /// The loop ended because a stop was requested.
        case stopped
    }

    public enum Outcome: String, Sendable { case ok, failed, stopped }

    public struct GameRun: Sendable {
        public var game: String
        public var outcome: Outcome
        /// Days re-aggregated (done, when stopped).
        public var days: [Day]
        public var events: Int
        public var seconds: Double
        /// 1 for the first try, 2 for the first retry, …
        public var attempt: Int
        /// When a failed game is tried again.
        public var nextRetry: Date?
        public var error: String?
    }

    public struct Run: Sendable {
        public var games: Int
        public var ok: Int
        public var failed: Int
        public var stopped: Bool
        public var seconds: Double
        public var nextWake: Date
    }

    /// Refreshes one game; `check` is the daily run's fingerprint check, or none for a run that applies the
    /// pending changes between daily runs.
    public typealias Refresh = (_ store: LevelFunnelStore, _ game: String, _ today: Day, _ check: FingerprintCheck,
                                _ shouldStop: () -> Bool) throws -> RefreshSummary

    public private(set) var schedule: DailySchedule
    private let now: () -> Date
    private let sleep: (Date) -> Void
    private let shouldStop: () -> Bool
    private let openStore: () throws -> LevelFunnelStore
    private let report: (Report) -> Void
    private var refresh: Refresh

    /// - Parameters:
    ///   - now: the clock.
    ///   - sleep: sleeps until the date given, or less (the loop asks again); returns early on a stop request.
    ///   - shouldStop: true once a stop is requested (SIGTERM); checked between games and between days.
    ///   - openStore: a connection to the database (a new one per wake-up).
    ///   - refresh: refreshes one game; by default ``LevelFunnelStore/refresh(game:today:onWait:shouldStop:)``.
    public init(schedule: DailySchedule, now: @escaping () -> Date, sleep: @escaping (Date) -> Void,
                shouldStop: @escaping () -> Bool, openStore: @escaping () throws -> LevelFunnelStore,
                refresh: Refresh? = nil, report: @escaping (Report) -> Void) {
        self.schedule = schedule
        self.now = now
        self.sleep = sleep
        self.shouldStop = shouldStop
        self.openStore = openStore
        self.report = report
        self.refresh = refresh ?? { store, game, today, check, shouldStop in
            store.onReconnect = { report(.reconnecting($0)) }
            return try store.refresh(game: game, today: today, check: check, onWait: { report(.waiting(game: game)) },
                                     shouldStop: shouldStop)
        }
    }

    /// Runs until a stop is requested. With `runNow`, every game is refreshed at once, whatever its last run.
    public func run(runNow: Bool = false) {
        var force = runNow
        while !shouldStop() {
            let time = now()
            let wake = schedule.nextWake(now: time)
            if wake > time {
                sleep(wake)
                continue
            }
            wakeUp(at: time, forceAll: force)
            force = false
        }
        report(.stopped)
    }

    /// One wake-up: list the games (learning the last run of new ones), then refresh each due game.
    public func wakeUp(at time: Date, forceAll: Bool = false) {
        var store: LevelFunnelStore?
        var unreachable: Error?
        do {
            let opened = try openStore()
            try opened.requireSchema()
            let games = try opened.games().map(\.id)
            var lastRuns: [String: Date] = [:]
            for game in games where schedule.games[game] == nil && !forceAll {
                lastRuns[game] = try opened.lastDailyRun(game: game, due: schedule.scheduled(onOrBefore: time))
            }
            schedule.learn(games: games, lastRuns: lastRuns)
            store = opened
        } catch {
            guard schedule.gamesKnown else {
                report(.unreachable(error: Self.describe(error), retry: schedule.recordListingFailure(at: now())))
                return
            }
            // The database is down: every game that was due fails this attempt (and gets its own retry).
            unreachable = error
        }
        let games = schedule.dueGames(now: time)
        var ok = 0, failed = 0, stopped = false
        let start = now()
        for game in games {
            if shouldStop() { stopped = true; break }
            let attempt = schedule.nextAttempt(game)
            let started = now()
            do {
                if let unreachable { throw unreachable }
                let open = try store ?? openStore()
                store = open
                let check: FingerprintCheck = schedule.isDailyRunDue(game, now: time) ? .days(7) : .none
                let summary = try refresh(open, game, Day(containing: started), check, shouldStop)
                if summary.stopped {
                    stopped = true
                    report(.game(GameRun(game: game, outcome: .stopped, days: summary.days, events: summary.events,
                                         seconds: summary.seconds, attempt: attempt)))
                    break
                }
                schedule.recordSuccess(game, startedAt: started)
                ok += 1
                report(.game(GameRun(game: game, outcome: .ok, days: summary.days, events: summary.events,
                                     seconds: summary.seconds, attempt: attempt)))
            } catch {
                store = nil  // the connection may be broken: the next game opens a new one
                failed += 1
                let retry = schedule.recordFailure(game, at: now())
                report(.game(GameRun(game: game, outcome: .failed, days: [], events: 0,
                                     seconds: now().timeIntervalSince(started), attempt: retry.attempt,
                                     nextRetry: retry.at, error: Self.describe(error))))
            }
        }
        let end = now()
        report(.run(Run(games: games.count, ok: ok, failed: failed, stopped: stopped,
                        seconds: end.timeIntervalSince(start), nextWake: schedule.nextWake(now: end))))
    }

    /// One line, never a password (PostgresClient redacts it from connection errors).
    static func describe(_ error: Error) -> String {
        let text: String
        switch error {
        case let error as PostgresError where error.kind == .connection: text = error.message
        case let error as LevelFunnelError: text = error.description
        case let error as AggregationFailure: text = error.description
        default: text = String(describing: error)
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

extension LevelFunnelStore {
    /// When the daily run due at `due` last completed for `game`, as far as the aggregates tell: the time the day
    /// before `due` (the day that run finishes) was last aggregated, if it is not stale. A refresh always
    /// re-aggregates yesterday, so a run at or after `due` leaves a time at or after it; anything older (or nil)
    /// means that run was missed — the process was down — and is caught up at start.
    public func lastDailyRun(game: String, due: Date) throws -> Date? {
        try db.query("""
            SELECT extract(epoch FROM aggregated_at)::float8 FROM aggregated_days
             WHERE game_id = $1 AND date = $2::date AND NOT stale
            """, [game, Day(containing: due).adding(days: -1).iso])
            .first?.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) }
    }
}
