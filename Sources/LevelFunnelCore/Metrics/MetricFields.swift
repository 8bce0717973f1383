/// The contract's field names and values of a level, in output order: the one list that JSON, CSV, tables
/// and comparisons all follow.
public enum MetricFields {
    /// Field names after `levelId`, in the contract's order.
    public static let names: [String] = [
        "starts", "completes", "fails", "startedPlayers", "completedPlayers", "usersWithBoosters",
        "failsWithPurchase", "totalCompletionDuration", "completionCount", "totalFailDuration", "failCount",
        "churnStartComplete", "churnCompleteNext", "churnTotal", "boosterUsage", "egpRate", "winRate",
        "completionRate", "failRate", "funnelRate", "apsRaw", "apsClean", "meanCompletionDuration", "meanFailDuration",
    ]

    /// Names of the fields that are whole numbers (counts).
    public static let integerFields: Set<String> = [
        "starts", "completes", "fails", "startedPlayers", "completedPlayers", "usersWithBoosters",
        "failsWithPurchase", "completionCount", "failCount",
    ]

    /// The value of every field of `m`, keyed by name (nil where undefined).
    public static func values(_ m: LevelMetrics) -> [String: Double?] {
        let c = m.counts
        return [
            "starts": Double(c.starts), "completes": Double(c.completes), "fails": Double(c.fails),
            "startedPlayers": Double(c.startedPlayers), "completedPlayers": Double(c.completedPlayers),
            "usersWithBoosters": Double(c.usersWithBoosters), "failsWithPurchase": Double(c.failsWithPurchase),
            "totalCompletionDuration": c.totalCompletionDuration, "completionCount": Double(c.completionCount),
            "totalFailDuration": c.totalFailDuration, "failCount": Double(c.failCount),
            "churnStartComplete": m.churnStartComplete, "churnCompleteNext": m.churnCompleteNext,
            "churnTotal": m.churnTotal, "boosterUsage": m.boosterUsage, "egpRate": m.egpRate, "winRate": m.winRate,
            "completionRate": m.completionRate, "failRate": m.failRate, "funnelRate": m.funnelRate,
            "apsRaw": m.apsRaw, "apsClean": m.apsClean,
            "meanCompletionDuration": m.meanCompletionDuration, "meanFailDuration": m.meanFailDuration,
        ]
    }

    /// The values of `m` in `names` order.
    public static func orderedValues(_ m: LevelMetrics) -> [Double?] {
        let all = values(m)
        return names.map { all[$0] ?? nil }
    }
}
