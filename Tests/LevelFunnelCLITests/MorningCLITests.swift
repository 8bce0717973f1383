import Foundation
import LevelFunnelCore
import Testing
import TestSupport

/// `levelfunnel bench --morning` at a tiny scale (1x, 3 days, one run): the code path `make morning` runs at 1x and
/// 10x, and `make scale` at 100x.
@Suite struct MorningCLITests {
    static func arguments(_ database: TestDatabase, format: String, _ more: [String] = []) -> [String] {
        ["bench", "--morning", "1", "--days", "3", "--runs", "1", "--capture-events", "2000", "--format", format,
         "--database-url", database.url] + more
    }

    /// The JSON report: the three states, each with every raw answer equal to the fast one of its run; the night
    /// aggregated up to yesterday, the refresh bringing all four days in; the capture measured with the triggers on
    /// events (levelfunnel's, and one of the test's own that counts the rows each statement inserts): the COPYs it
    /// times are rolled back, so that trigger saw the bench's own three loads (history, today, late events) and
    /// nothing else, and every trigger is enabled again. A second run is refused: the game had its morning.
    @Test func theMorningIsMeasuredInItsThreeStatesAndTheFastAnswersEqualRaw() throws {
        let database = try TestDatabase.fresh("climorning")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.execute("CREATE TABLE copied (rows bigint NOT NULL)")
        try store.db.execute("""
            CREATE FUNCTION count_copied() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO copied SELECT count(*) FROM new_rows; RETURN NULL; END $$
            """)
        try store.db.execute("""
            CREATE TRIGGER capture_test AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
               FOR EACH STATEMENT EXECUTE FUNCTION count_copied()
            """)
        let run = try CLITests.levelfunnel(Self.arguments(database, format: "json"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "json prints no progress: \(run.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(results.count == 1)
        let result = try #require(results.first)
        #expect(Set(result.keys) == ["scale", "game", "players", "from", "to", "levelEvents", "generateEventsPerSecond",
                                     "backfillSeconds", "todayLevelEvents", "todayUntil", "todayShareOfDay", "lateLevelEvents",
                                     "selections", "fastRuns", "rawRuns", "night", "morning", "afterRefresh", "refreshSeconds",
                                     "refreshDays", "refreshApplied", "minuteLevelEvents", "minute", "applyMinuteSeconds",
                                     "freshProcess", "capture", "exact"])
        let today = Day.today
        #expect(result["scale"] as? Int == 1 && result["game"] as? String == "morning1" && result["players"] as? Int == 5_000)
        #expect(result["from"] as? String == today.adding(days: -3).iso && result["to"] as? String == today.adding(days: -1).iso)
        #expect((result["levelEvents"] as? Int ?? 0) > 1_000)
        #expect((result["todayLevelEvents"] as? Int).map { $0 >= 0 } == true)
        #expect((result["todayUntil"] as? String)?.count == 5)
        #expect((result["lateLevelEvents"] as? Int ?? 0) > 0)
        #expect(result["selections"] as? Int == 6 && result["fastRuns"] as? Int == 1 && result["rawRuns"] as? Int == 1)
        #expect((result["refreshSeconds"] as? Double ?? 0) > 0 && (result["refreshDays"] as? Int ?? 0) >= 1)
        #expect(result["exact"] as? Bool == true)
        // New `levelfunnel query` processes, the bench's own executable, over the aggregated days up to yesterday.
        let fresh = try #require(result["freshProcess"] as? [String: Any])
        #expect(fresh["range"] as? String == "\(today.adding(days: -3))..\(today.adding(days: -1))" && fresh["runs"] as? Int == 11)
        let (queryMs, wallMs) = (fresh["queryP50Ms"] as? Double ?? 0, fresh["wallP50Ms"] as? Double ?? 0)
        #expect(0 < (fresh["queryMinMs"] as? Double ?? 0) && 0 < queryMs && queryMs < wallMs, "\(fresh)")

        var coverage: [String: String] = [:]
        for name in ["night", "morning", "afterRefresh", "minute"] {
            let state = try #require(result[name] as? [String: Any], "\(name)")
            #expect(Set(state.keys) == ["fastP50Ms", "fastP95Ms", "fastMaxMs", "rawMinMs", "rawMaxMs", "compared", "differed",
                                        "coverage", "aggregatedDays", "liveDays"])
            // Every selection's raw answer compared with its fast one: none differs.
            #expect(state["compared"] as? Int == 6 && state["differed"] as? Int == 0, "\(name): \(state)")
            let (p50, p95, max) = (state["fastP50Ms"] as? Double ?? 0, state["fastP95Ms"] as? Double ?? 0, state["fastMaxMs"] as? Double ?? 0)
            #expect(0 < p50 && p50 <= p95 && p95 <= max, "\(name)")
            #expect((state["rawMinMs"] as? Double ?? 0) > 0 && (state["rawMinMs"] as? Double ?? 0) <= (state["rawMaxMs"] as? Double ?? 0))
            #expect((state["aggregatedDays"] as? Int ?? 0) + (state["liveDays"] as? Int ?? 0) == 4, "\(name): \(state)")
            coverage[name] = state["coverage"] as? String
        }
        // The night: the history aggregated, today (never aggregated) live; after the refresh, every day aggregated.
        #expect(coverage["night"] == "3 days aggregated + 1 live, today is partial")
        #expect(coverage["afterRefresh"] == "4 days aggregated, today is partial")
        // A minute later, its events pending: answered from the aggregates plus the changes, no day live.
        #expect(coverage["minute"] == "4 days aggregated, today is partial")
        let applied = try #require(result["refreshApplied"] as? [String: Any])
        #expect((applied["changes"] as? Int ?? 0) > 0 && (applied["days"] as? Int ?? 0) > 0, "the late events, as deltas: \(applied)")
        #expect((result["minuteLevelEvents"] as? Int ?? 0) >= 2 && (result["applyMinuteSeconds"] as? Double ?? 0) > 0)

        let triggers = try store.db.query("""
            SELECT tgname::text, tgenabled::text FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal ORDER BY 1
            """).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
        #expect(triggers.contains { $0.0 == "capture_test" } && triggers.allSatisfy { $0.1 == "O" }, "\(triggers)")
        let capture = try #require(result["capture"] as? [String: Any])
        #expect(capture["triggers"] as? [String] == triggers.map(\.0))
        #expect(capture["events"] as? Int == 2_000)
        // The numbers as written (Foundation's parser rounds their last bits on Linux), read by Swift's exact parser.
        let exactCapture = try #require(ExactJSON(run.stdout)?.array?.first?["capture"])
        let number = { (key: String) in exactCapture[key]?.numberText.flatMap(Double.init) ?? 0 }
        let (without, with) = (number("withoutTriggersSeconds"), number("withTriggersSeconds"))
        #expect(without > 0 && with > 0)
        #expect(number("overheadPercent") == 100 * (with / without - 1))
        let copied = try store.db.query("SELECT count(*), sum(rows)::bigint FROM copied").one()
        // The history, today's and the late events (COPY), then the minute's two inserts.
        #expect(try copied.decode(Int.self, at: 0) == 5)
        #expect(try copied.decode(Int.self, at: 1) == store.db.query("SELECT count(*) FROM events").one().decode(Int.self, at: 0))

        let again = try CLITests.levelfunnel(Self.arguments(database, format: "json"))
        #expect(again.status == 1)
        #expect(again.stderr == "levelfunnel: error: game 'morning1' is here already, with the morning an earlier run added: "
                + "bench --morning needs a database without it (make morning recreates its own)\n")
        let badTime = try CLITests.levelfunnel(Self.arguments(database, format: "json", ["--today-until", "8am"]))
        #expect(badTime.status == 64 && badTime.stderr.contains("--today-until takes a time of day as HH:MM (UTC), e.g. 08:00"),
                "\(badTime.stderr)")
    }

    /// The table; on a database whose `events` has no user trigger (levelfunnel's change capture dropped), the
    /// capture is not measured and the table says so. `--today-until 00:00`: no event of today, whatever the time.
    @Test func theTableSaysWhenNoCaptureTriggerIsInstalled() throws {
        let database = try TestDatabase.fresh("climorningtable")
        let store = try LevelFunnelStore(url: database.url)
        try store.migrate()
        try store.db.execute("""
            DO $$ DECLARE t text; BEGIN
              FOR t IN SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal LOOP
                EXECUTE format('DROP TRIGGER %I ON events', t);
              END LOOP;
            END $$
            """)
        let run = try CLITests.levelfunnel(Self.arguments(database, format: "table", ["--today-until", "00:00"]))
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("database ") == true)
        #expect(lines.contains { $0.hasPrefix("1x  morning1: 5,000 players, ") && $0.contains(" level events (generated at ") })
        #expect(lines.contains { $0.hasPrefix("    morning: + 0 level events of today until 00:00 UTC (0% of a day) + ")
                    && $0.hasSuffix(" late ones (0.5% of each of the last 7 days, received now)") }, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("    state ") && $0.contains("fast p50 / p95 / worst ms") && $0.hasSuffix("coverage (30 days)") })
        // Without capture the morning's late events are not seen as changes: only the night is sure to be exact.
        #expect(lines.contains { $0.hasPrefix("    night ") && $0.contains(" yes (6) ") }, "\(run.stdout)")
        for state in ["morning", "after refresh"] {
            #expect(lines.contains { $0.hasPrefix("    \(state) ") && $0.hasSuffix(", today is partial") }, "\(state): \(run.stdout)")
        }
        #expect(lines.contains { $0.hasPrefix("    refresh (applies the morning's changes): ") && $0.contains(" days re-aggregated") })
        #expect(lines.contains { $0.hasPrefix("    a new `levelfunnel query` process (") && $0.contains("; 11 runs): queryMs p50 ") })
        #expect(lines.last == "    change capture: no capture trigger installed")
        #expect(run.stderr.contains("bench: 1x: change capture"))
    }
}
