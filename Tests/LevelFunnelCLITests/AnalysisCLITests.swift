import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// `query --compare-with`, `--compare-previous`, `--compare-previous-version`, `--by day`, `--breakdown`, `--spikes`:
/// every number equals a separate `store.funnel` of the same selection.
@Suite struct AnalysisCLITests {
    static let range = try! DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-10")!)

    static func aggregated(_ label: String) throws -> (TestDatabase, LevelFunnelStore) {
        let database = try CLITests.loadedDatabase(label)
        let store = try LevelFunnelStore(url: database.url)
        _ = try store.backfill(game: "g", range: range)
        return (database, store)
    }

    static func json(_ run: CLITests.Run) throws -> [String: Any] {
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// The same output with every number as written, to compare exactly.
    static func exact(_ run: CLITests.Run) throws -> ExactJSON { try #require(ExactJSON(run.stdout), "not JSON: \(run.stdout.prefix(200))") }

    /// A JSON number written exactly as `text` (`MetricField.text`: counts and sums exact), or null for nil.
    static func same(_ json: ExactJSON?, _ text: String?) -> Bool { text == nil ? json == .null : json?.numberText == text }

    @Test func compareWithOtherValueInEveryFormat() throws {
        let (database, store) = try Self.aggregated("clicompare")
        let args = ["query", "--game", "g", "--platform", "iOS", "--compare-with", "platform=Android", "--database-url", database.url]
        let run = try CLITests.levelfunnel(args + ["--format", "json"])
        let object = try Self.json(run), exact = try Self.exact(run)
        #expect((object["baseline"] as? [String: Any])?["label"] as? String == "platform=Android")
        #expect(((object["variant"] as? [String: Any])?["filters"] as? [String: Any])?["platform"] as? String == "iOS")
        #expect((object["denominators"] as? [String: String])?["winRate"] == "attempts")
        let base = try store.funnel(FunnelQuery(game: "g", range: Self.range, filters: FunnelFilters(platform: "Android"))).levels
        let variant = try store.funnel(FunnelQuery(game: "g", range: Self.range, filters: FunnelFilters(platform: "iOS"))).levels
        let levels = try #require(object["levels"] as? [[String: Any]])
        #expect(levels.count == Set(base.map(\.levelId)).union(variant.map(\.levelId)).count && !levels.isEmpty)
        for (level, exactLevel) in zip(levels, try #require(exact["levels"]?.array)) {
            let id = try #require(level["levelId"] as? Int)
            let fields = try #require(level["fields"] as? [String: [String: Any]])
            #expect(Set(fields.keys) == Set(MetricFields.names))
            for field in MetricFields.all {
                let b = base.first { $0.levelId == id }.flatMap(field.text), v = variant.first { $0.levelId == id }.flatMap(field.text)
                #expect(Self.same(exactLevel["fields"]?[field.name]?["baseline"], b), "level \(id) \(field) baseline")
                #expect(Self.same(exactLevel["fields"]?[field.name]?["variant"], v), "level \(id) \(field) variant")
            }
            let win = try #require(fields["winRate"])
            #expect(win["denominator"] as? String == "attempts")
            #expect(win.keys.contains("pValue") && win.keys.contains("significant"))
            #expect(level["baselineEntrants"] as? Int == base.first { $0.levelId == id }?.counts.startedPlayers ?? 0)
        }
        let csv = try CLITests.levelfunnel(args + ["--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines[0].hasPrefix("# baseline: 2026-02-01..2026-02-10 platform=Android"))
        #expect(lines[2] == "levelId,field,baseline,variant,difference,denominator,baselineTrials,variantTrials,z,pValue,significant")
        #expect(lines.count == 3 + levels.count * MetricFields.names.count)
        let table = try CLITests.levelfunnel(args + ["--metrics", "winRate,starts"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("baseline (A): platform=Android"))
        #expect(table.stdout.contains("Win % is per attempts (completes + fails)."))
        #expect(table.stdout.contains("Starts") && !table.stdout.contains("Funnel %"))
    }

    @Test func comparePreviousRangeAndVersion() throws {
        let (database, store) = try Self.aggregated("cliprevious")
        let previous = try CLITests.levelfunnel(["query", "--game", "g", "--from", "2026-02-06", "--to", "2026-02-10",
                                                 "--compare-previous", "--format", "json", "--database-url", database.url])
        let object = try Self.json(previous)
        let baseline = try #require(object["baseline"] as? [String: Any])
        #expect(baseline["from"] as? String == "2026-02-01" && baseline["to"] as? String == "2026-02-05")
        let earlier = try store.funnel(FunnelQuery(game: "g", range: DayRange(from: Day(iso: "2026-02-01")!, to: Day(iso: "2026-02-05")!)))
        let first = try #require(try Self.exact(previous)["levels"]?.array?.first?["fields"])
        #expect(first["startedPlayers"]?["baseline"]?.int == earlier.levels[0].counts.startedPlayers)

        let version = try Self.json(try CLITests.levelfunnel(["query", "--game", "g", "--funnel", "live_v1", "--compare-previous-version",
                                                              "--format", "json", "--database-url", database.url]))
        #expect(((version["baseline"] as? [String: Any])?["filters"] as? [String: Any])?["funnelVersion"] as? Int == 1)
        #expect(((version["variant"] as? [String: Any])?["filters"] as? [String: Any])?["funnelVersion"] as? Int == 2)

        let noFunnel = try CLITests.levelfunnel(["query", "--game", "g", "--compare-previous-version", "--database-url", database.url])
        #expect(noFunnel.status == 1 && noFunnel.stderr.contains("choose a funnel first"))
        let twoModes = try CLITests.levelfunnel(["query", "--game", "g", "--compare-previous", "--spikes", "--database-url", database.url])
        #expect(twoModes.status != 0 && twoModes.stderr.contains("choose one of"))
        let badDimension = try CLITests.levelfunnel(["query", "--game", "g", "--compare-with", "os=iOS", "--database-url", database.url])
        #expect(badDimension.status != 0 && badDimension.stderr.contains("unknown dimension 'os'"))
    }

    @Test func byDayInEveryFormat() throws {
        let (database, store) = try Self.aggregated("clibyday")
        let args = ["query", "--game", "g", "--from", "2026-02-03", "--to", "2026-02-06", "--country", "US", "--by", "day",
                    "--database-url", database.url]
        let run = try CLITests.levelfunnel(args + ["--format", "json"])
        let object = try Self.json(run), exactDays = try #require(try Self.exact(run)["days"]?.array)
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.map { $0["day"] as? String } == ["2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"])
        var rows = 0
        for (day, exactDay) in zip(days, exactDays) {
            let d = Day(iso: day["day"] as! String)!
            let expected = try store.funnel(FunnelQuery(game: "g", range: .single(d), filters: FunnelFilters(country: "US"))).levels
            let levels = try #require(exactDay["levels"]?.array)
            #expect(levels.count == expected.count)
            rows += levels.count
            for (json, level) in zip(levels, expected) {
                for field in MetricFields.all { #expect(Self.same(json[field.name], field.text(level)), "\(d) \(field)") }
            }
        }
        let csv = try CLITests.levelfunnel(args + ["--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines[0] == Substring((["day", "levelId"] + MetricFields.names).joined(separator: ",")))
        #expect(lines.count == 1 + rows)
        let one = try CLITests.levelfunnel(args + ["--format", "csv", "--level", "2"])
        #expect(one.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.split(separator: ",")[1] == "2" })
        let table = try CLITests.levelfunnel(args + ["--level", "2"])
        #expect(table.status == 0 && table.stdout.contains("by day") && table.stdout.contains("2026-02-05"))
        let misuse = try CLITests.levelfunnel(["query", "--game", "g", "--level", "2", "--database-url", database.url])
        #expect(misuse.status != 0 && misuse.stderr.contains("--level goes with --by day"))
    }

    @Test func breakdownAndSpikes() throws {
        let (database, store) = try Self.aggregated("clibreakdown")
        let run = try CLITests.levelfunnel(["query", "--game", "g", "--breakdown", "platform", "--top", "2",
                                            "--format", "json", "--database-url", database.url])
        let groups = try #require(try Self.exact(run)["groups"]?.array)
        #expect(groups.first?["kind"]?.string == "total")
        #expect(groups.filter { $0["kind"]?.string == "value" }.count == 2)
        for group in groups where group["kind"]?.string == "value" {
            let value = try #require(group["value"]?.string)
            let expected = try store.funnel(FunnelQuery(game: "g", range: Self.range, filters: FunnelFilters(platform: value))).levels
            let levels = try #require(group["levels"]?.array)
            #expect(levels.count == expected.count)
            for (json, level) in zip(levels, expected) {
                for field in MetricFields.all { #expect(Self.same(json[field.name], field.text(level)), "\(value) \(field)") }
            }
        }
        let csv = try CLITests.levelfunnel(["query", "--game", "g", "--breakdown", "app-version", "--format", "csv",
                                            "--database-url", database.url])
        #expect(csv.status == 0 && csv.stdout.contains("\nAll,1,") && csv.stdout.contains("group,levelId,starts"))
        let table = try CLITests.levelfunnel(["query", "--game", "g", "--breakdown", "country", "--top", "1", "--database-url", database.url])
        #expect(table.status == 0 && table.stdout.contains("Other"))
        let bad = try CLITests.levelfunnel(["query", "--game", "g", "--breakdown", "os", "--database-url", database.url])
        #expect(bad.status != 0 && bad.stderr.contains("--breakdown 'os'"))

        let spikes = try Self.json(try CLITests.levelfunnel(["query", "--game", "g", "--spikes", "--format", "json", "--database-url", database.url]))
        let ranked = try #require(spikes["levels"] as? [[String: Any]])
        let expected = SpikeRanking.rank(try store.funnel(FunnelQuery(game: "g", range: Self.range)).levels)
        #expect(ranked.map { $0["levelId"] as? Int } == expected.map(\.levelId))
        let spikeCSV = try CLITests.levelfunnel(["query", "--game", "g", "--spikes", "--format", "csv", "--database-url", database.url])
        #expect(spikeCSV.stdout.hasPrefix("rank,levelId,score,failRate,failRateMedian,failRateExcess"))
    }
}

extension AnalysisCLITests {
    /// `query --view NAME` runs a view saved in `$XDG_CONFIG_HOME/levelfunnel/views.toml`.
    @Test func savedViewFromTheCommandLine() throws {
        let (database, store) = try Self.aggregated("cliview")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("lf-config-\(UUID().uuidString)").path
        let path = SavedViews.defaultPath(environment: ["XDG_CONFIG_HOME": config])
        try SavedViews.save(SavedView(game: "g", range: .lastDays(5), filters: FunnelFilters(platform: "iOS"), sort: ("starts", true)),
                            name: "ios-week", path: path)
        try SavedViews.save(SavedView(game: "g", filters: FunnelFilters(platform: "iOS"), compare: .otherValue(.platform, "Android")),
                            name: "ios-android", path: path)
        let env = ["XDG_CONFIG_HOME": config]
        let csv = try CLITests.levelfunnel(["query", "--view", "ios-week", "--format", "csv", "--database-url", database.url], environment: env)
        #expect(csv.status == 0, "\(csv.stderr)")
        let expected = try store.funnel(FunnelQuery(game: "g", range: DayRange(from: Day(iso: "2026-02-06")!, to: Day(iso: "2026-02-10")!),
                                                    filters: FunnelFilters(platform: "iOS"))).levels
        let sorted = expected.enumerated().sorted { $0.element.counts.starts != $1.element.counts.starts
            ? $0.element.counts.starts > $1.element.counts.starts : $0.offset < $1.offset }.map(\.element)
        #expect(csv.stdout == FunnelFormatter.csv(sorted))
        // Options replace the view's parts.
        let json = try Self.json(try CLITests.levelfunnel(["query", "--view", "ios-week", "--platform", "Android", "--format", "json",
                                                          "--database-url", database.url], environment: env))
        #expect((json["filters"] as? [String: Any])?["platform"] as? String == "Android")
        #expect(json["from"] as? String == "2026-02-06")
        // A saved compare.
        let compare = try Self.json(try CLITests.levelfunnel(["query", "--view", "ios-android", "--format", "json", "--database-url", database.url],
                                                             environment: env))
        #expect((compare["baseline"] as? [String: Any])?["label"] as? String == "platform=Android")
        let missing = try CLITests.levelfunnel(["query", "--view", "nope", "--database-url", database.url], environment: env)
        #expect(missing.status == 1 && missing.stderr.contains("no saved view 'nope'") && missing.stderr.contains("ios-android, ios-week"))
    }
}

extension AnalysisCLITests {
    @Test func generateRefusesAHardLevelOutsideTheGame() throws {
        let database = try TestDatabase.fresh("clihard")
        _ = try CLITests.levelfunnel(["migrate", "--database-url", database.url])
        let run = try CLITests.levelfunnel(["generate", "--game", "h", "--levels", "20", "--hard-levels", "5", "30",
                                            "--database-url", database.url])
        #expect(run.status == 1 && run.stderr.contains("--hard-levels: level 30 is not between 1 and 20"), "\(run.stderr)")
    }
}

extension AnalysisCLITests {
    /// Issue 17, point 4: compare, by day and breakdown say which days each part lacks, in JSON and on stderr, and
    /// name the source that answered.
    @Test func composedAnswersSayTheirCoverageAndSource() throws {
        let database = try CLITests.loadedDatabase("clicomposedcoverage")
        let store = try LevelFunnelStore(url: database.url)
        _ = try store.aggregate(game: "g", day: Day(iso: "2026-02-03")!)
        let range = ["--from", "2026-02-01", "--to", "2026-02-06", "--source", "aggregates", "--database-url", database.url]
        let breakdown = try CLITests.levelfunnel(["query", "--game", "g", "--breakdown", "platform", "--format", "json"] + range)
        #expect(breakdown.status == 0, "\(breakdown.stderr)")
        #expect(breakdown.stderr.contains("incomplete answer: all: 1 day aggregated + 5 missing of 6 days"), "\(breakdown.stderr)")
        let groups = try #require(try Self.exact(breakdown)["groups"]?.array)
        for group in groups where group["kind"]?.string != "other" {
            #expect(group["coverage"]?["missing"]?.int == 5 && group["coverage"]?["aggregated"]?.int == 1)
        }
        let compare = try CLITests.levelfunnel(["query", "--game", "g", "--platform", "iOS", "--compare-with", "platform=Android",
                                                "--format", "json"] + range)
        #expect(compare.stderr.contains("incomplete answer: baseline (platform=Android): 1 day aggregated + 5 missing of 6 days"))
        #expect(compare.stderr.contains("incomplete answer: variant (platform=iOS): 1 day aggregated + 5 missing of 6 days"))
        let exactCompare = try Self.exact(compare)
        #expect(exactCompare["baseline"]?["coverage"]?["missing"]?.int == 5 && exactCompare["variant"]?["source"]?.string == "aggregates")
        let byDay = try CLITests.levelfunnel(["query", "--game", "g", "--by", "day", "--format", "json"] + range)
        let days = try #require(try Self.exact(byDay)["days"]?.array)
        #expect(days.map { $0["coverage"]?["missing"]?.int } == [1, 1, 0, 1, 1, 1])
        #expect(byDay.stderr.components(separatedBy: "incomplete answer: 2026-02-0").count == 6)
        let table = try CLITests.levelfunnel(["query", "--game", "g", "--platform", "iOS", "--compare-with", "platform=Android"] + range)
        #expect(table.stdout.contains("(1 day aggregated + 5 missing)"), "\(table.stdout)")

        // A reader's fast answers come from the aggregates, and say so.
        let admin = try database.connect()
        let reader = try TestLogin("lfreader", on: database, admin: admin)
        defer { reader.drop() }
        let roles = try store.accessRoles(reader: "lfr_\(database.schema)", writer: "lfw_\(database.schema)")
        try store.createRoles(roles, readers: [reader.name])
        defer { for role in [roles.reader, roles.writer] { _ = try? admin.execute("DROP OWNED BY \"\(role)\""); _ = try? admin.execute("DROP ROLE \"\(role)\"") } }
        _ = try store.backfill(game: "g", range: Self.range)
        for mode in [["--breakdown", "platform"], ["--by", "day"], ["--compare-previous"]] {
            let run = try CLITests.levelfunnel(["query", "--game", "g", "--format", "json", "--database-url", reader.url] + mode)
            #expect(run.status == 0, "\(mode) \(run.stderr)")
            #expect(try Self.exact(run)["source"]?.string == "aggregates", "\(mode)")
            #expect(run.stderr.contains("answered from the aggregates only"), "\(mode)")
        }
    }

    /// Issue 17, point 5: whole numbers are written from their value, never from the text typed (`+01`).
    @Test func integerFiltersAreWrittenAsNumbers() throws {
        let (database, _) = try Self.aggregated("cliplusone")
        let run = try CLITests.levelfunnel(["query", "--game", "g", "--funnel", "live_v1", "--funnel-version", "2",
                                            "--compare-with", "funnel-version=+01", "--format", "json", "--database-url", database.url])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("+01"))
        let exact = try Self.exact(run)
        #expect(exact["baseline"]?["filters"]?["funnelVersion"]?.numberText == "1")
        #expect(exact["variant"]?["filters"]?["funnelVersion"]?.numberText == "2")
        #expect(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) is [String: Any])

        let config = FileManager.default.temporaryDirectory.appendingPathComponent("lf-config-\(UUID().uuidString)").path
        let path = SavedViews.defaultPath(environment: ["XDG_CONFIG_HOME": config])
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "[views.\"plus\"]\ngame = \"g\"\nfunnel = \"live_v1\"\nfunnelVersion = \"+02\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let view = try CLITests.levelfunnel(["query", "--view", "plus", "--format", "json", "--database-url", database.url],
                                            environment: ["XDG_CONFIG_HOME": config])
        #expect(view.status == 0, "\(view.stderr)")
        #expect(try Self.exact(view)["filters"]?["funnelVersion"]?.numberText == "2", "\(view.stdout.prefix(200))")
    }
}
