import Testing

@testable import Kipi

/// SPEC §3 "Excel habits" and the functions that came with them.
struct ExcelHabitTests {
    static let csv = "amount,plan,status,Сумма,name\n10,5,won,1,\" Anna  Smith \"\n20,0,lost,2,Bob\n"

    func value(_ formula: String) throws -> String {
        single(try evaluate(formula, csv: Self.csv), "k")
    }

    @Test(arguments: [
        // Excel's names and literals.
        ("k = SUM(amount)", "30"),
        ("k = Sum(amount where STATUS == \"won\")", "error: unknown"),
        ("k = СУММ(amount)", "30"),
        ("k = срзнач(amount)", "15"),
        ("k = ПРОЦЕНТРАНГ.ВКЛ([1, 2, 3], 2)", "0.5"),
        ("k = ЕСЛИОШИБКА(1 / 0, -1)", "-1"),
        ("k = count(where status <> \"won\")", "1"),
        ("k = TRUE and not FALSE", "true"),
        ("k = count(where plan == NULL)", "0"),
        // iferror per cell, per group row and per KPI.
        ("k = sum(iferror(amount / plan, 0))", "2"),
        ("k = iferror(sum(amount) / sum(plan where plan > 5), 0)", "0"),
        // Text.
        ("k = trim(min(name))", "\"Anna Smith\""),
        ("k = number(\"1 234,56\")", "1234.56"),
        ("k = number(\"1,234.5\")", "1234.5"),
        ("k = number(\"12%\")", "0.12"),
        ("k = number(\"$530\")", "530"),
        ("k = number(\"1 234,56 ₽\")", "1234.56"),
        ("k = number(\"n/a\")", "error: 'n/a' is not a number"),
        ("k = text(1234.5) & \" / \" & text(date(\"2024-03-31\")) & \" / \" & text(month(\"2024-03\"))", "\"1234.5 / 2024-03-31 / 2024-03\""),
        ("k = \"x\" & null & 1", "\"x1\""),
        ("k = min(status & \"!\")", "\"lost!\""),
        // A definition named after the column it aggregates reads the column.
        ("k = sum(Сумма)", "3"),
    ])
    func excelHabitsAreAccepted(_ formula: String, _ expected: String) throws {
        let actual = try? value(formula)
        if expected == "error: unknown" {
            #expect(actual == nil)
        } else {
            #expect(actual == expected)
        }
    }

    @Test func aDefinitionMayShadowTheColumnItAggregates() throws {
        #expect(single(try evaluate("Сумма = sum(Сумма)", csv: Self.csv), "Сумма") == "3")
    }

    @Test func aFileWithAByteOrderMarkReads() throws {
        #expect(single(try evaluate("\u{FEFF}k = sum(amount)", csv: Self.csv), "k") == "30")
    }

    @Test(arguments: [
        ("k = count(where status = \"won\")", "test.kpi:1:24: error: '=' defines a name; to compare, write '==', as status == \"won\""),
        ("k = round(amount; 2)", "test.kpi:1:17: error: unexpected character ';'; separate a function's arguments with ',', as sum(a, b)"),
        ("k = 0,5", "test.kpi:1:6: error: a number is written with a decimal point: 0.5, not 0,5"),
        ("k = sum(A1:A5)", "test.kpi:1:11: error: unexpected character ':'; Kipi has no cell ranges such as A1:A5: name the column, as sum(amount)"),
        (
            "k = averageif(amount, \">5\")",
            "test.kpi:1:5: error: unknown function 'averageif'; Kipi filters inside the aggregate: write average(x where condition), as average(amount where status == \"won\")"
        ),
        (
            "k = SUMIFS(amount, status, \"won\")",
            "test.kpi:1:5: error: unknown function 'SUMIFS'; Kipi filters inside the aggregate: write sum(x where condition), as sum(amount where status == \"won\")"
        ),
        ("k = 10 % 3", "test.kpi:1:8: error: '%' makes a percent (15% is 0.15), not a remainder; a remainder is written x - floor(x / y) * y"),
        ("a = b + 1", "test.kpi:1:5: error: unknown column 'b'"),
    ])
    func excelHabitsAreAnsweredTheKipiWay(_ source: String, _ expected: String) {
        #expect(diagnostics(source).split(separator: "\n").first.map(String.init) == expected)
    }
}

struct DisplayRoundingTests {
    /// 2.675 is stored as 2.67499999…; Excel shows the decimal value rounded half away from zero.
    @Test(arguments: [(2.675, "2.68"), (1.005, "1.01"), (-2.675, "-2.68"), (1234.565, "1,234.57")])
    func numbersShowAsExcelRoundsThem(_ number: Double, _ shown: String) {
        #expect(TableFormatter.text(.number(number), .plain) == shown)
    }
}
