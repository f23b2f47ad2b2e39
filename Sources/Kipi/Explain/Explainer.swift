import Foundation

/// Builds an explanation from the checked program and one traced evaluation: every value shown
/// is one the evaluator computed, read for the explained group row. There is no second evaluator.
struct Explainer {
    let program: CheckedProgram
    var evaluator: Evaluator
    /// The explained KPI's level and group row (an index into the level's group index).
    let level: Level?
    let group: Int?
    /// How tables are named to people: by their name, the default table by its file's.
    var tableNames: [String: String] = [:]

    /// How many levels of references below the KPI are expanded.
    static let maximumDepth = 24

    mutating func node(_ expression: TypedExpression, depth: Int = 0) -> ExplanationNode? {
        switch expression.kind {
        case .broadcast(let operand) where expression.folded == nil, .periodFromText(let operand) where expression.folded == nil:
            return node(operand, depth: depth)
        default:
            break
        }
        guard let column = evaluator.trace?.columns[expression.id] else { return listNode(expression) }
        let cells = self.cells(of: expression.shape)
        var explained = ExplanationNode(
            expression: text(of: expression), value: value(column, cells: cells), format: expression.format, rows: nil, kept: nil,
            nulls: nil, note: nil, children: [])
        if expression.folded != nil { return explained }
        switch expression.kind {
        case .definition(let index):
            let definition = program.definitions[index]
            // An instance over a KPI's groups is named as the definition it was written as.
            let role = program.definitions[definition.instanceOf ?? index].role
            explained.note = role == .kpi ? "KPI \(definition.name)" : "let \(definition.name)"
            if let rows = rowsNote(definition, index: index, cells: cells) { explained.note? += "; " + rows }
            if depth < Explainer.maximumDepth, let child = node(definition.value, depth: depth + 1) { explained.children = [child] }
            return explained
        case .parameter(let name):
            explained.note = "param \(name)"
            return explained
        case .userCall(let name, _, let expansion):
            explained.note = "fn \(name)"
            if let child = node(expansion, depth: depth + 1) { explained.children = [child] }
            return explained
        case .aggregate(let call):
            if let trace = evaluator.trace?.aggregates[expression.id], let cell = cells.first, cells.count == 1, cell < trace.scope.count {
                explained.rows = trace.scope[cell]
                if case .rows = call.domain {} else { explained.countsRows = false }
                if call.filter != nil { explained.kept = trace.kept[cell] }
                explained.nulls = trace.kept[cell] - trace.used[cell]
            }
        case .window(let call):
            explained.note = windowNote(call, cells: cells)
        default:
            break
        }
        explained.children = expression.children.compactMap { node($0, depth: depth + 1) }
        return explained
    }

    /// For a grouped definition over the groups of several tables: whether the explained group had
    /// rows in the definition's own tables (none: it has its value for no rows).
    private mutating func rowsNote(_ definition: CheckedDefinition, index: Int, cells: [Int]) -> String? {
        guard let level = definition.grouping?.level, level.tableNames.count > 1, cells.count == 1, let cell = cells.first else { return nil }
        let own = program.definitions[definition.instanceOf ?? index].grouping?.level.tableNames ?? level.tableNames
        let counts = own.map { table -> String in
            guard case .success(let groups) = evaluator.groupOfRows(level, in: table) else { return "" }
            let rows = groups.lazy.filter { Int($0) == cell }.count
            return "\(rows == 0 ? "no" : String(rows)) row\(rows == 1 ? "" : "s") in \(name(of: table))"
        }
        return counts.joined(separator: ", ")
    }

    /// A table's name for people.
    func name(of table: String) -> String { tableNames[table] ?? (table.isEmpty ? "the default table" : table) }

    /// How many groups a level has, and the tables whose rows gave them.
    mutating func groupsSummary(_ level: Level) -> String? {
        guard case .success(let index) = evaluator.groupIndex(level) else { return nil }
        let sources = level.tableNames.filter { table in index.groupOfRow[table]?.contains { $0 >= 0 } ?? false }.map(name(of:))
        let listed = sources.count <= 1 ? sources.joined() : sources.dropLast().joined(separator: ", ") + " and " + (sources.last ?? "")
        return "\(index.count) group\(index.count == 1 ? "" : "s")" + (listed.isEmpty ? "" : ", from \(listed)")
    }

