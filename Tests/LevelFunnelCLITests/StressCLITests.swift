import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// `levelfunnel stress` on a tiny game: the load run's code path, as `make stress` runs it at 10x.
@Suite struct StressCLITests {
    /// Two readers while a backfill and a refresh rewrite the game (never aggregated before, so the first answers
    /// come from the live tail): no error, every sampled answer equal to the raw one, and the JSON's figures.
    @Test func readersAndWritersAtOnceReportNoErrorAndExactSamples() throws {
        let database = try TestDatabase.fresh("clistress")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        // A game of its own: the aggregation lock is per game across schemas, and other tests use "g".
        try store.db.copy(RandomEvents.make(seed: 29, count: 1500, game: "stressg"))
        // The game is not one bench generated (scale<N>): stress is told it may rewrite it.
        let run = try CLITests.levelfunnel(["stress", "--game", "stressg", "--readers", "2", "--queries", "20", "--sample", "3",
                                            "--allow-foreign-games", "--seed", "5", "--format", "json", "--database-url", database.url])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.isEmpty, "json prints no progress: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["game", "from", "to", "readers", "queriesPerReader", "seed", "queries", "errors",
                                     "errorMessages", "seconds", "queriesPerSecond", "latencyMs", "writers", "sample", "ok"])
        #expect(object["game"] as? String == "stressg")
        #expect(object["from"] as? String == "2026-02-01" && object["to"] as? String == "2026-02-10")
        #expect(object["readers"] as? Int == 2 && object["queriesPerReader"] as? Int == 20 && object["seed"] as? Int == 5)
        #expect(object["queries"] as? Int == 40)
        #expect(object["errors"] as? Int == 0, "\(object["errorMessages"] ?? "")")
        #expect(object["ok"] as? Bool == true)
        #expect((object["queriesPerSecond"] as? NSNumber)?.doubleValue ?? 0 > 0)

        let latency = try #require(object["latencyMs"] as? [String: Double])
        #expect(Set(latency.keys) == ["p50", "p95", "p99", "max", "mean"])
        let (p50, p95, p99, max) = (latency["p50"]!, latency["p95"]!, latency["p99"]!, latency["max"]!)
        #expect(0 < p50 && p50 <= p95 && p95 <= p99 && p99 <= max)

        // Three answers per reader, each re-run on the raw path; none differs.
        let sample = try #require(object["sample"] as? [String: Any])
        #expect(sample["compared"] as? Int == 6)
        #expect(sample["differed"] as? Int == 0)
        #expect((sample["differences"] as? [Any])?.isEmpty == true)
        #expect((sample["takenDuringWrites"] as? Int).map { (0...6).contains($0) } == true)

        // Both writers ran to the end at least once, without error; the backfill re-aggregated the whole history.
        let writers = try #require(object["writers"] as? [[String: Any]])
        #expect(Set(writers.compactMap { $0["task"] as? String }) == ["backfill", "refresh"])
        for writer in writers {
            #expect(writer["game"] as? String == "stressg")
            #expect((writer["runs"] as? Int ?? 0) >= 1, "\(writer)")
            #expect((writer["errors"] as? [Any])?.isEmpty == true, "\(writer)")
        }
        let backfill = try #require(writers.first { $0["task"] as? String == "backfill" })
        #expect((backfill["days"] as? Int ?? 0) >= 10)

        // The writers left complete aggregates behind: fast equals raw with the live tail empty.
        let verify = try CLITests.levelfunnel(["verify", "--game", "stressg", "--sweep", "--database-url", database.url])
        #expect(verify.status == 0, "\(verify.stdout)")
        let status = try store.aggregationStatus().first { $0.game == "stressg" }
        #expect(status?.aggregatedDays == 10 && status?.liveDays == 0)
    }

    /// The text report names every figure, readers run alone with --no-writers, and a game without events is a
    /// one-line error.
    @Test func textReportAndUnknownGame() throws {
        let database = try TestDatabase.fresh("clistresstext")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.copy(RandomEvents.make(seed: 31, count: 600, game: "stresst", days: 4))
        let run = try CLITests.levelfunnel(["stress", "--game", "stresst", "--readers", "1", "--queries", "5", "--sample", "1",
                                            "--allow-foreign-games", "--database-url", database.url])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "stress stresst 2026-02-01..2026-02-04: 1 reader x 5 fast queries (seed 1)")
        #expect(lines.contains { $0.hasPrefix("queries     5 in ") && $0.hasSuffix(" 0 errors") })
        #expect(lines.contains { $0.hasPrefix("latency ms  p50 ") && $0.contains(" p95 ") && $0.contains(" p99 ") && $0.contains(" max ") })
        #expect(lines.contains { $0.hasPrefix("writers     backfill stresst: ") })
        #expect(lines.contains { $0.contains("refresh stresst: ") })
        #expect(lines.contains { $0.hasPrefix("sample      1 answer ") && $0.contains(": 0 differed") })
        #expect(lines.last?.hasPrefix("result      ok") == true)
        #expect(run.stderr.contains("stress: readers done"))

        // Readers alone: no writer line but "none", the same checks.
        let alone = try CLITests.levelfunnel(["stress", "--game", "stresst", "--readers", "2", "--queries", "4", "--sample", "2",
                                              "--no-writers", "--database-url", database.url])
        #expect(alone.status == 0, "\(alone.stdout)\n\(alone.stderr)")
        #expect(alone.stdout.contains("\nwriters     none\n"))
        #expect(alone.stdout.contains("sample      4 answers (0 taken during writes) re-run on the raw path: 0 differed"))

        let unknown = try CLITests.levelfunnel(["stress", "--game", "nope", "--database-url", database.url])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("levelfunnel: error: unknown game 'nope'"))
    }
}
