import CNcursesw
import Dashboard
import Foundation

/// How to start the dashboard.
public struct DashboardLaunch: Sendable {
    public var options: DashboardOptions
    /// Where `e` writes CSV files.
    public var exportDirectory: String
    /// Opens one backend; called once per worker thread.
    public var makeBackend: @Sendable () throws -> any DashboardBackend
    /// Environment (for `NO_COLOR`, theme folders, `LEVELFUNNEL_TUI_TIMING`).
    public var environment: [String: String]

    public init(options: DashboardOptions, exportDirectory: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                makeBackend: @escaping @Sendable () throws -> any DashboardBackend) {
        var options = options
        // NO_COLOR (any non-empty value) forces the mono theme: https://no-color.org
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { options.noColor = true }
        self.options = options
        self.exportDirectory = exportDirectory ?? environment["LEVELFUNNEL_EXPORT_DIR"]
            ?? FileManager.default.currentDirectoryPath
        self.environment = environment
        self.makeBackend = makeBackend
    }
}

/// The interactive dashboard: the input loop tying the terminal, the reducer and the effect runner.
public enum DashboardApp {
    /// Runs until `q` or a signal; returns the process exit status.
    public static func run(_ launch: DashboardLaunch) -> Int32 {
        if let problem = TerminalSupport.problem() {
            FileHandle.standardError.write(Data("levelfunnel: \(problem)\n".utf8))
            return 2
        }
        var options = launch.options
        // Chosen once: a locale that is not UTF-8 would show UTF-8 glyphs as raw bytes.
        if options.glyphs == .unicode { options.glyphs = TerminalSupport.localeGlyphs() }
        let catalog = ThemeLoader.loadCatalog(environment: launch.environment)
        // The terminal first: it installs the signal handlers, which the worker threads then inherit.
        let terminal = CursesTerminal(colors: !launch.options.noColor, mouse: launch.options.mouse)
        let runner = EffectRunner(exportDirectory: launch.exportDirectory, makeBackend: launch.makeBackend)
        // Fewer than 8 colours cannot show the themes: mono, not unreadable colours.
        if terminal.colorCount < 8 { options.noColor = true }
        let painter = CursesPainter(terminal: terminal)
        let timing = launch.environment["LEVELFUNNEL_TUI_TIMING"].flatMap(TimingLog.init(path:))

        var state = DashboardState(options: options, size: terminal.size, themes: catalog.themes)
        var sentAt: [Int: ContinuousClock.Instant] = [:]
        func dispatch(_ effects: [Effect]) {
            for case .loadFunnel(_, _, let request) in effects { sentAt[request] = .now }
            runner.run(effects)
        }
        dispatch(DashboardReducer.start(&state))
        painter.paint(DashboardRenderer.render(state), theme: state.theme)

        var exitStatus: Int32 = 0
        loop: while !state.shouldQuit {
            let signal = terminal.takePendingSignal()
            if signal != 0 { exitStatus = 128 + signal; break loop }

            var dirty = false
            var repaint = false
            var keyAt: ContinuousClock.Instant?
            // Poll fast while the database is working, so answers show within ~10 ms.
            let input = terminal.read(timeoutMs: runner.isBusy ? 10 : 100)
            if case .none = input, terminal.isHungUp { exitStatus = 129; break loop }
            if let input {
                keyAt = .now
                switch input {
                case .key(let key): dispatch(DashboardReducer.reduce(&state, .key(key)))
                case .resize(let size): dispatch(DashboardReducer.reduce(&state, .resize(size)))
                case .repaint: repaint = true
                }
                dirty = true
            }
            var answered: [(request: Int, source: String, queryMs: Double)] = []
            for answer in runner.drain() {
                if case .funnel(let request, let result) = answer {
                    let funnel = try? result.get()
                    answered.append((request, funnel?.source.rawValue ?? "failed", funnel?.queryMs ?? 0))
                }
                dispatch(DashboardReducer.reduce(&state, .backend(answer)))
                dirty = true
            }
            if dirty {
                let paintStart = ContinuousClock.now
                painter.paint(DashboardRenderer.render(state), theme: state.theme, clearFirst: repaint)
                let now = ContinuousClock.now
                timing?.record("frame", now - paintStart)
                // key: keypress to screen updated; funnel: query sent to its answer on screen.
                if let keyAt { timing?.record("key", now - keyAt) }
                for (request, source, queryMs) in answered {
                    if let start = sentAt.removeValue(forKey: request) {
                        timing?.record("funnel-\(source)", now - start, detail: String(format: "db %.2f", queryMs))
                    }
                    // Older requests were superseded and dropped unanswered: forget them.
                    sentAt = sentAt.filter { $0.key > request }
                }
            }
        }
        runner.shutdown()
        terminal.restore()
        return exitStatus
    }
}

/// Appends `kind milliseconds [detail]` lines to a file: how the end-to-end tests measure keypress-to-redraw.
final class TimingLog {
    private let handle: FileHandle

    init?(path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        self.handle = handle
    }

    func record(_ kind: String, _ duration: Duration, detail: String = "") {
        let ms = duration.milliseconds
        handle.write(Data((String(format: "%@ %.2f", kind, ms) + (detail.isEmpty ? "" : " " + detail) + "\n").utf8))
    }
}
