import ArgumentParser
import Foundation
import LevelFunnelCore
import Logging

/// The format of `schedule`'s log lines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `2026-11-29T02:00:04Z info refresh game=demo outcome=ok days=2 …` (logfmt-style key=value).
    case text
    /// One JSON object per line: `{"time":…,"level":"info","message":"refresh","game":"demo",…}`.
    case json
}

/// A swift-log handler writing one line per message to stdout, unbuffered (straight to the file descriptor, so a
/// log file or the journal gets each line at once), with metadata fields in a fixed order.
struct LineLogHandler: LogHandler {
    var format: LogFormat
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info
    var write: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }

    /// Fields in this order first, then the others by name.
    static let order = ["game", "outcome", "games", "ok", "failed", "days", "from", "to", "events", "seconds", "attempt",
                        "next_retry", "next_wake", "error"]

    init(format: LogFormat) { self.format = format }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let keys = Self.order.filter { fields[$0] != nil } + fields.keys.filter { !Self.order.contains($0) }.sorted()
        let time = ISO8601DateFormatter().string(from: Date())
        write(Self.line(format: format, time: time, level: event.level, message: event.message.description,
                        fields: keys.map { ($0, fields[$0]!) }) + "\n")
    }

    static func line(format: LogFormat, time: String, level: Logger.Level, message: String,
                     fields: [(String, Logger.Metadata.Value)]) -> String {
        switch format {
        case .text:
            return ([time, level.rawValue, text(message)] + fields.map { "\($0.0)=\(text(render($0.1)))" })
                .joined(separator: " ")
        case .json:
            let head = [("time", quoted(time)), ("level", quoted(level.rawValue)), ("message", quoted(message))]
            return "{" + (head + fields.map { ($0.0, json($0.1)) }).map { "\(quoted($0.0)):\($0.1)" }
                .joined(separator: ",") + "}"
        }
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let items): items.map(render).joined(separator: ",")
        case .dictionary(let d): d.keys.sorted().map { "\($0):\(render(d[$0]!))" }.joined(separator: ",")
        }
    }

    /// A text value as is, or JSON-quoted when it holds spaces, quotes or `=` (or is empty).
    private static func text(_ s: String) -> String {
        s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) ? quoted(s) : s
    }

    /// Numbers and booleans stay JSON numbers and booleans; everything else is a string.
    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): quoted(s)
        case .stringConvertible(let c as any BinaryInteger): c.description
        case .stringConvertible(let d as Double) where d.isFinite: d.description
        case .stringConvertible(let b as Bool): b.description
        case .stringConvertible(let c): quoted(c.description)
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let d): "{" + d.keys.sorted().map { "\(quoted($0)):\(json(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String { JSONText.string(s) }
}
