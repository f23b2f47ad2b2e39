extension Evaluator {
    /// Rows per chunk when an aggregate's collection and filter are computed a chunk at a time:
    /// small enough that a chunk's temporaries stay in the processor's cache.
    static let chunkRows = 4096

    /// An aggregate whose function declares a one-pass `Reduction`: its collection and filter
    /// are computed a chunk of rows at a time when every node of them reads only its own row,
    /// and each chunk is reduced into every part's state in one loop, with no row list gathered
    /// and no column as long as the table made. Nil when the call does not qualify (or a
    /// chunk has a failed cell), and the general path computes it; both give the same values.
    mutating func reducedInChunks(_ call: AggregateCall, id: Int, type: KipiType, shape: Shape) -> Column? {
        guard plan.aggregates[id]?.strategy == .onePassByChunks, trace == nil, rowWindow == nil, let reduction = call.function.reduction,
            case .rows(let table) = call.domain, rowCount(of: table) >= 2 * Evaluator.chunkRows
        else { return nil }
        // A failed partition is reported by the general path.
        guard case .success(let parts) = partitioning(call, cells: shape) else { return nil }
        let (partOfElement, partOfCell) = (parts.ofElement, parts.ofCell)
        let rows = rowCount(of: table)
        var reducer = OnePassReduction(reduction, partCount: parts.count)
        var collectionType: KipiType?
        for start in stride(from: 0, to: rows, by: Evaluator.chunkRows) {
            // Stopped: a failure, not the general path, which would go over the rows again.
            if let reason = stop.check() { return failedColumn(type, message: reason) }
            let chunk = start..<min(start + Evaluator.chunkRows, rows)
            rowWindow = RowWindow(table: table, rows: chunk)
            let collection = call.arguments.first.map { evaluate($0) }
            let mask = call.filter.map { evaluate($0) }
            rowWindow = nil
            collectionType = collection?.type
            guard reducer.add(collection: collection, mask: mask, partOf: partOfElement?[chunk], count: chunk.count) else { return nil }
        }
        return reducer.result(of: call.function, collectionType: collectionType, partOfCell: partOfCell, type: type)
    }
}

/// The rows of one table that an evaluation is computing, when it computes a chunk of them.
struct RowWindow {
    var table: String
    var rows: Range<Int>
}

/// A one-pass reduction's state for every part of the domain, fed a run of elements at a time.
struct OnePassReduction {
    let reduction: FunctionDefinition.Reduction
    private var parts: [PartState]

    init(_ reduction: FunctionDefinition.Reduction, partCount: Int) {
        self.reduction = reduction
        parts = [PartState](repeating: PartState(), count: partCount)
    }

