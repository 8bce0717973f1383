import CNcursesw
import Dashboard
import Foundation

/// What one read of the keyboard produced.
enum TerminalInput {
    case key(Key)
    case resize(TerminalSize)
    /// Ctrl-L: repaint everything.
    case repaint
}

/// The terminal under ncurses: set-up, restore, size, input. Only this file and `CursesPainter`
/// call ncurses, always from the main thread.
final class CursesTerminal {
    /// Colours the terminal can show (0 when none, or when `NO_COLOR` is set).
    private(set) var colorCount = 0
    /// True when `use_default_colors` worked (the terminal's own colours can be used as `default`).
    private(set) var hasDefaultColors = false
    private var active = false

    /// Takes over the terminal. `colors: false` (NO_COLOR) leaves colour off entirely.
    init(colors: Bool, mouse: Bool) {
        lf_setlocale_all()            // UTF-8 in and out, before initscr
        lf_install_signal_handlers()  // SIGINT/SIGTERM/SIGHUP only set a flag; the loop restores
        initscr()
        active = true
        cbreak()
        noecho()
        nonl()
        lf_keypad(true)
        set_escdelay(25)              // Esc must feel instant; escape sequences arrive faster than this
        lf_curs_set(0)
        if colors && has_colors() {
            start_color()
            hasDefaultColors = use_default_colors() == OK
            colorCount = Int(lf_colors())
        }
        if mouse {
            _ = lf_mousemask(lf_mouse_mask_wanted())
            mouseinterval(0)          // report presses at once instead of waiting to detect clicks
        }
    }

    deinit { restore() }

    /// Gives the terminal back (idempotent): cursor shown, modes reset, screen restored.
    func restore() {
        guard active else { return }
        active = false
        lf_curs_set(1)
        endwin()
    }

    var size: TerminalSize {
        var y: Int32 = 0, x: Int32 = 0
        lf_getmaxyx(lf_stdscr(), &y, &x)
        return TerminalSize(width: Int(x), height: Int(y))
    }

    /// A signal that asked us to stop, if one arrived.
    func takePendingSignal() -> Int32 { lf_take_pending_signal() }

    /// True when the terminal went away without a signal reaching us (its window was closed).
    var isHungUp: Bool { lf_terminal_hung_up() != 0 }

    /// Waits up to `timeoutMs` for input.
    func read(timeoutMs: Int32) -> TerminalInput? {
        lf_timeout(timeoutMs)
        var ch: wint_t = 0
        let status = lf_get_wch(&ch)
        if status == ERR { return nil }
        if status == lf_key_code_yes() {
            return functionKey(Int32(ch))
        }
        return character(UInt32(ch))
    }

    private func functionKey(_ code: Int32) -> TerminalInput? {
        switch code {
        case KEY_RESIZE: return .resize(size)
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME, KEY_FIND, KEY_A1: return .key(.home)
        case KEY_END, KEY_SELECT, KEY_C1, KEY_LL: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_MOUSE:
            var kind: Int32 = 0, x: Int32 = 0, y: Int32 = 0
            guard lf_getmouse(&kind, &x, &y) == 0 else { return nil }
            switch kind {
            case 1: return .key(.mouse(MouseEvent(kind: .click, x: Int(x), y: Int(y))))
            case 2: return .key(.mouse(MouseEvent(kind: .wheelUp, x: Int(x), y: Int(y))))
            case 3: return .key(.mouse(MouseEvent(kind: .wheelDown, x: Int(x), y: Int(y))))
            default: return nil
            }
        default:
            for n in 1...12 where code == lf_key_f(Int32(n)) { return .key(.function(n)) }
            return nil
        }
    }

    private func character(_ value: UInt32) -> TerminalInput? {
        switch value {
        case 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 12: return .repaint
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(value + 96)!)))
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }
}
