import Foundation

/// When the daily job runs which game: the decision logic of `levelfunnel schedule`, pure and driven by the
/// clock its caller passes in (no sleeping, no database), so it is tested with an injected clock.
///
/// Per game it knows the last successful run and the failures since. A game is due when
/// - it failed and its retry time has come (backoff: 1, 2, 5, 15 minutes, then hourly, by default);
/// - it never ran, or its last successful run is older than the last scheduled time (the daily run, or a
///   missed one being caught up);
/// - with `applyEvery`, that long has passed since its last successful run: the pending changes are applied (a
///   refresh without the daily run's fingerprint check, ``isDailyRunDue(_:now:)`` tells which).
///
/// Where the last successful run comes from at start is the caller's business (``DailyJob`` reads when
/// the day before the last scheduled time was aggregated, see ``LevelFunnelStore/lastDailyRun(game:due:)``).
public struct DailySchedule: Sendable {
    public struct Policy: Sendable, Hashable {
        /// The daily run time, UTC.
        public var hour: Int
        public var minute: Int
        /// Delay before retrying after the 1st, 2nd, … consecutive failure; the last one repeats.
        public var retryDelays: [TimeInterval]
        /// Also apply each game's pending changes this often (seconds) between daily runs, so that only that long
        /// of events is ever pending; nil: only daily.
        public var applyEvery: TimeInterval?

        /// 1, 2, 5 and 15 minutes, then every hour.
        public static let defaultRetryDelays: [TimeInterval] = [60, 120, 300, 900, 3600]

        public init(hour: Int = 2, minute: Int = 0, retryDelays: [TimeInterval] = Policy.defaultRetryDelays,
                    applyEvery: TimeInterval? = nil) {
            precondition((0..<24).contains(hour) && (0..<60).contains(minute) && !retryDelays.isEmpty)
            self.hour = hour
            self.minute = minute
            self.retryDelays = retryDelays
            self.applyEvery = applyEvery
        }

        /// The delay after `failures` consecutive failures (1-based).
        public func retryDelay(afterFailures failures: Int) -> TimeInterval {
            retryDelays[min(max(failures, 1), retryDelays.count) - 1]
        }
    }

    public struct GameState: Sendable, Hashable {
        /// When the last successful run started; nil if never (as far as we know).
        public var lastSuccess: Date?
        /// Consecutive failures since the last success.
        public var failures = 0
        /// When to try again after a failure.
        public var retryAt: Date?

        public init(lastSuccess: Date? = nil) { self.lastSuccess = lastSuccess }
    }

    /// What a failure leads to.
    public struct Retry: Sendable, Hashable {
        /// The attempt that just failed (1 for the first).
        public var attempt: Int
        public var at: Date

        public init(attempt: Int, at: Date) {
            self.attempt = attempt
            self.at = at
        }
    }

    public let policy: Policy
    public private(set) var games: [String: GameState] = [:]
    /// False until the list of games has been read once.
    public private(set) var gamesKnown = false
    /// Failures to read the list of games before it was ever read (database down at start).
    public private(set) var listingFailures = 0
    private var listingRetryAt: Date?

    public init(policy: Policy) { self.policy = policy }

    // MARK: Time

    /// The latest scheduled time at or before `now`.
    public func scheduled(onOrBefore now: Date) -> Date {
        let candidate = Day(containing: now).startDate.addingTimeInterval(Double(policy.hour * 3600 + policy.minute * 60))
        return candidate <= now ? candidate : candidate.addingTimeInterval(-86_400)
    }

    /// The first scheduled time after `now`.
    public func scheduled(after now: Date) -> Date { scheduled(onOrBefore: now).addingTimeInterval(86_400) }

    // MARK: Decisions

    /// True when `game` should be refreshed at `now`.
    public func isDue(_ game: String, now: Date) -> Bool {
        guard let state = games[game] else { return false }
        return wakeTime(state, now: now) <= now
    }

    /// True when the run of `game` due at `now` is the daily run (never run, a scheduled run not done since, or a
    /// retry), which checks the recent days' fingerprints; false for a run that only applies pending changes.
    public func isDailyRunDue(_ game: String, now: Date) -> Bool {
        guard let state = games[game], let last = state.lastSuccess else { return true }
        return state.failures > 0 || last < scheduled(onOrBefore: now)
    }

    /// The games to refresh at `now`, in id order.
    public func dueGames(now: Date) -> [String] { games.keys.sorted().filter { isDue($0, now: now) } }

    /// When something is next to be done: now or earlier when something is due, else the earliest of the games'
    /// retry or refresh times and the next scheduled time (when new games are picked up).
    public func nextWake(now: Date) -> Date {
        guard gamesKnown else { return listingRetryAt ?? now }
        return games.values.map { wakeTime($0, now: now) }.reduce(scheduled(after: now), min)
    }

    private func wakeTime(_ state: GameState, now: Date) -> Date {
        if state.failures > 0, let retryAt = state.retryAt { return retryAt }
        guard let last = state.lastSuccess else { return now }
        if last < scheduled(onOrBefore: now) { return now }
        let daily = scheduled(after: now)
        guard let every = policy.applyEvery else { return daily }
        return min(daily, last.addingTimeInterval(every))
    }

    // MARK: Facts

    /// The games that exist now, with the last successful run of those not seen before (missing: never, or
    /// unknown — due at once). Games no longer listed are forgotten.
    public mutating func learn(games listed: [String], lastRuns: [String: Date]) {
        gamesKnown = true
        listingFailures = 0
        listingRetryAt = nil
        games = games.filter { listed.contains($0.key) }
        for game in listed where games[game] == nil {
            games[game] = GameState(lastSuccess: lastRuns[game])
        }
    }

    /// A run of `game` that started at `start` succeeded.
    public mutating func recordSuccess(_ game: String, startedAt start: Date) {
        games[game, default: GameState()] = GameState(lastSuccess: start)
    }

    /// A run of `game` failed at `now`: returns the attempt that failed and when to retry.
    @discardableResult
    public mutating func recordFailure(_ game: String, at now: Date) -> Retry {
        var state = games[game, default: GameState()]
        state.failures += 1
        let retry = Retry(attempt: state.failures, at: now.addingTimeInterval(policy.retryDelay(afterFailures: state.failures)))
        state.retryAt = retry.at
        games[game] = state
        return retry
    }

    /// The list of games could not be read (the database is unreachable) before it was ever read.
    @discardableResult
    public mutating func recordListingFailure(at now: Date) -> Retry {
        listingFailures += 1
        let retry = Retry(attempt: listingFailures, at: now.addingTimeInterval(policy.retryDelay(afterFailures: listingFailures)))
        listingRetryAt = retry.at
        return retry
    }

    /// The attempt number the next run of `game` will be (1 unless it has failed since its last success).
    public func nextAttempt(_ game: String) -> Int { (games[game]?.failures ?? 0) + 1 }
}
