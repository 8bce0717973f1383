/// A deterministic synthetic event stream for one game, as PostgreSQL `COPY ... FROM STDIN` text-format rows
/// for the columns `EventGenerator.columns`, in that order.
///
/// Rows come in `occurred_at` order across all players (ties broken by generation order), so each player's
/// events are in time order; a session's `level_start` always precedes its end event, and the end event's
/// `duration` equals the time between them. Every `occurred_at` lies in `[start, start + days)`, and before
/// `config.now` (the time of generation) when set; no `received_at` is after it.
///
/// What the stream holds besides plain level play (shares at default scale): one `session_start` row per session
/// (~12% of rows, ignored by the funnel), 0.7% malformed level events (`levelId` as a string, fractional, -1,
/// null, missing or > 2^31 − 1; wrong-case names), 2.5% orphan starts, ~1% late rows (`received_at` 1–5 days
/// after `occurred_at`, whole sessions at a time), boosters on ~8% of ends (plus `{}` and `null`, which do not
/// count), EGP on ~2% of fails (plus `0`, which does not count), 0.4% invalid durations (negative, > 86400, a
/// string, null), and a rare `"levelId":12.0`, which counts (an integral JSON number).
public struct EventGenerator: Sendable {
    public let config: GeneratorConfig

    /// The `events` columns the rows fill, in order.
    public static let columns = [
        "game_id", "user_id", "session_id", "event_name", "properties", "platform", "country_code", "app_version",
        "level_funnel", "level_funnel_version", "occurred_at", "received_at",
    ]

    /// Chunks handed to the sink end on a row boundary and are about this size.
    public static let chunkSize = 256 * 1024

    /// Does not validate: call `config.validate()` first; out-of-range values are clamped (fewer than one
    /// player or day gives an empty stream).
    public init(config: GeneratorConfig) { self.config = config }

    /// Calls `sink` with chunks of COPY text (each ending on a row boundary, roughly 256 KiB) until the stream is
    /// complete; returns what was produced.
    public func generate(sink: ([UInt8]) throws -> Void) rethrows -> GeneratorStats {
        var engine = GeneratorEngine(config: config)
        var writer = CopyTextWriter(capacity: Self.chunkSize + 16 * 1024)
        while engine.fill(&writer, upTo: Self.chunkSize) {
            try sink(writer.take())
        }
        if !writer.isEmpty { try sink(writer.take()) }
        return engine.stats
    }

    /// The whole stream in memory (for tests and small configurations).
    public func generateAll() -> (bytes: [UInt8], stats: GeneratorStats) {
        var bytes: [UInt8] = []
        let stats = generate { bytes.append(contentsOf: $0) }
        return (bytes, stats)
    }
}

/// Runs the simulation day by day and formats its rows.
struct GeneratorEngine {
    let world: World
    private var players: [PlayerState]
    private let game: [UInt8]
    private var day = 0
    private var batch: [GeneratedEvent] = []
    private var next = 0
    private var carry: [GeneratedEvent] = []
    private var seq: UInt32 = 0
    /// Events that occurred before it are simulated, not written (`GeneratorConfig.writeFrom`).
    private let writeFromMs: Int64
    /// When set, every written event is received then (`GeneratorConfig.receivedAtNow`).
    private let receivedMs: Int64?
    /// Added to a player's index for its id.
    private let firstPlayerNumber: Int
    /// Players with at least one written row.
    private var wrote: [Bool]
    private(set) var stats = GeneratorStats()

    init(config: GeneratorConfig) {
        let world = World(config: config)
        self.world = world
        players = (0..<world.players).map { world.makePlayer($0) }
        game = CopyTextWriter.escaped(config.game)
        writeFromMs = config.writeFrom.map { Int64($0.ordinal) * World.msPerDay } ?? .min
        receivedMs = config.receivedAtNow ? world.receivedByMs : nil
        firstPlayerNumber = config.firstPlayerNumber
        wrote = Array(repeating: false, count: world.players)
    }

    /// Writes rows until the writer holds at least `limit` bytes (returns true) or the stream ends (false).
    mutating func fill(_ w: inout CopyTextWriter, upTo limit: Int) -> Bool {
        while true {
            while next < batch.count {
                let event = batch[next]
                next += 1
                guard event.occurredMs >= writeFromMs else { continue }
                write(event, into: &w)
                if w.count >= limit { return true }
            }
            if !prepareBatch() {
                stats.players = wrote.reduce(0) { $0 + ($1 ? 1 : 0) }
                return false
            }
        }
    }

    /// Simulates the next day for every player; keeps the rows of that day (sorted) and carries later ones over.
    private mutating func prepareBatch() -> Bool {
        guard day < world.days || !carry.isEmpty else { return false }
        var pending = carry
        carry = []
        let world = self.world
        if day < world.days {
            for i in players.indices {
                world.simulate(&players[i], index: i, day: day, into: &pending, seq: &seq)
            }
        }
        pending.sort { $0.occurredMs != $1.occurredMs ? $0.occurredMs < $1.occurredMs : $0.seq < $1.seq }
        day += 1
        let cutoff = world.startMs + Int64(day) * World.msPerDay
        if day < world.days, let split = pending.firstIndex(where: { $0.occurredMs >= cutoff }) {
            carry = Array(pending[split...])
            pending.removeSubrange(split...)
        }
        batch = pending
        next = 0
        return true
    }

