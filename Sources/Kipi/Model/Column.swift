/// A column of values of one type, stored contiguously: the unit of columnar evaluation.
///
/// A cell is a value, empty (null) or failed (an evaluation error such as a division by
/// zero in that row). A column of one cell stands for a scalar and is broadcast against
/// longer columns.
public struct Column: Sendable {
    /// The cells' values, in one array of their type.
    public enum Storage: Sendable {
        /// Numbers.
        case number([Double])
        /// Texts, one per row or as codes of distinct texts.
        case text(TextCells)
        /// Booleans.
        case boolean([Bool])
        /// Dates, as days since 1970-01-01.
        case date([Int32])
        /// Date-times, as seconds since 1970-01-01 00:00; their type is `date`.
        case dateTime([Int64])
        /// Periods of one grain, by `Period.index`.
        case period(PeriodGrain, [Int32])
    }

    /// The cells' values; a null or failed cell holds a placeholder.
    public private(set) var storage: Storage
    /// `true` where the cell is null; nil when no cell is.
    public private(set) var nulls: [Bool]?
    /// Cells whose computation failed.
    public var errors: RowErrors
    /// The number of cells.
    public let count: Int
    /// For a text column of a data file that is not all numbers, why: the first cell that is not
    /// a number, as in "line 14 has 'n/a', which is not a number".
    public var typeNote: String?
    /// A text column's cells as codes of its distinct texts, when it was encoded (data files' are).
    var textCodes: TextCodes? {
        if case .text(let cells) = storage { return cells.codes }
        return nil
    }

    /// A column of these values, nulls and failed cells.
    public init(_ storage: Storage, nulls: [Bool]? = nil, errors: RowErrors = RowErrors()) {
        self.storage = storage
        switch storage {
        case .number(let values): count = values.count
        case .text(let values): count = values.count
        case .boolean(let values): count = values.count
        case .date(let values): count = values.count
        case .dateTime(let values): count = values.count
        case .period(_, let values): count = values.count
        }
        self.nulls = nulls.flatMap { $0.contains(true) ? $0 : nil }
        self.errors = errors
    }

    /// A number column.
    public init(numbers: [Double], nulls: [Bool]? = nil) { self.init(.number(numbers), nulls: nulls) }
    /// A text column.
    public init(texts: [String], nulls: [Bool]? = nil) { self.init(.text(TextCells(texts)), nulls: nulls) }
    /// A text column of encoded cells.
    init(textCodes: TextCodes, nulls: [Bool]? = nil) { self.init(.text(TextCells(textCodes)), nulls: nulls) }
    /// A boolean column.
    public init(booleans: [Bool], nulls: [Bool]? = nil) { self.init(.boolean(booleans), nulls: nulls) }
    /// A date column.
    public init(dates: [KipiDate], nulls: [Bool]? = nil) { self.init(.date(dates.map(\.daysSinceEpoch)), nulls: nulls) }

    /// A column of `count` nulls of the given type.
    public static func nulls(_ type: KipiType, count: Int) -> Column {
        let mask = [Bool](repeating: true, count: count)
        switch type {
        case .text: return Column(.text(TextCells(repeating: "", count: count)), nulls: mask)
        case .boolean: return Column(.boolean([Bool](repeating: false, count: count)), nulls: mask)
        case .date: return Column(.date([Int32](repeating: 0, count: count)), nulls: mask)
        case .period(let grain): return Column(.period(grain, [Int32](repeating: 0, count: count)), nulls: mask)
        case .number, .null, .list, .unknown: return Column(.number([Double](repeating: 0, count: count)), nulls: mask)
        }
    }

