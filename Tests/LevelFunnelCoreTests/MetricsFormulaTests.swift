import LevelFunnelCore
import Testing

@Suite struct MetricsFormulaTests {
    @Test func derivesEveryMetricFromTheContract() throws {
        let l1 = LevelCounts(levelId: 1, starts: 120, completes: 80, fails: 40, startedPlayers: 100, completedPlayers: 80,
                             usersWithBoosters: 12, failsWithPurchase: 4, totalCompletionDuration: 800, completionCount: 50,
                             totalFailDuration: 300, failCount: 30)
        let l3 = LevelCounts(levelId: 3, starts: 70, completes: 50, fails: 30, startedPlayers: 60, completedPlayers: 40)
        let metrics = MetricsFormula.derive([l3, l1])  // any order in, ordered by levelId out
        #expect(metrics.map(\.levelId) == [1, 3])
        let m = metrics[0]
        #expect(m.churnStartComplete == 20)                 // (100-80)/100
        #expect(m.churnCompleteNext == 25)                  // next present level is 3: (80-60)/80
        #expect(m.churnTotal == 40)                         // (100-60)/100
        #expect(m.boosterUsage == 10)                       // 12/120
        #expect(m.egpRate == 10)                            // 4/40
        #expect(m.winRate! == 80.0 / 120 * 100)
        #expect(m.completionRate == 80)
        #expect(m.failRate! == 40.0 / 120 * 100)
        #expect(m.funnelRate == 100)
        #expect(m.apsRaw == 1.5)                            // 120/80
        #expect(m.apsClean! == 80.0 / 120)
        #expect(m.meanCompletionDuration == 16)
        #expect(m.meanFailDuration == 10)
        #expect(metrics[1].funnelRate == 50)                // 40 / first.completedPlayers 80
    }

    @Test func nullWhenADenominatorIsZero() throws {
        let onlyStarts = LevelCounts(levelId: 0, starts: 5, startedPlayers: 3)
        let noStarts = LevelCounts(levelId: 2, completes: 1, completedPlayers: 1)
        let metrics = MetricsFormula.derive([onlyStarts, noStarts])
        let a = metrics[0]
        #expect(a.churnStartComplete == 100)
        #expect(a.churnCompleteNext == nil)                 // completedPlayers 0
        #expect(a.churnTotal == 100)                        // (3-0)/3: next level has no starters
        #expect(a.boosterUsage == nil && a.winRate == nil && a.failRate == nil && a.apsClean == nil)
        #expect(a.egpRate == nil)
        #expect(a.funnelRate == nil)                        // first level has 0 completed players
        #expect(a.apsRaw == nil)
        #expect(a.meanCompletionDuration == nil && a.meanFailDuration == nil)
        let b = metrics[1]
        #expect(b.churnStartComplete == nil && b.completionRate == nil)
        #expect(b.churnCompleteNext == nil && b.churnTotal == nil)  // last level
        #expect(b.winRate == 100 && b.apsClean == 1)
    }

    @Test func emptyInputGivesNoLevels() {
        #expect(MetricsFormula.derive([]).isEmpty)
    }

    @Test func dayParsesAndFormatsUTCDates() throws {
        #expect(Day(iso: "1970-01-01")?.ordinal == 0)
        #expect(Day(iso: "2024-02-29")?.iso == "2024-02-29")
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2026-13-01") == nil)
        #expect(Day(iso: "2026-1-01") == nil)
        #expect(Day(iso: "yesterday") == nil)
        #expect(Day(iso: "2000-03-01")!.adding(days: -1).iso == "2000-02-29")
        #expect(throws: LevelFunnelError.self) { try DayRange(from: Day(iso: "2026-02-02")!, to: Day(iso: "2026-02-01")!) }
        #expect(try DayRange(from: Day(iso: "2026-01-30")!, to: Day(iso: "2026-02-02")!).dayCount == 4)
    }
}