    // MARK: formatting

    private mutating func write(_ e: GeneratedEvent, into w: inout CopyTextWriter) {
        let tab = UInt8(ascii: "\t")
        let player = Int(e.player)
        let receivedMs = self.receivedMs ?? e.receivedMs
        wrote[player] = true
        w.appendRaw(game)
        w.append(tab)
        w.append(UInt8(ascii: "p"))
        w.appendUnsigned(UInt64(player + firstPlayerNumber), width: 6)
        w.append(tab)
        w.append(UInt8(ascii: "p"))
        w.appendUnsigned(UInt64(player + firstPlayerNumber), width: 6)
        w.appendStatic("-s")
        w.appendUnsigned(UInt64(e.session) + 1)
        w.append(tab)

        let isLevel = e.kind != .sessionStart
        let wrongCase = e.malform == .wrongCaseName
        switch e.kind {
        case .levelStart: w.appendStatic(wrongCase ? "Level_Start" : "level_start")
        case .levelComplete: w.appendStatic(wrongCase ? "LEVEL_COMPLETE" : "level_complete")
        case .levelFailed: w.appendStatic(wrongCase ? "Level_Failed" : "level_failed")
        case .sessionStart: w.appendStatic("session_start")
        }
        w.append(tab)

        let traits = (platform: players[player].platform, country: players[player].country,
                      funnel: players[player].funnel)
        if isLevel {
            writeLevelProperties(e, into: &w)
        } else {
            w.appendStatic("{\"device\":")
            w.appendRaw(world.deviceJSON[Int(e.extra)])
            w.appendStatic(",\"locale\":\"")
            w.appendStatic(World.countries[traits.country].locale)
            w.appendStatic("\"}")
        }
        w.append(tab)
        w.appendStatic(World.platforms[traits.platform])
        w.append(tab)
        if let code = World.countries[traits.country].code { w.appendStatic(code) } else { w.appendStatic("\\N") }
        w.append(tab)
        w.appendStatic(World.appVersions[Int(e.appVersion)])
        w.append(tab)
        w.appendStatic(World.funnels[traits.funnel])
        w.append(tab)
        w.appendUnsigned(UInt64(e.funnelVersion))
        w.append(tab)
        w.appendTimestamp(milliseconds: e.occurredMs)
        w.append(tab)
        w.appendTimestamp(milliseconds: receivedMs)
        w.append(UInt8(ascii: "\n"))

        stats.events += 1
        if isLevel {
            if e.malform.counts { stats.levelEvents += 1 } else { stats.malformed += 1 }
        }
        if receivedMs - e.occurredMs >= World.msPerDay { stats.late += 1 }
    }

    @inline(__always)
    private func writeLevelProperties(_ e: GeneratedEvent, into w: inout CopyTextWriter) {
        let level = UInt64(e.level)
        w.append(UInt8(ascii: "{"))
        switch e.malform {
        case .none, .wrongCaseName:
            w.appendStatic("\"levelId\":"); w.appendUnsigned(level); w.append(UInt8(ascii: ","))
        case .stringId:
            w.appendStatic("\"levelId\":\""); w.appendUnsigned(level); w.appendStatic("\",")
        case .fractionalId:
            w.appendStatic("\"levelId\":"); w.appendUnsigned(level); w.appendStatic(".5,")
        case .negativeId:
            w.appendStatic("\"levelId\":-1,")
        case .nullId:
            w.appendStatic("\"levelId\":null,")
        case .missingId:
            break
        case .outOfRangeId:
            w.appendStatic("\"levelId\":2147483648,")
        case .integralFloatId:
            w.appendStatic("\"levelId\":"); w.appendUnsigned(level); w.appendStatic(".0,")
        }
        w.appendStatic("\"attempt\":")
        w.appendUnsigned(UInt64(e.attempt))
        if e.kind != .levelStart {
            let ms = Int(e.durationMs)
            w.appendStatic(",\"duration\":")
            switch e.durationFlaw {
            case 0: w.appendSeconds(milliseconds: ms)
            case 1: w.appendSeconds(milliseconds: -ms)
            case 2: w.appendSeconds(milliseconds: ms + 86_400_000)
            case 3: w.append(UInt8(ascii: "\"")); w.appendSeconds(milliseconds: ms); w.append(UInt8(ascii: "\""))
            default: w.appendStatic("null")
            }
            if e.kind == .levelComplete {
                w.appendStatic(",\"stars\":")
                w.appendUnsigned(UInt64(e.extra))
            }
            if e.booster != 0 {
                w.appendStatic(",\"boosters\":")
                w.appendStatic(World.boosterJSON[Int(e.booster)])
            }
            if e.egp != 0 {
                w.appendStatic(",\"egp\":")
                w.appendStatic(World.egpJSON[Int(e.egp)])
            }
        }
        w.append(UInt8(ascii: "}"))
    }
}
