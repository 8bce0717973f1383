import Foundation
import PostgresClient

/// Answering funnel queries: fast (aggregates plus the live tail), aggregates only, raw; quiet days; verify.
extension LevelFunnelStore {
    /// Answers `query`: `.fast` from the daily aggregates and, for the days they do not cover, from the events
    /// (exact and complete; a role that cannot read `events` gets the `.aggregates` answer instead, which the
    /// result's `source` and `coverage` say); `.aggregates` from the aggregates only; `.raw` from `events`.
    /// Throws ``LevelFunnelError/unknownGame(_:)`` when the game has no level events at all.
    public func funnel(_ query: FunnelQuery, source: FunnelSource = .fast, today: Day = .today) throws -> FunnelResult {
        let clock = ContinuousClock()
        var answer = (counts: [LevelCounts](), coverage: Coverage?.none, freshness: Freshness?.none)
        var answeredBy = source
        let elapsed = try clock.measure {
            answer = try withSchemaCheck {
                switch source {
                case .raw:
                    return (try readingEvents("the raw path") { try RawFunnel.counts(query, db) }, nil, nil)
                case .aggregates:
                    return try aggregatesOnly(query, today: today)
                case .fast:
                    let (answer, fromAggregates) = try eventsElseAggregates(
                        { try hybrid(query, today: today) },
                        { try aggregatesOnly(query, today: today) })
                    if fromAggregates { answeredBy = .aggregates }
                    return answer
                }
            }
        }
        if answer.counts.isEmpty && answer.coverage?.missing ?? 0 == 0 { try requireKnownGame(query.game) }
        let freshness = answer.freshness   // read with the day states; none on the raw path
        return FunnelResult(query: query, source: answeredBy, queryMs: elapsed.milliseconds,
                            levels: MetricsFormula.derive(answer.counts), coverage: answer.coverage, freshness: freshness)
    }

    /// The days of `query.range` without any event (none in `events`, none aggregated), each with the answer that
    /// ``funnel(_:source:today:)`` gives for that day alone: no level, the same `source`, coverage and freshness.
    /// Found with one index probe per day that has events and one read of the range's `aggregated_days`, so that a
    /// series day by day costs the days with events, not the calendar days of its range.
    public func quietDays(_ query: FunnelQuery, source: FunnelSource = .fast, today: Day = .today) throws -> QuietDays {
        let clock = ContinuousClock()
        var answers: [Day: FunnelResult] = [:]
        let elapsed = try clock.measure {
            answers = try withSchemaCheck { try quietAnswers(query, source: source, today: today) }
        }
        return QuietDays(answers: answers, queryMs: elapsed.milliseconds)
    }

    private func quietAnswers(_ query: FunnelQuery, source: FunnelSource, today: Day) throws -> [Day: FunnelResult] {
        let (game, range) = (query.game, query.range)
        let fromEvents = { try DailyAggregation.busyDays(game: game, range: range, self.db) }
        let (busy, fromAggregates) = source == .raw
            ? (try readingEvents("the raw path", fromEvents), false)
            : try eventsElseAggregates(fromEvents, { try DailyAggregation.aggregatedBusyDays(game: game, range: range, self.db) })
        if busy.isEmpty { try requireKnownGame(game) }
        let quiet = Set(range.days).subtracting(busy)
        func day(_ day: Day) -> FunnelQuery {
            var one = query
            one.range = .single(day)
            return one
        }
        guard source != .raw else {
            return Dictionary(uniqueKeysWithValues: quiet.map { ($0, FunnelResult(query: day($0), source: .raw, queryMs: 0, levels: [])) })
        }
        let answeredBy: FunnelSource = fromAggregates ? .aggregates : source
        let recorded = Dictionary(uniqueKeysWithValues: try db.query(GameSQL.aggregatedDays, [game, range.from, range.to]).map {
            (try $0.decode(Day.self, at: 0), (stale: try $0.decode(Bool.self, at: 1), at: try $0.decode(Double.self, at: 2)))
        })
        let receivedThrough = try freshness(query).receivedThrough
        return Dictionary(uniqueKeysWithValues: quiet.map { quietDay in
            // As `hybrid` and `aggregatesOnly` count a day of their own (a day without events holds no late one).
            let record = recorded[quietDay]
            let fresh = record.map { !$0.stale } ?? false
            var coverage = Coverage(days: 1, aggregated: 1, includesToday: quietDay == today)
            switch answeredBy {
            case .fast where !fresh: (coverage.aggregated, coverage.live, coverage.firstLive, coverage.lastLive) = (0, 1, quietDay, quietDay)
            case .aggregates where record == nil: (coverage.aggregated, coverage.missing) = (0, 1)
            case .aggregates where !fresh: (coverage.aggregated, coverage.stale) = (0, 1)
            default: break
            }
            let freshness = Freshness(aggregatedAt: record.map { Date(timeIntervalSince1970: $0.at) }, receivedThrough: receivedThrough)
            return (quietDay, FunnelResult(query: day(quietDay), source: answeredBy, queryMs: 0, levels: [],
                                           coverage: coverage, freshness: freshness))
        })
    }

