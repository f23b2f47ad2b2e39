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
        let overloads = registry.overloads(of: name)
        let function = overloads.first(where: { $0.arity.contains(arguments.count) })
        // Over a grouped value, the `where` reads the groups' keys, never the rows beneath.
        var filterScope = scope
        if let function, function.isAggregate { filterScope.groupKeys = groupKeyScope(function, checkedArguments) }
        let checkedFilter = filter.map { checkExpression($0, filterScope) }
        guard !overloads.isEmpty else {
            let folded = name.lowercased()
            if let base = StandardLibrary.conditionalAggregates[folded] {
                report(code: "conditional-aggregate", CheckerMessages.conditionalAggregate(name, base), nameRange, in: scope.source)
                return nil
            }
            for suffix in ["ifs", "if"] where folded.hasSuffix(suffix) && folded.count > suffix.count {
                let base = String(folded.dropLast(suffix.count))
                if !registry.overloads(of: base).isEmpty {
                    report(code: "conditional-aggregate", CheckerMessages.conditionalAggregate(name, base), nameRange, in: scope.source)
                    return nil
                }
            }
            if StandardLibrary.lookupNames.contains(folded) {
                report(code: "excel-lookup", CheckerMessages.excelLookup(name), nameRange, in: scope.source)
                return nil
            }
            // A suggestion never names a function that computes something else (PERCENTILE.INC is not percentile_exc).
            let exclusive = { (text: String) in ["exc", "искл"].contains { text.lowercased().contains($0) } }
            let nameIsExclusive = exclusive(name)
            let suggestion = closestName(to: name, among: registry.names + functionNames, where: { exclusive($0) == nameIsExclusive })
            report(code: "unknown-function", CheckerMessages.unknownFunction(name, suggestion: suggestion), nameRange, in: scope.source)
            return nil
        }
        guard let function else {
            if let hint = decimalCommaHint(arguments, scope: scope) {
                report(code: "decimal-comma", hint, range, in: scope.source)
                return nil
            }
            report(code: "argument-count", CheckerMessages.argumentCount(name, accepted: overloads.map(\.arity), given: arguments.count), range, in: scope.source)
            return nil
        }
        if filter != nil, !function.isAggregate {
            report(code: "aggregate-filter-on-scalar", CheckerMessages.aggregateFilterOnScalar(name), filter?.range ?? range, in: scope.source)
            return nil
        }
        let typed = checkedArguments.compactMap { $0 }
        guard typed.count == arguments.count else { return nil }
        var typedFilter: TypedExpression?
        if let checkedFilter {
            guard let checked = checkedFilter else { return nil }
            guard checked.type.isWildcard || checked.type == .boolean else {
                report(code: "where-not-boolean", CheckerMessages.whereNotBoolean(checked.type), checked.range, in: scope.source)
                return nil
            }
            if let keys = filterScope.groupKeys, !readsOnlyGroups(checked, keys, scope: scope) { return nil }
            typedFilter = checked
        }
        let roles = typed.indices.map { function.parameter(at: $0).role }
        guard let resultType = bindTypes(function, typed, roles: roles, scope) else { return nil }
        let format: DisplayFormat =
            switch function.format {
            case .plain: .plain
            case .percent: .percent
            case .inheritsArguments: typed.first { $0.format.style == .percent }?.format ?? .plain
            }
        if function.isWindow {
            return checkWindow(function, typed, type: resultType, format: format, range: range, scope)
        }
        if function.isAggregate {
            return checkAggregate(function, typed, roles: roles, filter: typedFilter, type: resultType, format: format, range: range, scope)
        }
        var shape = Shape.scalar
        for argument in typed {
            guard let joined = shape.joined(with: argument.shape) else {
                report(code: "mixed-shapes", CheckerMessages.mixedShapes(shape, argument.shape), argument.range, in: scope.source)
                return nil
            }
            shape = joined
        }
        let call = TypedExpression(
            kind: .call(function, arguments: typed.map { lifted($0, to: shape) }), type: resultType, shape: shape, format: format,
            range: range)
        return folded(call)
    }

    /// `percentile(x, 0,5)`: two number arguments with only a comma between them are a number
    /// written with a decimal comma, when the call has one argument too many.
    private func decimalCommaHint(_ arguments: [Expression], scope: Scope) -> String? {
        for (left, right) in zip(arguments, arguments.dropFirst()) {
            guard case .number = left.kind, case .number = right.kind, left.range.end + 1 == right.range.start else { continue }
            return SyntaxMessages.decimalComma(scope.source.text(of: left.range), scope.source.text(of: right.range))
        }
        return nil
    }

    /// A call of a deterministic cell-by-cell function on constants, such as the date literal
    /// `date("2024-03-31")`, is computed once, now, and the value kept beside the call. One that
    /// fails is left to fail at evaluation, in its own KPI, like any other evaluation error.
    private func folded(_ call: TypedExpression) -> TypedExpression {
        guard case .call(let function, let arguments) = call.kind, function.isDeterministic,
            arguments.allSatisfy({ $0.constantValue != nil && !$0.type.isList }),
            case .success(let value) = constantValue(call)
        else { return call }
        var result = call
        result.folded = value
        return result
    }

    /// Matches argument types against the parameters; returns the result type.
    private mutating func bindTypes(
        _ function: FunctionDefinition, _ arguments: [TypedExpression], roles: [FunctionDefinition.Role], _ scope: Scope
    ) -> KipiType? {
        var bindings: [String: KipiType] = [:]
        var matched = true
        for (position, argument) in arguments.enumerated() {
            let parameter = function.parameter(at: position)
            var type = argument.type
            if roles[position] == .collection, argument.shape == .scalar, case .list(let element) = type {
                type = element
            }
            if !match(parameter.type, type, &bindings) {
                let expected = expectedText(parameter.type, role: parameter.role)
                let message = CheckerMessages.argumentType(function.name, parameter: parameter.name, expected: expected, found: type)
                report(code: "type-mismatch", message + typeNote(of: argument), argument.range, in: scope.source)
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
        switch role {
        case .collection: return "\(base) column"
        case .series: return "\(base) per group"
        case .value: return base
        }
    }

    /// Decides what an aggregate reduces and at which level. Its collections and filter run over
    /// rows, over the groups of a grouped value, or over a list. Rows reduce inside each group
    /// of the enclosing `by` (inline aggregates take the definition's level); a grouped value with
    /// more keys reduces inside each enclosing group; anything else is refused.
    private mutating func checkAggregate(
        _ function: FunctionDefinition, _ arguments: [TypedExpression], roles: [FunctionDefinition.Role], filter: TypedExpression?,
        type: KipiType, format: DisplayFormat, range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        let reduced = arguments.indices.filter { roles[$0] == .collection }.map { arguments[$0] } + (filter.map { [$0] } ?? [])
        var domainShape = Shape.scalar
        var fromList = false
        for item in reduced {
            if item.shape == .scalar {
                fromList = fromList || item.type.isList
                continue
            }
            guard let joined = domainShape.joined(with: item.shape) else {
                if let first = domainShape.table, let second = item.shape.table {
                    report(code: "two-tables", CheckerMessages.twoTables(function.name, first, second), item.range, in: scope.source)
                } else {
                    report(code: "mixed-shapes", CheckerMessages.mixedShapes(domainShape, item.shape), item.range, in: scope.source)
                }
                return nil
            }
            domainShape = joined
        }
        let domain: AggregateCall.Domain
        switch domainShape {
        case .scalar: domain = fromList ? .list : .rows(scope.table)
        case .rows(let table):
            if fromList, let list = reduced.first(where: { $0.type.isList && $0.shape == .scalar }) {
                report(code: "mixed-shapes", CheckerMessages.mixedShapes(domainShape, .scalar), list.range, in: scope.source)
                return nil
            }
            domain = .rows(table)
        case .groups(let level):
            if fromList, let list = reduced.first(where: { $0.type.isList && $0.shape == .scalar }) {
                report(code: "mixed-shapes", CheckerMessages.mixedShapes(domainShape, .scalar), list.range, in: scope.source)
                return nil
            }
            domain = .groups(level)
        }
        var partition: Level?
        var result = Shape.scalar
        switch domain {
        case .list:
            break
        case .rows:
            partition = scope.grouping?.level
            result = scope.context
        case .groups(let level):
            if let context = scope.grouping?.level {
                guard context.isCoarser(orEqualTo: level) else {
                    report(code: "cannot-reduce", CheckerMessages.cannotReduce(function.name, level, inside: context), range, in: scope.source)
                    return nil
                }
                partition = context
                result = scope.context
            }
        }
        for (position, argument) in arguments.enumerated() where roles[position] == .value {
            // Reducing all rows once per row would take time quadratic in the rows.
            if case .rows(let table) = domain, argument.shape == .rows(table) {
                let parameter = function.parameter(at: position).name
                report(code: "per-row-argument-of-aggregate", CheckerMessages.perRowArgumentOfAggregate(function.name, parameter: parameter), argument.range, in: scope.source)
                return nil
            }
            guard let joined = result.joined(with: argument.shape) else {
                report(code: "mixed-shapes", CheckerMessages.mixedShapes(result, argument.shape), argument.range, in: scope.source)
                return nil
            }
            result = joined
        }
        let collectionShape: Shape
        switch domain {
        case .list: collectionShape = .scalar
        case .rows(let table): collectionShape = .rows(table)
        case .groups(let level): collectionShape = .groups(level)
        }
        let call = AggregateCall(
            function: function,
            arguments: arguments.enumerated().map { position, argument in
                roles[position] == .collection ? lifted(argument, to: collectionShape) : lifted(argument, to: result)
            },
            roles: roles, filter: filter.map { lifted($0, to: collectionShape) }, domain: domain, partition: partition)
        return TypedExpression(kind: .aggregate(call), type: type, shape: result, format: format, range: range)
    }

    /// A window function reads a grouped value along its period (or date) key, within each
    /// combination of the other keys, or across its groups; its value has the same keys.
    private mutating func checkWindow(
        _ function: FunctionDefinition, _ arguments: [TypedExpression], type: KipiType, format: DisplayFormat, range: SourceRange,
        _ scope: Scope
    ) -> TypedExpression? {
        guard let series = arguments.first else { return nil }
        guard case .groups(let level) = series.shape else {
            report(code: "window-needs-groups", CheckerMessages.windowNeedsGroups(function.name, series.shape), series.range, in: scope.source)
            return nil
        }
        for argument in arguments.dropFirst() where argument.shape != .scalar {
            report(code: "window-argument-not-single", CheckerMessages.windowArgumentNotSingle(function.name), argument.range, in: scope.source)
            return nil
        }
        let keys: [GroupKey]
        if let grouping = scope.grouping, grouping.level == level, !series.readsDefinition(at: level) {
            keys = grouping.keys
        } else {
            keys = grouping(of: level, in: series)?.keys ?? level.keys
        }
        var along: GroupKey?
        var grain: PeriodGrain?
        for key in keys.reversed() {
            switch keyModel(key)?.type {
            case .period(let keyGrain)?: (along, grain) = (key, keyGrain)
            case .date?: along = key
            default: continue
            }
            break
        }
        if function.runsAlongTime, along == nil {
            report(code: "window-needs-period", CheckerMessages.windowNeedsPeriod(function.name, level), series.range, in: scope.source)
            return nil
        }
        let call = WindowCall(
            function: function, series: series, arguments: Array(arguments.dropFirst()), level: level, along: along, grain: grain)
        return TypedExpression(kind: .window(call), type: type, shape: series.shape, format: format, range: range)
    }

    private mutating func checkUserCall(
        _ name: String, parameters: [String], body: Expression, source: SourceText, arguments: [Expression], filter: Expression?,
        range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        let checked = arguments.map { checkExpression($0, scope) }
        if arguments.count != parameters.count {
            report(code: "argument-count", CheckerMessages.argumentCount(name, accepted: [parameters.count...parameters.count], given: arguments.count), range, in: scope.source)
            return nil
        }
        if let filter {
            report(code: "aggregate-filter-on-scalar", CheckerMessages.aggregateFilterOnScalar(name), filter.range, in: scope.source)
            return nil
        }
        if scope.callStack.contains(name) {
            report(code: "recursion", CheckerMessages.recursion(name), range, in: scope.source)
            return nil
        }
        expansions += 1
        if expansions > maximumExpansions {
            // Once per compile: every function that calls the exploding one would report it again.
            if !reportedExpansionLimit {
                reportedExpansionLimit = true
                report(code: "too-many-expansions", CheckerMessages.tooManyExpansions(maximumExpansions), range, in: scope.source)
            }
            return nil
        }
        let typed = checked.compactMap { $0 }
        guard typed.count == arguments.count else { return nil }
        var bodyScope = Scope(source: source, grouping: scope.grouping, callStack: scope.callStack + [name])
        bodyScope.groupKeys = scope.groupKeys
        for (parameter, argument) in zip(parameters, typed) { bodyScope.locals[parameter] = argument }
        guard let expansion = checkExpression(body, bodyScope) else { return nil }
        return TypedExpression(
            kind: .userCall(name: name, arguments: typed, expansion: expansion), type: expansion.type, shape: expansion.shape,
            format: expansion.format, range: range, folded: expansion.constantValue)
    }
}

extension String {
    /// The text with the last occurrence of `target` replaced.
    fileprivate func replacingLast(_ target: String, with replacement: String) -> String {
        guard let found = range(of: target, options: .backwards) else { return self }
        return replacingCharacters(in: found, with: replacement)
    }
}
