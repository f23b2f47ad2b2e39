/// The groups of a level: which group each row of its tables belongs to, and each group's
/// keys, numbered in key order (nulls last), built in one pass over the key columns.
struct GroupIndex: Sendable {
    /// The key columns of one table's rows.
    struct Part {
        var table: String
        var keyColumns: [Column]
        var rowCount: Int
    }

    /// For each table, for each of its rows, its group (0-based).
    var groupOfRow: [String: [Int32]]
    /// For each group, its key values in the level's key order.
    var keys: [[Value]]
    /// The group of each key combination.
    var lookup: [[Value]: Int]

    var count: Int { keys.count }

    /// The groups of all the parts' rows together: the union of their key combinations.
    /// `shouldStop` is asked every 65,536 rows: a stopped build fails, and the caller says why.
    static func build(_ parts: [Part], shouldStop: () -> Bool = { false }) -> Result<GroupIndex, FunctionError> {
        guard parts.count != 1, let first = parts.first else {
            return build(keyColumns: parts.first?.keyColumns ?? [], rowCount: parts.first?.rowCount ?? 0, shouldStop: shouldStop).map { index in
                var named = index
                named.groupOfRow = [parts.first?.table ?? "": index.groupOfRow[""] ?? []]
                return named
            }
        }
        let rowCount = parts.reduce(0) { $0 + $1.rowCount }
        let keyColumns = first.keyColumns.indices.map { key in Column.concatenating(parts.map { $0.keyColumns[key] }) }
        return build(keyColumns: keyColumns, rowCount: rowCount, shouldStop: shouldStop).map { index in
            var split = index
            var start = 0
            split.groupOfRow = [:]
            let all = index.groupOfRow[""] ?? []
            for part in parts {
                split.groupOfRow[part.table] = Array(all[start..<(start + part.rowCount)])
                start += part.rowCount
            }
            return split
        }
    }

    private static func build(keyColumns: [Column], rowCount: Int, shouldStop: () -> Bool) -> Result<GroupIndex, FunctionError> {
        for column in keyColumns {
            if let message = column.errors.firstMessage(in: 0..<rowCount) {
                return .failure(FunctionError("a 'by' key could not be computed: \(message)"))
            }
        }
        var perKey: [(codes: [Int32], values: [Value])] = []
        for column in keyColumns {
            guard let key = dense(column, rowCount: rowCount, shouldStop: shouldStop) else { return .failure(FunctionError("stopped")) }
            perKey.append(key)
        }
        var combined = [Int32](repeating: 0, count: rowCount)
        var groupKeys: [[Value]] = []
        if perKey.count == 1 {
            combined = perKey[0].codes
            groupKeys = perKey[0].values.map { [$0] }
        } else {
            // Each row's key codes as one number, mixed radix: (c₁·n₂ + c₂)·n₃ + c₃ …
            let cardinalities = perKey.map { max(1, $0.values.count) }
            let space = cardinalities.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            func keys(of row: Int) -> [Value] { perKey.map { $0.values[Int($0.codes[row])] } }
            if space <= 1 << 22 {
                var mixed = [Int](repeating: 0, count: rowCount)
                for (key, cardinality) in zip(perKey, cardinalities) {
                    key.codes.withUnsafeBufferPointer { codes in
                        for row in 0..<rowCount { mixed[row] = mixed[row] * cardinality + Int(codes[row]) }
                    }
                }
                var groupOf = [Int32](repeating: -1, count: space)
                for row in 0..<rowCount {
                    if groupOf[mixed[row]] < 0 {
                        groupOf[mixed[row]] = Int32(groupKeys.count)
                        groupKeys.append(keys(of: row))
                    }
                    combined[row] = groupOf[mixed[row]]
                }
            } else {
                var seen: [[Int32]: Int32] = [:]
                for row in 0..<rowCount {
                    let tuple = perKey.map { $0.codes[row] }
                    if let group = seen[tuple] {
                        combined[row] = group
                    } else {
                        let group = Int32(groupKeys.count)
                        seen[tuple] = group
                        groupKeys.append(keys(of: row))
                        combined[row] = group
                    }
                }
            }
        }
        let order = groupKeys.indices.sorted { Value.sortsBefore(groupKeys[$0], groupKeys[$1]) }
        var renumbered = [Int32](repeating: 0, count: order.count)
        for (newGroup, oldGroup) in order.enumerated() { renumbered[oldGroup] = Int32(newGroup) }
        for row in 0..<rowCount { combined[row] = renumbered[Int(combined[row])] }
        let sortedKeys = order.map { groupKeys[$0] }
        var lookup: [[Value]: Int] = [:]
        for (group, keys) in sortedKeys.enumerated() { lookup[keys] = group }
        return .success(GroupIndex(groupOfRow: ["": combined], keys: sortedKeys, lookup: lookup))
    }

