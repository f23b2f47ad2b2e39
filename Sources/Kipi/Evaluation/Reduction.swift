extension Evaluator {
    /// Rows per chunk when an aggregate's collection and filter are computed a chunk at a time:
    /// small enough that a chunk's temporaries stay in the processor's cache.
    static let chunkRows = 4096

    /// An aggregate the plan reduces in one pass by chunks: its collection and filter are
    /// computed a chunk of rows at a time, and each chunk is reduced into every part's state, with
    /// no row list gathered and no column as long as the table made. Nil when the data is small
    /// or a chunk does not fit the reduction (a failed cell, another type): the general path
    /// computes it then, and both give the same values.
    mutating func reducedInChunks(_ call: AggregateCall, id: Int, type: KipiType, shape: Shape) -> Column? {
        guard plan.aggregates[id]?.strategy == .onePassByChunks, trace == nil, rowChunk == nil, let reduction = call.function.reduction,
            case .rows(let table) = call.domain, rowCount(of: table) >= 2 * Evaluator.chunkRows
        else { return nil }
        // A failed partition is reported by the general path.
        guard case .success(let parts) = partitioning(call, cells: shape) else { return nil }
        let rows = rowCount(of: table)
        var collectionType: KipiType?
        var stopped: String?
        let reduced = reduction.reduce(partCount: parts.count) { sink in
            for start in stride(from: 0, to: rows, by: Evaluator.chunkRows) {
                // Stopped: a failure, not the general path, which would go over the rows again.
                if let reason = stop.check() {
                    stopped = reason
                    return false
                }
                let chunk = start..<min(start + Evaluator.chunkRows, rows)
                rowChunk = RowChunk(table: table, rows: chunk)
                let collection = call.arguments.first.map { evaluate($0) }
                let mask = call.filter.map { evaluate($0) }
                rowChunk = nil
                collectionType = collection?.type
                let run = ReductionFeed(collection: collection, mask: mask, partOf: parts.ofElement?[chunk], count: chunk.count, reads: reduction.reads)
                guard run.feed(sink) else { return false }
            }
            return true
        }
        if let stopped { return failedColumn(type, message: stopped) }
        return reduced.map { reducedColumn($0, of: call.function, collectionType: collectionType, partOfCell: parts.ofCell, type: type) }
    }

    /// Each result cell's value from its part; a part with no values gets what the function's own
    /// implementation says of none (an error, or a sum's 0).
    func reducedColumn(_ parts: [ReducedPart], of function: FunctionDefinition, collectionType: KipiType?, partOfCell: [Int], type: KipiType) -> Column {
        var results = [Value](repeating: .null, count: partOfCell.count)
        var errors = RowErrors()
        for (cell, part) in partOfCell.enumerated() where part >= 0 && part < parts.count {
            let part = parts[part]
            results[cell] = errors.capturing(at: cell, nonFinite: "the result of \(function.name) is not a finite number") {
                if part.count == 0, case .aggregate(let reduce) = function.implementation {
                    let none = collectionType.map { [Column.nulls($0, count: 0)] } ?? []
                    return try function.calling { try reduce(AggregateInput(collections: none, rowCount: part.rows, arguments: [])) }
                }
                return .number(part.value)
            }
        }
        var column = Column(values: results, type: type)
        column.errors = errors
        return column
    }
}

/// A collection, filter and parts computed by the evaluator, given to a one-pass reduction's sink
/// as a run of elements.
struct ReductionFeed {
    var collection: Column?
    var mask: Column?
    var partOf: ArraySlice<Int32>?
    var count: Int
    var reads: ReducedValues

    /// Passes the run to `sink`. False, with nothing passed, when the collection's type is not
    /// what the reduction reads, a column's length does not fit, or a cell failed.
    func feed(_ sink: (ReductionRun) -> Void) -> Bool {
        guard mask?.errors.isEmpty ?? true, mask.map({ $0.count == count || $0.count == 1 }) ?? true,
            collection?.errors.isEmpty ?? true, collection.map({ $0.count == count }) ?? true, (partOf?.count ?? count) == count
        else { return false }
        var numbers: [Double] = []
        var flags: [Bool] = []
        switch (reads, collection?.storage) {
        case (.any, _): break
        case (.numbers, .number(let values)?): numbers = values
        case (.booleans, .boolean(let values)?): flags = values
        case (.numbers, _), (.booleans, _): return false
        }
        // A one-cell filter keeps every element or none.
        if let mask, mask.count == 1, mask.isNull(0) || !mask.booleans[0] { return true }
        let kept = mask.flatMap { mask in mask.count == 1 ? nil : mask.booleans }
        let keptNulls = mask.flatMap { mask in mask.count == 1 ? nil : mask.nulls }
        numbers.withUnsafeBufferPointer { numbers in
            flags.withUnsafeBufferPointer { flags in
                sink(ReductionRun(numbers: numbers, flags: flags, nulls: collection?.nulls, kept: kept, keptNulls: keptNulls, partOf: partOf, count: count))
            }
        }
        return true
    }
}

/// The rows of one table that an evaluation is computing, when it computes a chunk of them.
struct RowChunk {
    var table: String
    var rows: Range<Int>
}
