/// How a checked program runs, decided once when a `Program` is made, as cel-go's planner and
/// DuckDB's physical planner decide it before anything runs: which values can fail, which read
/// only their own row, how each aggregate is computed, whether the program can be evaluated value
/// by value, and how the KPIs are split over the machine's cores. The evaluator (and so explain,
/// which runs it), the SQL generator and prepared formulas read it beside the checked program
/// and work none of it out again.
struct ProgramPlan: Sendable {
    /// For each definition, whether its value can be an evaluation error, following the
    /// definitions it reads.
    let definitionCanFail: [Bool]
    /// The row-level definitions computed from their own row alone (columns, constants, operators,
    /// functions and other such definitions): SQL computes each once, as a column of its rows.
    let rowLocalDefinitions: Set<Int>
    /// Each aggregate call's plan, by the id of its node.
    let aggregates: [Int: AggregatePlan]
    /// The tables read when every definition can be computed value by value with one row in
    /// each table (a record); nil when some cannot.
    let valueByValueTables: Set<String>?
    /// Which definitions each core computes over large data.
    var cores: CoreSplit

    init(_ program: CheckedProgram, cores count: Int) {
        var canFail: [Bool] = []
        for definition in program.definitions { canFail.append(Self.canFail(definition.value, definitionCanFail: canFail)) }
        definitionCanFail = canFail
        var rowLocal: Set<Int> = []
        for (index, definition) in program.definitions.enumerated() {
            guard case .rows(let table) = definition.value.shape,
                Self.readsOwnRow(definition.value, of: table, for: .sql, leaf: { rowLocal.contains($0) || program.definitions[$0].value.constantValue != nil })
            else { continue }
            rowLocal.insert(index)
        }
        rowLocalDefinitions = rowLocal
        var aggregates: [Int: AggregatePlan] = [:]
        func plan(_ node: TypedExpression) {
            node.forEachNode { node in
                if case .aggregate(let call) = node.kind { aggregates[node.id] = AggregatePlan(call, program, rowLocal: rowLocal) }
            }
        }
        for definition in program.definitions { plan(definition.value) }
        for filter in program.filters { plan(filter.predicate) }
        for expressions in program.keyExpressions.values { expressions.values.forEach(plan) }
        self.aggregates = aggregates
        valueByValueTables = Self.valueByValueTables(program)
        self.cores = CoreSplit(program, cores: count)
    }

    /// Whether a node's value can be an evaluation error: a division, a power, a function, an
    /// aggregate or window, a period read from text, or a definition that can fail.
    static func canFail(_ node: TypedExpression, definitionCanFail: [Bool]) -> Bool {
        var fails = false
        node.forEachNode { child in
            switch child.kind {
            case .arithmetic(.number(.divide), _, _), .arithmetic(.number(.power), _, _), .aggregate, .window, .call, .periodFromText:
                if child.folded == nil { fails = true }
            case .definition(let index):
                if index < definitionCanFail.count ? definitionCanFail[index] : true { fails = true }
            default:
                break
            }
        }
        return fails
    }

    /// Who computes a value from its row: the evaluator calls a columnar function with whole
    /// columns (a host's may read more than its own cell), SQL writes every function per row.
    enum RowReader { case evaluator, sql }

