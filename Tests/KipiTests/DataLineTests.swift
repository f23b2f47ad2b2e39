import Foundation
import Testing

@testable import Kipi

/// SPEC v3, data sources in the file: `data` lines, their options, and who reads the files.
struct DataLineTests {
    @Test func dataLinesNameTablesWithOptionsRelativeToTheirFile() throws {
        let source = SourceText(name: "/reports/kpi/sales.kpi", text: """
            data "sales.csv"
            data plans = "../plans.xlsx" sheet "Планы"
            data `1c` = "/exports/1c.csv" encoding "cp1251" skip_rows 3 delimiter ";" decimal_comma date_format "dd.mm.yyyy" null_values "-,n/a"
            data = 5
            total = sum(amount) + data
            """)
        // The library reads none of the files: compiling without data only records them.
        let program = try Kipi().compile(source: source, schema: nil)
        let sources = program.dataSources
        #expect(sources.map(\.table) == ["", "plans", "1c"])
        #expect(sources.map(\.resolvedPath) == ["/reports/kpi/sales.csv", "/reports/kpi/../plans.xlsx", "/exports/1c.csv"])
        #expect(sources[1].options.sheet == "Планы")
        #expect(sources[2].options.encoding == .cp1251 && sources[2].options.skipRows == 3 && sources[2].options.delimiter == UInt8(ascii: ";"))
        #expect(sources[2].options.decimalComma == true && sources[2].options.dateOrder == .dayFirst)
        #expect(sources[2].options.nullValues == ["-", "n/a"])
        #expect(sources.map(\.line) == [1, 2, 3])
        // `data = 5` is a KPI named data, as before.
        #expect(program.kpis.map(\.name) == ["data", "total"])
    }

    @Test func badDataLinesAreCheckErrors() {
        #expect(
            diagnostics("data \"a.csv\" encodng \"cp1251\"\ndata \"b.csv\"\ndata p = \"c.csv\" skip_rows -1\ndata q = \"d.csv\" decimal_comma 2\n", csv: nil) == """
                test.kpi:1:14: error: unknown data option 'encodng'; did you mean 'encoding'?
                data "a.csv" encodng "cp1251"
                             ^~~~~~~~~~~~~~~~
                test.kpi:3:18: error: skip_rows takes a number of lines, such as skip_rows 3
                data p = "c.csv" skip_rows -1
                                 ^~~~~~~~~~~~
                test.kpi:4:18: error: 'decimal_comma' takes no value
                data q = "d.csv" decimal_comma 2
                                 ^~~~~~~~~~~~~~~
                """)
        #expect(
            diagnostics("data \"a.csv\"\ndata \"b.csv\"\n", csv: nil) == """
                test.kpi:2:6: error: the default table already has its data (test.kpi:1)
                data "b.csv"
                     ^~~~~~~
                """)
    }

    @Test func theCommandLineReadsTheFilesDataAndDataOnTheCommandLineReplacesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "amount;who\n1,5;a\n2,5;b\n".write(to: folder.appendingPathComponent("data/1c.csv"), atomically: true, encoding: .utf8)
        try "who,plan\na,10\n".write(to: folder.appendingPathComponent("data/plans.csv"), atomically: true, encoding: .utf8)
        try "amount\n100\n".write(to: folder.appendingPathComponent("other.csv"), atomically: true, encoding: .utf8)
        let kpi = folder.appendingPathComponent("k.kpi").path
        try "data \"data/1c.csv\" delimiter \";\" decimal_comma\ndata plans = \"data/plans.csv\"\ntotal = sum(amount)\nplan = sum(plans.plan)\n"
            .write(toFile: kpi, atomically: true, encoding: .utf8)
        // Run from elsewhere: the paths are the file's.
        let run = CapturedRun(["eval", kpi, "--format", "json"])
        #expect(run.errors == "")
        #expect(run.output == "{\n  \"total\": 4,\n  \"plan\": 10\n}\n")
        let replaced = CapturedRun(["eval", kpi, "--data", folder.appendingPathComponent("other.csv").path, "--format", "json"])
        #expect(replaced.output == "{\n  \"total\": 100,\n  \"plan\": 10\n}\n")
        #expect(CapturedRun(["check", kpi]).output.hasSuffix("ok, 2 KPIs (0 grouped), 0 parameters\n"))
        let repl = CapturedRun(["repl", kpi], lines: ["total + plan"])
        #expect(repl.output.hasSuffix("14\n"))
        #expect(repl.output.contains("loaded 1 rows as plans: who, plan"))
        let missing = CapturedRun(["eval", kpi, "--data", "plans=/nonexistent/plans.csv"])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("/nonexistent/plans.csv"))
    }
}
