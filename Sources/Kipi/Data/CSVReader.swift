import Dispatch
import Foundation

/// How to read a data file (CSV, JSON or an `.xlsx` workbook); every option left nil is detected from the file.
public struct DataOptions: Sendable {
    /// The field separator (`,`, `;` or tab); nil detects it from the header line.
    public var delimiter: UInt8?
    /// Whether numbers are written `1 234,56`; nil reads a `;`- or tab-separated column with a
    /// decimal comma if every number fits it, else with a point, and a `,`-separated one with a point.
    public var decimalComma: Bool?
    /// Types forced on columns by name, instead of inferring them; a cell that does not fit is an error.
    public var columnTypes: [String: KipiType]
    /// The only columns to load; nil loads them all. Names the file lacks are ignored.
    public var columns: Set<String>?
    /// Cell texts read as null; nil for `DataOptions.standardNullValues`.
    public var nullValues: Set<String>?
    /// The text encoding; nil detects it (UTF-8, UTF-16 by its byte order mark, else Windows-1251 or GB18030).
    public var encoding: TextEncoding?
    /// The sheet of an `.xlsx` workbook to read (its name, in any case); nil reads the first.
    public var sheet: String?
    /// How `03/04/2024` reads in every column (`--date-format d/m/yyyy`); nil decides per column
    /// from its cells, and a column where both readings fit is an error.
    public var dateOrder: DayMonthOrder?
    /// The same for single columns, by name (`--date-format date=m/d/yyyy`).
    public var columnDateOrders: [String: DayMonthOrder] = [:]
    /// Lines skipped before the header: the title lines 1C and Excel reports put above it.
    public var skipRows = 0
    /// The bytes of a CSV file each task reads at once; nil for 1 MiB. Small values cut the file
    /// in many places, with the same result: tests and the fuzzer use them.
    public var chunkBytes: Int?
    /// The most bytes read from a stream (a pipe, a device such as standard input); a regular
    /// file is mapped, not read. 2 GiB is the most a CSV file may have in any case.
    public var maximumStreamBytes = (2 << 30) - 1

    /// Options to read data with; those not given are detected.
    public init(
        delimiter: UInt8? = nil, decimalComma: Bool? = nil, columnTypes: [String: KipiType] = [:], columns: Set<String>? = nil,
        nullValues: Set<String>? = nil, encoding: TextEncoding? = nil, sheet: String? = nil
    ) {
        self.delimiter = delimiter
        self.decimalComma = decimalComma
        self.columnTypes = columnTypes
        self.columns = columns
        self.nullValues = nullValues
        self.encoding = encoding
        self.sheet = sheet
    }

    /// The field separator a `--delimiter` value names: `,` (comma), `;` (semicolon) or tab.
    public static func delimiter(named name: String) -> UInt8? {
        switch name {
        case ",", "comma": UInt8(ascii: ",")
        case ";", "semicolon": UInt8(ascii: ";")
        case "\t", "\\t", "tab": UInt8(ascii: "\t")
        default: nil
        }
    }

    /// The column type a `--type column=TYPE` value names: number, text, boolean or date.
    public static func columnType(named name: String) -> KipiType? {
        ["number": .number, "text": .text, "boolean": .boolean, "date": .date][name.lowercased()]
    }

    /// Currency signs dropped around a number, longer ones first where one starts another.
    static let currencySigns = ["руб.", "руб", "р.", "US$", "HK$", "$", "€", "¥", "£", "₽", "₸", "₴", "元"]

    /// Placeholders that offices write in empty cells, and Excel's error values, in English and Russian.
    public static let standardNullValues: Set<String> = [
        "#N/A", "#Н/Д", "N/A", "n/a", "NULL", "null", "#DIV/0!", "#ДЕЛ/0!", "#VALUE!", "#ЗНАЧ!", "#REF!", "#ССЫЛКА!", "#NAME?",
        "#ИМЯ?", "#NUM!", "#ЧИСЛО!", "#NULL!", "#ПУСТО!", "#GETTING_DATA", "#SPILL!", "#CALC!",
    ]
}

