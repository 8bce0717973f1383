/// A bordered window drawn over the table (panes, menus, dialogs, help).
struct Box {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    /// A box of at most `width`×`height`, centred on the screen.
    static func centered(width: Int, height: Int, on screen: Screen) -> Box {
        let w = min(width, screen.width - 2)
        let h = min(height, screen.height - 2)
        return Box(x: max(0, (screen.width - w) / 2), y: max(0, (screen.height - h) / 2), width: w, height: h)
    }

    /// Inner area.
    var innerX: Int { x + 2 }
    var innerWidth: Int { width - 4 }
    var innerTop: Int { y + 1 }
    var innerHeight: Int { height - 2 }

    /// Clears the box and draws its border, a title in the top edge and a hint in the bottom edge.
    func draw(on screen: inout Screen, title: String, footer: String = "") {
        screen.fill(x: x, y: y, width: width, height: height, role: .dialog)
        screen.write("┌" + String(repeating: "─", count: max(0, width - 2)) + "┐", x: x, y: y, role: .dialog)
        for row in (y + 1)..<(y + height - 1) {
            screen.write("│", x: x, y: row, role: .dialog)
            screen.write("│", x: x + width - 1, y: row, role: .dialog)
        }
        screen.write("└" + String(repeating: "─", count: max(0, width - 2)) + "┘", x: x, y: y + height - 1, role: .dialog)
        if !title.isEmpty {
            screen.write(" \(title) ", x: x + 2, y: y, role: .dialogTitle, maxWidth: width - 4)
        }
        if !footer.isEmpty {
            let text = " \(footer) ".truncated(toWidth: width - 4)
            screen.write(text, x: x + width - 2 - text.displayWidth, y: y + height - 1, role: .dialog)
        }
    }

    /// Writes one line of content (row 0 is the first inner row), cut to the inner width.
    func line(_ row: Int, _ text: String, on screen: inout Screen, role: StyleRole = .dialog, x dx: Int = 0) {
        guard row >= 0, row < innerHeight else { return }
        screen.write(text.truncated(toWidth: innerWidth - dx), x: innerX + dx, y: innerTop + row, role: role)
    }

    /// Highlights a whole inner row (the cursor of a list).
    func highlight(_ row: Int, on screen: inout Screen, role: StyleRole) {
        guard row >= 0, row < innerHeight else { return }
        screen.restyle(x: x + 1, y: innerTop + row, width: width - 2, role: role)
    }
}
