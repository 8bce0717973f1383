/// JSON and CSV for compare, daily series, breakdowns and spikes (`levelfunnel query --compare-with`, `--by day`,
/// `--breakdown`, `--spikes`). Level objects are the contract's (`FunnelFormatter`); undefined values are `null`
/// in JSON and empty in CSV.
public enum AnalysisFormatter {
    // MARK: Compare

    /// `{"game", "source", "queryMs", "baseline": {...}, "variant": {...}, "alpha", "denominators", "levels": [...]}`;
    /// each level has both sides' entrants and, per field, `baseline`, `variant`, `difference`, and for rates
    /// `denominator`, `baselineTrials`, `variantTrials`, `z`, `pValue`, `significant`.
    public static func json(_ compare: FunnelCompare) -> String {
        var out = "{"
        out += "\"game\":\(JSONText.string(compare.variant.query.game)),"
        out += "\"source\":\(JSONText.string(compare.answeredBy(asked: compare.variant.source).rawValue)),"
        out += "\"queryMs\":\(ms(compare.baseline.queryMs + compare.variant.queryMs)),"
        out += "\"baseline\":\(selection(compare.baseline, label: compare.baselineLabel)),"
        out += "\"variant\":\(selection(compare.variant, label: compare.variantLabel)),"
        out += "\"alpha\":\(JSONText.number(ZTest.alpha)),"
        out += "\"denominators\":{" + MetricFields.names.compactMap { name in
            RateDenominator.ofField[name].map { "\(JSONText.string(name)):\(JSONText.string($0.rawValue))" }
        }.joined(separator: ",") + "},"
        out += "\"levels\":[" + compare.levels.map { level in
            "{\"levelId\":\(level.levelId),\"baselineEntrants\":\(level.baselineEntrants),"
                + "\"variantEntrants\":\(level.variantEntrants),\"entrantsDiffer\":\(level.entrantsDiffer),"
                + "\"fields\":{" + level.metrics.map { d in
                    var parts = ["\"baseline\":\(d.baselineText ?? "null")", "\"variant\":\(d.variantText ?? "null")",
                                 "\"difference\":\(d.differenceText ?? "null")"]
                    if let denominator = d.denominator {
                        parts += ["\"denominator\":\(JSONText.string(denominator.rawValue))",
                                  "\"baselineTrials\":\(d.baselineTrials.map(String.init) ?? "null")",
                                  "\"variantTrials\":\(d.variantTrials.map(String.init) ?? "null")",
                                  "\"z\":\(number(d.test?.z))", "\"pValue\":\(number(d.test?.pValue))",
                                  "\"significant\":\(d.test.map { String($0.isSignificant) } ?? "null")"]
                    }
                    return "\(JSONText.string(d.field)):{" + parts.joined(separator: ",") + "}"
                }.joined(separator: ",") + "}}"
        }.joined(separator: ",") + "]}"
        return out
    }