/// Reads CSV text (RFC 4180, as Excel, 1C and Google Sheets export it) into typed columns.
///
/// Works on bytes: chunks of records are read on all cores, only the columns wanted are kept,
/// numbers are parsed straight from the bytes, and any other column is held as codes of its
/// distinct cells, typed once per distinct cell. Type inference: a column is a number if every
/// non-empty cell is one, else a boolean, else a date, else text.
public enum CSVReader {
    /// Reads CSV bytes. `name` is used in error messages (`sales.csv:12: error: …`).
    public static func read(_ data: some ContiguousBytes, name: String, options: DataOptions = DataOptions()) throws(DiagnosticList) -> DataTable {
        try read(data, name: name, options: options, releasingPages: false)
    }

    /// Reads CSV bytes; `releasingPages` when they are the mapping of a file that is not
    /// written, whose pages are given back as they are read.
    static func read(_ data: some ContiguousBytes, name: String, options: DataOptions, releasingPages: Bool) throws(DiagnosticList) -> DataTable {
        let result = data.withUnsafeBytes { raw -> Result<DataTable, DiagnosticList> in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else {
                return .failure(DiagnosticList([Diagnostic(message: "the file is empty; expected a header row", file: name)]))
            }
            return Result { () throws(DiagnosticList) in
                try read(ByteBuffer(base: base, count: raw.count), name: name, options: options, releasingPages: releasingPages)
            }
        }
        return try result.get()
    }

