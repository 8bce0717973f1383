import Foundation
import PostgresClient

/// The games of the database and their dimension values.
extension LevelFunnelStore {
    /// The games that have level events, with their first and last event day, ordered by id.
    /// A role that may not read `events` gets the games and history spans of the aggregates
    /// (``GameInfo/fromAggregatesOnly``): days not aggregated yet are not part of them.
    public func games() throws -> [GameInfo] {
        let (rows, fromAggregates) = try withSchemaCheck {
            try eventsElseAggregates({ try db.query(GameSQL.gamesWithLevelEvents(distribution())) },
                                     { try db.query(GameSQL.gamesFromAggregates) })
        }
        return try rows.map { row in
            let first = try row.decode(Day.self, at: 1)
            return GameInfo(id: try row.decode(String.self, at: 0), firstDay: first, lastDay: try row.decode(Day.self, at: 2),
                            lastPastDay: try row.decode(Day?.self, at: 4) ?? first,
                            aggregatedLevelEvents: try row.decode(Int?.self, at: 3), fromAggregatesOnly: fromAggregates)
        }
    }

    /// The game's history (from the aggregates for a role that may not read `events`), or
    /// ``LevelFunnelError/unknownGame(_:)``.
    public func game(_ id: String) throws -> GameInfo {
        let (rows, fromAggregates) = try withSchemaCheck {
            try eventsElseAggregates({ try db.query(GameSQL.gameSpan, [id]) }, { try db.query(GameSQL.gameSpanFromAggregates, [id]) })
        }
        guard let row = rows.first,
              let first = try row.decode(Day?.self, at: 0),
              let last = try row.decode(Day?.self, at: 1)
        else { throw LevelFunnelError.unknownGame(id) }
        return GameInfo(id: id, firstDay: first, lastDay: last, lastPastDay: try row.decode(Day?.self, at: 2) ?? first,
                        fromAggregatesOnly: fromAggregates)
    }

    /// The dimension values of the game, read from wherever `source`'s numbers come from: `.raw` from the events;
    /// `.aggregates` from the aggregates; `.fast` from the aggregates and the events of the days a fast query
    /// computes from the events (never aggregated, stale, or with a pending change), so that a value seen only in those
    /// days (a version released today) is offered and broken down like the others. A role that may not read
    /// `events` gets the aggregates' values.
    public func dimensions(game: String, source: FunnelSource = .fast) throws -> GameDimensions {
        let rows: [PostgresRow]
        switch source {
        case .raw:
            rows = try withSchemaCheck { try readingEvents("the raw path") { try db.query(GameSQL.dimensionsFromEvents, [game]).rows } }
        case .aggregates:
            rows = try withSchemaCheck { try db.query(GameSQL.dimensionsFromAggregates, [game]).rows }
        case .fast:
            let aggregated = try withSchemaCheck { try db.query(GameSQL.dimensionsFromAggregates, [game]).rows }
            rows = aggregated + (try eventsElseAggregates({ try liveDimensions(game: game) }, { [] }).answer)
        }
        return GameDimensions(tuples: try rows.map { row in
            var tuple: [Dimension: String] = [:]
            for dimension in Dimension.allCases { tuple[dimension] = try row.decode(String?.self, column: dimension.column) }
            return tuple
        })
    }

    /// The dimension tuples of the events of the days a fast query over the game's history computes from the
    /// events (from its first day that is not fresh on); none when every day is fresh or the game has no events.
    private func liveDimensions(game: String) throws -> [PostgresRow] {
        guard let span = try db.query(GameSQL.gameSpan, [game]).first,
              let first = try span.decode(Day?.self, at: 0), let last = try span.decode(Day?.self, at: 1)
        else { return [] }
        let states = try LiveTail.dayStates(game: game, range: try DayRange(from: first, to: last), db)
        // From the first day whose events the aggregates do not all hold: live, or with pending changes.
        guard let firstLive = states.first(where: { !$0.isFresh })?.day else { return [] }
        return try db.query(GameSQL.dimensionsFromEventsSince, [game, firstLive]).rows
    }
}
