/// What the connected role may do, for commands and menus that refuse up front with a reason rather than
/// failing halfway (see ``AccessRoles`` for the roles that grant it).
public struct AccessRights: Sendable, Hashable {
    /// May read `events` and `level_events` (user ids): the raw path, verify, the live tail, aggregation.
    public var canReadEvents: Bool
    /// Holds every privilege aggregation needs on the aggregate tables, and TEMPORARY on the database.
    public var canWriteAggregates: Bool
    /// The server accepts no writes.
    public var readOnlyServer: Bool

    public init(canReadEvents: Bool, canWriteAggregates: Bool, readOnlyServer: Bool = false) {
        self.canReadEvents = canReadEvents
        self.canWriteAggregates = canWriteAggregates
        self.readOnlyServer = readOnlyServer
    }

    /// A role that may only read the aggregates (`levelfunnel_reader`).
    public static let readerOnly = AccessRights(canReadEvents: false, canWriteAggregates: false)
    /// A role that may do everything (`levelfunnel_writer`, an owner).
    public static let everything = AccessRights(canReadEvents: true, canWriteAggregates: true)

    /// May backfill and refresh.
    public var canWrite: Bool { canReadEvents && canWriteAggregates && !readOnlyServer }

    /// Why `action` (which reads events) is refused, or nil when it is allowed.
    public func eventsRefusal(_ action: String) -> LevelFunnelError? {
        canReadEvents ? nil : .needsEventAccess(action)
    }

    /// Why `action` (which aggregates) is refused, or nil when it is allowed.
    public func writeRefusal(_ action: String) -> LevelFunnelError? {
        if !canReadEvents || !canWriteAggregates { return .needsWriteAccess(action) }
        if readOnlyServer { return .readOnlyServer(action) }
        return nil
    }
}
