import Dashboard
import Foundation
import LevelFunnelCore
import Testing

/// The real `levelfunnel tui` in a real terminal (tmux) against a real database.
///
/// Needs `LEVELFUNNEL_TEST_DATABASE_URL` (set by `make test`), tmux, and a `levelfunnel` binary with the
/// `tui` command (found next to the test bundle, or `$LEVELFUNNEL_BIN`); fails, never skips, without them. Uses its own
/// database (`levelfunnel_tui_e2e_PID` on the same server) with a small generated game, so it can run
/// alongside the other suites.
@Suite("Dashboard end to end (tmux)", .serialized, .timeLimit(.minutes(3)))
struct EndToEndTests {
    @Test func openFilterSortHelpAndQuit() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url)
        let first = try tui.waitFor { $0.contains("data as of") }
        #expect(first.contains("Level Funnel · e2e"))
        #expect(first.contains("e2e │ 2026-01-01 → 2026-01-14 (whole history) │ no filters │ fast │"))
        let levelsBefore = E2E.tableRows(first)
        #expect(levelsBefore.count == E2E.levels)

        // A filter: the first platform; the status bar and the numbers change.
        try tui.send("p", "Down", "Enter")
        let filtered = try tui.waitFor { $0.contains("platform=") && !$0.contains("loading") }
        let platform = try #require(E2E.filterValue("platform", in: filtered))
        #expect(E2E.tableRows(filtered) != levelsBefore)

        // Date preset: last 7 days.
        try tui.send("d", "1")
        try tui.waitFor("2026-01-08 → 2026-01-14 (last 7 days)")
        try tui.send("d", "4")
        try tui.waitFor { $0.contains("(whole history)") && !$0.contains("loading") }

        // Sort by the cursor's column (Starts), descending: arrow in the header, rows reordered. A capture can
        // catch a frame half painted, so wait for the rows too (the assertions below still check them).
        try tui.send("s")
        let sorted = try tui.waitFor { screen in
            let starts = E2E.tableRows(screen).map { E2E.number($0.cells[0]) }
            return screen.components(separatedBy: "\n")[1].contains("▼") && starts == starts.sorted(by: >)
        }
        let starts = E2E.tableRows(sorted).map { E2E.number($0.cells[0]) }
        #expect(starts == starts.sorted(by: >))
        #expect(sorted.contains("sorted by Starts ▼ descending"))

        // Help, then close it.
        try tui.send("?")
        let help = try tui.waitFor("Help · levelfunnel keys")
        #expect(help.contains("toggle fast / raw path"))
        try tui.send("Escape")
        try tui.waitFor { !$0.contains("Help · levelfunnel keys") }

        // Clear filters, quit: the terminal is given back and the exit status is 0.
        try tui.send("x")
        try tui.waitFor("no filters")
        try tui.send("q")
        let after = try tui.waitFor("EXIT=0")
        #expect(!after.contains("Level Funnel"))
        _ = platform
    }

    @Test func backfillFromTheAdminMenuShowsProgressAndCompletes() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url)
        try tui.waitFor("data as of")
        try tui.send("F8")
        try tui.waitFor("Backfill aggregates…")
        try tui.send("b")
        try tui.waitFor("Backfill · choose game and range")
        try tui.send("4")
        try tui.waitFor("from 2026-01-01 to 2026-01-14 (14 days)?")
        try tui.send("y")
        let done = try tui.waitFor(timeout: 60) { $0.contains("Done: 14 days") }
        #expect(done.contains("Days    14 / 14"))
        #expect(done.contains("100%"))
        try tui.send("Enter")
        try tui.waitFor { !$0.contains("Backfill ·") && $0.contains("data as of") }
        try tui.send("q")
        try tui.waitFor("EXIT=0")
    }

    @Test func numbersOnScreenEqualQueryJSON() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url, width: 230, height: 50)
        try tui.waitFor("data as of")
        try E2E.compareWithJSON(tui, url: url, arguments: [])

        try tui.send("c", "Down", "Down", "Enter")
        let screen = try tui.waitFor { $0.contains("country=") && !$0.contains("loading") }
        let country = try #require(E2E.filterValue("country", in: screen))
        try E2E.compareWithJSON(tui, url: url, arguments: ["--country", country])

        try tui.send("d", "1")
        try tui.waitFor("(last 7 days)")
        try E2E.compareWithJSON(tui, url: url, arguments: ["--country", country, "--from", "2026-01-08", "--to", "2026-01-14"])

        // The raw path shows the same numbers.
        try tui.send("r")
        try tui.waitFor { $0.contains("(raw)") }
        try E2E.compareWithJSON(tui, url: url, arguments: ["--country", country, "--from", "2026-01-08", "--to", "2026-01-14"])
        try tui.send("q")
        try tui.waitFor("EXIT=0")
    }

    @Test func resizeRedrawsAndTooSmallSaysSo() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url)
        try tui.waitFor("data as of")
        try tui.resize(width: 50, height: 10)
        try tui.waitFor("Terminal too small: 50×10")
        try tui.resize(width: 100, height: 30)
        let back = try tui.waitFor { $0.contains("Level Funnel · e2e") && !$0.contains("too small") }
        let lines = back.components(separatedBy: "\n")
        #expect(lines[28].hasPrefix(" e2e │ 2026-01-01 → 2026-01-14"), "status bar on the last but one row")
        #expect(lines[29].hasPrefix("F1Help"), "key bar on the last row")
        try tui.send("q")
        try tui.waitFor("EXIT=0")
    }

    @Test func keypressToRedrawStaysUnder50ms() throws {
        let url = try E2E.database.get()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("lf-timing-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let tui = try E2E.launch(url: url, environment: ["LEVELFUNNEL_TUI_TIMING": log])
        try tui.waitFor("data as of")
        for key in ["j", "j", "l", "l", "s", "s", "k", "G", "g", "t", "T", "?", "Escape"] {
            try tui.send(key)
            usleep(60_000)
        }
        try tui.send("p", "Down", "Enter")
        try tui.waitFor { $0.contains("platform=") && !$0.contains("loading") }
        try tui.send("x")
        try tui.waitFor("no filters")
        try tui.send("q")
        try tui.waitFor("EXIT=0")
        let entries = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let keys = entries.filter { $0[0] == "key" }.map { Double($0[1])! }
        let queries = entries.filter { $0[0] == "funnel-fast" }.map { Double($0[1])! }
        #expect(keys.count >= 13)
        #expect(keys.max()! < 50, "keypress to redraw: \(keys)")
        #expect(queries.count >= 3)
        // Filter changes: keypress, fast query, redraw (debug build, small game).
        #expect(queries.sorted()[queries.count / 2] < 50, "query to redraw: \(queries)")
    }

    @Test func ctrlCRestoresTheTerminal() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url)
        try tui.waitFor("data as of")
        try tui.send("C-c")
        let after = try tui.waitFor("EXIT=")
        #expect(after.contains("EXIT=130"))
        #expect(!after.contains("Level Funnel"))
    }
}

