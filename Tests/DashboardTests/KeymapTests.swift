import Foundation
import Dashboard
import Testing

@Suite("Key map and help")
struct KeymapTests {
    /// Every key the help lists for the table does something: changes the state or asks for work.
    @Test func everyTableKeyInTheHelpWorks() {
        for section in Keymap.sections {
            for binding in section.bindings where binding.command != nil {
                for key in binding.keys {
                    var h = Harness(size: TerminalSize(width: 100, height: 14))
                    h.performEffects = false
                    // Put the cursors mid-table so that every movement has room.
                    h.press(.down, .down, .right, .right)
                    // Esc on the table cancels a raw query: start one.
                    if binding.command == .cancel { h.press(.char("r")) }
                    let before = Snapshot(h)
                    let effectsBefore = h.effects.count
                    h.press(key)
                    let changed = Snapshot(h) != before || h.effects.count > effectsBefore
                    #expect(changed, "\(key.label) (\(binding.description)) did nothing")
                }
            }
        }
    }

    @Test func noKeyIsBoundTwice() {
        var seen: [Key: String] = [:]
        for section in Keymap.sections {
            for binding in section.bindings where binding.command != nil {
                for key in binding.keys {
                    #expect(seen[key] == nil, "\(key.label) bound to both \(seen[key] ?? "") and \(binding.description)")
                    seen[key] = binding.description
                }
            }
        }
    }

    @Test func helpListsEveryFunctionKeyOfTheKeyBar() {
        let listed = Set(Keymap.sections.flatMap(\.bindings).flatMap(\.keys))
        for hint in Keymap.hints {
            #expect(listed.contains(.function(Int(hint.key.dropFirst())!)), "\(hint.key)")
        }
    }

    /// What a key may change, compared before and after.
    struct Snapshot: Equatable {
        var overlay: Overlay, row: Int, top: Int, column: Int, first: Int, sort: TableSort?, source: String
        var theme: Int, quit: Bool, message: StatusMessage?, filters: String, views: [String]
        init(_ h: Harness) {
            overlay = h.state.overlay; row = h.state.rowCursor; top = h.state.topRow; column = h.state.columnCursor
            first = h.state.firstColumn; sort = h.state.sort; source = h.state.source.rawValue; theme = h.state.themeIndex
            quit = h.state.shouldQuit; message = h.state.message; filters = "\(h.state.filters)"
            views = h.state.views.map(\.name)
        }
    }
}

@Suite("Documentation")
struct DocumentationTests {
    /// The user guide (docs/guide.md) lists every key binding and every theme element.
    @Test func documentationListsEveryKeyAndElement() throws {
        let doc = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        for binding in Keymap.sections.flatMap(\.bindings) {
            #expect(doc.contains(binding.description), "\(binding.description)")
            for key in binding.keys { #expect(doc.contains("`\(key.label)`"), "\(key.label)") }
        }
        for role in StyleRole.allCases {
            #expect(doc.contains("| `\(role.rawValue)` |"), "\(role.rawValue)")
        }
    }

    /// The user guide's key table is the help screen, row for row: each section's title, then each binding's keys
    /// (in the help's order) and its description (the guide may add a note in parentheses after it).
    @Test func guideKeyTableIsTheHelpRowForRow() throws {
        let rows = try KeyTable.rows(in: "docs/guide.md")
        var expected: [(keys: [String]?, text: String)] = []
        for section in Keymap.sections {
            expected.append((nil, section.title))
            expected += section.bindings.map { (keys: $0.keys.map(\.label), text: $0.description) }
        }
        #expect(rows.count == expected.count, "docs/guide.md's key table has \(rows.count) rows, the help \(expected.count)")
        for (row, line) in zip(rows, expected) {
            if let keys = line.keys {
                #expect(row.keys == keys && (row.text == line.text || row.text.hasPrefix(line.text + " (")),
                        "docs/guide.md: \(row.line) is not the help's \(keys.joined(separator: " ")) | \(line.text)")
            } else {
                #expect(row.section == line.text, "docs/guide.md: \(row.line) is not the help's section \(line.text)")
            }
        }
    }

