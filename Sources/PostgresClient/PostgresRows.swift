/// The rows of a result, copied out of libpq (the `PGresult` is freed as soon as they are read).
public struct PostgresRows: Sendable, Sequence {
    /// Column names, in order.
    public let columns: [String]
    /// Rows, in order.
    public let rows: [PostgresRow]
    /// Rows affected by an INSERT/UPDATE/DELETE (from `PQcmdTuples`), 0 otherwise.
    public let affectedRows: Int

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }
    public var first: PostgresRow? { rows.first }

    /// The first row of a statement that always returns one (an aggregate, `RETURNING`); throws a decoding
    /// error instead of trapping when it returned none.
    public func one() throws -> PostgresRow {
        guard let row = rows.first else { throw PostgresError(kind: .decoding, message: "the statement returned no row") }
        return row
    }
    public func makeIterator() -> IndexingIterator<[PostgresRow]> { rows.makeIterator() }
}

/// One row: raw text values, decoded on demand into Swift types.
public struct PostgresRow: Sendable {
    /// The values in PostgreSQL text format; nil for SQL NULL.
    public let values: [String?]
    let columns: [String]

    /// Decodes column `index` as `T` (use an Optional type to accept NULL).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        guard let value = T.decode(postgresText: values[index]) else {
            let shown = values[index].map { "'\($0)'" } ?? "NULL"
            throw PostgresError(kind: .decoding, message: "column \(columns[index]) = \(shown) is not a \(T.self)")
        }
        return value
    }

    /// Decodes the column named `name` as `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(kind: .decoding, message: "no column named \(name)")
        }
        return try decode(type, at: index)
    }
}
