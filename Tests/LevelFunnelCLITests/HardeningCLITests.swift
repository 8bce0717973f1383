import Foundation
@testable import LevelFunnelCore
import Testing
import TestSupport

/// The command line under hostile settings and signals.
@Suite struct HardeningCLITests {
    /// Every command gives the same answers with a client asking for German dates and another time zone
    /// (`PGDATESTYLE`, `PGTZ`) as without: no crash, no "unknown game".
    @Test func everyCommandWorksWithGermanDatesAndAnotherTimeZone() throws {
        let database = try CLITests.loadedDatabase("clidatestyle")
        let url = ["--database-url", database.url]
        let odd = ["PGDATESTYLE": "German, DMY", "PGTZ": "America/New_York"]
        func run(_ args: [String], _ env: [String: String]) throws -> CLITests.Run {
            let result = try CLITests.levelfunnel(args + url, environment: env)
            #expect(result.status == 0, "\(args) \(env): \(result.stderr)")
            #expect(!result.stderr.contains("crashed"))
            return result
        }
        #expect(try run(["migrate"], odd).stdout.contains("up to date"))
        #expect(try run(["backfill", "--game", "g", "--to", "2026-02-10"], odd).stdout.contains("backfilled g 2026-02-01..2026-02-10: 10 days"))
        _ = try run(["refresh", "--game", "g"], odd)
        _ = try run(["aggregate", "--game", "g", "--date", "2026-02-03"], odd)
        let games = try run(["games"], odd).stdout
        #expect(games == (try run(["games"], [:]).stdout))
        #expect(games.contains("g     2026-02-01  2026-02-10"))
        for source in ["fast", "raw"] {
            let query = ["query", "--game", "g", "--source", source, "--format", "csv"]
            #expect(try run(query, odd).stdout == run(query, [:]).stdout)
        }
        #expect(try run(["verify", "--game", "g"], odd).stdout.contains("1 passed, 0 failed"))
    }

    /// Ctrl-C while a backfill waits for another job's lock ends the wait: exit 130, at once.
    @Test func interruptEndsAWaitForTheLock() throws {
        let database = try CLITests.loadedDatabase("clisigint")
        let holder = try database.connect()
        try holder.execute("SELECT pg_advisory_lock($1::bigint)", [AdvisoryLockKey.aggregation(game: "g")])
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let process = Process()
        process.executableURL = directory.appendingPathComponent("levelfunnel")
        process.arguments = ["backfill", "--game", "g", "--plain", "--database-url", database.url]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = StderrCollector(err)
        let deadline = Date().addingTimeInterval(10)
        while !stderr.text.contains("waiting") && Date() < deadline { usleep(20_000) }
        #expect(stderr.text.contains("another backfill or refresh of g is running; waiting"))
        let sent = Date()
        process.interrupt()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 5)
        #expect(process.terminationStatus == 130, "\(stderr.text)")
        // The pipe's last chunk may reach the collector after the exit is seen.
        let flushed = Date().addingTimeInterval(2)
        while !stderr.text.contains("error: cancelled") && Date() < flushed { usleep(10_000) }
        #expect(stderr.text.contains("error: cancelled"))
    }

    /// Each dimension of `Dimension.allCases` goes through every layer: the CLI's filter options, the JSON
    /// `filters` object, the filter choices from the aggregates and from the events, and fast == raw for a
    /// filter on it alone.
    @Test func everyDimensionTravelsThroughEveryLayer() throws {
        let database = try CLITests.loadedDatabase("clidimensions")
        let store = try LevelFunnelStore(url: database.url)
        let fromEvents = try store.dimensions(game: "g")
        let history = try store.game("g").history
        _ = try store.backfill(game: "g", range: history)
        let fromAggregates = try store.dimensions(game: "g")
        #expect(fromAggregates == fromEvents)
        var cliOptions: [String] = []
        for dimension in Dimension.allCases {
            var filters = FunnelFilters()
            if let parent = dimension.parent { filters[parent] = fromAggregates.values[parent]?.first }
            let value = try #require(fromAggregates.options(dimension, filters: filters).first, "\(dimension) has values")
            filters[dimension] = value
            let report = try store.verify(FunnelQuery(game: "g", range: history, filters: filters))
            #expect(report.isExact, "\(dimension): \(report.differences.prefix(3))")
            #expect(!(try store.funnel(FunnelQuery(game: "g", range: history, filters: filters)).levels.isEmpty))
            let option = "--" + dimension.name.replacing(/[A-Z]/) { "-" + $0.output.lowercased() }
            cliOptions += [option, value]
        }
        let run = try CLITests.levelfunnel(["query", "--game", "g", "--source", "raw", "--format", "json",
                                            "--database-url", database.url] + cliOptions)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let filters = try #require(object["filters"] as? [String: Any])
        #expect(Set(filters.keys) == Set(Dimension.allCases.map(\.name)))
        for dimension in Dimension.allCases where dimension.isInteger { #expect(filters[dimension.name] is NSNumber) }
    }
}

/// Reads a pipe in the background so that the test can poll what arrived so far.
final class StderrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    init(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self, !chunk.isEmpty else { return }
            self.lock.withLock { self.data.append(chunk) }
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
