extension Checker {
    /// Checks an expression; nil means it is wrong and the reason has been reported.
    /// Children are all checked before giving up, so every error of an expression is found.
    mutating func checkExpression(_ expression: Expression, _ scope: Scope) -> TypedExpression? {
        guard var checked = checkNode(expression, scope) else { return nil }
        if checked.file.isEmpty { checked.file = scope.source.name }
        // Inside an aggregate over a grouped value, a key as it was written is each group's key.
        if let keys = scope.groupKeys, case .rows = checked.shape {
            let canonical = keyCanonical(checked).description
            if let key = keys.level.keys.first(where: { $0.canonical == canonical }) {
                var node = groupKeyNode(key, keys, range: checked.range)
                node.file = checked.file
                return node
            }
        }
        return checked
    }

    private mutating func checkNode(_ expression: Expression, _ scope: Scope) -> TypedExpression? {
        let range = expression.range
        switch expression.kind {
        case .number(let value):
            return literal(.number(value), range: range)
        case .string(let text):
            return literal(.text(text), range: range)
        case .boolean(let flag):
            return literal(.boolean(flag), range: range)
        case .null:
            return literal(.null, range: range)
        case .list(let elements):
            return checkList(elements, range: range, scope)
        case .name(let name, _):
            return resolve(name, range: range, scope: scope)
        case .qualifiedName(let table, let column):
            return resolveQualified(table, column, range: range, scope: scope)
        case .percent(let operand):
            guard let checked = checkExpression(operand, scope), expectNumber(checked, "%", scope) else { return nil }
            return TypedExpression(
                kind: .percent(checked), type: .number, shape: checked.shape, format: .percent, range: range,
                folded: checked.constantValue?.number.map { .number($0 / 100) })
        case .unary(.negate, let operand):
            guard let checked = checkExpression(operand, scope), expectNumber(checked, "-", scope) else { return nil }
            return TypedExpression(
                kind: .negate(checked), type: .number, shape: checked.shape, format: checked.format, range: range,
                folded: checked.constantValue?.number.map { .number(-$0) })
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

    func literal(_ value: Value, range: SourceRange) -> TypedExpression {
        TypedExpression(kind: .literal(value), type: value.type, shape: .scalar, format: .plain, range: range)
    }

    private mutating func checkList(_ elements: [Expression], range: SourceRange, _ scope: Scope) -> TypedExpression? {
        let checked = elements.map { checkExpression($0, scope) }
        var typed: [TypedExpression] = []
        var elementType = KipiType.null
        for case let element? in checked {
            if element.shape != .scalar {
                report(code: "list-element-not-scalar", CheckerMessages.listElementNotScalar, element.range, in: scope.source)
                return nil
            }
            guard let unified = elementType.unified(with: element.type) else {
                report(code: "mixed-types", CheckerMessages.mixedTypes("the list", elementType, element.type), element.range, in: scope.source)
                return nil
            }
            elementType = unified
            typed.append(element)
        }
        guard typed.count == elements.count else { return nil }
        let format = typed.allSatisfy { $0.format == .percent } && !typed.isEmpty ? DisplayFormat.percent : .plain
        let constants = typed.compactMap(\.constantValue)
        let folded: Value? = constants.count == typed.count ? .list(constants) : nil
        return TypedExpression(kind: .list(typed), type: .list(elementType), shape: .scalar, format: format, range: range, folded: folded)
    }

    // MARK: Operators

    private mutating func checkBinary(
        _ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression, range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        guard let shape = joinedShape(left, right, scope) else { return nil }
        var left = lifted(left, to: shape)
        var right = lifted(right, to: shape)
        let symbol = op.rawValue
        func node(_ kind: TypedExpression.Kind, _ type: KipiType, format: DisplayFormat = .plain) -> TypedExpression {
            TypedExpression(kind: kind, type: type, shape: shape, format: format, range: range)
        }
        switch op {
        case .and, .or:
            guard expect(left, .boolean, symbol, scope), expect(right, .boolean, symbol, scope) else { return nil }
            return node(.logical(op, left, right), .boolean)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            if op == .equal || op == .notEqual, left.constantValue == .null || right.constantValue == .null {
                let tested = left.constantValue == .null ? right : left
                return TypedExpression(
                    kind: .nullTest(tested, isNull: op == .equal), type: .boolean, shape: tested.shape, format: .plain, range: range)
            }
            guard let (readLeft, readRight) = periodOperands(left, right, scope) else { return nil }
            (left, right) = (readLeft, readRight)
            let ordered = op == .equal || op == .notEqual || left.type.isWildcard || right.type.isWildcard || orderedTypes.contains(left.type)
            guard left.type.unified(with: right.type) != nil, !left.type.isList, !right.type.isList, ordered else {
                report(code: "comparison", CheckerMessages.comparison(symbol, left.type, right.type) + typeNote(of: left) + typeNote(of: right), range, in: scope.source)
                return nil
            }
            return node(.comparison(op, left, right), .boolean)
        case .in:
            guard case .list(let elementType) = right.type else {
                if right.type != .unknown {
                    report(code: "type-mismatch", CheckerMessages.operandType("in", expected: "a list on its right, such as [\"EU\", \"US\"]", found: right.type), right.range,
                        in: scope.source)
                    return nil
                }
                return node(.membership(left, right), .boolean)
            }
            if case .period(let grain) = left.type, elementType == .text || elementType == .number {
                guard let periods = periodList(right, grain: grain, scope) else { return nil }
                right = periods
            } else if left.type.unified(with: elementType) == nil {
                report(code: "comparison", CheckerMessages.comparison("in", left.type, elementType), range, in: scope.source)
                return nil
            }
            return node(.membership(left, right), .boolean)
        case .add, .subtract:
            return checkAdditive(op, left, right, shape: shape, range: range, scope)
        case .multiply, .divide, .power:
            guard expectNumber(left, symbol, scope), expectNumber(right, symbol, scope) else { return nil }
            return node(.arithmetic(.number(op), left, right), .number)
        case .concatenate:
            for side in [left, right] where side.type.isList {
                report(code: "type-mismatch", CheckerMessages.operandType("&", expected: "single values", found: side.type), side.range, in: scope.source)
                return nil
            }
            return node(.concatenation(left, right), .text)
        }
    }

    /// Both sides of a comparison, with text (or a number, for a year) beside a period read as
    /// that period; a constant text that is no such period is reported now.
    private mutating func periodOperands(
        _ left: TypedExpression, _ right: TypedExpression, _ scope: Scope
    ) -> (TypedExpression, TypedExpression)? {
        func read(_ operand: TypedExpression, as grain: PeriodGrain) -> TypedExpression? {
            guard operand.type == .text || (operand.type == .number && grain == .year) else { return operand }
            var node = TypedExpression(
                kind: .periodFromText(operand), type: .period(grain), shape: operand.shape, format: .plain, range: operand.range)
            node.file = operand.file
            if let constant = operand.constantValue {
                guard let period = Period(reading: constant, as: grain) else {
                    report(code: "not-a-period", FunctionMessages.notAPeriod(constant, grain), operand.range, in: scope.source)
                    return nil
                }
                node.folded = .period(period)
            }
            return node
        }
        switch (left.type, right.type) {
        case (.period(let grain), _):
            guard let converted = read(right, as: grain) else { return nil }
            return (left, converted)
        case (_, .period(let grain)):
            guard let converted = read(left, as: grain) else { return nil }
            return (converted, right)
        default:
            return (left, right)
        }
    }

    /// A constant list of texts (or years) read as periods, for `month(date) in ["2024-01", "2024-02"]`.
    private mutating func periodList(_ list: TypedExpression, grain: PeriodGrain, _ scope: Scope) -> TypedExpression? {
        guard case .list(let elements)? = list.constantValue else {
            report(code: "period-list-not-constant", CheckerMessages.periodListNotConstant(grain), list.range, in: scope.source)
            return nil
        }
        var periods: [Value] = []
        for element in elements {
            if element.isNull {
                periods.append(.null)
            } else if let period = Period(reading: element, as: grain) {
                periods.append(.period(period))
            } else {
                report(code: "not-a-period", FunctionMessages.notAPeriod(element, grain), list.range, in: scope.source)
                return nil
            }
        }
        var node = TypedExpression(
            kind: .periodFromText(list), type: .list(.period(grain)), shape: .scalar, format: .plain, range: list.range,
            folded: .list(periods))
        node.file = list.file
        return node
    }

    /// `+` and `-` on numbers, dates and periods: date ± days is a date, date − date is days;
    /// period ± n is a period, period − period is a number of periods.
    private mutating func checkAdditive(
        _ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression, shape: Shape, range: SourceRange, _ scope: Scope
    ) -> TypedExpression? {
        let subtract = op == .subtract
        func node(_ arithmetic: ArithmeticKind, _ type: KipiType, _ format: DisplayFormat = .plain) -> TypedExpression {
            TypedExpression(kind: .arithmetic(arithmetic, left, right), type: type, shape: shape, format: format, range: range)
        }
        let numeric: Set<KipiType> = [.number, .null, .unknown]
        switch (left.type, right.type) {
        case (.date, .date) where subtract:
            return node(.dateDifference, .number)
        case (.date, let other) where numeric.contains(other):
            return node(.dateShift(subtract: subtract, dateFirst: true), .date)
        case (let other, .date) where numeric.contains(other):
            guard !subtract else {
                report(code: "number-minus-date", CheckerMessages.numberMinusDate, left.range.union(right.range), in: scope.source)
                return nil
            }
            return node(.dateShift(subtract: false, dateFirst: false), .date)
        case (.period(let a), .period(let b)) where subtract:
            guard a == b else {
                report(code: "period-grains", CheckerMessages.periodGrains(a, b), range, in: scope.source)
                return nil
            }
            return node(.periodDistance, .number)
        case (.period(let grain), let other) where numeric.contains(other):
            return node(.periodShift(subtract: subtract, periodFirst: true), .period(grain))
        case (let other, .period(let grain)) where numeric.contains(other):
            guard !subtract else {
                report(code: "number-minus-period", CheckerMessages.numberMinusPeriod, left.range.union(right.range), in: scope.source)
                return nil
            }
            return node(.periodShift(subtract: false, periodFirst: false), .period(grain))
        default:
            guard expectNumber(left, op.rawValue, scope), expectNumber(right, op.rawValue, scope) else { return nil }
            return node(.number(op), .number, left.format == right.format ? left.format : .plain)
        }
    }

    /// The shape of a value computed from both operands, or nil (reported) if they do not fit.
    mutating func joinedShape(_ left: TypedExpression, _ right: TypedExpression, _ scope: Scope) -> Shape? {
        guard let shape = left.shape.joined(with: right.shape) else {
            report(code: "mixed-shapes", CheckerMessages.mixedShapes(left.shape, right.shape), left.range.union(right.range), in: scope.source)
            return nil
        }
        return shape
    }

    mutating func expect(_ expression: TypedExpression, _ type: KipiType, _ symbol: String, _ scope: Scope) -> Bool {
        if expression.type.isWildcard || expression.type == type { return true }
        let message = CheckerMessages.operandType(symbol, expected: CheckerMessages.article(type), found: expression.type)
        report(code: "type-mismatch", message + typeNote(of: expression), expression.range, in: scope.source)
        return false
    }

    /// Why a data column has the type it has, for a type error about it; empty for anything else.
    func typeNote(of expression: TypedExpression) -> String {
        guard case .column(let table, let column) = expression.kind, let note = schemas?[table]?.typeNotes[column] else { return "" }
        return CheckerMessages.columnTypeNote(column, type: expression.type, note: note)
    }

    private mutating func expectNumber(_ expression: TypedExpression, _ symbol: String, _ scope: Scope) -> Bool {
        expect(expression, .number, symbol, scope)
    }
}

extension Period {
    /// A period written as text (`"2024-03"`), or a year as a number (2024).
    init?(reading value: Value, as grain: PeriodGrain) {
        switch value {
        case .text(let text): self.init(parsing: text, as: grain)
        case .number(let number) where grain == .year && number == number.rounded() && (1...9999).contains(number):
            self.init(grain: .year, index: Int32(number))
        case .period(let period) where period.grain == grain: self = period
        default: return nil
        }
    }
}
