import Dispatch
import Foundation

/// Reads the records of a CSV body straight into its wanted columns, in chunks on every core.
///
/// A column is read as numbers while its every cell is one (with the first decimal mark the
/// reader tries) or empty, and otherwise as codes of its distinct cells, which `ColumnBuilder`
/// types afterwards: typing a cell depends on its bytes alone, so typing the distinct cells
/// types the column. No cell's byte range is kept, only each distinct cell's first.
///
/// The body is cut into chunks at line breaks, each read on its own as if a record started
/// there; a cut that fell inside a quoted field shows when the chunk before it, read from a
/// true record start, does not end exactly at the cut, and the chunk is read again from there.
struct CSVScanner: Sendable {
    let bytes: ByteBuffer
    let delimiter: UInt8
    /// How many fields every record must have: the header's count.
    let fieldCount: Int
    /// The field positions to keep, ascending.
    let wanted: [Int]
    /// The decimal mark numbers are read with while a column is read as numbers (`true`: a comma).
    let decimalComma: Bool
    /// Texts that stand for an empty cell.
    let nullValues: NullTokens
    /// Whether the bytes are a file mapping whose pages can be given back once read: they are
    /// read again from the file if touched later.
    let releasesPages: Bool

    /// How a chunk reads a column's cells.
    enum Reading: Sendable, Equatable {
        /// Into numbers; a cell that is neither a number nor empty stops the chunk.
        case numbers
        /// Into codes of distinct cells.
        case codes
    }

    /// Where reading stopped for a reason that is the file's error.
    enum Problem: Sendable {
        case ragged(offset: Int, fields: Int)
        case unclosedQuote(offset: Int)
        case textAfterQuote(offset: Int)
        /// A zero byte: the file is binary.
        case binary(offset: Int)
        case invalidUTF8(offset: Int)
    }

    /// One column's cells of a run of records.
    struct Cells: Sendable {
        var reading: Reading
        var numbers: [Double] = []
        /// `true` where a number cell is empty; nil while none is.
        var nulls: [Bool]?
        var codes: [Int32] = []
        var distinct = DistinctCells()
    }

    /// The wanted columns' cells of a run of records.
    struct Chunk: Sendable {
        var rowCount = 0
        var columns: [Cells]
        var problem: Problem?
        /// Where reading stopped: the end of the last record read.
        var stoppedAt = 0
        /// The column that held a cell that is no number, when reading it as numbers stopped the chunk.
        var notNumbers: Int?
    }

    /// The bytes of a chunk, apart from the first, which is small: its columns decide how the
    /// others start reading.
    static let chunkBytes = 1 << 20

    /// Reads the records in `start..<end`: every wanted column's cells and the row count, or
    /// the first problem: the first record in file order that cannot be read, else a zero byte
    /// in a cell read, else the first byte of a cell read that is not UTF-8. (Bytes of columns
    /// not read are not checked; the reader checks the file's start.)
    func scan(from start: Int, to end: Int, readings initial: [Reading], chunkBytes: Int = CSVScanner.chunkBytes) -> Chunk {
        let cuts = Cuts(scanner: self, start: start, end: end, chunkBytes: chunkBytes)
        // The first chunk settles which columns are numbers, and how long a record is, before the rest start.
        let first = read(from: start, to: cuts[1], readings: initial, bytesPerRecord: Double(fieldCount * 6))
        let bytesPerRecord = first.rowCount > 0 ? Double(first.stoppedAt - start) / Double(first.rowCount) : Double(fieldCount * 6)
        let assembly = Assembly(scanner: self, readings: first.columns.map(\.reading), cuts: cuts, bytesPerRecord: bytesPerRecord)
        assembly.add(first, part: 0)
        if cuts.partCount > 1 {
            DispatchQueue.concurrentPerform(iterations: cuts.partCount - 1) { index in
                let part = index + 1
                guard !assembly.isStopped else { return }
                assembly.add(read(from: cuts[part], to: cuts[part + 1], readings: assembly.readings, bytesPerRecord: bytesPerRecord), part: part)
            }
        }
        var result = assembly.take()
        // A column that holds a cell that is no number after the first chunk: read again, as codes from the start.
        if let notNumbers = result.notNumbers {
            var readings = assembly.readings
            readings[notNumbers] = .codes
            return scan(from: start, to: end, readings: readings, chunkBytes: chunkBytes)
        }
        if result.problem != nil { return result }
        // Only cells that are not numbers can hold bytes other than ASCII that a number reads
        // (a currency sign, a no-break space): checking each distinct one checks them all.
        let problems = result.columns.compactMap { column in
            column.distinct.cells.lazy.compactMap { bytes.firstProblem(in: $0.start..<$0.end) }.first
        }
        if let problem = problems.filter(\.isBinary).min(by: { $0.offset < $1.offset }) ?? problems.min(by: { $0.offset < $1.offset }) {
            result.problem = problem
        }
        return result
    }

