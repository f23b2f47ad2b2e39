extension Evaluator {
    /// Runs a window function over a grouped value: each group's position along the time key,
    /// and its series (the combination of its other keys), handed to the function at once.
    mutating func window(_ call: WindowCall, type: KipiType) -> Column {
        let function = call.function
        guard case .window(_, let compute) = function.implementation else {
            return failedColumn(type, message: FunctionMessages.notCellByCell(function.name))
        }
        let index: GroupIndex
        switch groupIndex(call.level) {
        case .success(let built): index = built
        case .failure(let error): return failedColumn(type, message: error.message)
        }
        var values = evaluate(call.series)
        if values.count != index.count { values = values.broadcasting([Int](repeating: 0, count: index.count)) }
        var arguments: [Value] = []
        for argument in call.arguments {
            let column = evaluate(argument)
            if let message = column.errors.message(at: 0) { return failedColumn(type, message: message) }
            arguments.append(column.count == 0 ? .null : column[0])
        }
        let along = call.along.flatMap { call.level.keys.firstIndex(of: $0) }
        var positions: [Int]?
        var seriesIDs: [[Value]: Int] = [:]
        var series = [Int](repeating: 0, count: index.count)
        if along != nil { positions = [Int](repeating: 0, count: index.count) }
        for (group, keys) in index.keys.enumerated() {
            var others = keys
            if let along {
                switch keys[along] {
                case .period(let period): positions?[group] = Int(period.index)
                case .date(let date): positions?[group] = Int(date.daysSinceEpoch)
                case .number, .text, .boolean, .list, .null:
                    // A group without a period lies in a series of its own, next to nothing.
                    others.append(.number(Double(group)))
                }
                others.remove(at: along)
            }
            if let known = seriesIDs[others] {
                series[group] = known
            } else {
                series[group] = seriesIDs.count
                seriesIDs[others] = seriesIDs.count
            }
        }
        let input = WindowInput(values: values, positions: positions, series: series, grain: call.grain, arguments: arguments)
        do {
            let result = try function.calling { try compute(input) }
            guard result.count == index.count else {
                return failedColumn(type, message: FunctionMessages.wrongCellCount(function.name, result.count, index.count))
            }
            if let violation = function.violation(in: result, type: type) { return failedColumn(type, message: violation) }
            return result
        } catch {
            return failedColumn(type, message: error.message)
        }
    }
}
