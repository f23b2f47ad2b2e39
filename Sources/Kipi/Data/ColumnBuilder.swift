import Foundation

/// Types one column's cells: number if every non-empty cell is one, else boolean, else date,
/// else text; or the type forced on it, where a cell that does not fit is an error.
struct ColumnBuilder: Sendable {
    let bytes: ByteBuffer
    let name: String
    let file: String
    /// The cells, by their bytes.
    let cells: [DistinctCells.Cell]
    /// The decimal marks to try, in order: `true` for a comma, `false` for a point.
    let decimalMarks: [Bool]
    /// Texts that stand for an empty cell.
    let nullValues: NullTokens
    /// How `03/04/2024` reads in this column, when `--date-format` says; nil decides from the cells.
    var dateOrder: DayMonthOrder?

    var count: Int { cells.count }

    func build(forcing forced: KipiType?) -> Result<Column, Diagnostic> {
        let nulls = (0..<count).map { isBlank($0) }
        switch forced {
        case .number?: return numbers(nulls, decimalComma: decimalMarks[0]).mapError(mismatch("a number"))
        case .boolean?: return booleans(nulls).mapError(mismatch("a boolean"))
        case .date?:
            // Excel's serial day numbers, when the cells are numbers.
            if case .success(let serials) = numbers(nulls, decimalComma: false) { return .success(excelDates(serials)) }
            return dates(nulls).mapError { $0.ambiguous ? ambiguousDates($0) : mismatch("a date")($0) }
        case .text?: return .success(texts(nulls, note: nil))
        case .null?, .list?, .unknown?, .period?, nil: break
        }
        // The reading that gets furthest is the one the note explains (the first cell it cannot read).
        var misfit: (row: Int, decimalComma: Bool)?
        for decimalComma in decimalMarks {
            switch numbers(nulls, decimalComma: decimalComma) {
            case .success(let column): return .success(column)
            case .failure(let failed): if failed.row > misfit?.row ?? -1 { misfit = (failed.row, decimalComma) }
            }
        }
        if case .success(let column) = booleans(nulls) { return .success(column) }
        switch dates(nulls) {
        case .success(let column): return .success(column)
        case .failure(let misfit) where misfit.ambiguous: return .failure(ambiguousDates(misfit))
        case .failure: break
        }
        // A column of numbers but for a few cells gets a note naming the first that does not fit.
        guard let misfit else { return .success(texts(nulls, note: nil)) }
        let hasNumbers = (0..<count).contains { row in
            !nulls[row] && row != misfit.row
                && FieldParser.number(bytes, cells[row].start, cells[row].end, decimalComma: misfit.decimalComma) != nil
        }
        let cell = text(misfit.row)
        let why: String
        if misfit.decimalComma, cell.contains(".") {
            why = "a ';' or tab file reads decimal commas, and takes no point; give --decimal-point if points mark decimals"
        } else if !misfit.decimalComma, cell.contains(",") {
            why = "a ',' file reads decimal points; give --decimal-comma if commas mark decimals"
        } else {
            why = ""
        }
        let line = "line \(bytes.line(of: cells[misfit.row].start)) has '\(cell)'"
        let note = hasNumbers ? (why.isEmpty ? line + ", which is not a number" : line + ": " + why) : nil
        return .success(texts(nulls, note: note))
    }

    struct Misfit: Error {
        var row: Int
        /// A date that reads both day first and month first, in a column that does not say which.
        var ambiguous = false
    }

    private func ambiguousDates(_ misfit: Misfit) -> Diagnostic {
        Diagnostic(
            message: "column '\(name)' has dates such as '\(text(misfit.row))' that read both as day/month and as month/day; "
                + "give --date-format d/m/yyyy or --date-format m/d/yyyy (or --date-format \(name)=… for this column)",
            file: file, line: bytes.line(of: cells[misfit.row].start))
    }

