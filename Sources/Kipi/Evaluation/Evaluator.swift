/// Evaluates a checked program over a data table, a whole column at a time.
///
/// Definitions are evaluated in dependency order and each is computed once; a failure stays
/// in the cell (KPI or group row) where it happened. Every decision was made by the checker
/// and the plan: the evaluator only executes the tree.
struct Evaluator: Sendable {
    let program: CheckedProgram
    /// How each aggregate is reduced.
    let plan: ProgramPlan
    /// The data, by table name ("" is the default table).
    let tables: [String: DataTable]
    let parameters: [String: Value]
    private(set) var values: [DefinitionOutcome] = []
    private var groupIndexes: [Level: Result<GroupIndex, FunctionError>] = [:]
    private var mappings: [[Level]: Result<[Int], FunctionError>] = [:]
    private var rowGroups: [RowGroupsKey: Result<[Int32], FunctionError>] = [:]
    /// When set, every node's result by node id, and what each aggregate reduced: for `explain`.
    var trace: Trace?
    /// Limits, deadline and cancellation: once one stops the evaluation, every column is a failure.
    var stop: StopConditions
    /// The same, as cell loops and host functions read it during `run`.
    private(set) var signal: StopSignal?
    /// Where each evaluation error message first arose: the deepest node whose column holds it
    /// (children are computed before their parents), by file and range.
    private(set) var errorOrigins: [String: (file: String, range: SourceRange)] = [:]
    /// When set, expressions over this table's rows compute only these rows (see `reducedInChunks`).
    var rowChunk: RowChunk?

    /// What an evaluation computed on the way, kept for explaining it.
    struct Trace {
        var columns: [Int: Column] = [:]
        var aggregates: [Int: AggregateTrace] = [:]
    }

    /// For each result cell of an aggregate: the elements in its scope, those its `where` kept,
    /// and those it reduced (kept and not null).
    struct AggregateTrace {
        var scope: [Int]
        var kept: [Int]
        var used: [Int]
    }

    private struct RowGroupsKey: Hashable {
        var level: Level
        var table: String
    }

    enum DefinitionOutcome {
        /// One cell, or one per row, or one per group of the definition's level.
        case column(Column)
        case failed(String)
    }

    init(program: CheckedProgram, plan: ProgramPlan, tables: [String: DataTable], parameters: [String: Value], stop: StopConditions) {
        self.program = program
        self.plan = plan
        self.tables = tables
        self.parameters = parameters
        self.stop = stop
    }

    /// The number of rows of a table.
    func rowCount(of table: String) -> Int { tables[table]?.rowCount ?? 0 }

    /// Evaluates every definition, or only those `needed`; returns their outcomes, indexed like
    /// `program.definitions` (one not needed is a failure that nothing reads).
    mutating func run(only needed: Set<Int>? = nil) -> [DefinitionOutcome] {
        signal = stop.signal
        return StopSignal.$current.withValue(signal) { evaluateAll(only: needed) }
    }

    private mutating func evaluateAll(only needed: Set<Int>?) -> [DefinitionOutcome] {
        for (index, definition) in program.definitions.enumerated() {
            if let needed, !needed.contains(index) {
                values.append(.failed("not evaluated"))
                continue
            }
            values.append(evaluate(definition))
        }
        return values
    }

    /// The group index of a level, built on first use from its keys' values in the rows of its tables.
    mutating func groupIndex(_ level: Level) -> Result<GroupIndex, FunctionError> {
        if let known = groupIndexes[level] { return known }
        var parts: [GroupIndex.Part] = []
        for table in level.tableNames {
            switch keyColumns(of: level, in: table) {
            case .success(let columns): parts.append(GroupIndex.Part(table: table, keyColumns: columns, rowCount: rowCount(of: table)))
            case .failure(let error):
                groupIndexes[level] = .failure(error)
                return .failure(error)
            }
        }
        let signal = signal
        var index = GroupIndex.build(parts) { signal?.isStopped ?? false }
        if case .failure = index, let reason = stop.check() { index = .failure(FunctionError(reason)) }
        if case .success(let built) = index, built.keys.count > stop.limits.groups {
            // A limit reached stops the whole evaluation, as rows, memory and time do.
            let reason = "'by \(level)' makes \(built.keys.count) groups, more than the limit of \(stop.limits.groups)"
            stop.stop(because: reason)
            index = .failure(FunctionError(reason))
        }
        groupIndexes[level] = index
        return index
    }

