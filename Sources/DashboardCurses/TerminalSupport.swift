import CNcursesw
import Dashboard
import Foundation

/// What the terminal and the locale can do, found before curses touches the screen.
public enum TerminalSupport {
    /// Why the dashboard cannot run on this terminal, as one line for stderr; nil when it can.
    ///
    /// Checked before `initscr`: on a terminal without cursor addressing (`TERM=dumb`, an unknown
    /// `TERM`) curses would start anyway and draw one garbled line.
    public static func problem() -> String? {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            return "the dashboard needs a terminal (use `levelfunnel query` in scripts)"
        }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        switch lf_terminal_check() {
        case 0: return nil
        case 1: return "TERM is not set: the dashboard needs the terminal's type (e.g. TERM=xterm-256color)"
        case 2: return "unknown terminal type '\(term)' (TERM): no terminfo entry; try TERM=xterm-256color"
        case 3: return "no terminfo database: cannot drive the terminal '\(term)'"
        case 4: return "'\(term)' is a hardcopy terminal: the dashboard needs a screen"
        default: return "the terminal '\(term)' (TERM) cannot move the cursor; the dashboard needs a full-screen terminal"
        }
    }

    /// The glyphs the locale can show: UTF-8 when its character set is UTF-8, else ASCII with the
    /// terminal's line drawing. Sets the locale from the environment (`LANG`, `LC_ALL`, `LC_CTYPE`).
    public static func localeGlyphs() -> Glyphs {
        lf_locale_is_utf8() != 0 ? .unicode : .ascii
    }
}