    /// One line per level and field: `levelId,field,baseline,variant,difference,denominator,baselineTrials,
    /// variantTrials,z,pValue,significant`, after `#` lines naming both selections.
    public static func csv(_ compare: FunnelCompare) -> String {
        var lines = ["# baseline: \(describe(compare.baseline.query)) (\(compare.baselineLabel))",
                     "# variant: \(describe(compare.variant.query)) (\(compare.variantLabel))",
                     "levelId,field,baseline,variant,difference,denominator,baselineTrials,variantTrials,z,pValue,significant"]
        for level in compare.levels {
            for d in level.metrics {
                lines.append([String(level.levelId), d.field, d.baselineText ?? "", d.variantText ?? "",
                              d.differenceText ?? "", d.denominator?.rawValue ?? "",
                              d.baselineTrials.map(String.init) ?? "", d.variantTrials.map(String.init) ?? "",
                              csvNumber(d.test?.z), csvNumber(d.test?.pValue),
                              d.test.map { String($0.isSignificant) } ?? ""].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Daily series

    /// The contract's object with `days` instead of `levels`: `[{"day", "queryMs", "levels": [...]}]`, the levels
    /// limited to `level` when given.
    public static func json(_ series: DailySeries, source: FunnelSource, level: Int? = nil) -> String {
        var out = "{" + header(series.query, source: series.answeredBy(asked: source), queryMs: series.queryMs)
        if let level { out += ",\"level\":\(level)" }
        out += ",\"days\":[" + series.points.map { point in
            (["\"day\":\(JSONText.string(point.day.iso))", "\"source\":\(JSONText.string(point.result.source.rawValue))",
              "\"queryMs\":\(ms(point.result.queryMs))"] + FunnelFormatter.provenance(point.result)
             + ["\"levels\":[" + levels(point.result, only: level).map(FunnelFormatter.levelJSON).joined(separator: ",") + "]"])
                .joined(separator: ",").braced
        }.joined(separator: ",") + "]}"
        return out
    }

    /// `day,levelId,<every field>`: one line per day and level (or per day for `level`; a day without the level
    /// is left out).
    public static func csv(_ series: DailySeries, level: Int? = nil) -> String {
        var lines = [(["day", "levelId"] + MetricFields.names).joined(separator: ",")]
        for point in series.points {
            for m in levels(point.result, only: level) {
                lines.append(([point.day.iso, String(m.levelId)] + MetricFields.all.map { $0.text(m) ?? "" })
                    .joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Breakdown

    /// `{"game", "from", "to", "filters", "source", "dimension", "overlap", "otherValues", "groups": [{"kind",
    /// "value", "players", "levels": [...]}]}`; Other's player fields are `null`.
    public static func json(_ breakdown: Breakdown, source: FunnelSource, queryMs: Double) -> String {
        var out = "{" + header(breakdown.query, source: breakdown.answeredBy(asked: source), queryMs: queryMs)
        out += ",\"dimension\":\(JSONText.string(breakdown.dimension.name))"
        out += ",\"valuesPlayers\":\(breakdown.valuesPlayers),\"totalPlayers\":\(breakdown.totalPlayers)"
        out += ",\"overlap\":\(breakdown.overlapNote.map(JSONText.string) ?? "null")"
        out += ",\"otherValues\":[" + breakdown.otherValues.map(JSONText.string).joined(separator: ",") + "]"
        out += ",\"groups\":[" + breakdown.groups.map { group in
            let (kind, value): (String, String?) = switch group.kind {
            case .total: ("total", nil)
            case .value(let v): ("value", v)
            case .other: ("other", nil)
            }
            return (["\"kind\":\(JSONText.string(kind))", "\"value\":\(value.map(JSONText.string) ?? "null")",
                     "\"players\":\(group.players.map(String.init) ?? "null")"]
                    + (group.result.map(FunnelFormatter.provenance) ?? [])
                    + ["\"levels\":[" + breakdown.levelIds.filter { group.levels[$0] != nil }.map { id in
                        "{\"levelId\":\(id)," + MetricFields.all.map {
                            "\"\($0.name)\":\(group.text($0, level: id) ?? "null")"
                        }.joined(separator: ",") + "}"
                    }.joined(separator: ",") + "]"]).joined(separator: ",").braced
        }.joined(separator: ",") + "]}"
        return out
    }

    /// `group,levelId,<every field>`: `group` is `All`, a value or `Other`.
    public static func csv(_ breakdown: Breakdown) -> String {
        var lines = breakdown.overlapNote.map { ["# " + $0] } ?? []
        lines.append((["group", "levelId"] + MetricFields.names).joined(separator: ","))
        for group in breakdown.groups {
            for id in breakdown.levelIds where group.levels[id] != nil {
                lines.append(([csvField(group.label), String(id)]
                              + MetricFields.all.map { group.text($0, level: id) ?? "" }).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Spikes

    /// `{"game", "from", "to", "filters", "source", "queryMs", "window", "measures", "levels": [{"rank", "levelId",
    /// "score", "measures": {"failRate": {"value", "median", "excess", "robustZ"}, ...}}]}`, highest score first.
    public static func json(_ ranking: [SpikeRanking.Entry], result: FunnelResult, window: Int) -> String {
        var out = "{" + header(result.query, source: result.source, queryMs: result.queryMs)
        out += ",\"window\":\(window),\"measures\":[" + SpikeRanking.fieldNames.map(JSONText.string).joined(separator: ",") + "]"
        out += ",\"levels\":[" + ranking.enumerated().map { rank, entry in
            "{\"rank\":\(rank + 1),\"levelId\":\(entry.levelId),\"score\":\(JSONText.number(entry.score)),\"measures\":{"
                + entry.measures.map { m in
                    "\(JSONText.string(m.field)):{\"value\":\(JSONText.number(m.value)),\"median\":\(JSONText.number(m.median)),"
                        + "\"excess\":\(JSONText.number(m.excess)),\"robustZ\":\(number(m.robustZ))}"
                }.joined(separator: ",") + "}}"
        }.joined(separator: ",") + "]}"
        return out
    }

    /// `rank,levelId,score` then `FIELD,FIELDMedian,FIELDExcess` per measure.
    public static func csv(_ ranking: [SpikeRanking.Entry]) -> String {
        let names = SpikeRanking.fieldNames
        var lines = [(["rank", "levelId", "score"] + names.flatMap { [$0, $0 + "Median", $0 + "Excess"] }).joined(separator: ",")]
        for (rank, entry) in ranking.enumerated() {
            lines.append(([String(rank + 1), String(entry.levelId), JSONText.number(entry.score)] + names.flatMap { name in
                entry.measure(name).map { [JSONText.number($0.value), JSONText.number($0.median), JSONText.number($0.excess)] }
                    ?? ["", "", ""]
            }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Pieces

    /// `game, from, to, filters, source, queryMs` as in the contract's object (without braces).
    static func header(_ query: FunnelQuery, source: FunnelSource, queryMs: Double) -> String {
        "\"game\":\(JSONText.string(query.game)),\"from\":\(JSONText.string(query.range.from.iso)),"
            + "\"to\":\(JSONText.string(query.range.to.iso)),\"filters\":\(FunnelFormatter.json(query.filters)),"
            + "\"source\":\(JSONText.string(source.rawValue)),\"queryMs\":\(ms(queryMs))"
    }

    /// One side of a compare: what it selected, and the source and coverage of its answer.
    static func selection(_ result: FunnelResult, label: String) -> String {
        let query = result.query
        return (["\"label\":\(JSONText.string(label))", "\"from\":\(JSONText.string(query.range.from.iso))",
                 "\"to\":\(JSONText.string(query.range.to.iso))", "\"filters\":\(FunnelFormatter.json(query.filters))",
                 "\"source\":\(JSONText.string(result.source.rawValue))"] + FunnelFormatter.provenance(result))
            .joined(separator: ",").braced
    }

    /// `2026-10-01..2026-10-07 platform=iOS`.
    public static func describe(_ query: FunnelQuery) -> String {
        "\(query.range.from)..\(query.range.to) \(query.filters.summary)"
    }

    static func levels(_ result: FunnelResult, only level: Int?) -> [LevelMetrics] {
        level.map { id in result.levels.filter { $0.levelId == id } } ?? result.levels
    }

    static func ms(_ value: Double) -> String { JSONText.number((value * 1000).rounded() / 1000) }
    static func number(_ value: Double?) -> String { value.map(JSONText.number) ?? "null" }
    static func csvNumber(_ value: Double?) -> String { value.map(JSONText.number) ?? "" }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    /// `{self}`: a JSON object from its members joined by commas.
    var braced: String { "{" + self + "}" }
}
