import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads one sheet of an `.xlsx` workbook into typed columns.
///
/// The first sheet, or the one `DataOptions.sheet` names; the header is the first row that has
/// a cell. Cells keep the type Excel stored: numbers, booleans, dates (numbers in a date number
/// format, in the 1900 or 1904 date system, with Excel's phantom 29 February 1900), text
/// (shared or inline), formulas as their cached values and error cells (`#DIV/0!`) as the null
/// tokens they are. A column of text cells is typed as a CSV column would be, so numbers that
/// 1C stored as text (`1 234,56`) are numbers. Rows with no cell at all are skipped; a column
/// with neither a header nor a value is ignored. Messages name rows as lines.
public enum WorkbookReader {
    /// Reads an `.xlsx` workbook's sheet; `name` is used in error messages.
    public static func read(_ data: Data, name: String, options: DataOptions = DataOptions()) throws(DiagnosticList) -> DataTable {
        func failure(_ message: String) -> DiagnosticList {
            DiagnosticList([Diagnostic(message: message, file: name)])
        }
        // Excel encrypts a workbook into an OLE compound file, the container of old .xls files too.
        if data.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw failure("the workbook is password-protected or an old .xls file; save it from Excel as .xlsx without a password")
        }
        do {
            let archive = try ZipArchive(data)
            let book = try Workbook(archive)
            let chosen = try book.sheet(named: options.sheet)
            guard let sheetXML = try archive.contents(of: chosen.path) else { throw ZipArchive.Problem(reason: "its sheet '\(chosen.path)' is missing") }
            let sharedStrings = try archive.contents(of: book.part("sharedStrings.xml")).map(SharedStringsParser.parse) ?? []
            let dateStyles = try archive.contents(of: book.part("styles.xml")).map(StylesParser.dateStyles) ?? []
            let sheet = try SheetParser.parse(sheetXML, sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: book.date1904)
            var table = try SheetTable(sheet: sheet, file: name, options: options).table()
            table.readAs = "sheet '\(chosen.name)'"
            return table
        } catch let problem as ZipArchive.Problem {
            throw failure("cannot read the workbook: \(problem.reason)")
        } catch let diagnostics as DiagnosticList {
            throw DiagnosticList(
                diagnostics.diagnostics.map { diagnostic in
                    var named = diagnostic
                    named.sourceName = named.sourceName ?? name
                    return named
                })
        } catch {
            throw failure("cannot read the workbook: \(error)")
        }
    }
}

/// One cell as the sheet stores it.
enum WorkbookCell: Equatable {
    case empty
    case number(Double)
    case text(String)
    case boolean(Bool)
    case date(KipiDate)

    /// The value Excel stored.
    var value: Value {
        switch self {
        case .empty: .null
        case .number(let number): .number(number)
        case .text(let text): .text(text)
        case .boolean(let flag): .boolean(flag)
        case .date(let date): .date(date)
        }
    }

    /// The cell as a CSV export would write it, for typing text the way CSV text is typed.
    var written: String {
        switch self {
        case .empty: ""
        case .number(let number): formatLiteral(number)
        case .text(let text): text
        case .boolean(let flag): flag ? "TRUE" : "FALSE"
        case .date(let date): date.description
        }
    }
}

/// A sheet's rows: the sheet row number and the cells by column index (0 for column A).
struct Sheet {
    var rows: [(number: Int, cells: [Int: WorkbookCell])] = []
}

/// The workbook part: its sheets in order, where each is stored, and its date system.
private struct Workbook {
    var sheets: [(name: String, path: String)] = []
    var date1904 = false
    /// The folder of `workbook.xml`, which other parts' paths are relative to.
    var folder = "xl/"

    init(_ archive: ZipArchive) throws {
        // The package's root relationships name the workbook part; it is xl/workbook.xml in practice.
        var workbookPath = "xl/workbook.xml"
        if let rootRelations = try archive.contents(of: "_rels/.rels") {
            for (_, target, type) in try RelationsParser.parse(rootRelations) where type.hasSuffix("/officeDocument") {
                workbookPath = target.hasPrefix("/") ? String(target.dropFirst()) : target
            }
        }
        guard let workbookXML = try archive.contents(of: workbookPath) else {
            throw ZipArchive.Problem(reason: "it has no workbook part (is it an .xlsx file?)")
        }
        folder = workbookPath.split(separator: "/").dropLast().map { $0 + "/" }.joined()
        let relationsPath = folder + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "") + ".rels"
        var targets: [String: String] = [:]
        if let relations = try archive.contents(of: relationsPath) {
            for (id, target, _) in try RelationsParser.parse(relations) {
                targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : folder + target
            }
        }
        let parsed = try WorkbookParser.parse(workbookXML)
        date1904 = parsed.date1904
        sheets = parsed.sheets.compactMap { sheet in targets[sheet.relation].map { (sheet.name, $0) } }
    }

    func part(_ name: String) -> String { folder + name }

    func sheet(named wanted: String?) throws -> (name: String, path: String) {
        guard let wanted else {
            guard let first = sheets.first else { throw ZipArchive.Problem(reason: "it has no sheets") }
            return first
        }
        if let sheet = sheets.first(where: { $0.name == wanted }) ?? sheets.first(where: { $0.name.lowercased() == wanted.lowercased() }) {
            return sheet
        }
        let names = sheets.map { "'\($0.name)'" }.joined(separator: ", ")
        throw DiagnosticList([Diagnostic(message: "the workbook has no sheet '\(wanted)'; its sheets are \(names)")])
    }
}

