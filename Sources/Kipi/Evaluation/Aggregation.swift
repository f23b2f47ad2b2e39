extension Evaluator {
    /// Reduces a collection per group: once for an ungrouped result, once per group of the
    /// enclosing `by` for a grouped one. Rows where the filter does not hold, or where a
    /// collection value is null, are left out; a failed row that is not left out fails its group.
    mutating func aggregate(
        _ function: FunctionDefinition, _ reduce: @Sendable (AggregateInput) throws -> Value,
        _ arguments: [TypedExpression], filter: TypedExpression?, type: KipiType, shape: Shape
    ) -> Column {
        let parameters = function.parameters
        let isCollection = arguments.indices.map { parameters[min($0, parameters.count - 1)].role == .collection }
        let collectionArguments = arguments.indices.filter { isCollection[$0] }.map { arguments[$0] }
        guard case .success(let domain) = AggregateDomain.of(collectionArguments + (filter.map { [$0] } ?? [])) else {
            preconditionFailure("the checker refuses an aggregate whose collections do not fit together")
        }

        // The collections, as columns over one domain: rows, a grouped KPI's groups, or a list.
        var collections: [Column]
        let domainLength: Int
        switch domain {
        case .list:
            collections = collectionArguments.map { argument in
                argument.type.isList ? Column(values: listValues(argument), type: listElementType(argument.type)) : evaluate(argument)
            }
            let lengths = zip(collectionArguments, collections).filter { $0.0.type.isList }.map(\.1.count)
            if let first = lengths.first, let other = lengths.first(where: { $0 != first }) {
                return failedColumn(type, message: "\(function.name) needs lists of one length, got \(first) and \(other) values")
            }
            domainLength = lengths.first ?? 0
        case .rows:
            domainLength = table.rowCount
            collections = collectionArguments.map { evaluate($0) }
        case .groups(let id):
            domainLength = length(of: .groups(id))
            collections = collectionArguments.map { evaluate($0) }
        }
        collections = collections.map { $0.count == 1 && domainLength != 1 ? $0.gathering([Int](repeating: 0, count: domainLength)) : $0 }
        let mask = filter.map { evaluate($0) }

        // Rows split into the groups of the enclosing `by`; a list or a grouped KPI's groups are
        // reduced whole, once for every group (only the value arguments may differ per group).
        var groupOfRow: [Int32]?
        if case .groups(let id) = shape {
            switch groupIndex(id) {
            case .failure(let error): return failedColumn(type, message: error.message)
            case .success(let index): if domain == .rows { groupOfRow = index.groupOfRow }
            }
        }
        let groupCount = length(of: shape)
        let valueArguments = arguments.indices.filter { !isCollection[$0] }.map { evaluate(arguments[$0]) }
        let selections = selectRows(
            domainLength: domainLength, groupOfRow: groupOfRow, groupCount: groupOfRow == nil ? 1 : groupCount,
            collections: collections, mask: mask)

        // Each group's collections; one shared set when every group reduces the same values.
        func selected(_ selection: Selection) -> [Column] {
            selection.rows.map { rows in collections.map { $0.gathering(rows) } } ?? collections.map(stripped)
        }
        let shared = groupOfRow == nil ? selected(selections[0]) : nil
        let sharedSort = SortCache()
        var results = [Value](repeating: .null, count: groupCount)
        var errors = RowErrors()
        for group in 0..<groupCount {
            let selection = selections[groupOfRow == nil ? 0 : group]
            if let message = selection.failure {
                errors.record(message, at: group)
                continue
            }
            var groupArguments: [Value] = []
            var argumentFailure: String?
            for column in valueArguments {
                let cell = column.count == 1 ? 0 : group
                if let message = column.errors.message(at: cell) { argumentFailure = message }
                groupArguments.append(column[cell])
            }
            if let argumentFailure {
                errors.record(argumentFailure, at: group)
                continue
            }
            let input = AggregateInput(
                collections: shared ?? selected(selection), rowCount: selection.rowCount, arguments: groupArguments,
                sortCache: shared == nil ? SortCache() : sharedSort)
            results[group] = errors.capturing(at: group, nonFinite: "the result of \(function.name) is not a finite number") {
                try reduce(input)
            }
        }
        var column = Column(values: results, type: type)
        column.errors = errors
        return column
    }

    private func listElementType(_ type: KipiType) -> KipiType {
        if case .list(let element) = type { return element }
        return type
    }

    /// The rows of one group that an aggregate reads.
    struct Selection {
        /// Row indices to gather; nil when every row of the domain is taken as it is.
        var rows: [Int]?
        /// Rows where the filter holds, nulls included.
        var rowCount: Int
        var failure: String?
    }

    /// One pass over the domain, sorting the rows that pass the filter and have no null
    /// collection value into their groups.
    private func selectRows(domainLength: Int, groupOfRow: [Int32]?, groupCount: Int, collections: [Column], mask: Column?) -> [Selection] {
        let noNulls = collections.allSatisfy { $0.nulls == nil }
        let noErrors = collections.allSatisfy { $0.errors.isEmpty } && (mask?.errors.isEmpty ?? true)
        if groupOfRow == nil, mask == nil, noNulls, noErrors {
            return [Selection(rows: nil, rowCount: domainLength)]
        }
        var selections = [Selection](repeating: Selection(rows: [], rowCount: 0), count: groupCount)
        let maskValues = mask?.booleans
        let maskStride = (mask?.count ?? 0) == 1 ? 0 : 1
        for row in 0..<domainLength {
            let group = groupOfRow.map { Int($0[row]) } ?? 0
            if let mask, let maskValues {
                let cell = row * maskStride
                if let message = mask.errors.message(at: cell) {
                    if selections[group].failure == nil { selections[group].failure = message }
                    continue
                }
                if mask.isNull(cell) || !maskValues[cell] { continue }
            }
            selections[group].rowCount += 1
            var skip = false
            for column in collections {
                if let message = column.errors.message(at: row) {
                    if selections[group].failure == nil { selections[group].failure = message }
                    skip = true
                } else if column.isNull(row) {
                    skip = true
                }
            }
            if !skip { selections[group].rows?.append(row) }
        }
        return selections
    }

    /// A column without its null cells.
    private func stripped(_ column: Column) -> Column {
        guard let nulls = column.nulls else { return column }
        return column.gathering(nulls.indices.filter { !nulls[$0] })
    }
}
