import Foundation

/// Reads JSON data: an array of flat objects, one per row, keys as column names.
///
/// Values are numbers, strings, `true`/`false` or `null`; a key missing from an object, or a
/// string that is a null token (`"#N/A"`, `DataOptions.nullValues`), is null there. A string
/// column whose every value is a date (`yyyy-mm-dd`, `dd.mm.yyyy`) is a date column. A nested value, or a key whose values mix types, is an error naming the line.
public enum JSONReader {
    /// Reads a JSON array of flat objects; `name` is used in error messages.
    public static func read(_ data: some ContiguousBytes, name: String, options: DataOptions = DataOptions()) throws(DiagnosticList) -> DataTable {
        let result = data.withUnsafeBytes { raw -> Result<DataTable, DiagnosticList> in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else {
                return .failure(DiagnosticList([Diagnostic(message: "the file is empty; expected a JSON array of objects", file: name)]))
            }
            var parser = JSONParser(bytes: ByteBuffer(base: base, count: raw.count), name: name, options: options)
            return Result { () throws(DiagnosticList) in try parser.table() }
        }
        return try result.get()
    }
}

/// A small parser for exactly the JSON a data table can be: `[{...}, {...}]`.
private struct JSONParser {
    let bytes: ByteBuffer
    let name: String
    let options: DataOptions
    /// Strings read as null (`"#N/A"`), as in CSV cells.
    let nullTexts: Set<String>
    var position = 0
    var names: [String] = []
    var cells: [String: [Value]] = [:]
    /// Where each key's values got their type, for the message when another type shows up.
    var typeOrigin: [String: (type: KipiType, line: Int)] = [:]

    init(bytes: ByteBuffer, name: String, options: DataOptions) {
        self.bytes = bytes
        self.name = name
        self.options = options
        self.nullTexts = options.nullValues ?? DataOptions.standardNullValues
    }

    mutating func table() throws(DiagnosticList) -> DataTable {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        if let invalid = bytes.firstInvalidUTF8(from: position) { throw failure("the text is not valid UTF-8", at: invalid) }
        skipWhitespace()
        guard position < bytes.count else { throw failure("the file is empty; expected a JSON array of objects") }
        try expect(UInt8(ascii: "["), "expected a JSON array of objects, such as [{\"amount\": 10}]")
        var rowCount = 0
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try readObject(row: rowCount)
                rowCount += 1
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "expected ',' or ']' after an object")
                break
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the array", at: position) }
        var columns: [(name: String, column: Column)] = []
        for key in names where options.columns?.contains(key) ?? true {
            var values = cells[key] ?? []
            values += [Value](repeating: .null, count: rowCount - values.count)
            var type = typeOrigin[key]?.type ?? .null
            if type == .text, values.allSatisfy({ if case .text(let text) = $0 { KipiDate(parsing: text) != nil } else { true } }) {
                values = values.map { if case .text(let text) = $0, let date = KipiDate(parsing: text) { .date(date) } else { $0 } }
                type = .date
            }
            if let forced = options.columnTypes[key], forced != type, type != .null {
                throw failure("column '\(key)' is declared \(forced), but its values are \(type)")
            }
            columns.append((key, Column(values: values, type: type)))
        }
        return try DataTable(columns: columns, rowCount: rowCount, sourceName: name)
    }

    private mutating func readObject(row: Int) throws(DiagnosticList) {
        skipWhitespace()
        let objectStart = position
        try expect(UInt8(ascii: "{"), "expected an object ({…}) for row \(row + 1)")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        var seen: Set<String> = []
        while true {
            skipWhitespace()
            let keyStart = position
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a key in quotes", at: position) }
            let key = try readString()
            guard seen.insert(key).inserted else { throw failure("the key '\(key)' appears twice in one object", at: keyStart) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after the key '\(key)'")
            skipWhitespace()
            let valueStart = position
            let value = try readValue(key: key)
            if cells[key] == nil {
                names.append(key)
                cells[key] = []
            }
            if !value.isNull {
                let type = value.type
                if let origin = typeOrigin[key], origin.type != type {
                    throw failure(
                        "the key '\(key)' is \(type.withArticle) here but \(origin.type.withArticle) on line \(origin.line); a column has one type",
                        at: valueStart)
                }
                if typeOrigin[key] == nil { typeOrigin[key] = (type, bytes.line(of: valueStart)) }
            }
            // Appended in place: copying the column out and back would make reading quadratic.
            let missing = row - (cells[key]?.count ?? 0)
            if missing > 0 { cells[key, default: []].append(contentsOf: repeatElement(Value.null, count: missing)) }
            cells[key, default: []].append(value)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard peek() == UInt8(ascii: "}") else { throw failure("expected ',' or '}' in the object that starts here", at: objectStart) }
            position += 1
            return
        }
    }

    private mutating func readValue(key: String) throws(DiagnosticList) -> Value {
        switch peek() {
        case UInt8(ascii: "\""):
            let text = try readString()
            return nullTexts.contains(text.trimmingCharacters(in: .whitespaces)) ? .null : .text(text)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw failure("the value of '\(key)' is nested (an object or array); rows must be flat", at: position)
        case UInt8(ascii: "t"): return try literal("true", .boolean(true))
        case UInt8(ascii: "f"): return try literal("false", .boolean(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            let start = position
            while position < bytes.count, let byte = peek(),
                byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            {
                position += 1
            }
            guard position > start, let number = FieldParser.number(bytes, start, position, decimalComma: false) else {
                throw failure("expected a value (a number, a string, true, false or null) for '\(key)'", at: start)
            }
            return .number(number)
        }
    }

    private mutating func literal(_ word: String, _ value: Value) throws(DiagnosticList) -> Value {
        let start = position
        for byte in word.utf8 {
            guard peek() == byte else { throw failure("expected \(word)", at: start) }
            position += 1
        }
        return value
    }

    private mutating func readString() throws(DiagnosticList) -> String {
        let start = position
        position += 1
        var text: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { break }
                let escaped = bytes[position + 1]
                position += 2
                switch escaped {
                case UInt8(ascii: "n"): text.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): text.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): text.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "b"): text.append(8)
                case UInt8(ascii: "f"): text.append(12)
                case UInt8(ascii: "u"):
                    guard let scalar = try unicodeEscape() else { throw failure("invalid \\u escape", at: position - 2) }
                    text += Array(String(Character(scalar)).utf8)
                default: text.append(escaped)
                }
                continue
            case 0..<0x20:
                throw failure("a string may not hold a raw control character or line break", at: position)
            default:
                text.append(byte)
            }
            position += 1
        }
        throw failure("a string is never closed (missing \")", at: start)
    }

    /// The scalar of `\uXXXX` (with its low surrogate, if it is a high one).
    private mutating func unicodeEscape() throws(DiagnosticList) -> Unicode.Scalar? {
        func hex() -> UInt32? {
            guard position + 4 <= bytes.count, let value = UInt32(bytes.string(position, position + 4), radix: 16) else { return nil }
            position += 4
            return value
        }
        guard let high = hex() else { return nil }
        if (0xD800...0xDBFF).contains(high), peek() == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") {
            position += 2
            guard let low = hex(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + (high - 0xD800) << 10 + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t") {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(DiagnosticList) {
        guard peek() == byte else { throw failure(message, at: position) }
        position += 1
    }

    private func failure(_ message: String, at offset: Int? = nil) -> DiagnosticList {
        DiagnosticList([Diagnostic(message: message, file: name, line: offset.map { bytes.line(of: $0) })])
    }
}

