import LevelFunnelCore

/// Each dimension has its own filter pane, in `Dimension.allCases` order.
extension Dimension {
    /// The key that opens this pane from the table (and switches to it inside the panes).
    public var key: Key {
        switch self {
        case .platform: .char("p")
        case .country: .char("c")
        case .appVersion: .char("v")
        case .funnel: .char("f")
        case .funnelVersion: .char("V")
        }
    }

    /// The pane's name in the tab strip: the title's last word for a child dimension (`Version`), the first
    /// word otherwise (`App`).
    var tabTitle: String {
        let words = title.split(separator: " ")
        let word = String((parent == nil ? words.first : words.last) ?? Substring(title))
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    /// The values a pane lists after "All" (nil stands for "All").
    public func options(_ dimensions: GameDimensions?, filters: FunnelFilters) -> [String?] {
        [nil] + (dimensions?.options(self, filters: filters) ?? [])
    }

    /// The value currently filtered on (nil: All).
    public func selected(in filters: FunnelFilters) -> String? { filters[self] }

    /// `filters` with this dimension set to `value` (nil: All). A new funnel clears its version.
    public func applying(_ value: String?, to filters: FunnelFilters) -> FunnelFilters {
        var f = filters
        f[self] = value
        return f
    }

    /// The pane `offset` places after this one, wrapping around.
    func neighbour(_ offset: Int) -> Dimension {
        let all = Dimension.allCases
        return all[(all.firstIndex(of: self)! + offset + all.count) % all.count]
    }
}

/// The open filter pane and its highlighted line.
public struct FilterPaneState: Sendable, Hashable {
    public var dimension: Dimension
    /// Index in `dimension.options(...)`; 0 is "All".
    public var cursor: Int

    public init(dimension: Dimension, cursor: Int = 0) {
        self.dimension = dimension
        self.cursor = cursor
    }

    /// Opens `dimension` with the cursor on its current value.
    public static func opening(_ dimension: Dimension, dimensions: GameDimensions?, filters: FunnelFilters) -> FilterPaneState {
        let options = dimension.options(dimensions, filters: filters)
        let current = dimension.selected(in: filters)
        return FilterPaneState(dimension: dimension, cursor: options.firstIndex(of: current) ?? 0)
    }
}

/// What a key did in a filter pane.
enum FilterPaneOutcome {
    case stay(FilterPaneState)
    /// Apply these filters, and keep the pane open (nil: close it).
    case apply(FunnelFilters, then: FilterPaneState?)
    case close
}

extension FilterPaneState {
    /// Keys inside a pane: move, select with Space (stay) or Enter (close; a chosen funnel moves on to
    /// its versions), switch panes with Tab/←/→ or a pane's letter, clear all with `x`, close with Esc.
    func handle(_ key: Key, dimensions: GameDimensions?, filters: FunnelFilters, pageSize: Int) -> FilterPaneOutcome {
        let options = dimension.options(dimensions, filters: filters)
        var next = self
        let last = max(0, options.count - 1)
        switch key {
        case .up, .char("k"): next.cursor = max(0, cursor - 1)
        case .down, .char("j"): next.cursor = min(last, cursor + 1)
        case .pageUp: next.cursor = max(0, cursor - pageSize)
        case .pageDown: next.cursor = min(last, cursor + pageSize)
        case .home, .char("g"): next.cursor = 0
        case .end, .char("G"): next.cursor = last
        case .tab, .right, .char("l"):
            return .stay(.opening(dimension.neighbour(1), dimensions: dimensions, filters: filters))
        case .backTab, .left, .char("h"):
            return .stay(.opening(dimension.neighbour(-1), dimensions: dimensions, filters: filters))
        case .char("x"):
            return .apply(FunnelFilters(), then: .opening(dimension, dimensions: dimensions, filters: FunnelFilters()))
        case .space:
            guard options.indices.contains(cursor) else { return .stay(self) }
            return .apply(dimension.applying(options[cursor], to: filters), then: self)
        case .enter:
            guard options.indices.contains(cursor) else { return .close }
            let applied = dimension.applying(options[cursor], to: filters)
            // A chosen parent (a funnel) moves on to its children (its versions) when it has any.
            if applied[dimension] != nil,
               let child = Dimension.allCases.first(where: { $0.parent == dimension }),
               child.options(dimensions, filters: applied).count > 1 {
                return .apply(applied, then: .opening(child, dimensions: dimensions, filters: applied))
            }
            return .apply(applied, then: nil)
        case .escape, .char("q"), .function(2):
            return .close
        default:
            if let other = Dimension.allCases.first(where: { $0.key == key }) {
                return .stay(.opening(other, dimensions: dimensions, filters: filters))
            }
        }
        return .stay(next)
    }
}
