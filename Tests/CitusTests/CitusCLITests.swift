import Foundation
import LevelFunnelCore
import PostgresClient
import Testing
import TestSupport

/// Every command, run as a user would on the coordinator, with two games on two workers: each works, and each
/// answer equals the one of a single node holding the same events (timings and aggregation times aside).
@Suite(.enabled(if: CitusCluster.enabled, Comment(rawValue: CitusCluster.installHint)))
struct CitusCLITests {
    /// Runs the `levelfunnel` binary built next to this test bundle.
    static func levelfunnel(_ arguments: [String]) throws -> Subprocess {
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        return try Subprocess.run(directory.appendingPathComponent("levelfunnel"), arguments, environment: environment)
    }

    /// A JSON answer without what differs between two runs of the same answer: times (`…Ms`, `freshness`).
    static func comparable(_ json: String) throws -> NSObject {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !$0.key.hasSuffix("Ms") && $0.key != "freshness" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return strip(try JSONSerialization.jsonObject(with: Data(json.utf8))) as! NSObject
    }

    @Test func everyCommandWorksOnTheCoordinatorAndAnswersAsOneNode() throws {
        let (cluster, store, _) = try CitusMigrateTests.migrated("cituscli")
        let (g1, g2) = try CitusCluster.gamesOnDifferentWorkers(store.db)
        let single = try TestDatabase.fresh("singlecli")
        var outputs: [[String]] = []
        for url in [cluster.url, single.url] {
            func run(_ arguments: [String]) throws -> String {
                let result = try Self.levelfunnel(arguments + ["--database-url", url])
                #expect(result.status == 0, "\(arguments) on \(url == cluster.url ? "the cluster" : "one node"): \(result.stderr)")
                return result.stdout
            }
            var answers: [String] = []
            _ = try run(["migrate"])
            for (game, seed) in [(g1, "7"), (g2, "8")] {
                _ = try run(["generate", "--game", game, "--players", "150", "--days", "8", "--levels", "6", "--seed", seed,
                             "--start", "2026-01-01"])
                _ = try run(["backfill", "--game", game, "--from", "2026-01-01", "--to", "2026-01-08"])
            }
            _ = try run(["aggregate", "--game", g1, "--date", "2026-01-03"])
            _ = try run(["refresh"])
            answers.append(try run(["games"]))
            for game in [g1, g2] {
                let range = ["--game", game, "--from", "2026-01-01", "--to", "2026-01-08", "--format", "json"]
                for extra in [[], ["--source", "raw"], ["--source", "aggregates"], ["--by", "day"], ["--platform", "iOS"],
                              ["--breakdown", "platform"], ["--spikes"], ["--compare-with", "platform=iOS"]] {
                    answers.append(try run(["query"] + range + extra))
                }
                #expect(try run(["verify", "--game", game]).contains("0 failed"))
            }
            outputs.append(answers)
        }
        #expect(outputs[0][0] == outputs[1][0], "games:\n\(outputs[0][0])\n\(outputs[1][0])")
        for (onCluster, onOneNode) in zip(outputs[0].dropFirst(), outputs[1].dropFirst()) {
            #expect(try Self.comparable(onCluster) == Self.comparable(onOneNode), "\(onCluster.prefix(300))\n\(onOneNode.prefix(300))")
        }
    }
}
