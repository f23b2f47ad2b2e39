extension Evaluator {
    /// Reduces an aggregate's collection as the checker decided: the whole domain for every
    /// result cell, or, with a partition, the part of the domain inside each cell's group. Rows
    /// where the filter does not hold, or where a collection value is null, are left out; a
    /// failed row that is not left out fails its group.
    mutating func aggregate(_ call: AggregateCall, type: KipiType, shape: Shape, id: Int) -> Column {
        let function = call.function
        guard case .aggregate(let reduce) = function.implementation else {
            return failedColumn(type, message: FunctionMessages.notCellByCell(function.name))
        }
        if let reduced = reducedInChunks(call, id: id, type: type, shape: shape) { return reduced }
        let collectionArguments = call.arguments.indices.filter { call.roles[$0] == .collection }.map { call.arguments[$0] }

        // The collections, as columns over one domain: rows, a grouped value's groups, or a list.
        var collections: [Column]
        let domainLength: Int
        switch call.domain {
        case .list:
            collections = []
            var lengths: [Int] = []
            for argument in collectionArguments {
                guard argument.type.isList else {
                    collections.append(evaluate(argument))
                    continue
                }
                switch listValues(argument, skippingErrors: function.skipsErrors) {
                case .success(let values):
                    collections.append(Column(values: values, type: listElementType(argument.type)))
                    lengths.append(values.count)
                case .failure(let error):
                    return failedColumn(type, message: error.message)
                }
            }
            if let first = lengths.first, let other = lengths.first(where: { $0 != first }) {
                return failedColumn(type, message: "\(function.name) needs lists of one length, got \(first) and \(other) values")
            }
            domainLength = lengths.first ?? 0
        case .rows(let table):
            domainLength = rowCount(of: table)
            collections = collectionArguments.map { evaluate($0) }
        case .groups(let level):
            domainLength = length(of: .groups(level))
            collections = collectionArguments.map { evaluate($0) }
        }
        collections = collections.map { $0.count == 1 && domainLength != 1 ? $0.broadcasting([Int](repeating: 0, count: domainLength)) : $0 }
        let mask = call.filter.map { evaluate($0) }

        // Which part of the domain each element is in, and which part each result cell reduces.
        let partOfElement: [Int32]?
        let partOfCell: [Int]
        let partCount: Int
        switch partitioning(call, cells: shape) {
        case .failure(let error): return failedColumn(type, message: error.message)
        case .success(let parts): (partOfElement, partOfCell, partCount) = (parts.ofElement, parts.ofCell, parts.count)
        }
        let cellCount = length(of: shape)
        if let reduction = function.reduction, trace == nil, plan.aggregates[id]?.strategy != .gathered {
            let run = ReductionFeed(collection: collections.first, mask: mask, partOf: partOfElement?[...], count: domainLength, reads: reduction.reads)
            if let parts = reduction.reduce(partCount: partCount, run.feed) {
                return reducedColumn(parts, of: function, collectionType: collections.first?.type, partOfCell: partOfCell, type: type)
            }
        }
        let valueArguments = call.arguments.indices.filter { call.roles[$0] == .value }.map { evaluate(call.arguments[$0]) }
        let selections = selectRows(
            domainLength: domainLength, partOf: partOfElement, partCount: partCount, collections: collections, mask: mask,
            skippingErrors: function.skipsErrors)
        if trace != nil {
            var scope = [Int](repeating: 0, count: partCount)
            if let partOfElement {
                for part in partOfElement where part >= 0 && Int(part) < partCount { scope[Int(part)] += 1 }
            } else {
                scope[0] = domainLength
            }
            func perCell(_ perPart: [Int]) -> [Int] { partOfCell.map { $0 >= 0 && $0 < perPart.count ? perPart[$0] : 0 } }
            trace?.aggregates[id] = AggregateTrace(
                scope: perCell(scope), kept: perCell(selections.map(\.rowCount)),
                used: perCell(selections.map { $0.rows?.count ?? $0.rowCount }))
        }

        var inputs: [Int: (collections: [Column], sort: SortCache)] = [:]
        var results = [Value](repeating: .null, count: cellCount)
        var errors = RowErrors()
        for cell in 0..<cellCount {
            // One call per cell may be slow (a host's aggregate, a rank per row): stop in between.
            if let reason = stop.check() { return failedColumn(type, message: reason) }
            let part = partOfCell[cell]
            guard part >= 0, part < selections.count else {
                results[cell] = .null
                continue
            }
            let selection = selections[part]
            if let message = selection.failure {
                errors.record(message, at: cell)
                continue
            }
            var cellArguments: [Value] = []
            var argumentFailure: String?
            for column in valueArguments {
                let index = column.count == 1 ? 0 : cell
                if let message = column.errors.message(at: index) { argumentFailure = message }
                cellArguments.append(column[index])
            }
            if let argumentFailure {
                errors.record(argumentFailure, at: cell)
                continue
            }
            let input: (collections: [Column], sort: SortCache)
            if let known = inputs[part] {
                input = known
            } else {
                let gathered = selection.rows.map { rows in collections.map { $0.gathering(rows) } } ?? collections.map(stripped)
                input = (gathered, SortCache())
                inputs[part] = input
            }
            let aggregateInput = AggregateInput(
                collections: input.collections, rowCount: selection.rowCount, arguments: cellArguments, sortCache: input.sort)
            results[cell] = errors.capturing(at: cell, nonFinite: "the result of \(function.name) is not a finite number") {
                let value = try function.calling { try reduce(aggregateInput) }
                guard FunctionDefinition.fits(value, type) else {
                    throw FunctionError(FunctionMessages.wrongType(function.name, value.type, type))
                }
                return value
            }
        }
        var column = Column(values: results, type: type)
        column.errors = errors
        return column
    }

    /// The part of each domain element (-1 for none; nil when all are in part 0), the part each
    /// result cell reduces, and how many parts there are: one, without a partition.
    mutating func partitioning(
        _ call: AggregateCall, cells: Shape
    ) -> Result<(ofElement: [Int32]?, ofCell: [Int], count: Int), FunctionError> {
        guard let partition = call.partition else { return .success((nil, [Int](repeating: 0, count: length(of: cells)), 1)) }
        let domain = call.domain
        let index: GroupIndex
        switch groupIndex(partition) {
        case .success(let built): index = built
        case .failure(let error): return .failure(error)
        }
        var ofElement: [Int32]?
        switch domain {
        case .list: break
        case .rows(let table):
            switch groupOfRows(partition, in: table) {
            case .success(let groups): ofElement = groups
            case .failure(let error): return .failure(error)
            }
        case .groups(let level):
            switch groupMapping(from: level, to: partition) {
            case .success(let mapping): ofElement = mapping.map { Int32($0) }
            case .failure(let error): return .failure(error)
            }
        }
        switch cells {
        case .groups(let level) where level != partition:
            switch groupMapping(from: level, to: partition) {
            case .success(let mapping): return .success((ofElement, mapping, index.count))
            case .failure(let error): return .failure(error)
            }
        case .rows(let table):
            switch groupOfRows(partition, in: table) {
            case .success(let groups): return .success((ofElement, groups.map(Int.init), index.count))
            case .failure(let error): return .failure(error)
            }
        case .scalar, .groups:
            return .success((ofElement, Array(0..<index.count), index.count))
        }
    }

    private func listElementType(_ type: KipiType) -> KipiType {
        if case .list(let element) = type { return element }
        return type
    }

    /// The elements of one part that an aggregate reads.
    struct Selection {
        /// Element indices to gather; nil when every element of the domain is taken as it is.
        var rows: [Int]?
        /// Elements where the filter holds, nulls included.
        var rowCount: Int
        var failure: String?
    }

    /// One pass over the domain, sorting the elements that pass the filter and have no null
    /// collection value into their parts; a failed collection value fails its part, or is left
    /// out with `skippingErrors`.
    private func selectRows(
        domainLength: Int, partOf: [Int32]?, partCount: Int, collections: [Column], mask: Column?, skippingErrors: Bool
    ) -> [Selection] {
        let noNulls = collections.allSatisfy { $0.nulls == nil }
        let noErrors = collections.allSatisfy { $0.errors.isEmpty } && (mask?.errors.isEmpty ?? true)
        // One collection whose nulls alone are left out: `stripped` drops them, with no list of rows.
        if partOf == nil, mask == nil, noErrors, noNulls || (collections.count == 1 && trace == nil) {
            return [Selection(rows: nil, rowCount: domainLength)]
        }
        var selections = [Selection](repeating: Selection(rows: [], rowCount: 0), count: partCount)
        let maskValues = mask?.booleans
        let maskStride = (mask?.count ?? 0) == 1 ? 0 : 1
        for row in 0..<domainLength {
            let part = partOf.map { Int($0[row]) } ?? 0
            if part < 0 || part >= partCount { continue }
            if let mask, let maskValues {
                let cell = row * maskStride
                if let message = mask.errors.message(at: cell) {
                    if selections[part].failure == nil { selections[part].failure = message }
                    continue
                }
                if mask.isNull(cell) || !maskValues[cell] { continue }
            }
            selections[part].rowCount += 1
            var skip = false
            for column in collections {
                if let message = column.errors.message(at: row) {
                    if selections[part].failure == nil, !skippingErrors { selections[part].failure = message }
                    skip = true
                } else if column.isNull(row) {
                    skip = true
                }
            }
            if !skip { selections[part].rows?.append(row) }
        }
        return selections
    }

    /// A column without its null cells.
    private func stripped(_ column: Column) -> Column {
        guard let nulls = column.nulls else { return column }
        guard case .number(let values) = column.storage else { return column.gathering(nulls.indices.filter { !nulls[$0] }) }
        var kept: [Double] = []
        kept.reserveCapacity(nulls.count { !$0 })
        for row in values.indices where !nulls[row] { kept.append(values[row]) }
        return Column(numbers: kept)
    }
}