    /// A column holding `value` `count` times; lists are not column values.
    public init(repeating value: Value, type: KipiType, count: Int) {
        switch value {
        case .number(let number): self.init(.number([Double](repeating: number, count: count)))
        case .text(let text): self.init(.text(TextCells(repeating: text, count: count)))
        case .boolean(let flag): self.init(.boolean([Bool](repeating: flag, count: count)))
        case .date(let date) where date.secondOfDay != 0: self.init(.dateTime([Int64](repeating: date.secondsSinceEpoch, count: count)))
        case .date(let date): self.init(.date([Int32](repeating: date.daysSinceEpoch, count: count)))
        case .period(let period): self.init(.period(period.grain, [Int32](repeating: period.index, count: count)))
        case .null, .list: self = Column.nulls(type, count: count)
        }
    }

    /// Builds a column from values that all have `type` or are null.
    public init(values: [Value], type: KipiType) {
        let mask = values.map(\.isNull)
        switch type {
        case .text: self.init(.text(TextCells(values.map { if case .text(let v) = $0 { v } else { "" } })), nulls: mask)
        case .boolean: self.init(.boolean(values.map { if case .boolean(let v) = $0 { v } else { false } }), nulls: mask)
        case .date where values.contains(where: { if case .date(let v) = $0 { v.secondOfDay != 0 } else { false } }):
            self.init(.dateTime(values.map { if case .date(let v) = $0 { v.secondsSinceEpoch } else { 0 } }), nulls: mask)
        case .date: self.init(.date(values.map { if case .date(let v) = $0 { v.daysSinceEpoch } else { 0 } }), nulls: mask)
        case .period(let grain): self.init(.period(grain, values.map { if case .period(let v) = $0 { v.index } else { 0 } }), nulls: mask)
        case .number, .null, .list, .unknown: self.init(.number(values.map { $0.number ?? 0 }), nulls: mask)
        }
    }

    /// The Kipi type of the cells.
    public var type: KipiType {
        switch storage {
        case .number: .number
        case .text: .text
        case .boolean: .boolean
        case .date, .dateTime: .date
        case .period(let grain, _): .period(grain)
        }
    }

    @inline(__always)
    /// Whether the cell at `row` is empty.
    public func isNull(_ row: Int) -> Bool {
        nulls?[row] ?? false
    }

    /// The cell at `row`; a failed cell reads as null (check `errors` first).
    public subscript(row: Int) -> Value {
        if isNull(row) { return .null }
        switch storage {
        case .number(let values): return .number(values[row])
        case .text(let values): return .text(values[row])
        case .boolean(let values): return .boolean(values[row])
        case .date(let values): return .date(KipiDate(daysSinceEpoch: values[row]))
        case .dateTime(let values): return .date(KipiDate(secondsSinceEpoch: values[row]))
        case .period(let grain, let values): return .period(Period(grain: grain, index: values[row]))
        }
    }

    /// The non-null cells, in order, as values.
    public var values: [Value] { (0..<count).map { self[$0] } }

    /// Whether every cell is null (or there are none), so the column fits any type.
    /// The length of the null mask when it is not as long as the column, as a host may build
    /// one (`Column(numbers: [1, 2], nulls: [true])`); nil when it fits. Readers index the mask
    /// by row, so such a column is refused before use.
    var misfitNullMaskLength: Int? {
        guard let nulls, nulls.count != count else { return nil }
        return nulls.count
    }

    /// Whether every cell is empty (or there is none).
    public var isAllNull: Bool { count == 0 || (nulls?.allSatisfy { $0 } ?? false) }

    /// The number storage; an all-null column of another type reads as zeros.
    public var numbers: [Double] {
        if case .number(let values) = storage { return values }
        return [Double](repeating: 0, count: count)
    }

    /// The number storage, left empty here so that the caller holds the only reference to it
    /// and can write over it without a copy.
    mutating func takingNumbers() -> [Double] {
        guard case .number(let values) = storage else { return numbers }
        storage = .number([])
        return values
    }

    /// A text column's cells; empty texts for any other type.
    public var texts: TextCells {
        if case .text(let values) = storage { return values }
        return TextCells(repeating: "", count: count)
    }

    /// A boolean column's values; empty for any other type.
    public var booleans: [Bool] {
        if case .boolean(let values) = storage { return values }
        return [Bool](repeating: false, count: count)
    }

