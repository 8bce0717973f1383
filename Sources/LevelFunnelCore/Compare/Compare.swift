import Foundation

/// The two-proportion z-test (pooled), for a rate of one selection against another's.
public struct ZTest: Sendable, Hashable {
    /// (variant − baseline) / pooled standard error.
    public var z: Double
    /// Two-sided p-value: `erfc(|z| / √2)`.
    public var pValue: Double

    /// The threshold under which a difference is marked significant.
    public static let alpha = 0.05

    public var isSignificant: Bool { pValue < Self.alpha }

    public init(z: Double, pValue: Double) {
        self.z = z
        self.pValue = pValue
    }

    /// Tests `x2/n2` (variant) against `x1/n1` (baseline) with a pooled proportion; nil when a side has no trials,
    /// a count lies outside `0...n`, or the pooled proportion is 0 or 1 (no variance: nothing to test).
    public static func twoProportion(successes x1: Int, trials n1: Int, versus x2: Int, trials n2: Int) -> ZTest? {
        guard n1 > 0, n2 > 0, (0...n1).contains(x1), (0...n2).contains(x2) else { return nil }
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        guard se > 0 else { return nil }
        let z = (Double(x2) / Double(n2) - Double(x1) / Double(n1)) / se
        return ZTest(z: z, pValue: erfc(abs(z) / 2.0.squareRoot()))
    }
}

/// What a rate divides by: players (distinct) or attempts (events), so that a reader knows what a difference means.
public enum RateDenominator: String, Sendable, Hashable, CaseIterable {
    /// Distinct players who started the level.
    case startedPlayers
    /// Distinct players who completed the level.
    case completedPlayers
    /// Distinct players who completed the first level of the result.
    case firstLevelCompletedPlayers
    /// Attempts that ended: completes + fails (events).
    case attempts
    /// Fails (events).
    case fails

    /// For people: `started players`, `attempts (completes + fails)`...
    public var title: String {
        switch self {
        case .startedPlayers: "started players"
        case .completedPlayers: "completed players"
        case .firstLevelCompletedPlayers: "first level's completed players"
        case .attempts: "attempts (completes + fails)"
        case .fails: "fails"
        }
    }

    /// True when the denominator counts players rather than events.
    public var isPlayers: Bool { self == .startedPlayers || self == .completedPlayers || self == .firstLevelCompletedPlayers }

    /// The denominator's value for a level, given the first level of the same result.
    public func value(_ c: LevelCounts, first: LevelCounts) -> Int {
        switch self {
        case .startedPlayers: c.startedPlayers
        case .completedPlayers: c.completedPlayers
        case .firstLevelCompletedPlayers: first.completedPlayers
        case .attempts: c.completes + c.fails
        case .fails: c.fails
        }
    }

    /// The denominator of each rate field of the contract, by field name (see the contract's formulas); fields
    /// absent here (counts, APS, durations) are not proportions and get no z-test.
    public static let ofField: [String: RateDenominator] = [
        "churnStartComplete": .startedPlayers, "churnCompleteNext": .completedPlayers, "churnTotal": .startedPlayers,
        "boosterUsage": .attempts, "egpRate": .fails, "winRate": .attempts, "completionRate": .startedPlayers,
        "failRate": .attempts, "funnelRate": .firstLevelCompletedPlayers,
    ]
}

/// One field of one level in both selections.
public struct MetricDifference: Sendable, Hashable {
    /// The contract's field name.
    public var field: String
    public var baseline: Double?
    public var variant: Double?
    /// The rate's denominator (nil for counts, APS and durations).
    public var denominator: RateDenominator?
    /// The denominator's value on each side (rates only).
    public var baselineTrials: Int?
    public var variantTrials: Int?
    /// The z-test of the two rates, when it applies (both sides defined, counts within `0...n`).
    public var test: ZTest?

    /// The exact values of a count or sum (nil for derived fields), so that JSON and CSV print them and their
    /// difference without rounding.
    public var baselineExact: ExactDecimal?
    public var variantExact: ExactDecimal?

    /// variant − baseline (percentage points for rates), nil when either is undefined.
    public var difference: Double? {
        guard let baseline, let variant else { return nil }
        return variant - baseline
    }

