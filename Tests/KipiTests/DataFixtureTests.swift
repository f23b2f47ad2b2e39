import Foundation
import Testing

@testable import Kipi

/// Files shaped like what Excel, 1C and Google Sheets export, in `Tests/Fixtures`.
struct DataFixtureTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    func path(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func load(_ name: String, _ options: DataOptions = DataOptions()) throws -> DataTable {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        let format: DataFormat = name.hasSuffix(".json") ? .json : .csv
        return try format.read(data, name: name, options: options)
    }

    func loadError(_ name: String, _ options: DataOptions = DataOptions()) -> String {
        do {
            _ = try load(name, options)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func types(_ table: DataTable) -> [String] {
        table.schema.columns.map { "\($0.name):\($0.type)" }
    }

    @Test func excelWithBOMAndCRLF() throws {
        let table = try load("excel_bom_crlf.csv")
        #expect(types(table) == ["manager:text", "amount:number", "date:date"])
        #expect(table["amount"]?.values == [.number(10.5), .number(20), .null])
        #expect(table["manager"]?.values == [.text("Ann"), .text("Bob"), .text("Ann")])
    }

    @Test func russianExcelWithSemicolonsAndDecimalCommas() throws {
        let table = try load("excel_ru_semicolon.csv")
        #expect(types(table) == ["Менеджер:text", "Сумма:number", "Дата:date", "Оплачено:boolean", "Доля:number"])
        #expect(table["Сумма"]?.values == [.number(1234.56), .number(1000.5), .number(-3.25)])
        #expect(table["Дата"]?.values.map(\.description) == ["date(\"2024-01-31\")", "date(\"2024-02-01\")", "date(\"2024-02-15\")"])
        #expect(table["Оплачено"]?.values == [.boolean(true), .boolean(false), .boolean(true)])
        #expect(table["Доля"]?.values == [.number(0.12), .number(0.075), .null])
    }

    @Test func oneCTabSeparatedWithoutAFinalNewline() throws {
        let table = try load("1c_tab_no_final_newline.tsv")
        #expect(types(table) == ["Контрагент:text", "Сумма:number", "Статус:text"])
        #expect(table["Контрагент"]?.values == [.text("ООО \"Ромашка\""), .text("ИП Сидоров")])
        #expect(table["Статус"]?.values == [.text("да"), .text("нет")])
    }

    @Test func googleSheetsQuotedFields() throws {
        let table = try load("sheets_quoted.csv")
        #expect(table["name"]?.values == [.text("Smith, John"), .text("García, Ana"), .text("Chen Wei")])
        #expect(table["comment"]?.values == [.text("said \"hi\""), .text("two\nlines"), .text("plain")])
        #expect(table["amount"]?.values == [.number(1), .number(2), .number(3)])
    }

    @Test func cyrillicAndCJKHeaders() throws {
        let table = try load("unicode_headers.csv")
        #expect(table.columnNames == ["客户", "收入", "Выручка за месяц"])
    }

    @Test func jsonArrayOfFlatObjects() throws {
        let table = try load("sales.json")
        #expect(types(table) == ["manager:text", "amount:number", "won:boolean", "date:date"])
        #expect(table["amount"]?.values == [.number(10.5), .number(20), .null])
        #expect(table.rowCount == 3)
    }

    @Test func jsonKeysMissingFromSomeObjectsAreNullThere() throws {
        let table = try JSONReader.read(Array("[{\"a\": 1}, {\"b\": 2}, {\"a\": 3, \"b\": 4}, {}]".utf8), name: "j.json")
        #expect(table.columnNames == ["a", "b"])
        #expect(table["a"]?.values == [.number(1), .null, .number(3), .null])
        #expect(table["b"]?.values == [.null, .number(2), .number(4), .null])
    }

    @Test func aHeaderOnlyFileHasZeroRows() throws {
        let table = try load("header_only.csv")
        #expect(table.rowCount == 0)
        #expect(table.columnNames == ["manager", "amount"])
    }

    @Test func typesCanBeForced() throws {
        let table = try load("unicode_headers.csv", DataOptions(columnTypes: ["收入": .text]))
        #expect(table["收入"]?.values == [.text("100"), .text("200")])
        #expect(
            loadError("bad_number.csv", DataOptions(columnTypes: ["amount": .number]))
                == "bad_number.csv:4: error: column 'amount' is declared a number, but 'unknown' is not a number")
    }

    @Test func onlyTheColumnsAskedForAreRead() throws {
        let table = try load("sheets_quoted.csv", DataOptions(columns: ["amount", "missing"]))
        #expect(table.columnNames == ["amount"])
        #expect(table.rowCount == 3)
    }

    static let malformed: [(String, String)] = [
        ("ragged.csv", "ragged.csv:3: error: row has 2 fields, but the header has 3"),
        ("unclosed_quote.csv", "unclosed_quote.csv:2: error: a quoted field is never closed (missing \")"),
        ("invalid_utf8.csv", "invalid_utf8.csv:3: error: the text is not valid UTF-8; give its encoding with --encoding cp1251, gb18030 or utf-16"),
        ("binary.csv", "binary.csv: error: the file is binary, not CSV text"),
        ("empty.csv", "empty.csv: error: the file is empty; expected a header row"),
        ("nested.json", "nested.json:1: error: the value of 'a' is nested (an object or array); rows must be flat"),
        ("mixed.json", "mixed.json:2: error: the key 'a' is text here but a number on line 1; a column has one type"),
    ]

    @Test(arguments: malformed)
    func malformedFilesAreRefusedWithTheLine(_ name: String, _ message: String) {
        #expect(loadError(name) == message)
    }

    static let evaluations: [(file: String, expression: String, output: String)] = [
        ("excel_bom_crlf.csv", "sum(amount)", "30.5"),
        ("excel_bom_crlf.csv", "count(amount)", "2"),
        ("excel_ru_semicolon.csv", "sum(Сумма)", "2231.81"),
        ("excel_ru_semicolon.csv", "count(where Оплачено and Дата >= date(\"01.02.2024\"))", "1"),
        ("excel_ru_semicolon.csv", "avg(Доля)", "0.0975"),
        ("1c_tab_no_final_newline.tsv", "sum(Сумма where Статус == \"да\")", "100"),
        ("sheets_quoted.csv", "sum(amount where contains(name, \",\"))", "3"),
        ("unicode_headers.csv", "sum(收入) + sum(`Выручка за месяц`)", "303"),
        ("sales.json", "sum(amount where won)", "10.5"),
        (
            "sales.json", "count() by month(date)",
            "[\n  {\"month(date)\": \"2024-01\", \"value\": 1},\n  {\"month(date)\": \"2024-02\", \"value\": 2}\n]"
        ),
        ("header_only.csv", "sum(amount)", "0"),
    ]

    @Test(arguments: evaluations)
    func kipiEvalGivesTheRightNumbers(_ file: String, _ expression: String, _ output: String) {
        let run = CapturedRun(["eval", "-e", expression, "--data", path(file), "--format", "json"])
        #expect(run.errors == "")
        #expect(run.status == 0)
        #expect(run.output == output + "\n")
    }

    @Test(arguments: malformed)
    func kipiEvalOfAMalformedFileExitsWith1(_ name: String, _ message: String) {
        let run = CapturedRun(["eval", "-e", "count()", "--data", path(name)])
        #expect(run.status == 1)
        #expect(run.output == "")
        #expect(run.errors == Self.fixtures.path + "/" + message + "\n")
    }

    @Test func usingATextColumnAsANumberNamesTheFirstBadCell() {
        let run = CapturedRun(["eval", "-e", "sum(amount)", "--data", path("bad_number.csv")])
        #expect(run.status == 1)
        #expect(
            run.errors == """
                <expr>:1:5: error: 'sum' expects a number column for 'x', but got text; column 'amount' is text because line 4 has 'unknown', which is not a number
                sum(amount)
                    ^~~~~~

                """)
    }

    @Test func typesAndDelimitersFromTheCommandLine() {
        let forced = CapturedRun(["eval", "-e", "sum(amount)", "--data", path("bad_number.csv"), "--type", "amount=number"])
        #expect(forced.status == 1)
        #expect(forced.errors == path("bad_number.csv") + ":4: error: column 'amount' is declared a number, but 'unknown' is not a number\n")
        let asText = CapturedRun(["eval", "-e", "count_distinct(收入)", "--data", path("unicode_headers.csv"), "--type", "收入=text"])
        #expect(asText.output == "2\n")
        let semicolons = CapturedRun(["eval", "-e", "count()", "--data", "-", "--delimiter", ";", "--format", "json"], input: "a,b;c\n1,5;2\n")
        #expect(semicolons.output == "1\n")
        let wrongType = CapturedRun(["eval", "-e", "1", "--type", "amount=money"])
        #expect(wrongType.status == 2)
        #expect(wrongType.errors.hasPrefix("kipi: error: --type takes column=number|text|boolean|date, got 'amount=money'"))
    }

    @Test func arithmeticOnATextColumnNamesTheFirstBadCellToo() {
        let run = CapturedRun(["eval", "-e", "sum(amount * 2)", "--data", path("bad_number.csv")])
        #expect(
            run.errors.hasPrefix(
                "<expr>:1:5: error: '*' expects a number, but got text; column 'amount' is text because line 4 has 'unknown', which is not a number"))
    }

    @Test func comparingATextColumnWithANumberNamesTheFirstBadCell() {
        let run = CapturedRun(["eval", "-e", "count(where amount > 1)", "--data", path("bad_number.csv")])
        #expect(
            run.errors.hasPrefix(
                "<expr>:1:13: error: cannot compare text with a number using '>'; column 'amount' is text because line 4 has 'unknown', which is not a number"
            ))
    }

    @Test func jsonFromStandardInput() {
        let json = "[{\"amount\": 2}, {\"amount\": 3}]"
        #expect(CapturedRun(["eval", "-e", "sum(amount)", "--data", "-"], input: json).output == "5\n")
        #expect(CapturedRun(["eval", "-e", "sum(amount)", "--data", "-", "--data-format", "json"], input: json).output == "5\n")
        #expect(CapturedRun(["eval", "-e", "count()", "--data", "-", "--data-format", "csv"], input: "a;b\n1;2\n").output == "1\n")
    }
}

