import Foundation

/// A program whose KPIs are computed from constants, parameters and tables of one row (a
/// record), without `by`, windows or lists, is evaluated value by value when its tables have
/// one row each: a host calling it once per record pays for no column. The plan decides it once,
/// when the program is compiled (`ProgramPlan.valueByValueTables`); the cell-level semantics
/// are the operators' own (`Evaluator.arithmetic`'s failures, three-valued logic, a function's
/// null and type contract, an aggregate's filter and null skipping).
enum ValueEvaluation {
    /// A value, or why its computation failed.
    typealias Cell = Result<Value, FunctionError>

    /// One column's cell in the record (a table's only row).
    struct Field {
        var table: String
        var name: String
        var cell: Cell
    }

    /// What an evaluation reads: parameters (every one's value), the record's fields, and the
    /// definitions computed so far.
    private struct Context {
        /// Every parameter's value, in the order of the program's parameters.
        var parameters: [Value]
        var parameterNames: [String]
        /// Few, so looked up by comparing names rather than hashing them.
        var record: [Field]
        var definitions: [Cell] = []
    }

    /// Evaluates every definition in order; `parameters` holds every parameter's value, and
    /// `record` the cell of every column read.
    static func run(_ program: CheckedProgram, parameters: [Value], named names: [String], record: [Field]) -> [Cell] {
        var context = Context(parameters: parameters, parameterNames: names, record: record)
        context.definitions.reserveCapacity(program.definitions.count)
        for definition in program.definitions { context.definitions.append(evaluate(definition.value, context)) }
        return context.definitions
    }

    private static func evaluate(_ expression: TypedExpression, _ context: Context) -> Cell {
        if let folded = expression.folded { return .success(folded) }
        func value(_ operand: TypedExpression) -> Cell { evaluate(operand, context) }
        switch expression.kind {
        case .column(let table, let name):
            guard let field = context.record.first(where: { $0.name == name && $0.table == table }) else {
                return .failure(FunctionError("the data has no column '\(name)'"))
            }
            return field.cell
        case .aggregate(let call):
            return aggregate(call, type: expression.type, value)
        case .literal(let literal): return .success(literal)
        case .parameter(let name):
            guard let position = context.parameterNames.firstIndex(of: name), position < context.parameters.count else { return .success(.null) }
            return .success(context.parameters[position])
        case .definition(let index): return index < context.definitions.count ? context.definitions[index] : .success(.null)
        case .broadcast(let operand), .userCall(_, _, let operand): return value(operand)
        case .negate(let operand): return negated(value(operand))
        case .percent(let operand): return percent(value(operand))
        case .not(let operand): return not(value(operand))
        case .nullTest(let operand, let isNull): return nullTest(value(operand), isNull: isNull)
        case .arithmetic(.number(let op), let left, let right): return arithmetic(op, value(left), value(right))
        case .comparison(let op, let left, let right): return comparison(op, value(left), value(right))
        case .logical(let op, let left, let right): return logical(op, value(left), value(right))
        case .call(let function, let arguments):
            return call(function, arguments.map(value), types: arguments.map(\.type), type: expression.type)
        case .arithmetic, .concatenation, .membership, .list, .window, .periodFromText, .groupKey:
            return .failure(FunctionError("'\(expression.kind)' cannot be computed value by value"))
        }
    }

    // The operators on one value each, as the columns' kernels compute them; prepared formulas
    // compute with them too.

    /// `-x`.
    static func negated(_ cell: Cell) -> Cell { number(cell) { -$0 } }

    /// `x%`.
    static func percent(_ cell: Cell) -> Cell { number(cell) { $0 / 100 } }

    /// `not x`: null stays null.
    static func not(_ cell: Cell) -> Cell {
        cell.map { value in
            if case .boolean(let flag) = value { return .boolean(!flag) }
            return .null
        }
    }

    /// `x == null` (or `!=`).
    static func nullTest(_ cell: Cell, isNull: Bool) -> Cell { cell.map { .boolean($0.isNull == isNull) } }

    /// `+ - * / ^` on numbers: a null side gives null, a result that is not finite fails.
    static func arithmetic(_ op: BinaryOperator, _ a: Cell, _ b: Cell) -> Cell {
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
    }

    /// A comparison of numbers, texts or booleans; null with anything is null.
    static func comparison(_ op: BinaryOperator, _ a: Cell, _ b: Cell) -> Cell {
        guard case .success(let l) = a else { return a }
        guard case .success(let r) = b else { return b }
        switch (l, r) {
        case (.number(let x), .number(let y)): return .success(.boolean(Evaluator.test(op)(x, y)))
        case (.text(let x), .text(let y)): return .success(.boolean(Evaluator.test(op)(x, y)))
        case (.boolean(let x), .boolean(let y)): return .success(.boolean(op == .equal ? x == y : x != y))
        default: return .success(.null)
        }
    }

