import Foundation

/// A formula over one record compiled into closures once (as expr and cel-go compile theirs), so
/// that an evaluation walks no tree, looks up no name and builds no column: the record's values
/// come by position. Two paths: one over any values, with the value-by-value path's semantics
/// (`ValueEvaluation`'s operators and function contract), and, where every node computes a
/// number, one over plain numbers that calls the functions' `numeric` forms directly.
struct PreparedEvaluation: Sendable {
    typealias Cell = ValueEvaluation.Cell
    typealias Node = @Sendable (UnsafeBufferPointer<Value>) -> Cell
    typealias NumberNode = @Sendable (UnsafeBufferPointer<Double>) throws(FunctionError) -> Double
    typealias FlagNode = @Sendable (UnsafeBufferPointer<Double>) throws(FunctionError) -> Bool
    /// A condition over any values that cannot fail: 0 false, 1 true, 2 null.
    typealias LogicNode = @Sendable (UnsafeBufferPointer<Value>) -> UInt8

    /// The formula over any values.
    let general: Node
    /// The formula over numbers that are not null; nil when some node computes something else.
    let numbers: NumberNode?
    /// A condition over any values made of comparisons of inputs and constants, `and`, `or`,
    /// `not` and null tests, which cannot fail; nil for any other formula.
    let logic: LogicNode?

    /// What compiling reads: the program, where each input sits in the record, and the value of
    /// every parameter and of each definition computed from constants alone.
    private struct Context {
        var program: CheckedProgram
        var inputs: [String: Int]
        var parameters: [String: Value]
        var constants: [Int: Cell]
        var definitionCanFail: [Bool]
    }

