/// Evaluates a checked program over a data table, a whole column at a time.
///
/// Definitions are evaluated in dependency order and each is computed once; a failure stays
/// in the cell (KPI or group row) where it happened.
struct Evaluator {
    let program: CheckedProgram
    let table: DataTable
    let parameters: [String: Value]
    private var values: [DefinitionOutcome] = []
    private var groupIndexes: [GroupingID: Result<GroupIndex, FunctionError>] = [:]

    enum DefinitionOutcome {
        /// One cell, or one per row, or one per group of the definition's grouping.
        case column(Column)
        case failed(String)
    }

    init(program: CheckedProgram, table: DataTable, parameters: [String: Value]) {
        self.program = program
        self.table = table
        self.parameters = parameters
    }

    /// Evaluates every definition; returns their outcomes, indexed like `program.definitions`.
    mutating func run() -> [DefinitionOutcome] {
        for definition in program.definitions {
            values.append(evaluate(definition))
        }
        return values
    }

    /// The group index of a grouping, built on first use.
    mutating func groupIndex(_ id: GroupingID) -> Result<GroupIndex, FunctionError> {
        if let known = groupIndexes[id] { return known }
        guard let grouping = program.groupings[id] else {
            preconditionFailure("the checker registers every grouping it hands out")
        }
        let keyColumns = grouping.keys.map { evaluate($0) }
        let index = GroupIndex.build(keyColumns: keyColumns, rowCount: table.rowCount)
        groupIndexes[id] = index
        return index
    }

    private mutating func evaluate(_ definition: CheckedDefinition) -> DefinitionOutcome {
        if let grouping = definition.grouping {
            switch groupIndex(grouping.id) {
            case .failure(let error): return .failed(error.message)
            case .success(let index):
                let column = evaluate(definition.value)
                // A single value in a grouped definition is the same for every group.
                return .column(column.count == 1 && index.count != 1 ? column.gathering([Int](repeating: 0, count: index.count)) : column)
            }
        }
        return .column(evaluate(definition.value))
    }

    /// The number of cells a value of this shape has.
    mutating func length(of shape: Shape) -> Int {
        switch shape {
        case .scalar: return 1
        case .rows: return table.rowCount
        case .groups(let id):
            switch groupIndex(id) {
            case .success(let index): return index.count
            case .failure: return 1
            }
        }
    }

    mutating func evaluate(_ expression: TypedExpression) -> Column {
        switch expression.kind {
        case .constant(let value):
            return Column(repeating: value, type: expression.type, count: 1)
        case .column(let name):
            guard let column = table[name] else { preconditionFailure("the program was checked against this table's schema") }
            return column
        case .parameter(let name):
            return Column(repeating: parameters[name] ?? .null, type: expression.type, count: 1)
        case .definition(let index):
            switch values[index] {
            case .column(let column): return column
            case .failed(let message):
                var column = Column.nulls(expression.type, count: 1)
                column.errors = RowErrors(everyRow: message)
                return column
            }
        case .negate(let operand):
            let column = evaluate(operand)
            return Column.mapNumbers(column, count: column.count) { -$0 }
        case .not(let operand):
            let column = evaluate(operand)
            var result = Column(booleans: column.booleans.map { !$0 }, nulls: column.nulls)
            result.errors = column.errors
            return result
        case .binary(let op, let left, let right):
            return evaluateBinary(op, left, right, count: length(of: expression.shape))
        case .nullTest(let operand, let isNull):
            let column = evaluate(operand)
            let count = column.count
            var result = Column(booleans: (0..<count).map { column.isNull($0) == isNull })
            result.errors = column.errors
            return result
        case .list:
            // Lists are read by `in` and by aggregates; the checker allows them nowhere else.
            return Column.nulls(expression.type, count: 1)
        case .call(let function, let arguments, let filter):
            let count = length(of: expression.shape)
            switch function.implementation {
            case .aggregate(let reduce):
                return aggregate(function, reduce, arguments, filter: filter, type: expression.type, shape: expression.shape)
            case .columnar(let compute):
                let columns = arguments.map { evaluate($0) }
                do {
                    return try compute(columns, count)
                } catch {
                    return failedColumn(expression.type, message: failureMessage(error))
                }
            case .scalar(let propagatesNull, let compute):
                let columns = arguments.map { evaluate($0) }
                return Column.mapValues(columns, count: count, type: expression.type, propagatesNull: propagatesNull, compute)
            }
        }
    }

    /// The values of a list argument, evaluated element by element.
    mutating func listValues(_ expression: TypedExpression) -> [Value] {
        switch expression.kind {
        case .constant(.list(let elements)):
            return elements
        case .list(let elements):
            return elements.map { element in
                let column = evaluate(element)
                return column.errors.message(at: 0) == nil ? column[0] : .null
            }
        case .definition(let index) where expression.type.isList:
            return listValues(program.definitions[index].value)
        default:
            let column = evaluate(expression)
            return column.count == 0 ? [] : [column[0]]
        }
    }

    func failedColumn(_ type: KipiType, message: String) -> Column {
        var column = Column.nulls(type, count: 1)
        column.errors = RowErrors(everyRow: message)
        return column
    }

    /// Evaluates an expression with no data and no parameters, as the checker folds constants.
    static func constantValue(of expression: TypedExpression) -> Result<Value, FunctionError> {
        let empty = CheckedProgram(definitions: [], kpis: [], parameters: [], groupings: [:], columnsUsed: [])
        var evaluator = Evaluator(program: empty, table: .empty, parameters: [:])
        let column = evaluator.evaluate(expression)
        if let message = column.errors.message(at: 0) { return .failure(FunctionError(message)) }
        return .success(column.count > 0 ? column[0] : .null)
    }
}
