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
        } catch let error as AggregationFailure {
            throw fail(error.description, code: 1)
        } catch let error as PostgresError {
            throw fail(error.kind == .connection ? error.message : "database error: \(error)", code: 1)
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        }
    }

    static func fail(_ message: String, code: Int32) -> ExitCode {
        error(message)
        return ExitCode(code)
    }

    /// An error line on stderr, for a failure that does not end the command (one game of several).
    static func error(_ message: String) {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("levelfunnel: error: \(line)\n".utf8))
    }

    /// What `backfill` and `refresh` say about their exit status in `--help`.
    static let exitStatus = """
        Exit status: 0 when every game is done; 1 when a game failed (one line on stderr names the game, the day \
        and the error, e.g. a statement timeout or a full disk; the other games still run) or the database could \
        not be reached (after --reconnect-timeout when it went away mid-run); 64 for invalid options; 130 when \
        stopped early by Ctrl-C or SIGTERM (between passes; the days done are kept).
        """

    /// Runs `body` for each game in order. A game that fails on its own (``AggregationFailure`` other than a lost
    /// database) is reported and the next game runs; the command then fails at the end with exit status 1.
    /// A lost database, a cancellation or any other error ends the command at once.
    static func eachGame<Game>(_ games: [Game], id: (Game) -> String, _ body: (Game) throws -> Void) throws {
        var failed: [String] = []
        for game in games {
            do {
                try body(game)
            } catch let failure as AggregationFailure where !failure.isConnectionLost {
                error(failure.description)
                failed.append(id(game))
            }
        }
        if !failed.isEmpty {
            throw fail("\(failed.count) of \(games.count) games failed (\(failed.joined(separator: ", "))); the others are done",
                       code: 1)
        }
    }
}

extension CLIErrors {
    /// A one-line notice on stderr that does not end the command.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("levelfunnel: \(message)\n".utf8))
    }
}
