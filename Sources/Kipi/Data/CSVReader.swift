/// How to read a CSV file; every field left nil is detected from the file.
public struct CSVOptions: Sendable {
    /// The field separator (`,`, `;` or tab); nil detects it from the header line.
    public var delimiter: UInt8?
    /// Whether numbers are written `1 234,56`; nil assumes so exactly when the delimiter is `;`.
    public var decimalComma: Bool?

    public init(delimiter: UInt8? = nil, decimalComma: Bool? = nil) {
        self.delimiter = delimiter
        self.decimalComma = decimalComma
    }
}

/// Reads CSV text (RFC 4180, as spreadsheets export it) into typed columns.
///
/// Works on bytes: a record is split into field ranges without building strings, and a
/// column is parsed into its type in one pass over its fields.
public enum CSVReader {
    /// Reads a whole CSV file. `name` is used in error messages (`sales.csv:12: error: …`).
    public static func read(_ data: [UInt8], name: String, options: CSVOptions = CSVOptions()) throws(DiagnosticList) -> DataTable {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard !bytes.isEmpty else { throw failure(name, nil, "the file is empty; expected a header row") }
        if bytes.contains(0) { throw failure(name, nil, "the file is binary, not CSV text") }
        if let line = firstInvalidUTF8Line(bytes) { throw failure(name, line, "the text is not valid UTF-8") }
        let delimiter = options.delimiter ?? detectDelimiter(bytes)
        let decimalComma = options.decimalComma ?? (delimiter == UInt8(ascii: ";"))
        let records = try split(bytes, delimiter: delimiter, name: name)
        guard let header = records.first else { throw failure(name, nil, "the file is empty; expected a header row") }

        var names: [String] = []
        var problems: [Diagnostic] = []
        for (position, field) in header.fields.enumerated() {
            let title = records.text(of: field, in: bytes).trimmingWhitespace()
            if title.isEmpty {
                problems.append(Diagnostic(message: "column \(position + 1) has an empty name in the header", file: name, line: header.line))
            } else if let first = names.firstIndex(of: title) {
                problems.append(
                    Diagnostic(message: "columns \(first + 1) and \(position + 1) are both named '\(title)'", file: name, line: header.line))
            }
            names.append(title)
        }
        for record in records.dropFirst() where record.fields.count != header.fields.count {
            if record.fields.count == 1, record.fields[0].isEmpty { continue }
            problems.append(
                Diagnostic(
                    message: "row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), but the header has \(header.fields.count)",
                    file: name, line: record.line))
            if problems.count >= 10 { break }
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }

        // A line that is entirely empty is no row (a blank last line, say); any other is.
        let rows = records.dropFirst().filter { !($0.fields.count == 1 && $0.fields[0].isEmpty && header.fields.count > 1) }
        var columns: [(name: String, column: Column)] = []
        for (position, columnName) in names.enumerated() {
            let fields = rows.map { $0.fields[position] }
            columns.append((columnName, column(fields, records: records, bytes: bytes, decimalComma: decimalComma)))
        }
        return try DataTable(columns: columns, rowCount: rows.count, sourceName: name)
    }

    private static func failure(_ name: String, _ line: Int?, _ message: String) -> DiagnosticList {
        DiagnosticList([Diagnostic(message: message, file: name, line: line)])
    }

