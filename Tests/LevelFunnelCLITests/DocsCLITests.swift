import Foundation
import Testing
import TestSupport

/// The command line as the docs show it: docs/guide.md's command table and the README's shell lines name the
/// commands the program has, with options each of those commands takes (`levelfunnel COMMAND --help`).
@Suite struct DocsCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The guide's table has a row for every command `levelfunnel --help` lists, and none other; every `--option`
    /// of a row (and of the filters line under it) is one its command's help lists.
    @Test func guideCommandTableNamesEveryCommandWithItsOptions() throws {
        let guide = try Self.page("docs/guide.md")
        let lines = guide.components(separatedBy: "\n")
        let header = try #require(lines.firstIndex(of: "| command | what it does |"), "docs/guide.md has no command table")
        let rows = lines[(header + 2)...].prefix { $0.hasPrefix("| ") }
        var documented: Set<String> = []
        for row in rows {
            // `levelfunnel` / `levelfunnel tui [--game ID] ...`: the last quoted form names the command.
            let cell = row.components(separatedBy: " | ")[0]
            let usage = cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element).last ?? ""
            let command = usage.split(separator: " ").first { $0 != "levelfunnel" }.map(String.init) ?? ""
            documented.insert(command)
            try Self.expectOptions(Self.options(in: cell), of: command, where: "docs/guide.md: \(row)")
        }
        let commands = try Self.commands()
        #expect(documented == Set(commands), "docs/guide.md's command table names \(documented.sorted()), the help \(commands.sorted())")
        let filters = try #require(lines.first { $0.hasPrefix("Filters: `") }, "docs/guide.md has no filters line")
        try Self.expectOptions(Self.options(in: filters), of: "query", where: "docs/guide.md: \(filters)")
    }

    /// Every `levelfunnel ...` line of the README's shell blocks runs a command there is, with options it takes.
    @Test func readmeCommandLinesUseCommandsAndOptionsThatExist() throws {
        let readme = try Self.page("README.md")
        var inShell = false, checked = 0
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inShell = line == "```sh"; continue }
            guard inShell, line.hasPrefix("levelfunnel") else { continue }
            let code = line.components(separatedBy: " #")[0]
            let command = code.split(separator: " ").dropFirst().first.map(String.init).flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "tui"
            #expect(try Self.commands().contains(command), "README.md: \(line): no command \(command)")
            try Self.expectOptions(Self.options(in: code), of: command, where: "README.md: \(line)")
            checked += 1
        }
        #expect(checked >= 8, "README.md: only \(checked) levelfunnel lines found in its sh blocks")
    }

    static func page(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// `--option` words.
    static func options(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "--[a-z][a-z-]*")
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) })
    }

    static func expectOptions(_ used: Set<String>, of command: String, where place: String) throws {
        let known = options(in: try help([command]))
        for option in used.sorted() where !known.contains(option) {
            Issue.record("\(place): \(command) has no \(option)")
        }
    }

    /// The commands `levelfunnel --help` lists.
    static func commands() throws -> [String] {
        let text = try help([])
        let list = text.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first ?? ""
        return list.components(separatedBy: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.hasPrefix("  See ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    static func help(_ command: [String]) throws -> String {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("levelfunnel")
        let run = try Subprocess.run(binary, command + ["--help"])
        #expect(run.status == 0, "levelfunnel \(command) --help: \(run.stderr)")
        return run.stdout
    }
}