    /// Excel's serial day numbers as dates (45292 is 2024-01-01; a fraction is the time of day).
    /// Excel counts a 29 February 1900 that never was: serials from 61 on count from 1899-12-30.
    private func excelDates(_ serials: Column) -> Column {
        let values = serials.numbers.map { serial -> Int64 in
            guard serial.isFinite, abs(serial) < 3_000_000 else { return 0 }
            let epoch: Double = serial >= 61 ? -25_569 : -25_568
            return Int64(((serial + epoch) * 86_400).rounded())
        }
        let hasTime = values.contains { $0 % 86_400 != 0 }
        if hasTime { return Column(.dateTime(values), nulls: serials.nulls) }
        return Column(.date(values.map { Int32($0 / 86_400) }), nulls: serials.nulls)
    }


    private func mismatch(_ what: String) -> (Misfit) -> Diagnostic {
        { misfit in
            Diagnostic(
                message: "column '\(name)' is declared \(what), but '\(text(misfit.row))' is not \(what)", file: file,
                line: bytes.line(of: cells[misfit.row].start))
        }
    }

    /// Parses every cell as a number. With decimal points, a lone comma before three digits
    /// (`1,200`) groups thousands when other cells show points are the decimals (`1,234.56`,
    /// `12.5`, `1,234,567`); otherwise such a column is read with decimal commas, as `number(t)`
    /// reads the text alone.
    private func numbers(_ nulls: [Bool], decimalComma: Bool) -> Result<Column, Misfit> {
        let read = numbers(nulls, decimalComma: decimalComma, loneCommaGroups: false)
        guard !decimalComma, case .failure = read, pointsMarkDecimals(nulls) else { return read }
        return numbers(nulls, decimalComma: false, loneCommaGroups: true)
    }

    /// Whether some cell has a point or two commas: a column whose points are its decimals.
    private func pointsMarkDecimals(_ nulls: [Bool]) -> Bool {
        (0..<count).contains { row in
            guard !nulls[row] else { return false }
            var commas = 0
            for position in cells[row].start..<cells[row].end {
                if bytes[position] == UInt8(ascii: ".") { return true }
                if bytes[position] == UInt8(ascii: ",") { commas += 1 }
            }
            return commas > 1
        }
    }

    /// Parses every cell as a number.
    private func numbers(_ nulls: [Bool], decimalComma: Bool, loneCommaGroups: Bool) -> Result<Column, Misfit> {
        var values = [Double](repeating: 0, count: count)
        let mark: DecimalMark = decimalComma ? .comma : .point
        for row in 0..<count where !nulls[row] {
            guard let value = FieldParser.number(bytes, cells[row].start, cells[row].end, mark: mark, loneCommaGroups: loneCommaGroups) else {
                return .failure(Misfit(row: row))
            }
            values[row] = value
        }
        return .success(Column(numbers: values, nulls: nulls))
    }

    private func booleans(_ nulls: [Bool]) -> Result<Column, Misfit> {
        var values = [Bool](repeating: false, count: count)
        for row in 0..<count where !nulls[row] {
            guard let value = FieldParser.boolean(bytes, cells[row].start, cells[row].end) else { return .failure(Misfit(row: row)) }
            values[row] = value
        }
        return .success(Column(booleans: values, nulls: nulls))
    }