    /// A list, which aggregates read whole rather than as a column: its elements.
    private func listNode(_ expression: TypedExpression) -> ExplanationNode? {
        var list = expression
        var note: String?
        if case .definition(let index) = expression.kind {
            list = program.definitions[index].value
            note = "let \(program.definitions[index].name)"
        }
        guard case .list(let elements)? = list.constantValue else { return nil }
        return ExplanationNode(
            expression: text(of: expression), value: .values(count: elements.count, trueCount: nil, first: Array(elements.prefix(5))),
            format: expression.format, rows: nil, kept: nil, nulls: nil, note: note, children: [])
    }

    /// The cells of a value of `shape` that belong to the explained group row.
    private mutating func cells(of shape: Shape) -> [Int] {
        switch shape {
        case .scalar:
            return [0]
        case .rows(let table):
            guard let level, let group, case .success(let groups) = evaluator.groupOfRows(level, in: table) else {
                return Array(0..<evaluator.rowCount(of: table))
            }
            return groups.indices.filter { Int(groups[$0]) == group }
        case .groups(let nodeLevel):
            let count = evaluator.length(of: shape)
            guard let level, let group else { return Array(0..<count) }
            if nodeLevel == level { return [group] }
            if nodeLevel.isCoarser(orEqualTo: level), case .success(let mapping) = evaluator.groupMapping(from: level, to: nodeLevel) {
                return group < mapping.count && mapping[group] >= 0 ? [mapping[group]] : []
            }
            if level.isCoarser(orEqualTo: nodeLevel), case .success(let mapping) = evaluator.groupMapping(from: nodeLevel, to: level) {
                return mapping.indices.filter { mapping[$0] == group }
            }
            return Array(0..<count)
        }
    }

    private func value(_ column: Column, cells: [Int]) -> ExplainedValue {
        if column.count == 1 || cells.count == 1 {
            let cell = column.count == 1 ? 0 : cells[0]
            guard cell < column.count else { return .value(.null) }
            if let message = column.errors.message(at: cell) { return .error(message) }
            return .value(column[cell])
        }
        let inRange = cells.filter { $0 < column.count }
        if let message = inRange.lazy.compactMap({ column.errors.message(at: $0) }).first { return .error(message) }
        let trueCount: Int? =
            if case .boolean(let flags) = column.storage { inRange.filter { !column.isNull($0) && flags[$0] }.count } else { nil }
        return .values(count: inRange.count, trueCount: trueCount, first: inRange.prefix(3).map { column[$0] })
    }

    /// Which periods a window read for the group row: `previous` → the period n earlier.
    private mutating func windowNote(_ call: WindowCall, cells: [Int]) -> String? {
        guard cells.count == 1, let along = call.along, let position = call.level.keys.firstIndex(of: along),
            case .success(let index) = evaluator.groupIndex(call.level), cells[0] < index.keys.count
        else { return nil }
        let keys = index.keys[cells[0]]
        var target = keys
        // The window function declares what it reads; one that reads several groups has no note.
        func offset(_ defaultOffset: Int) -> Int {
            guard let argument = call.arguments.first, case .value(.number(let value))? = evaluator.trace?.columns[argument.id].map({ self.value($0, cells: [0]) })
            else { return defaultOffset }
            return Int(value)
        }
        switch (call.function.windowReads, keys[position]) {
        case (.offset(let defaultOffset)?, .period(let period)):
            target[position] = .period(Period(grain: period.grain, index: period.index - Int32(clamping: offset(defaultOffset))))
        case (.offset(let defaultOffset)?, .date(let date)):
            target[position] = .date(KipiDate(daysSinceEpoch: date.daysSinceEpoch - Int32(clamping: offset(defaultOffset))))
        case (.lastYear?, .period(let period)):
            guard let earlier = period.lastYear else { return nil }
            target[position] = .period(earlier)
        case (.lastYear?, .date(let date)):
            guard let earlier = date.sameDayLastYear else { return nil }
            target[position] = .date(earlier)
        default:
            return nil
        }
        let shown = CSVFormatter.plain(target[position])
        guard let read = index.lookup[target], let series = evaluator.trace?.columns[call.series.id] else {
            return "reads \(shown): no group (a gap)"
        }
        switch value(series, cells: [read]) {
        case .value(let value): return "reads \(shown): \(TableFormatter.text(value, call.series.format))"
        case .error(let message): return "reads \(shown): error: \(message)"
        case .values: return nil
        }
    }

