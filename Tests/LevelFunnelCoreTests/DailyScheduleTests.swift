import Foundation
import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// `2026-02-11T02:00:00Z`-style times, UTC.
private func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

/// The decisions alone: no database, no sleeping.
@Suite struct DailyScheduleTests {
    let policy = DailySchedule.Policy(hour: 2, minute: 0)

    @Test func scheduledTimesAreTheRunTimeInUTC() {
        let schedule = DailySchedule(policy: policy)
        #expect(schedule.scheduled(onOrBefore: at("2026-02-11T01:59:59Z")) == at("2026-02-10T02:00:00Z"))
        #expect(schedule.scheduled(onOrBefore: at("2026-02-11T02:00:00Z")) == at("2026-02-11T02:00:00Z"))
        #expect(schedule.scheduled(after: at("2026-02-11T02:00:00Z")) == at("2026-02-12T02:00:00Z"))
        #expect(schedule.scheduled(after: at("2026-02-11T01:00:00Z")) == at("2026-02-11T02:00:00Z"))
    }

    @Test func retriesBackOffOneTwoFiveFifteenMinutesThenHourly() {
        var schedule = DailySchedule(policy: policy)
        schedule.learn(games: ["g"], lastRuns: [:])
        var time = at("2026-02-11T02:00:00Z")
        var delays: [TimeInterval] = []
        for attempt in 1...7 {
            #expect(schedule.isDue("g", now: time))
            #expect(schedule.nextAttempt("g") == attempt)
            let retry = schedule.recordFailure("g", at: time)
            #expect(retry.attempt == attempt)
            #expect(!schedule.isDue("g", now: time) && !schedule.isDue("g", now: retry.at.addingTimeInterval(-1)))
            #expect(schedule.nextWake(now: time) == retry.at)
            delays.append(retry.at.timeIntervalSince(time))
            time = retry.at
        }
        #expect(delays == [60, 120, 300, 900, 3600, 3600, 3600])
        // A success resets the backoff; the next run is the next day's.
        schedule.recordSuccess("g", startedAt: time)
        #expect(schedule.nextAttempt("g") == 1 && !schedule.isDue("g", now: time))
        #expect(schedule.nextWake(now: time) == at("2026-02-12T02:00:00Z"))
    }

    @Test func aRunMissedWhileDownIsDueAtStartAndADoneRunIsNot() {
        var schedule = DailySchedule(policy: policy)
        let start = at("2026-02-11T15:00:00Z")
        #expect(schedule.nextWake(now: start) == start)   // games not known yet: look at once
        schedule.learn(games: ["done", "missed", "new"],
                       lastRuns: ["done": at("2026-02-11T02:00:07Z"), "missed": at("2026-02-10T23:30:00Z")])
        #expect(schedule.dueGames(now: start) == ["missed", "new"])
        schedule.recordSuccess("missed", startedAt: start)
        schedule.recordSuccess("new", startedAt: start)
        #expect(schedule.dueGames(now: start).isEmpty)
        #expect(schedule.nextWake(now: start) == at("2026-02-12T02:00:00Z"))
        #expect(schedule.dueGames(now: at("2026-02-12T02:00:00Z")) == ["done", "missed", "new"])
        // A game that disappears is forgotten; one that appears is due.
        schedule.learn(games: ["done", "later"], lastRuns: [:])
        #expect(schedule.dueGames(now: start) == ["later"])
    }

