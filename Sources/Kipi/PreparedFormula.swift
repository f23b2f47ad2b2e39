/// A formula prepared once to be evaluated for one record at a time (SPEC §7, formulas per
/// record): the record's values come by position, in the order of `inputs`, and nothing is
/// built on the way — no dictionary, table or result structure. Nulls, errors and every
/// function's semantics are those of a whole evaluation. Immutable and safe to share across
/// threads.
///
/// ```swift
/// let level = try Kipi().prepare("score(fact, critical, norm)", inputs: ["fact", "critical", "norm"])
/// level.evaluate([80, 60, 100])    // .value(.number(0.5))
/// level.evaluate([80, 60, 60])     // .error("score: division by zero (the two bounds are equal)")
/// ```
public struct PreparedFormula: Sendable {
    /// The inputs' names and types, in the order `evaluate` takes their values.
    public let inputs: [(name: String, type: KipiType)]
    /// The type of the formula's value.
    public let type: KipiType
    private let evaluation: PreparedEvaluation
    /// The inputs' types, and whether all are numbers: read per record without copying names.
    private let inputTypes: [KipiType]
    private let numbersOnly: Bool

    init(inputs: [(name: String, type: KipiType)], type: KipiType, evaluation: PreparedEvaluation) {
        self.inputs = inputs
        self.type = type
        self.evaluation = evaluation
        inputTypes = inputs.map(\.type)
        numbersOnly = inputTypes.allSatisfy { $0 == .number }
    }

    /// The formula's value for one record, the inputs' values in order (a null is a missing
    /// value); an error names its cause, as a failed KPI's does.
    public func evaluate(_ values: [Value]) -> Outcome {
        if let problem = misfit(values.count) { return .error(problem) }
        var allNumbers = true
        for position in values.indices {
            switch (values[position], inputTypes[position]) {
            case (.number(let number), .number):
                // Kipi's numbers are finite, as `evaluate([Double])` asks of its record too.
                guard number.isFinite else { return .error("input '\(inputs[position].name)' is not a finite number") }
                continue
            case (.text, .text), (.boolean, .boolean), (.null, _): break
            case (let value, let type):
                guard value.type != type else { break }
                return .error("input '\(inputs[position].name)' must be \(CheckerMessages.article(type)), but got \(CheckerMessages.article(value.type))")
            }
            allNumbers = false
        }
        if let logic = evaluation.logic {
            let flag = values.withUnsafeBufferPointer { logic($0) }
            return .value(flag == 2 ? .null : .boolean(flag == 1))
        }
        if allNumbers, let numbers = evaluation.numbers {
            // Numbers only (those of `values`): the path over plain numbers, on the stack.
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: values.count) { buffer in
                for (position, value) in values.enumerated() { buffer[position] = value.number ?? 0 }
                return Self.outcome { () throws(FunctionError) in try numbers(UnsafeBufferPointer(buffer)) }
            }
        }
        return values.withUnsafeBufferPointer { Self.outcome(evaluation.general($0)) }
    }

    /// The formula's value for one record of numbers, in the order of `inputs` (every input a
    /// number).
    public func evaluate(_ values: [Double]) -> Outcome {
        if let problem = misfit(values.count) { return .error(problem) }
        if !numbersOnly, let input = inputs.first(where: { $0.type != .number }) {
            return .error("input '\(input.name)' is \(CheckerMessages.article(input.type)): pass it as a Value")
        }
        for (position, value) in values.enumerated() where !value.isFinite {
            return .error("input '\(inputs[position].name)' is not a finite number")
        }
        if let numbers = evaluation.numbers {
            return values.withUnsafeBufferPointer { record in Self.outcome { () throws(FunctionError) in try numbers(record) } }
        }
        return values.map(Value.number).withUnsafeBufferPointer { Self.outcome(evaluation.general($0)) }
    }

    private func misfit(_ count: Int) -> String? {
        count == inputs.count ? nil : "the formula takes \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))), got \(count)"
    }

    @inline(__always)
    private static func outcome(_ number: () throws(FunctionError) -> Double) -> Outcome {
        do {
            return .value(.number(try number()))
        } catch {
            return .error(error.message)
        }
    }

    private static func outcome(_ cell: ValueEvaluation.Cell) -> Outcome {
        switch cell {
        case .success(let value): .value(value)
        case .failure(let error): .error(error.message)
        }
    }
}