/// Turns a sheet's typed cells into a table's columns.
private struct SheetTable {
    let sheet: Sheet
    let file: String
    let options: DataOptions

    func table() throws(DiagnosticList) -> DataTable {
        let nullTexts = options.nullValues ?? DataOptions.standardNullValues
        // `--skip-rows N`: the header is the first row with a cell below the sheet's first N rows
        // (a report's title lines).
        guard let headerRow = sheet.rows.first(where: { $0.number > options.skipRows && $0.cells.values.contains { $0 != .empty } }) else {
            throw DiagnosticList([Diagnostic(message: "the sheet is empty; expected a header row", file: file)])
        }
        let body = sheet.rows.filter { $0.number > headerRow.number && $0.cells.values.contains { $0 != .empty } }
        let lastColumn = (sheet.rows.flatMap(\.cells.keys).max() ?? 0)
        let rowNumbers = body.map(\.number)
        var columns: [(name: String, column: Column)] = []
        var problems: [Diagnostic] = []
        for index in 0...lastColumn {
            let header = (headerRow.cells[index] ?? .empty).written.trimmingCharacters(in: .whitespaces)
            let cells = body.map { row -> WorkbookCell in
                let cell = row.cells[index] ?? .empty
                if case .text(let text) = cell, nullTexts.contains(text.trimmingCharacters(in: .whitespaces)) { return .empty }
                return cell
            }
            if header.isEmpty {
                if cells.allSatisfy({ $0 == .empty }) { continue }
                problems.append(
                    Diagnostic(
                        message: "column \(Self.letters(of: index)) has values but an empty name in the header", file: file, line: headerRow.number))
                continue
            }
            guard options.columns?.contains(header) ?? true else { continue }
            switch column(named: header, cells: cells, rowNumbers: rowNumbers) {
            case .success(let column): columns.append((header, column))
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        return try DataTable(columns: columns, rowCount: body.count, sourceName: file)
    }

    /// A column of one stored type is that type; text, a mix of types, or a forced type is
    /// read as a CSV column with the same cells would be.
    private func column(named name: String, cells: [WorkbookCell], rowNumbers: [Int]) -> Result<Column, Diagnostic> {
        let kinds = Set(cells.map(\.value).filter { !$0.isNull }.map(\.type))
        let forced = options.columnTypes[name]
        if kinds != [.text], kinds.count <= 1, forced.map({ kinds.isEmpty || kinds == [$0] }) ?? true {
            return .success(Column(values: cells.map(\.value), type: kinds.first ?? forced ?? .text))
        }
        return typedAsText(name: name, cells: cells, rowNumbers: rowNumbers, textOnly: kinds == [.text], forced: forced)
    }

    /// Types the cells' text with the CSV reader's column typing, one cell per line at its sheet
    /// row, so that a message's line is the row in Excel.
    private func typedAsText(name: String, cells: [WorkbookCell], rowNumbers: [Int], textOnly: Bool, forced: KipiType?) -> Result<Column, Diagnostic> {
        var buffer: [UInt8] = []
        var cellBytes: [DistinctCells.Cell] = []
        var line = 1
        for (cell, row) in zip(cells, rowNumbers) {
            buffer += [UInt8](repeating: UInt8(ascii: "\n"), count: max(0, row - line))
            line = max(line, row)
            let start = buffer.count
            // A line break inside a cell would shift the lines of the cells after it.
            buffer += cell.written.utf8.map { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") ? UInt8(ascii: " ") : $0 }
            cellBytes.append(DistinctCells.Cell(start: start, end: buffer.count, quoted: false))
        }
        // Text typed by hand in a Russian office writes 1 234,56; numbers Excel stored are written with a point.
        let decimalMarks: [Bool] = options.decimalComma.map { [$0] } ?? (textOnly ? [true, false] : [false])
        let built = buffer.withUnsafeBufferPointer { pointer -> Result<Column, Diagnostic> in
            guard let base = pointer.baseAddress else { return .success(Column(values: cells.map(\.value), type: .text)) }
            let builder = ColumnBuilder(
                bytes: ByteBuffer(base: base, count: pointer.count), name: name, file: file, cells: cellBytes,
                decimalMarks: decimalMarks, nullValues: NullTokens(options.nullValues ?? DataOptions.standardNullValues))
            return builder.build(forcing: forced)
        }
        // A text column keeps its cells exactly, line breaks included.
        guard case .success(let column) = built, column.type == .text else { return built }
        var exact = Column(values: cells.map { $0 == .empty ? .null : .text($0.written) }, type: .text)
        exact.typeNote = column.typeNote
        return .success(exact)
    }

    /// Excel's letters for a column index: 0 is A, 26 is AA.
    static func letters(of index: Int) -> String {
        var index = index + 1
        var letters = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            index = (index - 1) / 26
        }
        return letters
    }
}

// MARK: - The parts' XML, read as a stream of events

/// Hands an XML document's events to closures; element names lose any namespace prefix.
private final class XMLEvents: NSObject, XMLParserDelegate {
    var started: (String, [String: String]) -> Void = { _, _ in }
    var ended: (String) -> Void = { _ in }
    var text: (String) -> Void = { _ in }

    private var depth = 0
    private var closedRoot = false

    /// Runs the parser over `data`; false when the XML is not well-formed or is cut short.
    func run(_ data: Data) -> Bool {
        let parser = XMLParser(data: data)
        parser.delegate = self
        // The parser does not always fail on a document that stops before its root element closes.
        return parser.parse() && closedRoot
    }

    private static func local(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        var local: [String: String] = [:]
        for (key, value) in attributes { local[key.hasPrefix("r:") ? key : Self.local(key)] = value }
        depth += 1
        started(Self.local(elementName), local)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        closedRoot = depth == 0
        ended(Self.local(elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text(string)
    }
}

private enum RelationsParser {
    static func parse(_ data: Data) throws -> [(id: String, target: String, type: String)] {
        var relations: [(id: String, target: String, type: String)] = []
        let events = XMLEvents()
        events.started = { name, attributes in
            if name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] {
                relations.append((id, target, attributes["Type"] ?? ""))
            }
        }
        guard events.run(data) else { throw ZipArchive.Problem(reason: "its relationships are not well-formed XML") }
        return relations
    }
}

private enum WorkbookParser {
    static func parse(_ data: Data) throws -> (sheets: [(name: String, relation: String)], date1904: Bool) {
        var sheets: [(name: String, relation: String)] = []
        var date1904 = false
        let events = XMLEvents()
        events.started = { name, attributes in
            switch name {
            case "sheet":
                if let sheetName = attributes["name"], let relation = attributes["r:id"] ?? attributes["id"] { sheets.append((sheetName, relation)) }
            case "workbookPr":
                date1904 = ["1", "true"].contains(attributes["date1904"] ?? "")
            default:
                break
            }
        }
        guard events.run(data) else { throw ZipArchive.Problem(reason: "its workbook part is not well-formed XML") }
        return (sheets, date1904)
    }
}

private enum SharedStringsParser {
    /// Each string item's text: its runs joined, without the phonetic guides (`rPh`) of CJK text.
    static func parse(_ data: Data) throws -> [String] {
        var strings: [String] = []
        var current = ""
        var inText = false
        var phoneticDepth = 0
        let events = XMLEvents()
        events.started = { name, _ in
            switch name {
            case "si": current = ""
            case "t": inText = phoneticDepth == 0
            case "rPh": phoneticDepth += 1
            default: break
            }
        }
        events.ended = { name in
            switch name {
            case "si": strings.append(current)
            case "t": inText = false
            case "rPh": phoneticDepth -= 1
            default: break
            }
        }
        events.text = { if inText { current += $0 } }
        guard events.run(data) else { throw ZipArchive.Problem(reason: "its shared strings are not well-formed XML") }
        return strings
    }
}

private enum StylesParser {
    /// For each cell style (`cellXfs`), whether its number format shows a date.
    static func dateStyles(_ data: Data) throws -> [Bool] {
        var customFormats: [Int: String] = [:]
        var formatOfStyle: [Int] = []
        var inCellStyles = false
        let events = XMLEvents()
        events.started = { name, attributes in
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap({ Int($0) }) { customFormats[id] = attributes["formatCode"] ?? "" }
            case "cellXfs": inCellStyles = true
            case "xf" where inCellStyles: formatOfStyle.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            default: break
            }
        }
        events.ended = { name in if name == "cellXfs" { inCellStyles = false } }
        guard events.run(data) else { throw ZipArchive.Problem(reason: "its styles are not well-formed XML") }
        return formatOfStyle.map { id in customFormats[id].map(ExcelSerial.isDateFormat) ?? ExcelSerial.builtInDateFormats.contains(id) }
    }
}

private enum SheetParser {
    static func parse(_ data: Data, sharedStrings: [String], dateStyles: [Bool], date1904: Bool) throws -> Sheet {
        var sheet = Sheet()
        var rowNumber = 0
        var cells: [Int: WorkbookCell] = [:]
        var column = -1
        var type = "n"
        var style = 0
        var value = ""
        var hasFormula = false
        var collecting = false
        var problem: String?
        let events = XMLEvents()
        events.started = { name, attributes in
            switch name {
            case "row":
                rowNumber = attributes["r"].flatMap { Int($0) } ?? rowNumber + 1
                cells = [:]
                column = -1
            case "c":
                column = attributes["r"].flatMap(columnIndex) ?? column + 1
                type = attributes["t"] ?? "n"
                style = attributes["s"].flatMap { Int($0) } ?? 0
                (value, hasFormula) = ("", false)
            case "v", "t":
                collecting = true
            case "f":
                hasFormula = true
            default:
                break
            }
        }
        events.ended = { name in
            switch name {
            case "v", "t":
                collecting = false
            case "c":
                if hasFormula, value.isEmpty, type != "str", problem == nil {
                    problem = "cell \(SheetTable.letters(of: column))\(rowNumber) has a formula without a saved value; open the workbook in Excel and save it"
                }
                cells[column] = cell(type: type, text: value, isDate: dateStyles.indices.contains(style) && dateStyles[style], date1904: date1904, sharedStrings: sharedStrings)
            case "row":
                sheet.rows.append((rowNumber, cells))
            default:
                break
            }
        }
        events.text = { if collecting { value += $0 } }
        guard events.run(data) else { throw ZipArchive.Problem(reason: "its sheet is not well-formed XML") }
        if let problem { throw ZipArchive.Problem(reason: problem) }
        return sheet
    }

    /// `B12` → 1; nil for a reference that has no letters.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.properties.isAlphabetic, scalar.isASCII else { break }
            index = index * 26 + Int((scalar.value | 0x20) - 96)
            letters += 1
            guard letters <= 3 else { return nil }
        }
        return letters == 0 ? nil : index - 1
    }

