import Foundation

extension Checker {
    mutating func checkCall(
        _ name: String, nameRange: SourceRange, arguments: [Expression], filter: Expression?, range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        if let entry = entries[name], case .function(_, let parameters, let body) = entry.declaration.kind {
            return checkUserCall(
                name, parameters: parameters, body: body, source: entry.source, arguments: arguments, filter: filter, range: range, scope)
        }
        let checkedArguments = arguments.map { checkExpression($0, scope) }
        let checkedFilter = filter.map { checkExpression($0, scope) }
        let overloads = registry.overloads(of: name)
        guard !overloads.isEmpty else {
            let userFunctions = entries.keys.filter { if case .function = entries[$0]?.declaration.kind { true } else { false } }
            let suggestion = closestName(to: name, among: registry.names + userFunctions.sorted())
            report(CheckerMessages.unknownFunction(name, suggestion: suggestion), nameRange, in: scope.source)
            return nil
        }
        guard let function = overloads.first(where: { $0.arity.contains(arguments.count) }) else {
            report(CheckerMessages.argumentCount(name, accepted: overloads.map(\.arity), given: arguments.count), range, in: scope.source)
            return nil
        }
        if filter != nil, !function.isAggregate {
            report(CheckerMessages.aggregateFilterOnScalar(name), filter?.range ?? range, in: scope.source)
            return nil
        }
        let typed = checkedArguments.compactMap { $0 }
        guard typed.count == arguments.count else { return nil }
        var typedFilter: TypedExpression?
        if let checkedFilter {
            guard let checked = checkedFilter else { return nil }
            guard checked.type.isWildcard || checked.type == .boolean else {
                report(CheckerMessages.whereNotBoolean(checked.type), checked.range, in: scope.source)
                return nil
            }
            typedFilter = checked
        }
        guard let resultType = bindTypes(function, typed, scope) else { return nil }
        guard let shape = callShape(function, typed, filter: typedFilter, scope) else { return nil }
        let format: DisplayFormat =
            switch function.format {
            case .plain: .plain
            case .percent: .percent
            case .inheritsArguments: typed.contains { $0.format == .percent } ? .percent : .plain
            }
        let call = TypedExpression(
            kind: .call(function, arguments: typed, filter: typedFilter), type: resultType, shape: shape, format: format, range: range)
        return fold(call)
    }

    /// A call of a deterministic cell-by-cell function on constants, such as the date literal
    /// `date("2024-03-31")`, is computed once, now. One that fails is left to fail at evaluation,
    /// in its own KPI, like any other evaluation error.
    private func fold(_ call: TypedExpression) -> TypedExpression {
        guard case .call(let function, let arguments, nil) = call.kind, !function.isAggregate, function.isDeterministic,
            arguments.allSatisfy({ $0.constantValue != nil && !$0.type.isList }),
            case .success(let value) = Evaluator.constantValue(of: call)
        else { return call }
        return TypedExpression(kind: .constant(value), type: call.type, shape: .scalar, format: call.format, range: call.range)
    }

    /// Matches argument types against the parameters; returns the result type.
    private mutating func bindTypes(_ function: FunctionDefinition, _ arguments: [TypedExpression], _ scope: Scope) -> KipiType? {
        var bindings: [String: KipiType] = [:]
        var matched = true
        for (position, argument) in arguments.enumerated() {
            let parameter = function.parameters[min(position, function.parameters.count - 1)]
            var type = argument.type
            if parameter.role == .collection, argument.shape == .scalar, case .list(let element) = type {
                type = element
            }
            if !match(parameter.type, type, &bindings) {
                let expected = expectedText(parameter.type, role: parameter.role)
                let message = CheckerMessages.argumentType(function.name, parameter: parameter.name, expected: expected, found: type)
                report(message + typeNote(of: argument), argument.range, in: scope.source)
                matched = false
            }
        }
        guard matched else { return nil }
        switch function.result {
        case .exactly(let type): return type
        case .variable(let name): return bindings[name] ?? .null
        }
    }

    private func match(_ pattern: FunctionDefinition.TypePattern, _ type: KipiType, _ bindings: inout [String: KipiType]) -> Bool {
        switch pattern {
        case .any:
            return !type.isList
        case .exactly(let expected):
            return type.isWildcard || type == expected
        case .listOf(let element):
            if type.isWildcard { return true }
            guard case .list(let elementType) = type else { return false }
            return match(element, elementType, &bindings)
        case .variable(let name, let allowed):
            if type.isList { return false }
            if !type.isWildcard, !allowed.isEmpty, !allowed.contains(type) { return false }
            guard let bound = bindings[name] else {
                bindings[name] = type
                return true
            }
            guard let unified = bound.unified(with: type) else { return false }
            bindings[name] = unified
            return true
        }
    }

