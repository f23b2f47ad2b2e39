import Foundation
import Testing

@testable import Kipi

/// `.xlsx` workbooks (SPEC §4), on workbooks written by openpyxl and xlsxwriter
/// (`Tests/Fixtures/make_office_fixtures.py`).
struct WorkbookTests {
    static func path(_ fixture: String) -> String { OfficeDataTests.fixtures.appendingPathComponent(fixture).path }

    func value(_ formula: String, _ fixture: String, sheet: String? = nil) throws -> String {
        try OfficeDataTests().value(formula, fixture, options: DataOptions(sheet: sheet))
    }

    @Test(arguments: [
        // 1200.5 + 800 + 0.1 − 50; row 4 is missing from the sheet and column D is empty.
        ("sum(Сумма)", nil, "1950.6"),
        ("count()", nil, "4"),
        // Serial 41 is 10 February 1900: before Excel's phantom 29 February, a day later than a plain count.
        ("min(Дата)", nil, "date(\"1900-02-10\")"),
        ("max(Дата)", nil, "date(\"2024-03-01\")"),
        ("count(Дата where Дата == date(\"2024-02-29\"))", nil, "1"),
        ("percent(Выиграна)", nil, "0.5"),
        // The #N/A error cell is empty.
        ("count(Комментарий)", nil, "2"),
        ("sum(plan)", "Plans", "1910"),
        // Numbers stored as text, written the Russian way: 1 234,56 + 100 − 7,5.
        ("sum(`as text`)", "plans", "1327.06"),
        ("count(errors)", "Plans", "1"),
    ] as [(String, String?, String)])
    func readsTheSheetsOfAnOpenpyxlWorkbook(_ formula: String, _ sheet: String?, _ expected: String) throws {
        #expect(try value(formula, "workbook_openpyxl.xlsx", sheet: sheet) == expected)
    }

    @Test func keepsHeadersTextAndLineBreaksAsStored() throws {
        let table = try DataTable.load(contentsOf: Self.path("workbook_openpyxl.xlsx"))
        #expect(table.columnNames == ["Дата", "Менеджер", "Сумма", "Выиграна", "Комментарий"])
        #expect(table["Комментарий"]?[2] == .text("строка\nс переносом"))
        #expect(table["Выиграна"]?.type == .boolean)
    }

    @Test(arguments: [
        // Formulas read as the values xlsxwriter saved with them: 3.5 and 24.5 hours.
        ("sum(hours)", "28"),
        // Date-times in the 1904 date system; (closed − opened) is in days.
        ("avg((closed - opened) * 24)", "14"),
        ("min(opened)", "date(\"2024-05-28 15:28\")"),
        ("max(closed)", "date(\"2024-05-30 09:30\")"),
        ("max(operator)", "\"Bob\""),
    ])
    func readsFormulasDateTimesAndThe1904System(_ formula: String, _ expected: String) throws {
        #expect(try value(formula, "workbook_xlsxwriter.xlsx") == expected)
    }

    @Test func aHostLoadsAWorkbookFromBytes() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.path("workbook_xlsxwriter.xlsx")))
        let table = try DataTable.load(bytes, name: "upload")
        #expect(table.rowCount == 2)
        #expect(table["operator"]?[0] == .text("Ann"))
    }

    @Test func excelSerialNumbersAreDatesWithTheLeapYearQuirk() {
        func date(_ serial: Double, date1904: Bool = false) -> String {
            ExcelSerial.date(serial, date1904: date1904)?.description ?? "none"
        }
        #expect(date(1) == "1900-01-01")
        #expect(date(59) == "1900-02-28")
        #expect(date(61) == "1900-03-01")
        #expect(date(25_569) == "1970-01-01")
        #expect(date(45_306.645833333336) == "2024-01-15 15:30")
        #expect(date(0, date1904: true) == "1904-01-01")
        #expect(date(-1) == "none")
    }

    @Test(arguments: [
        ("dd.mm.yyyy", true), ("[$-419]d mmmm yyyy", true), ("yyyy-mm-dd hh:mm", true), ("General", false),
        ("0.00;[Red]-0.00", false), ("\"day\" 0", false), ("h:mm", false), ("[h]:mm:ss", false), ("#,##0 \"руб.\"", false),
    ])
    func dateFormatsAreToldFromNumberFormats(_ code: String, _ isDate: Bool) {
        #expect(ExcelSerial.isDateFormat(code) == isDate)
    }

    @Test func brokenWorkbooksAreClearErrors() throws {
        func error(_ bytes: Data, options: DataOptions = DataOptions()) -> String {
            do {
                _ = try DataTable.load(bytes, name: "book.xlsx", options: options)
                return "no error"
            } catch {
                return error.description
            }
        }
        let workbook = try Data(contentsOf: URL(fileURLWithPath: Self.path("workbook_openpyxl.xlsx")))
        #expect(
            error(workbook.prefix(3000))
                == "book.xlsx: error: cannot read the workbook: its ZIP directory is missing (the file is cut short or not a workbook)")
        #expect(
            error(Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
                == "book.xlsx: error: the workbook is password-protected or an old .xls file; save it from Excel as .xlsx without a password")
        #expect(
            error(workbook, options: DataOptions(sheet: "Итоги"))
                == "book.xlsx: error: the workbook has no sheet 'Итоги'; its sheets are 'Продажи', 'Plans', 'Unsaved'")
        #expect(
            error(workbook, options: DataOptions(sheet: "Unsaved"))
                == "book.xlsx: error: cannot read the workbook: cell B2 has a formula without a saved value; open the workbook in Excel and save it")
        // Found by the fuzzer: an entry declaring 822 MB for 357 compressed bytes was allocated before being inflated.
        var inflated = workbook
        let directory = try #require(inflated.range(of: Data("xl/workbook.xml".utf8), options: .backwards)).lowerBound - 46
        inflated.replaceSubrange((directory + 24)..<(directory + 28), with: [0xAF, 0xF9, 0x00, 0x31])
        #expect(
            error(inflated)
                == "book.xlsx: error: cannot read the workbook: the entry 'xl/workbook.xml' is damaged (it declares more bytes than its data can hold)")
        var damaged = workbook
        // Flipped bytes inside the first sheet's deflated data.
        for offset in 2150..<2160 { damaged[offset] ^= 0x5A }
        #expect(error(damaged).hasPrefix("book.xlsx: error: cannot read the workbook: "))
    }

    @Test func theCommandLineReadsASheetByName() throws {
        let run = CapturedRun(["eval", "-e", "sum(plan) by manager", "--data", Self.path("workbook_openpyxl.xlsx"), "--sheet", "Plans", "--format", "csv"])
        #expect(run.errors == "")
        #expect(run.output == "kpi,manager,value\nvalue,Иванов,1000\nvalue,Петрова,900\nvalue,Сидоров,10\n")
    }

    @Test func verboseSaysHowEachFileWasRead() throws {
        let run = CapturedRun([
            "eval", "-e", "count()", "--verbose", "--data", OfficeDataTests.fixtures.appendingPathComponent("cp1251_semicolon.csv").path,
            "--data", "plans=\(Self.path("workbook_openpyxl.xlsx"))", "--sheet", "Plans",
        ])
        #expect(run.output == "2\n")
        #expect(run.errors.contains("cp1251_semicolon.csv: 2 rows, read as Windows-1251\n"))
        #expect(run.errors.contains("workbook_openpyxl.xlsx: 3 rows, read as sheet 'Plans'\n"))
    }
}