    /// `expression` of `program`, whose parameters named in `inputs` are the record's values, in that order.
    /// Throws when the formula, with the definitions it reads computed where they are used,
    /// takes more than `maximumSteps` steps per record (definitions that read others several
    /// times over grow exponentially).
    init(
        _ expression: TypedExpression, program: CheckedProgram, plan: ProgramPlan, inputs: [String], parameters: [String: Value], maximumSteps: Int
    ) throws(FunctionError) {
        var context = Context(
            program: program, inputs: Dictionary(inputs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }),
            parameters: parameters, constants: [:], definitionCanFail: plan.definitionCanFail)
        // A definition that reads no input is the same for every record: computed once, now.
        // Each comes after what it uses, so one pass decides which read inputs.
        let inputNames = Set(inputs)
        var readsInputs: [Bool] = []
        for definition in program.definitions {
            var reads = false
            definition.value.forEachNode { node in
                switch node.kind {
                case .column: reads = true
                case .parameter(let name): if inputNames.contains(name) { reads = true }
                case .definition(let index): if index >= readsInputs.count || readsInputs[index] { reads = true }
                default: break
                }
            }
            readsInputs.append(reads)
        }
        // Steps per record: a definition read from constants alone is one.
        var steps: [Int] = []
        func count(_ expression: TypedExpression) -> Int {
            var total = 0
            expression.forEachNode { node in
                total = min(maximumSteps + 1, total + 1)
                if case .definition(let index) = node.kind, index < steps.count { total = min(maximumSteps + 1, total + steps[index]) }
            }
            return total
        }
        for (index, definition) in program.definitions.enumerated() {
            steps.append(readsInputs[index] ? count(definition.value) : 1)
            if !readsInputs[index] {
                context.constants[index] = Self.compile(definition.value, context)(UnsafeBufferPointer(start: nil, count: 0))
            }
        }
        guard count(expression) <= maximumSteps else {
            throw FunctionError("the prepared formula takes more than \(maximumSteps) steps per record, with the definitions it reads")
        }
        general = Self.compile(expression, context)
        numbers = Self.compileNumbers(expression, context)
        logic = expression.type == .boolean ? Self.compileLogic(expression, context) : nil
    }

    // MARK: Any values

    private static func compile(_ expression: TypedExpression, _ context: Context) -> Node {
        if let folded = expression.folded { return constant(.success(folded)) }
        func child(_ operand: TypedExpression) -> Node { compile(operand, context) }
        switch expression.kind {
        case .literal(let value): return constant(.success(value))
        case .parameter(let name):
            guard let position = context.inputs[name] else { return constant(.success(context.parameters[name] ?? .null)) }
            return { record in .success(position < record.count ? record[position] : .null) }
        case .definition(let index):
            if let known = context.constants[index] { return constant(known) }
            return child(context.program.definitions[index].value)
        case .broadcast(let operand), .userCall(_, _, let operand): return child(operand)
        case .negate(let operand):
            let operand = child(operand)
            return { ValueEvaluation.negated(operand($0)) }
        case .percent(let operand):
            let operand = child(operand)
            return { ValueEvaluation.percent(operand($0)) }
        case .not(let operand):
            let operand = child(operand)
            return { ValueEvaluation.not(operand($0)) }
        case .nullTest(let operand, let isNull):
            let operand = child(operand)
            return { ValueEvaluation.nullTest(operand($0), isNull: isNull) }
        case .arithmetic(.number(let op), let left, let right):
            let (left, right) = (child(left), child(right))
            return { ValueEvaluation.arithmetic(op, left($0), right($0)) }
        case .comparison(let op, let left, let right):
            let (left, right) = (child(left), child(right))
            // Numbers and texts compared by a test chosen now, not per record; the rest (nulls,
            // booleans, failures) as the value-by-value path compares them.
            let (numbers, texts): (@Sendable (Double, Double) -> Bool, @Sendable (String, String) -> Bool) = (Evaluator.test(op), Evaluator.test(op))
            return { record in
                switch (left(record), right(record)) {
                case (.success(.number(let x)), .success(.number(let y))): .success(.boolean(numbers(x, y)))
                case (.success(.text(let x)), .success(.text(let y))): .success(.boolean(texts(x, y)))
                case (let a, let b): ValueEvaluation.comparison(op, a, b)
                }
            }
        case .logical(let op, let left, let right):
            let (left, right) = (child(left), child(right))
            return { ValueEvaluation.logical(op, left($0), right($0)) }
        case .call(let function, let arguments):
            let nodes = arguments.map(child)
            if let choice = function.choice {
                // Only the arguments the choice reads, and the one it picks, are computed.
                return { record in
                    switch choice(nodes.count, { nodes[$0](record) }) {
                    case .success(let position): position < nodes.count ? nodes[position](record) : .success(.null)
                    case .failure(let error): .failure(error)
                    }
                }
            }
            let types = arguments.map(\.type)
            let type = expression.type
            return { record in ValueEvaluation.call(function, nodes.map { $0(record) }, types: types, type: type) }
        case .column, .aggregate, .arithmetic, .concatenation, .membership, .list, .window, .periodFromText, .groupKey:
            // `Kipi.prepare` refuses these before compiling.
            return constant(.failure(FunctionError("a prepared formula cannot compute this: it reads more than one record")))
        }
    }

    private static func constant(_ cell: Cell) -> Node { { _ in cell } }

    // MARK: Conditions

    /// An input or a constant, read without a `Result`: what cannot fail.
    private static func plainValue(_ expression: TypedExpression, _ context: Context) -> (@Sendable (UnsafeBufferPointer<Value>) -> Value)? {
        if let value = expression.constantValue { return { _ in value } }
        switch expression.kind {
        case .parameter(let name):
            if let position = context.inputs[name] { return { record in position < record.count ? record[position] : .null } }
            let value = context.parameters[name] ?? .null
            return { _ in value }
        case .definition(let index):
            guard case .success(let value)? = context.constants[index] else { return nil }
            return { _ in value }
        case .userCall(_, _, let operand): return plainValue(operand, context)
        default: return nil
        }
    }

    /// An input compared with a constant, in one node that reads the input in place: the test
    /// for the constant's type is chosen now; any other pair is compared as everywhere.
    private static func comparedWithConstant(_ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression, _ context: Context)
        -> LogicNode?
    {
        func input(_ expression: TypedExpression) -> Int? {
            if case .parameter(let name) = expression.kind { return context.inputs[name] }
            return nil
        }
        let flipped: Bool
        let position: Int
        let constant: Value
        if let found = input(left), let value = right.constantValue {
            (flipped, position, constant) = (false, found, value)
        } else if let found = input(right), let value = left.constantValue {
            (flipped, position, constant) = (true, found, value)
        } else {
            return nil
        }
        @Sendable func general(_ value: Value) -> UInt8 {
            flipped ? compared(op, constant, value) : compared(op, value, constant)
        }
        switch constant {
        case .number(let number):
            let test: @Sendable (Double, Double) -> Bool = Evaluator.test(op)
            return { record in
                guard position < record.count else { return general(.null) }
                if case .number(let x) = record[position] { return (flipped ? test(number, x) : test(x, number)) ? 1 : 0 }
                return general(record[position])
            }
        case .text(let text):
            let test: @Sendable (String, String) -> Bool = Evaluator.test(op)
            return { record in
                guard position < record.count else { return general(.null) }
                if case .text(let x) = record[position] { return (flipped ? test(text, x) : test(x, text)) ? 1 : 0 }
                return general(record[position])
            }
        default:
            return nil
        }
    }

    /// Two values compared as the value-by-value path compares them, as a condition's 0, 1 or 2 (null).
    private static func compared(_ op: BinaryOperator, _ a: Value, _ b: Value) -> UInt8 {
        guard case .success(.boolean(let flag)) = ValueEvaluation.comparison(op, .success(a), .success(b)) else { return 2 }
        return flag ? 1 : 0
    }

    private static func compileLogic(_ expression: TypedExpression, _ context: Context) -> LogicNode? {
        if let value = plainValue(expression, context) {
            return { record in
                switch value(record) {
                case .boolean(let flag): flag ? 1 : 0
                default: 2
                }
            }
        }
        switch expression.kind {
        case .comparison(let op, let left, let right):
            if let compared = comparedWithConstant(op, left, right, context) { return compared }
            guard let left = plainValue(left, context), let right = plainValue(right, context) else { return nil }
            let (numbers, texts): (@Sendable (Double, Double) -> Bool, @Sendable (String, String) -> Bool) = (Evaluator.test(op), Evaluator.test(op))
            return { record in
                switch (left(record), right(record)) {
                case (.number(let x), .number(let y)): return numbers(x, y) ? 1 : 0
                case (.text(let x), .text(let y)): return texts(x, y) ? 1 : 0
                case (let a, let b): return compared(op, a, b)
                }
            }
        case .logical(let op, let left, let right):
            guard let left = compileLogic(left, context), let right = compileLogic(right, context) else { return nil }
            // Three-valued, as `ValueEvaluation.logical`: the value that decides alone wins over null.
            let decisive: UInt8 = op == .and ? 0 : 1
            // Nothing here can fail, so the right side is not computed when the left decides.
            return { record in
                let a = left(record)
                if a == decisive { return decisive }
                let b = right(record)
                if b == decisive { return decisive }
                if a == 2 || b == 2 { return 2 }
                return 1 - decisive
            }
        case .not(let operand):
            guard let operand = compileLogic(operand, context) else { return nil }
            return { record in
                let a = operand(record)
                return a == 2 ? 2 : 1 - a
            }
        case .nullTest(let operand, let isNull):
            guard let operand = plainValue(operand, context) else { return nil }
            return { record in operand(record).isNull == isNull ? 1 : 0 }
        case .userCall(_, _, let operand):
            return compileLogic(operand, context)
        default:
            return nil
        }
    }

    // MARK: Numbers

    /// The node over numbers, or nil when it may compute anything but a number from numbers.
    private static func compileNumbers(_ expression: TypedExpression, _ context: Context) -> NumberNode? {
        if let folded = expression.folded {
            guard case .number(let value) = folded else { return nil }
            return { _ throws(FunctionError) in value }
        }
        func child(_ operand: TypedExpression) -> NumberNode? { compileNumbers(operand, context) }
        switch expression.kind {
        case .literal(.number(let value)): return { _ throws(FunctionError) in value }
        case .parameter(let name):
            if let position = context.inputs[name] {
                guard expression.type == .number else { return nil }
                return { record throws(FunctionError) in record[position] }
            }
            guard case .number(let value)? = context.parameters[name] else { return nil }
            return { _ throws(FunctionError) in value }
        case .definition(let index):
            if let known = context.constants[index] {
                guard case .success(.number(let value)) = known else { return nil }
                return { _ throws(FunctionError) in value }
            }
            return child(context.program.definitions[index].value)
        case .broadcast(let operand), .userCall(_, _, let operand): return child(operand)
        case .negate(let operand):
            guard let operand = child(operand) else { return nil }
            return { record throws(FunctionError) in try finite(-(try operand(record))) }
        case .percent(let operand):
            guard let operand = child(operand) else { return nil }
            return { record throws(FunctionError) in try finite(try operand(record) / 100) }
        case .arithmetic(.number(let op), let left, let right):
            guard let left = child(left), let right = child(right) else { return nil }
            switch op {
            case .add: return { record throws(FunctionError) in try finite(try left(record) + (try right(record))) }
            case .subtract: return { record throws(FunctionError) in try finite(try left(record) - (try right(record))) }
            case .multiply: return { record throws(FunctionError) in try finite(try left(record) * (try right(record))) }
            case .divide:
                return { record throws(FunctionError) in
                    let (x, y) = (try left(record), try right(record))
                    let result = x / y
                    guard result.isFinite else { throw FunctionError(Evaluator.nonFiniteMessage(.divide, divisor: y)) }
                    return result
                }
            case .power:
                return { record throws(FunctionError) in
                    let result = pow(try left(record), try right(record))
                    guard result.isFinite else { throw FunctionError(Evaluator.nonFiniteMessage(.power, divisor: 1)) }
                    return result
                }
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .and, .or, .in, .concatenate: return nil
            }
        case .call(let function, let arguments) where function.choice != nil:
            guard let choice = function.choice, expression.type == .number else { return nil }
            // Each argument compiled once: choices nest (`if` in `if`), and compiling twice would
            // double the work at every level.
            let numbers = arguments.map(child)
            let nodes = zip(arguments, numbers).map { argument, number -> (@Sendable (UnsafeBufferPointer<Double>) -> Result<Value, FunctionError>)? in
                if let number {
                    return { record in Result { () throws(FunctionError) in .number(try number(record)) } }
                }
                guard let flag = compileFlag(argument, context) else { return nil }
                return { record in Result { () throws(FunctionError) in .boolean(try flag(record)) } }
            }
            guard nodes.allSatisfy({ $0 != nil }) else { return nil }
            let read = nodes.compactMap { $0 }
            return { record throws(FunctionError) in
                let position = try choice(read.count, { read[$0](record) }).get()
                guard position < numbers.count, let chosen = numbers[position] else { throw FunctionError("the choice is not a number") }
                return try chosen(record)
            }
        case .call(let function, let arguments):
            // With two failing arguments the function's columns report one of them, which need
            // not be the first: with two that can fail, the path over any values decides.
            guard let form = function.numeric, expression.type == .number,
                arguments.filter({ ProgramPlan.canFail($0, definitionCanFail: context.definitionCanFail) }).count <= 1
            else { return nil }
            let nodes = arguments.compactMap(child)
            guard nodes.count == arguments.count else { return nil }
            switch (form, nodes.count) {
            case (.unary(let compute), 1):
                let x = nodes[0]
                return { record throws(FunctionError) in try compute(try x(record)) }
            case (.binary(let compute), 2):
                let (x, y) = (nodes[0], nodes[1])
                return { record throws(FunctionError) in try compute(try x(record), try y(record)) }
            case (.ternary(let compute), 3):
                let (x, y, z) = (nodes[0], nodes[1], nodes[2])
                return { record throws(FunctionError) in try compute(try x(record), try y(record), try z(record)) }
            default: return nil
            }
        default:
            return nil
        }
    }

    /// A condition over numbers: comparisons of numbers, `and`, `or`, `not`; nil for anything else.
    private static func compileFlag(_ expression: TypedExpression, _ context: Context) -> FlagNode? {
        if case .boolean(let value)? = expression.folded ?? expression.constantValue { return { _ throws(FunctionError) in value } }
        switch expression.kind {
        case .comparison(let op, let left, let right):
            guard let left = compileNumbers(left, context), let right = compileNumbers(right, context) else { return nil }
            let test: @Sendable (Double, Double) -> Bool = Evaluator.test(op)
            return { record throws(FunctionError) in test(try left(record), try right(record)) }
        case .logical(let op, let left, let right):
            // Neither side is null here, so two-valued logic is the three-valued one; both sides
            // are computed, as in the columns, so that a failure on either side fails it.
            guard let left = compileFlag(left, context), let right = compileFlag(right, context) else { return nil }
            if op == .and { return { record throws(FunctionError) in let (a, b) = (try left(record), try right(record)); return a && b } }
            return { record throws(FunctionError) in let (a, b) = (try left(record), try right(record)); return a || b }
        case .not(let operand):
            guard let operand = compileFlag(operand, context) else { return nil }
            return { record throws(FunctionError) in !(try operand(record)) }
        case .userCall(_, _, let operand): return compileFlag(operand, context)
        default: return nil
        }
    }

    @inline(__always)
    private static func finite(_ value: Double) throws(FunctionError) -> Double {
        guard value.isFinite else { throw FunctionError("the result is not a finite number") }
        return value
    }
}
