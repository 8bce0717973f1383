import LevelFunnelCore

/// The figures of one `stress` run (`--format json` prints them as they are).
public struct StressReport: Codable, Sendable {
    public struct Latency: Codable, Sendable {
        public var p50: Double, p95: Double, p99: Double, max: Double, mean: Double
    }

    public struct Writer: Codable, Sendable {
        /// `backfill` or `refresh`.
        public var task: String
        public var game: String
        /// Runs that went to the end, and runs stopped early because the readers were done.
        public var runs = 0
        public var stopped = 0
        /// Days re-aggregated and their level events, over every run.
        public var days = 0
        public var levelEvents = 0
        /// Runs that found the game's lock held by the other writer and waited for it.
        public var lockWaits = 0
        public var errors: [String] = []
        /// Time spent in runs (waits for the lock included).
        public var seconds = 0.0
    }

    public struct Sample: Codable, Sendable {
        /// Sampled answers re-run on the raw path, and how many of them differed in any field.
        public var compared: Int
        public var differed: Int
        /// How many of the compared answers were taken while a writer was running.
        public var takenDuringWrites: Int
        public var rawSeconds: Double
        /// The first differences, one line each (`2026-01-03..2026-01-09 platform=iOS: level 4 startedPlayers fast 10 raw 11`).
        public var differences: [String]
    }

    public var game: String
    public var from: String
    public var to: String
    public var readers: Int
    public var queriesPerReader: Int
    public var seed: UInt64
    /// Fast queries answered (errors excluded).
    public var queries: Int
    /// Every failure: fast queries, raw re-runs and writers.
    public var errors: Int
    /// The first failures' messages.
    public var errorMessages: [String]
    /// From the start until the last reader's last fast query.
    public var seconds: Double
    public var queriesPerSecond: Double
    /// Fast queries' latency in milliseconds, as the caller waits for them.
    public var latencyMs: Latency
    public var writers: [Writer]
    public var sample: Sample
    /// No error and no difference.
    public var ok: Bool
}