    /// Where the chunks start: each at the first line after a fixed offset, found only when the
    /// chunk is read, so that no page of the file is touched before its chunk is read (a touch
    /// can map a large part of a file around it, which would then all stay in memory).
    struct Cuts: Sendable {
        let scanner: CSVScanner
        let start: Int
        let end: Int
        let chunkBytes: Int
        /// The first chunk's bytes: small, as it is read before the others start.
        var firstBytes: Int { min(chunkBytes, 1 << 16) }

        var partCount: Int {
            end - start <= firstBytes ? 1 : 1 + (end - start - firstBytes + chunkBytes - 1) / chunkBytes
        }

        /// The start of chunk `part`; `partCount` gives the end.
        subscript(part: Int) -> Int {
            if part == 0 { return start }
            if part >= partCount { return end }
            return scanner.lineStart(after: start + firstBytes + (part - 1) * chunkBytes, limit: end)
        }
    }

    /// The chunks' cells joined in file order as the chunks come in, so that each chunk's cells
    /// are let go of as soon as the chunks before it are in: the cells are held about once.
    private final class Assembly: @unchecked Sendable {
        let scanner: CSVScanner
        let readings: [Reading]
        let cuts: Cuts
        let bytesPerRecord: Double
        private let lock = NSLock()
        private var waiting: [Int: Chunk] = [:]
        private var next = 0
        private var result: Chunk
        private var stopped = false
        /// Where the file's pages have been given back up to.
        private var releasedTo: Int

        init(scanner: CSVScanner, readings: [Reading], cuts: Cuts, bytesPerRecord: Double) {
            self.scanner = scanner
            self.readings = readings
            self.cuts = cuts
            self.bytesPerRecord = bytesPerRecord
            result = Chunk(columns: readings.map { Cells(reading: $0) }, stoppedAt: cuts.start)
            releasedTo = cuts.start
            let rows = Int(Double(cuts.end - cuts.start) / max(1, bytesPerRecord) * 1.05) + 16
            for column in result.columns.indices {
                switch readings[column] {
                case .numbers: result.columns[column].numbers.reserveCapacity(rows)
                case .codes: result.columns[column].codes.reserveCapacity(rows)
                }
            }
        }

        /// Whether a problem (or a column to read again) ended the assembly: the chunks still
        /// to come are not needed.
        var isStopped: Bool { lock.withLock { stopped } }

        func add(_ chunk: Chunk, part: Int) {
            lock.withLock {
                waiting[part] = chunk
                while !stopped, let chunk = waiting.removeValue(forKey: next) {
                    append(chunk, part: next)
                    next += 1
                }
            }
        }

        func take() -> Chunk { lock.withLock { result } }