    /// The values of a level's keys in each row of a table.
    private mutating func keyColumns(of level: Level, in table: String) -> Result<[Column], FunctionError> {
        var columns: [Column] = []
        let count = rowCount(of: table)
        for key in level.keys {
            guard let expression = program.keyExpressions[key]?[table] else {
                return .failure(FunctionError(CheckerMessages.keyNotSupplied(table, key)))
            }
            let column = evaluate(expression)
            columns.append(column.count == count ? column : column.broadcasting([Int](repeating: 0, count: count)))
        }
        return .success(columns)
    }

    /// The group of a level each row of a table is in; -1 for a row whose keys make no group.
    mutating func groupOfRows(_ level: Level, in table: String) -> Result<[Int32], FunctionError> {
        let cacheKey = RowGroupsKey(level: level, table: table)
        if let known = rowGroups[cacheKey] { return known }
        let result: Result<[Int32], FunctionError>
        switch groupIndex(level) {
        case .failure(let error): result = .failure(error)
        case .success(let index):
            if let known = index.groupOfRow[table] {
                result = .success(known)
            } else {
                result = keyColumns(of: level, in: table).map { columns in
                    (0..<rowCount(of: table)).map { row in Int32(index.lookup[columns.map { $0[row] }] ?? -1) }
                }
            }
        }
        rowGroups[cacheKey] = result
        return result
    }

    /// For each group of `finer`, the group of `coarser` (whose keys are some of `finer`'s) that
    /// contains it; -1 where there is none.
    mutating func groupMapping(from finer: Level, to coarser: Level) -> Result<[Int], FunctionError> {
        if let known = mappings[[finer, coarser]] { return known }
        let result: Result<[Int], FunctionError>
        switch (groupIndex(finer), groupIndex(coarser)) {
        case (.failure(let error), _), (_, .failure(let error)):
            result = .failure(error)
        case (.success(let fine), .success(let coarse)):
            let positions = coarser.keys.compactMap { finer.keys.firstIndex(of: $0) }
            result = .success(fine.keys.map { keys in coarse.lookup[positions.map { keys[$0] }] ?? -1 })
        }
        mappings[[finer, coarser]] = result
        return result
    }

    private mutating func evaluate(_ definition: CheckedDefinition) -> DefinitionOutcome {
        guard let grouping = definition.grouping else { return .column(evaluate(definition.value)) }
        switch groupIndex(grouping.level) {
        case .failure(let error): return .failed(error.message)
        case .success(let index):
            let column = evaluate(definition.value)
            // A single value in a grouped definition is the same for every group.
            return .column(column.count == 1 && index.count != 1 ? column.broadcasting([Int](repeating: 0, count: index.count)) : column)
        }
    }

    /// The rows of `table` where `predicate` holds (a top-level `where`).
    mutating func keepingRows(of table: DataTable, where predicate: TypedExpression) -> Result<DataTable, FunctionError> {
        let mask = evaluate(predicate)
        if let message = mask.errors.firstMessage(in: 0..<mask.count) { return .failure(FunctionError(message)) }
        let flags = mask.booleans
        let stride = mask.count == 1 ? 0 : 1
        let kept = (0..<table.rowCount).filter { row in !mask.isNull(row * stride) && flags[row * stride] }
        return table.keeping(rows: kept).mapError { FunctionError($0.description) }
    }

    /// The number of cells a value of this shape has.
    mutating func length(of shape: Shape) -> Int {
        switch shape {
        case .scalar: return 1
        case .rows(let table) where rowChunk?.table == table: return rowChunk?.rows.count ?? 0
        case .rows(let table): return rowCount(of: table)
        case .groups(let level):
            switch groupIndex(level) {
            case .success(let index): return index.count
            case .failure: return 1
            }
        }
    }

    mutating func evaluate(_ expression: TypedExpression) -> Column {
        if let reason = stop.check() { return failedColumn(expression.type, message: reason) }
        let column = computed(expression)
        trace?.columns[expression.id] = column
        if !column.errors.isEmpty { noteErrorOrigins(column.errors, expression) }
        return column
    }

