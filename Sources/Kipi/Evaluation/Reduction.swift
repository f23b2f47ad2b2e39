extension Evaluator {
    /// An aggregate its function declares a one-pass `Reduction`, over rows or a grouped value's
    /// groups: one loop that applies the filter, skips nulls and accumulates each part's state,
    /// with no row list gathered. Nil when the call does not qualify (another type, failed
    /// cells, value arguments), and the general path runs instead; both give the same values.
    func reducedInOnePass(
        _ call: AggregateCall, reduction: FunctionDefinition.Reduction, collection: Column?, mask: Column?, domainLength: Int,
        partOfElement: [Int32]?, partOfCell: [Int], partCount: Int, type: KipiType
    ) -> Column? {
        guard trace == nil, call.roles.allSatisfy({ $0 == .collection }), mask?.errors.isEmpty ?? true,
            mask.map({ $0.count == domainLength || $0.count == 1 }) ?? true, collection?.errors.isEmpty ?? true,
            collection.map({ $0.count == domainLength }) ?? true, (partOfElement?.count ?? domainLength) == domainLength,
            case .aggregate(let reduce) = call.function.implementation
        else { return nil }
        let numbers: [Double]
        let flags: [Bool]
        switch (reduction, collection?.storage) {
        case (.count, _): (numbers, flags) = ([], [])
        case (.sum, .number(let values)?), (.mean, .number(let values)?), (.minimum, .number(let values)?), (.maximum, .number(let values)?):
            (numbers, flags) = (values, [])
        case (.share, .boolean(let values)?): (numbers, flags) = ([], values)
        default: return nil
        }
        var state = [PartState](repeating: PartState(), count: partCount)
        let nulls = collection?.nulls
        let keep: [Bool]? = mask.flatMap { mask in mask.count == 1 ? nil : mask.booleans }
        let keepNulls: [Bool]? = mask.flatMap { mask in mask.count == 1 ? nil : mask.nulls }
        // A one-cell filter keeps every row or none.
        if let mask, mask.count == 1, mask.isNull(0) || !mask.booleans[0] {} else {
            for row in 0..<domainLength {
                let part = partOfElement.map { Int($0[row]) } ?? 0
                if part < 0 || part >= partCount { continue }
                if let keep, !keep[row] || (keepNulls?[row] ?? false) { continue }
                state[part].rows += 1
                if nulls?[row] ?? false { continue }
                state[part].count += 1
                switch reduction {
                case .count: break
                case .sum, .mean: state[part].add(numbers[row])
                case .minimum: if state[part].count == 1 || numbers[row] < state[part].extreme { state[part].extreme = numbers[row] }
                case .maximum: if state[part].count == 1 || numbers[row] >= state[part].extreme { state[part].extreme = numbers[row] }
                case .share: if flags[row] { state[part].trues += 1 }
                }
            }
        }
        var results = [Value](repeating: .null, count: partOfCell.count)
        var errors = RowErrors()
        for (cell, part) in partOfCell.enumerated() where part >= 0 && part < partCount {
            let part = state[part]
            results[cell] = errors.capturing(at: cell, nonFinite: "the result of \(call.function.name) is not a finite number") {
                if part.count == 0, reduction != .count {
                    // What the function says of no values: an error, or sum's 0.
                    let empty = Column.nulls(collection?.type ?? .number, count: 0)
                    return try call.function.calling {
                        try reduce(AggregateInput(collections: collection == nil ? [] : [empty], rowCount: part.rows, arguments: []))
                    }
                }
                switch reduction {
                case .count: return .number(Double(collection == nil ? part.rows : part.count))
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
    var extreme = 0.0
    private var sum = 0.0
    private var compensation = 0.0

    /// Neumaier's step, as `Aggregates.exactSum` takes it: the same sum to the bit.
    mutating func add(_ value: Double) {
        let total = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        sum = total
    }

    var total: Double { sum + compensation }
}