        /// Joins the next chunk in file order. It must start where the one before it ended; one
        /// that does not (its cut fell inside a quoted field) is read again from there.
        private func append(_ read: Chunk, part: Int) {
            var chunk = read
            if part > 0, result.stoppedAt != cuts[part] {
                chunk = scanner.read(from: result.stoppedAt, to: cuts[part + 1], readings: readings, bytesPerRecord: bytesPerRecord)
            }
            if chunk.problem != nil || chunk.columns.map(\.reading) != readings {
                result.problem = chunk.problem
                result.notNumbers = chunk.problem == nil ? chunk.columns.indices.first { chunk.columns[$0].reading != readings[$0] } : nil
                stopped = true
                return
            }
            for column in chunk.columns.indices {
                let cells = chunk.columns[column]
                chunk.columns[column] = Cells(reading: cells.reading)
                switch cells.reading {
                case .numbers:
                    result.columns[column].numbers += cells.numbers
                    if let nulls = cells.nulls {
                        if result.columns[column].nulls == nil {
                            var earlier = [Bool](repeating: false, count: result.rowCount)
                            earlier.reserveCapacity(result.columns[column].numbers.capacity)
                            result.columns[column].nulls = earlier
                        }
                        result.columns[column].nulls? += nulls
                    } else {
                        result.columns[column].nulls? += repeatElement(false, count: chunk.rowCount)
                    }
                case .codes:
                    let codes = cells.distinct.cells.indices.map {
                        result.columns[column].distinct.code(of: cells.distinct.cells[$0], hash: cells.distinct.hashes[$0], in: scanner.bytes)
                    }
                    codes.withUnsafeBufferPointer { codes in result.columns[column].codes += cells.codes.lazy.map { codes[Int($0)] } }
                }
            }
            result.rowCount += chunk.rowCount
            result.stoppedAt = chunk.stoppedAt
            // The pages of the chunks joined, but for the last few megabytes: a chunk being read
            // may map the large page-cache folio around where it reads, back into those.
            let settled = result.stoppedAt - Assembly.pageGuard
            if scanner.releasesPages, settled > releasedTo {
                scanner.bytes.releasePages(in: releasedTo..<settled)
                releasedTo = settled
            }
        }

        /// Bytes before the chunks being read that a read may still map: twice the largest
        /// folio of a file's page cache (2 MiB).
        static let pageGuard = 4 << 20
    }

    /// The start of the first line at or after `offset`, as if no quote were open there.
    fileprivate func lineStart(after offset: Int, limit: Int) -> Int {
        guard offset < limit else { return limit }
        guard let newline = bytes.find(UInt8(ascii: "\n"), from: offset, to: limit) else { return limit }
        return newline + 1
    }

    /// Reads the records that start in `start..<end` (the last may run past `end`); a column
    /// that holds a cell that is no number is then read again as codes.
    /// `bytesPerRecord` estimates how many cells to make room for.
    fileprivate func read(from start: Int, to end: Int, readings: [Reading], bytesPerRecord: Double) -> Chunk {
        guard start < end else { return Chunk(columns: readings.map { Cells(reading: $0) }, stoppedAt: start) }
        var readings = readings
        while true {
            let chunk = readRecords(from: start, to: end, readings: readings, capacity: Int(Double(end - start) / max(1, bytesPerRecord) * 1.05) + 16)
            guard let column = chunk.notNumbers else { return chunk }
            readings[column] = .codes
        }
    }

