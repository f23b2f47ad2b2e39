/// Writes results as an Excel workbook (SPEC v3, reports people look at) that Excel and
/// LibreOffice open without a warning: a sheet `KPIs` with every single-valued KPI, then a sheet
/// per grouped KPI. Numbers are numbers with Excel number formats, dates are dates, periods
/// text; the header row is bold and frozen, and columns are as wide as their text.
public enum WorkbookReport {
    /// The `.xlsx` file's bytes.
    public static func workbook(_ result: EvaluationResult, context: ReportContext) -> [UInt8] {
        var sheets: [Sheet] = []
        var names = SheetNames()
        var overview = Sheet(name: names.claim("KPIs"), header: ["KPI", "value", "status", "level", "description"])
        for kpi in result.kpis {
            guard case .single(let outcome) = kpi.value else { continue }
            overview.rows.append(
                [.text(kpi.name), cell(outcome, kpi.format), statusCell(kpi.assessment), levelCell(kpi.assessment), .text(kpi.description)])
        }
        sheets.append(overview)
        for kpi in result.kpis {
            guard case .grouped(let keyNames, let rows) = kpi.value else { continue }
            let judged = kpi.isJudged
            let declared = ThresholdLevel.allCases.filter { level in rows.contains { $0.assessment?[level] != nil } }
            var sheet = Sheet(
                name: names.claim(kpi.name),
                header: keyNames + ["value"] + (judged ? ["status", "level"] + declared.map(\.rawValue) : []))
            for row in rows {
                var cells = row.keys.map { cell(.value($0), .plain) } + [cell(row.outcome, kpi.format)]
                if judged {
                    cells += [statusCell(row.assessment), levelCell(row.assessment)]
                    cells += declared.map { level in row.assessment?[level].map { cell(.value($0), kpi.format) } ?? .empty }
                }
                sheet.rows.append(cells)
            }
            sheets.append(sheet)
        }
        var zip = ZipWriter()
        zip.add("[Content_Types].xml", Array(contentTypes(sheets.count).utf8))
        zip.add("_rels/.rels", Array(rootRelationships.utf8))
        zip.add("docProps/core.xml", Array(core(context).utf8))
        zip.add("xl/workbook.xml", Array(workbookXML(sheets).utf8))
        zip.add("xl/_rels/workbook.xml.rels", Array(workbookRelationships(sheets.count).utf8))
        zip.add("xl/styles.xml", Array(Style.stylesheet.utf8))
        for (index, sheet) in sheets.enumerated() {
            zip.add("xl/worksheets/sheet\(index + 1).xml", Array(sheet.xml().utf8))
        }
        return zip.finished()
    }

    // MARK: Cells

    /// One cell: its value and the style (number format) it is shown with.
    enum Cell: Equatable {
        case empty
        case text(String)
        case number(Double, Style)
        case boolean(Bool)
    }

    /// The cell styles of `styles.xml`, by index into its `cellXfs`.
    enum Style: Int {
        case general = 0, header, integer, decimals, percent, percentWhole, percentTwo, date, dateTime

