/// One terminal cell: a grapheme and the style role it is drawn with.
public struct Cell: Sendable, Equatable {
    /// The grapheme shown; empty for the right half of a wide character.
    public var text: String
    public var role: StyleRole
    /// In ASCII mode, a box line: drawn with the terminal's line-drawing character (`text` is its stand-in).
    public var line: LineGlyph?

    public init(text: String, role: StyleRole, line: LineGlyph? = nil) {
        self.text = text
        self.role = role
        self.line = line
    }

    /// True for the second column of a wide character (drawn by its left neighbour).
    public var isContinuation: Bool { text.isEmpty }
}

/// A grid of styled cells: what the renderer produces and the curses layer paints.
public struct Screen: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    /// A blank screen in `role`.
    public init(width: Int, height: Int, role: StyleRole = .normal) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", role: role), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Blanks a rectangle in `role` (clipped to the screen).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: StyleRole) {
        for row in max(0, y)..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) {
                set(col, row, Cell(text: " ", role: role))
            }
        }
    }

    /// Writes `text` from column `x` of row `y`, stopping at `maxWidth` columns or the screen's edge;
    /// returns the columns written. A wide character that does not fit whole is left out; control characters
    /// (a line break in a dimension value) are written as escapes (`\n`), never raw.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: StyleRole, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for c in DisplayWidth.visible(text) {
            let w = DisplayWidth.of(c)
            if w == 0 {
                // Zero-width: attach to the previous cell so it is drawn with it.
                if col > x, col - 1 < width, col - 1 >= 0 { cells[y * width + col - 1].text.append(c) }
                continue
            }
            if col + w > limit { break }
            if col >= 0 {
                set(col, y, Cell(text: String(c), role: role))
                if w == 2 { set(col + 1, y, Cell(text: "", role: role)) }
            }
            col += w
        }
        return col - x
    }

    /// Writes `text` padded or cut to exactly `width` columns.
    public mutating func write(_ text: String, x: Int, y: Int, width w: Int, alignment: Alignment, role: StyleRole) {
        guard w > 0 else { return }
        write(text.padded(toWidth: w, alignment: alignment), x: x, y: y, role: role, maxWidth: w)
    }

    /// Changes the role of a run of cells, keeping their text.
    public mutating func restyle(x: Int, y: Int, width w: Int, role: StyleRole) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + w) { cells[y * width + col].role = role }
    }

    /// Sets one cell, repairing any wide character it overwrites half of.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = y * width + x
        if cells[i].isContinuation, x > 0, !cell.isContinuation {
            cells[i - 1].text = " "
        }
        if !cell.isContinuation, x + 1 < width, cells[i + 1].isContinuation,
           DisplayWidth.of(cells[i].text) == 2 {
            cells[i + 1].text = " "
        }
        cells[i] = cell
    }

    /// Row `y` as text (wide characters once, trailing spaces removed).
    public func line(_ y: Int) -> String {
        var out = ""
        for x in 0..<width where !self[x, y].isContinuation { out += self[x, y].text }
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// The whole screen as text, one line per row: what snapshot tests compare.
    public var text: String {
        (0..<height).map(line).joined(separator: "\n")
    }

    /// Row `y` as runs of equal role: what the curses layer paints in one call each.
    public func runs(inRow y: Int) -> [(x: Int, text: String, role: StyleRole)] {
        var result: [(x: Int, text: String, role: StyleRole)] = []
        var x = 0
        while x < width {
            let role = self[x, y].role
            var text = ""
            let start = x
            while x < width, self[x, y].role == role {
                if !self[x, y].isContinuation { text += self[x, y].text }
                x += 1
            }
            result.append((start, text, role))
        }
        return result
    }
}

extension Screen {
    /// In place of every non-ASCII cell, its ASCII stand-in (see `Glyphs.apply(to:)`). Here because
    /// `cells` can only be set from this file.
    mutating func transliterateToASCII() {
        for i in cells.indices {
            let cell = cells[i]
            if cell.isContinuation { continue }   // handled with its wide character, or already replaced
            if cell.text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { continue }
            if cell.text.count == 1, let glyph = Glyphs.glyph(for: cell.text.first!) {
                cells[i] = Cell(text: String(glyph.ascii), role: cell.role, line: glyph.line)
                continue
            }
            // Unknown (or carrying zero-width extras): one replacement mark per column it covers.
            cells[i] = Cell(text: String(Glyphs.replacement), role: cell.role)
            var next = i + 1
            while next < cells.count, next % width != 0, cells[next].isContinuation {
                cells[next] = Cell(text: String(Glyphs.replacement), role: cells[next].role)
                next += 1
            }
        }
    }
}
