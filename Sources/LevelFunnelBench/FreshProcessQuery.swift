import Foundation
import LevelFunnelCore

/// `levelfunnel query` run as a new process, as a user or a script runs it: a new connection, a new backend with
/// cold catalog caches, a Swift runtime starting up. What it prints as `queryMs` (the answer alone) and how long
/// the whole process took.
public struct FreshProcessQuery: Sendable {
    /// The `levelfunnel` executable (the bench's own).
    public var executable: String
    /// Passed as `--database-url`; nil: the child reads `DATABASE_URL` and libpq's variables, as the bench did.
    public var databaseURL: String?

    public init(executable: String, databaseURL: String?) {
        self.executable = executable
        self.databaseURL = databaseURL
    }

    /// The figures of `runs` processes answering `query` (no filter) with `--format json`.
    public struct Figures: Codable, Sendable {
        public var range: String
        public var runs: Int
        public var queryP50Ms: Double
        public var queryMinMs: Double
        public var wallP50Ms: Double
    }

    public func measure(_ query: FunnelQuery, runs: Int) throws -> Figures {
        var queryMs: [Double] = [], wallMs: [Double] = []
        for _ in 0..<runs {
            let started = ContinuousClock.now
            let printed = try run(["query", "--game", query.game, "--from", query.range.from.iso, "--to", query.range.to.iso,
                                   "--format", "json"] + (databaseURL.map { ["--database-url", $0] } ?? []))
            wallMs.append((ContinuousClock.now - started).milliseconds)
            guard let object = try JSONSerialization.jsonObject(with: printed) as? [String: Any],
                  let ms = object["queryMs"] as? Double else {
                throw LevelFunnelError.invalidInput("levelfunnel query printed no queryMs")
            }
            queryMs.append(ms)
        }
        return Figures(range: "\(query.range.from)..\(query.range.to)", runs: runs,
                       queryP50Ms: BenchFigures.percentile(queryMs, 0.5), queryMinMs: queryMs.min() ?? 0,
                       wallP50Ms: BenchFigures.percentile(wallMs, 0.5))
    }

    /// Standard output of one process; throws with its standard error when it fails.
    private func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LevelFunnelError.invalidInput("levelfunnel query failed: " + String(decoding: complaint, as: UTF8.self))
        }
        return printed
    }
}
