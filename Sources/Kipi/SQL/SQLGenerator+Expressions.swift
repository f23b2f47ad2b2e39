// Expressions: each node of the checked tree as an SQL value and why it fails.
extension SQLGenerator {
    func lower(_ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let lowered = lowerUnchecked(node, scope)
        if lowered.value.utf8.count + (lowered.failure?.utf8.count ?? 0) > sizeLimit {
            return problem("the SQL for this formula is larger than \(sizeLimit) bytes", node)
        }
        return lowered
    }

    func lowerUnchecked(_ node: TypedExpression, _ scope: Scope) -> SQLValue {
        if let folded = node.folded { return literal(folded, node) }
        switch node.kind {
        case .literal(let value): return literal(value, node)
        case .column(let table, let name):
            guard case .row(let rowTable, let alias) = scope, rowTable == table else {
                return problem("column '\(name)' is read outside its table's rows", node)
            }
            let reference = "\(alias).\(dialect.identifier(name))"
            return SQLValue(column(reference, type: node.type), timestamp: node.type == .date ? dialect.timestamp(reference) : nil)
        case .parameter(let name):
            let value = parameters[name] ?? program.parameters.first { $0.name == name }?.defaultValue ?? .null
            return literal(value, node)
        case .definition(let index): return definitionValue(index, node, scope)
        case .negate(let operand): return map(lower(operand, scope)) { "(- \($0))" }
        case .not(let operand): return map(lower(operand, scope)) { "(NOT \($0))" }
        case .percent(let operand): return map(lower(operand, scope)) { "(\($0) / \(dialect.number(100)))" }
        case .arithmetic(let kind, let left, let right): return arithmetic(kind, lower(left, scope), lower(right, scope), node)
        case .comparison(let op, let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            let symbol = op == .equal ? "=" : op == .notEqual ? "<>" : op.rawValue
            let text = left.type == .text && ![.equal, .notEqual].contains(op)
            let (x, y) = text ? (dialect.ordered(a.value), dialect.ordered(b.value)) : (a.value, b.value)
            return SQLValue("(\(x) \(symbol) \(y))", failure: SQLValue.first([a.failure, b.failure]))
        case .concatenation(let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            let text = "concat(COALESCE(\(dialect.written(a.value, type: left.type)), ''), COALESCE(\(dialect.written(b.value, type: right.type)), ''))"
            return SQLValue(text, failure: SQLValue.first([a.failure, b.failure]))
        case .logical(let op, let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            return SQLValue("(\(a.value) \(op == .and ? "AND" : "OR") \(b.value))", failure: SQLValue.first([a.failure, b.failure]))
        case .membership(let element, let list):
            let value = lower(element, scope)
            guard let members = listElements(list) else { return problem("a list that is not written out has no SQL form", list) }
            let written = members.map { lower($0, scope) }
            guard !written.isEmpty else { return SQLValue("(CASE WHEN \(value.value) IS NULL THEN NULL ELSE FALSE END)", failure: value.failure) }
            return SQLValue(
                "(\(value.value) IN (\(written.map(\.value).joined(separator: ", "))))",
                failure: SQLValue.first([value.failure] + written.map(\.failure)))
        case .nullTest(let operand, let isNull):
            let value = lower(operand, scope)
            return SQLValue("(\(value.value) IS \(isNull ? "" : "NOT ")NULL)", failure: value.failure)
        case .list: return problem("a list has no SQL form outside an aggregate or 'in'", node)
        case .call(let function, let arguments):
            let values = arguments.map { lower($0, scope) }
            var sqlCall = SQLCall(dialect: dialect, arguments: values, argumentTypes: arguments.map(\.type))
            sqlCall.constants = arguments.map(constant)
            return call(function, sqlCall, node)
        case .aggregate(let call): return aggregate(call, node, scope)
        case .window(let call): return window(call, node, scope)
        case .userCall(_, _, let expansion): return lower(expansion, scope)
        case .broadcast(let operand):
            switch operand.shape {
            case .scalar: return lower(operand, .scalar)
            case .rows: return lower(operand, scope)
            case .groups(let level): return lower(operand, .group(level, keys: keyValues(level, in: scope)))
            }
        case .groupKey(let key):
            guard case .group(_, let keys) = scope, let value = keys[key] else { return problem("the key '\(key)' is not known here", node) }
            return SQLValue(value)
        case .periodFromText(let operand):
            guard case .period(let grain) = node.type else { return problem("a period was expected", node) }
            let text = lower(operand, scope)
            let period = dialect.period(fromText: text.value, type: operand.type, grain: grain)
            return SQLValue(period.value, failure: SQLValue.first([text.failure, period.failure]))
        }
    }

    func map(_ value: SQLValue, _ transform: (String) -> String) -> SQLValue {
        SQLValue(transform(value.value), failure: value.failure)
    }

    func call(_ function: FunctionDefinition, _ call: SQLCall, _ node: TypedExpression) -> SQLValue {
        written(by: function.sql, name: function.name, call, node)
    }

    /// A form written with its arguments, each computed once however often the form uses it.
    func written(by form: SQLForm?, name: String, _ call: SQLCall, _ node: TypedExpression) -> SQLValue {
        // The form is written over placeholders, to see how often it uses each argument.
        var placeholders = call
        let marks = call.arguments.indices.map { ("\u{1}\($0)v\u{1}", "\u{1}\($0)f\u{1}") }
        placeholders.arguments = zip(call.arguments, marks).map { SQLValue($1.0, failure: $0.failure == nil ? nil : $1.1, timestamp: $0.timestamp) }
        // What Spark cannot bind in a lambda: a subquery, or the rows an aggregate reads.
        let unbindable = { (text: String) in text.contains("SELECT") || call.collections.contains { text.contains($0) } }
        placeholders.argumentsHoldSubqueries = call.arguments.contains { unbindable($0.value) || unbindable($0.failure ?? "") }
        guard let form, var written = form.write(placeholders) else {
            let unknown = call.argumentTypes.contains(.unknown) || call.collectionTypes.contains(.unknown)
            let hint = unknown ? " for arguments of unknown type (give the data with --data for the column types)" : ""
            return problem("function '\(name)' has no SQL form in \(dialect.rawValue)\(hint)", node)
        }
        if (written.value + (written.failure ?? "")).contains(SQLCall.onceAlias) {
            let alias = fresh("n")
            written.value = written.value.replacingOccurrences(of: SQLCall.onceAlias, with: alias)
            written.failure = written.failure?.replacingOccurrences(of: SQLCall.onceAlias, with: alias)
        }
        let own = written.failure
        var result = SQLValue(written.value, failure: form.decidesFailures ? own : SQLValue.first(placeholders.arguments.map(\.failure) + [own]))
        // An argument with a subquery that the form repeats is computed once, in a derived
        // table, rather than once per use (nested calls would multiply the work). Spark takes
        // no outer reference in a derived table there: it binds the arguments in a lambda
        // instead, where neither they nor the form hold a subquery or read rows.
        let texts = [result.value, result.failure ?? ""]
        let uses = marks.map { mark in [mark.0, mark.1].map { mark in texts.map { $0.components(separatedBy: mark).count - 1 }.reduce(0, +) }.reduce(0, +) }
        let lambda = !placeholders.argumentsHoldSubqueries && !texts.contains(where: unbindable)
        if dialect == .spark, !lambda, call.knownRows != nil, zip(call.arguments, uses).contains(where: { $1 > 1 && $0.value.contains("SELECT") }) {
            // A form over known values repeats its arguments more than the general form, which
            // Spark then compiles out of memory: the general one it is.
            var general = call
            general.knownRows = nil
            return self.written(by: form, name: name, general, node)
        }
        // The value and the failure are separate expressions: each binds what it repeats itself,
        // and only the columns it reads.
        var alias: String?
        func bindingRepeated(_ text: String) -> String {
            var text = text
            var columns: [String] = []
            for (position, (argument, mark)) in zip(call.arguments, marks).enumerated() {
                let uses = [mark.0, mark.1].map { text.components(separatedBy: $0).count - 1 }
                let large = argument.value.contains("SELECT") || argument.value.utf8.count > 200
                guard dialect != .spark || lambda, uses.reduce(0, +) > 1, large else {
                    text = text.replacingOccurrences(of: mark.0, with: argument.value)
                        .replacingOccurrences(of: mark.1, with: argument.failure ?? noFailure)
                    continue
                }
                let name = alias ?? fresh("b")
                alias = name
                if uses[0] > 0 {
                    columns.append("\(argument.value) AS v\(position)")
                    text = text.replacingOccurrences(of: mark.0, with: "\(name).v\(position)")
                }
                if uses[1] > 0 {
                    columns.append("\(argument.failure ?? noFailure) AS f\(position)")
                    text = text.replacingOccurrences(of: mark.1, with: "\(name).f\(position)")
                }
            }
            guard let alias, !columns.isEmpty else { return text }
            return dialect.bound(columns, as: alias, in: text)
        }
        result.value = bindingRepeated(result.value)
        result.failure = result.failure.map(bindingRepeated)
        return result
    }

    /// The elements of a list literal, or of a definition that is one.
    func listElements(_ node: TypedExpression) -> [TypedExpression]? {
        if let value = node.constantValue, case .list(let elements) = value {
            let type: KipiType
            if case .list(let element) = node.type { type = element } else { type = .unknown }
            return elements.map { TypedExpression(kind: .literal($0), type: $0.isNull ? type : $0.type, shape: .scalar, format: node.format, range: node.range) }
        }
        switch node.kind {
        case .list(let elements): return elements
        case .definition(let index): return listElements(program.definitions[index].value)
        case .userCall(_, _, let expansion): return listElements(expansion)
        default: return nil
        }
    }

    func literal(_ value: Value, _ node: TypedExpression) -> SQLValue {
        switch value {
        case .number(let number): return SQLValue(dialect.number(number))
        case .text(let text): return SQLValue(dialect.text(text))
        case .boolean(let flag): return SQLValue(flag ? "TRUE" : "FALSE")
        case .date(let date): return SQLValue(dialect.number(Double(date.secondsSinceEpoch)))
        case .period(let period): return SQLValue(dialect.number(Double(period.index)))
        case .null: return SQLValue("CAST(NULL AS \(sqlType(node.type)))")
        case .list: return problem("a list has no SQL form outside an aggregate or 'in'", node)
        }
    }

    func sqlType(_ type: KipiType) -> String {
        switch type {
        case .text: dialect.textType
        case .boolean: "BOOLEAN"
        case .number, .date, .period, .null, .unknown, .list: dialect.doubleType
        }
    }

    /// A column as Kipi reads it: numbers as doubles whatever the database stores, dates as days.
    func column(_ reference: String, type: KipiType) -> String {
        switch type {
        case .number: "CAST(\(reference) AS \(dialect.doubleType))"
        case .date: dialect.seconds(reference)
        case .text, .boolean, .period, .null, .unknown, .list: reference
        }
    }

    /// Division and powers, which fail on some operands: written as forms, so that an operand
    /// with a subquery is computed once.
    static let division = SQLForm { call in
        let (a, b) = (call.arguments[0].value, call.arguments[1].value)
        if let divisor = call.knownNumbers(1), divisor[0] != 0 { return SQLValue("(\(a) / \(b))") }
        return SQLValue("(\(a) / NULLIF(\(b), 0))", failure: call.failure(where: "\(a) IS NOT NULL AND \(b) = 0", "division by zero"))
    }
    static let power = SQLForm { call in
        let (a, b) = (call.arguments[0].value, call.arguments[1].value)
        // A whole power of at least 0 is defined for every base.
        if let exponent = call.knownNumbers(1), exponent[0] >= 0, exponent[0] == exponent[0].rounded() { return SQLValue("power(\(a), \(b))") }
        let undefined = "((\(a) < 0 AND \(b) <> floor(\(b))) OR (\(a) = 0 AND \(b) < 0))"
        return SQLValue(
            "(CASE WHEN \(undefined) THEN NULL ELSE power(\(a), \(b)) END)", failure: call.failure(where: undefined, "the power is not a finite number"))
    }

    func arithmetic(_ kind: ArithmeticKind, _ a: SQLValue, _ b: SQLValue, _ node: TypedExpression) -> SQLValue {
        let operands = SQLValue.first([a.failure, b.failure])
        var operation = SQLCall(dialect: dialect, arguments: [a, b], argumentTypes: [.number, .number])
        if case .arithmetic(_, let left, let right) = node.kind { operation.constants = [constant(left), constant(right)] }
        switch kind {
        case .number(.divide):
            return written(by: SQLGenerator.division, name: "/", operation, node)
        case .number(.power):
            return written(by: SQLGenerator.power, name: "^", operation, node)
        case .number(let op):
            return SQLValue("(\(a.value) \(op.rawValue) \(b.value))", failure: operands)
        case .dateShift(let subtract, let dateFirst):
            let (date, days) = dateFirst ? (a.value, b.value) : (b.value, a.value)
            return SQLValue("(\(date) \(subtract ? "-" : "+") \(days) * 86400)", failure: operands)
        case .periodShift(let subtract, _):
            return SQLValue("(\(a.value) \(subtract ? "-" : "+") \(b.value))", failure: operands)
        case .dateDifference:
            return SQLValue("((\(a.value) - \(b.value)) / 86400)", failure: operands)
        case .periodDistance:
            return SQLValue("(\(a.value) - \(b.value))", failure: operands)
        }
    }
}
