import Foundation
import Testing

@testable import Kipi

/// SPEC v3's office habits: dates as every Excel writes them, report title lines, numbers with
/// both separators, Excel's own names, on fixtures made by `Tests/Fixtures/make_office_fixtures_v3.py`.
struct OfficeHabitsTests {
    /// A formula's value over a fixture, values written as the CSV output writes them.
    func value(_ formula: String, _ fixture: String, options: DataOptions = DataOptions()) throws -> String {
        let result = try OfficeDataTests.result(formula, fixture, options: options)
        guard let kpi = result.kpis.first else { return "none" }
        func written(_ outcome: Outcome) -> String {
            switch outcome {
            case .value(let value): CSVFormatter.plain(value)
            case .error(let message): "error: \(message)"
            }
        }
        switch kpi.value {
        case .single(let outcome): return written(outcome)
        case .grouped(_, let rows): return rows.map { "\($0.keys.map(CSVFormatter.plain).joined(separator: "|"))=\(written($0.outcome))" }.joined(separator: "; ")
        }
    }

    /// The first line of what loading a fixture says, or "loaded".
    func loadError(_ fixture: String, options: DataOptions = DataOptions()) -> String {
        do {
            _ = try DataTable.load(contentsOf: OfficeDataTests.fixtures.appendingPathComponent(fixture).path, options: options)
            return "loaded"
        } catch {
            return "\(error)".split(separator: "\n").first.map { String($0).replacingOccurrences(of: OfficeDataTests.fixtures.path + "/", with: "") } ?? ""
        }
    }

    @Test(arguments: [
        // The earliest event is 2024-01-03 07:45, not the text "2024/1/10 0:00".
        ("min(时间)", "gb18030_slash_dates.csv", "2024-01-03 07:45"),
        ("count() by month(时间)", "gb18030_slash_dates.csv", "2024-01=2; 2024-02=1"),
        // ¥1,200 + ¥950 + ¥2,300: a comma before three digits next to ¥ groups thousands.
        ("sum(金额)", "gb18030_slash_dates.csv", "4450"),
        ("max(date)", "us_dates.csv", "2024-01-25"),
        ("min(date)", "us_dates.csv", "2023-12-01"),
        ("max(date)", "uk_dates.csv", "2024-01-25"),
        ("min(date)", "uk_dates.csv", "2023-12-01"),
        // Two-digit years as Excel reads them: 29 is 2029, 30 is 1930.
        ("min(date)", "dotted_two_digit_years.csv", "1930-01-01"),
        ("max(date)", "dotted_two_digit_years.csv", "2029-12-31"),
        ("count() by month(date)", "dotted_two_digit_years.csv", "1930-01=1; 2024-09=1; 2029-12=1"),
        ("sum(us)", "both_separators.csv", "1247.06"),
        ("sum(eu)", "both_separators.csv", "1237.06"),
        ("sum(yen)", "both_separators.csv", "1230"),
    ])
    func readsDatesAndNumbersAsOfficesWriteThem(_ formula: String, _ fixture: String, _ expected: String) throws {
        #expect(try value(formula, fixture) == expected)
    }

