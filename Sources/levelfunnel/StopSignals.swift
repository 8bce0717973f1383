import Foundation

/// SIGTERM and SIGINT set a stop flag (and wake a sleeping job) instead of killing the process: every long
/// command (`backfill`, `refresh`, `aggregate`, `schedule`) stops between two units of work, its work so far kept.
///
/// Plain dispatch signal sources rather than swift-service-lifecycle: the store and the refresh are synchronous
/// (libpq, one connection per thread), so a ServiceGroup would run them on a blocked cooperative thread and still
/// need this flag to reach the refresh between days; it would also add swift-async-algorithms and
/// swift-collections to the build for one stop flag.
final class StopSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?
    private let wake = DispatchSemaphore(value: 0)

    var isSet: Bool { lock.withLock { received != nil } }

    var signalName: String? {
        lock.withLock { received.map { $0 == SIGTERM ? "SIGTERM" : $0 == SIGINT ? "SIGINT" : "signal \($0)" } }
    }

    /// Catches `signals`; `onStop` runs on the first one, with its name (e.g. to say what stopping means).
    static func install(_ signals: [Int32] = [SIGTERM, SIGINT], onStop: @escaping @Sendable (String) -> Void = { _ in }) -> StopSignals {
        let stop = StopSignals()
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak stop] in
                guard let stop else { return }
                let first = stop.lock.withLock { () -> Bool in
                    defer { if stop.received == nil { stop.received = number } }
                    return stop.received == nil
                }
                if first {
                    stop.wake.signal()
                    onStop(stop.signalName ?? "signal \(number)")
                }
            }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }

    /// Sleeps until `date` (at most five minutes at a time: the caller asks again), or until a stop signal.
    func sleep(until date: Date) {
        let seconds = min(date.timeIntervalSinceNow, 300)
        guard seconds > 0, !isSet else { return }
        _ = wake.wait(wallTimeout: .now() + seconds)
    }
}

extension StopSignals {
    /// For `backfill`, `refresh` and `aggregate`: the first SIGTERM or SIGINT says on stderr that the command stops
    /// once the pass of days in progress has committed (further signals are ignored).
    static func installForAggregation() -> StopSignals {
        install { name in CLIErrors.note("\(name): stopping after the pass in progress commits; the days done are kept") }
    }
}
