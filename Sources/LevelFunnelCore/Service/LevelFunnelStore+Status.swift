import Foundation
import PostgresClient

/// How far each game's aggregates are, for admins and the dashboard.
extension LevelFunnelStore {
    /// Per-game aggregation status, for admins. A role that may not read `events` gets what the aggregates
    /// know (days marked stale; no late, live or future-dated counts: ``AggregationStatus/fromAggregatesOnly``).
    public func aggregationStatus(today: Day = .today) throws -> [AggregationStatus] {
        try games().map { info in
            let row = try db.query(RefreshSQL.status, [info.id, info.firstDay.iso, info.lastDay.iso]).one()
            var status = AggregationStatus(
                game: info.id, firstDay: info.firstDay, lastDay: info.lastDay,
                aggregatedDays: try row.decode(Int.self, at: 0), totalDays: info.history.dayCount,
                lastAggregatedAt: try row.decode(Double?.self, at: 1).map { Date(timeIntervalSince1970: $0) },
                staleDays: try row.decode(Int.self, at: 2))
            guard !info.fromAggregatesOnly else {
                status.fromAggregatesOnly = true
                return status
            }
            status.staleDays = try daysNotFresh(info).count
            status.futureEvents = try db.query(GameSQL.futureEvents, [info.id, today]).one().decode(Int.self, at: 0)
            status.liveDays = try liveDays(info)
            return status
        }
    }

    /// Days of the game's history that a fast query computes from the events now: from the first day that is
    /// not fresh to the end.
    private func liveDays(_ info: GameInfo) throws -> Int {
        let states = try LiveTail.dayStates(game: info.id, range: info.history, db)
        return states.firstIndex { !$0.isAggregated }.map { states.count - $0 } ?? 0
    }

    /// When the game's aggregates were last written (the dashboard's "data as of"), or nil if never.
    public func dataAsOf(game: String) throws -> Date? {
        try db.query("SELECT extract(epoch FROM max(aggregated_at))::float8 FROM aggregated_days WHERE game_id = $1", [game])
            .first?.decode(Double?.self, at: 0).map { Date(timeIntervalSince1970: $0) }
    }
}
