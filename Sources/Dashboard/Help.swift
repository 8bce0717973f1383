import LevelFunnelCore
/// What a key does on the table screen.
public enum Command: Sendable, Hashable {
    case rowUp, rowDown, columnLeft, columnRight, pageUp, pageDown
    case firstRow, lastRow, firstColumn, lastColumn
    case sort, findLevel
    case filterPanes, filterPane(Dimension), clearFilters
    case dateRange, gameSelector
    case toggleRaw, cancel, reload
    case nextTheme, previousTheme
    case export, admin, help, quit
    case compare, trend, breakdown, spikes
    case saveView, openView
}

/// One line of the help screen: keys, what they do, and the command they run on the table.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var description: String
    /// nil for keys that only work inside a pane or dialog (listed for reference).
    public var command: Command?

    public init(_ keys: [Key], _ description: String, _ command: Command? = nil) {
        self.keys = keys
        self.description = description
        self.command = command
    }

    /// `k ↑` style label.
    public var keyLabel: String { keys.map(\.label).joined(separator: " ") }
}

/// A titled group of bindings.
public struct HelpSection: Sendable {
    public var title: String
    public var bindings: [KeyBinding]
}

/// The key map: the single source of both the reducer's table keys and the help screen, so every
/// key the help lists is a key that works.
public enum Keymap {
    public static let sections: [HelpSection] = [
        HelpSection(title: "Move", bindings: [
            KeyBinding([.up, .char("k")], "row up", .rowUp),
            KeyBinding([.down, .char("j")], "row down", .rowDown),
            KeyBinding([.left, .char("h")], "column left (scrolls sideways; Level stays)", .columnLeft),
            KeyBinding([.right, .char("l")], "column right", .columnRight),
            KeyBinding([.pageUp, .ctrl("b")], "page up", .pageUp),
            KeyBinding([.pageDown, .ctrl("f")], "page down", .pageDown),
            KeyBinding([.char("g")], "first level", .firstRow),
            KeyBinding([.char("G")], "last level", .lastRow),
            KeyBinding([.home, .char("0")], "first column", .firstColumn),
            KeyBinding([.end, .char("$")], "last column", .lastColumn),
            KeyBinding([.char("/"), .function(3)], "jump to a level", .findLevel),
        ]),
        HelpSection(title: "Sort", bindings: [
            KeyBinding([.char("s"), .function(6)], "sort by the cursor's column: descending, ascending, level order", .sort),
        ]),
        HelpSection(title: "Filters and selection", bindings: [
            KeyBinding([.function(2)], "filter panes (Tab switches pane)", .filterPanes),
        ] + filterPaneBindings + [
            KeyBinding([.char("x")], "clear all filters", .clearFilters),
            KeyBinding([.char("d"), .function(4)], "date range: 7, 30, 90 days, whole history, custom", .dateRange),
            KeyBinding([.char("o"), .function(7)], "choose the game", .gameSelector),
        ]),
        HelpSection(title: "View", bindings: [
            KeyBinding([.char("r")], "toggle fast / raw path for this view", .toggleRaw),
            KeyBinding([.escape], "cancel a running raw query; close a window", .cancel),
            KeyBinding([.function(5), .ctrl("r")], "reload", .reload),
            KeyBinding([.char("t"), .function(9)], "next theme", .nextTheme),
            KeyBinding([.char("T")], "previous theme", .previousTheme),
            KeyBinding([.char("e")], "export this view as CSV", .export),
        ]),
        HelpSection(title: "Compare and trends", bindings: [
            KeyBinding([.char("C")], "compare: previous range or funnel version, other filter values", .compare),
            KeyBinding([.enter], "the level's daily trend (starts, players, win %, churn, booster %)", .trend),
            KeyBinding([.char("B")], "breakdown by a dimension: the top values by players, then Other", .breakdown),
            KeyBinding([.char("S")], "difficulty spikes: levels standing above their neighbours", .spikes),
            KeyBinding([.char("w")], "save this view under a name (game, range, filters, compare, sort)", .saveView),
            KeyBinding([.char("W")], "open a saved view", .openView),
        ]),
        HelpSection(title: "Admin", bindings: [
            KeyBinding([.char("a"), .function(8)], "admin: backfill, refresh, verify, status", .admin),
        ]),
        HelpSection(title: "General", bindings: [
            KeyBinding([.char("?"), .function(1)], "this help", .help),
            KeyBinding([.char("q"), .function(10)], "quit", .quit),
        ]),
        HelpSection(title: "In panes, menus and dialogs", bindings: [
            KeyBinding([.up, .down, .char("k"), .char("j")], "move"),
            KeyBinding([.space], "select and keep the pane open"),
            KeyBinding([.enter], "select / confirm"),
            KeyBinding([.tab, .backTab, .left, .right], "next / previous filter pane"),
            KeyBinding([.escape, .char("q")], "close"),
            KeyBinding([.char("y"), .char("n")], "answer a confirmation"),
        ]),
        HelpSection(title: "In compare, trend, breakdown and spikes views", bindings: [
            KeyBinding([.up, .down, .pageUp, .pageDown, .char("g"), .char("G")], "move between levels"),
            KeyBinding([.left, .right, .char("h"), .char("l")], "scroll the column groups; in a trend, move between days"),
            KeyBinding([.enter], "open the trend of the level under the cursor"),
            KeyBinding([.char("/"), .function(3)], "jump to a level"),
            KeyBinding([.escape, .char("q"), .backspace], "back to the previous view"),
        ]),
        HelpSection(title: "Mouse (unless --no-mouse)", bindings: [
            KeyBinding([], "wheel scrolls; click a header to sort, a row to select"),
        ]),
    ]

    /// The table command bound to `key`, if any.
    public static func command(for key: Key) -> Command? {
        table[key]
    }

    private static let table: [Key: Command] = {
        var map: [Key: Command] = [:]
        for section in sections {
            for binding in section.bindings {
                guard let command = binding.command else { continue }
                for key in binding.keys where map[key] == nil { map[key] = command }
            }
        }
        return map
    }()

    /// The bottom key bar (htop style).
    public static let hints: [(key: String, label: String)] = [
        ("F1", "Help"), ("F2", "Filter"), ("F3", "Find"), ("F4", "Dates"), ("F5", "Reload"),
        ("F6", "Sort"), ("F7", "Game"), ("F8", "Admin"), ("F9", "Theme"), ("F10", "Quit"),
    ]

    /// How far the help can scroll on a terminal of `size` (its box leaves 2 rows around and 2 for borders).
    public static func maxHelpScroll(_ size: TerminalSize) -> Int {
        max(0, helpLines.count - (size.height - 4))
    }

    /// Help text, one entry per line: section titles (key nil) and bindings.
    public static var helpLines: [(keys: String?, text: String)] {
        var lines: [(String?, String)] = []
        for (i, section) in sections.enumerated() {
            if i > 0 { lines.append((nil, "")) }
            lines.append((nil, section.title))
            for b in section.bindings { lines.append((b.keyLabel, b.description)) }
        }
        return lines
    }
}

extension Keymap {
    /// One binding per dimension (its pane's key), in `Dimension.allCases` order.
    static var filterPaneBindings: [KeyBinding] {
        Dimension.allCases.map { dimension -> KeyBinding in
            let child = Dimension.allCases.first { $0.parent == dimension }
            let then: String = child.map { " (then its \($0.tabTitle.lowercased())s)" } ?? ""
            return KeyBinding([dimension.key], dimension.title.lowercased() + " filter" + then, .filterPane(dimension))
        }
    }
}
