import Foundation

/// A range as a saved view keeps it: relative to the game's days with events, or fixed dates.
public enum SavedRange: Sendable, Hashable {
    /// The game's whole history.
    case wholeHistory
    /// The last `n` days ending on the game's last day with events up to today (no earlier than its first).
    case lastDays(Int)
    /// Fixed dates.
    case fixed(DayRange)

    /// The dates for `game`.
    public func range(for game: GameInfo) -> DayRange {
        switch self {
        case .wholeHistory: game.history
        case .lastDays(let n): game.lastDays(n)
        case .fixed(let range): range
        }
    }

    /// `whole`, `last7`, `2026-01-01..2026-01-31`.
    public var text: String {
        switch self {
        case .wholeHistory: "whole"
        case .lastDays(let n): "last\(n)"
        case .fixed(let r): "\(r.from)..\(r.to)"
        }
    }

    /// Reads `text`; throws ``LevelFunnelError/invalidInput(_:)`` saying what is wrong. Dates follow the CLI's rule
    /// for typed dates (`Day(typed:)`).
    public init(text: String) throws {
        if text == "whole" { self = .wholeHistory; return }
        if text.hasPrefix("last"), let n = Int(text.dropFirst(4)), n > 0 { self = .lastDays(n); return }
        func fail(_ why: String) -> LevelFunnelError { .invalidInput("range '\(text)': \(why)") }
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2 else { throw fail("use whole, last7 or YYYY-MM-DD..YYYY-MM-DD") }
        let days = try parts.map { part in
            do { return try Day(typed: part) } catch let error as LevelFunnelError { throw fail(error.description) }
        }
        guard days[0] <= days[1] else { throw fail("\(days[0]) is after \(days[1])") }
        self = .fixed(try DayRange(from: days[0], to: days[1]))
    }
}

/// A view saved under a name: the game, the range, the filters, a compare, the sort and the cursor's column.
public struct SavedView: Sendable, Hashable {
    public var game: String
    public var range: SavedRange
    public var filters: FunnelFilters
    public var compare: ComparePreset?
    /// A contract field name and a direction.
    public var sort: (field: String, descending: Bool)?
    /// The contract field under the cursor.
    public var column: String?

    public init(game: String, range: SavedRange = .wholeHistory, filters: FunnelFilters = FunnelFilters(),
                compare: ComparePreset? = nil, sort: (field: String, descending: Bool)? = nil, column: String? = nil) {
        self.game = game
        self.range = range
        self.filters = filters
        self.compare = compare
        self.sort = sort
        self.column = column
    }

    public static func == (a: SavedView, b: SavedView) -> Bool {
        a.game == b.game && a.range == b.range && a.filters == b.filters && a.compare == b.compare
            && a.sort?.field == b.sort?.field && a.sort?.descending == b.sort?.descending && a.column == b.column
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(game)
        hasher.combine(range)
        hasher.combine(filters)
    }

    /// The query of this view for `game` (its history resolves relative ranges).
    public func query(_ game: GameInfo) -> FunnelQuery {
        FunnelQuery(game: self.game, range: range.range(for: game), filters: filters)
    }

    /// `levels` (in level order) in this view's sort, as the dashboard sorts: by `levelId` or a contract field,
    /// undefined values last in both directions, ties in level order. Unchanged without a sort.
    public func sorted(_ levels: [LevelMetrics]) -> [LevelMetrics] {
        guard let sort else { return levels }
        let value: (LevelMetrics) -> Double?
        if sort.field == "levelId" {
            value = { Double($0.levelId) }
        } else if let field = MetricFields.named(sort.field) {
            value = field.value
        } else {
            return levels
        }
        return levels.enumerated().sorted { a, b in
            switch (value(a.element), value(b.element)) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?): return x == y ? a.offset < b.offset : (sort.descending ? x > y : x < y)
            }
        }.map(\.element)
    }
}

