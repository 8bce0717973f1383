import Foundation
import ArgumentParser
import LevelFunnelCore

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the Level Funnel of a game for a date range and filters.",
        discussion: """
            --source fast (the default) answers from the daily aggregates, and computes the days they do not \
            cover (never aggregated, stale, or with a pending change) from the events in the same answer: always \
            complete and equal to --source raw, which reads only the events table (the reference). \
            --source aggregates reads the aggregates alone (for roles without access to events): days they do not \
            cover are reported as missing or stale, never filled in. Every answer says where its days came from \
            (the table's caption, JSON's "coverage"; on stderr when some are missing). Dates are UTC days, both \
            ends included; without --from/--to the game's whole history is used. Filters are equality matches; \
            a filter left out means all values, NULLs included.

            Compare, by day, breakdown and spikes (one at a time) are made of separate exact funnel queries: each \
            number equals what a plain `query` of that selection prints. In a compare the selection given is the \
            variant and the option names the baseline; differences are variant − baseline, and rates with player \
            or attempt denominators carry a two-proportion z-test (* in the table: p < 0.05).

            Examples:
              levelfunnel query --game demo --from 2026-01-01 --to 2026-01-31
              levelfunnel query --game demo --platform iOS --country US --format json
              levelfunnel query --game demo --source raw --format csv > funnel.csv
              levelfunnel query --game demo --platform iOS --compare-with platform=Android
              levelfunnel query --game demo --funnel live_v1 --funnel-version 3 --compare-previous-version
              levelfunnel query --game demo --from 2026-11-23 --to 2026-11-29 --compare-previous --format csv
              levelfunnel query --game demo --by day --level 22
              levelfunnel query --game demo --breakdown platform --top 3
              levelfunnel query --game demo --spikes
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    enum By: String, ExpressibleByArgument, CaseIterable {
        case level, day
    }

    @OptionGroup var selection: SelectionOptions

    @Option(help: "Where the numbers come from: fast (aggregates + live days from the events), aggregates (only), or raw (events).")
    var source: FunnelSource = .fast

    @Option(help: "Output format: table (for people), json (the metrics contract's shape) or csv (with a header).")
    var format: Format = .table

    @Option(name: .customLong("compare-with"), help: ArgumentHelp(
        "Compare with the same selection where DIMENSION=VALUE (the baseline), or DIMENSION=all for every value.",
        valueName: "dimension=value"))
    var compareWith: String?

    @Flag(name: .customLong("compare-previous"), help: "Compare with the range of the same length just before.")
    var comparePrevious = false

    @Flag(name: .customLong("compare-previous-version"),
          help: "Compare the funnel version (--funnel-version, else the funnel's latest) with the version before.")
    var comparePreviousVersion = false

    @Option(help: ArgumentHelp("Fields shown in compare and breakdown tables (contract names, comma-separated).",
                               valueName: "fields"))
    var metrics: String?

    @Option(help: "One row per level (default) or per day and level.")
    var by: By = .level

    @Option(help: "With --by day: only this level.")
    var level: Int?

    @Option(help: ArgumentHelp("Break the selection down by a dimension: funnel, funnel-version, platform, country, app-version.",
                               valueName: "dimension"))
    var breakdown: String?

    @Option(help: "With --breakdown: values shown (most players first); the rest are summed as Other.")
    var top: Int = 5

    @Flag(help: "Rank levels by how far their fail %, attempts per success, churn and booster % stand above their neighbours'.")
    var spikes = false

    @Option(help: "With --spikes: neighbours on each side.")
    var window: Int = SpikeRanking.defaultWindow

    @Option(help: ArgumentHelp("A view saved in the dashboard (w) or views.toml: its game, range, filters, compare and sort; options given replace its parts.",
                               valueName: "name"))
    var view: String?

    @OptionGroup var database: DatabaseOptions

    /// The compare asked for, if any (else the saved view's, unless another view of the numbers is asked for).
    func comparePreset(_ saved: SavedView?) throws -> ComparePreset? {
        if comparePrevious { return .previousRange }
        if comparePreviousVersion { return .previousFunnelVersion }
        if let compareWith { return try ComparePreset.parse(compareWith) }
        return by == .day || breakdown != nil || spikes ? nil : saved?.compare
    }

    func validate() throws {
        if selection.game == nil && view == nil { throw ValidationError("Missing expected argument '--game <game>' (or --view NAME)") }
        let modes = [compareWith != nil || comparePrevious || comparePreviousVersion, by == .day, breakdown != nil, spikes]
        if modes.filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --compare-with/--compare-previous/--compare-previous-version, --by day, --breakdown, --spikes")
        }
        if [compareWith != nil, comparePrevious, comparePreviousVersion].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --compare-with, --compare-previous, --compare-previous-version")
        }
        if level != nil && by != .day { throw ValidationError("--level goes with --by day") }
        if let breakdown, Dimension.named(breakdown) == nil {
            throw ValidationError("--breakdown '\(breakdown)': use one of \(Dimension.optionNames)")
        }
        if top < 1 { throw ValidationError("--top must be at least 1") }
        if window < 1 { throw ValidationError("--window must be at least 1") }
        if let metrics { _ = try Self.fields(metrics) }
        if let compareWith {
            do { _ = try ComparePreset.parse(compareWith) } catch let error as LevelFunnelError {
                throw ValidationError("--compare-with: \(error.description)")
            }
        }
    }

    /// Contract fields named in `--metrics`.
    static func fields(_ text: String) throws -> [MetricField] {
        try text.split(separator: ",").map { name in
            guard let field = MetricFields.named(name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--metrics: unknown field '\(name)' (fields: \(MetricFields.names.joined(separator: ", ")))")
            }
            return field
        }
    }

    func run() throws {
        try CLIErrors.report {
            let saved = try view.map { try SavedViews.named($0, path: SavedViews.defaultPath()) }
            let store = try database.openStore()
            try store.requireSchema()
            let query = try selection.query(store, view: saved)
            let shown = try metrics.map(Self.fields)
            if let preset = try comparePreset(saved) {
                let plan = try preset.plan(for: query, dimensions: preset == .previousFunnelVersion
                                           ? try store.dimensions(game: query.game, source: source) : nil)
                let compare = try store.compare(plan, source: source)
                Self.reportProvenance(compare, asked: source)
                switch format {
                case .table: print(AnalysisTables.compare(compare, fields: shown ?? AnalysisTables.compareFields), terminator: "")
                case .json: print(AnalysisFormatter.json(compare))
                case .csv: print(AnalysisFormatter.csv(compare), terminator: "")
                }
            } else if by == .day {
                let series = try store.dailySeries(query, source: source)
                Self.reportProvenance(series, asked: source)
                switch format {
                case .table: print(AnalysisTables.daily(series, source: series.answeredBy(asked: source), level: level), terminator: "")
                case .json: print(AnalysisFormatter.json(series, source: source, level: level))
                case .csv: print(AnalysisFormatter.csv(series, level: level), terminator: "")
                }
            } else if let name = breakdown, let dimension = Dimension.named(name) {
                let clock = ContinuousClock()
                var result: Breakdown?
                let elapsed = try clock.measure { result = try store.breakdown(query, by: dimension, top: top, source: source) }
                let ms = elapsed.milliseconds
                Self.reportProvenance(result!, asked: source)
                switch format {
                case .table: print(AnalysisTables.breakdown(result!, source: result!.answeredBy(asked: source),
                                                            fields: shown ?? AnalysisTables.breakdownFields), terminator: "")
                case .json: print(AnalysisFormatter.json(result!, source: source, queryMs: ms))
                case .csv: print(AnalysisFormatter.csv(result!), terminator: "")
                }
            } else {
                let result = try store.funnel(query, source: source)
                if source == .fast && result.source == .aggregates { CLIErrors.note(Self.aggregatesOnlyNote) }
                if let coverage = result.coverage, !coverage.isComplete {
                    CLIErrors.note("incomplete answer: \(coverage.summary) of \(coverage.days) days")
                }
                if spikes {
                    let ranking = SpikeRanking.rank(result.levels, window: window)
                    switch format {
                    case .table: print(AnalysisTables.spikes(ranking, result: result), terminator: "")
                    case .json: print(AnalysisFormatter.json(ranking, result: result, window: window))
                    case .csv: print(AnalysisFormatter.csv(ranking), terminator: "")
                    }
                    return
                }
                // A saved view's sort orders the rows of the table and the CSV (JSON stays in level order).
                var sorted = result
                if let saved { sorted.levels = saved.sorted(result.levels) }
                switch format {
                case .table: print(FunnelTable.render(sorted), terminator: "")
                case .json: print(FunnelFormatter.json(result))
                case .csv: print(FunnelFormatter.csv(sorted.levels), terminator: "")
                }
            }
        }
    }
}

extension QueryCommand {
    static let aggregatesOnlyNote = "cannot read the events table: answered from the aggregates only (ask for levelfunnel_writer)"

    /// Says on stderr what a composed answer's parts say in JSON: answered from the aggregates alone, and each
    /// incomplete part.
    static func reportProvenance(_ answer: some ComposedAnswer, asked: FunnelSource) {
        if asked == .fast && answer.answeredBy(asked: asked) == .aggregates { CLIErrors.note(aggregatesOnlyNote) }
        for note in answer.incompleteNotes { CLIErrors.note(note) }
    }
}

extension FunnelSource: ExpressibleByArgument {}
