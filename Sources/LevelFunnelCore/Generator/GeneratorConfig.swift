import Foundation

/// What the synthetic event generator produces: one game's history of `days` days from `start`.
public struct GeneratorConfig: Sendable, Hashable {
    /// The `game_id` of every row.
    public var game: String
    /// Number of players; each installs on some day of the history.
    public var players: Int = 5_000
    /// Length of the history in days; every `occurred_at` lies in `[start, start + days)`.
    public var days: Int = 60
    /// Levels `1...levels`, of rising difficulty.
    public var levels: Int = 100
    /// Same configuration and seed → byte-identical output.
    public var seed: UInt64 = 1
    /// First (UTC) day of the history.
    public var start: Day
    /// Levels made much harder than their neighbours (planted difficulty spikes, for tests and demos).
    public var hardLevels: [Int] = []
    /// The time of generation: no event occurs after it (the history stops there, as a real game's does at any
    /// moment) and none is received after it (a late event is received then at the latest, however late it was
    /// played). nil: the whole history, each event received at its own delay. A history that ended more than five
    /// days before it (the longest delay) is the same either way.
    public var now: Date?
    /// Only the events that occurred from this day on are written; earlier days are simulated, not written. With
    /// the same options and a later `now`, the events that followed a history loaded before (the morning bench).
    public var writeFrom: Day?
    /// Every written event is received at `now` (a backlog delivered at once), not at its own delay.
    public var receivedAtNow = false
    /// The number of the first player's id (`p000001` by default): a second history with its own players starts
    /// after the first's.
    public var firstPlayerNumber = 1

    /// Upper bounds accepted by `validate()`.
    public static let maxPlayers = 1_000_000
    public static let maxDays = 3_650
    public static let maxLevels = 10_000
    public static let maxGameLength = 200

    public init(game: String, players: Int = 5_000, days: Int = 60, levels: Int = 100, seed: UInt64 = 1, start: Day) {
        self.game = game
        self.players = players
        self.days = days
        self.levels = levels
        self.seed = seed
        self.start = start
    }

    /// Checks the options; the error names the command-line option at fault.
    public func validate() throws {
        if game.isEmpty {
            throw LevelFunnelError.invalidInput("--game must not be empty")
        }
        if game.utf8.count > Self.maxGameLength {
            throw LevelFunnelError.invalidInput("--game must be at most \(Self.maxGameLength) bytes long")
        }
        if players < 1 || players > Self.maxPlayers {
            throw LevelFunnelError.invalidInput("--players must be between 1 and \(Self.maxPlayers) (got \(players))")
        }
        if days < 1 || days > Self.maxDays {
            throw LevelFunnelError.invalidInput("--days must be between 1 and \(Self.maxDays) (got \(days))")
        }
        if levels < 1 || levels > Self.maxLevels {
            throw LevelFunnelError.invalidInput("--levels must be between 1 and \(Self.maxLevels) (got \(levels))")
        }
        if let bad = hardLevels.first(where: { !(1...levels).contains($0) }) {
            throw LevelFunnelError.invalidInput("--hard-levels: level \(bad) is not between 1 and \(levels)")
        }
        let end = start.adding(days: days)
        if start.ordinal < 0 || end.ordinal > 2_932_896 {  // 1970-01-01 ..< 10000-01-01
            throw LevelFunnelError.invalidInput("--start must make the history lie between 1970-01-01 and 9999-12-31 (got \(start) + \(days) days)")
        }
        if receivedAtNow && now == nil {
            throw LevelFunnelError.invalidInput("events received at the time of generation need that time (now)")
        }
    }
}

/// What a generation run produced.
public struct GeneratorStats: Sendable, Hashable {
    /// All rows written.
    public var events: Int
    /// Rows that count under the metrics contract: `level_start`/`level_complete`/`level_failed` with a valid
    /// integral `levelId`.
    public var levelEvents: Int
    /// Players with at least one row.
    public var players: Int
    /// Rows that look like level events but do not count (bad `levelId`, or event name in the wrong case).
    /// `events - levelEvents - malformed` are plain non-level events (`session_start`).
    public var malformed: Int
    /// Rows whose `received_at` is at least one day after `occurred_at`.
    public var late: Int

    public init(events: Int = 0, levelEvents: Int = 0, players: Int = 0, malformed: Int = 0, late: Int = 0) {
        self.events = events
        self.levelEvents = levelEvents
        self.players = players
        self.malformed = malformed
        self.late = late
    }
}