    /// Days since 1970-01-01: a date-time's date (`month(opened)`, `by opened` take the day).
    public var days: [Int32] {
        switch storage {
        case .date(let values): return values
        case .dateTime(let values): return values.map { KipiDate(secondsSinceEpoch: $0).daysSinceEpoch }
        case .number, .text, .boolean, .period: return [Int32](repeating: 0, count: count)
        }
    }

    /// Seconds since 1970-01-01 00:00, of dates and date-times alike.
    public var seconds: [Int64] {
        switch storage {
        case .date(let values): return values.map { Int64($0) * 86_400 }
        case .dateTime(let values): return values
        case .number, .text, .boolean, .period: return [Int64](repeating: 0, count: count)
        }
    }

    /// Period indices (`Period.index`); an all-null column of another type reads as zeros.
    public var periodIndices: [Int32] {
        if case .period(_, let values) = storage { return values }
        return [Int32](repeating: 0, count: count)
    }

    /// The cells at `sources`, in that order; a negative source is a null cell. A column of
    /// one cell (a scalar) is repeated.
    func broadcasting(_ sources: [Int]) -> Column {
        if count == 0 { return Column.nulls(type, count: sources.count) }
        let single = count == 1
        let gathered = gathering(sources.map { single ? 0 : max($0, 0) })
        return sources.contains(where: { $0 < 0 }) ? gathered.nulling(where: sources) : gathered
    }

    private func nulling(where sources: [Int]) -> Column {
        var mask = nulls ?? [Bool](repeating: false, count: count)
        for (row, source) in sources.enumerated() where source < 0 { mask[row] = true }
        var result = Column(storage, nulls: mask)
        var kept = RowErrors()
        for (row, source) in sources.enumerated() where source >= 0 {
            if let message = errors.message(at: row) { kept.record(message, at: row) }
        }
        result.errors = kept
        return result
    }

    /// The cells of `columns` one after another. Columns of one storage type are joined as they
    /// are; otherwise cell by cell, as the first non-null column's type.
    static func concatenating(_ columns: [Column]) -> Column {
        let type = columns.first { !$0.isAllNull }?.type ?? columns.first?.type ?? .null
        var values: [Value] = []
        var errors = RowErrors()
        var offset = 0
        for column in columns {
            for row in 0..<column.count {
                if let message = column.errors.message(at: row) { errors.record(message, at: offset + row) }
                values.append(column.type == type || column.isNull(row) ? column[row] : .null)
            }
            offset += column.count
        }
        var result = Column(values: values, type: type)
        result.errors = errors
        return result
    }

    /// The cells of a range of rows.
    func slice(_ rows: Range<Int>) -> Column {
        let mask = nulls.map { Array($0[rows]) }
        var result: Column
        switch storage {
        case .number(let values): result = Column(.number(Array(values[rows])), nulls: mask)
        case .text(let values): result = Column(.text(values.slice(rows)), nulls: mask)
        case .boolean(let values): result = Column(.boolean(Array(values[rows])), nulls: mask)
        case .date(let values): result = Column(.date(Array(values[rows])), nulls: mask)
        case .dateTime(let values): result = Column(.dateTime(Array(values[rows])), nulls: mask)
        case .period(let grain, let values): result = Column(.period(grain, Array(values[rows])), nulls: mask)
        }
        result.errors = errors.slice(rows)
        return result
    }

    /// The cells of a column of distinct values expanded to rows: row `r` is cell `codes[r]`.
    /// Keeps the type note.
    func expanded(by codes: [Int32]) -> Column {
        codes.withUnsafeBufferPointer { codes in
            func gather<Element>(_ values: [Element]) -> [Element] {
                values.withUnsafeBufferPointer { values in codes.map { values[Int($0)] } }
            }
            var result: Column
            let mask = nulls.map(gather)
            switch storage {
            case .number(let values): result = Column(.number(gather(values)), nulls: mask)
            case .text(let values): result = Column(.text(values.expanded(by: codes)), nulls: mask)
            case .boolean(let values): result = Column(.boolean(gather(values)), nulls: mask)
            case .date(let values): result = Column(.date(gather(values)), nulls: mask)
            case .dateTime(let values): result = Column(.dateTime(gather(values)), nulls: mask)
            case .period(let grain, let values): result = Column(.period(grain, gather(values)), nulls: mask)
            }
            result.typeNote = typeNote
            return result
        }
    }

