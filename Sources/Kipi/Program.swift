import Dispatch
import Foundation

/// A compiled, checked program: immutable, and safe to evaluate many times from many threads.
public struct Program: Sendable {
    let checked: CheckedProgram
    /// The schemas it was checked against, by table ("" is the default table); nil if it was
    /// checked without data.
    let schemas: [String: Schema]?
    /// The limits it was compiled under: those of its evaluations, unless given others.
    public let limits: Limits

    // Decided once here, so that an evaluation does not walk the tree to find them out.
    /// How it runs: read by the evaluator, explain and the SQL generator.
    private(set) var plan: ProgramPlan
    /// For each table, how many of the program's expressions make a column of its rows.
    private let rowColumnCounts: [String: Int]
    private let parameterNames: [String]
    /// The columns read, by table, in the order problems with them are reported, with the type
    /// each was checked with.
    private let columnsRead: [(table: String, columns: [(name: String, type: KipiType?)])]

    init(checked: CheckedProgram, schemas: [String: Schema]?, limits: Limits = .standard) {
        self.checked = checked
        self.schemas = schemas
        self.limits = limits
        plan = ProgramPlan(checked, cores: Cores.available)
        rowColumnCounts = Dictionary(uniqueKeysWithValues: Set((schemas ?? [:]).keys).union([""]).map { ($0, checked.rowColumnCount(of: $0)) })
        parameterNames = checked.parameters.map(\.name)
        columnsRead = checked.columnsUsed.sorted { $0.key < $1.key }.map { table, names in
            (table, names.sorted().map { ($0, schemas?[table]?.type(of: $0)) })
        }
    }

    /// The same program, split over `cores` cores on large data (as a machine of that many would).
    func planned(forCores cores: Int) -> Program {
        var copy = self
        copy.plan.cores = CoreSplit(checked, cores: cores)
        return copy
    }

    /// The default table's schema it was checked against; nil if it was checked without data.
    public var schema: Schema? { schemas?[""] }

    /// The KPIs it reports, in file order.
    public var kpis: [KPIInfo] {
        checked.kpis.map { index in
            let definition = checked.definitions[index]
            return KPIInfo(
                name: definition.name, description: definition.description, type: definition.value.type,
                format: definition.format, keyNames: definition.grouping?.keyNames ?? [])
        }
    }

    /// The data files its `data` lines name (SPEC v3), in the order written. The library reads
    /// none of them: a host that allows it loads each (`DataTable.load(contentsOf:options:)` with
    /// the source's `resolvedPath` and `options`).
    public var dataSources: [DataSource] { checked.dataSources }

    /// Its parameters, with their defaults, by name.
    public var parameters: [ParameterInfo] { checked.parameters }

    /// The columns of the default table its formulas read.
    public var columnsUsed: Set<String> { checked.columnsUsed[""] ?? [] }

    /// The columns its formulas read, by table ("" is the default table).
    public var columnsUsedByTable: [String: Set<String>] { checked.columnsUsed }

    /// Evaluates every KPI over `data`. A failure in one KPI (or group row) is reported in its
    /// place; the others are still computed.
    ///
    /// - Parameter parameters: values for `param`s, overriding their defaults.
    /// - Throws: `DiagnosticList` if the program was checked without data, if `data` lacks a
    ///   column the formulas use or has it with another type, or for an unknown or mistyped parameter.
    public func evaluate(
        _ data: DataTable, parameters: [String: Value] = [:], limits: Limits? = nil, cancellation: Cancellation? = nil
    ) throws(DiagnosticList) -> EvaluationResult {
        try evaluate(tables: ["": data], parameters: parameters, limits: limits, cancellation: cancellation)
    }

