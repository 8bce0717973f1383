/// One funnel query of an answer made of several (a compare's side, a day of a series, a breakdown's group).
public struct AnswerPart: Sendable {
    /// For people: `baseline (platform=Android)`, `2026-11-03`, `platform=iOS`.
    public var label: String
    public var result: FunnelResult

    public init(label: String, result: FunnelResult) {
        self.label = label
        self.result = result
    }
}

/// An answer made of separate exact funnel queries (compare, by day, breakdown). Each part keeps the source
/// and coverage of its own query, so that the whole can say which source answered and which parts are
/// incomplete: no part is partial without saying so.
public protocol ComposedAnswer {
    /// The queries the answer is made of, labelled, in display order.
    var parts: [AnswerPart] { get }
}

extension ComposedAnswer {
    /// See ``Swift/Array/answeredBy(asked:)``.
    public func answeredBy(asked: FunnelSource) -> FunnelSource { parts.answeredBy(asked: asked) }
    /// See ``Swift/Array/incompleteNotes``.
    public var incompleteNotes: [String] { parts.incompleteNotes }
}

extension Array where Element == AnswerPart {
    /// The source that actually answered: `aggregates` when any part was answered from the aggregates alone (`fast`
    /// asked by a role that cannot read `events`), else the parts' source; `asked` when there are no parts.
    public func answeredBy(asked: FunnelSource) -> FunnelSource {
        if contains(where: { $0.result.source == .aggregates }) { return .aggregates }
        return first?.result.source ?? asked
    }

    /// One line per part with missing or stale days, for stderr: `incomplete answer: variant (platform=Android):
    /// 1 day aggregated + 5 missing of 6 days`.
    public var incompleteNotes: [String] {
        compactMap { part in
            guard let coverage = part.result.coverage, !coverage.isComplete else { return nil }
            return "incomplete answer: \(part.label): \(coverage.summary) of \(coverage.days) days"
        }
    }

    /// A short line for a status bar, nil when every day of every part came from fresh aggregates: the first
    /// incomplete part (and how many more), else how many parts computed days from the events.
    public var coverageSummary: (text: String, isComplete: Bool)? {
        let incomplete = filter { !($0.result.coverage?.isComplete ?? true) }
        if let first = incomplete.first, let coverage = first.result.coverage {
            let more = incomplete.count > 1 ? " (+\(incomplete.count - 1) more parts)" : ""
            return ("incomplete: \(first.label) \(coverage.summary)\(more)", false)
        }
        let live = filter { ($0.result.coverage?.live ?? 0) > 0 }.count
        return live == 0 ? nil : ("live days in \(live) of \(count) parts", true)
    }
}

extension FunnelCompare: ComposedAnswer {
    public var parts: [AnswerPart] {
        [AnswerPart(label: "baseline (\(baselineLabel))", result: baseline),
         AnswerPart(label: "variant (\(variantLabel))", result: variant)]
    }
}

extension DailySeries: ComposedAnswer {
    public var parts: [AnswerPart] { points.map { AnswerPart(label: $0.day.iso, result: $0.result) } }
}

extension Breakdown: ComposedAnswer {
    /// The total and the shown values (Other is made of them).
    public var parts: [AnswerPart] {
        groups.compactMap { group in
            group.result.map { AnswerPart(label: group.kind == .total ? "all" : "\(dimension.name)=\(group.label)", result: $0) }
        }
    }
}
