import Foundation

/// A program running in a real terminal: a private tmux server (its own socket), keys sent with
/// `send-keys`, the screen read with `capture-pane`. UTF-8 throughout (`-u`, `LANG=C.UTF-8`).
final class TmuxSession {
    let socket: String
    private(set) var width: Int
    private(set) var height: Int

    /// Starts `command` in a `width`×`height` terminal; when it exits the pane prints `EXIT=<status>` and stays.
    init(command: String, width: Int = 160, height: Int = 45, environment: [String: String] = [:]) throws {
        socket = FileManager.default.temporaryDirectory.appendingPathComponent("lf-tmux-\(UUID().uuidString.prefix(8))").path
        self.width = width
        self.height = height
        var args = ["-u", "-S", socket, "new-session", "-d", "-x", "\(width)", "-y", "\(height)"]
        for (key, value) in environment.merging(["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"], uniquingKeysWith: { a, _ in a }) {
            args += ["-e", "\(key)=\(value)"]
        }
        args.append("\(command); echo EXIT=$?; sleep 600")
        try TmuxSession.startServer(args)
    }

    deinit { _ = try? TmuxSession.tmux(["-S", socket, "kill-server"]); try? FileManager.default.removeItem(atPath: socket) }

    /// Sends keys by tmux name (`Down`, `Enter`, `Escape`, `F8`) or literal text.
    func send(_ keys: String...) throws {
        for key in keys { try TmuxSession.tmux(["-S", socket, "send-keys", key]) }
    }

    /// Sends `text` literally, character by character (no key-name lookup).
    func type(_ text: String) throws {
        try TmuxSession.tmux(["-S", socket, "send-keys", "-l", text])
    }

    func resize(width: Int, height: Int) throws {
        self.width = width
        self.height = height
        try TmuxSession.tmux(["-S", socket, "resize-window", "-x", "\(width)", "-y", "\(height)"])
    }

    /// The visible screen as text.
    func capture() throws -> String {
        try TmuxSession.tmux(["-S", socket, "capture-pane", "-p"])
    }

    /// The visible screen as text, with the terminal's line-drawing characters (ncurses' ACS, which tmux
    /// keeps as `x`, `q`, `l`… shifted out with SO/SI) shown as the box-drawing characters they draw.
    func captureLineDrawing() throws -> String {
        let raw = try TmuxSession.tmux(["-S", socket, "capture-pane", "-p", "-e"])
        let lines: [Character: Character] = ["x": "│", "q": "─", "l": "┌", "k": "┐", "m": "└", "j": "┘"]
        var out = ""
        var lineDrawing = false
        var escape = false
        for c in raw {
            if escape { escape = c.isLetter ? false : true; continue } // skips `[...m` after ESC
            switch c {
            case "\u{1B}": escape = true
            case "\u{0E}": lineDrawing = true
            case "\u{0F}": lineDrawing = false
            default: out.append(lineDrawing ? lines[c] ?? c : c)
            }
        }
        return out
    }

    /// Polls the screen until `predicate` holds on a settled frame (two captures 30 ms apart agree: a capture can
    /// catch a frame half painted, e.g. an overlay's title drawn before its lines); returns the last capture
    /// either way.
    @discardableResult
    func waitFor(timeout: Double = 10, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try capture()
        while Date() < deadline {
            usleep(30_000)
            let next = try capture()
            if next == screen && predicate(screen) { return screen }
            screen = next
        }
        return screen
    }

    @discardableResult
    func waitFor(_ text: String, timeout: Double = 10) throws -> String {
        try waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// Runs `tmux new-session` with posix_spawn rather than `Process`: the tmux server it forks would
    /// inherit `Process`'s exit-watching descriptor (the wait would never end) and the test thread's
    /// blocked signals (the dashboard inside would ignore Ctrl-C). Here it gets /dev/null and a clean mask.
    static func startServer(_ args: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = (["tmux"] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "tmux", &actions, &attributes, argv, envp)
        guard rc == 0 else { throw CommandFailure(command: "tmux new-session", status: rc, stderr: "posix_spawn failed") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw CommandFailure(command: "tmux new-session", status: status, stderr: "") }
    }

    @discardableResult
    static func tmux(_ args: [String]) throws -> String {
        try run("/usr/bin/env", ["tmux"] + args)
    }

    /// Runs a program, returns its standard output, throws with its standard error on failure.
    @discardableResult
    static func run(_ path: String, _ args: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read stderr on another thread so neither pipe can fill up and block the child.
        let group = DispatchGroup()
        let errBox = DataBox()
        DispatchQueue.global().async(group: group) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(command: ([path] + args).joined(separator: " "), status: process.terminationStatus,
                                 stderr: String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    final class DataBox: @unchecked Sendable { var data = Data() }

    struct CommandFailure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }
}