    @Test func anAmbiguousDateColumnNamesDateFormat() throws {
        #expect(
            loadError("ambiguous_dates.csv")
                == "ambiguous_dates.csv:2: error: column 'date' has dates such as '03/04/2024' that read both as day/month and as month/day; "
                + "give --date-format d/m/yyyy or --date-format m/d/yyyy (or --date-format date=… for this column)")
        var monthFirst = DataOptions()
        monthFirst.dateOrder = DayMonthOrder(format: "m/d/yyyy")
        #expect(try value("max(date)", "ambiguous_dates.csv", options: monthFirst) == "2024-05-06")
        var dayFirst = DataOptions()
        dayFirst.columnDateOrders = ["date": .dayFirst]
        #expect(try value("max(date)", "ambiguous_dates.csv", options: dayFirst) == "2024-06-05")
    }

    @Test func serialNumbersAreDatesWhenTheColumnIsTypedDate() throws {
        let options = DataOptions(columnTypes: ["day": .date])
        #expect(try value("min(day)", "excel_serials.csv", options: options) == "2024-01-01")
        #expect(try value("max(day)", "excel_serials.csv", options: options) == "2024-01-31 12:00")
        #expect(try value("sum(amount) by month(day)", "excel_serials.csv", options: options) == "2024-01=3")
    }

    @Test func titleLinesAboveTheHeaderAreSkipped() throws {
        var options = DataOptions()
        options.skipRows = 3
        // 1.234,56 + 2 000,00: points group thousands before a decimal comma.
        #expect(try value("sum(Сумма)", "1c_report_title_lines.csv", options: options) == "3234.56")
        // A workbook's title rows too: the header is the first row with a cell below them.
        #expect(try value("sum(Сумма)", "report_title_lines.xlsx", options: options) == "3234.56")
        options.skipRows = 9
        #expect(loadError("1c_report_title_lines.csv", options: options) == "1c_report_title_lines.csv: error: --skip-rows 9 skips every line of the file (it has 7) (read as Windows-1251)")
    }

    /// One text is one number in a cell of any file and in `number(t)`.
    @Test(arguments: [
        ("number(\"¥1,200\")", "1200"), ("number(\"$1,234\")", "1234"), ("number(\"US$1,200.50\")", "1200.5"),
        ("number(\"1.234,56\")", "1234.56"), ("number(\"1,234.56\")", "1234.56"), ("number(\"1,200 ₽\")", "1.2"),
        ("number(\"1 234,56\")", "1234.56"), ("number(\"1.234.567\")", "1234567"), ("number(\"12,5%\")", "0.125"),
        ("count([1, 0, 3, 1/0])", "3"),
    ])
    func numbersAsOfficesWriteThem(_ formula: String, _ expected: String) throws {
        #expect(try value(formula, "us_dates.csv") == expected)
    }

    @Test(arguments: [
        ("PERCENTILE.INC(amount, 0.5)", "10"), ("PERCENTRANK.INC(amount, 10)", "0.5"), ("STDEV.S(amount)", "7.637626158259733"),
        ("QUARTILE.INC(amount, 2)", "10"), ("COUNTA(amount)", "3"), ("ПРОЦЕНТРАНГ.ВКЛ(amount, 20)", "1"),
    ])
    func excelsDottedNamesAreAliases(_ formula: String, _ expected: String) throws {
        #expect(try value(formula, "us_dates.csv") == expected)
    }

    @Test(arguments: [
        (
            "k = СУММЕСЛИ(amount, 1, 2)",
            "test.kpi:1:5: error: unknown function 'СУММЕСЛИ'; Kipi filters inside the aggregate: write sum(x where condition), as sum(amount where status == \"won\")"
        ),
        (
            "k = СЧЁТЕСЛИ(amount, 1)",
            "test.kpi:1:5: error: unknown function 'СЧЁТЕСЛИ'; Kipi filters inside the aggregate: write count(x where condition), as count(amount where status == \"won\")"
        ),
        (
            "k = СРЗНАЧЕСЛИ(amount, 1)",
            "test.kpi:1:5: error: unknown function 'СРЗНАЧЕСЛИ'; Kipi filters inside the aggregate: write avg(x where condition), as avg(amount where status == \"won\")"
        ),
        (
            "k = ВПР(1, 2, 3)",
            "test.kpi:1:5: error: unknown function 'ВПР'; Kipi pairs values with lookup(value, keys, values), as lookup(manager, plans.manager, plans.target) or lookup(rating, [\"poor\", \"good\"], [0, 10])"
        ),
        (
            "k = XLOOKUP(1, 2, 3)",
            "test.kpi:1:5: error: unknown function 'XLOOKUP'; Kipi pairs values with lookup(value, keys, values), as lookup(manager, plans.manager, plans.target) or lookup(rating, [\"poor\", \"good\"], [0, 10])"
        ),
        ("k = PERCENTILE.INCC(amount, 0.5)", "test.kpi:1:5: error: unknown function 'PERCENTILE.INCC'; did you mean 'PERCENTILE.INC'?"),
        ("k = percentile_in(amount, 0.5)", "test.kpi:1:5: error: unknown function 'percentile_in'; did you mean 'PERCENTILE.INC'?"),
        ("k = sum(Сумма сделки)", "test.kpi:1:15: error: a name with spaces is written in backticks: `Сумма сделки`"),
        ("k = Сумма сделки", "test.kpi:1:11: error: a name with spaces is written in backticks: `Сумма сделки`"),
        ("k = percentile(amount, 0,5)", "test.kpi:1:5: error: a number is written with a decimal point: 0.5, not 0,5"),
        ("k = =sum(amount)", "test.kpi:1:5: error: a Kipi formula starts without '=': write sum(amount), not =sum(amount) as in an Excel cell"),
        (
            "k = sum（amount）",
            "test.kpi:1:8: error: unexpected character '（'; this is the full-width form of '(' that a Chinese or Japanese input method types: write '('"
        ),
        (
            "k = round(1，2)",
            "test.kpi:1:12: error: unexpected character '，'; this is the full-width form of ',' that a Chinese or Japanese input method types: write ','"
        ),
        ("k = count(where 1 == “a”)", "test.kpi:1:22: error: unexpected character '“'; strings are written in plain double quotes: \"…\""),
    ])
    func excelHabitsAreAnsweredTheKipiWay(_ formulas: String, _ expected: String) {
        let message = diagnostics(formulas).split(separator: "\n").first.map(String.init)
        #expect(message == expected)
    }

    /// `--param` reads a value as `:set` does: one parser for both.
    @Test func aParameterReadsNumbersAsTheDataDoes() throws {
        let data = try temporaryFile("d.csv", "x\n1\n")
        let formulas = try temporaryFile("k.kpi", "param target = 10\nk = target\n")
        #expect(CapturedRun(["eval", formulas, "--data", data, "--param", "target=1,234,567", "--format", "json"]).output == "{\n  \"k\": 1234567\n}\n")
        #expect(CapturedRun(["eval", formulas, "--data", data, "--param", "target=1.234,5", "--format", "json"]).output == "{\n  \"k\": 1234.5\n}\n")
        var session = ReplSession()
        _ = session.handle("param target = 10")
        _ = session.handle(":set target=1,234,567")
        #expect(session.handle("target * 1").text == "1,234,567")
    }

    @Test func anEngineNamesWhatIsMissing() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-missing-\(UUID().uuidString).duckdb").path
        let run = CapturedRun(["eval", "formulas/sales.kpi", "--engine", "duckdb", "--table", "sales", "--connect", missing])
        #expect(run.status == 1)
        #expect(run.errors == "kipi: error: the DuckDB database '\(missing)' does not exist; give an existing database file with --connect\n")
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(
            diagnostics("k = sum(plans.target)").split(separator: "\n").first
                == "test.kpi:1:9: error: unknown table 'plans'; give it with --data plans=FILE (on an engine, --table plans=TABLE)")
    }

    @Test func functionsAreListedWithTheirOtherNames() {
        let listing = Kipi().functions.listing
        #expect(listing.contains("percentrank(x: column of number, v: number, [significance: number]) -> number\n"))
        #expect(listing.contains("    Also: PERCENTRANK.INC, ПРОЦЕНТРАНГ, ПРОЦЕНТРАНГ.ВКЛ"))
        #expect(listing.contains("    Also: average, СРЗНАЧ"))
        #expect(!listing.contains("pERCENTRANK"))
        #expect(!listing.contains("\nPERCENTILE.INC("))
    }
}
