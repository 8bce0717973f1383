import Foundation
import PostgresClient

/// Access rights of this role, and the reader and writer roles.
extension LevelFunnelStore {
    /// Refuses `action` up front, with the one-line reason, unless this role may aggregate (read `events`, write
    /// the aggregates, on a server that accepts writes).
    public func requireWriteAccess(_ action: String) throws {
        try requireSchema()
        if let refusal = try accessRights().writeRefusal(action) { throw refusal }
    }

    /// Refuses `action` up front, with the one-line reason, unless this role may read `events`.
    public func requireEventAccess(_ action: String) throws {
        try requireSchema()
        if let refusal = try accessRights().eventsRefusal(action) { throw refusal }
    }

    /// What this role may do: read `events`, write the aggregates, on a server that accepts writes.
    public func accessRights() throws -> AccessRights {
        // One privilege per call: `has_table_privilege(t, 'INSERT, DELETE')` is true when *any* of them is held.
        let needed = AccessRoles.writerPrivileges.flatMap { table, privileges in privileges.map { (table, $0) } }
        let row = try withSchemaCheck {
            try db.query("""
                SELECT bool_and(has_table_privilege(t, p)) FILTER (WHERE t NOT IN ('events', 'level_events'))
                         AND has_database_privilege(current_database(), 'TEMPORARY'),
                       bool_and(has_table_privilege(t, p)) FILTER (WHERE t IN ('events', 'level_events')),
                       current_setting('transaction_read_only') = 'on'
                  FROM unnest($1::text[], $2::text[]) AS u(t, p)
                """, [PostgresArray.text(needed.map(\.0)), PostgresArray.text(needed.map(\.1))]).one()
        }
        return AccessRights(canReadEvents: try row.decode(Bool.self, at: 1),
                            canWriteAggregates: try row.decode(Bool.self, at: 0),
                            readOnlyServer: try row.decode(Bool.self, at: 2))
    }

    /// Creates or updates the reader and writer roles (idempotent) and grants them to `readers` and `writers`.
    ///
    /// Refuses (rolls everything back) when the reader could still read user ids once its statements ran: a grant
    /// `roles` does not revoke (to PUBLIC, to a role the reader belongs to, on a partition or another view).
    public func createRoles(_ roles: AccessRoles, readers: [String] = [], writers: [String] = []) throws {
        try requireSchema()
        try db.transaction {
            for statement in roles.statements { try db.execute(statement) }
            for login in readers { try db.execute(AccessRoles.grant(roles.reader, to: login)) }
            for login in writers { try db.execute(AccessRoles.grant(roles.writer, to: login)) }
            let exposures = try eventsExposure(of: roles.reader)
            if !exposures.isEmpty {
                throw LevelFunnelError.readerReadsEvents(EventsExposure.refusal(reader: roles.reader, exposures))
            }
        }
    }

    /// The relations through which `role` (nil: PUBLIC, i.e. every role) may read user ids; empty when none.
    public func eventsExposure(of role: String?) throws -> [EventsExposure] {
        try db.query(AccessRoles.eventsExposureSQL, [role ?? "public"]).map { row in
            EventsExposure(relation: try row.decode(String.self, at: 0), publicMayRead: try row.decode(Bool.self, at: 1),
                           throughRoles: try row.decode(String.self, at: 2).split(separator: "\n").map(String.init))
        }
    }

    /// The reader and writer roles (default names unless given) for the schema and database of this connection.
    public func accessRoles(reader: String = AccessRoles.defaultReader,
                            writer: String = AccessRoles.defaultWriter) throws -> AccessRoles {
        try requireSchema()
        let row = try db.query("SELECT current_schema()::text, current_database()::text").one()
        return try AccessRoles(reader: reader, writer: writer, schema: try row.decode(String.self, at: 0),
                               database: try row.decode(String.self, at: 1))
    }
}