    /// Each row of the README's short tour says what its keys do: the keys of each part of the row (parts split by
    /// `;` or ` / ` on both sides alike, then one key per comma-separated name when they are as many) run one
    /// command, whose help description and the part's text begin alike; or else the row sums up a help section
    /// (its text begins with the section's title, and each of its keys runs a command of that section).
    @Test func readmeKeyRowsSayWhatTheirKeysDo() throws {
        let rows = try KeyTable.rows(in: "README.md")
        #expect(rows.count >= 10, "README.md's key table not found or short: \(rows.count) rows")
        for row in rows {
            #expect(!row.keys.isEmpty, "README.md: \(row.line) names no key")
            let wrong = KeyTable.parts(row).compactMap { labels, text -> String? in
                let commands = Set(labels.map(KeyTable.command))
                let command = commands.count == 1 ? commands.first! : nil
                guard let command, let binding = Keymap.sections.flatMap(\.bindings).first(where: { $0.command == command }) else {
                    return "\(labels.joined(separator: " ")) do not run one command"
                }
                let (said, does) = (text.lowercased(), binding.description.lowercased())
                return said.hasPrefix(does) || does.hasPrefix(said) ? nil : "\(labels.joined(separator: " ")): \(does)"
            }
            guard !wrong.isEmpty else { continue }
            if let section = Keymap.sections.first(where: { row.text.lowercased().hasPrefix($0.title.lowercased() + " ") }) {
                let commands = section.bindings.compactMap(\.command)
                let outside = row.keys.filter { KeyTable.command($0).map(commands.contains) != true }
                #expect(outside.isEmpty, "README.md: \(row.line): \(outside) run no command of the help's \(section.title)")
            } else {
                Issue.record("README.md: \(row.line) does not say what the help says: \(wrong.joined(separator: "; "))")
            }
        }
    }
}

/// The `| Keys | What they do |` table of a Markdown page.
enum KeyTable {
    struct Row {
        var line: String
        /// The keys cell's backquoted labels (`Ctrl-B`, `F3`, `↑`), in order.
        var keys: [String]
        /// A bold first cell: a help section's title (Markdown removed).
        var section: String?
        var keyCell: String
        var text: String
    }

    static func rows(in path: String) throws -> [Row] {
        let page = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
        let lines = page.components(separatedBy: "\n")
        guard let header = lines.firstIndex(of: "| Keys | What they do |") else { return [] }
        return lines[(header + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            let cells = line.components(separatedBy: "|").dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
            let keyCell = cells.first ?? "", text = cells.dropFirst().joined(separator: "|")
            let bold = keyCell.hasPrefix("**")
            return Row(line: line, keys: bold ? [] : labels(keyCell),
                       section: bold ? keyCell.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "") : nil,
                       keyCell: keyCell, text: text)
        }.flatMap { row -> [Row] in
            // A section row may carry a binding without keys (the mouse).
            guard row.section != nil, !row.text.isEmpty else { return [row] }
            return [Row(line: row.line, keys: [], section: row.section, keyCell: row.keyCell, text: ""),
                    Row(line: row.line, keys: [], section: nil, keyCell: "", text: row.text)]
        }
    }

    static func labels(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }

    /// The command a key label runs on the table.
    static func command(_ label: String) -> Command? {
        Keymap.sections.flatMap(\.bindings).flatMap(\.keys).first { $0.label == label }.flatMap(Keymap.command(for:))
    }

    /// A row's keys with the text that says what they do.
    static func parts(_ row: Row) -> [(labels: [String], text: String)] {
        let separator = row.keyCell.contains(";") ? "; " : row.keyCell.contains(" / ") ? " / " : nil
        let keyParts = separator.map { row.keyCell.components(separatedBy: $0) } ?? [row.keyCell]
        let textParts = separator.map { row.text.components(separatedBy: $0) } ?? [row.text]
        guard keyParts.count == textParts.count else { return [(row.keys, row.text)] }
        return zip(keyParts, textParts).flatMap { keyPart, text -> [(labels: [String], text: String)] in
            let labels = labels(keyPart), names = text.components(separatedBy: ", ")
            return labels.count > 1 && names.count == labels.count ? zip(labels, names).map { ([$0], $1) } : [(labels, text)]
        }
    }
}
