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

    /// Encodes texts: texts that Swift holds equal though their bytes differ ("é" composed and
    /// decomposed) share the code of the first. A data file's reader encodes its distinct cells
    /// here, the bytes already told apart (`DistinctCells`).
    static func encoding(rowCount: Int, text: (Int) -> String) -> TextCodes {
        var codes: [Int32] = []
        codes.reserveCapacity(rowCount)
        var merged: [String: Int32] = [:]
        var distinct: [String] = []
        for row in 0..<rowCount {
            let value = text(row)
            if let code = merged[value] {
                codes.append(code)
                continue
            }
            let code = Int32(distinct.count)
            merged[value] = code
            distinct.append(value)
            codes.append(code)
        }
        return TextCodes(codes: codes, distinct: distinct)
    }

}