    private func expectedText(_ pattern: FunctionDefinition.TypePattern, role: FunctionDefinition.Role) -> String {
        let base: String
        switch pattern {
        case .exactly(let type): base = CheckerMessages.article(type)
        case .any: base = "a value"
        case .listOf(let element): base = "a list of \(element)"
        case .variable(_, let allowed):
            base = allowed.isEmpty ? "a value" : allowed.map { CheckerMessages.article($0) }.joined(separator: ", ").replacingLast(", ", with: " or ")
        }
        return role == .collection ? "\(base) column" : base
    }

    /// The shape of a call's result. An aggregate reduces its collection (rows, the groups of a
    /// grouped KPI, or a list) to one value, or to one value per group inside a grouped definition.
    private mutating func callShape(
        _ function: FunctionDefinition, _ arguments: [TypedExpression], filter: TypedExpression?, _ scope: Scope
    ) -> Shape? {
        let parameters = function.parameters
        func role(_ position: Int) -> FunctionDefinition.Role { parameters[min(position, parameters.count - 1)].role }
        guard function.isAggregate else {
            var shape = Shape.scalar
            for argument in arguments {
                guard let combined = shape.combined(with: argument.shape) else {
                    report(CheckerMessages.mixedShapes(shape, argument.shape), argument.range, in: scope.source)
                    return nil
                }
                shape = combined
            }
            return shape
        }
        let reduced = arguments.indices.filter { role($0) == .collection }.map { arguments[$0] } + (filter.map { [$0] } ?? [])
        let domain: AggregateDomain
        switch AggregateDomain.of(reduced) {
        case .success(let found): domain = found
        case .failure(let clash):
            report(CheckerMessages.mixedShapes(clash.first, clash.second), clash.range, in: scope.source)
            return nil
        }
        // Rows reduce to one value, or to one per group of the enclosing `by`; a list or the
        // groups of a grouped KPI reduce to one value.
        var result = domain == .rows ? scope.context : .scalar
        for (position, argument) in arguments.enumerated() where role(position) == .value {
            // Reducing all rows once per row would take time quadratic in the rows.
            if domain == .rows, argument.shape == .rows {
                let parameter = parameters[min(position, parameters.count - 1)].name
                report(CheckerMessages.perRowArgumentOfAggregate(function.name, parameter: parameter), argument.range, in: scope.source)
                return nil
            }
            guard let combined = result.combined(with: argument.shape) else {
                report(CheckerMessages.mixedShapes(result, argument.shape), argument.range, in: scope.source)
                return nil
            }
            result = combined
        }
        return result
    }

    private mutating func checkUserCall(
        _ name: String, parameters: [String], body: Expression, source: SourceText, arguments: [Expression], filter: Expression?,
        range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        let checked = arguments.map { checkExpression($0, scope) }
        if arguments.count != parameters.count {
            report(
                CheckerMessages.argumentCount(name, accepted: [parameters.count...parameters.count], given: arguments.count), range, in: scope.source)
            return nil
        }
        if let filter {
            report(CheckerMessages.aggregateFilterOnScalar(name), filter.range, in: scope.source)
            return nil
        }
        if scope.callStack.contains(name) {
            report(CheckerMessages.recursion(name), range, in: scope.source)
            return nil
        }
        expansions += 1
        if expansions > Checker.maximumExpansions {
            report(CheckerMessages.tooManyExpansions, range, in: scope.source)
            return nil
        }
        let typed = checked.compactMap { $0 }
        guard typed.count == arguments.count else { return nil }
        var bodyScope = Scope(source: source, context: scope.context, callStack: scope.callStack + [name])
        for (parameter, argument) in zip(parameters, typed) { bodyScope.locals[parameter] = argument }
        guard var result = checkExpression(body, bodyScope) else { return nil }
        result.range = range
        return result
    }
}

extension KipiType {
    var isList: Bool {
        if case .list = self { return true }
        return false
    }
}

extension String {
    func replacingLast(_ target: String, with replacement: String) -> String {
        guard let found = range(of: target, options: .backwards) else { return self }
        return replacingCharacters(in: found, with: replacement)
    }
}