    /// Evaluates every KPI over several tables: `tables[""]` is the default table, the others
    /// are read as `name.column`. Each table is first filtered by the program's `where`s.
    ///
    /// - Parameters:
    ///   - limits: bounds on this evaluation (rows, columns, groups, memory, output, time): they
    ///     narrow those the program was compiled under (the stricter of each), never widen or drop
    ///     them. One that is reached throws an error naming it.
    ///   - cancellation: stops the evaluation from another thread; cancelling the calling task does too.
    public func evaluate(
        tables data: [String: DataTable], parameters: [String: Value] = [:], limits: Limits? = nil, cancellation: Cancellation? = nil
    ) throws(DiagnosticList) -> EvaluationResult {
        let limits = limits.map(self.limits.narrowed) ?? self.limits
        try checkSize(of: data, under: limits)
        let results: [KPIResult]
        if let tablesRead = plan.valueByValueTables, tablesRead.allSatisfy({ data[$0]?.rowCount == 1 }) {
            let (values, record) = try validated(data, parameters: parameters, readingRecord: true)
            var stop = StopConditions(limits: limits, cancellation: cancellation)
            if let reason = stop.check() { throw DiagnosticList([Program.stopped(reason)]) }
            let cells = StopSignal.$current.withValue(stop.signal) {
                ValueEvaluation.run(checked, parameters: values, named: parameterNames, record: record)
            }
            results = singleResults { index in
                switch cells[index] {
                case .success(let value): .value(value)
                case .failure(let error): .error(error.message)
                }
            }
        } else {
            let (filtered, values, filterFailure) = try prepared(data, parameters: parameters)
            if let filterFailure { return EvaluationResult(kpis: singleResults { _ in .error(filterFailure) }) }
            results = try evaluatedByColumns(filtered, parameters: values, limits: limits, cancellation: cancellation)
        }
        let cells = results.reduce(0) { total, kpi in
            switch kpi.value {
            case .single: total + 1
            case .grouped(let keys, let rows): total + rows.count * (keys.count + 1)
            }
        }
        if cells > limits.outputCells {
            throw DiagnosticList([Diagnostic(message: "the results have \(cells) cells, more than the limit of \(limits.outputCells)", code: "limit-exceeded")])
        }
        return EvaluationResult(kpis: results)
    }

