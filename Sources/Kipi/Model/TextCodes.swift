import Foundation

/// A text column's cells: one text per row, or, for a column that was encoded (data files'
/// text columns are), a code per row into its distinct texts, each held once.
public struct TextCells: RandomAccessCollection, Sendable {
    /// The codes, when the cells are encoded.
    let codes: TextCodes?
    /// The texts, one per row, when they are not encoded.
    private let plain: [String]

    /// Texts held one per row.
    public init(_ texts: [String]) {
        codes = nil
        plain = texts
    }

    /// Texts held as codes.
    init(_ codes: TextCodes) {
        self.codes = codes
        plain = []
    }

    /// `text` `count` times, held once.
    init(repeating text: String, count: Int) {
        self.init(TextCodes(codes: [Int32](repeating: 0, count: count), distinct: [text]))
    }

    /// The first row, 0.
    public var startIndex: Int { 0 }
    /// The number of rows.
    public var endIndex: Int { codes?.codes.count ?? plain.count }

    /// The text of a row.
    public subscript(row: Int) -> String {
        if let codes { return codes.distinct[Int(codes.codes[row])] }
        return plain[row]
    }

    /// The cells of a range of rows.
    func slice(_ rows: Range<Int>) -> TextCells {
        if let codes { return TextCells(TextCodes(codes: Array(codes.codes[rows]), distinct: codes.distinct)) }
        return TextCells(Array(plain[rows]))
    }

    /// The cells at `rows`, in that order.
    func gathering(_ rows: [Int]) -> TextCells {
        if let codes { return TextCells(codes.gathering(rows)) }
        return plain.withUnsafeBufferPointer { plain in TextCells(rows.map { plain[$0] }) }
    }

    /// The cells of distinct values expanded to rows: row `r` is cell `codes[r]`.
    func expanded(by rows: UnsafeBufferPointer<Int32>) -> TextCells {
        if let codes { return TextCells(TextCodes(codes: codes.codes.withUnsafeBufferPointer { codes in rows.map { codes[Int($0)] } }, distinct: codes.distinct)) }
        return plain.withUnsafeBufferPointer { plain in TextCells(rows.map { plain[Int($0)] }) }
    }

    /// `property` of every row's text, computed once per distinct text when encoded.
    func map<Result>(_ property: (String) -> Result) -> [Result] {
        if let codes { return codes.map(property) }
        return plain.map(property)
    }

    /// The texts one per row, made for each row when they are encoded.
    var strings: [String] { codes?.texts ?? plain }
}

/// A text column's cells as small numbers: each row's position in the list of the column's
/// distinct texts, so that comparing with a text, `in` and grouping test each distinct text once
/// and then work on integers. A data file's text columns are encoded as they are read.
///
/// For every row, `texts[row] == distinct[codes[row]]`, null rows included (their text is "").
struct TextCodes: Sendable {
    var codes: [Int32]
    /// The distinct texts, by code; no two are equal as Swift compares strings (canonically).
    var distinct: [String]

    /// The texts of every row.
    var texts: [String] { codes.map { distinct[Int($0)] } }

    /// How many distinct texts some row has.
    var distinctUsed: Int {
        var used = [Bool](repeating: false, count: distinct.count)
        for code in codes { used[Int(code)] = true }
        return used.count { $0 }
    }

    /// The codes of the rows at `rows`, in that order.
    func gathering(_ rows: [Int]) -> TextCodes {
        TextCodes(codes: rows.map { codes[$0] }, distinct: distinct)
    }

    /// `property` of every row's text, computed once per distinct text.
    func map<Result>(_ property: (String) -> Result) -> [Result] {
        let perCode = distinct.map(property)
        return perCode.withUnsafeBufferPointer { perCode in codes.map { perCode[Int($0)] } }
    }

    /// Encodes the cells of a data file: cells with the same bytes (and both quoted or both
    /// not, as quoting changes how a cell reads) share a code without a string being made for
    /// each, then texts that Swift holds equal though their bytes differ
    /// (a quoted and a bare cell, or "é" composed and decomposed) are merged.
    static func encoding(
        rowCount: Int, bytesOf: (Int) -> (bytes: UnsafeBufferPointer<UInt8>, quoted: Bool), text: (Int) -> String
    ) -> TextCodes {
        var codes = [Int32](repeating: 0, count: rowCount)
        var firstRowOfCode: [Int] = []
        var slots = [Int32](repeating: -1, count: 64)
        var hashes: [UInt64] = []
        codes.withUnsafeMutableBufferPointer { codes in
            var mask = slots.count - 1
            for row in 0..<rowCount {
                let (cell, quoted) = bytesOf(row)
                let hash = fnv1a(cell) ^ (quoted ? 1 : 0)
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let code = slots[slot]
                    if code < 0 {
                        let new = Int32(firstRowOfCode.count)
                        slots[slot] = new
                        firstRowOfCode.append(row)
                        hashes.append(hash)
                        codes[row] = new
                        break
                    }
                    if hashes[Int(code)] == hash, same(cell, bytesOf(firstRowOfCode[Int(code)]).bytes) {
                        codes[row] = code
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if firstRowOfCode.count * 2 > slots.count {
                    slots = [Int32](repeating: -1, count: slots.count * 2)
                    mask = slots.count - 1
                    for (code, hash) in hashes.enumerated() {
                        var slot = Int(truncatingIfNeeded: hash) & mask
                        while slots[slot] >= 0 { slot = (slot + 1) & mask }
                        slots[slot] = Int32(code)
                    }
                }
            }
        }
        // Texts equal as strings share the code of the first.
        var merged: [String: Int32] = [:]
        var distinct: [String] = []
        let renumbered = firstRowOfCode.map { row -> Int32 in
            let value = text(row)
            if let code = merged[value] { return code }
            let code = Int32(distinct.count)
            merged[value] = code
            distinct.append(value)
            return code
        }
        if distinct.count != firstRowOfCode.count {
            codes.withUnsafeMutableBufferPointer { codes in
                for row in codes.indices { codes[row] = renumbered[Int(codes[row])] }
            }
        }
        return TextCodes(codes: codes, distinct: distinct)
    }

    private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }

    private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // FNV's low bits mix poorly: fold the high ones in, as the table uses the low ones
        // (the lowest bit is the quoting's).
        return (hash ^ (hash >> 29)) << 1
    }
}
