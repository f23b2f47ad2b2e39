/// `if` and `coalesce`: they choose among their arguments cell by cell, so they see nulls and
/// failed cells and keep only those of the argument chosen.
enum Conditionals {
    static var definitions: [FunctionDefinition] {
        [
            FunctionDefinition(
                "if",
                [Parameter("condition", .boolean), Parameter("then", .variable("T", allowed: [])), Parameter("else", .variable("T", allowed: []))],
                returns: .variable("T"), format: .inheritsArguments,
                summary: "then where the condition is true, else where it is false or null; only the branch taken counts.",
                implementation: .columnar { arguments, count in
                    let condition = arguments[0]
                    let flags = condition.booleans
                    return choose(from: Array(arguments.dropFirst()), count: count) { row in
                        let cell = condition.count == 1 ? 0 : row
                        if condition.errors.message(at: cell) != nil { return nil }
                        return !condition.isNull(cell) && flags[cell] ? 0 : 1
                    } failure: { row in
                        arguments[0].errors.message(at: arguments[0].count == 1 ? 0 : row)
                    }
                }
            ).choosing { _, argument in
                switch argument(0) {
                case .failure(let error): .failure(error)
                case .success(.boolean(true)): .success(1)
                case .success: .success(2)
                }
            },
            FunctionDefinition(
                "iferror", [Parameter("x", .variable("T", allowed: [])), Parameter("fallback", .variable("T", allowed: []))],
                returns: .variable("T"), format: .inheritsArguments,
                summary: "x, or fallback where x is an evaluation error (per row, group row or KPI) (IFERROR).",
                implementation: .columnar { arguments, count in
                    choose(from: arguments, count: count) { row in
                        arguments[0].errors.message(at: arguments[0].count == 1 ? 0 : row) == nil ? 0 : 1
                    } failure: { _ in
                        nil
                    }
                }
            ).choosing { _, argument in
                if case .failure = argument(0) { return .success(1) }
                return .success(0)
            },
            FunctionDefinition(
                "coalesce", [Parameter("values", .variable("T", allowed: []), variadic: true)],
                returns: .variable("T"), format: .inheritsArguments,
                summary: "The first of its arguments that is not null.",
                implementation: .columnar { arguments, count in
                    choose(from: arguments, count: count) { row in
                        for (position, argument) in arguments.enumerated() {
                            let cell = argument.count == 1 ? 0 : row
                            if argument.errors.message(at: cell) != nil || !argument.isNull(cell) { return position }
                        }
                        return arguments.count - 1
                    } failure: { _ in
                        nil
                    }
                }
            ).choosing { count, argument in
                // The first that is not null decides, a failed one included.
                for position in 0..<count {
                    switch argument(position) {
                    case .failure: return .success(position)
                    case .success(let value): if !value.isNull { return .success(position) }
                    }
                }
                return .success(count - 1)
            },
        ]
    }

    /// For each row, the cell of the argument `pick` names; `pick` returns nil for a row
    /// that fails with `failure`'s message.
    private static func choose(
        from candidates: [Column], count: Int, pick: (Int) -> Int?, failure: (Int) -> String?
    ) -> Column {
        let type = candidates.first { !$0.isAllNull }?.type ?? candidates[0].type
        var values = [Value](repeating: .null, count: count)
        var errors = RowErrors()
        for row in 0..<count {
            guard let chosen = pick(row) else {
                errors.record(failure(row) ?? "the condition failed", at: row)
                continue
            }
            let candidate = candidates[chosen]
            let cell = candidate.count == 1 ? 0 : row
            if let message = candidate.errors.message(at: cell) {
                errors.record(message, at: row)
            } else {
                values[row] = candidate[cell]
            }
        }
        var column = Column(values: values, type: type)
        column.errors = errors
        return column
    }
}

extension Conditionals {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "if": SQLForm(decidesFailures: true) { call in
            let (condition, then, otherwise) = (call.arguments[0], call.arguments[1], call.arguments[2])
            let branches = then.failure == nil && otherwise.failure == nil
                ? nil : "(CASE WHEN \(condition.value) THEN \(then.failure ?? "NULL") ELSE \(otherwise.failure ?? "NULL") END)"
            return SQLValue("(CASE WHEN \(condition.value) THEN \(then.value) ELSE \(otherwise.value) END)", failure: SQLValue.first([condition.failure, branches]))
        },
        "iferror": SQLForm(decidesFailures: true) { call in
            let (x, fallback) = (call.arguments[0], call.arguments[1])
            guard let failure = x.failure else { return x }
            return SQLValue(
                "(CASE WHEN \(failure) IS NOT NULL THEN \(fallback.value) ELSE \(x.value) END)",
                failure: fallback.failure.map { "(CASE WHEN \(failure) IS NOT NULL THEN \($0) END)" })
        },
        // The first argument that is not null decides, a failed one included; later ones are not read.
        "coalesce": SQLForm(decidesFailures: true) { call in
            let value = "COALESCE(\(call.arguments.map(\.value).joined(separator: ", ")))"
            guard call.arguments.contains(where: { $0.failure != nil }) else { return SQLValue(value) }
            let steps = call.arguments.map { argument in
                (argument.failure.map { "WHEN \($0) IS NOT NULL THEN \($0) " } ?? "") + "WHEN \(argument.value) IS NOT NULL THEN NULL"
            }
            return SQLValue(value, failure: "(CASE \(steps.joined(separator: " ")) END)")
        },
    ]
}
