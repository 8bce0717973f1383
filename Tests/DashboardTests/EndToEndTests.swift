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
        // catch a frame half painted (seen in CI: a row painted twice, the status line not yet), so wait for the
        // rows and the status line too (the assertions below still check them).
        try tui.send("s")
        let sorted = try tui.waitFor { screen in
            let starts = E2E.tableRows(screen).map { E2E.number($0.cells[0]) }
            return screen.components(separatedBy: "\n")[1].contains("▼") && starts == starts.sorted(by: >)
                && screen.contains("sorted by Starts ▼ descending")
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

    /// A login role granted only `levelfunnel roles`' reader: the dashboard opens on the whole history from the
    /// aggregates, filters work, and the raw toggle and the admin items that need events say why they are refused.
    @Test func aReaderWithoutAccessToEventsBrowsesTheFunnel() throws {
        let url = try E2E.database.get()
        let bin = try #require(E2E.binary)
        let (reader, writer, login) = ("lfr_e2e_\(getpid())", "lfw_e2e_\(getpid())", "lfrl_e2e_\(getpid())")
        let psql = { (sql: String) in try TmuxSession.run("/usr/bin/env", ["psql", "-X", "-q", url, "-c", sql]) }
        defer {
            for role in [login, reader, writer] { _ = try? psql("DROP OWNED BY \(role); DROP ROLE \(role)") }
        }
        try psql("CREATE ROLE \(login) LOGIN")
        try TmuxSession.run(bin, ["roles", "--reader", reader, "--writer", writer, "--grant-reader", login, "--database-url", url])
        let readerURL = url.replacingOccurrences(of: "user=postgres", with: "user=\(login)")
        let tui = try E2E.launch(url: readerURL)
        let first = try tui.waitFor { $0.contains("data as of") && !$0.contains("loading") }
        #expect(first.contains("e2e │ 2026-01-01 → 2026-01-14 (whole history) │ no filters │"))
        #expect(E2E.tableRows(first).count == E2E.levels)
        #expect(!first.contains("cannot list games"))
        #expect(first.contains("│ aggregates only (no access to events) │"))
        #expect(!first.contains("not the view asked for"))

        try tui.send("p", "Down", "Enter")
        let filtered = try tui.waitFor { $0.contains("platform=") && !$0.contains("loading") }
        #expect(E2E.tableRows(filtered).count > 0)

        try tui.send("r")
        try tui.waitFor("the raw path needs read access to events: ask for levelfunnel_writer")
        try tui.send("a")
        let menu = try tui.waitFor("This role reads the aggregates only")
        #expect(menu.contains("Verify this view (fast vs raw) (disabled)"))
        #expect(menu.contains("Backfill aggregates… (disabled)"))
        try tui.send("b")
        try tui.waitFor("backfill needs read access to events and write access to the aggregates")
        try tui.send("s")
        let status = try tui.waitFor { $0.contains("Aggregation status") && $0.contains("e2e") }
        #expect(!status.contains("permission denied"))
        try tui.send("Escape")
        try tui.send("q")
        try tui.waitFor("EXIT=0")
    }

    /// Compare from the keyboard (the first platform against all values), drill into a level's trend, go back
    /// twice: the numbers of the compare are those of `query --compare-with` for the same selections.
    @Test func compareDrillIntoATrendAndBack() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url)
        try tui.waitFor("data as of")
        try tui.send("p", "Down", "Enter")
        let filtered = try tui.waitFor { $0.contains("platform=") && !$0.contains("loading") }
        let platform = try #require(E2E.filterValue("platform", in: filtered))
        try tui.send("C")
        try tui.waitFor("Compare · platform=\(platform) against…")
        try tui.send("Down", "Enter")   // against all values
        let compare = try tui.waitFor { $0.contains("Compare · e2e") && $0.contains("B−A") }
        #expect(compare.contains("B platform=\(platform)  vs  A platform=all"))
        // Level 1's entrants as the CLI prints them.
        let json = try TmuxSession.run(E2E.binary!, ["query", "--game", E2E.game, "--platform", platform, "--compare-with", "platform=all",
                                                     "--format", "json", "--database-url", url])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let first = try #require((object["levels"] as? [[String: Any]])?.first)
        let entrants = "\(Format.count(first["baselineEntrants"] as! Int)) / \(Format.count(first["variantEntrants"] as! Int))"
        #expect(compare.contains(entrants), "\(entrants)")
        // Down to level 3, then its trend.
        try tui.send("Down", "Down", "Enter")
        let trend = try tui.waitFor { $0.contains("Trend · level 3 · e2e") && $0.contains("Win %") && !$0.contains("Loading") }
        #expect(trend.contains("platform=\(platform)"))
        #expect(trend.contains("2026-01-14:"))
        try tui.send("Left")
        try tui.waitFor("2026-01-13:")
        try tui.send("Escape")
        try tui.waitFor { $0.contains("Compare · e2e") && !$0.contains("Trend ·") }
        try tui.send("Escape")
        try tui.waitFor { $0.contains("Level Funnel · e2e") && !$0.contains("Compare ·") }
        try tui.send("q")
        try tui.waitFor("EXIT=0")
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

    /// A client asking for German dates and another time zone: the dashboard opens, lists the game's history
    /// and shows the same numbers as `query` (it used to crash on a worker thread and leave the terminal raw).
    @Test func germanDateStyleAndAnotherTimeZoneChangeNothing() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url, width: 230, height: 50,
                                 environment: ["PGDATESTYLE": "German, DMY", "PGTZ": "Asia/Tokyo"])
        let screen = try tui.waitFor { $0.contains("data as of") && !$0.contains("loading") }
        #expect(screen.contains("e2e │ 2026-01-01 → 2026-01-14 (whole history) │ no filters │ fast │"))
        try E2E.compareWithJSON(tui, url: url, arguments: [])
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
        // Five filter round trips: a median of eleven fast queries, not three (other suites run beside this one).
        for _ in 0..<5 {
            try tui.send("p", "Down", "Enter")
            try tui.waitFor { $0.contains("platform=") && !$0.contains("loading") }
            try tui.send("x")
            try tui.waitFor { $0.contains("no filters") && !$0.contains("loading") }
        }
        try tui.send("q")
        try tui.waitFor("EXIT=0")
        let entries = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        let keys = entries.filter { $0[0] == "key" }.map { Double($0[1])! }
        let queries = entries.filter { $0[0] == "funnel-fast" }.map { Double($0[1])! }
        #expect(keys.count >= 13)
        #expect(keys.max()! < 50, "keypress to redraw: \(keys)")
        #expect(queries.count >= 11)
        // Filter changes: keypress, fast query, redraw (debug build, small game).
        #expect(queries.sorted()[queries.count / 2] < 50, "query to redraw: \(queries)")
    }

    /// LANG=C: ASCII and the terminal's line drawing, the rule straight, names marked with `?`, no raw bytes.
    @Test func asciiUnderLANGC() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url, environment: ["LANG": "C", "LC_ALL": "C"])
        let plain = try tui.waitFor { $0.contains("data as of") }
        #expect(plain.contains("Level Funnel - e2e"))
        #expect(!plain.contains("~T") && !plain.contains("M-"), "no raw UTF-8 bytes")
        let screen = try tui.captureLineDrawing()
        #expect(screen.contains("e2e │ 2026-01-01 > 2026-01-14 (whole history) │ no filters │ fast │"), "\(screen)")
        #expect(screen.contains("start>cmpl"))
        #expect(screen.allSatisfy { $0.isASCII || "│─┌┐└┘".contains($0) }, "\(screen)")
        let rule = E2E.ruleColumns(screen)
        #expect(rule.count >= E2E.levels + 2)
        #expect(Set(rule.values) == [7], "\(rule)")
        #expect(E2E.tableRows(screen).count == E2E.levels)
        try tui.send("q")
        try tui.waitFor("EXIT=0")

        // Names the locale cannot show: one `?` per column, the pane's border straight.
        let names = try E2E.launch(url: url, environment: ["LANG": "C", "LC_ALL": "C"], game: E2E.namesGame)
        try names.waitFor("data as of")
        try names.send("f")
        try names.waitFor { $0.contains("Filter - Funnel (f)") && $0.contains("o plain") }
        let pane = try names.captureLineDrawing().components(separatedBy: "\n")
        #expect(pane.contains { $0.contains("│ o ?and? \"q\"   ") }, "\(pane.joined(separator: "\n"))")
        #expect(pane.contains { $0.contains("│ o ??????   ") })
        for line in pane[2...9] {
            let border = line.dropFirst(46).first
            #expect(border == "│" || border == "┐" || border == "┘", "\(line)")
        }
        try names.send("Escape", "q")
        try names.waitFor("EXIT=0")
    }

    /// LANG=C.UTF-8: the UTF-8 glyphs and names as they are, the rule straight.
    @Test func utf8UnderLANGCUTF8() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url, game: E2E.namesGame)
        try tui.waitFor("data as of")
        try tui.send("f")
        // The pane can be painted before the game's filter values arrive: wait for them (a frame without them fails).
        let pane = try tui.waitFor { $0.contains("Filter · Funnel (f)") && $0.contains("○ plain") }
        #expect(pane.contains("○ ñandú \"q\""))
        #expect(pane.contains("○ ライブ"))
        try tui.send("Escape", "q")
        try tui.waitFor("EXIT=0")

        let e2e = try E2E.launch(url: url)
        let screen = try e2e.waitFor { $0.contains("data as of") }
        #expect(screen.contains("Level Funnel · e2e"))
        let rule = E2E.ruleColumns(screen)
        #expect(rule.count >= E2E.levels + 2)
        #expect(Set(rule.values) == [7], "\(rule)")
        try e2e.send("q")
        try e2e.waitFor("EXIT=0")
    }

    /// `--ascii` in a UTF-8 locale: the same as LANG=C (for screenshots, or fonts without the glyphs).
    @Test func asciiFlag() throws {
        let url = try E2E.database.get()
        let tui = try E2E.launch(url: url, arguments: "--ascii")
        try tui.waitFor("data as of")
        let screen = try tui.captureLineDrawing()
        #expect(screen.contains("Level Funnel - e2e"))
        #expect(screen.contains("start>cmpl") && screen.contains("(whole history) │ no filters │ fast"), "\(screen)")
        #expect(screen.allSatisfy { $0.isASCII || "│─┌┐└┘".contains($0) }, "\(screen)")
        #expect(Set(E2E.ruleColumns(screen).values) == [7])
        try tui.send("p")
        try tui.waitFor { $0.contains("Filter - Platform (p)") && $0.contains("| o ") }
        let pane = try tui.captureLineDrawing().components(separatedBy: "\n")
        #expect(pane[2].hasPrefix(" ┌─ Filter - Platform (p) ───"), "\(pane.joined(separator: "\n"))")
        #expect(pane[5].hasPrefix(" │ * All "))
        #expect(pane[6].hasPrefix(" │ o "))
        for line in pane[2...10] {
            let border = line.dropFirst(46).first
            #expect(border == "│" || border == "┐" || border == "┘", "\(line)")
        }
        try tui.send("Escape", "q")
        try tui.waitFor("EXIT=0")
    }

    /// Terminals without cursor addressing are refused before the screen is touched, with one line.
    @Test func dumbAndUnknownTerminalsAreRefused() throws {
        let url = try E2E.database.get()
        for (term, reason) in [("dumb", "levelfunnel: the terminal 'dumb' (TERM) cannot move the cursor"),
                               ("no-such-terminal", "levelfunnel: unknown terminal type 'no-such-terminal' (TERM)")] {
            let tui = try E2E.launch(url: url, prefix: "env TERM=\(term)")
            let screen = try tui.waitFor("EXIT=")
            #expect(screen.contains(reason), "\(screen)")
            #expect(screen.contains("EXIT=2"))
            #expect(!screen.contains("Level Funnel"))
            let nonEmpty = screen.components(separatedBy: "\n").filter { !$0.isEmpty }
            #expect(nonEmpty.count <= 3, "one line (wrapped at most once), then EXIT: \(nonEmpty)")
        }
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

    /// Laid out as `make install` does (PREFIX/bin/levelfunnel, PREFIX/share/levelfunnel/themes) and started by
    /// name from PATH in another folder, as a user runs it: the dashboard opens in an installed theme and cycles
    /// through the others (argv[0] is then just `levelfunnel`, which says nothing of where the binary is).
    @Test func anInstalledBinaryStartedFromPATHFindsTheInstalledThemes() throws {
        let url = try E2E.database.get()
        let fm = FileManager.default
        let prefix = fm.temporaryDirectory.appendingPathComponent("lf-prefix-\(UUID().uuidString.prefix(8))")
        defer { try? fm.removeItem(at: prefix) }
        let bin = prefix.appendingPathComponent("bin")
        let themes = prefix.appendingPathComponent("share/levelfunnel/themes")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: themes.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.copyItem(atPath: Fixtures.themesDirectory, toPath: themes.path)
        // A copy, not a symlink (which resolves back to the build folder, next to the repository's themes/).
        try fm.copyItem(atPath: try #require(E2E.binary), toPath: bin.appendingPathComponent("levelfunnel").path)
        let command = "cd / && env -u LEVELFUNNEL_THEMES -u XDG_CONFIG_HOME -u NO_COLOR HOME='\(prefix.path)/home' "
            + "PATH='\(bin.path)':\"$PATH\" levelfunnel tui --game \(E2E.game) --theme solarized --database-url '\(url)'"
        let tui = try TmuxSession(command: command, environment: ["TERM": "tmux-256color"])
        let first = try tui.waitFor("data as of")
        #expect(!first.contains("unknown theme"), "\(first)")
        try tui.send("F9")
        let next = try tui.waitFor("theme: ")
        #expect(next.contains("theme: high-contrast"), "\(next)")
        try tui.send("q")
        try tui.waitFor("EXIT=0")
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
        // A second game whose funnels are named in other scripts, for the locales that cannot show them.
        try TmuxSession.run("/usr/bin/env", ["psql", "-X", "-q", url, "-c", """
            SET client_encoding = 'UTF8';
            INSERT INTO events (game_id, user_id, event_name, properties, platform, country_code, app_version,
                                level_funnel, level_funnel_version, occurred_at)
            SELECT '\(namesGame)', 'u' || i, e, jsonb_build_object('levelId', 1 + i % 3), 'iOS', 'ES', '1.0', f, 1,
                   '2026-01-05 10:00+00'
              FROM generate_series(1, 6) i, (VALUES ('level_start'), ('level_complete')) k(e),
                   (VALUES ('\(namesFunnels.joined(separator: "'), ('"))')) v(f)
            """])
        try TmuxSession.run(bin, ["backfill", "--game", namesGame, "--from", "2026-01-05", "--to", "2026-01-05", "--database-url", url])
        return url
    }

    static let namesGame = "names"
    static let namesFunnels = ["plain", "ñandú \"q\"", "ライブ"]

    /// Columns (one character each: ASCII or line drawing) of the first `│` or `|` of every non-empty
    /// line between the title and the status bar: one value when the table's rule is straight.
    static func ruleColumns(_ screen: String) -> [Int: Int] {
        let lines = screen.components(separatedBy: "\n")
        var columns: [Int: Int] = [:]
        for (y, line) in lines.enumerated().dropFirst().prefix(while: { !$0.element.contains("data as of") })
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            columns[y] = line.firstIndex { $0 == "│" || $0 == "|" }.map { line.distance(from: line.startIndex, to: $0) } ?? -1
        }
        return columns
    }

    /// The same server with another database name (URL or key=value form).
    static func replacingDatabase(in url: String, with name: String) -> String {
        if url.contains("://"), var components = URLComponents(string: url) {
            components.path = "/" + name
            return components.string ?? url
        }
        return url + " dbname=\(name)"
    }

    static func launch(url: String, width: Int = 160, height: Int = 45, environment: [String: String] = [:],
                       game: String = E2E.game, arguments: String = "", prefix: String = "") throws -> TmuxSession {
        let themes = Fixtures.themesDirectory
        // `prefix` (e.g. `env TERM=dumb`): tmux sets TERM itself, whatever the session's environment says.
        let command = "\(prefix) '\(binary!)' tui --game \(game) \(arguments) --database-url '\(url)'"
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