    @Test func applyEveryNMinutesBetweenDailyRuns() {
        var schedule = DailySchedule(policy: DailySchedule.Policy(hour: 2, minute: 0, applyEvery: 30 * 60))
        schedule.learn(games: ["g"], lastRuns: ["g": at("2026-02-11T02:00:00Z")])
        #expect(schedule.nextWake(now: at("2026-02-11T02:00:05Z")) == at("2026-02-11T02:30:00Z"))
        #expect(schedule.isDue("g", now: at("2026-02-11T02:30:00Z")))
        #expect(!schedule.isDailyRunDue("g", now: at("2026-02-11T02:30:00Z")), "applies the changes only")
        #expect(schedule.isDailyRunDue("g", now: at("2026-02-12T02:00:00Z")), "the daily run checks fingerprints")
        schedule.recordSuccess("g", startedAt: at("2026-02-11T23:50:00Z"))
        // The daily run comes first when it is sooner.
        #expect(schedule.nextWake(now: at("2026-02-11T23:51:00Z")) == at("2026-02-12T00:20:00Z"))
        schedule.recordSuccess("g", startedAt: at("2026-02-12T01:45:00Z"))
        #expect(schedule.nextWake(now: at("2026-02-12T01:46:00Z")) == at("2026-02-12T02:00:00Z"))
    }

    @Test func theDatabaseDownAtStartIsRetriedWithTheSameBackoff() {
        var schedule = DailySchedule(policy: policy)
        let start = at("2026-02-11T02:00:00Z")
        #expect(schedule.recordListingFailure(at: start) == DailySchedule.Retry(attempt: 1, at: at("2026-02-11T02:01:00Z")))
        #expect(schedule.nextWake(now: start) == at("2026-02-11T02:01:00Z"))
        #expect(schedule.recordListingFailure(at: at("2026-02-11T02:01:00Z")).at == at("2026-02-11T02:03:00Z"))
        schedule.learn(games: [], lastRuns: [:])
        #expect(schedule.listingFailures == 0 && schedule.nextWake(now: start) == at("2026-02-12T02:00:00Z"))
    }
}

/// A clock that jumps instead of sleeping.
final class FakeClock {
    var now: Date
    var sleeps: [Date] = []
    init(_ start: Date) { now = start }
    func sleep(until date: Date) {
        sleeps.append(date)
        now = max(now, date)
    }
}

/// The loop against a real PostgreSQL, with a fake clock and a database that refuses connections for a while.
@Suite struct DailyJobTests {
    /// Nothing listens on port 1: connections are refused at once.
    static let refusing = "postgresql://levelfunnel@127.0.0.1:1/none?connect_timeout=2"

    struct Run {
        var reports: [DailyJob.Report] = []
        var games: [DailyJob.GameRun] { reports.compactMap { if case .game(let run) = $0 { run } else { nil } } }
    }

    /// Runs the job from `start` until the clock reaches `until`; the database refuses connections while
    /// `down(now)` is true. `refresh` replaces the real refresh when given.
    private static func runJob(_ database: TestDatabase, from start: Date, until: Date, runNow: Bool = false,
                       down: @escaping (Date) -> Bool = { _ in false }, refresh: DailyJob.Refresh? = nil,
                       policy: DailySchedule.Policy = .init()) -> (Run, FakeClock) {
        let clock = FakeClock(start)
        var run = Run()
        let job = DailyJob(schedule: DailySchedule(policy: policy), now: { clock.now }, sleep: clock.sleep(until:),
                           shouldStop: { clock.now >= until },
                           openStore: { try LevelFunnelStore(url: down(clock.now) ? refusing : database.url) },
                           refresh: refresh, report: { run.reports.append($0) })
        job.run(runNow: runNow)
        return (run, clock)
    }

    static func loaded(_ label: String, games: [String] = ["g"]) throws -> (TestDatabase, LevelFunnelStore) {
        let database = try TestDatabase.fresh(label)
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        for (i, game) in games.enumerated() {
            try store.db.copy(RandomEvents.make(seed: 40 + UInt64(i), count: 600, game: game))
        }
        // Received before any aggregation (the clock here is fake, the database's real): not late events.
        try store.db.execute("UPDATE events SET received_at = '2026-02-10 12:00+00'")
        return (database, store)
    }

    static func aggregatedDays(_ store: LevelFunnelStore, _ game: String = "g") throws -> [String] {
        try store.db.query("SELECT date::text FROM aggregated_days WHERE game_id = $1 AND NOT stale ORDER BY date", [game])
            .map { try $0.decode(String.self, at: 0) }
    }

