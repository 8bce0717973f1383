import Foundation
import PostgresClient

/// Reconnecting a backfill or refresh that lost its connection, and going on where it was.
extension LevelFunnelStore {
    /// Where a backfill or refresh is, for reconnecting: the pass running (its first and last day), its attempt, and
    /// when the connection was first lost since the last pass done (the reconnect timeout counts from it).
    struct JobPosition {
        var day: Day?
        var lastDay: Day?
        var attempt = 1
        var lostAt: ContinuousClock.Instant?

        mutating func finishedDay() { self = JobPosition() }
    }

    /// Runs a backfill or refresh under the game's lock: `start` plans the run once the lock is first held, and
    /// `body` runs what the run has left. When the connection is lost, opens a new one
    /// (``reconnect(_:game:after:_:shouldStop:)``), takes the lock again (it went with the old session), lets
    /// `resume` bring the run up to date and runs `body` again on it: the run keeps its progress (its plan is
    /// advanced once a pass is done), so it goes on with the pass that was running (rolled back with its session).
    /// Other database errors come out as an ``AggregationFailure`` naming the day. Returns the run done.
    func withReconnect<Run>(_ job: AggregationJob, game: String, onWait: () -> Void, shouldStop: () -> Bool,
                            start: () throws -> Run, resume: (inout Run) throws -> Void = { _ in },
                            _ body: (inout Run, inout JobPosition) throws -> Void) throws -> Run {
        var position = JobPosition()
        var run: Run?
        while true {
            do {
                return try withGameLock(game, onWait: onWait, shouldStop: shouldStop) {
                    if run == nil { run = try start() } else { try resume(&run!) }
                    try body(&run!, &position)
                    return run!
                }
            } catch let error as PostgresError {
                guard error.isConnectionLost || !db.isAlive else {
                    throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: error)
                }
                try reconnect(job, game: game, after: error, &position, shouldStop: shouldStop)
            }
        }
    }

    /// Replaces the lost connection with a new one, waiting 1, 2, 4, 8, 8... s between attempts (``reconnectPolicy``)
    /// until it connects or the timeout since the first loss runs out (then throws an ``AggregationFailure``).
    /// `shouldStop` ends the wait (``LevelFunnelError/cancelled``).
    private func reconnect(_ job: AggregationJob, game: String, after loss: PostgresError, _ position: inout JobPosition,
                           shouldStop: () -> Bool) throws {
        let policy = reconnectPolicy
        guard let reopen, policy.timeout > 0 else {
            throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: loss)
        }
        let lostAt = position.lostAt ?? .now
        position.lostAt = lostAt
        var error = loss
        var step = ReconnectNotice.Step.lost
        for tries in 1... {
            let elapsed = (ContinuousClock.now - lostAt).seconds
            guard elapsed < policy.timeout else {
                throw AggregationFailure(job: job, game: game, day: position.day, lastDay: position.lastDay, error: error, reconnectTimeout: policy.timeout)
            }
            position.attempt += 1
            let delay = min(policy.delay(tries), policy.timeout - elapsed)
            onReconnect(ReconnectNotice(job: job, game: game, day: position.day, lastDay: position.lastDay, step: step, attempt: position.attempt,
                                        delay: delay, elapsed: elapsed, error: error.headline))
            let wake = ContinuousClock.now + .seconds(delay)
            while ContinuousClock.now < wake {
                if shouldStop() { throw LevelFunnelError.cancelled }
                Thread.sleep(forTimeInterval: min(0.1, max(0, (wake - ContinuousClock.now).seconds)))
            }
            do {
                let fresh = try reopen()
                fresh.statementObserver = db.statementObserver
                db = fresh
                onReconnect(ReconnectNotice(job: job, game: game, day: position.day, lastDay: position.lastDay, step: .reconnected,
                                            attempt: position.attempt, delay: 0,
                                            elapsed: (ContinuousClock.now - lostAt).seconds, error: nil))
                return
            } catch let failed as PostgresError {
                error = failed
                step = .retrying
            }
        }
    }
}