    /// Numbers the distinct values of one key column in order of first appearance; nil when stopped.
    private static func dense(_ column: Column, rowCount: Int, shouldStop: () -> Bool) -> (codes: [Int32], values: [Value])? {
        var stopped = false
        var codes = [Int32](repeating: 0, count: rowCount)
        var values: [Value] = []
        var nullCode: Int32?
        /// The code of null, the same for every null row.
        func codeOfNull() -> Int32 {
            if let nullCode { return nullCode }
            let code = Int32(values.count)
            nullCode = code
            values.append(.null)
            return code
        }
        func hashed<Key: Hashable>(_ keys: [Key], _ value: (Key) -> Value) {
            var seen: [Key: Int32] = [:]
            for row in 0..<rowCount {
                if row & 0xFFFF == 0xFFFF, shouldStop() {
                    stopped = true
                    return
                }
                if column.isNull(row) {
                    codes[row] = codeOfNull()
                } else if let known = seen[keys[row]] {
                    codes[row] = known
                } else {
                    let new = Int32(values.count)
                    seen[keys[row]] = new
                    values.append(value(keys[row]))
                    codes[row] = new
                }
            }
        }
        /// Small integers (text codes, days, periods) are numbered through an array indexed by
        /// value rather than a hash table, when their range is not much larger than the rows.
        func indexed(_ keys: [Int32], range known: ClosedRange<Int32>? = nil, _ value: (Int32) -> Value) {
            var low = Int32.max
            var high = Int32.min
            if let known {
                (low, high) = (known.lowerBound, known.upperBound)
            } else {
                for row in 0..<rowCount where !column.isNull(row) {
                    low = min(low, keys[row])
                    high = max(high, keys[row])
                }
            }
            guard low <= high, Int(high) - Int(low) <= max(rowCount, 1 << 16) else { return hashed(keys, value) }
            var seen = [Int32](repeating: -1, count: Int(high) - Int(low) + 1)
            for row in 0..<rowCount {
                if column.isNull(row) {
                    codes[row] = codeOfNull()
                    continue
                }
                let slot = Int(keys[row]) - Int(low)
                if seen[slot] < 0 {
                    seen[slot] = Int32(values.count)
                    values.append(value(keys[row]))
                }
                codes[row] = seen[slot]
            }
        }
        switch column.storage {
        case .number(let numbers): hashed(numbers.map { $0 == 0 ? 0 : $0 }) { .number($0) }
        case .text(let texts) where column.textCodes == nil || column.count != rowCount: hashed(texts.strings) { .text($0) }
        case .text:
            let distinct = column.textCodes?.distinct ?? []
            indexed(column.textCodes?.codes ?? [], range: 0...Int32(max(distinct.count - 1, 0))) { .text(distinct[Int($0)]) }
        case .boolean(let flags): hashed(flags) { .boolean($0) }
        case .date(let days): indexed(days) { .date(KipiDate(daysSinceEpoch: $0)) }
        // A date-time key groups by its date.
        case .dateTime: indexed(column.days) { .date(KipiDate(daysSinceEpoch: $0)) }
        case .period(let grain, let indices): indexed(indices) { .period(Period(grain: grain, index: $0)) }
        }
        return stopped ? nil : (codes, values)
    }
}