    /// Reduces `count` more elements: each element's part (nil: all in part 0), whether the
    /// filter keeps it, its value. False, with nothing reduced, when the collection's type is
    /// not the reduction's, a column's length does not fit, or a cell failed.
    mutating func add(collection: Column?, mask: Column?, partOf: ArraySlice<Int32>?, count: Int) -> Bool {
        guard mask?.errors.isEmpty ?? true, mask.map({ $0.count == count || $0.count == 1 }) ?? true,
            collection?.errors.isEmpty ?? true, collection.map({ $0.count == count }) ?? true, (partOf?.count ?? count) == count
        else { return false }
        let numbers: [Double]
        let flags: [Bool]
        switch (reduction, collection?.storage) {
        case (.count, _): (numbers, flags) = ([], [])
        case (.sum, .number(let values)?), (.mean, .number(let values)?), (.minimum, .number(let values)?), (.maximum, .number(let values)?):
            (numbers, flags) = (values, [])
        case (.share, .boolean(let values)?): (numbers, flags) = ([], values)
        default: return false
        }
        // A one-cell filter keeps every element or none.
        if let mask, mask.count == 1, mask.isNull(0) || !mask.booleans[0] { return true }
        let rowMask: [Bool]? = mask.flatMap { mask in mask.count == 1 ? nil : mask.booleans }
        let rowMaskNulls: [Bool]? = mask.flatMap { mask in mask.count == 1 ? nil : mask.nulls }
        let nulls = collection?.nulls
        let partCount = parts.count
        let reduction = reduction
        parts.withUnsafeMutableBufferPointer { state in
            /// Calls `accumulate` with each kept element's part state and position; counts rows and
            /// values. Without parts the state is a local, so that a sum's chain stays in registers.
            @inline(__always) func scan(_ accumulate: (inout PartState, Int) -> Void) {
                guard let partOf else {
                    var single = state[0]
                    if rowMask == nil, nulls == nil {
                        // Every element kept and present: only the accumulation is left in the loop.
                        single.rows += count
                        single.count += count
                        for row in 0..<count { accumulate(&single, row) }
                        state[0] = single
                        return
                    }
                    for row in 0..<count {
                        if let rowMask, !rowMask[row] || (rowMaskNulls?[row] ?? false) { continue }
                        single.rows += 1
                        if let nulls, nulls[row] { continue }
                        single.count += 1
                        accumulate(&single, row)
                    }
                    state[0] = single
                    return
                }
                let base = partOf.startIndex
                for row in 0..<count {
                    let part = Int(partOf[base + row])
                    if part < 0 || part >= partCount { continue }
                    if let rowMask, !rowMask[row] || (rowMaskNulls?[row] ?? false) { continue }
                    state[part].rows += 1
                    if let nulls, nulls[row] { continue }
                    state[part].count += 1
                    accumulate(&state[part], row)
                }
            }
            numbers.withUnsafeBufferPointer { numbers in
                switch reduction {
                case .count: scan { _, _ in }
                case .sum, .mean: scan { part, row in part.add(numbers[row]) }
                case .minimum: scan { part, row in if !part.hasExtreme || numbers[row] < part.extreme { part.keep(numbers[row]) } }
                case .maximum: scan { part, row in if !part.hasExtreme || numbers[row] >= part.extreme { part.keep(numbers[row]) } }
                case .share: scan { part, row in if flags[row] { part.trues += 1 } }
                }
            }
        }
        return true
    }

    /// Each result cell's value from its part's state; a part with no values gets what the
    /// function's own implementation says of none (an error, or a sum's 0).
    func result(of function: FunctionDefinition, collectionType: KipiType?, partOfCell: [Int], type: KipiType) -> Column {
        var results = [Value](repeating: .null, count: partOfCell.count)
        var errors = RowErrors()
        for (cell, part) in partOfCell.enumerated() where part >= 0 && part < parts.count {
            let part = parts[part]
            results[cell] = errors.capturing(at: cell, nonFinite: "the result of \(function.name) is not a finite number") {
                if part.count == 0, reduction != .count, case .aggregate(let reduce) = function.implementation {
                    let none = collectionType.map { [Column.nulls($0, count: 0)] } ?? []
                    return try function.calling { try reduce(AggregateInput(collections: none, rowCount: part.rows, arguments: [])) }
                }
                switch reduction {
                case .count: return .number(Double(collectionType == nil ? part.rows : part.count))
                case .sum: return .number(part.total)
                case .mean: return .number(part.total / Double(part.count))
                case .minimum, .maximum: return .number(part.extreme)
                case .share: return .number(Double(part.trues) / Double(part.count))
                }
            }
        }
        var column = Column(values: results, type: type)
        column.errors = errors
        return column
    }
}

/// What a one-pass reduction has accumulated for one part.
private struct PartState {
    /// Rows where the filter holds, nulls included.
    var rows = 0
    /// Of those, the ones with a value.
    var count = 0
    var trues = 0
    /// The smallest or largest value so far, once there is one.
    private(set) var extreme = 0.0
    private(set) var hasExtreme = false
    private var sum = CompensatedSum()

    /// The sum's step, as `Aggregates.exactSum` takes it: the same sum to the bit.
    @inline(__always)
    mutating func add(_ value: Double) { sum.add(value) }

    var total: Double { sum.total }

    mutating func keep(_ value: Double) {
        extreme = value
        hasExtreme = true
    }
}
