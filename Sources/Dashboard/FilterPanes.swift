import LevelFunnelCore

/// The filterable dimensions, each with its own pane.
public enum FilterDimension: Int, CaseIterable, Sendable, Hashable {
    case platform, country, appVersion, funnel, funnelVersion

    public var title: String {
        switch self {
        case .platform: return "Platform"
        case .country: return "Country"
        case .appVersion: return "App version"
        case .funnel: return "Funnel"
        case .funnelVersion: return "Funnel version"
        }
    }

    /// The key that opens this pane from the table (and switches to it inside the panes).
    public var key: Key {
        switch self {
        case .platform: return .char("p")
        case .country: return .char("c")
        case .appVersion: return .char("v")
        case .funnel: return .char("f")
        case .funnelVersion: return .char("V")
        }
    }

    /// The values a pane lists after "All" (nil stands for "All").
    public func options(_ dimensions: GameDimensions?, filters: FunnelFilters) -> [String?] {
        guard let d = dimensions else { return [nil] }
        switch self {
        case .platform: return [nil] + d.platforms
        case .country: return [nil] + d.countries
        case .appVersion: return [nil] + d.appVersions
        case .funnel: return [nil] + d.funnels
        case .funnelVersion:
            guard let funnel = filters.funnel else { return [nil] }
            return [nil] + (d.funnelVersions[funnel] ?? []).sorted().map(String.init)
        }
    }

    /// The value currently filtered on (nil: All).
    public func selected(in filters: FunnelFilters) -> String? {
        switch self {
        case .platform: return filters.platform
        case .country: return filters.country
        case .appVersion: return filters.appVersion
        case .funnel: return filters.funnel
        case .funnelVersion: return filters.funnelVersion.map(String.init)
        }
    }

    /// `filters` with this dimension set to `value` (nil: All). A new funnel clears its version.
    public func applying(_ value: String?, to filters: FunnelFilters) -> FunnelFilters {
        var f = filters
        switch self {
        case .platform: f.platform = value
        case .country: f.country = value
        case .appVersion: f.appVersion = value
        case .funnel:
            if f.funnel != value { f.funnelVersion = nil }
            f.funnel = value
        case .funnelVersion: f.funnelVersion = value.flatMap { Int($0) }
        }
        return f
    }
}

/// The open filter pane and its highlighted line.
public struct FilterPaneState: Sendable, Hashable {
    public var dimension: FilterDimension
    /// Index in `dimension.options(...)`; 0 is "All".
    public var cursor: Int

    public init(dimension: FilterDimension, cursor: Int = 0) {
        self.dimension = dimension
        self.cursor = cursor
    }

    /// Opens `dimension` with the cursor on its current value.
    public static func opening(_ dimension: FilterDimension, dimensions: GameDimensions?, filters: FunnelFilters) -> FilterPaneState {
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
            return .stay(.opening(FilterDimension(rawValue: (dimension.rawValue + 1) % 5)!, dimensions: dimensions, filters: filters))
        case .backTab, .left, .char("h"):
            return .stay(.opening(FilterDimension(rawValue: (dimension.rawValue + 4) % 5)!, dimensions: dimensions, filters: filters))
        case .char("x"):
            return .apply(FunnelFilters(), then: .opening(dimension, dimensions: dimensions, filters: FunnelFilters()))
        case .space:
            guard options.indices.contains(cursor) else { return .stay(self) }
            return .apply(dimension.applying(options[cursor], to: filters), then: self)
        case .enter:
            guard options.indices.contains(cursor) else { return .close }
            let applied = dimension.applying(options[cursor], to: filters)
            if dimension == .funnel, applied.funnel != nil,
               FilterDimension.funnelVersion.options(dimensions, filters: applied).count > 1 {
                return .apply(applied, then: .opening(.funnelVersion, dimensions: dimensions, filters: applied))
            }
            return .apply(applied, then: nil)
        case .escape, .char("q"), .function(2):
            return .close
        default:
            if let other = FilterDimension.allCases.first(where: { $0.key == key }) {
                return .stay(.opening(other, dimensions: dimensions, filters: filters))
            }
        }
        return .stay(next)
    }
}