    /// The aggregated prefix of the range from the aggregates plus its pending changes (`PendingChanges`), the rest
    /// from the events (see `LiveTail`).
    private func hybrid(_ query: FunnelQuery, today: Day) throws -> ([LevelCounts], Coverage, Freshness) {
        let (states, freshness) = try LiveTail.rangeState(game: query.game, range: query.range, forEventReaders: true, db)
        let includesToday = query.range.from <= today && today <= query.range.to
        let firstLive = states.first(where: { !$0.isAggregated })?.day
        var aggregated: [LevelCounts] = []
        if firstLive ?? query.range.to.adding(days: 1) > query.range.from {
            var prefix = query
            prefix.range = try DayRange(from: query.range.from, to: firstLive?.adding(days: -1) ?? query.range.to)
            aggregated = try FastFunnel.counts(prefix, db)
            if states.contains(where: { $0.pending && $0.day <= prefix.range.to }) {
                let pending = try PendingChanges.counts(query, days: prefix.range,
                                                        planOnce: try distribution().plansStatementsOnce, db)
                aggregated = LiveTail.combine(aggregated, pending)
            }
        }
        guard let firstLive else {
            return (aggregated, Coverage(days: states.count, aggregated: states.count, includesToday: includesToday), freshness)
        }
        let live = try LiveTail.counts(query, liveFrom: firstLive, db)
        let liveDays = firstLive.distance(to: query.range.to) + 1
        return (LiveTail.combine(aggregated, live),
                Coverage(days: states.count, aggregated: states.count - liveDays, live: liveDays,
                         firstLive: firstLive, lastLive: query.range.to, includesToday: includesToday), freshness)
    }

    /// The aggregates as they are; days they do not cover are counted as missing or stale (a day with a pending
    /// change counts as stale), never filled in.
    private func aggregatesOnly(_ query: FunnelQuery, today: Day) throws -> ([LevelCounts], Coverage, Freshness) {
        let (days, freshness) = try LiveTail.rangeState(game: query.game, range: query.range, db)
        let stale = days.filter { $0.aggregated && ($0.stale || $0.pending) }.count
        let missing = days.filter { !$0.aggregated }.count
        return (try FastFunnel.counts(query, db),
                Coverage(days: days.count, aggregated: days.count - stale - missing, missing: missing, stale: stale,
                         includesToday: query.range.from <= today && today <= query.range.to), freshness)
    }

    private func freshness(_ query: FunnelQuery) throws -> Freshness {
        let row = try db.query(GameSQL.freshness, [query.game, query.range.from, query.range.to]).one()
        return Freshness(aggregatedAt: try row.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) },
                         receivedThrough: try row.decode(Double?.self, at: 1).map { Date(timeIntervalSince1970: $0) })
    }

    /// Runs both paths for `query` and lists every field on which they differ.
    public func verify(_ query: FunnelQuery) throws -> VerifyReport {
        try requireEventAccess("verify")
        let fast = try funnel(query, source: .fast)
        let raw = try funnel(query, source: .raw)
        return VerifyReport(query: query, fastMs: fast.queryMs, rawMs: raw.queryMs,
                            levelsCompared: Set(fast.levels.map(\.levelId)).union(raw.levels.map(\.levelId)).count,
                            differences: FunnelComparison.differences(fast: fast.levels, raw: raw.levels))
    }
}
