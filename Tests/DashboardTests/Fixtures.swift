import Dashboard
import Foundation
import LevelFunnelCore

/// Canned data: a 12-level demo game whose churn spans ok / warn / bad, with undefined values
/// (no fails on levels 6 and 12, no next level for 12), and a second game for the selector.
enum Fixtures {
    static let asOf = Date(timeIntervalSince1970: 1_711_886_700) // 2024-03-31 12:05 UTC
    static let demo = GameInfo(id: "demo", firstDay: Day(iso: "2024-01-01")!, lastDay: Day(iso: "2024-03-31")!, aggregatedLevelEvents: 123_456)
    static let puzzle = GameInfo(id: "puzzle", firstDay: Day(iso: "2023-11-15")!, lastDay: Day(iso: "2024-02-29")!, aggregatedLevelEvents: 9_876)

    static let started = [1000, 930, 880, 700, 650, 610, 590, 420, 400, 390, 385, 380]
    static let completed = [950, 900, 720, 680, 640, 600, 450, 410, 395, 388, 383, 300]

    static var demoCounts: [LevelCounts] {
        (0..<12).map { i in
            let level = i + 1
            let starts = started[i] * 13 / 10
            let completes = completed[i] + 20
            let fails = (level == 6 || level == 12) ? 0 : max(0, starts - completes)
            return LevelCounts(levelId: level, starts: starts, completes: completes, fails: fails,
                               startedPlayers: started[i], completedPlayers: completed[i],
                               usersWithBoosters: (completes + fails) / 20, failsWithPurchase: fails / 25,
                               totalCompletionDuration: ExactDecimal("\(Double(completes) * (30 + Double(level) * 2.5))")!,
                               completionCount: completes,
                               totalFailDuration: ExactDecimal(fails * (20 + level)), failCount: fails)
        }
    }

    static var puzzleCounts: [LevelCounts] {
        (1...3).map { LevelCounts(levelId: $0 * 10, starts: 100, completes: 90, fails: 10, startedPlayers: 80, completedPlayers: 70) }
    }

    static let demoChoices = GameDimensions(
        values: [.platform: ["Android", "WebGL", "iOS"], .country: ["DE", "MX", "TR", "US"], .appVersion: ["0.1", "0.2", "0.10"],
                 .funnel: ["live_v1", "test_hard", "ライブ"], .funnelVersion: ["1", "2", "3"]],
        valuesByParent: [.funnelVersion: ["live_v1": ["1", "2"], "test_hard": ["3"], "ライブ": ["1"]]])

    static func backend(access: AccessRights = .everything, funnelError: String? = nil, emptyDemo: Bool = false) -> InMemoryBackend {
        InMemoryBackend(games: [demo, puzzle], dimensions: ["demo": demoChoices, "puzzle": GameDimensions(values: [.platform: ["iOS"]])],
                        counts: ["demo": emptyDemo ? [] : demoCounts, "puzzle": puzzleCounts],
                        access: access, asOf: asOf, funnelError: funnelError, queryMs: 3.2)
    }

    /// The six bundled themes, read from the repository's themes/ folder.
    static var themes: [Theme] {
        ThemeLoader.load(directories: [themesDirectory]).themes
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var themesDirectory: String { repositoryRoot.appendingPathComponent("themes").path }
}

/// Runs the reducer with effects performed synchronously against an in-memory backend.
struct Harness {
    var state: DashboardState
    var backend: InMemoryBackend
    let exportDirectory: String
    /// Every effect the reducer asked for, in order.
    var effects: [Effect] = []
    /// When false, effects are recorded but not performed (to look at pending states).
    var performEffects = true

    init(size: TerminalSize = TerminalSize(width: 120, height: 30), backend: InMemoryBackend = Fixtures.backend(),
         options: DashboardOptions = DashboardOptions(game: "demo"), themes: [Theme] = Fixtures.themes) {
        self.backend = backend
        exportDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("levelfunnel-tests-\(UUID().uuidString)").path
        state = DashboardState(options: options, size: size, themes: themes)
        let start = DashboardReducer.start(&state)
        run(start)
    }

    mutating func run(_ effects: [Effect]) {
        self.effects += effects
        guard performEffects else { return }
        for effect in effects {
            var answers: [BackendEvent] = []
            EffectExecutor.perform(effect, backend: backend, exportDirectory: exportDirectory,
                                   now: { Fixtures.asOf }, emit: { answers.append($0) })
            for answer in answers { send(.backend(answer)) }
        }
    }

    mutating func send(_ event: DashboardEvent) {
        let effects = DashboardReducer.reduce(&state, event)
        run(effects)
    }

    mutating func press(_ keys: Key...) {
        for key in keys { send(.key(key)) }
    }

    /// Types each character of `text` as a key.
    mutating func type(_ text: String) {
        for c in text { send(.key(.char(c))) }
    }

    var screen: Screen { DashboardRenderer.render(state) }
    var text: String { screen.text }
}