    /// Whether every node of an expression over `table`'s rows reads only the row it computes:
    /// columns, constants, operators, cell-by-cell functions, and the definitions `leaf` allows.
    static func readsOwnRow(_ expression: TypedExpression, of table: String, for reader: RowReader, leaf: (Int) -> Bool) -> Bool {
        func own(_ node: TypedExpression) -> Bool { readsOwnRow(node, of: table, for: reader, leaf: leaf) }
        switch expression.shape {
        case .scalar: if expression.folded != nil { return true }
        case .rows(let rows) where rows == table: break
        case .rows, .groups: return false
        }
        switch expression.kind {
        case .literal, .parameter: return true
        case .groupKey: return false
        case .column(let rows, _): return rows == table
        case .definition(let index): return leaf(index)
        case .negate(let operand), .not(let operand), .percent(let operand), .nullTest(let operand, _), .periodFromText(let operand):
            return own(operand)
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right), .concatenation(let left, let right),
            .logical(_, let left, let right):
            return own(left) && own(right)
        case .membership(let operand, let list):
            return own(operand) && list.shape == .scalar
        case .call(let function, let arguments):
            switch (function.implementation, reader) {
            case (.scalar, _), (.columnar, .sql): return arguments.allSatisfy(own)
            case (.columnar, .evaluator), (.aggregate, _), (.window, _): return false
            }
        case .userCall(_, _, let expansion):
            return own(expansion)
        case .aggregate(let call):
            // SQL writes an aggregate of lists (`lookup(answer, keys, points)`) per row like a function.
            guard reader == .sql, case .list = call.domain else { return false }
            return call.arguments.allSatisfy(own) && (call.filter.map(own) ?? true)
        case .list, .window, .broadcast:
            return false
        }
    }

    /// The tables a program reads if every definition can be computed value by value (no `by`,
    /// windows, lists or filters), when each of them has one row; nil if some cannot.
    private static func valueByValueTables(_ program: CheckedProgram) -> Set<String>? {
        var tables: Set<String> = []
        guard program.filters.isEmpty, program.definitions.allSatisfy({ $0.grouping == nil && computedByValue($0.value, reading: &tables) }) else {
            return nil
        }
        return tables
    }

    private static func computedByValue(_ expression: TypedExpression, reading tables: inout Set<String>) -> Bool {
        switch expression.shape {
        case .scalar: break
        case .rows(let table): tables.insert(table)
        case .groups: return false
        }
        // Lists are read by `in` and aggregates, not held as a value.
        if expression.type.isList { return false }
        if expression.folded != nil { return true }
        func byValue(_ operand: TypedExpression) -> Bool { computedByValue(operand, reading: &tables) }
        switch expression.kind {
        case .literal, .parameter, .definition, .column: return true
        case .aggregate(let call):
            guard call.partition == nil, case .rows(let table) = call.domain, case .aggregate = call.function.implementation else { return false }
            tables.insert(table)
            return call.arguments.allSatisfy(byValue) && (call.filter.map(byValue) ?? true)
        case .negate(let operand), .percent(let operand), .not(let operand), .nullTest(let operand, _), .broadcast(let operand):
            return byValue(operand)
        case .arithmetic(.number, let left, let right), .logical(_, let left, let right):
            return byValue(left) && byValue(right)
        case .comparison(_, let left, let right):
            let comparable: Set<KipiType> = [.number, .text, .boolean, .null]
            return comparable.contains(left.type) && comparable.contains(right.type) && byValue(left) && byValue(right)
        case .call(let function, let arguments):
            switch function.implementation {
            case .scalar, .columnar: return arguments.allSatisfy(byValue)
            case .aggregate, .window: return false
            }
        case .userCall(_, _, let expansion): return byValue(expansion)
        case .arithmetic, .concatenation, .membership, .list, .window, .periodFromText, .groupKey: return false
        }
    }
}

/// How one aggregate call is computed.
struct AggregatePlan: Sendable {
    /// How the evaluator reduces it.
    enum Strategy: Sendable, Equatable {
        /// The function's one-pass reduction over its table's rows, the collection and filter
        /// computed a chunk of rows at a time: no column as long as the table is made.
        case onePassByChunks
        /// The function's one-pass reduction over the computed collection, part by part, without
        /// gathering each group's values.
        case onePass
        /// Each group's values gathered and given to the function.
        case gathered
    }

    var strategy: Strategy
    /// Whether its collections and filter read only their own row and row-local definitions:
    /// SQL then reduces every group at once, with one GROUP BY.
    var readsOnlyOwnRows: Bool

    init(_ call: AggregateCall, _ program: CheckedProgram, rowLocal: Set<Int>) {
        let collections = call.roles.filter { $0 == .collection }.count
        let onlyCollections = call.roles.allSatisfy { $0 == .collection }
        func ownRows(_ reader: ProgramPlan.RowReader, _ leaf: (Int) -> Bool) -> Bool {
            guard case .rows(let table) = call.domain else { return false }
            let collections = call.arguments.indices.filter { call.roles[$0] == .collection }.map { call.arguments[$0] }
            return collections.allSatisfy { ProgramPlan.readsOwnRow($0, of: table, for: reader, leaf: leaf) }
                && (call.filter.map { ProgramPlan.readsOwnRow($0, of: table, for: reader, leaf: leaf) } ?? true)
        }
        // The evaluator has every definition without groups computed before the aggregate reads it.
        let computedByChunks = ownRows(.evaluator) { program.definitions[$0].grouping == nil }
        switch (call.function.reduction, call.domain) {
        case (nil, _), (_, .list): strategy = .gathered
        case (_?, .rows) where call.arguments.count <= 1 && onlyCollections && computedByChunks: strategy = .onePassByChunks
        case (_?, _) where collections <= 1 && onlyCollections: strategy = .onePass
        case (_?, _): strategy = .gathered
        }
        readsOnlyOwnRows = ownRows(.sql) { rowLocal.contains($0) || program.definitions[$0].value.constantValue != nil }
    }
}