/// The formats `kipi` reads.
public enum DataFormat: String, Sendable, CaseIterable {
    case csv, json, xlsx

    /// An `.xlsx` workbook for a ZIP archive or an encrypted workbook's container, JSON if the
    /// first character that is not blank opens an array or object, else CSV.
    public static func detect(_ data: some ContiguousBytes) -> DataFormat {
        data.withUnsafeBytes { raw in
            if raw.starts(with: [0x50, 0x4B, 0x03, 0x04]) || raw.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { return .xlsx }
            let skipped: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), 0xEF, 0xBB, 0xBF]
            let first = raw.first { !skipped.contains($0) }
            return first == UInt8(ascii: "[") || first == UInt8(ascii: "{") ? .json : .csv
        }
    }

    /// Reads data of this format.
    /// Reads the data in its encoding: UTF-8 as it is (costing nothing more), UTF-16 by its byte
    /// order mark, `options.encoding` when given, else, for bytes that are not UTF-8, Windows-1251
    /// or GB18030 by which decoding gives plausible text; the encoding chosen is named in errors.
    public func read(_ data: Data, name: String, options: DataOptions = DataOptions()) throws(DiagnosticList) -> DataTable {
        try read(data, name: name, options: options, mappedFile: false)
    }

    /// Reads data of this format; `mappedFile` when `data` maps a file read-only (a CSV
    /// reader gives back its pages as it reads them).
    func read(_ data: Data, name: String, options: DataOptions, mappedFile: Bool) throws(DiagnosticList) -> DataTable {
        if self == .xlsx { return try WorkbookReader.read(data, name: name, options: options) }
        let forced = options.encoding ?? TextEncoding.byOrderMark(data)
        if let forced, forced != .utf8 {
            guard let decoded = forced.utf8Bytes(of: data) else {
                throw DiagnosticList([Diagnostic(message: "the text is not valid \(forced.displayName)", file: name)])
            }
            return try reading(decoded, name: name, options: options, encoding: forced)
        }
        do {
            if self == .csv { return try CSVReader.read(data, name: name, options: options, releasingPages: mappedFile) }
            return try readUTF8(data, name: name, options: options)
        } catch {
            guard forced == nil, error.diagnostics.contains(where: { $0.message == "the text is not valid UTF-8" }),
                let detected = TextEncoding.detect(data), let decoded = detected.utf8Bytes(of: data)
            else {
                throw DiagnosticList(
                    error.diagnostics.map { diagnostic in
                        guard diagnostic.message == "the text is not valid UTF-8" else { return diagnostic }
                        var hinted = diagnostic
                        hinted.message += "; give its encoding with --encoding cp1251, gb18030 or utf-16"
                        return hinted
                    })
            }
            return try reading(decoded, name: name, options: options, encoding: detected)
        }
    }

    /// Reads decoded text; errors say which encoding it was read as.
    private func reading(_ decoded: Data, name: String, options: DataOptions, encoding: TextEncoding) throws(DiagnosticList) -> DataTable {
        do {
            var table = try readUTF8(decoded, name: name, options: options)
            table.readAs = encoding.displayName
            return table
        } catch {
            throw DiagnosticList(
                error.diagnostics.map { diagnostic in
                    var named = diagnostic
                    named.message += " (read as \(encoding.displayName))"
                    return named
                })
        }
    }

    private func readUTF8(_ data: Data, name: String, options: DataOptions) throws(DiagnosticList) -> DataTable {
        switch self {
        case .csv: try CSVReader.read(data, name: name, options: options)
        case .json: try JSONReader.read(data, name: name, options: options)
        case .xlsx: try WorkbookReader.read(data, name: name, options: options)
        }
    }
}
