import Foundation

/// What the threads share: how many readers are still querying, whether a writer is running, the reports, and the
/// signal that lets readers start their raw checks.
final class StressBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private let start = ContinuousClock.now
    private var readersLeft: Int
    private var readersEnd: ContinuousClock.Instant?
    private var writing = 0
    private var sampled = 0
    private var checksReleased = false
    private var readers: [Int: ReaderReport] = [:]
    private var writers: [Int: StressReport.Writer] = [:]

    init(readers: Int) { readersLeft = readers }

    var readersDone: Bool { condition.withLock { readersLeft == 0 } }
    var isWriting: Bool { condition.withLock { writing > 0 } }
    /// From the board's creation until the last reader finished its fast queries.
    var readersSeconds: Double { condition.withLock { ((readersEnd ?? .now) - start).seconds } }
    var readerReports: [Int: ReaderReport] { condition.withLock { readers } }
    /// In the order the writers were started.
    var writerReports: [StressReport.Writer] { condition.withLock { writers.sorted { $0.key < $1.key }.map(\.value) } }

    /// Answers the readers kept for the raw checks, once they are done.
    var samples: Int { condition.withLock { sampled } }

    /// True for the last reader.
    func readerFinished(samples: Int) -> Bool {
        condition.withLock {
            sampled += samples
            readersLeft -= 1
            if readersLeft == 0 {
                readersEnd = .now
                condition.broadcast()
            }
            return readersLeft == 0
        }
    }

    func writerStarts() { condition.withLock { writing += 1 } }
    func writerEnds() { condition.withLock { writing -= 1 } }

    func releaseChecks() {
        condition.withLock {
            checksReleased = true
            condition.broadcast()
        }
    }

    func waitForReaders() {
        condition.withLock { while readersLeft > 0 { condition.wait() } }
    }

    func waitForChecks() {
        condition.withLock { while !checksReleased { condition.wait() } }
    }

    func record(reader index: Int, _ report: ReaderReport) { condition.withLock { readers[index] = report } }
    func record(writer index: Int, _ report: StressReport.Writer) { condition.withLock { writers[index] = report } }
}

/// Hands a connection opened on one thread to the one thread that uses it from then on.
final class Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