    /// The cells at `rows`, in that order.
    public func gathering(_ rows: [Int]) -> Column {
        let mask = nulls.map { mask in rows.map { mask[$0] } }
        var result: Column
        switch storage {
        case .number(let values): result = Column(.number(rows.map { values[$0] }), nulls: mask)
        case .text(let values): result = Column(.text(values.gathering(rows)), nulls: mask)
        case .boolean(let values): result = Column(.boolean(rows.map { values[$0] }), nulls: mask)
        case .date(let values): result = Column(.date(rows.map { values[$0] }), nulls: mask)
        case .dateTime(let values): result = Column(.dateTime(rows.map { values[$0] }), nulls: mask)
        case .period(let grain, let values): result = Column(.period(grain, rows.map { values[$0] }), nulls: mask)
        }
        result.errors = errors.gathering(rows)
        return result
    }
}

/// The failed cells of a column: for each failed row, why.
public struct RowErrors: Sendable {
    /// A message for every row, as when a failed scalar is broadcast over a column.
    public private(set) var everyRow: String?
    /// The message of each failed row, when not every row failed.
    public private(set) var rows: [Int: String] = [:]

    /// No failed cell.
    public init() {}

    /// Every cell failed with this message.
    public init(everyRow message: String) {
        everyRow = message
    }

    /// Whether no cell failed.
    public var isEmpty: Bool { everyRow == nil && rows.isEmpty }

    /// Why the cell at `row` failed; nil if it did not.
    public func message(at row: Int) -> String? {
        everyRow ?? (rows.isEmpty ? nil : rows[row])
    }

    /// Records a failed row; the first message of a row is kept.
    public mutating func record(_ message: String, at row: Int) {
        if everyRow == nil, rows[row] == nil { rows[row] = message }
    }

    /// Adds `other`'s errors; a column of one cell (a scalar) fails every row.
    mutating func merge(_ other: RowErrors, broadcast: Bool) {
        if everyRow != nil || other.isEmpty { return }
        if broadcast || other.everyRow != nil {
            everyRow = other.everyRow ?? other.rows.values.first
            rows = [:]
            return
        }
        rows.merge(other.rows) { first, _ in first }
    }

    func slice(_ selected: Range<Int>) -> RowErrors {
        if everyRow != nil || rows.isEmpty { return self }
        var result = RowErrors()
        for (row, message) in rows where selected.contains(row) { result.rows[row - selected.lowerBound] = message }
        return result
    }

    func gathering(_ selected: [Int]) -> RowErrors {
        if everyRow != nil || rows.isEmpty { return self }
        var result = RowErrors()
        for (newRow, oldRow) in selected.enumerated() {
            if let message = rows[oldRow] { result.rows[newRow] = message }
        }
        return result
    }

    /// Computes one cell's value; if that throws or gives a non-finite number, records why
    /// at `row` and gives null.
    mutating func capturing(at row: Int, nonFinite: String, _ compute: () throws -> Value) -> Value {
        do {
            let value = try compute()
            if case .number(let number) = value, !number.isFinite {
                record(nonFinite, at: row)
                return .null
            }
            return value
        } catch {
            record(failureMessage(error), at: row)
            return .null
        }
    }

    /// The first failed row among `selected`, if any.
    func firstMessage(in selected: some Sequence<Int>) -> String? {
        if let everyRow { return everyRow }
        if rows.isEmpty { return nil }
        for row in selected { if let message = rows[row] { return message } }
        return nil
    }
}
