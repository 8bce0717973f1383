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
}