    /// `and`, `or`, three-valued as the columns' `logical`: the value that decides alone wins over null.
    static func logical(_ op: BinaryOperator, _ a: Cell, _ b: Cell) -> Cell {
        guard case .success(let l) = a else { return a }
        guard case .success(let r) = b else { return b }
        let decisive = op != .and
        if case .boolean(decisive) = l { return .success(.boolean(decisive)) }
        if case .boolean(decisive) = r { return .success(.boolean(decisive)) }
        if l.isNull || r.isNull { return .success(.null) }
        return .success(.boolean(!decisive))
    }

    /// An aggregate over a table of one row, as `Evaluator.aggregate` reduces it: a failed
    /// filter or collection value fails it, a row the filter drops or with a null collection
    /// value leaves the collections empty, then a failed value argument fails it.
    private static func aggregate(_ call: AggregateCall, type: KipiType, _ value: (TypedExpression) -> Cell) -> Cell {
        guard case .aggregate(let reduce) = call.function.implementation else {
            return .failure(FunctionError(FunctionMessages.notCellByCell(call.function.name)))
        }
        var kept = true
        if let filter = call.filter {
            switch value(filter) {
            case .success(let flag): kept = flag == .boolean(true)
            case .failure(let error): return .failure(error)
            }
        }
        var collections: [(value: Value, type: KipiType)] = []
        var arguments: [Value] = []
        for (argument, role) in zip(call.arguments, call.roles) where role == .collection {
            guard kept else {
                collections.append((.null, argument.type))
                continue
            }
            switch value(argument) {
            case .success(let cell): collections.append((cell, argument.type))
            case .failure(let error): return .failure(error)
            }
        }
        for (argument, role) in zip(call.arguments, call.roles) where role == .value {
            switch value(argument) {
            case .success(let cell): arguments.append(cell)
            case .failure(let error): return .failure(error)
            }
        }
        let present = kept && !collections.contains { $0.value.isNull }
        // A one-pass reduction of one value, as the columns' evaluation reduces it (no value is
        // the implementation's answer).
        if let reduction = call.function.reduction, arguments.isEmpty, collections.count <= 1, present {
            let element: Double?
            switch (reduction.reads, collections.first?.value) {
            case (.any, _): element = 0
            case (.numbers, .number(let value)?): element = value
            case (.booleans, .boolean(let flag)?): element = flag ? 1 : 0
            case (.numbers, _), (.booleans, _): element = nil
            }
            if let element { return .success(.number(reducing(element, by: reduction))) }
        }
        let input = AggregateInput(
            collections: collections.map { Column(repeating: $0.value, type: $0.type, count: present ? 1 : 0) },
            rowCount: kept ? 1 : 0, arguments: arguments)
        do {
            let result = try call.function.calling { try reduce(input) }
            guard FunctionDefinition.fits(result, type) else {
                return .failure(FunctionError(FunctionMessages.wrongType(call.function.name, result.type, type)))
            }
            if case .number(let number) = result, !number.isFinite {
                return .failure(FunctionError("the result of \(call.function.name) is not a finite number"))
            }
            return .success(result)
        } catch {
            return .failure(error)
        }
    }

    private static func number(_ cell: Cell, _ transform: (Double) -> Double) -> Cell {
        guard case .success(let value) = cell else { return cell }
        guard case .number(let x) = value else { return .success(.null) }
        let result = transform(x)
        return result.isFinite ? .success(.number(result)) : .failure(FunctionError("the result is not a finite number"))
    }

    /// A numeric form on cells that are all numbers; nil when one is not.
    private static func numbers(_ cells: [Cell], by form: FunctionDefinition.NumericForm) -> Cell? {
        func number(_ position: Int) -> Double? {
            guard position < cells.count, case .success(.number(let value)) = cells[position] else { return nil }
            return value
        }
        do {
            switch form {
            case .unary(let compute):
                guard cells.count == 1, let x = number(0) else { return nil }
                return .success(.number(try compute(x)))
            case .binary(let compute):
                guard cells.count == 2, let x = number(0), let y = number(1) else { return nil }
                return .success(.number(try compute(x, y)))
            case .ternary(let compute):
                guard cells.count == 3, let x = number(0), let y = number(1), let z = number(2) else { return nil }
                return .success(.number(try compute(x, y, z)))
            }
        } catch {
            return .failure(error)
        }
    }

    /// One value reduced by a one-pass reduction.
    private static func reducing<Reduction: OnePassReduction>(_ value: Double, by reduction: Reduction) -> Double {
        var state = reduction.initial
        reduction.add(value, to: &state)
        return reduction.result(state, count: 1)
    }

    /// A function on one set of values, under the contract the columns' evaluation checks.
    static func call(_ function: FunctionDefinition, _ cells: [Cell], types: [KipiType], type: KipiType) -> Cell {
        // Numbers that are all there: the function's own computation on numbers, with no column.
        if let form = function.numeric, let value = numbers(cells, by: form) { return value }
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
