import LevelFunnelCore

/// The date range choices of the date selector (and of the backfill dialog).
public enum RangePreset: Sendable, Hashable {
    /// The last `n` days ending on the game's last day with events that is not after today (no earlier than its
    /// first day: `GameInfo.lastDays`).
    case lastDays(Int)
    /// From the game's first to its last day with events (the default).
    case wholeHistory
    /// Dates typed by the user.
    case custom

    /// The choices in the order shown.
    public static let choices: [RangePreset] = [.lastDays(7), .lastDays(30), .lastDays(90), .wholeHistory, .custom]

    public var label: String {
        switch self {
        case .lastDays(let n): return "last \(n) days"
        case .wholeHistory: return "whole history"
        case .custom: return "custom"
        }
    }

    /// The label of the preset that gives `range` for `game`, else `custom`.
    public static func label(of range: DayRange, game: GameInfo?) -> String {
        guard let game else { return RangePreset.custom.label }
        return (choices.first { $0.range(for: game) == range } ?? .custom).label
    }

    /// The range for `game` (nil for `.custom`, whose dates are typed).
    public func range(for game: GameInfo) -> DayRange? {
        switch self {
        case .lastDays(let n):
            return game.lastDays(n)
        case .wholeHistory:
            return game.history
        case .custom:
            return nil
        }
    }
}

/// The two date fields of a custom range.
public struct CustomRangeEditor: Sendable, Hashable {
    public var from: TextField
    public var to: TextField
    /// True when typing goes to `to`.
    public var editingTo: Bool
    /// Why the last Enter was refused.
    public var error: String?

    public init(from: String, to: String) {
        self.from = .date(from)
        self.to = .date(to)
        editingTo = false
    }

    /// Checks both fields by the CLI's rule for typed dates (`Day(typed:)`): a valid range, or the reason it is not
    /// one (short enough for the dialog; the text is in the field above).
    public func validate() -> Result<DayRange, BackendFailure> {
        let years = "\(Day.typedYears.lowerBound)-\(Day.typedYears.upperBound)"
        guard let f = try? Day(typed: from.text) else { return .failure(.init(message: "from: not a date (YYYY-MM-DD, \(years))")) }
        guard let t = try? Day(typed: to.text) else { return .failure(.init(message: "to: not a date (YYYY-MM-DD, \(years))")) }
        guard f <= t else { return .failure(.init(message: "from \(f) is after to \(t)")) }
        return .success(try! DayRange(from: f, to: t))
    }
}

/// A list of presets plus the custom date prompt; used by the date selector and the backfill dialog.
public struct RangePicker: Sendable, Hashable {
    public var cursor: Int
    public var custom: CustomRangeEditor?

    /// What a key did to the picker.
    public enum Outcome: Sendable, Equatable {
        case stay
        case chosen(DayRange, RangePreset)
        case cancelled
    }

    /// Starts on `preset` (whole history when absent).
    public init(selecting preset: RangePreset = .wholeHistory) {
        cursor = RangePreset.choices.firstIndex(of: preset) ?? 3
    }

    /// Handles a key; `game` supplies the dates of presets, `current` pre-fills the custom fields.
    public mutating func handle(_ key: Key, game: GameInfo, current: DayRange) -> Outcome {
        if var editor = custom {
            defer { if custom != nil { custom = editor } }
            let field = editor.editingTo ? \CustomRangeEditor.to : \CustomRangeEditor.from
            if editor[keyPath: field].handle(key) { editor.error = nil; return .stay }
            switch key {
            case .tab, .backTab, .up, .down:
                editor.editingTo.toggle()
            case .enter:
                if !editor.editingTo && editor.to.text.isEmpty { editor.editingTo = true; return .stay }
                switch editor.validate() {
                case .success(let range): custom = nil; return .chosen(range, .custom)
                case .failure(let problem): editor.error = problem.message
                }
            case .escape:
                custom = nil
            default:
                break
            }
            return .stay
        }
        let count = RangePreset.choices.count
        switch key {
        case .up, .char("k"): cursor = (cursor + count - 1) % count
        case .down, .char("j"): cursor = (cursor + 1) % count
        case .home, .char("g"): cursor = 0
        case .end, .char("G"): cursor = count - 1
        case .char(let c) where ("1"..."5").contains(c):
            cursor = Int(String(c))! - 1
            return choose(game: game, current: current)
        case .enter, .space: return choose(game: game, current: current)
        case .escape, .char("q"): return .cancelled
        default: break
        }
        return .stay
    }

    private mutating func choose(game: GameInfo, current: DayRange) -> Outcome {
        let preset = RangePreset.choices[cursor]
        if let range = preset.range(for: game) { return .chosen(range, preset) }
        custom = CustomRangeEditor(from: current.from.iso, to: current.to.iso)
        return .stay
    }
}
