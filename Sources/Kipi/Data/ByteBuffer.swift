import Foundation

/// A read-only view of a file's bytes, shared by the threads that parse it.
///
/// The bytes outlive every use: the reader keeps the owning `Data` or array alive for the
/// whole parse, which is what makes this view safe to send.
struct ByteBuffer: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let count: Int

    subscript(offset: Int) -> UInt8 {
        @inline(__always) get { base[offset] }
    }

    /// The first offset in `from..<to` holding `byte`, found with `memchr`.
    func find(_ byte: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// The 1-based line that holds `offset`.
    func line(of offset: Int, from start: Int = 0) -> Int {
        var line = 1
        var position = start
        while let newline = find(UInt8(ascii: "\n"), from: position, to: min(offset, count)) {
            line += 1
            position = newline + 1
        }
        return line
    }

    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: max(0, end - start)), as: UTF8.self)
    }

    /// The offset of the first byte that is not valid UTF-8, if any. ASCII is skipped eight bytes
    /// at a time; a large buffer is checked in parts on every core, split before a character.
    func firstInvalidUTF8(from start: Int) -> Int? {
        let partCount = count - start > 1 << 22 ? Cores.available : 1
        guard partCount > 1 else { return firstInvalidUTF8(in: start..<count) }
        var cuts = [start]
        for part in 1..<partCount {
            var split = max(cuts[part - 1], start + (count - start) * part / partCount)
            while split < count, base[split] & 0xC0 == 0x80 { split += 1 }
            cuts.append(split)
        }
        cuts.append(count)
        let parts = cuts
        let found = ResultSlots<Int?>(count: partCount)
        DispatchQueue.concurrentPerform(iterations: partCount) { part in found.store(firstInvalidUTF8(in: parts[part]..<parts[part + 1]), at: part) }
        return found.values.compactMap { $0 }.min()
    }

    /// The first zero byte in `range` (a binary file), else the first byte there that is not
    /// valid UTF-8; `range` must start at a character's start.
    func firstProblem(in range: Range<Int>) -> CSVScanner.Problem? {
        if let invalid = firstInvalidUTF8(in: range, stoppingAtZero: true) {
            if base[invalid] == 0 { return .binary(offset: invalid) }
            return find(0, from: invalid, to: range.upperBound).map { .binary(offset: $0) } ?? .invalidUTF8(offset: invalid)
        }
        return nil
    }

    /// Gives back the memory pages that lie wholly inside `range`. Only for the mapping of a
    /// file that is not written: a page touched again is read again from the file.
    func releasePages(in range: Range<Int>) {
        #if os(Linux)
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            let address = Int(bitPattern: base)
            let first = (address + range.lowerBound + pageSize - 1) / pageSize * pageSize
            let last = (address + range.upperBound) / pageSize * pageSize
            guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(pointer, last - first, Int32(MADV_DONTNEED))
        #endif
    }

    /// The first invalid offset among the characters that start in `range`; with
    /// `stoppingAtZero`, or the first zero byte, whichever comes first.
    private func firstInvalidUTF8(in range: Range<Int>, stoppingAtZero: Bool = false) -> Int? {
        var position = range.lowerBound
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while position < range.upperBound {
            if position + 8 <= range.upperBound {
                let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                if word & highs == 0, !stoppingAtZero || (word &- ones) & ~word & highs == 0 {
                    position += 8
                    continue
                }
            }
            let lead = base[position]
            if lead < 0x80 {
                if lead == 0, stoppingAtZero { return position }
                position += 1
                continue
            }
            // Two bytes (Cyrillic among them), the most frequent case, need no decoding.
            if lead >= 0xC2, lead <= 0xDF, position + 1 < count, base[position + 1] & 0xC0 == 0x80 {
                position += 2
                continue
            }
            let length: Int
            let minimum: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return position
            }
            guard position + length <= count else { return position }
            var scalar = UInt32(lead) & (0xFF >> UInt32(length + 1))
            for next in 1..<length {
                let byte = base[position + next]
                guard byte & 0xC0 == 0x80 else { return position }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return position }
            position += length
        }
        return nil
    }
}