/// Set-up and helpers of the end-to-end suite.
enum E2E {
    static let environment = ProcessInfo.processInfo.environment
    static let game = "e2e"
    static let levels = 25

    struct Unavailable: Error, CustomStringConvertible { var description: String }

    /// `$LEVELFUNNEL_BIN`, else `levelfunnel` next to the test bundle (same build folder).
    static var binary: String? {
        if let explicit = environment["LEVELFUNNEL_BIN"] { return explicit }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("levelfunnel").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// A fresh database with a small generated, backfilled game; made once per test run.
    static let database: Result<String, any Error> = Result {
        guard let base = environment["LEVELFUNNEL_TEST_DATABASE_URL"] else {
            throw Unavailable(description: "LEVELFUNNEL_TEST_DATABASE_URL is not set: run the tests with `make test`")
        }
        guard let bin = binary else { throw Unavailable(description: "no levelfunnel binary next to the tests (or $LEVELFUNNEL_BIN)") }
        // One database per test process, so that concurrent runs never drop each other's; those of
        // processes that are gone are dropped here.
        let prefix = "levelfunnel_tui_e2e_"
        let name = prefix + String(getpid())
        let existing = try TmuxSession.run("/usr/bin/env", ["psql", "-X", "-A", "-t", base, "-c",
                                                            "SELECT datname FROM pg_database WHERE datname LIKE '\(prefix)%'"])
        for old in existing.split(separator: "\n").map(String.init) {
            guard let pid = Int32(old.dropFirst(prefix.count)), pid == getpid() || kill(pid, 0) != 0 else { continue }
            try TmuxSession.run("/usr/bin/env", ["psql", "-X", "-q", base, "-c", "DROP DATABASE IF EXISTS \(old) WITH (FORCE)"])
        }
        try TmuxSession.run("/usr/bin/env", ["psql", "-X", "-q", base, "-c", "CREATE DATABASE \(name)"])
        let url = replacingDatabase(in: base, with: name)
        try TmuxSession.run(bin, ["migrate", "--database-url", url])
        try TmuxSession.run(bin, ["generate", "--game", game, "--players", "400", "--days", "14", "--levels", "\(levels)",
                                  "--seed", "7", "--start", "2026-01-01", "--database-url", url])
        try TmuxSession.run(bin, ["backfill", "--game", game, "--from", "2026-01-01", "--to", "2026-01-14", "--database-url", url])
        return url
    }

    /// The same server with another database name (URL or key=value form).
    static func replacingDatabase(in url: String, with name: String) -> String {
        if url.contains("://"), var components = URLComponents(string: url) {
            components.path = "/" + name
            return components.string ?? url
        }
        return url + " dbname=\(name)"
    }

    static func launch(url: String, width: Int = 160, height: Int = 45, environment: [String: String] = [:]) throws -> TmuxSession {
        let themes = Fixtures.themesDirectory
        let command = "'\(binary!)' tui --game \(game) --database-url '\(url)'"
        return try TmuxSession(command: command, width: width, height: height,
                               environment: environment.merging(["LEVELFUNNEL_THEMES": themes, "TERM": "tmux-256color"]) { a, _ in a })
    }

    /// A table row read off the screen: the level and the other cells (bars removed).
    struct Row: Equatable {
        var level: Int
        var cells: [String]
    }

    /// Body rows of a captured screen (lines from the 4th until the status bar).
    static func tableRows(_ screen: String) -> [Row] {
        let bars = Set("█▏▎▍▌▋▊▉")
        var rows: [Row] = []
        for line in screen.components(separatedBy: "\n").dropFirst(3) {
            let parts = line.split(separator: "│", maxSplits: 1)
            guard parts.count == 2, let level = Int(parts[0].trimmingCharacters(in: .whitespaces)) else { break }
            let cells = parts[1].split(separator: " ").map(String.init).filter { !$0.allSatisfy(bars.contains) && $0 != "▶" }
            rows.append(Row(level: level, cells: cells))
        }
        return rows
    }

    static func number(_ text: String) -> Double {
        Double(text.replacingOccurrences(of: ",", with: "")) ?? .nan
    }

    /// The value of `name=` in the status bar.
    static func filterValue(_ name: String, in screen: String) -> String? {
        guard let status = screen.components(separatedBy: "\n").first(where: { $0.contains("│") && $0.contains("\(name)=") }),
              let range = status.range(of: "\(name)=") else { return nil }
        return String(status[range.upperBound...].prefix { $0 != " " })
    }

    /// Every visible cell equals the JSON answer of `levelfunnel query` for the same selection, formatted
    /// the way the dashboard formats it.
    static func compareWithJSON(_ tui: TmuxSession, url: String, arguments: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let screen = try tui.waitFor { !$0.contains("loading") && !$0.contains("running") }
        let rows = tableRows(screen)
        let json = try TmuxSession.run(binary!, ["query", "--game", game, "--format", "json", "--database-url", url] + arguments)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let levels = try #require(object["levels"] as? [[String: Any]])
        #expect(rows.count == levels.count && !rows.isEmpty, "rows on screen: \(rows.count)", sourceLocation: sourceLocation)
        let columns = ColumnID.scrollable
        for (row, level) in zip(rows, levels) {
            #expect(row.level == level["levelId"] as? Int, sourceLocation: sourceLocation)
            let expected = columns.map { column -> String in
                column.format((level[column.rawValue] as? NSNumber)?.doubleValue)
            }
            #expect(row.cells == expected, "level \(row.level)", sourceLocation: sourceLocation)
        }
    }
}