    /// The separator that occurs most often, outside quotes, on the header line.
    static func detectDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        var counts = [0, 0, 0]
        var quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") { break }
            if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }

    private static func firstInvalidUTF8Line(_ bytes: ArraySlice<UInt8>) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return nil
            case .error: return line
            }
        }
    }

    // MARK: Records

    /// A field as a byte range; `quoted` fields may hold doubled quotes to undo.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var isEmpty: Bool { start == end && !quoted }
    }

    struct Record {
        var fields: [Field]
        /// 1-based line where the record starts.
        var line: Int
    }

    private static func split(_ bytes: ArraySlice<UInt8>, delimiter: UInt8, name: String) throws(DiagnosticList) -> [Record] {
        var records: [Record] = []
        var fields: [Field] = []
        var line = 1
        var recordLine = 1
        var position = bytes.startIndex
        let end = bytes.endIndex
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        while position <= end {
            if position < end, bytes[position] == quote {
                let quoteLine = line
                var cursor = position + 1
                var closed = false
                while cursor < end {
                    if bytes[cursor] == quote {
                        if cursor + 1 < end, bytes[cursor + 1] == quote {
                            cursor += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if bytes[cursor] == newline { line += 1 }
                    cursor += 1
                }
                guard closed else { throw failure(name, quoteLine, "a quoted field is never closed (missing \")") }
                fields.append(Field(start: position + 1, end: cursor, quoted: true))
                position = cursor + 1
                if position < end, bytes[position] != delimiter, bytes[position] != newline, bytes[position] != carriageReturn {
                    throw failure(name, line, "unexpected text after a closing quote; a quote inside a quoted field is written \"\"")
                }
            } else {
                var cursor = position
                while cursor < end, bytes[cursor] != delimiter, bytes[cursor] != newline { cursor += 1 }
                var fieldEnd = cursor
                if fieldEnd > position, bytes[fieldEnd - 1] == carriageReturn, cursor == end || bytes[cursor] == newline { fieldEnd -= 1 }
                fields.append(Field(start: position, end: fieldEnd, quoted: false))
                position = cursor
            }
            if position < end, bytes[position] == delimiter {
                position += 1
                continue
            }
            if position < end, bytes[position] == carriageReturn { position += 1 }
            records.append(Record(fields: fields, line: recordLine))
            fields = []
            if position >= end { break }
            position += 1  // the newline
            line += 1
            recordLine = line
            if position == end { break }
        }
        return records
    }

    // MARK: Typing

    /// Builds a column of the first type every non-empty field fits: number, boolean, date, text.
    private static func column(_ fields: [Field], records: [Record], bytes: ArraySlice<UInt8>, decimalComma: Bool) -> Column {
        let base = bytes
        var nulls = [Bool](repeating: false, count: fields.count)
        for (row, field) in fields.enumerated() where isBlank(field, base) { nulls[row] = true }
        if let numbers = typed(fields, nulls, { parseNumber(base[$0.start..<$0.end], decimalComma: decimalComma) }) {
            return Column(numbers: numbers, nulls: nulls)
        }
        if let flags = typed(fields, nulls, { parseBoolean(base[$0.start..<$0.end]) }) {
            return Column(booleans: flags, nulls: nulls)
        }
        if let days = typed(fields, nulls, { KipiDate.parse(trimmed(base[$0.start..<$0.end])).map(\.daysSinceEpoch) }) {
            return Column(.date(days), nulls: nulls)
        }
        return Column(texts: fields.map { records.text(of: $0, in: bytes) }, nulls: nulls)
    }

    private static func typed<T>(_ fields: [Field], _ nulls: [Bool], _ parse: (Field) -> T?) -> [T]? {
        var values: [T] = []
        values.reserveCapacity(fields.count)
        var fallback: T?
        for (row, field) in fields.enumerated() {
            if nulls[row] { continue }
            guard let value = parse(field) else { return nil }
            fallback = fallback ?? value
            values.append(value)
        }
        guard let fallback else { return nil }
        // Null cells take a placeholder, so values line up with rows.
        var result: [T] = []
        result.reserveCapacity(fields.count)
        var next = 0
        for row in fields.indices {
            if nulls[row] {
                result.append(fallback)
            } else {
                result.append(values[next])
                next += 1
            }
        }
        return result
    }

    private static func isBlank(_ field: Field, _ bytes: ArraySlice<UInt8>) -> Bool {
        trimmed(bytes[field.start..<field.end]).isEmpty
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
        while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
        return slice
    }

    private static func parseBoolean(_ bytes: ArraySlice<UInt8>) -> Bool? {
        switch String(decoding: trimmed(bytes), as: UTF8.self).lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// Parses `1234.56`, `-1e3`, `12%` (0.12) and, with a decimal comma, `1 234,56` with
    /// space or no-break-space thousands. The result is correctly rounded.
    public static func parseNumber(_ raw: ArraySlice<UInt8>, decimalComma: Bool) -> Double? {
        let bytes = trimmed(raw)
        guard !bytes.isEmpty else { return nil }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        var isPercent = false
        var sawDigit = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                sawDigit = true
                text.append(byte)
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "e"), UInt8(ascii: "E"):
                text.append(byte)
            case UInt8(ascii: "."):
                if decimalComma { return nil }
                text.append(byte)
            case UInt8(ascii: ","):
                if !decimalComma { return nil }
                text.append(UInt8(ascii: "."))
            case UInt8(ascii: " ") where decimalComma:
                break
            case 0xC2 where decimalComma && index + 1 < bytes.endIndex && bytes[index + 1] == 0xA0:
                index += 1
            case UInt8(ascii: "%") where index == bytes.endIndex - 1:
                isPercent = true
            default:
                return nil
            }
            index += 1
        }
        guard sawDigit, let first = text.first, first != UInt8(ascii: "e"), first != UInt8(ascii: "E"),
            let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite
        else { return nil }
        return isPercent ? value / 100 : value
    }
}

extension Array where Element == CSVReader.Record {
    /// A field's text, with a quoted field's doubled quotes undone.
    func text(of field: CSVReader.Field, in bytes: ArraySlice<UInt8>) -> String {
        let slice = bytes[field.start..<field.end]
        guard field.quoted, slice.contains(UInt8(ascii: "\"")) else { return String(decoding: slice, as: UTF8.self) }
        var unescaped: [UInt8] = []
        var index = slice.startIndex
        while index < slice.endIndex {
            unescaped.append(slice[index])
            index += slice[index] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}