    /// Evaluates every KPI as `evaluate(tables:parameters:limits:cancellation:)` does, on a thread
    /// of its own: Swift's cooperative threads stay free for other tasks while it works, and
    /// cancelling the calling task cancels the evaluation (it then throws that it was cancelled).
    public func evaluate(
        tables data: [String: DataTable], parameters: [String: Value] = [:], limits: Limits? = nil, cancellation: Cancellation? = nil
    ) async throws(DiagnosticList) -> EvaluationResult {
        let stop = Cancellation(following: cancellation)
        let result: Result<EvaluationResult, DiagnosticList> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result { () throws(DiagnosticList) in
                        try self.evaluate(tables: data, parameters: parameters, limits: limits, cancellation: stop)
                    })
                }
                // Evaluation recurses over the checked tree (at most `Checker.maximumHeight` deep).
                thread.stackSize = 16 << 20
                thread.start()
            }
        } onCancel: {
            stop.cancel()
        }
        return try result.get()
    }

    /// The same over one table, the default.
    public func evaluate(
        _ data: DataTable, parameters: [String: Value] = [:], limits: Limits? = nil, cancellation: Cancellation? = nil
    ) async throws(DiagnosticList) -> EvaluationResult {
        try await evaluate(tables: ["": data], parameters: parameters, limits: limits, cancellation: cancellation)
    }

    /// Why an evaluation stopped, as a diagnostic: `stopped` for a cancellation, `limit-exceeded` for a limit.
    static func stopped(_ reason: String) -> Diagnostic {
        Diagnostic(message: reason, code: reason == "the evaluation was cancelled" ? "stopped" : "limit-exceeded")
    }

    /// Every KPI with one value or error, as `outcome` gives it for the KPI's definition index.
    private func singleResults(_ outcome: (Int) -> Outcome) -> [KPIResult] {
        checked.kpis.map { index in
            let definition = checked.definitions[index]
            let (judged, assessment) = Program.judged(outcome(index), of: definition) { outcome($0) }
            return KPIResult(
                name: definition.name, description: definition.description, format: definition.format, value: .single(judged),
                assessment: assessment, isJudged: definition.thresholds != nil)
        }
    }

    /// A KPI's cell judged against its levels (SPEC v3): the cell, failed when a level failed
    /// or the levels contradict each other, and its assessment; the cell alone for a KPI without
    /// levels. `level` gives the same cell of a level's definition.
    static func judged(_ cell: Outcome, of definition: CheckedDefinition, level: (Int) -> Outcome) -> (Outcome, Assessment?) {
        guard let thresholds = definition.thresholds, case .value(let value) = cell else { return (cell, nil) }
        var levels: [(level: ThresholdLevel, value: Value)] = []
        for (kind, index) in thresholds.levels {
            switch level(index) {
            case .value(let levelValue): levels.append((kind, levelValue))
            case .error(let message): return (.error("the \(kind.rawValue) level failed: \(message)"), nil)
            }
        }
        switch Assessment.judging(value, levels: levels, direction: thresholds.direction) {
        case .success(let assessment): return (cell, assessment)
        case .failure(let error): return (.error(error.message), nil)
        }
    }

    /// The KPIs computed a column at a time, on every core the plan splits them over when the data is large.
    private func evaluatedByColumns(
        _ filtered: [String: DataTable], parameters values: [String: Value], limits: Limits, cancellation: Cancellation?
    ) throws(DiagnosticList) -> [KPIResult] {
        var evaluators = [
            Evaluator(program: checked, plan: plan, tables: filtered, parameters: values, stop: StopConditions(limits: limits, cancellation: cancellation))
        ]
        var outcomes: [[Evaluator.DefinitionOutcome]]
        let rows = filtered.values.map(\.rowCount).max() ?? 0
        if plan.cores.parts.count > 1, rows >= CoreSplit.parallelRows {
            // Each core evaluates its part of the KPIs with its own evaluator (sharing one stop).
            evaluators = Array(repeating: evaluators[0], count: plan.cores.parts.count)
            let done = ResultSlots<(Evaluator, [Evaluator.DefinitionOutcome])>(count: plan.cores.parts.count)
            DispatchQueue.concurrentPerform(iterations: plan.cores.parts.count) { [evaluators, plan] part in
                var evaluator = evaluators[part]
                let outcome = evaluator.run(only: plan.cores.parts[part])
                done.store((evaluator, outcome), at: part)
            }
            let finished = done.values
            evaluators = finished.map(\.0)
            outcomes = finished.map(\.1)
        } else {
            outcomes = [evaluators[0].run()]
        }
        for index in evaluators.indices {
            if let reason = evaluators[index].stop.check() { throw DiagnosticList([Program.stopped(reason)]) }
        }
        return checked.kpis.map { index in
            let part = outcomes.count > 1 ? plan.cores.parts.firstIndex { $0.contains(index) } ?? 0 : 0
            return result(of: index, outcomes: outcomes[part], evaluator: &evaluators[part])
        }
    }

    /// Refuses data larger than the limits allow before any of it is evaluated: rows and columns
    /// of each table, and the memory the columns the program computes are estimated to take.
    private func checkSize(of data: [String: DataTable], under limits: Limits) throws(DiagnosticList) {
        var problems: [Diagnostic] = []
        var estimate = 0
        // Sorted, so that problems come in one order; one table needs no sorting.
        func check(_ name: String, _ table: DataTable) {
            let label = name.isEmpty ? "the data" : "table '\(name)'"
            if table.rowCount > limits.rows {
                problems.append(Diagnostic(message: "\(label) has \(table.rowCount) rows, more than the limit of \(limits.rows)", code: "limit-exceeded"))
            }
            if table.columnNames.count > limits.columns {
                problems.append(Diagnostic(message: "\(label) has \(table.columnNames.count) columns, more than the limit of \(limits.columns)", code: "limit-exceeded"))
            }
            // Every expression over the table's rows makes a column of 8 bytes a cell and a null mask.
            let columns = rowColumnCounts[name] ?? checked.rowColumnCount(of: name)
            let (product, overflow) = table.rowCount.multipliedReportingOverflow(by: 9 * columns)
            let (sum, sumOverflow) = estimate.addingReportingOverflow(product)
            estimate = overflow || sumOverflow ? Int.max : sum
        }
        if data.count == 1 {
            for (name, table) in data { check(name, table) }
        } else {
            for (name, table) in data.sorted(by: { $0.key < $1.key }) { check(name, table) }
        }
        if estimate > limits.memory {
            problems.append(
                Diagnostic(message: "the evaluation would need about \(Limits.shown(bytes: estimate)), more than the limit of \(Limits.shown(bytes: limits.memory))", code: "limit-exceeded"))
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
    }

    /// Every parameter's value, in the order of `checked.parameters`: the given ones, else the
    /// defaults. Throws for data or parameters that do not fit the program, all problems at once.
    /// With `readingRecord`, also the first row's cell of every column read (of tables of one row).
    private func validated(
        _ data: [String: DataTable], parameters: [String: Value], readingRecord: Bool = false
    ) throws(DiagnosticList) -> (parameters: [Value], record: [ValueEvaluation.Field]) {
        var problems: [Diagnostic] = []
        var record: [ValueEvaluation.Field] = []
        if schemas == nil, checked.columnsUsed.values.contains(where: { !$0.isEmpty }) {
            problems.append(Diagnostic(message: "the program was checked without data; compile it with the data's schema to evaluate it"))
        }
        for (table, columns) in columnsRead where schemas != nil {
            guard let dataTable = data[table] else {
                problems.append(Diagnostic(message: table.isEmpty ? "no data was given" : "no table '\(table)' was given"))
                continue
            }
            for (name, expected) in columns {
                let shown = table.isEmpty ? name : "\(table).\(name)"
                guard let column = dataTable[name] else {
                    problems.append(Diagnostic(message: "the data has no column '\(shown)'", code: "unknown-column"))
                    continue
                }
                // A column without values fits any program; otherwise the types must be those checked.
                if let expected, !column.isAllNull, column.type != expected {
                    problems.append(Diagnostic(message: "column '\(shown)' is \(column.type) in the data, but the program was checked with \(expected)"))
                }
                if readingRecord, column.count > 0 {
                    let cell: ValueEvaluation.Cell = column.errors.message(at: 0).map { .failure(FunctionError($0)) } ?? .success(column[0])
                    record.append(ValueEvaluation.Field(table: table, name: name, cell: cell))
                }
            }
        }
        let values = parameterValues(parameters, problems: &problems)
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        return (values, record)
    }

    /// Every parameter's value, in the order of `checked.parameters`: the given ones, else the
    /// defaults; an unknown name or a value of another type is a problem.
    func parameterValues(_ parameters: [String: Value], problems: inout [Diagnostic]) -> [Value] {
        var values = checked.parameters.map(\.defaultValue)
        func give(_ name: String, _ value: Value) {
            guard let position = parameterNames.firstIndex(of: name) else {
                let suggestion = closestName(to: name, among: checked.parameters.map(\.name))
                problems.append(Diagnostic(message: "unknown parameter '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), code: "unknown-parameter"))
                return
            }
            let parameter = checked.parameters[position]
            guard value.type == parameter.type || value.isNull else {
                problems.append(
                    Diagnostic(
                        message:
                            "parameter '\(name)' must be \(CheckerMessages.article(parameter.type)), but got \(CheckerMessages.article(value.type))",
                        code: "type-mismatch"))
                return
            }
            values[position] = value
        }
        // Sorted, so that problems come in one order; one needs no sorting.
        if parameters.count <= 1 {
            for (name, value) in parameters { give(name, value) }
        } else {
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { give(name, value) }
        }
        return values
    }

    /// The tables after the program's `where`s, and the parameter values by name; a failed
    /// `where`'s message. Throws for data or parameters that do not fit the program.
    func prepared(
        _ data: [String: DataTable], parameters: [String: Value]
    ) throws(DiagnosticList) -> (tables: [String: DataTable], parameters: [String: Value], filterFailure: String?) {
        let given = try validated(data, parameters: parameters).parameters
        let values = Dictionary(zip(checked.parameters.map(\.name), given)) { first, _ in first }
        var filtered = data
        for filter in checked.filters {
            guard let table = filtered[filter.table] else { continue }
            var evaluator = Evaluator(program: checked, plan: plan, tables: filtered, parameters: values, stop: StopConditions(limits: limits, cancellation: nil))
            switch evaluator.keepingRows(of: table, where: filter.predicate) {
            case .success(let kept): filtered[filter.table] = kept
            case .failure(let error): return (filtered, values, "a 'where' of the file failed: \(error.message)")
            }
        }
        return (filtered, values, nil)
    }

    func result(of index: Int, outcomes: [Evaluator.DefinitionOutcome], evaluator: inout Evaluator) -> KPIResult {
        let definition = checked.definitions[index]
        let value: KPIValue
        var assessment: Assessment?
        switch outcomes[index] {
        case .failed(let message):
            value = .single(.error(message))
        case .column(let column):
            if let grouping = definition.grouping, case .success(let groups) = evaluator.groupIndex(grouping.level) {
                // The index orders keys as the level does; the output as the `by` wrote them.
                let positions = grouping.writtenPositions
                let rows = groups.keys.enumerated().map { group, keys in
                    let (judged, assessment) = Program.judged(outcomes[index].cell(group), of: definition) { outcomes[$0].cell(group) }
                    var row = GroupRow(keys: positions.map { keys[$0] }, outcome: judged, assessment: assessment)
                    row.errorSource = source(of: judged, evaluator)
                    return row
                }
                let ordered = positions == Array(positions.indices) ? rows : rows.sorted { a, b in
                    for (left, right) in zip(a.keys, b.keys) where left != right { return Value.sortsBefore(left, right) }
                    return false
                }
                value = .grouped(keyNames: grouping.keyNames, rows: ordered)
            } else {
                let judged: Outcome
                (judged, assessment) = Program.judged(column.count > 0 ? outcomes[index].cell(0) : .value(.null), of: definition) {
                    outcomes[$0].cell(0)
                }
                value = .single(judged)
            }
        }
        var result = KPIResult(
            name: definition.name, description: definition.description, format: definition.format, value: value, assessment: assessment,
            isJudged: definition.thresholds != nil)
        if case .single(let outcome) = value { result.errorSource = source(of: outcome, evaluator) }
        return result
    }

    /// Where a failed cell's error arose, as the evaluator recorded it.
    private func source(of outcome: Outcome, _ evaluator: Evaluator) -> SourceSpan? {
        guard case .error(let message) = outcome else { return nil }
        // A level's failure carries the level's own message after its prefix.
        let inner = message.range(of: " level failed: ").map { String(message[$0.upperBound...]) } ?? message
        guard let (file, range) = evaluator.errorOrigins[message] ?? evaluator.errorOrigins[inner], let text = checked.sources[file] else { return nil }
        return SourceSpan(file: file, start: text.location(of: range.start), end: text.location(of: range.end))
    }
}

extension Evaluator.DefinitionOutcome {
    /// The value or error of one row, as results hold it (a single value serves every row).
    func cell(_ row: Int) -> Outcome {
        switch self {
        case .failed(let message): return .error(message)
        case .column(let column):
            let position = column.count == 1 ? 0 : row
            guard position < column.count else { return .value(.null) }
            if let message = column.errors.message(at: position) { return .error(message) }
            return .value(column[position])
        }
    }
}

extension Program {
    /// For a program compiled without the schemas of its tables: the column types its formulas'
    /// uses call for (a number where it is summed, a date where its month is taken; text where
    /// nothing decides), by table ("" the default one). Compiling again with them gives a
    /// program whose SQL reads each column as that type, cast where the engine's column differs.
    public var columnTypesFromUse: [String: Schema] { checked.columnTypesFromUse() }
}