        /// Number formats (ids from 164 are the workbook's own) and the cell formats using them.
        static let stylesheet = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="4"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/>\
            <numFmt numFmtId="166" formatCode="yyyy\\-mm\\-dd hh:mm"/><numFmt numFmtId="167" formatCode="0.00%"/></numFmts>\
            <fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
            <xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """
    }

    /// A value as a cell in a KPI's format: percent KPIs as `0.0%`, other numbers with thousands
    /// separators (`#,##0` for whole numbers, else `#,##0.00`), dates as dates, periods as text.
    static func cell(_ outcome: Outcome, _ format: DisplayFormat) -> Cell {
        guard case .value(let value) = outcome else {
            if case .error(let message) = outcome { return .text("error: \(message)") }
            return .empty
        }
        switch value {
        case .null: return .empty
        case .number(let number):
            switch (format.style, format.decimals) {
            case (.percent, 0?): return .number(number, .percentWhole)
            case (.percent, let decimals?) where decimals >= 2: return .number(number, .percentTwo)
            case (.percent, _): return .number(number, .percent)
            case (.number, 0?): return .number(number, .integer)
            case (.number, _): return .number(number, number == number.rounded() && format.decimals == nil ? .integer : .decimals)
            }
        case .date(let date):
            // Excel counts days from 1899-12-30; 1970-01-01 is day 25,569.
            let serial = Double(date.daysSinceEpoch) + 25_569 + Double(date.secondOfDay) / 86_400
            return .number(serial, date.secondOfDay == 0 ? .date : .dateTime)
        case .boolean(let flag): return .boolean(flag)
        case .text, .period, .list: return .text(CSVFormatter.plain(value))
        }
    }

    private static func statusCell(_ assessment: Assessment?) -> Cell {
        assessment?.status.map { .text($0.rawValue) } ?? .empty
    }

    private static func levelCell(_ assessment: Assessment?) -> Cell {
        assessment?.level.map { .number($0, .percent) } ?? .empty
    }

    // MARK: Sheets

    struct Sheet {
        var name: String
        var header: [String]
        var rows: [[Cell]] = []

        /// The worksheet: the header bold and frozen, columns as wide as their widest text.
        func xml() -> String {
            var widths = header.map { TableFormatter.displayWidth($0) + 2 }
            for row in rows {
                for (column, cell) in row.enumerated() where column < widths.count {
                    widths[column] = max(widths[column], WorkbookReport.width(of: cell) + 2)
                }
            }
            var text = """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
                <dimension ref="A1:\(WorkbookReport.column(max(header.count, 1) - 1))\(rows.count + 1)"/>\
                <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
                <selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>\
                <sheetFormatPr defaultRowHeight="15"/><cols>
                """
            for (index, width) in widths.enumerated() {
                text += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(min(max(width, 8), 80))\" customWidth=\"1\"/>"
            }
            text += "</cols><sheetData>"
            text += WorkbookReport.row(1, header.map { .text($0) }, style: .header)
            for (index, row) in rows.enumerated() { text += WorkbookReport.row(index + 2, row, style: nil) }
            text += "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>"
            return text
        }
    }

    /// Sheet names as Excel allows them: at most 31 characters, none of `[]:*?/\`, not starting
    /// or ending with `'`, unique whatever the case.
    struct SheetNames {
        private var taken: Set<String> = []

        mutating func claim(_ wanted: String) -> String {
            var base = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
            while base.hasPrefix("'") { base.removeFirst() }
            while base.hasSuffix("'") { base.removeLast() }
            if base.isEmpty || base.lowercased() == "history" { base = "Sheet" + base }
            var name = String(base.prefix(31))
            var number = 2
            while taken.contains(name.lowercased()) {
                let suffix = " (\(number))"
                name = String(base.prefix(31 - suffix.count)) + suffix
                number += 1
            }
            taken.insert(name.lowercased())
            return name
        }
    }

    private static func row(_ number: Int, _ cells: [Cell], style: Style?) -> String {
        var text = "<row r=\"\(number)\">"
        for (index, cell) in cells.enumerated() {
            let reference = "\(column(index))\(number)"
            let styled = style.map { " s=\"\($0.rawValue)\"" } ?? ""
            switch cell {
            case .empty: continue
            case .text(let value): text += "<c r=\"\(reference)\"\(styled) t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Markup.escaped(value))</t></is></c>"
            case .number(let value, let format):
                guard value.isFinite else { continue }
                text += "<c r=\"\(reference)\" s=\"\((style ?? format).rawValue)\"><v>\(JSONFormatter.value(.number(value)))</v></c>"
            case .boolean(let flag): text += "<c r=\"\(reference)\"\(styled) t=\"b\"><v>\(flag ? 1 : 0)</v></c>"
            }
        }
        return text + "</row>"
    }

    /// The letters of a column from 0: A … Z, AA …
    static func column(_ index: Int) -> String {
        var letters = ""
        var number = index + 1
        while number > 0 {
            let remainder = (number - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            number = (number - 1) / 26
        }
        return letters
    }

    /// About how many characters a cell shows, for its column's width.
    private static func width(of cell: Cell) -> Int {
        switch cell {
        case .empty: 0
        case .text(let text): TableFormatter.displayWidth(text.split(separator: "\n").first.map(String.init) ?? "")
        case .number(let value, let style):
            switch style {
            case .date: 10
            case .dateTime: 16
            default: TableFormatter.text(.number(value), .plain).count + 1
            }
        case .boolean: 5
        }
    }

    // MARK: Parts of the package

    private static func contentTypes(_ sheets: Int) -> String {
        var overrides = (1...max(sheets, 1)).map {
            "<Override PartName=\"/xl/worksheets/sheet\($0).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        overrides.append("<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>")
        overrides.append("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>")
        overrides.append("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>")
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\(overrides.joined())</Types>
            """
    }

    private static let rootRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        </Relationships>
        """

    private static func core(_ context: ReportContext) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
        <dc:title>\(Markup.escaped(context.title))</dc:title><dc:creator>kipi</dc:creator></cp:coreProperties>
        """
    }

    private static func workbookXML(_ sheets: [Sheet]) -> String {
        let entries = sheets.enumerated().map { index, sheet in
            "<sheet name=\"\(Markup.escaped(sheet.name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <bookViews><workbookView/></bookViews><sheets>\(entries.joined())</sheets></workbook>
            """
    }

    private static func workbookRelationships(_ sheets: Int) -> String {
        var relationships = (1...max(sheets, 1)).map {
            "<Relationship Id=\"rId\($0)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0).xml\"/>"
        }
        relationships.append(
            "<Relationship Id=\"rId\(sheets + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>")
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(relationships.joined())</Relationships>
            """
    }
}