    static func cell(type: String, text: String, isDate: Bool, date1904: Bool, sharedStrings: [String]) -> WorkbookCell {
        switch type {
        case "s":
            guard let index = Int(text), sharedStrings.indices.contains(index) else { return .empty }
            return sharedStrings[index].isEmpty ? .empty : .text(sharedStrings[index])
        case "inlineStr", "str", "e":
            return text.isEmpty ? .empty : .text(text)
        case "b":
            return .boolean(text == "1" || text.lowercased() == "true")
        case "d":
            return KipiDate(parsing: text.replacingOccurrences(of: "T", with: " ")).map(WorkbookCell.date) ?? .text(text)
        default:
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else { return text.isEmpty ? .empty : .text(text) }
            guard isDate, let date = ExcelSerial.date(number, date1904: date1904) else { return .number(number) }
            return .date(date)
        }
    }
}

/// How Excel stores dates: serial numbers of days, shown as dates by their number format.
enum ExcelSerial {
    /// Excel's built-in date and date-time formats, with those of its Chinese, Japanese and Korean
    /// locales; the time-only ones (18–21, 45–47) are left as numbers, fractions of a day.
    static let builtInDateFormats: Set<Int> = Set(14...17).union([22]).union(27...36).union(50...58)

    /// Whether a custom format code shows a date: it has a day or year part outside quoted text,
    /// escapes and brackets (`[Red]`, `[$-419]`).
    static func isDateFormat(_ code: String) -> Bool {
        var inQuotes = false
        var inBrackets = false
        var escaped = false
        let section = code.split(separator: ";", omittingEmptySubsequences: false).first ?? ""
        for character in section.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\"": inQuotes.toggle()
            case "\\" where !inQuotes: escaped = true
            case "[" where !inQuotes: inBrackets = true
            case "]" where !inQuotes: inBrackets = false
            case "d" where !inQuotes && !inBrackets, "y" where !inQuotes && !inBrackets: return true
            default: break
            }
        }
        return false
    }

    /// The date-time an Excel serial number stands for. In the 1900 system, serial 1 is
    /// 1900-01-01 and Excel counts a 29 February 1900 that never was (serial 60), so serials
    /// before it are a day later than a plain count from 1899-12-30 gives.
    static func date(_ serial: Double, date1904: Bool) -> KipiDate? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        var seconds = Int64((serial * 86_400).rounded())
        if date1904 {
            seconds += Int64(-24_107) * 86_400
        } else {
            seconds += Int64(-25_569) * 86_400
            if serial < 60 { seconds += 86_400 }
        }
        return KipiDate(secondsSinceEpoch: seconds)
    }
}
