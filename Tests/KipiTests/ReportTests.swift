import Foundation
import Testing

@testable import Kipi

/// SPEC v3's reports: the HTML page and the workbook, checked here in parts, and whole by real
/// readers: headless Chromium (`Tests/Report/check_html_reports.py`) and openpyxl with LibreOffice
/// (`Tests/Report/check_workbooks.py`) over every cookbook file.
struct ReportTests {
    static let context = ReportContext(title: "Sales <team>", description: "First line\nsecond line\n\n  kipi eval x.kpi", sources: [
        ReportContext.Source(table: "", file: "sales.csv", rows: 1234)
    ], computedAt: "2026-12-05 10:00 UTC", locale: .ru)

    func page(_ formulas: String, csv: String) throws -> String {
        HTMLReport.page(try evaluate(formulas, csv: csv), context: Self.context)
    }

    @Test func thePageHoldsEveryKPIAsTextAndNothingFromElsewhere() throws {
        let html = try page(
            """
            # Revenue <b>won</b>
            revenue = sum(amount)  critical 10 norm 1000
            by_manager = sum(amount) by manager
            """, csv: "manager,amount\n<script>alert(1)</script>,1500.5\nBob,20\n")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ru\">"))
        #expect(html.contains("<h1>Sales &lt;team&gt;</h1>"))
        #expect(html.contains("<p class=\"description\">First line second line</p>\n<pre>kipi eval x.kpi</pre>"))
        #expect(html.contains("<code>sales.csv</code>, 1 234 rows"))
        // Numbers as --locale ru writes them, the status as a mark and a word.
        #expect(html.contains("<span class=\"number\">1 520,50</span> <span class=\"status met\">✔ met 152,6%</span>"))
        #expect(html.contains("<p class=\"levels\">critical 10 · norm 1 000</p>"))
        #expect(html.contains("<p class=\"description\">Revenue &lt;b&gt;won&lt;/b&gt;</p>"))
        #expect(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("@import") && !html.contains("url("))
        #expect(html.components(separatedBy: "<section class=\"kpi").count - 1 == 2)
    }

    @Test func aPeriodKPIIsALineChartWithOnePointPerPeriodAndItsNorm() throws {
        var rows = ["month,region,amount"]
        for month in 1...4 {
            for region in ["EU", "US"] { rows.append("2024-0\(month)-15,\(region),\(month * 10)") }
        }
        let html = try page("monthly = sum(amount) by month(month), region  norm 25", csv: rows.joined(separator: "\n"))
        #expect(html.contains("data-periods=\"4\""))
        #expect(html.components(separatedBy: "<g class=\"series\"").count - 1 == 2)
        #expect(html.components(separatedBy: "<circle").count - 1 == 8)
        #expect(html.contains("<path class=\"reference norm\""))
        #expect(html.contains("<title>EU, 2024-03: 30</title>"))
    }

    @Test func aChartDrawsTheLargestLinesAndSaysSo() throws {
        var rows = ["month,shop,amount"]
        for shop in 1...10 {
            for month in 1...2 { rows.append("2024-0\(month)-01,s\(shop),\(shop * 100)") }
        }
        let html = try page("by_shop = sum(amount) by month(month), shop", csv: rows.joined(separator: "\n"))
        #expect(html.components(separatedBy: "<g class=\"series\"").count - 1 == HTMLReport.maximumSeries)
        #expect(!html.contains("data-label=\"s1\"") && !html.contains("data-label=\"s2\"") && html.contains("data-label=\"s10\""))
        #expect(html.contains("the 8 largest of 10 lines are drawn; the table has them all"))
    }

    @Test func aFileNamesItsTitleInItsFirstCommentLines() {
        let heading = ReportContext.heading(of: "# sales.kpi — How much do we sell?\n#\n# One row per deal.\n\nrevenue = 1\n", fallback: "sales")
        #expect(heading.title == "How much do we sell?")
        #expect(heading.description == "One row per deal.")
        // Comment lines right above the first definition describe it, not the file.
        #expect(ReportContext.heading(of: "# Revenue\nrevenue = 1\n", fallback: "sales") == ("sales", ""))
    }

    @Test func sheetNamesKeepExcelsRules() {
        var names = WorkbookReport.SheetNames()
        #expect(names.claim("KPIs") == "KPIs")
        #expect(names.claim("kpis") == "kpis (2)")
        #expect(names.claim("plan/fact [by manager]: Q1?") == "plan_fact _by manager__ Q1_")
        let long = String(repeating: "выручка", count: 6)
        #expect(names.claim(long) == String(long.prefix(31)))
        #expect(names.claim(long) == String(long.prefix(27)) + " (2)")
        #expect(names.claim("'quoted'") == "quoted")
        #expect(names.claim("History") == "SheetHistory")
        #expect(WorkbookReport.column(0) == "A" && WorkbookReport.column(25) == "Z" && WorkbookReport.column(26) == "AA" && WorkbookReport.column(701) == "ZZ")
    }

    @Test func cellsAreNumbersWithExcelFormatsDatesAsDatesPeriodsAsText() {
        #expect(WorkbookReport.cell(.value(.number(0.934)), DisplayFormat(style: .percent, decimals: nil)) == .number(0.934, .percent))
        #expect(WorkbookReport.cell(.value(.number(1234)), .plain) == .number(1234, .integer))
        #expect(WorkbookReport.cell(.value(.number(1234.5)), .plain) == .number(1234.5, .decimals))
        // 2024-03-01 is day 45,352 of Excel's calendar; noon is half a day more.
        #expect(WorkbookReport.cell(.value(.date(KipiDate(daysSinceEpoch: 19_783))), .plain) == .number(45_352, .date))
        #expect(WorkbookReport.cell(.value(.date(KipiDate(daysSinceEpoch: 19_783, secondOfDay: 43_200))), .plain) == .number(45_352.5, .dateTime))
        #expect(WorkbookReport.cell(.value(.period(Period(grain: .month, index: 24_290))), .plain) == .text("2024-03"))
        #expect(WorkbookReport.cell(.error("division by zero"), .plain) == .text("error: division by zero"))
        #expect(Markup.escaped("a<b & \u{1}c'") == "a&lt;b &amp; \u{FFFD}c&#39;")
    }

    @Test func theWorkbookIsAZipOfTheSheetsKipiReadsBack() throws {
        let result = try evaluate("total = sum(amount)  norm 10\nby_manager = sum(amount) by manager", csv: "manager,amount\nAnn,10\nБорис,5.5\n")
        let bytes = WorkbookReport.workbook(result, context: Self.context)
        let archive = try ZipArchive(Data(bytes))
        #expect(Set(archive.entries.keys) == [
            "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
        ])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-\(UUID().uuidString).xlsx")
        try Data(bytes).write(to: file)
        var options = DataOptions()
        options.sheet = "by_manager"
        let sheet = try DataTable.load(contentsOf: file.path, options: options)
        #expect(sheet.columnNames == ["manager", "value"])
        #expect(sheet["manager"]?[1] == .text("Борис"))
        #expect(sheet["value"]?[1] == .number(5.5))
    }

    /// The whole pages in a real browser, and the whole workbooks in openpyxl and LibreOffice.
    @Test(arguments: ["check_html_reports.py", "check_workbooks.py"])
    func everyCookbookReportOpensInARealReader(_ script: String) throws {
        let (status, text) = try runPython(repositoryRoot.appendingPathComponent("Tests/Report/\(script)").path, [builtKipi, repositoryRoot.appendingPathComponent(".build/reports").path])
        #expect(status == 0, "\(text.suffix(3_000))")
    }
}