extension Kipi {
    /// Prepares a formula over a record of numbers named `inputs`, such as
    /// `prepare("score(fact, critical, norm)", inputs: ["fact", "critical", "norm"])`.
    public func prepare(
        _ formula: String, inputs: [String], definitions: [SourceText] = [], parameters: [String: Value] = [:],
        loadImport: (_ path: String, _ importer: String) throws -> SourceText = Kipi.refuseImports
    ) throws(DiagnosticList) -> PreparedFormula {
        try prepare(formula, inputs: inputs.map { ($0, KipiType.number) }, definitions: definitions, parameters: parameters, loadImport: loadImport)
    }

    /// Prepares a formula over a record whose inputs have these names and types, in the order
    /// `evaluate` takes their values. It may read the `param`s, `let`s and `fn`s of
    /// `definitions` (and of the files they import); `parameters` overrides their values. A
    /// formula that aggregates, runs a window, groups or reads a list refers to more than one
    /// record and is refused, as is any error of the formula, all at once.
    public func prepare(
        _ formula: String, inputs: [(name: String, type: KipiType)], definitions: [SourceText] = [], parameters: [String: Value] = [:],
        loadImport: (_ path: String, _ importer: String) throws -> SourceText = Kipi.refuseImports
    ) throws(DiagnosticList) -> PreparedFormula {
        let source = SourceText(name: "<prepared>", text: formula)
        // The inputs are parameters (one value each, of their type) that every record gives.
        var declared: [String] = []
        for input in inputs {
            guard let example = Self.example(of: input.type) else {
                throw DiagnosticList([Diagnostic(message: "input '\(input.name)' cannot be \(CheckerMessages.article(input.type))", code: "type-mismatch")])
            }
            declared.append("param \(Kipi.isPlainName(input.name) ? input.name : "`\(input.name)`") = \(example)")
        }
        let inputSource = SourceText(name: "<inputs>", text: declared.joined(separator: "\n"))
        let program = try compile(expression: source, schema: Schema(columns: []), definitions: [inputSource] + definitions, loadImport: loadImport)
        var problems: [Diagnostic] = []
        let values = program.parameterValues(parameters, problems: &problems)
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        guard let kpi = program.checked.kpis.first else { throw DiagnosticList([Diagnostic(message: "there is no formula to prepare")]) }
        let definition = program.checked.definitions[kpi]
        for index in program.checked.dependencies(of: kpi) {
            program.checked.definitions[index].value.forEachNode { node in
                guard let what = Self.refusedInRecord(node) else { return }
                let file = program.checked.sources[node.file]
                problems.append(
                    Diagnostic(
                        message: "a prepared formula reads one record, so it cannot \(what)", range: node.range, source: file ?? source,
                        code: "not-per-record"))
            }
        }
        if definition.grouping != nil {
            problems.append(Diagnostic(message: "a prepared formula reads one record, so it cannot group it with by", code: "not-per-record"))
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        let named = Dictionary(zip(program.checked.parameters.map(\.name), values), uniquingKeysWith: { first, _ in first })
            .filter { name, _ in !inputs.contains { $0.name == name } }
        let evaluation: PreparedEvaluation
        do {
            evaluation = try PreparedEvaluation(
                definition.value, program: program.checked, plan: program.plan, inputs: inputs.map(\.name), parameters: named,
                maximumSteps: limits.expansions * 10)
        } catch {
            throw DiagnosticList([Diagnostic(message: error.message, code: "limit-exceeded")])
        }
        return PreparedFormula(inputs: inputs, type: definition.value.type, evaluation: evaluation)
    }

    /// A value of `type` written in Kipi, to declare an input of that type.
    private static func example(of type: KipiType) -> String? {
        switch type {
        case .number: "0"
        case .text: "\"\""
        case .boolean: "false"
        case .date: "date(\"2000-01-01\")"
        case .period, .null, .list, .unknown: nil
        }
    }

    /// What a node does that a formula over one record cannot; nil when it can.
    private static func refusedInRecord(_ node: TypedExpression) -> String? {
        if node.folded != nil { return nil }
        switch node.kind {
        case .aggregate(let call): return "aggregate rows with \(call.function.name)"
        case .window(let call): return "read other groups with \(call.function.name)"
        case .list: return "hold a list"
        case .membership: return "test membership in a list"
        case .concatenation: return "join text with &"
        case .periodFromText: return "read a period from text"
        case .arithmetic(.dateShift, _, _), .arithmetic(.dateDifference, _, _), .arithmetic(.periodShift, _, _), .arithmetic(.periodDistance, _, _):
            return "compute with dates or periods"
        case .groupKey, .column: return "read a table"
        case .literal, .parameter, .definition, .negate, .not, .percent, .nullTest, .arithmetic(.number, _, _), .comparison, .logical,
            .call, .userCall, .broadcast:
            return nil
        }
    }
}
