import Foundation
import LevelFunnelCore

/// Draws backfill progress: a bar redrawn in place on a terminal, plain lines otherwise (logs, pipes).
final class ProgressReporter {
    private let title: String
    private let interactive: Bool
    private var lastPlainPercent = -1
    /// True while a bar is drawn on the current terminal line.
    private var drawn = false

    init(title: String, plain: Bool) {
        self.title = title
        interactive = !plain && isatty(STDERR_FILENO) == 1
    }

    func update(_ p: BackfillProgress) {
        let percent = Int(p.fraction * 100)
        let eta = p.etaSeconds.map { String(format: "ETA %.0fs", $0) } ?? ""
        let stats = String(format: "%d/%d days  %.0f events/s  %@", p.daysDone, p.daysTotal, p.eventsPerSecond, eta)
        if interactive {
            let width = 30
            let filled = Int(p.fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\u{1B}[2K\(title) \(bar) \(String(format: "%3d%%", percent))  \(stats)")
            drawn = true
        } else if percent / 10 != lastPlainPercent / 10 || p.daysDone == p.daysTotal {
            lastPlainPercent = percent
            write("\(title): \(p.day) \(percent)%  \(stats)\n")
        }
    }

    /// Ends the bar's line (once).
    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    /// A notice line (`levelfunnel: ...`) that does not end the command, on its own line: over the bar on a terminal,
    /// which is drawn again at the next update.
    func note(_ message: String) {
        if drawn { write("\r\u{1B}[2K") }
        drawn = false
        CLIErrors.note(message)
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
