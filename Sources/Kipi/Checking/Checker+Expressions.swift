extension Checker {
    /// Checks an expression; nil means it is wrong and the reason has been reported.
    /// Children are all checked before giving up, so every error of an expression is found.
    mutating func checkExpression(_ expression: Expression, _ scope: Scope) -> TypedExpression? {
        let range = expression.range
        switch expression.kind {
        case .number(let value):
            return constant(.number(value), range: range)
        case .string(let text):
            return constant(.text(text), range: range)
        case .boolean(let flag):
            return constant(.boolean(flag), range: range)
        case .null:
            return constant(.null, range: range)
        case .list(let elements):
            return checkList(elements, range: range, scope)
        case .name(let name, _):
            return resolve(name, range: range, scope: scope)
        case .percent(let operand):
            guard let checked = checkExpression(operand, scope), expectNumber(checked, "%", scope) else { return nil }
            if let value = checked.constantValue?.number {
                return TypedExpression(kind: .constant(.number(value / 100)), type: .number, shape: .scalar, format: .percent, range: range)
            }
            let hundred = constant(.number(100), range: range)
            return TypedExpression(kind: .binary(.divide, checked, hundred), type: .number, shape: checked.shape, format: .percent, range: range)
        case .unary(.negate, let operand):
            guard let checked = checkExpression(operand, scope), expectNumber(checked, "-", scope) else { return nil }
            if let value = checked.constantValue?.number {
                return TypedExpression(kind: .constant(.number(-value)), type: .number, shape: .scalar, format: checked.format, range: range)
            }
            return TypedExpression(kind: .negate(checked), type: .number, shape: checked.shape, format: checked.format, range: range)
        case .unary(.not, let operand):
            guard let checked = checkExpression(operand, scope), expect(checked, .boolean, "not", scope) else { return nil }
            return TypedExpression(kind: .not(checked), type: .boolean, shape: checked.shape, format: .plain, range: range)
        case .binary(let op, let left, let right):
            let checkedLeft = checkExpression(left, scope)
            let checkedRight = checkExpression(right, scope)
            guard let checkedLeft, let checkedRight else { return nil }
            return checkBinary(op, checkedLeft, checkedRight, range: range, scope)
        case .call(let name, let nameRange, let arguments, let filter):
            return checkCall(name, nameRange: nameRange, arguments: arguments, filter: filter, range: range, scope)
        }
    }

    func constant(_ value: Value, range: SourceRange) -> TypedExpression {
        TypedExpression(kind: .constant(value), type: value.type, shape: .scalar, format: .plain, range: range)
    }

    private mutating func checkList(_ elements: [Expression], range: SourceRange, _ scope: Scope) -> TypedExpression? {
        let checked = elements.map { checkExpression($0, scope) }
        var typed: [TypedExpression] = []
        var elementType = KipiType.null
        for case let element? in checked {
            if element.shape != .scalar {
                report(CheckerMessages.listElementNotScalar, element.range, in: scope.source)
                return nil
            }
            guard let unified = elementType.unified(with: element.type) else {
                report(CheckerMessages.mixedTypes("the list", elementType, element.type), element.range, in: scope.source)
                return nil
            }
            elementType = unified
            typed.append(element)
        }
        guard typed.count == elements.count else { return nil }
        let format = typed.allSatisfy { $0.format == .percent } && !typed.isEmpty ? DisplayFormat.percent : .plain
        let constants = typed.compactMap(\.constantValue)
        if constants.count == typed.count {
            return TypedExpression(kind: .constant(.list(constants)), type: .list(elementType), shape: .scalar, format: format, range: range)
        }
        return TypedExpression(kind: .list(typed), type: .list(elementType), shape: .scalar, format: format, range: range)
    }

    // MARK: Operators

    private mutating func checkBinary(
        _ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression, range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        guard let shape = combinedShape(left, right, scope) else { return nil }
        let symbol = op.rawValue
        func node(_ type: KipiType, format: DisplayFormat = .plain) -> TypedExpression {
            TypedExpression(kind: .binary(op, left, right), type: type, shape: shape, format: format, range: range)
        }
        switch op {
        case .and, .or:
            guard expect(left, .boolean, symbol, scope), expect(right, .boolean, symbol, scope) else { return nil }
            return node(.boolean)
        case .equal, .notEqual:
            if left.constantValue == .null || right.constantValue == .null {
                let tested = left.constantValue == .null ? right : left
                return TypedExpression(
                    kind: .nullTest(tested, isNull: op == .equal), type: .boolean, shape: tested.shape, format: .plain, range: range)
            }
            guard left.type.unified(with: right.type) != nil, !isList(left), !isList(right) else {
                report(CheckerMessages.comparison(symbol, left.type, right.type) + typeNote(of: left) + typeNote(of: right), range, in: scope.source)
                return nil
            }
            return node(.boolean)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let type = left.type.unified(with: right.type), type.isWildcard || orderedTypes.contains(type) else {
                report(CheckerMessages.comparison(symbol, left.type, right.type) + typeNote(of: left) + typeNote(of: right), range, in: scope.source)
                return nil
            }
            return node(.boolean)
        case .in:
            guard case .list(let elementType) = right.type else {
                if right.type != .unknown {
                    report(
                        CheckerMessages.operandType("in", expected: "a list on its right, such as [\"EU\", \"US\"]", found: right.type), right.range,
                        in: scope.source)
                    return nil
                }
                return node(.boolean)
            }
            guard left.type.unified(with: elementType) != nil else {
                report(CheckerMessages.comparison("in", left.type, elementType), range, in: scope.source)
                return nil
            }
            return node(.boolean)
        case .add, .subtract:
            return checkAdditive(op, left, right, node: node, scope)
        case .multiply, .divide, .power:
            guard expectNumber(left, symbol, scope), expectNumber(right, symbol, scope) else { return nil }
            return node(.number)
        }
    }

    /// `+` and `-` on numbers, and on dates: date ± days is a date, date − date is days.
    private mutating func checkAdditive(
        _ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression,
        node: (KipiType, DisplayFormat) -> TypedExpression, _ scope: Scope
    ) -> TypedExpression? {
        let format = left.format == right.format ? left.format : .plain
        switch (left.type, right.type) {
        case (.date, .number), (.date, .null), (.date, .unknown): return node(.date, .plain)
        case (.number, .date), (.null, .date), (.unknown, .date):
            guard op == .add else {
                report(CheckerMessages.numberMinusDate, left.range.union(right.range), in: scope.source)
                return nil
            }
            return node(.date, .plain)
        case (.date, .date) where op == .subtract: return node(.number, .plain)
        default:
            guard expectNumber(left, op.rawValue, scope), expectNumber(right, op.rawValue, scope) else { return nil }
            return node(.number, format)
        }
    }

    private func isList(_ expression: TypedExpression) -> Bool {
        if case .list = expression.type { return true }
        return false
    }

    /// The shape of a value computed from both operands, or nil (reported) if they do not fit.
    mutating func combinedShape(_ left: TypedExpression, _ right: TypedExpression, _ scope: Scope) -> Shape? {
        guard let shape = left.shape.combined(with: right.shape) else {
            report(CheckerMessages.mixedShapes(left.shape, right.shape), left.range.union(right.range), in: scope.source)
            return nil
        }
        return shape
    }

    mutating func expect(_ expression: TypedExpression, _ type: KipiType, _ symbol: String, _ scope: Scope) -> Bool {
        if expression.type.isWildcard || expression.type == type { return true }
        let message = CheckerMessages.operandType(symbol, expected: CheckerMessages.article(type), found: expression.type)
        report(message + typeNote(of: expression), expression.range, in: scope.source)
        return false
    }

    /// Why a data column has the type it has, for a type error about it; empty for anything else.
    func typeNote(of expression: TypedExpression) -> String {
        guard case .column(let column) = expression.kind, let note = schema?.typeNotes[column] else { return "" }
        return CheckerMessages.columnTypeNote(column, type: expression.type, note: note)
    }

    private mutating func expectNumber(_ expression: TypedExpression, _ symbol: String, _ scope: Scope) -> Bool {
        expect(expression, .number, symbol, scope)
    }
}