    private func readRecords(from start: Int, to end: Int, readings: [Reading], capacity: Int) -> Chunk {
        var chunk = Chunk(columns: readings.map { Cells(reading: $0) })
        for column in wanted.indices {
            switch readings[column] {
            case .numbers: chunk.columns[column].numbers.reserveCapacity(capacity)
            case .codes: chunk.columns[column].codes.reserveCapacity(capacity)
            }
        }
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let quote = UInt8(ascii: "\"")
        let delimiter = self.delimiter
        let lastWanted = wanted.last ?? -1
        let mark: DecimalMark = decimalComma ? .comma : .point
        let nullsLookLikeNumbers = nullValues.anyReadsAsNumber
        var position = start
        while position < end {
            let recordStart = position
            // A blank line is no record.
            if bytes[position] == newline {
                position += 1
                continue
            }
            if bytes[position] == carriageReturn, position + 1 == bytes.count || bytes[position + 1] == newline {
                position += min(2, bytes.count - position)
                continue
            }
            var field = 0
            var nextWanted = 0
            while true {
                // The fields before the next wanted one, or the rest of the record, are only counted.
                let unwanted = nextWanted < wanted.count ? wanted[nextWanted] - field : Int.max
                if unwanted > 0 {
                    let skipped = skipUnquotedFields(from: position, count: unwanted, delimiter: delimiter)
                    position = skipped.position
                    field += skipped.fields
                    if skipped.endsRecord { break }
                }
                var fieldStart = position
                var fieldEnd: Int
                var quoted = false
                if position < bytes.count, bytes[position] == quote {
                    quoted = true
                    fieldStart = position + 1
                    var cursor = fieldStart
                    while true {
                        guard let closing = bytes.find(quote, from: cursor, to: bytes.count) else {
                            chunk.problem = .unclosedQuote(offset: position)
                            return chunk
                        }
                        if closing + 1 < bytes.count, bytes[closing + 1] == quote {
                            cursor = closing + 2
                            continue
                        }
                        fieldEnd = closing
                        position = closing + 1
                        break
                    }
                    if position < bytes.count, bytes[position] != delimiter, bytes[position] != newline, bytes[position] != carriageReturn {
                        chunk.problem = .textAfterQuote(offset: position)
                        return chunk
                    }
                } else {
                    position = endOfUnquotedField(from: position, to: bytes.count, delimiter: delimiter)
                    fieldEnd = position
                    if fieldEnd > fieldStart, bytes[fieldEnd - 1] == carriageReturn, position == bytes.count || bytes[position] == newline {
                        fieldEnd -= 1
                    }
                }
                if field <= lastWanted, nextWanted < wanted.count, wanted[nextWanted] == field {
                    let row = chunk.rowCount
                    switch chunk.columns[nextWanted].reading {
                    case .numbers:
                        if !nullsLookLikeNumbers, let value = FieldParser.number(bytes, fieldStart, fieldEnd, mark: mark) {
                            chunk.columns[nextWanted].numbers.append(value)
                        } else if isBlank(fieldStart, fieldEnd) {
                            chunk.columns[nextWanted].numbers.append(0)
                            if chunk.columns[nextWanted].nulls == nil { chunk.columns[nextWanted].nulls = [Bool](repeating: false, count: row) }
                            chunk.columns[nextWanted].nulls?.append(true)
                        } else if nullsLookLikeNumbers, let value = FieldParser.number(bytes, fieldStart, fieldEnd, mark: mark) {
                            chunk.columns[nextWanted].numbers.append(value)
                        } else {
                            chunk.notNumbers = nextWanted
                            return chunk
                        }
                        if chunk.columns[nextWanted].nulls != nil, chunk.columns[nextWanted].nulls?.count == row {
                            chunk.columns[nextWanted].nulls?.append(false)
                        }
                    case .codes:
                        let cell = DistinctCells.Cell(start: fieldStart, end: fieldEnd, quoted: quoted)
                        chunk.columns[nextWanted].codes.append(chunk.columns[nextWanted].distinct.code(of: cell, in: bytes))
                    }
                    nextWanted += 1
                }
                field += 1
                if position < bytes.count, bytes[position] == delimiter {
                    position += 1
                    continue
                }
                break
            }
            if position < bytes.count, bytes[position] == carriageReturn { position += 1 }
            if position < bytes.count, bytes[position] == newline { position += 1 }
            guard field == fieldCount else {
                chunk.problem = .ragged(offset: recordStart, fields: field)
                return chunk
            }
            chunk.rowCount += 1
        }
        chunk.stoppedAt = position
        return chunk
    }

    /// Whether a cell is all spaces and tabs, or a null token.
    private func isBlank(_ start: Int, _ end: Int) -> Bool {
        var position = start
        while position < end {
            let byte = bytes[position]
            if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { return nullValues.matches(bytes, position, end) }
            position += 1
        }
        return true
    }