    static func fastEqualsRaw(_ store: LevelFunnelStore, _ game: String = "g") throws -> Bool {
        let query = FunnelQuery(game: game, range: try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!))
        return try store.verify(query).differences.isEmpty
    }

    @Test func retriesWithBackoffWhileTheDatabaseRefusesConnections() throws {
        let (database, store) = try Self.loaded("jobretry", games: ["g", "h"])
        // Down from the start until 02:06; up for the first daily run; down again 02-12 01:00..02:05.
        let down: (Date) -> Bool = { now in
            now < at("2026-02-11T02:06:00Z") || (now >= at("2026-02-12T01:00:00Z") && now < at("2026-02-12T02:05:00Z"))
        }
        let (run, clock) = Self.runJob(database, from: at("2026-02-11T01:59:00Z"), until: at("2026-02-12T12:00:00Z"), down: down)

        // Before the games were ever listed: the whole job retries, 1, 2 then 5 minutes later.
        let unreachable = run.reports.compactMap { if case .unreachable(let error, let retry) = $0 { (error, retry) } else { nil } }
        #expect(unreachable.map(\.1) == [DailySchedule.Retry(attempt: 1, at: at("2026-02-11T02:00:00Z")),
                                         DailySchedule.Retry(attempt: 2, at: at("2026-02-11T02:02:00Z")),
                                         DailySchedule.Retry(attempt: 3, at: at("2026-02-11T02:07:00Z"))])
        #expect(unreachable.allSatisfy { $0.0.contains("cannot connect to the database") })
        // Then every game, each with one line per attempt: 02-11 ok at once; 02-12 three failures, then ok.
        let lines = run.games.map { "\($0.game) \($0.outcome) \($0.attempt) \($0.nextRetry.map { ISO8601DateFormatter().string(from: $0) } ?? "-")" }
        #expect(lines == [
            "g ok 1 -", "h ok 1 -",
            "g failed 1 2026-02-12T02:01:00Z", "h failed 1 2026-02-12T02:01:00Z",
            "g failed 2 2026-02-12T02:03:00Z", "h failed 2 2026-02-12T02:03:00Z",
            "g failed 3 2026-02-12T02:08:00Z", "h failed 3 2026-02-12T02:08:00Z",
            "g ok 4 -", "h ok 4 -",
        ])
        #expect(clock.sleeps == ["2026-02-11T02:00:00Z", "2026-02-11T02:02:00Z", "2026-02-11T02:07:00Z",
                                 "2026-02-12T02:00:00Z", "2026-02-12T02:01:00Z", "2026-02-12T02:03:00Z",
                                 "2026-02-12T02:08:00Z", "2026-02-13T02:00:00Z"].map(at))
        #expect(run.games.filter { $0.outcome == .failed }.allSatisfy { $0.error?.contains("cannot connect") == true })
        // The first run aggregated the whole history (its days with events; "today" has none and is recorded
        // as empty), the second had only empty days (yesterday and today) to record.
        #expect(run.games[0].days.first == Day(iso: "2026-02-01") && run.games[0].days.last == Day(iso: "2026-02-10"))
        #expect(run.games[8].days == [])
        #expect(try Self.aggregatedDays(store).count == 12)
        #expect(try Self.fastEqualsRaw(store, "g") && Self.fastEqualsRaw(store, "h"))
        if case .run(let last) = run.reports.dropLast().last! {
            #expect(last.ok == 2 && last.failed == 0 && last.nextWake == at("2026-02-13T02:00:00Z"))
        } else {
            Issue.record("the last line before stopping is the run's")
        }
        guard case .stopped = run.reports.last! else { Issue.record("ends with stopped"); return }
    }

    @Test func oneFailingGameDoesNotSkipTheGamesAfterIt() throws {
        let (database, store) = try Self.loaded("jobskip", games: ["a", "b", "c"])
        var failuresLeft = 2
        let refresh: DailyJob.Refresh = { store, game, today, _, stop in
            if game == "a" && failuresLeft > 0 {
                failuresLeft -= 1
                throw LevelFunnelError.unknownGame("a")   // any error: the game fails, the others go on
            }
            return try store.refresh(game: game, today: today, shouldStop: stop)
        }
        let (run, _) = Self.runJob(database, from: at("2026-02-11T02:00:00Z"), until: at("2026-02-11T03:00:00Z"), refresh: refresh)
        #expect(run.games.map { "\($0.game) \($0.outcome) \($0.attempt)" } == ["a failed 1", "b ok 1", "c ok 1", "a failed 2", "a ok 3"])
        #expect(run.games[3].nextRetry == at("2026-02-11T02:03:00Z"))
        for game in ["a", "b", "c"] { #expect(try Self.fastEqualsRaw(store, game)) }
    }

    @Test func aMissedRunIsCaughtUpAtStartAndADoneOneIsNot() throws {
        let (database, store) = try Self.loaded("jobcatchup", games: ["done", "missed"])
        let history = try DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)
        for game in ["done", "missed"] { _ = try store.backfill(game: game, range: history) }
        // The day before 02-11 02:00 was aggregated after that run time for "done", before it for "missed".
        try store.db.execute("UPDATE aggregated_days SET aggregated_at = CASE game_id WHEN 'done' THEN '2026-02-11 02:00:30+00'::timestamptz ELSE '2026-02-10 23:00+00'::timestamptz END")
        #expect(try store.lastDailyRun(game: "done", due: at("2026-02-11T02:00:00Z")) == at("2026-02-11T02:00:30Z"))

        let start = at("2026-02-11T15:00:00Z")
        let (run, clock) = Self.runJob(database, from: start, until: at("2026-02-11T23:00:00Z"))
        #expect(run.games.map { "\($0.game) \($0.outcome)" } == ["missed ok"])
        #expect(run.games[0].days == [])  // nothing changed since 02-10 was aggregated; 02-11 has no events: recorded as empty
        #expect(clock.sleeps == [at("2026-02-12T02:00:00Z")])
        // `--now` refreshes every game whatever its last run.
        let (forced, _) = Self.runJob(database, from: start, until: at("2026-02-11T23:00:00Z"), runNow: true)
        #expect(forced.games.map { "\($0.game) \($0.outcome)" } == ["done ok", "missed ok"])
    }

    @Test func aRefreshStoppedBetweenPassesKeepsItsDaysAndTheNextOneFinishesExactly() throws {
        // A game id of its own: advisory locks are per database, not per schema, so a test running at the same
        // time on a game "g" would make this refresh wait for the lock, and the wait asks `shouldStop` too.
        let game = "jobstop"
        let (_, store) = try Self.loaded("jobstop", games: [game])
        // Passes of at most three days: [02-01] (a first pass is one day), [02-02...02-04], then a stop.
        store.maxPassDays = 3
        var asked = 0
        let stopped = try store.refresh(game: game, today: Day(iso: "2026-02-10")!, shouldStop: { asked += 1; return asked > 2 })
        #expect(stopped.stopped && stopped.days.map(\.iso) == ["2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04"])
        #expect(try Self.aggregatedDays(store, game) == stopped.days.map(\.iso))
        let rest = try store.refresh(game: game, today: Day(iso: "2026-02-10")!)
        #expect(!rest.stopped && rest.days.first == Day(iso: "2026-02-05") && rest.days.last == Day(iso: "2026-02-10"))
        #expect(stopped.events + rest.events == (try store.games().first?.aggregatedLevelEvents))
        // The same tables as one uninterrupted backfill of the same events.
        let (_, other) = try Self.loaded("jobstopref", games: [game])
        _ = try other.backfill(game: game, range: DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!))
        #expect(try AggregationTests.checksum(store.db, game: game) == AggregationTests.checksum(other.db, game: game))
        #expect(try Self.fastEqualsRaw(store, game))
    }
}