    private static func read(_ bytes: ByteBuffer, name: String, options: DataOptions, releasingPages: Bool) throws(DiagnosticList)
        -> DataTable
    {
        func failure(_ message: String, at offset: Int? = nil) -> DiagnosticList {
            DiagnosticList([Diagnostic(message: message, file: name, line: offset.map { bytes.line(of: $0) })])
        }
        func failure(_ problem: CSVScanner.Problem, fieldCount: Int) -> DiagnosticList {
            switch problem {
            case .binary: failure("the file is binary, not CSV text")
            case .invalidUTF8(let offset): failure("the text is not valid UTF-8", at: offset)
            case .ragged(let offset, let count): failure("row has \(count) field\(count == 1 ? "" : "s"), but the header has \(fieldCount)", at: offset)
            case .unclosedQuote(let offset): failure("a quoted field is never closed (missing \")", at: offset)
            case .textAfterQuote(let offset):
                failure("unexpected text after a closing quote; a quote inside a quoted field is written \"\"", at: offset)
            }
        }
        // Codes of distinct cells are 32-bit: a file of fewer bytes has fewer than 2^31 rows.
        guard bytes.count < 1 << 32 else { throw failure("files of 4 GiB or more are not supported") }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        guard (start..<bytes.count).contains(where: { !isBlank(bytes[$0]) }) else { throw failure("the file is empty; expected a header row") }
        // The start is checked at once: a file in another encoding shows there, before any work.
        if let problem = bytes.firstProblem(in: start..<min(bytes.count, start + (1 << 16))) { throw failure(problem, fieldCount: 0) }
        // The title lines of a report (1C, Excel) above its header.
        for skipped in 0..<options.skipRows {
            guard let newline = bytes.find(UInt8(ascii: "\n"), from: start, to: bytes.count) else {
                throw failure("--skip-rows \(options.skipRows) skips every line of the file (it has \(skipped + 1))")
            }
            start = newline + 1
        }
        if options.skipRows > 0, !(start..<bytes.count).contains(where: { !isBlank(bytes[$0]) }) {
            throw failure("--skip-rows \(options.skipRows) leaves no header row")
        }

        let delimiter = options.delimiter ?? detectDelimiter(bytes, from: start)
        // With `;` or tab, Russian-locale exports write 1 234,56; a column that is all 1234.56
        // is read with a point. With `,` a comma never marks decimals unless told so.
        let decimalMarks: [Bool] = options.decimalComma.map { [$0] } ?? (delimiter == UInt8(ascii: ",") ? [false, true] : [true, false])
        let (names, bodyStart) = try readHeader(bytes, from: start, delimiter: delimiter, name: name)
        if let problem = bytes.firstProblem(in: start..<bodyStart) { throw failure(problem, fieldCount: names.count) }

        let wanted = names.indices.filter { options.columns?.contains(names[$0]) ?? true }
        let nullValues = NullTokens(options.nullValues ?? DataOptions.standardNullValues)
        let scanner = CSVScanner(
            bytes: bytes, delimiter: delimiter, fieldCount: names.count, wanted: wanted, decimalComma: decimalMarks[0], nullValues: nullValues,
            releasesPages: releasingPages)
        // A column forced to be other than a number is typed from its distinct cells.
        let readings = wanted.map { options.columnTypes[names[$0]].map { $0 == .number } ?? true ? CSVScanner.Reading.numbers : .codes }
        var body = scanner.scan(from: bodyStart, to: bytes.count, readings: readings, chunkBytes: max(1, options.chunkBytes ?? CSVScanner.chunkBytes))
        if let problem = body.problem { throw failure(problem, fieldCount: names.count) }

        let rowCount = body.rowCount
        let cells = body.columns
        body.columns = []
        let typed = ResultSlots<Result<Column, Diagnostic>>(count: wanted.count)
        @Sendable func build(_ position: Int) {
            let columnName = names[wanted[position]]
            let column = cells[position]
            switch column.reading {
            case .numbers:
                typed.store(.success(Column(numbers: column.numbers, nulls: column.nulls)), at: position)
            case .codes:
                var builder = ColumnBuilder(
                    bytes: bytes, name: columnName, file: name, cells: column.distinct.cells, decimalMarks: decimalMarks, nullValues: nullValues)
                builder.dateOrder = options.columnDateOrders[columnName] ?? options.dateOrder
                typed.store(builder.build(forcing: options.columnTypes[columnName]).map { $0.expanded(by: column.codes) }, at: position)
            }
        }
        // Waking other threads costs more than typing the columns of a small file.
        if rowCount * wanted.count < 100_000 {
            for position in wanted.indices { build(position) }
        } else {
            DispatchQueue.concurrentPerform(iterations: wanted.count) { build($0) }
        }
        var columns: [(name: String, column: Column)] = []
        var problems: [Diagnostic] = []
        for (position, result) in typed.values.enumerated() {
            switch result {
            case .success(let column): columns.append((names[wanted[position]], column))
            case .failure(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        return try DataTable(columns: columns, rowCount: rowCount, sourceName: name)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// The header's names, trimmed; an empty or repeated name is an error naming its position.
    private static func readHeader(_ bytes: ByteBuffer, from start: Int, delimiter: UInt8, name: String) throws(DiagnosticList) -> ([String], Int) {
        var lineEnd = start
        var quoted = false
        while lineEnd < bytes.count, quoted || bytes[lineEnd] != UInt8(ascii: "\n") {
            if bytes[lineEnd] == UInt8(ascii: "\"") { quoted.toggle() }
            lineEnd += 1
        }
        var names: [String] = []
        var positions: [String: Int] = [:]
        var problems: [Diagnostic] = []
        var fieldStart = start
        var inQuotes = false
        for position in start...lineEnd {
            let atEnd = position == lineEnd
            if !atEnd, bytes[position] == UInt8(ascii: "\"") { inQuotes.toggle() }
            guard atEnd || (!inQuotes && bytes[position] == delimiter) else { continue }
            var title = bytes.string(fieldStart, position).trimmingCharacters(in: .whitespacesAndNewlines)
            if title.count >= 2, title.hasPrefix("\""), title.hasSuffix("\"") {
                title = String(title.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"").trimmingCharacters(in: .whitespaces)
            }
            if title.isEmpty {
                problems.append(Diagnostic(message: "column \(names.count + 1) has an empty name in the header", file: name, line: 1))
            } else if let first = positions[title] {
                problems.append(Diagnostic(message: "columns \(first + 1) and \(names.count + 1) are both named '\(title)'", file: name, line: 1))
            } else {
                positions[title] = names.count
            }
            names.append(title)
            fieldStart = position + 1
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        return (names, min(lineEnd + 1, bytes.count))
    }

    /// The separator that occurs most often, outside quotes, on the header line.
    static func detectDelimiter(_ bytes: ByteBuffer, from start: Int) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var quoted = false
        var position = start
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") { break }
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }

    /// Parses `1234.56`, `-1e3`, `12%` and, with a decimal comma, `1 234,56`, as a cell would be.
    public static func parseNumber(_ text: String, decimalComma: Bool) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return FieldParser.number(ByteBuffer(base: base, count: buffer.count), 0, buffer.count, decimalComma: decimalComma)
        }
    }
}
