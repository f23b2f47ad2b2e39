import Dispatch
import Foundation

/// Splits CSV records into fields, keeping only the byte ranges of the columns wanted.
///
/// Large files are cut into chunks at record boundaries (outside quotes) and scanned on all
/// cores at once; a record is then never split between two chunks.
struct CSVScanner: Sendable {
    let bytes: ByteBuffer
    let delimiter: UInt8
    /// How many fields every record must have: the header's count.
    let fieldCount: Int
    /// The field positions to keep, ascending.
    let wanted: [Int]

    /// The kept fields of a run of records, column by column.
    struct Fields: Sendable {
        var rowCount = 0
        /// For each wanted column, each row's field start; `ends` holds the end, with the top bit
        /// set for a quoted field (whose doubled quotes must be undone).
        var starts: [[UInt32]]
        var ends: [[UInt32]]
        var problem: Problem?
        /// Where scanning stopped: the end of the last record read.
        var stoppedAt = 0
    }

    enum Problem: Sendable {
        case ragged(offset: Int, fields: Int)
        case unclosedQuote(offset: Int)
        case textAfterQuote(offset: Int)

        var offset: Int {
            switch self {
            case .ragged(let offset, _), .unclosedQuote(let offset), .textAfterQuote(let offset): offset
            }
        }
    }

    static let quotedFlag: UInt32 = 1 << 31
    /// Below this many bytes a file is read on one core: splitting would cost more than it saves.
    static let parallelThreshold = 4_000_000

    /// Scans the records in `start..<end` using every core; fields come back in file order.
    func scan(from start: Int, to end: Int) -> Fields {
        let chunkCount = end - start > CSVScanner.parallelThreshold ? max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)) : 1
        var bounds = [start]
        for part in 1..<chunkCount {
            bounds.append(max(bounds[part - 1], recordBoundary(near: start + (end - start) * part / chunkCount, from: start, limit: end)))
        }
        bounds.append(end)
        let cuts = bounds
        let results = ResultSlots<Fields>(count: chunkCount)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { part in
            results.store(scanChunk(from: cuts[part], to: cuts[part + 1]), at: part)
        }
        var parts = results.values
        results.clear()
        // A cut is sound if the chunk before it, read from a true record start, ended exactly
        // there; a quote the cut guessed wrong about shows here, and the file is read in one piece.
        for (part, fields) in parts.enumerated().dropLast() where fields.problem != nil || fields.stoppedAt != bounds[part + 1] {
            parts = []
            return scanChunk(from: start, to: end)
        }
        // Joined a column at a time, each part's ranges released as soon as they are copied,
        // so that the ranges are never all held twice.
        var merged = Fields(starts: wanted.map { _ in [] }, ends: wanted.map { _ in [] })
        merged.rowCount = parts.reduce(0) { $0 + $1.rowCount }
        merged.problem = parts.last?.problem
        for column in wanted.indices {
            merged.starts[column].reserveCapacity(merged.rowCount)
            merged.ends[column].reserveCapacity(merged.rowCount)
            for piece in parts.indices {
                merged.starts[column] += parts[piece].starts[column]
                merged.ends[column] += parts[piece].ends[column]
                parts[piece].starts[column] = []
                parts[piece].ends[column] = []
            }
        }
        return merged
    }

    /// The start of the first record at or after `offset`: after a line break outside quotes.
    private func recordBoundary(near offset: Int, from start: Int, limit: Int) -> Int {
        var quoted = false
        var position = start
        // Quote parity up to `offset`, jumping from quote to quote.
        while let quote = bytes.find(UInt8(ascii: "\""), from: position, to: offset) {
            quoted.toggle()
            position = quote + 1
        }
        position = offset
        while position < limit {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: "\n"), !quoted {
                return position + 1
            }
            position += 1
        }
        return limit
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

    private func scanChunk(from start: Int, to end: Int) -> Fields {
        var fields = Fields(starts: wanted.map { _ in [] }, ends: wanted.map { _ in [] })
        let estimate = max(16, (end - start) / max(1, fieldCount * 6))
        for column in wanted.indices {
            fields.starts[column].reserveCapacity(estimate)
            fields.ends[column].reserveCapacity(estimate)
        }
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let quote = UInt8(ascii: "\"")
        let delimiter = self.delimiter
        let lastWanted = wanted.last ?? -1
        var position = start
        while position < end {
            let recordStart = position
            // A blank line is no record.
            if bytes[position] == newline {
                position += 1
                continue
            }
            if bytes[position] == carriageReturn, position + 1 == end || bytes[position + 1] == newline {
                position += min(2, end - position)
                continue
            }
            var field = 0
            var nextWanted = 0
            while true {
                var fieldStart = position
                var fieldEnd: Int
                var quoted = false
                if position < end, bytes[position] == quote {
                    quoted = true
                    fieldStart = position + 1
                    var cursor = fieldStart
                    while true {
                        guard let closing = bytes.find(quote, from: cursor, to: bytes.count) else {
                            fields.problem = .unclosedQuote(offset: position)
                            return fields
                        }
                        if closing + 1 < bytes.count, bytes[closing + 1] == quote {
                            cursor = closing + 2
                            continue
                        }
                        fieldEnd = closing
                        position = closing + 1
                        break
                    }
                    if position < end, bytes[position] != delimiter, bytes[position] != newline, bytes[position] != carriageReturn {
                        fields.problem = .textAfterQuote(offset: position)
                        return fields
                    }
                } else {
                    position = endOfUnquotedField(from: position, to: end, delimiter: delimiter)
                    fieldEnd = position
                    if fieldEnd > fieldStart, bytes[fieldEnd - 1] == carriageReturn, position == end || bytes[position] == newline {
                        fieldEnd -= 1
                    }
                }
                if field <= lastWanted, nextWanted < wanted.count, wanted[nextWanted] == field {
                    fields.starts[nextWanted].append(UInt32(fieldStart))
                    fields.ends[nextWanted].append(UInt32(fieldEnd) | (quoted ? CSVScanner.quotedFlag : 0))
                    nextWanted += 1
                }
                field += 1
                if position < end, bytes[position] == delimiter {
                    position += 1
                    continue
                }
                break
            }
            if position < end, bytes[position] == carriageReturn { position += 1 }
            if position < end, bytes[position] == newline { position += 1 }
            guard field == fieldCount else {
                fields.problem = .ragged(offset: recordStart, fields: field)
                return fields
            }
            fields.rowCount += 1
        }
        fields.stoppedAt = position
        return fields
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

    /// Lets go of the stored results, once their reader holds its own copies.
    func clear() {
        for index in 0..<count { slots[index] = nil }
    }
}