    /// `baseline`, `variant` and `difference` as JSON and CSV write them: exact for counts and sums.
    public var baselineText: String? { baselineExact?.description ?? baseline.map(JSONText.number) }
    public var variantText: String? { variantExact?.description ?? variant.map(JSONText.number) }
    public var differenceText: String? {
        if let baselineExact, let variantExact { return (variantExact - baselineExact).description }
        return difference.map(JSONText.number)
    }

    public var isSignificant: Bool { test?.isSignificant ?? false }
}

/// One level in both selections.
public struct LevelComparison: Sendable, Hashable {
    public var levelId: Int
    public var baseline: LevelMetrics?
    public var variant: LevelMetrics?
    /// One per field of `MetricFields.all`, in that order.
    public var metrics: [MetricDifference]

    /// Players who started the level in each selection.
    public var baselineEntrants: Int { baseline?.counts.startedPlayers ?? 0 }
    public var variantEntrants: Int { variant?.counts.startedPlayers ?? 0 }

    /// variant / baseline entrants (nil when the baseline has none).
    public var entrantsRatio: Double? {
        baselineEntrants == 0 ? nil : Double(variantEntrants) / Double(baselineEntrants)
    }

    /// True when one selection brings at most half as many players to the level as the other
    /// (`LevelComparison.entrantsThreshold`): its rates are per entrant, and fewer entrants is not churn.
    public var entrantsDiffer: Bool {
        let low = min(baselineEntrants, variantEntrants), high = max(baselineEntrants, variantEntrants)
        return high > 0 && Double(low) <= Self.entrantsThreshold * Double(high)
    }

    public static let entrantsThreshold = 0.5

    /// The difference of `field`, if the contract has it.
    public func metric(_ field: String) -> MetricDifference? { metrics.first { $0.field == field } }
}

/// A baseline selection against a variant selection, level by level: both values of every field, the
/// difference, and for rates the denominator and a two-proportion z-test.
public struct FunnelCompare: Sendable {
    public var baseline: FunnelResult
    public var variant: FunnelResult
    /// For people: `platform=Android`, `2026-10-01..2026-10-07`.
    public var baselineLabel: String
    public var variantLabel: String
    /// Every level present in either result, by `levelId`.
    public var levels: [LevelComparison]

    public init(baseline: FunnelResult, variant: FunnelResult, baselineLabel: String, variantLabel: String) {
        self.baseline = baseline
        self.variant = variant
        self.baselineLabel = baselineLabel
        self.variantLabel = variantLabel
        let base = Dictionary(uniqueKeysWithValues: baseline.levels.map { ($0.levelId, $0) })
        let other = Dictionary(uniqueKeysWithValues: variant.levels.map { ($0.levelId, $0) })
        let baseFirst = baseline.levels.first?.counts, otherFirst = variant.levels.first?.counts
        levels = Set(base.keys).union(other.keys).sorted().map { id in
            let b = base[id], v = other[id]
            let metrics = MetricFields.all.map { field in
                var d = MetricDifference(field: field.name, baseline: b.flatMap(field.value), variant: v.flatMap(field.value),
                                         baselineExact: b.flatMap(field.exactValue), variantExact: v.flatMap(field.exactValue))
                if let denominator = RateDenominator.ofField[field.name] {
                    d.denominator = denominator
                    if let b, let baseFirst { d.baselineTrials = denominator.value(b.counts, first: baseFirst) }
                    if let v, let otherFirst { d.variantTrials = denominator.value(v.counts, first: otherFirst) }
                    if let p1 = d.baseline, let p2 = d.variant, let n1 = d.baselineTrials, let n2 = d.variantTrials {
                        // A rate is successes / trials × 100 with whole numbers on both sides: rounding recovers them.
                        d.test = ZTest.twoProportion(successes: Int((p1 * Double(n1) / 100).rounded()), trials: n1,
                                                     versus: Int((p2 * Double(n2) / 100).rounded()), trials: n2)
                    }
                }
                return d
            }
            return LevelComparison(levelId: id, baseline: b, variant: v, metrics: metrics)
        }
    }

    /// Builds both selections of `plan` with `funnel` (the store's or a backend's) and compares them.
    public static func load(_ plan: ComparePlan, funnel: (FunnelQuery) throws -> FunnelResult) throws -> FunnelCompare {
        FunnelCompare(baseline: try funnel(plan.baseline), variant: try funnel(plan.variant),
                      baselineLabel: plan.baselineLabel, variantLabel: plan.variantLabel)
    }
}
