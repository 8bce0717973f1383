import Dashboard
import LevelFunnelCore
import Testing

@Suite("Columns")
struct ColumnTests {
    /// Every column names a contract field (a renamed case would otherwise show nothing); the level column is
    /// the level id.
    @Test func everyColumnShowsItsContractField() throws {
        let levels = MetricsFormula.derive(Fixtures.demoCounts)
        let level = try #require(levels.dropLast().last)
        for column in ColumnID.allCases {
            guard column != .level else { #expect(column.value(level) == Double(level.levelId)); continue }
            let field = try #require(MetricFields.named(column.rawValue), "\(column.rawValue)")
            #expect(column.field == field)
            #expect(column.value(level) == field.value(level))
        }
        #expect(Set(ColumnID.scrollable.map(\.rawValue)).isSubset(of: Set(MetricFields.names)))
    }
}
