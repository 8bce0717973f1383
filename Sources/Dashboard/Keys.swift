/// A key press as the dashboard sees it, independent of ncurses key codes.
public enum Key: Hashable, Sendable {
    /// A printable character (letters keep their case: `g` and `G` differ).
    case char(Character)
    /// Ctrl plus a letter, stored in lowercase (`Ctrl-B` is `.ctrl("b")`).
    case ctrl(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, delete, tab, backTab
    /// F1...F12.
    case function(Int)
    /// A mouse click or wheel turn (only when the mouse is enabled).
    case mouse(MouseEvent)

    /// Space, the most common character key after letters.
    public static let space = Key.char(" ")

    /// How the key is written in help and hints.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .function(let n): return "F\(n)"
        case .mouse: return "mouse"
        }
    }
}

/// A mouse event in screen coordinates (0-based columns and rows).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// The terminal's size in columns and rows.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }
}

/// Everything the reducer reacts to.
public enum DashboardEvent: Sendable {
    case key(Key)
    case resize(TerminalSize)
    case backend(BackendEvent)
}