    private func text(of expression: TypedExpression) -> String {
        program.sources[expression.file]?.text(of: expression.range) ?? expression.description
    }
}

extension Program {
    /// Explains one KPI: its definition and its expression tree with every node's value, for the
    /// group row whose keys `group` gives by key name (text as the CSV output writes it; the first
    /// row when empty). Costs one evaluation of the KPI and what it uses.
    public func explain(
        _ kpi: String, tables data: [String: DataTable], parameters: [String: Value] = [:], group: [String: String] = [:]
    ) throws(DiagnosticList) -> Explanation {
        guard let index = checked.kpis.first(where: { checked.definitions[$0].name == kpi }) else {
            let names = checked.kpis.map { checked.definitions[$0].name }
            let suggestion = closestName(to: kpi, among: names)
            throw DiagnosticList([Diagnostic(message: "no KPI named '\(kpi)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))])
        }
        let (tables, values, filterFailure) = try prepared(data, parameters: parameters)
        if let filterFailure { throw DiagnosticList([Diagnostic(message: filterFailure)]) }
        let definition = checked.definitions[index]
        var evaluator = Evaluator(program: checked, plan: plan, tables: tables, parameters: values, stop: StopConditions(limits: limits, cancellation: nil))
        evaluator.trace = Evaluator.Trace()
        let outcomes = evaluator.run(only: checked.dependencies(of: index))
        var chosen: Int?
        var keyValues: [Value] = []
        if let grouping = definition.grouping {
            guard case .success(let groupIndex) = evaluator.groupIndex(grouping.level) else {
                throw DiagnosticList([Diagnostic(message: "the groups of '\(kpi)' could not be computed")])
            }
            let positions = grouping.writtenPositions
            let rows = groupIndex.keys.indices.map { row in (row, positions.map { groupIndex.keys[row][$0] }) }
            for name in group.keys.sorted() where !grouping.keyNames.contains(name) {
                throw DiagnosticList([Diagnostic(message: "'\(kpi)' has no key '\(name)'; its keys are \(grouping.keyNames.joined(separator: ", "))")])
            }
            let matching = rows.filter { _, keys in
                zip(grouping.keyNames, keys).allSatisfy { name, key in group[name].map { $0 == CSVFormatter.plain(key) } ?? true }
            }
            let first = matching.min { a, b in
                for (left, right) in zip(a.1, b.1) where left != right { return Value.sortsBefore(left, right) }
                return false
            }
            guard let first else {
                let wanted = group.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                throw DiagnosticList([Diagnostic(message: "'\(kpi)' has no group \(wanted)")])
            }
            (chosen, keyValues) = first
        }
        var explainer = Explainer(program: checked, evaluator: evaluator, level: definition.grouping?.level, group: chosen)
        for (name, table) in data {
            let file = (table.sourceName as NSString).lastPathComponent
            let stem = (file as NSString).deletingPathExtension
            explainer.tableNames[name] = name.isEmpty ? (stem.isEmpty ? "the default table" : stem) : name
        }
        let groups = definition.grouping.flatMap { explainer.groupsSummary($0.level) }
        var root =
            explainer.node(definition.value)
            ?? ExplanationNode(
                expression: kpi, value: .error("not evaluated"), format: definition.format, rows: nil, kept: nil, nulls: nil, note: nil,
                children: [])
        root.format = definition.format
        let source = checked.sources[definition.sourceName]
        let row = chosen ?? 0
        let assessment = Program.judged(outcomes[index].cell(row), of: definition) { outcomes[$0].cell(row) }.1
        return Explanation(
            kpi: kpi, definition: source?.text(of: definition.declarationRange) ?? kpi,
            groupKeyNames: definition.grouping?.keyNames ?? [], groupKeys: keyValues, groups: groups, root: root, assessment: assessment)
    }
}