    private mutating func computed(_ expression: TypedExpression) -> Column {
        if let folded = expression.folded {
            return Column(repeating: folded, type: expression.type, count: 1)
        }
        switch expression.kind {
        case .literal(let value):
            return Column(repeating: value, type: expression.type, count: 1)
        case .column(let table, let name):
            guard let column = tables[table]?[name] else { return failedColumn(expression.type, message: "the data has no column '\(name)'") }
            return windowed(column, table: table)
        case .parameter(let name):
            return Column(repeating: parameters[name] ?? .null, type: expression.type, count: 1)
        case .definition(let index):
            switch values[index] {
            case .column(let column): return program.definitions[index].grouping == nil ? windowed(column, table: nil) : column
            case .failed(let message): return failedColumn(expression.type, message: message)
            }
        case .negate(let operand):
            let column = evaluate(operand)
            return Column.mapNumbers(column, count: column.count, overwriting: ownsColumn(operand)) { -$0 }
        case .percent(let operand):
            let column = evaluate(operand)
            return Column.mapNumbers(column, count: column.count, overwriting: ownsColumn(operand)) { $0 / 100 }
        case .not(let operand):
            let column = evaluate(operand)
            var result = Column(booleans: column.booleans.map { !$0 }, nulls: column.nulls)
            result.errors = column.errors
            return result
        case .arithmetic(let arithmetic, let left, let right):
            return self.arithmetic(
                arithmetic, evaluate(left), evaluate(right), type: expression.type, count: length(of: expression.shape),
                overwriting: (ownsColumn(left), ownsColumn(right)))
        case .comparison(let op, let left, let right):
            return compare(op, evaluate(left), evaluate(right), count: length(of: expression.shape))
        case .concatenation(let left, let right):
            return concatenation(evaluate(left), evaluate(right), count: length(of: expression.shape))
        case .logical(let op, let left, let right):
            return logical(op == .and, evaluate(left), evaluate(right), count: length(of: expression.shape))
        case .membership(let left, let right):
            let column = evaluate(left)
            switch listValues(right) {
            case .success(let list): return membership(column, in: list, count: length(of: expression.shape))
            case .failure(let error): return failedColumn(.boolean, message: error.message)
            }
        case .nullTest(let operand, let isNull):
            let column = evaluate(operand)
            var result = Column(booleans: (0..<column.count).map { column.isNull($0) == isNull })
            result.errors = column.errors
            return result
        case .list:
            // Lists are read by `in` and by aggregates through `listValues`.
            return Column.nulls(expression.type, count: 1)
        case .call(let function, let arguments):
            let count = length(of: expression.shape)
            let columns = arguments.map { evaluate($0) }
            switch function.implementation {
            case .columnar(let compute):
                do {
                    let result = try function.calling { try compute(columns, count) }
                    guard result.count == count || result.count == 1 else {
                        return failedColumn(expression.type, message: FunctionMessages.wrongCellCount(function.name, result.count, count))
                    }
                    if let violation = function.violation(in: result, type: expression.type) {
                        return failedColumn(expression.type, message: violation)
                    }
                    return result
                } catch {
                    return failedColumn(expression.type, message: error.message)
                }
            case .scalar(let propagatesNull, let compute):
                let declared = expression.type
                // A stop is seen before each call: a cancellation at once, the clock every 32 calls.
                var calls = 0
                let signal = signal
                let stopped = {
                    calls += 1
                    guard let signal else { return false }
                    return signal.isCancelled || (calls & 31 == 0 && signal.isStopped)
                }
                let column = Column.mapValues(columns, count: count, type: declared, propagatesNull: propagatesNull, stopping: stopped) { cells in
                    let value = try function.calling { try compute(cells) }
                    guard FunctionDefinition.fits(value, declared) else {
                        throw FunctionError(FunctionMessages.wrongType(function.name, value.type, declared))
                    }
                    return value
                }
                if let reason = stop.check() { return failedColumn(expression.type, message: reason) }
                return column
            case .aggregate, .window:
                return failedColumn(expression.type, message: FunctionMessages.notCellByCell(function.name))
            }
        case .aggregate(let call):
            return aggregate(call, type: expression.type, shape: expression.shape, id: expression.id)
        case .window(let call):
            return window(call, type: expression.type)
        case .userCall(_, _, let expansion):
            return evaluate(expansion)
        case .broadcast(let operand):
            return broadcast(evaluate(operand), from: operand.shape, to: expression.shape)
        case .groupKey(let key):
            guard case .groups(let level) = expression.shape, let position = level.keys.firstIndex(of: key) else {
                return failedColumn(expression.type, message: "'\(key.description)' is not a key of these groups")
            }
            switch groupIndex(level) {
            case .success(let index): return Column(values: index.keys.map { $0[position] }, type: expression.type)
            case .failure(let error): return failedColumn(expression.type, message: error.message)
            }
        case .periodFromText(let operand):
            guard case .period(let grain) = expression.type else { return evaluate(operand) }
            return Column.mapValues([evaluate(operand)], count: length(of: expression.shape), type: expression.type, propagatesNull: true) {
                cells in
                guard let period = Period(reading: cells[0], as: grain) else {
                    throw FunctionError(FunctionMessages.notAPeriod(cells[0], grain))
                }
                return .period(period)
            }
        }
    }

