/// Two selections to compare: the baseline (what the variant is measured against) and the variant.
public struct ComparePlan: Sendable, Hashable {
    public var baseline: FunnelQuery
    public var variant: FunnelQuery
    public var baselineLabel: String
    public var variantLabel: String

    public init(baseline: FunnelQuery, variant: FunnelQuery, baselineLabel: String, variantLabel: String) {
        self.baseline = baseline
        self.variant = variant
        self.baselineLabel = baselineLabel
        self.variantLabel = variantLabel
    }
}

/// How the baseline is derived from the current selection (which is the variant, unless said otherwise).
public enum ComparePreset: Sendable, Hashable {
    /// The funnel's previous version (`level_funnel_version`) against the chosen one; with a funnel but no
    /// version chosen, its latest version against the one before.
    case previousFunnelVersion
    /// The same selection with `dimension` = `value` as the baseline (iOS against Android).
    case otherValue(Dimension, String)
    /// The same selection without the filter on `dimension` as the baseline (iOS against everything).
    case everything(Dimension)
    /// The range of the same length just before as the baseline (last week against the week before).
    case previousRange

    /// For people and file names: `previous funnel version`, `platform=Android`, `platform=all`, `previous range`.
    public var label: String {
        switch self {
        case .previousFunnelVersion: "previous funnel version"
        case .otherValue(let d, let v): "\(d.name)=\(v)"
        case .everything(let d): "\(d.name)=all"
        case .previousRange: "previous range"
        }
    }

    /// Reads `DIMENSION=VALUE` (`platform=Android`), or `DIMENSION=all` / `DIMENSION=*` for everything; the
    /// dimension by its contract name, its column or its option name (`app-version`).
    public static func parse(_ text: String) throws -> ComparePreset {
        guard let eq = text.firstIndex(of: "=") else {
            throw LevelFunnelError.invalidInput("'\(text)' is not DIMENSION=VALUE (e.g. platform=Android, platform=all)")
        }
        let name = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        guard let dimension = Dimension.named(name) else {
            throw LevelFunnelError.invalidInput("unknown dimension '\(name)': use one of \(Dimension.optionNames)")
        }
        if value == "all" || value == "*" { return .everything(dimension) }
        guard !value.isEmpty else { throw LevelFunnelError.invalidInput("'\(text)': the value is empty") }
        if let reason = dimension.validate(value) { throw LevelFunnelError.invalidInput(reason) }
        return .otherValue(dimension, value)
    }

    /// The two selections for `query` (the current one). `dimensions` gives the funnel's versions.
    public func plan(for query: FunnelQuery, dimensions: GameDimensions?) throws -> ComparePlan {
        var baseline = query
        var variant = query
        switch self {
        case .previousFunnelVersion:
            guard let funnel = query.filters.funnel else {
                throw LevelFunnelError.invalidInput("choose a funnel first: its versions are compared")
            }
            let versions = (dimensions?.options(.funnelVersion, filters: query.filters) ?? []).compactMap { Int($0) }.sorted()
            let current = query.filters.funnelVersion ?? versions.last
            guard let current else { throw LevelFunnelError.invalidInput("funnel \(funnel) has no versions") }
            guard let previous = versions.last(where: { $0 < current }) else {
                throw LevelFunnelError.invalidInput("funnel \(funnel) has no version before \(current)")
            }
            variant.filters.funnelVersion = current
            baseline.filters.funnelVersion = previous
        case .otherValue(let dimension, let value):
            // Setting a funnel clears its version (versions belong to one funnel).
            baseline.filters[dimension] = value
            if baseline == variant {
                throw LevelFunnelError.invalidInput("the selection already has \(dimension.name)=\(value): choose another value")
            }
        case .everything(let dimension):
            guard query.filters[dimension] != nil else {
                throw LevelFunnelError.invalidInput("the selection has no \(dimension.name) filter to compare with all values")
            }
            baseline.filters[dimension] = nil
        case .previousRange:
            let length = query.range.dayCount
            baseline.range = try DayRange(from: query.range.from.adding(days: -length), to: query.range.from.adding(days: -1))
        }
        return ComparePlan(baseline: baseline, variant: variant,
                           baselineLabel: Self.describe(baseline, against: variant),
                           variantLabel: Self.describe(variant, against: baseline))
    }

    /// What sets `query` apart from `other`: its differing filters (`platform=iOS`, `platform=all`) and range.
    static func describe(_ query: FunnelQuery, against other: FunnelQuery) -> String {
        var parts: [String] = []
        if query.range != other.range { parts.append("\(query.range.from)..\(query.range.to)") }
        for dimension in Dimension.allCases where query.filters[dimension] != other.filters[dimension] {
            parts.append("\(dimension.name)=\(query.filters[dimension] ?? "all")")
        }
        return parts.isEmpty ? "this selection" : parts.joined(separator: " ")
    }
}

extension Dimension {
    /// `app-version` for `appVersion`: the command line's spelling.
    public var optionName: String {
        name.reduce(into: "") { out, c in
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
    }

    /// The dimension called `text` by its contract name, column or option name (any case).
    public static func named(_ text: String) -> Dimension? {
        let t = text.lowercased()
        return allCases.first { $0.name.lowercased() == t || $0.column == t || $0.optionName == t }
    }

    /// `funnel, funnel-version, platform, country, app-version`.
    public static var optionNames: String { allCases.map(\.optionName).joined(separator: ", ") }
}
