import Foundation
import LevelFunnelCore
import Testing

@Suite struct SavedViewsTests {
    static let game = GameInfo(id: "demo", firstDay: Day(iso: "2026-10-01")!, lastDay: Day(iso: "2026-11-29")!)

    @Test func roundTripThroughTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lf-views-\(UUID().uuidString)/levelfunnel/views.toml").path
        #expect(try SavedViews.load(path: path).isEmpty)
        let ios = SavedView(game: "demo", range: .lastDays(7), filters: FunnelFilters(platform: "iOS", funnel: "live \"v1\"", funnelVersion: 3),
                            compare: .otherValue(.platform, "Android"), sort: ("churnTotal", true), column: "winRate")
        let week = SavedView(game: "demo", range: .fixed(try DayRange(from: Day(iso: "2026-11-01")!, to: Day(iso: "2026-11-07")!)),
                             compare: .previousRange)
        try SavedViews.save(ios, name: "iOS vs Android", path: path)
        try SavedViews.save(week, name: "week", path: path)
        try SavedViews.save(SavedView(game: "demo", compare: .previousFunnelVersion), name: "versions", path: path)
        let views = try SavedViews.load(path: path)
        #expect(views.count == 3)
        #expect(views["iOS vs Android"] == ios)
        #expect(views["week"] == week)
        #expect(views["versions"]?.compare == .previousFunnelVersion)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("[views.\"iOS vs Android\"]\ngame = \"demo\"\nrange = \"last7\"\nfunnel = \"live \\\"v1\\\"\"\nfunnelVersion = \"3\"\nplatform = \"iOS\"\ncompare = \"platform=Android\"\nsort = \"churnTotal desc\"\ncolumn = \"winRate\"\n"))
        // Saving a name again replaces it.
        try SavedViews.save(week, name: "iOS vs Android", path: path)
        #expect(try SavedViews.load(path: path)["iOS vs Android"] == week)
        #expect(throws: LevelFunnelError.self) { try SavedViews.named("nope", path: path) }
        // Relative ranges resolve against the game's days.
        #expect(ios.query(Self.game).range == (try DayRange(from: Day(iso: "2026-11-23")!, to: Day(iso: "2026-11-29")!)))
        #expect(SavedView(game: "demo").query(Self.game).range == Self.game.history)
    }

    /// Values with line breaks, control characters and non-ASCII text are escaped in the file and read back as
    /// they were (a raw line break would end the TOML line); names may hold quotes.
    @Test func controlCharactersRoundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lf-views-\(UUID().uuidString)/views.toml").path
        let view = SavedView(game: "demo", filters: FunnelFilters(country: "a\nb\r\t\u{1}", funnel: "ñandú \"q\" \\ ライブ"))
        try SavedViews.save(view, name: "say \"hi\"", path: path)
        #expect(try SavedViews.load(path: path)["say \"hi\""] == view)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(#"country = "a\nb\r\t\u0001""#))
    }

    @Test func unreadableFilesNameTheLine() {
        func error(_ text: String) -> String {
            do { _ = try SavedViews.parse(text, source: "v.toml"); return "" } catch { return "\(error)" }
        }
        #expect(error("game = \"demo\"").contains("v.toml:1: a key before any"))
        #expect(error("[views.a]\ngame = demo").contains("v.toml:2: expected a quoted string"))
        #expect(error("[views.a]\nrange = \"whole\"").contains("view 'a': no game"))
        #expect(error("[views.a]\ngame = \"g\"\nrange = \"lastweek\"").contains("range 'lastweek'"))
        #expect(error("[views.a]\ngame = \"g\"\nfunnelVersion = \"two\"").contains("not a whole number"))
        #expect(error("[views.a]\ngame = \"g\"\nsort = \"speed desc\"").contains("sort 'speed desc'"))
        #expect(error("[views.a]\ngame = \"g\"\ncolour = \"red\"").contains("unknown key 'colour'"))
        #expect(error("[views.a]\ngame = \"g\"\ncompare = \"os=iOS\"").contains("unknown dimension"))
        #expect(error("# comment\n\n[views.a]\ngame = \"g\" # trailing\n") == "")
    }
}

extension SavedViewsTests {
    static func error(_ text: String) -> String {
        do { _ = try SavedViews.parse(text, source: "v.toml"); return "" } catch { return "\(error)" }
    }

    /// A file saved with CRLF line ends (a Windows editor) reads as with LF; a lone CR is named.
    @Test func crlfLineEndsReadAsLineFeeds() throws {
        let lf = "# views\n[views.\"week\"]\ngame = \"demo\"\nrange = \"last7\"\nplatform = \"iOS\"\nsort = \"levelId desc\"\n\n[views.all]\ngame = \"demo\"\n"
        let crlf = try SavedViews.parse(lf.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(crlf == (try SavedViews.parse(lf)))
        #expect(crlf["week"] == SavedView(game: "demo", range: .lastDays(7), filters: FunnelFilters(platform: "iOS"), sort: ("levelId", true)))
        #expect(crlf.count == 2)
        #expect(Self.error("[views.a]\rgame = \"g\"\n") == "v.toml:1: a carriage return not followed by a line feed: end lines with LF or CRLF")
        #expect(Self.error("[views.a]\ngame = \"g\u{1}\"\n") == "v.toml:2: a raw control character (U+0001): write it as an escape inside a string")
    }

    /// Fixed ranges follow the CLI's rule for typed dates; funnel versions must fit PostgreSQL's integer.
    @Test func rangesAndVersionsFollowTheCLIRules() {
        let years = "use YYYY-MM-DD with a year from 1900 to 9999 (e.g. 2026-01-31)"
        #expect(Self.error("[views.a]\ngame = \"g\"\nrange = \"+202-01-01..2026-01-31\"")
                == "v.toml: view 'a': range '+202-01-01..2026-01-31': '+202-01-01' is not a date: \(years)")
        #expect(Self.error("[views.a]\ngame = \"g\"\nrange = \"2026-01-01..0000-01-01\"")
                == "v.toml: view 'a': range '2026-01-01..0000-01-01': '0000-01-01' is not a date: \(years)")
        #expect(Self.error("[views.a]\ngame = \"g\"\nrange = \"2026-01-31..2026-01-01\"")
                == "v.toml: view 'a': range '2026-01-31..2026-01-01': 2026-01-31 is after 2026-01-01")
        #expect(Self.error("[views.a]\ngame = \"g\"\nfunnelVersion = \"99999999999\"")
                == "v.toml: view 'a': funnelVersion '99999999999' is not a whole number from -2147483648 to 2147483647")
        #expect(Self.error("[views.a]\ngame = \"g\"\nrange = \"1900-01-01..9999-12-31\"") == "")
    }
}