    /// Dates, or date-times when any cell has a time of day. How `a/b/yyyy` reads is decided for
    /// the column, in the same pass: as `--date-format` says, else day first when some first part
    /// is above 12, month first when some second part is; cells no other cell settles wait for that.
    private func dates(_ nulls: [Bool]) -> Result<Column, Misfit> {
        var values = [Int64](repeating: 0, count: count)
        var hasTime = false
        var undecided: [Int] = []
        var dayFirst: Int?
        var monthFirst: Int?
        for row in 0..<count where !nulls[row] {
            let (start, end) = (cells[row].start, cells[row].end)
            // Only `a/b/…` (a slash as its second or third byte) can read two ways.
            if dateOrder == nil, let (first, second) = slashedAt(start, end) {
                if first > 12, dayFirst == nil { dayFirst = row }
                if second > 12, monthFirst == nil { monthFirst = row }
                if first <= 12, second <= 12 {
                    undecided.append(row)
                    continue
                }
            }
            guard let value = FieldParser.date(bytes, start, end, order: dateOrder) else { return .failure(Misfit(row: row)) }
            values[row] = value.secondsSinceEpoch
            hasTime = hasTime || value.secondOfDay != 0
        }
        if let dayFirst, let monthFirst { return .failure(Misfit(row: max(dayFirst, monthFirst))) }
        if let first = undecided.first {
            guard let order = dayFirst != nil ? DayMonthOrder.dayFirst : monthFirst != nil ? .monthFirst : nil else {
                // Nothing in the column says which comes first: an error naming --date-format.
                let readable = undecided.allSatisfy { FieldParser.date(bytes, cells[$0].start, cells[$0].end, order: .dayFirst) != nil }
                return .failure(Misfit(row: first, ambiguous: readable))
            }
            for row in undecided {
                guard let value = FieldParser.date(bytes, cells[row].start, cells[row].end, order: order) else { return .failure(Misfit(row: row)) }
                values[row] = value.secondsSinceEpoch
                hasTime = hasTime || value.secondOfDay != 0
            }
        }
        if hasTime { return .success(Column(.dateTime(values), nulls: nulls)) }
        return .success(Column(.date(values.map { Int32($0 / 86_400) }), nulls: nulls))
    }

    /// The first two numbers of a cell written `a/b/yyyy`, found without parsing other dates.
    private func slashedAt(_ start: Int, _ end: Int) -> (Int, Int)? {
        var first = start
        while first < end, bytes[first] == UInt8(ascii: " ") { first += 1 }
        guard end - first > 3, bytes[first + 1] == UInt8(ascii: "/") || bytes[first + 2] == UInt8(ascii: "/") else { return nil }
        return FieldParser.slashedParts(bytes, start, end)
    }

    private func texts(_ nulls: [Bool], note: String?) -> Column {
        let codes = TextCodes.encoding(rowCount: count) { nulls[$0] ? "" : text($0) }
        var column = Column(textCodes: codes, nulls: nulls)
        column.typeNote = note
        return column
    }

    /// A cell's text, with a quoted cell's doubled quotes undone.
    func text(_ row: Int) -> String {
        let text = bytes.string(cells[row].start, cells[row].end)
        guard cells[row].quoted, text.contains("\"") else { return text }
        return text.replacingOccurrences(of: "\"\"", with: "\"")
    }

    private func isBlank(_ row: Int) -> Bool {
        var position = cells[row].start
        let end = cells[row].end
        while position < end {
            let byte = bytes[position]
            if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { return nullValues.matches(bytes, position, end) }
            position += 1
        }
        return true
    }
}

/// Cell texts read as null (`#N/A`, `n/a` …), checked on bytes: only a cell that starts with
/// one of their first bytes and is no longer than the longest of them is compared at all.
struct NullTokens: Sendable {
    private let tokens: Set<[UInt8]>
    /// Whether some token starts with a byte, by byte: read for every cell, so not hashed.
    private let firstBytes: [Bool]
    private let longest: Int
    /// Whether some token reads as a number, so that a cell must be tested as a token first.
    let anyReadsAsNumber: Bool

    init(_ values: Set<String>) {
        tokens = Set(values.map { Array($0.utf8) })
        var firstBytes = [Bool](repeating: false, count: 256)
        for token in tokens { if let first = token.first { firstBytes[Int(first)] = true } }
        self.firstBytes = firstBytes
        longest = tokens.map(\.count).max() ?? 0
        anyReadsAsNumber = values.contains { token in
            CSVReader.parseNumber(token, decimalComma: false) != nil || CSVReader.parseNumber(token, decimalComma: true) != nil
        }
    }

    func matches(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> Bool {
        guard firstBytes[Int(bytes[start])] else { return false }
        var last = end
        while last > start, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\t") { last -= 1 }
        guard last - start <= longest else { return false }
        return tokens.contains((start..<last).map { bytes[$0] })
    }
}
