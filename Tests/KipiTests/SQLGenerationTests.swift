import Foundation
import Testing

@testable import Kipi

/// What `kipi sql` writes, read as text: golden statements for a few KPIs in each dialect, and
/// the check errors for what has no SQL form.
struct SQLGenerationTests {
    static let schema = Schema(columns: [("date", .date), ("manager", .text), ("amount", .number), ("status", .text)])
    static let source = """
        let won = status == "won"
        revenue = sum(amount where won)
        avg_check_by_manager = avg(amount) by manager
        revenue_by_month = sum(amount) by month(date)
        previous_month = previous(revenue_by_month)
        """

    static func statement(_ kpi: String, _ dialect: SQLDialect) throws -> String {
        let program = try Kipi().compile(source: SourceText(name: "golden.kpi", text: source), schema: schema)
        let script = try program.sql(dialect: dialect, tables: ["": "sales"])
        return try #require(script.statements.first { $0.kpi == kpi }).text
    }

    @Test func aScalarSumOnDuckDB() throws {
        #expect(try Self.statement("revenue", .duckdb) == """
            GOLDEN
            """)
    }

    @Test func aGroupedAverageOnPostgreSQL() throws {
        #expect(try Self.statement("avg_check_by_manager", .postgres) == """
            GOLDEN
            """)
    }

    @Test func aWindowOverMonthsOnSpark() throws {
        #expect(try Self.statement("previous_month", .spark) == """
            GOLDEN
            """)
    }
}
