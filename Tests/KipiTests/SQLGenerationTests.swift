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
        manager_rank = rank(avg_check_by_manager)
        bonus_by_manager = interpolate(avg(amount), [1000, 3000], [0, 100%]) by manager
        per_thousand_by_manager = avg(1000 / amount) by manager
        """

    static func statement(_ kpi: String, _ dialect: SQLDialect) throws -> String {
        let program = try Kipi().compile(source: SourceText(name: "golden.kpi", text: source), schema: schema)
        let script = try program.sql(dialect: dialect, tables: ["": "sales"])
        return try #require(script.statements.first { $0.kpi == kpi }).text
    }

    @Test func aScalarSumOnDuckDB() throws {
        #expect(try Self.statement("revenue", .duckdb) == """
            WITH rows1 AS NOT MATERIALIZED (
              SELECT * FROM (SELECT r.*, (r."status" = 'won') AS "let won" FROM sales r) r
            ),
            totals2 AS MATERIALIZED (
              SELECT COALESCE(sum(a.v0), 0E0) AS t0 FROM (SELECT CASE WHEN COALESCE(r."let won", FALSE) THEN CAST(r."amount" AS DOUBLE) END AS v0 FROM rows1 r) a
            )
            SELECT g.value AS value
            FROM (SELECT (SELECT t.t0 FROM totals2 t) AS value) g
            """)
    }

    @Test func aGroupedAverageOnPostgreSQL() throws {
        #expect(try Self.statement("avg_check_by_manager", .postgres) == """
            WITH aggregates1 AS MATERIALIZED (
              SELECT a.k0, avg(a.v0) AS t0, (CASE WHEN count(a.v0) < 1 THEN 'average of no values' END) AS t1 FROM (SELECT r."manager" AS k0, CAST(r."amount" AS DOUBLE PRECISION) AS v0 FROM sales r) a GROUP BY a.k0
            )
            SELECT g.k0 AS "manager", CASE WHEN g.failure IS NOT NULL THEN NULL ELSE g.value END AS value
            FROM (SELECT g.*, g.t0 AS value, g.t1 AS failure FROM aggregates1 g) g
            ORDER BY g.k0 NULLS LAST
            """)
    }

    /// An aggregate over values that can fail is still one GROUP BY: each row's failure is a
    /// column beside its value, and the group fails with the least message of its rows.
    @Test func anAverageOfValuesThatCanFailOnDuckDB() throws {
        #expect(try Self.statement("per_thousand_by_manager", .duckdb) == """
            WITH aggregates1 AS MATERIALIZED (
              SELECT a.k0, avg(a.v0) AS t0, COALESCE(min(a.v1), (CASE WHEN count(a.v0) < 1 THEN 'average of no values' END)) AS t1 FROM (SELECT r."manager" AS k0, (1000E0 / NULLIF(CAST(r."amount" AS DOUBLE), 0)) AS v0, (CASE WHEN 1000E0 IS NOT NULL AND CAST(r."amount" AS DOUBLE) = 0 THEN 'division by zero' END) AS v1 FROM sales r) a GROUP BY a.k0
            )
            SELECT g.k0 AS "manager", CASE WHEN g.failure IS NOT NULL THEN NULL ELSE g.value END AS value
            FROM (SELECT g.*, g.t0 AS value, g.t1 AS failure FROM aggregates1 g) g
            ORDER BY g.k0 NULLS LAST
            """)
    }

    /// `previous` is a window frame of exactly one period before each month, computed for all
    /// months at once: a month after a gap finds no row there and is null, where LAG would read
    /// the month before the gap.
    @Test func aWindowOverMonthsOnSpark() throws {
        #expect(try Self.statement("previous_month", .spark) == """
            WITH rows1 AS (
              SELECT * FROM (SELECT r.*, (CAST(extract(YEAR FROM CAST(r.`date` AS TIMESTAMP)) AS DOUBLE) * 12 + CAST(extract(MONTH FROM CAST(r.`date` AS TIMESTAMP)) AS DOUBLE) - 1) AS `key month(date)` FROM sales r) r
            ),
            aggregates2 AS (
              SELECT a.k0, COALESCE(sum(a.v0), 0E0) AS t0 FROM (SELECT r.`key month(date)` AS k0, CAST(r.`amount` AS DOUBLE) AS v0 FROM rows1 r) a GROUP BY a.k0
            ),
            def3 AS (
              SELECT g.k0, g.t0 AS value, CAST(NULL AS STRING) AS failure FROM aggregates2 g
            ),
            series4 AS (
              SELECT g.k0, CASE WHEN d1.failure IS NOT NULL THEN NULL ELSE d1.value END AS value, d1.failure AS failure FROM aggregates2 g
              LEFT JOIN def3 d1 ON (d1.k0 <=> g.k0)
            ),
            windowed5 AS (
              SELECT w.k0, CASE WHEN first_value(w.failure) OVER (ORDER BY CAST(w.k0 AS BIGINT) RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING) IS NOT NULL THEN NULL ELSE first_value(w.value) OVER (ORDER BY CAST(w.k0 AS BIGINT) RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING) END AS value, first_value(w.failure) OVER (ORDER BY CAST(w.k0 AS BIGINT) RANGE BETWEEN 1 PRECEDING AND 1 PRECEDING) AS failure FROM series4 w
            )
            SELECT (CASE WHEN g.k0 IS NULL THEN NULL ELSE concat(lpad(CAST(CAST(floor(g.k0 / 12) AS BIGINT) AS STRING), 4, '0'), '-', lpad(CAST(CAST(g.k0 - 12 * floor(g.k0 / 12) + 1 AS BIGINT) AS STRING), 2, '0')) END) AS `month(date)`, CASE WHEN g.failure IS NOT NULL THEN NULL ELSE g.value END AS value
            FROM (SELECT g.*, d2.value AS value, d2.failure AS failure FROM aggregates2 g
              LEFT JOIN windowed5 d2 ON (d2.k0 <=> g.k0)) g
            ORDER BY g.k0 NULLS LAST
            """)
    }
}

extension SQLGenerationTests {
    /// A rank is SQL's own RANK() OVER the groups, computed once for all of them and joined to
    /// each group by its key; the level's groups are the rows of its aggregates.
    @Test func aRankAsAWindowFunctionOnDuckDB() throws {
        #expect(try Self.statement("manager_rank", .duckdb) == """
            WITH aggregates1 AS MATERIALIZED (
              SELECT a.k0, avg(a.v0) AS t0, (CASE WHEN count(a.v0) < 1 THEN 'average of no values' END) AS t1 FROM (SELECT r."manager" AS k0, CAST(r."amount" AS DOUBLE) AS v0 FROM sales r) a GROUP BY a.k0
            ),
            def2 AS MATERIALIZED (
              SELECT g.k0, CASE WHEN g.t1 IS NOT NULL THEN NULL ELSE g.t0 END AS value, g.t1 AS failure FROM aggregates1 g
            ),
            series3 AS MATERIALIZED (
              SELECT g.k0, CASE WHEN d1.failure IS NOT NULL THEN NULL ELSE d1.value END AS value, d1.failure AS failure FROM aggregates1 g
              LEFT JOIN def2 d1 ON (d1.k0 IS NOT DISTINCT FROM g.k0)
            ),
            windowed4 AS MATERIALIZED (
              SELECT w.k0, CASE WHEN first_value(w.failure) OVER (ORDER BY w.failure IS NULL, w.k0 NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) IS NOT NULL THEN NULL ELSE (CASE WHEN w.value IS NULL THEN NULL ELSE CAST(RANK() OVER (ORDER BY w.value DESC NULLS LAST) AS DOUBLE) END) END AS value, first_value(w.failure) OVER (ORDER BY w.failure IS NULL, w.k0 NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS failure FROM series3 w
            )
            SELECT g.k0 AS "manager", CASE WHEN g.failure IS NOT NULL THEN NULL ELSE g.value END AS value
            FROM (SELECT g.*, d2.value AS value, d2.failure AS failure FROM aggregates1 g
              LEFT JOIN windowed4 d2 ON (d2.k0 IS NOT DISTINCT FROM g.k0)) g
            ORDER BY g.k0 NULLS LAST
            """)
    }
}

extension SQLGenerationTests {
    /// `interpolate` through points known as the SQL is written is a branch per segment of the
    /// group's value, with no subquery over the lists (which Spark refuses per group).
    @Test func anInterpolationOfKnownPointsOnSpark() throws {
        #expect(try Self.statement("bonus_by_manager", .spark) == """
            WITH aggregates1 AS (
              SELECT a.k0, avg(a.v0) AS t0, (CASE WHEN count(a.v0) < 1 THEN 'average of no values' END) AS t1 FROM (SELECT r.`manager` AS k0, CAST(r.`amount` AS DOUBLE) AS v0 FROM sales r) a GROUP BY a.k0
            )
            SELECT g.k0 AS `manager`, CASE WHEN g.failure IS NOT NULL THEN NULL ELSE g.value END AS value
            FROM (SELECT g.*, (CASE WHEN g.t0 <= 1000E0 THEN 0E0 WHEN g.t0 >= 3000E0 THEN 1E0 WHEN g.t0 < 3000E0 THEN 0E0 + (g.t0 - 1000E0) / (3000E0 - 1000E0) * (1E0 - 0E0) END) AS value, g.t1 AS failure FROM aggregates1 g) g
            ORDER BY g.k0 NULLS LAST
            """)
    }
}

extension SQLGenerationTests {
    /// A host's function with no SQL form is a check error naming it; one that declares its
    /// SQL, through the same registry, is written like a built-in.
    @Test func aHostFunctionIsWrittenOnlyWhenItDeclaresItsSQL() throws {
        var kipi = Kipi()
        let plain = FunctionDefinition(
            "bonus", [.init("x", .number)], returns: .exactly(.number), summary: "A host's bonus rule.",
            implementation: .scalar(propagatesNull: true) { arguments in .number((arguments[0].number ?? 0) * 2) })
        try kipi.register(plain)
        let program = try kipi.compile(source: SourceText(name: "host.kpi", text: "total = sum(bonus(amount))"), schema: Self.schema)
        #expect(throws: DiagnosticList.self) { try program.sql(dialect: .duckdb, tables: ["": "sales"]) }
        do {
            _ = try program.sql(dialect: .duckdb, tables: ["": "sales"])
        } catch {
            #expect(error.description == """
                host.kpi:1:13: error: function 'bonus' has no SQL form in duckdb
                total = sum(bonus(amount))
                            ^~~~~~~~~~~~~
                """)
        }

        var withSQL = Kipi()
        try withSQL.register(plain.writtenInSQL(SQLForm { call in SQLValue("(\(call.arguments[0].value) * 2)") }))
        let written = try withSQL.compile(source: SourceText(name: "host.kpi", text: "total = sum(bonus(amount))"), schema: Self.schema)
        let text = try #require(try written.sql(dialect: .duckdb, tables: ["": "sales"]).statements.first?.text)
        #expect(text.contains("(CAST(r.\"amount\" AS DOUBLE) * 2) AS v0"))
    }

    @Test func aTableNotGivenIsNamed() throws {
        let program = try Kipi().compile(
            source: SourceText(name: "t.kpi", text: "ratio = sum(amount) / sum(plans.target)"), schema: Self.schema,
            tables: ["plans": Schema(columns: [("target", .number)])])
        do {
            _ = try program.sql(dialect: .postgres, tables: ["": "sales"])
            Issue.record("a missing table was not reported")
        } catch {
            #expect(error.description == "error: no SQL table is given for table 'plans': use --table plans=TABLE")
        }
    }

    @Test func aClientThatFailsIsReportedWithItsOwnMessage() throws {
        let engine = SQLEngine(dialect: .duckdb, executable: "/bin/sh")
        do {
            _ = try engine.run("this is not SQL")
            Issue.record("a failing client was not reported")
        } catch {
            #expect(error.description.hasPrefix("error: duckdb failed (exit status "))
        }
        let missing = SQLEngine(dialect: .postgres, executable: "/nonexistent/psql")
        #expect(throws: DiagnosticList.self) { try missing.run("SELECT 1") }
    }
}

/// Every built-in and every alias has its SQL form: a function added without one fails here.
struct EveryBuiltInHasSQLTests {
    @Test func everyBuiltInAndAliasIsWrittenInSQL() {
        let missing = Kipi().functions.definitions.filter { $0.sql == nil }.map(\.name)
        #expect(missing == [])
    }
}

extension SQLGenerationTests {
    /// `Program.sql` checked parameters by name only; an evaluation checks their types too.
    @Test func sqlChecksAParametersTypeAsAnEvaluationDoes() throws {
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "param goal = 10\nk = count() + goal"), schema: Schema(columns: [("x", .number)]))
        #expect(throws: DiagnosticList.self) { try program.sql(dialect: .duckdb, tables: ["": "data"], parameters: ["goal": .text("ten")]) }
        do {
            _ = try program.sql(dialect: .duckdb, tables: ["": "data"], parameters: ["goal": .text("ten")])
        } catch {
            #expect(error.diagnostics.map(\.message) == ["parameter 'goal' must be a number, but got text"])
            #expect(error.diagnostics.map(\.code) == ["type-mismatch"])
        }
        #expect(throws: Never.self) { try program.sql(dialect: .duckdb, tables: ["": "data"], parameters: ["goal": .number(5)]) }
    }
}

/// `kipi sql` with no sample file: the column types the formulas' uses call for.
struct ColumnTypesFromUseTests {
    func types(_ formulas: String) throws -> [String: [String: KipiType]] {
        let program = try Kipi().compile(source: SourceText(name: "use.kpi", text: formulas), schema: nil)
        return program.columnTypesFromUse.mapValues { Dictionary(uniqueKeysWithValues: $0.columns.map { ($0.name, $0.type) }) }
    }

    @Test func eachColumnTakesTheTypeItsUsesCallFor() throws {
        let found = try types(
            """
            revenue = sum(amount) by manager, month(closed)
            win_rate = percent(won)
            let wait = (answered - opened) * 24
            calls_by_hour = count() by hour(opened)
            late = avg(wait)
            recent = count(where spend.month >= "2024-04") by month(spend.month)
            score = avg(lookup(rating, ["poor", "good"], [0, 10]))
            let top = max(weight) by manager
            weighted = sum(points * top) by manager
            tenure = avg(coalesce(left_on, date("2024-06-30")) - hired)
            first_year = year(min(hired))
            shown = max(note & "!")
            """)
        #expect(found[""]?["amount"] == .number)
        #expect(found[""]?["manager"] == .text)
        #expect(found[""]?["closed"] == .date)
        #expect(found[""]?["won"] == .boolean)
        // A difference of two columns is dates when either is read as a date elsewhere.
        #expect(found[""]?["answered"] == .date)
        #expect(found[""]?["opened"] == .date)
        // Compared with text, a month column is text, which month() reads too.
        #expect(found["spend"]?["month"] == .text)
        #expect(found[""]?["rating"] == .text)
        // Through a definition and max: multiplied, so a number.
        #expect(found[""]?["weight"] == .number)
        #expect(found[""]?["left_on"] == .date)
        #expect(found[""]?["hired"] == .date)
        #expect(found[""]?["note"] == .text)
    }

    @Test func aKeyReadFromTwoTablesIsOneType() throws {
        let found = try types("ratio = sum(amount) / sum(plans.target) by week_no\nlet x = avg(week_no) + 1\nshown = x\n")
        #expect(found[""]?["week_no"] == .number)
        #expect(found["plans"]?["week_no"] == .number)
    }

    /// Every cookbook file, copied where its data files are not, gives SQL in every dialect.
    @Test(arguments: SQLDialect.allCases)
    func theCookbookWithoutItsDataGivesSQL(_ dialect: SQLDialect) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-nodata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: CookbookTests.formulas.path) where file.hasSuffix(".kpi") {
            try FileManager.default.copyItem(at: CookbookTests.formulas.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        for example in CookbookTests.examples {
            let run = CapturedRun(["sql", folder.appendingPathComponent("\(example.name).kpi").path, "--dialect", dialect.rawValue])
            #expect(run.errors == "", "\(example.name)")
            #expect(run.status == 0)
            #expect(run.output.contains("SELECT"))
        }
    }
}
