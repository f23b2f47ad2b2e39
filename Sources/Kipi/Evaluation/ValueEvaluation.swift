import Foundation

/// A program whose every KPI is one value computed from constants and parameters (no data, no
/// aggregate) is evaluated value by value: a host calling it once per record pays for no
/// column. `ValueEvaluation.supports` decides once, when the program is compiled, from the
/// checked tree; the cell-level semantics are the operators' own (`Evaluator.arithmetic`'s
/// failures, three-valued logic, a function's null and type contract).
enum ValueEvaluation {
    /// A value, or why its computation failed.
    typealias Cell = Result<Value, FunctionError>

    /// Whether every definition can be computed value by value.
    static func supports(_ program: CheckedProgram) -> Bool {
        program.filters.isEmpty && program.definitions.allSatisfy { $0.grouping == nil && supports($0.value) }
    }

    private static func supports(_ expression: TypedExpression) -> Bool {
        guard expression.shape == .scalar else { return false }
        if expression.folded != nil { return true }
        switch expression.kind {
        case .literal, .parameter, .definition: return true
        case .negate(let operand), .percent(let operand), .not(let operand), .nullTest(let operand, _), .broadcast(let operand):
            return supports(operand)
        case .arithmetic(.number, let left, let right), .logical(_, let left, let right):
            return supports(left) && supports(right)
        case .comparison(_, let left, let right):
            let comparable: Set<KipiType> = [.number, .text, .boolean, .null]
            return comparable.contains(left.type) && comparable.contains(right.type) && supports(left) && supports(right)
        case .call(let function, let arguments):
            switch function.implementation {
            case .scalar, .columnar: return arguments.allSatisfy(supports)
            case .aggregate, .window: return false
            }
        case .userCall(_, _, let expansion): return supports(expansion)
        case .arithmetic, .column, .concatenation, .membership, .list, .aggregate, .window, .periodFromText: return false
        }
    }

    /// Evaluates every definition in order; `parameters` holds every parameter's value.
    static func run(_ program: CheckedProgram, parameters: [String: Value]) -> [Cell] {
        var cells: [Cell] = []
        cells.reserveCapacity(program.definitions.count)
        for definition in program.definitions { cells.append(evaluate(definition.value, parameters, cells)) }
        return cells
    }

    private static func evaluate(_ expression: TypedExpression, _ parameters: [String: Value], _ definitions: [Cell]) -> Cell {
        if let folded = expression.folded { return .success(folded) }
        func value(_ operand: TypedExpression) -> Cell { evaluate(operand, parameters, definitions) }
        switch expression.kind {
        case .literal(let literal): return .success(literal)
        case .parameter(let name): return .success(parameters[name] ?? .null)
        case .definition(let index): return index < definitions.count ? definitions[index] : .success(.null)
        case .broadcast(let operand), .userCall(_, _, let operand): return value(operand)
        case .negate(let operand): return number(value(operand)) { -$0 }
        case .percent(let operand): return number(value(operand)) { $0 / 100 }
        case .not(let operand):
            return value(operand).map { cell in
                if case .boolean(let flag) = cell { return .boolean(!flag) }
                return .null
            }
        case .nullTest(let operand, let isNull): return value(operand).map { .boolean($0.isNull == isNull) }
        case .arithmetic(.number(let op), let left, let right):
            let (a, b) = (value(left), value(right))
            guard case .success(let l) = a else { return a }
            guard case .success(let r) = b else { return b }
            guard case .number(let x) = l, case .number(let y) = r else { return .success(.null) }
            let result: Double
            switch op {
            case .add: result = x + y
            case .subtract: result = x - y
            case .multiply: result = x * y
            case .divide: result = x / y
            case .power: result = pow(x, y)
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .and, .or, .in, .concatenate:
                return .failure(FunctionError("'\(op.rawValue)' is not arithmetic"))
            }
            guard result.isFinite else { return .failure(FunctionError(Evaluator.nonFiniteMessage(op, divisor: y))) }
            return .success(.number(result))
        case .comparison(let op, let left, let right):
            let (a, b) = (value(left), value(right))
            guard case .success(let l) = a else { return a }
            guard case .success(let r) = b else { return b }
            switch (l, r) {
            case (.number(let x), .number(let y)): return .success(.boolean(compare(op, x, y)))
            case (.text(let x), .text(let y)): return .success(.boolean(compare(op, x, y)))
            case (.boolean(let x), .boolean(let y)): return .success(.boolean(op == .equal ? x == y : x != y))
            default: return .success(.null)
            }
        case .logical(let op, let left, let right):
            let (a, b) = (value(left), value(right))
            guard case .success(let l) = a else { return a }
            guard case .success(let r) = b else { return b }
            // Three-valued, as the columns' `logical`: the value that decides alone wins over null.
            let decisive = op != .and
            if case .boolean(decisive) = l { return .success(.boolean(decisive)) }
            if case .boolean(decisive) = r { return .success(.boolean(decisive)) }
            if l.isNull || r.isNull { return .success(.null) }
            return .success(.boolean(!decisive))
        case .call(let function, let arguments):
            return call(function, arguments.map(value), types: arguments.map(\.type), type: expression.type)
        case .arithmetic, .column, .concatenation, .membership, .list, .aggregate, .window, .periodFromText:
            return .failure(FunctionError("'\(expression.kind)' cannot be computed value by value"))
        }
    }