    /// The rows of the row window of a column of all of a table's rows (for a definition's
    /// column, of any table: the window's, as only those are computed in a window).
    private func windowed(_ column: Column, table: String?) -> Column {
        guard let rowChunk, table == nil || table == rowChunk.table, column.count == rowCount(of: rowChunk.table), column.count != 1 else {
            return column
        }
        return column.slice(rowChunk.rows)
    }

    /// Whether the column an expression evaluates to is made for it alone (an operator's
    /// result), so that the operator reading it may write its own result over it. Columns of
    /// the data, of definitions and of the trace are shared, and are never overwritten.
    private func ownsColumn(_ expression: TypedExpression) -> Bool {
        guard trace == nil, expression.folded == nil else { return false }
        switch expression.kind {
        case .arithmetic(.number, _, _), .negate, .percent: return true
        default: return false
        }
    }

    /// A value of a coarser shape repeated over a finer one: each group's value over its rows,
    /// or over the finer groups inside it.
    private mutating func broadcast(_ column: Column, from source: Shape, to target: Shape) -> Column {
        guard case .groups(let coarse) = source else { return column }
        let sources: Result<[Int], FunctionError>
        switch target {
        case .scalar: return column
        case .rows(let table): sources = groupOfRows(coarse, in: table).map { $0.map(Int.init) }
        case .groups(let fine): sources = groupMapping(from: fine, to: coarse)
        }
        switch sources {
        case .success(let sources): return column.broadcasting(sources)
        case .failure(let error): return failedColumn(column.type, message: error.message)
        }
    }

    /// The values of a list argument, evaluated element by element; a failed element fails the
    /// list, as an error inside an Excel array fails the function that reads it.
    mutating func listValues(_ expression: TypedExpression, skippingErrors: Bool = false) -> Result<[Value], FunctionError> {
        if case .list(let elements)? = expression.folded { return .success(elements) }
        switch expression.kind {
        case .literal(.list(let elements)):
            return .success(elements)
        case .list(let elements):
            var values: [Value] = []
            for element in elements {
                let column = evaluate(element)
                if let message = column.errors.message(at: 0) {
                    if skippingErrors {
                        values.append(.null)
                        continue
                    }
                    return .failure(FunctionError(message))
                }
                values.append(column.count == 0 ? .null : column[0])
            }
            return .success(values)
        case .definition(let index) where expression.type.isList:
            return listValues(program.definitions[index].value, skippingErrors: skippingErrors)
        case .userCall(_, _, let expansion):
            return listValues(expansion, skippingErrors: skippingErrors)
        default:
            let column = evaluate(expression)
            if let message = column.errors.message(at: 0) { return .failure(FunctionError(message)) }
            return .success(column.count == 0 ? [] : [column[0]])
        }
    }

    /// Records where new messages arose: a few per node, as a column may fail row by row.
    private mutating func noteErrorOrigins(_ errors: RowErrors, _ expression: TypedExpression) {
        if let message = errors.everyRow {
            if errorOrigins[message] == nil { errorOrigins[message] = (expression.file, expression.range) }
            return
        }
        for message in errors.rows.values.prefix(64) where errorOrigins[message] == nil {
            errorOrigins[message] = (expression.file, expression.range)
        }
    }

    func failedColumn(_ type: KipiType, message: String) -> Column {
        var column = Column.nulls(type, count: 1)
        column.errors = RowErrors(everyRow: message)
        return column
    }

    /// Evaluates an expression with no data and no parameters, as the checker folds constants.
    static func constantValue(of expression: TypedExpression) -> Result<Value, FunctionError> {
        var evaluator = Evaluator(
            program: .empty, plan: ProgramPlan(.empty, cores: 1), tables: [:], parameters: [:], stop: StopConditions(limits: .standard, cancellation: nil))
        let column = evaluator.evaluate(expression)
        if let message = column.errors.message(at: 0) { return .failure(FunctionError(message)) }
        return .success(column.count > 0 ? column[0] : .null)
    }
}
