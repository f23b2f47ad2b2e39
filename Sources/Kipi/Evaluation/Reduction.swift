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
        let kernels = chunkKernels(call, table: table, reads: reduction.reads)
        let reduced = reduction.reduce(partCount: parts.count) { sink in
            for start in stride(from: 0, to: rows, by: Evaluator.chunkRows) {
                // Stopped: a failure, not the general path, which would go over the rows again.
                if let reason = stop.check() {
                    stopped = reason
                    return false
                }
                let chunk = start..<min(start + Evaluator.chunkRows, rows)
                if let kernels {
                    collectionType = call.arguments.first?.type
                    let next = chunk.upperBound..<min(chunk.upperBound + Evaluator.chunkRows, rows)
                    guard kernels.feed(chunk, next: next, partOf: parts.ofElement?[chunk], reads: reduction.reads, sink) else { return false }
                    continue
                }
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

    /// Kernels for an aggregate's collection and filter over the rows of `table`, when both
    /// (those it has) are formulas a `ChunkKernel` computes over columns with no empty or failed cell.
    private func chunkKernels(_ call: AggregateCall, table: String, reads: ReducedValues) -> ChunkKernels? {
        let rows = rowCount(of: table)
        func column(_ expression: TypedExpression) -> Column? {
            switch expression.kind {
            case .column(let columnTable, let name) where columnTable == table: return tables[table]?[name]
            case .definition(let index):
                guard program.definitions[index].grouping == nil, case .column(let column) = values[index] else { return nil }
                return column
            case .parameter(let name): return (parameters[name]?.number).map { Column(numbers: [$0]) }
            default: return nil
            }
        }
        var collection: ChunkKernel?
        if let argument = call.arguments.first {
            switch (reads, argument.type) {
            case (.numbers, .number), (.booleans, .boolean): break
            default: return nil
            }
            guard let kernel = ChunkKernel.compile(argument, rowCount: rows, column: column) else { return nil }
            collection = kernel
        }
        var filter: ChunkKernel?
        if let condition = call.filter {
            guard condition.type == .boolean, let kernel = ChunkKernel.compile(condition, rowCount: rows, column: column) else { return nil }
            filter = kernel
        }
        return ChunkKernels(collection: collection, filter: filter)
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

/// An aggregate's collection and filter, each computed by a `ChunkKernel`. The elements the
/// filter keeps are moved together, in order, before the reduction reads them: its loop then
/// tests nothing, and reads what it would have read.
final class ChunkKernels {
    let collection: ChunkKernel?
    let filter: ChunkKernel?
    private let kept = UnsafeMutablePointer<Double>.allocate(capacity: Evaluator.chunkRows)
    private var keptParts = [Int32](repeating: 0, count: Evaluator.chunkRows)
    private var flags = [Bool](repeating: false, count: Evaluator.chunkRows)

    init(collection: ChunkKernel?, filter: ChunkKernel?) {
        self.collection = collection
        self.filter = filter
    }

    deinit { kept.deallocate() }

    /// Passes a chunk of rows to `sink`; false, with nothing passed, when a value in it is not finite.
    /// `next` are the rows of the next chunk, whose columns are read ahead.
    func feed(_ rows: Range<Int>, next: Range<Int>, partOf: ArraySlice<Int32>?, reads: ReducedValues, _ sink: (ReductionRun) -> Void) -> Bool {
        var values: UnsafePointer<Double>?
        if let collection {
            guard let computed = collection.run(rows) else { return false }
            values = computed
        }
        var count = rows.count
        var parts = partOf
        if let filter {
            guard let keeps = filter.run(rows) else { return false }
            var keptCount = 0
            let kept = kept
            keptParts.withUnsafeMutableBufferPointer { keptParts in
                for element in 0..<count {
                    if let values { kept[keptCount] = values[element] }
                    if let partOf { keptParts[keptCount] = partOf[partOf.startIndex + element] }
                    keptCount += keeps[element] != 0 ? 1 : 0
                }
            }
            count = keptCount
            if partOf != nil { parts = keptParts[0..<count] }
            if values != nil { values = UnsafePointer(kept) }
        }
        if reads == .booleans, let values {
            flags.withUnsafeMutableBufferPointer { flags in for element in 0..<count { flags[element] = values[element] != 0 } }
        }
        let numbers = reads == .numbers ? UnsafeBufferPointer(start: values, count: count) : UnsafeBufferPointer(start: nil, count: 0)
        flags.withUnsafeBufferPointer { flags in
            let flags = reads == .booleans ? UnsafeBufferPointer(rebasing: flags[0..<count]) : UnsafeBufferPointer(start: nil, count: 0)
            var run = ReductionRun(numbers: numbers, flags: flags, nulls: nil, kept: nil, keptNulls: nil, partOf: parts, count: count)
            let ahead = next.isEmpty ? [] : (collection?.columns(at: next) ?? [])
            if let first = ahead.first { run.upcoming = (first, ahead.dropFirst().first, next.count * MemoryLayout<Double>.stride) }
            sink(run)
        }
        return true
    }
}