    /// Passes up to `count` unquoted fields from the start of a field, eight bytes at a time:
    /// the start of the field after them, and how many were passed. Stops early at the start of
    /// a field that holds a quote (the caller reads it) or near the buffer's end; at a line feed
    /// when `count` is all the record's fields, the line feed's position, the last field
    /// counted, and `endsRecord`.
    @inline(__always)
    private func skipUnquotedFields(from start: Int, count: Int, delimiter: UInt8) -> (position: Int, fields: Int, endsRecord: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let delimiters = UInt64(delimiter) &* ones
        let newlines = UInt64(UInt8(ascii: "\n")) &* ones
        let quotes = UInt64(UInt8(ascii: "\"")) &* ones
        // 0x80 in each byte of `word` equal to the repeated byte, exactly (no borrow between bytes).
        @inline(__always) func equal(_ word: UInt64, _ repeated: UInt64) -> UInt64 {
            let difference = word ^ repeated
            let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            return ~(((difference & low) &+ low) | difference) & ~low
        }
        let raw = UnsafeRawPointer(bytes.base)
        var position = start
        var fieldStart = start
        var passed = 0
        while position + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            var found = equal(word, delimiters)
            let lineEnds = equal(word, newlines)
            let stops = lineEnds | equal(word, quotes)
            let firstStop = stops & (~stops &+ 1)
            // Only the delimiters before the first stop.
            if stops != 0 { found &= firstStop &- 1 }
            // One bit per byte found, 0x80: their count is the sum of the bytes shifted to 1.
            let inWord = Int(((found >> 7) &* ones) >> 56)
            if inWord >= count - passed {
                for _ in 0..<(count - passed - 1) { found &= found &- 1 }
                return (position + found.trailingZeroBitCount / 8 + 1, count, false)
            }
            if inWord > 0 {
                passed += inWord
                fieldStart = position + (63 - found.leadingZeroBitCount) / 8 + 1
            }
            if firstStop & lineEnds != 0, count == Int.max { return (position + firstStop.trailingZeroBitCount / 8, passed + 1, true) }
            if stops != 0 { break }
            position += 8
        }
        return (fieldStart, passed, false)
    }

    /// Where an unquoted field starting at `position` ends: at the next delimiter or line feed,
    /// looked for eight bytes at a time (a byte equal to either makes a zero byte of the word
    /// XORed with it repeated, and the lowest zero byte is found exactly).
    @inline(__always)
    private func endOfUnquotedField(from start: Int, to end: Int, delimiter: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let delimiters = UInt64(delimiter) &* ones
        let newlines = UInt64(UInt8(ascii: "\n")) &* ones
        let raw = UnsafeRawPointer(bytes.base)
        var position = start
        while position + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            let atDelimiter = word ^ delimiters
            let atNewline = word ^ newlines
            let found = ((atDelimiter &- ones) & ~atDelimiter | (atNewline &- ones) & ~atNewline) & highs
            if found != 0 { return position + found.trailingZeroBitCount / 8 }
            position += 8
        }
        while position < end, bytes[position] != delimiter, bytes[position] != UInt8(ascii: "\n") { position += 1 }
        return position
    }
}

extension CSVScanner.Problem {
    var offset: Int {
        switch self {
        case .ragged(let offset, _), .unclosedQuote(let offset), .textAfterQuote(let offset), .binary(let offset), .invalidUTF8(let offset):
            offset
        }
    }

    var isBinary: Bool {
        if case .binary = self { return true }
        return false
    }
}

/// The distinct cells of a column, each by its first occurrence, and a table from a cell's
/// bytes to its code. Cells with the same bytes share a code when both are quoted or both are
/// not: quoting changes how a cell reads (`""` inside quotes is one quote).
struct DistinctCells: Sendable {
    struct Cell: Sendable {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    private(set) var cells: [Cell] = []
    private(set) var hashes: [UInt64] = []
    private var slots = [Int32](repeating: -1, count: 64)

    /// The code of a cell, a new one if no cell with its bytes was seen.
    @inline(__always)
    mutating func code(of cell: Cell, in bytes: ByteBuffer) -> Int32 {
        code(of: cell, hash: DistinctCells.hash(bytes, cell), in: bytes)
    }

    mutating func code(of cell: Cell, hash: UInt64, in bytes: ByteBuffer) -> Int32 {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[slot]
            if code < 0 {
                let new = Int32(cells.count)
                slots[slot] = new
                cells.append(cell)
                hashes.append(hash)
                if cells.count * 2 > slots.count { grow() }
                return new
            }
            if hashes[Int(code)] == hash, DistinctCells.same(cell, cells[Int(code)], in: bytes) { return code }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }

    private static func same(_ a: Cell, _ b: Cell, in bytes: ByteBuffer) -> Bool {
        a.quoted == b.quoted && a.end - a.start == b.end - b.start && memcmp(bytes.base + a.start, bytes.base + b.start, a.end - a.start) == 0
    }

    /// FNV-1a over the bytes, with the quoting as the lowest bit.
    static func hash(_ bytes: ByteBuffer, _ cell: Cell) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for position in cell.start..<max(cell.start, cell.end) { hash = (hash ^ UInt64(bytes[position])) &* 0x100_0000_01b3 }
        // FNV's low bits mix poorly: fold the high ones in, as the table uses the low ones.
        return (hash ^ (hash >> 29)) << 1 | (cell.quoted ? 1 : 0)
    }
}

/// One slot per parallel task, each written by its own task only.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Stores a task's result; tasks store into distinct slots, so no two writes meet.
    func store(_ value: Value, at index: Int) {
        slots[index] = value
    }

    var values: [Value] { (0..<count).compactMap { slots[$0] } }
}