    private static func number(_ cell: Cell, _ transform: (Double) -> Double) -> Cell {
        guard case .success(let value) = cell else { return cell }
        guard case .number(let x) = value else { return .success(.null) }
        let result = transform(x)
        return result.isFinite ? .success(.number(result)) : .failure(FunctionError("the result is not a finite number"))
    }

    private static func compare<Element: Comparable>(_ op: BinaryOperator, _ x: Element, _ y: Element) -> Bool {
        switch op {
        case .equal: x == y
        case .notEqual: x != y
        case .less: x < y
        case .lessOrEqual: x <= y
        case .greater: x > y
        case .greaterOrEqual: x >= y
        case .or, .and, .in, .add, .subtract, .multiply, .divide, .power, .concatenate: false
        }
    }

    /// A function on one set of values, under the contract the columns' evaluation checks.
    private static func call(_ function: FunctionDefinition, _ cells: [Cell], types: [KipiType], type: KipiType) -> Cell {
        switch function.implementation {
        case .scalar(let propagatesNull, let compute):
            var values: [Value] = []
            values.reserveCapacity(cells.count)
            for cell in cells {
                switch cell {
                case .success(let value): values.append(value)
                case .failure(let error): return .failure(error)
                }
            }
            if propagatesNull, values.contains(where: \.isNull) { return .success(.null) }
            do {
                let value = try function.calling { try compute(values) }
                guard FunctionDefinition.fits(value, type) else {
                    return .failure(FunctionError(FunctionMessages.wrongType(function.name, value.type, type)))
                }
                if case .number(let number) = value, !number.isFinite { return .failure(FunctionError("the result is not a finite number")) }
                return .success(value)
            } catch {
                return .failure(error)
            }
        case .columnar(let compute):
            // A columnar function sees failed cells (`iferror` handles them).
            let columns = zip(cells, types).map { cell, type in
                switch cell {
                case .success(let value): return Column(repeating: value, type: type, count: 1)
                case .failure(let error):
                    var failed = Column.nulls(type, count: 1)
                    failed.errors = RowErrors(everyRow: error.message)
                    return failed
                }
            }
            do {
                let column = try function.calling { try compute(columns, 1) }
                guard column.count == 1 else { return .failure(FunctionError(FunctionMessages.wrongCellCount(function.name, column.count, 1))) }
                if let violation = function.violation(in: column, type: type) { return .failure(FunctionError(violation)) }
                if let message = column.errors.message(at: 0) { return .failure(FunctionError(message)) }
                return .success(column[0])
            } catch {
                return .failure(error)
            }
        case .aggregate, .window:
            return .failure(FunctionError(FunctionMessages.notCellByCell(function.name)))
        }
    }
}