extension ComparePreset {
    /// `previous-range`, `previous-version`, `platform=Android`, `platform=all`: how saved views write a compare.
    public var savedText: String {
        switch self {
        case .previousRange: "previous-range"
        case .previousFunnelVersion: "previous-version"
        case .otherValue(let d, let v): "\(d.name)=\(v)"
        case .everything(let d): "\(d.name)=all"
        }
    }

    public init(savedText text: String) throws {
        switch text {
        case "previous-range": self = .previousRange
        case "previous-version": self = .previousFunnelVersion
        default: self = try ComparePreset.parse(text)
        }
    }
}

/// The saved views file: `$XDG_CONFIG_HOME/levelfunnel/views.toml` (default `~/.config/levelfunnel/views.toml`).
///
/// A small TOML subset, written and read here: one table per view, `[views."NAME"]`, holding string keys —
/// `game`, `range` (`whole`, `last7`, `2026-01-01..2026-01-31`), one key per filter (`platform = "iOS"`, by the
/// dimension's contract name), `compare`, `sort` (`churnTotal desc`) and `column`. Comments (`#`) and blank lines are
/// ignored; a line that cannot be read is an error naming the line.
public enum SavedViews {
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let config: String
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            config = xdg
        } else {
            config = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return config + "/levelfunnel/views.toml"
    }

    /// Every view in the file at `path` by name (none when the file does not exist).
    public static func load(path: String) throws -> [String: SavedView] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try parse(text, source: path)
    }

    /// The view called `name`, or an error listing the names there are.
    public static func named(_ name: String, path: String) throws -> SavedView {
        let views = try load(path: path)
        guard let view = views[name] else {
            let names = views.keys.sorted()
            throw LevelFunnelError.invalidInput("no saved view '\(name)' in \(path)"
                + (names.isEmpty ? " (no views saved yet)" : "; views: \(names.joined(separator: ", "))"))
        }
        return view
    }

    /// Saves `view` under `name` (replacing a view of that name), keeping the others; writes atomically.
    public static func save(_ view: SavedView, name: String, path: String) throws {
        guard !name.isEmpty, !name.contains(where: { $0.isNewline }) else {
            throw LevelFunnelError.invalidInput("a view name must not be empty or hold a line break")
        }
        var views = try load(path: path)
        views[name] = view
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(render(views).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The file's text for `views`, by name.
    public static func render(_ views: [String: SavedView]) -> String {
        var out = "# levelfunnel saved views (levelfunnel tui --view NAME, levelfunnel query --view NAME)\n"
        for name in views.keys.sorted() {
            let view = views[name]!
            out += "\n[views.\(quote(name))]\n"
            out += "game = \(quote(view.game))\n"
            out += "range = \(quote(view.range.text))\n"
            for (dimension, value) in view.filters.active { out += "\(dimension.name) = \(quote(value))\n" }
            if let compare = view.compare { out += "compare = \(quote(compare.savedText))\n" }
            if let sort = view.sort { out += "sort = \(quote("\(sort.field) \(sort.descending ? "desc" : "asc")"))\n" }
            if let column = view.column { out += "column = \(quote(column))\n" }
        }
        return out
    }

    /// Reads the file's text. Lines end with LF or CRLF (as TOML allows: a file saved by a Windows editor).
    public static func parse(_ text: String, source: String = "views.toml") throws -> [String: SavedView] {
        var views: [String: SavedView] = [:]
        var current: String?
        var keys: [String: [String: String]] = [:]
        var order: [String] = []
        // Split by scalars: as a Character, CR LF is one grapheme, which a split on "\n" would not see.
        for (number, scalars) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let raw = scalars.last == "\r" ? scalars.dropLast() : scalars[...]
            let line = String(raw).trimmingCharacters(in: .whitespaces)
            func fail(_ why: String) -> LevelFunnelError { .invalidInput("\(source):\(number + 1): \(why)") }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let control = line.unicodeScalars.first(where: { $0 != "\t" && $0.properties.generalCategory == .control }) {
                if control == "\r" { throw fail("a carriage return not followed by a line feed: end lines with LF or CRLF") }
                throw fail("a raw control character (U+\(String(format: "%04X", control.value))): write it as an escape inside a string")
            }
            if line.hasPrefix("[") {
                guard line.hasPrefix("[views."), line.hasSuffix("]") else { throw fail("expected [views.\"NAME\"]") }
                let inner = String(line.dropFirst("[views.".count).dropLast())
                let name = inner.hasPrefix("\"") ? try unquote(inner, fail) : inner
                guard !name.isEmpty else { throw fail("empty view name") }
                current = name
                if keys[name] == nil { order.append(name) }
                keys[name, default: [:]] = [:]
                continue
            }
            guard let current else { throw fail("a key before any [views.\"NAME\"] table") }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = \"value\"") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if let hash = value.range(of: "\" #") { value = String(value[..<value.index(after: hash.lowerBound)]) }
            keys[current]![key] = try unquote(value, fail)
        }
        for name in order {
            let k = keys[name]!
            func fail(_ why: String) -> LevelFunnelError { .invalidInput("\(source): view '\(name)': \(why)") }
            guard let game = k["game"] else { throw fail("no game") }
            var view = SavedView(game: game)
            if let r = k["range"] {
                do { view.range = try SavedRange(text: r) } catch let error as LevelFunnelError { throw fail(error.description) }
            }
            for dimension in Dimension.allCases {
                guard let value = k[dimension.name] else { continue }
                if let reason = dimension.validate(value) { throw fail(reason) }
                view.filters[dimension] = value
            }
            if let c = k["compare"] {
                do { view.compare = try ComparePreset(savedText: c) } catch let error as LevelFunnelError { throw fail("compare: \(error)") }
            }
            if let s = k["sort"] {
                let parts = s.split(separator: " ")
                guard let field = parts.first, field == "levelId" || MetricFields.named(String(field)) != nil,
                      parts.count <= 2, parts.count == 1 || ["asc", "desc"].contains(parts[1]) else {
                    throw fail("sort '\(s)': use a contract field and asc or desc")
                }
                view.sort = (String(field), parts.count == 1 || parts[1] == "desc")
            }
            if let column = k["column"] {
                guard MetricFields.named(column) != nil else { throw fail("column '\(column)' is no contract field") }
                view.column = column
            }
            let known = Set(["game", "range", "compare", "sort", "column"] + Dimension.allCases.map(\.name))
            if let unknown = k.keys.sorted().first(where: { !known.contains($0) }) { throw fail("unknown key '\(unknown)'") }
            views[name] = view
        }
        return views
    }

    /// A TOML basic string: JSON's escapes (`\"`, `\\`, `\n`, `\r`, `\t`, `\uXXXX`) are TOML's too.
    static func quote(_ s: String) -> String { JSONText.string(s) }

    static func unquote(_ s: String, _ fail: (String) -> LevelFunnelError) throws -> String {
        guard s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") else { throw fail("expected a quoted string, got \(s)") }
        var out = ""
        var escaped = false
        var pendingUnicode: String?  // the hex digits read after `\u`
        for c in s.dropFirst().dropLast() {
            if var hex = pendingUnicode {
                hex.append(c)
                guard c.isHexDigit else { throw fail("\\u needs four hex digits") }
                if hex.count < 4 { pendingUnicode = hex; continue }
                guard let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) else { throw fail("\\u\(hex) is not a character") }
                out.unicodeScalars.append(scalar)
                pendingUnicode = nil
            } else if escaped {
                switch c {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "t": out.append("\t")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "u":
                    pendingUnicode = ""
                default: throw fail("unknown escape \\\(c)")
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                throw fail("a quote inside a string must be escaped")
            } else {
                out.append(c)
            }
        }
        if escaped || pendingUnicode != nil { throw fail("a string ends inside an escape") }
        return out
    }
}
