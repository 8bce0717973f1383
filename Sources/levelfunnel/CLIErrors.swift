import ArgumentParser
import Foundation
import LevelFunnelCore
import PostgresClient

/// Prints failures as one line on stderr (`levelfunnel: error: ...`) and exits non-zero.
enum CLIErrors {
    static func report<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LevelFunnelError {
            throw fail(error.description, code: error == .cancelled ? 130 : 1)
        } catch let error as PostgresError {
            throw fail(error.kind == .connection ? error.message : "database error: \(error)", code: 1)
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        }
    }

    static func fail(_ message: String, code: Int32) -> ExitCode {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("levelfunnel: error: \(line)\n".utf8))
        return ExitCode(code)
    }
}

extension CLIErrors {
    /// A one-line notice on stderr that does not end the command.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("levelfunnel: \(message)\n".utf8))
    }
}