struct DecimalMarkTests {
    @Test func aSemicolonFileMayUseDecimalPoints() throws {
        let table = try CSVReader.read(Array("a;b;c\n1,5;2.5;1 000\n2;3.25;7,5\n".utf8), name: "d.csv")
        #expect(table["a"]?.values == [.number(1.5), .number(2)])
        #expect(table["b"]?.values == [.number(2.5), .number(3.25)])
        #expect(table["c"]?.values == [.number(1000), .number(7.5)])
    }

    /// SPEC v3: one text is one number everywhere, so a quoted `1,5` is 1.5 as `number("1,5")` is,
    /// and a quoted `1,234.56` is 1234.56 (it stayed text under every flag).
    @Test func aCommaFileReadsQuotedNumbersAsNumberReadsThem() throws {
        let table = try CSVReader.read(Array("a,b,c\n\"1,5\",2,\"1,234.56\"\n\"2,25\",3,\"12\"\n".utf8), name: "d.csv")
        #expect(table["a"]?.values == [.number(1.5), .number(2.25)])
        #expect(table["c"]?.values == [.number(1234.56), .number(12)])
        let forced = try CSVReader.read(Array("a,b\n\"1,5\",2\n".utf8), name: "d.csv", options: DataOptions(decimalComma: true))
        #expect(forced["a"]?.values == [.number(1.5)])
    }
}

struct FormatDetectionTests {
    @Test func theExtensionDecidesBeforeTheFirstCharacter() throws {
        let csv = try temporaryFile("odd.csv", "[id],name\n1,a\n")
        #expect(try DataTable.load(contentsOf: csv).columnNames == ["[id]", "name"])
        let json = try temporaryFile("rows.txt.json", "[{\"a\": 1}]")
        #expect(try DataTable.load(contentsOf: json).columnNames == ["a"])
        let unnamed = try temporaryFile("export", "[{\"a\": 1}]")
        #expect(try DataTable.load(contentsOf: unnamed).columnNames == ["a"])
    }
}
