import Foundation
import LevelFunnelCore

/// A writer's loop: backfill of a whole history, or the daily job as on the game's last day.
struct WriterTask: Sendable {
    enum Kind: String, Sendable { case backfill, refresh }
    var kind: Kind
    var game: GameInfo

    func loop(_ store: LevelFunnelStore, board: StressBoard, log: @Sendable (String) -> Void) -> StressReport.Writer {
        var report = StressReport.Writer(task: kind.rawValue, game: game.id)
        var finished = false
        // Once the readers are done, a writer that has completed a run stops (between days, or while waiting for the lock).
        let enough = { board.readersDone && finished }
        repeat {
            let start = ContinuousClock.now
            board.writerStarts()
            var waited = false
            do {
                switch kind {
                case .backfill:
                    let summary = try store.backfill(game: game.id, range: game.history, onWait: { waited = true },
                                                     shouldStop: enough, progress: { _ in !enough() })
                    if summary.cancelled { report.stopped += 1 } else { report.runs += 1 }
                    report.days += summary.daysDone
                    report.levelEvents += summary.events
                case .refresh:
                    let summary = try store.refresh(game: game.id, today: game.lastDay, check: .days(7),
                                                    onWait: { waited = true }, shouldStop: enough)
                    if summary.stopped { report.stopped += 1 } else { report.runs += 1 }
                    report.days += summary.days.count
                    report.levelEvents += summary.events
                }
            } catch let error as LevelFunnelError where error == .cancelled {
                report.stopped += 1   // its wait for the lock ended: the readers are done
            } catch {
                report.errors.append("\(error)")
            }
            board.writerEnds()
            let seconds = (ContinuousClock.now - start).seconds
            report.seconds += seconds
            if waited { report.lockWaits += 1 }
            finished = report.runs > 0 || !report.errors.isEmpty
            log(String(format: "%@ %@: run %d ended after %.1f s%@ (%d complete, %d days so far)", kind.rawValue, game.id,
                       report.runs + report.stopped + report.errors.count, seconds,
                       waited ? ", after waiting for the lock" : "", report.runs, report.days))
            var paused = 0.0
            while paused < StressRun.pauseSeconds && !enough() {
                Thread.sleep(forTimeInterval: 0.05)
                paused += 0.05
            }
        } while !enough()
        return report
    }
}
