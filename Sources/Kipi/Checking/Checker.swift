/// Computes an expression of constants (no data, no parameters): its value, or why it fails.
typealias ConstantEvaluation = @Sendable (TypedExpression) -> Result<Value, FunctionError>

/// Resolves names, infers types and shapes, makes every decision of the language once, and
/// collects every error of a program.
///
/// Definitions are checked on demand, depth first, so a definition may use one written
/// below it; a definition met again while it is being checked closes a cycle.
struct Checker {
    struct Entry {
        var declaration: Declaration
        var source: SourceText
    }

    /// What an expression is checked against: its file, the grouping of the enclosing
    /// definition, and the arguments bound to the parameters of the user functions being expanded.
    struct Scope {
        var source: SourceText
        var grouping: Grouping?
        var locals: [String: TypedExpression] = [:]
        var callStack: [String] = []
        /// The table whose columns bare names are ("" is the default table).
        var table = ""
        /// Inside an aggregate's `where` over a grouped value: the keys it reads per group.
        var groupKeys: GroupKeyScope?
        /// Where the definition's own `by` writes each key, for errors about supplying it.
        var keyRanges: [GroupKey: SourceRange] = [:]

        /// The level inline aggregates take: the enclosing definition's groups, or one value.
        var context: Shape { grouping.map { .groups($0.level) } ?? .scalar }
    }

    let registry: FunctionRegistry
    /// Computes a value from constants, as evaluation would (the evaluator's, given by the
    /// façade: checking does not depend on evaluation).
    let constantValue: ConstantEvaluation
    /// Each table's column names and types ("" is the default table); nil when checking without
    /// data, where any unknown name is a column.
    let schemas: [String: Schema]?
    var entries: [String: Entry] = [:]
    var diagnostics: [Diagnostic] = []
    var definitions: [CheckedDefinition] = []
    private var definitionIndex: [String: Int] = [:]
    private(set) var inProgress: [String] = []
    private var failed: Set<String> = []
    var parameters: [String: ParameterInfo] = [:]
    var keyExpressions: [GroupKey: [String: TypedExpression]] = [:]
    /// Each key as written first, to compute it for another table.
    var keySources: [GroupKey: (expression: Expression, source: SourceText)] = [:]
    var filters: [Filter] = []
    /// Columns computed by `let TABLE.column = …`: by table and column, the definition's name.
    var computedColumns: [String: [String: String]] = [:]
    /// Each key's expression as first written, by its canonical form: one key shows alike in every message.
    var keyExpressionTexts: [String: String] = [:]
    /// Every name each key was given in a `by`, in the order met: the columns other tables may supply it from.
    var keyNames: [String: [String]] = [:]
    /// Grouped definitions evaluated over the groups of KPIs that read more tables.
    var instances: [InstanceKey: Int] = [:]
    /// The first grouping written for each level: the key order of values derived from it.
    var groupingsByLevel: [Level: Grouping] = [:]
    var columnsUsed: [String: Set<String>] = [:]
    /// The files the program's `data` lines name, in the order written.
    var dataSources: [DataSource] = []
    /// User function calls expanded in the definition being checked: functions calling
    /// functions could otherwise expand to an exponentially large formula.
    var expansions = 0
    var reportedExpansionLimit = false
    private var nextNodeID = 0
    /// Definitions with syntax errors, already reported.
    var incompleteNames: Set<String> = []
    /// The declared names of values (KPIs, `let`s, parameters) and of functions, sorted: the
    /// candidates of a did-you-mean, known once every file is declared.
    var valueNames: [String] = []
    var functionNames: [String] = []

    /// Calls of user functions one compile may expand: they could otherwise expand to an
    /// exponentially large formula.
    let maximumExpansions: Int
    /// Checked trees deeper than this are refused: evaluation recurses over them.
    static let maximumHeight = 200

    init(registry: FunctionRegistry, schemas: [String: Schema]?, limits: Limits = .standard, constantValue: @escaping ConstantEvaluation) {
        self.registry = registry
        self.constantValue = constantValue
        self.schemas = schemas
        self.maximumExpansions = limits.expansions
    }

    /// The default table's schema.
    var schema: Schema? { schemas?[""] }

    /// Checks the declarations of a main file and the files it imports (`trees[0]` is the main file).
    /// With `checkingAllDefinitions` false, the definitions of the other files are checked only
    /// as far as the main file uses them: they were checked when they were compiled on their own.
    static func check(
        _ trees: [SyntaxTree], registry: FunctionRegistry, schemas: [String: Schema]?, limits: Limits = .standard,
        checkingAllDefinitions: Bool = true, constantValue: @escaping ConstantEvaluation
    ) -> (CheckedProgram, [Diagnostic]) {
        var checker = Checker(registry: registry, schemas: schemas, limits: limits, constantValue: constantValue)
        var filters: [(Expression, SourceText)] = []
        var kpiNames: [String] = []
        var helperNames: [String] = []
        var functions: [String] = []
        for (position, tree) in trees.enumerated() {
            checker.incompleteNames.formUnion(tree.incompleteNames)
            for declaration in tree.declarations {
                if case .filter(let predicate) = declaration.kind { filters.append((predicate, tree.source)) }
                if case .data = declaration.kind { checker.checkDataSource(declaration, source: tree.source) }
                guard let name = checker.declare(declaration, source: tree.source) else { continue }
                let checkedHere = position == 0 || checkingAllDefinitions
                switch declaration.kind {
                case .kpi: if position == 0 { kpiNames.append(name) } else if checkedHere { helperNames.append(name) }
                case .helper: if checkedHere { helperNames.append(name) }
                case .function: if checkedHere { functions.append(name) }
                case .parameter, .import, .filter, .data: break
                }
            }
        }
        checker.valueNames = checker.entries.keys.filter { checker.entries[$0]?.declaration.kind.isValue == true }.sorted()
        checker.functionNames = checker.entries.keys.filter { if case .function = checker.entries[$0]?.declaration.kind { true } else { false } }.sorted()
        for name in checker.entries.keys.sorted() {
            if case .parameter = checker.entries[name]?.declaration.kind { checker.checkParameter(name) }
            if case .helper = checker.entries[name]?.declaration.kind, let dot = name.firstIndex(of: ".") {
                checker.computedColumns[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = name
            }
        }
        let kpis = kpiNames.compactMap { checker.checkDefinition($0) }
        for name in helperNames { _ = checker.checkDefinition(name) }
        for name in functions { checker.checkFunctionBody(name) }
        for (predicate, source) in filters { checker.checkFilter(predicate, source: source) }
        var program = CheckedProgram(
            definitions: checker.definitions, kpis: kpis,
            parameters: checker.parameters.values.sorted { $0.name < $1.name },
            keyExpressions: checker.keyExpressions, columnsUsed: checker.columnsUsed, filters: checker.filters,
            symbols: checker.symbols(inOrderOf: trees.map(\.source.name)))
        program.dataSources = checker.dataSources
        for tree in trees { program.sources[tree.source.name] = tree.source }
        for key in checker.keyExpressions.keys { program.keyTypes[key] = checker.keyModel(key)?.type ?? .unknown }
        return (program, checker.sortedDiagnostics())
    }

    /// Records a declaration under its name; reports a duplicate. Returns the name, if any.
    private mutating func declare(_ declaration: Declaration, source: SourceText) -> String? {
        let name: String
        switch declaration.kind {
        case .import, .filter, .data: return nil
        case .parameter(let defined, _), .helper(let defined, _, _), .function(let defined, _, _), .kpi(let defined, _, _):
            name = defined
        }
        if let previous = entries[name] {
            let location = previous.source.location(of: previous.declaration.nameRange.start)
            report(code: "duplicate-definition", CheckerMessages.duplicateDefinition(name, previous: "\(previous.source.name):\(location.line)"), declaration.nameRange, in: source)
            return nil
        }
        if registry[name] != nil, case .function = declaration.kind {
            report(code: "shadows-built-in", CheckerMessages.shadowsBuiltIn(name), declaration.nameRange, in: source)
            return nil
        }
        entries[name] = Entry(declaration: declaration, source: source)
        return name
    }

    private func symbols(inOrderOf files: [String]) -> [DeclaredName] {
        var symbols: [DeclaredName] = []
        for (name, entry) in entries {
            let kind: DeclaredName.Kind
            switch entry.declaration.kind {
            case .function: kind = .function
            case .parameter where parameters[name] != nil: kind = .parameter
            case .kpi where definitionIndex[name] != nil: kind = .kpi
            case .helper where definitionIndex[name] != nil: kind = .helper
            case .parameter, .kpi, .helper, .import, .filter, .data: continue
            }
            symbols.append(
                DeclaredName(name: name, kind: kind, file: entry.source.name, range: entry.declaration.range, documentation: entry.declaration.documentation))
        }
        let position = Dictionary(files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return symbols.sorted { (position[$0.file] ?? 0, $0.range.start) < (position[$1.file] ?? 0, $1.range.start) }
    }

    // MARK: Definitions

    /// Checks a `let` or KPI (once) and returns its index, or nil if it failed.
    mutating func checkDefinition(_ name: String) -> Int? {
        if let index = definitionIndex[name] { return index }
        if failed.contains(name) { return nil }
        guard let entry = entries[name] else { return nil }
        let (value, keys, role): (Expression, [KeyClause], CheckedDefinition.Role)
        switch entry.declaration.kind {
        case .kpi(_, let expression, let byKeys): (value, keys, role) = (expression, byKeys, .kpi)
        case .helper(_, let expression, let byKeys): (value, keys, role) = (expression, byKeys, .helper)
        case .parameter, .function, .import, .filter, .data: return nil
        }
        inProgress.append(name)
        let outerExpansions = expansions
        expansions = 0
        defer {
            inProgress.removeLast()
            expansions = outerExpansions
        }
        var scope = Scope(source: entry.source)
        let computedTable = role == .helper ? name.firstIndex(of: ".").map { String(name[..<$0]) } : nil
        if let computedTable {
            // `let spend.month = …` is computed from the columns of `spend`, row by row.
            scope.table = computedTable
            if let schemas, schemas[computedTable] == nil {
                let suggestion = closestName(to: computedTable, among: schemas.keys.filter { !$0.isEmpty }.sorted())
                report(code: "unknown-table", CheckerMessages.unknownTable(computedTable, suggestion: suggestion), entry.declaration.nameRange, in: entry.source)
                failed.insert(name)
                return nil
            }
            if let first = keys.first {
                report(code: "computed-column-not-per-row", CheckerMessages.computedColumnNotPerRow(name, table: computedTable), first.range, in: entry.source)
                failed.insert(name)
                return nil
            }
        }
        if !keys.isEmpty {
            guard let (grouping, keyRanges) = checkGrouping(keys, scope: scope) else {
                failed.insert(name)
                return nil
            }
            scope.grouping = grouping
            scope.keyRanges = keyRanges
        }
        guard var checked = checkExpression(value, scope) else {
            failed.insert(name)
            return nil
        }
        if let computedTable, checked.shape != .rows(computedTable) {
            report(code: "computed-column-not-per-row", CheckerMessages.computedColumnNotPerRow(name, table: computedTable), value.range, in: entry.source)
            failed.insert(name)
            return nil
        }
        if let pending = scope.grouping {
            guard let (finalGrouping, finalValue) = settleTables(of: pending, in: checked, scope: scope) else {
                failed.insert(name)
                return nil
            }
            scope.grouping = finalGrouping
            checked = finalValue
        }
        if checked.height > Checker.maximumHeight {
            report(code: "too-deep", CheckerMessages.tooDeep, value.range, in: entry.source)
            failed.insert(name)
            return nil
        }
        guard var (final, grouping) = groupedValue(checked, declared: scope.grouping, name: name, role: role, scope: scope) else {
            failed.insert(name)
            return nil
        }
        var levels: [(level: ThresholdLevel, value: TypedExpression)] = []
        var direction: ThresholdDirection?
        let clauses = role == .kpi ? entry.declaration.thresholds : []
        if !clauses.isEmpty {
            var levelScope = scope
            levelScope.grouping = grouping
            guard let checked = checkThresholds(clauses, of: name, value: final, scope: levelScope) else {
                failed.insert(name)
                return nil
            }
            (levels, direction) = (checked.levels.map { ($0.0, $0.1) }, checked.direction)
        }
        // A KPI's groups come from the tables its levels read too: a manager with a plan and no sales is judged.
        let tables = levels.reduce(tablesRead(by: final, grouping: grouping)) { $0.union(tablesRead(by: $1.value, grouping: nil)) }
        let levelGrouping = grouping
        (final, grouping, _) = unifyingGroups(final, grouping: grouping, reading: tables)
        var thresholds = Thresholds(levels: [], direction: direction)
        for (level, tree) in levels {
            let unified = unifyingGroups(tree, grouping: levelGrouping, reading: tables).value
            let range = clauses.first { $0.level == level }?.range ?? entry.declaration.range
            var definition = CheckedDefinition(
                name: "\(name) (\(level.rawValue))", role: .helper, value: numbered(unified), grouping: grouping, format: unified.format,
                description: "", sourceName: entry.source.name, declarationRange: range)
            definition.tablesRead = tables
            definitions.append(definition)
            thresholds.levels.append((level, definitions.count - 1))
        }
        let numbered = numbered(final)
        var definition = CheckedDefinition(
            name: name, role: role, value: numbered, grouping: grouping,
            format: entry.declaration.display ?? numbered.format,
            description: entry.declaration.documentation, sourceName: entry.source.name, declarationRange: entry.declaration.range)
        definition.tablesRead = tables
        definition.thresholds = levels.isEmpty ? nil : thresholds
        definitions.append(definition)
        definitionIndex[name] = definitions.count - 1
        return definitions.count - 1
    }

    /// The value of a definition at its level, and its grouping: a coarser value is repeated over
    /// the declared groups; a value with keys the definition does not have is an error.
    private mutating func groupedValue(
        _ value: TypedExpression, declared: Grouping?, name: String, role: CheckedDefinition.Role, scope: Scope
    ) -> (TypedExpression, Grouping?)? {
        if role == .kpi, case .list = value.type {
            report(code: "list-kpi", CheckerMessages.listKPI, value.range, in: scope.source)
            return nil
        }
        switch value.shape {
        case .scalar:
            guard let declared else { return (value, nil) }
            return (lifted(value, to: .groups(declared.level)), declared)
        case .rows:
            if role == .kpi || declared != nil {
                report(code: "column-kpi", CheckerMessages.columnKPI(name), value.range, in: scope.source)
                return nil
            }
            return (value, nil)
        case .groups(let level):
            guard let declared else { return (value, grouping(of: level, in: value)) }
            guard level.isCoarser(orEqualTo: declared.level) else {
                report(code: "grouping-mismatch", CheckerMessages.groupingMismatch(name, has: level, wanted: declared.level), value.range, in: scope.source)
                return nil
            }
            return (lifted(value, to: .groups(declared.level)), declared)
        }
    }

    /// The grouping, with its keys in the order written, of a value at `level`: that of a
    /// definition it reads at that level, else the first grouping written for the level.
    func grouping(of level: Level, in value: TypedExpression) -> Grouping? {
        var found: Grouping?
        value.forEachNode { node in
            if found == nil, case .definition(let index) = node.kind, let grouping = definitions[index].grouping, grouping.level == level {
                found = grouping
            }
        }
        return found ?? groupingsByLevel[level]
    }

    /// Gives every node of a definition's tree its id.
    mutating func numbered(_ expression: TypedExpression) -> TypedExpression {
        var next = nextNodeID
        let result = expression.mapped { node in
            var numbered = node
            numbered.id = next
            next += 1
            return numbered
        }
        nextNodeID = next
        return result
    }

    /// Checks the keys of a `by` clause: each must have one value per row of the default table.
    /// A key is identified by its checked expression, so `manager`, `` `manager` `` and a `let`
    /// alias are one key. The level's tables are settled once the definition's value is checked.
    private mutating func checkGrouping(_ keys: [KeyClause], scope: Scope) -> (Grouping, [GroupKey: SourceRange])? {
        var groupKeys: [GroupKey] = []
        var names: [String] = []
        var ranges: [GroupKey: SourceRange] = [:]
        for key in keys {
            guard var checked = checkExpression(keyOfAnotherTable(key.expression, scope: scope), scope) else { continue }
            if checked.shape.table == nil || checked.type.isList {
                report(code: "key-not-column", CheckerMessages.keyNotColumn, key.range, in: scope.source)
                continue
            }
            checked = keyCanonical(checked)
            let name: String
            if let given = key.name {
                name = given
            } else if case .name(let column, _) = key.expression.kind {
                name = column
            } else if case .qualifiedName(_, let column) = key.expression.kind {
                name = column
            } else {
                name = scope.source.text(of: key.range)
            }
            let canonical = checked.description
            let written = keyExpressionTexts[canonical] ?? scope.source.text(of: key.expression.range)
            keyExpressionTexts[canonical] = written
            let groupKey = GroupKey(canonical: canonical, description: name, expressionText: written)
            if !(keyNames[canonical]?.contains(name) ?? false) { keyNames[canonical, default: []].append(name) }
            if groupKeys.contains(groupKey) {
                report(code: "repeated-key", CheckerMessages.repeatedKey(name), key.range, in: scope.source)
                continue
            }
            let table = checked.shape.table ?? ""
            if keyExpressions[groupKey]?[table] == nil { keyExpressions[groupKey, default: [:]][table] = numbered(checked) }
            if keySources[groupKey] == nil { keySources[groupKey] = (key.expression, scope.source) }
            groupKeys.append(groupKey)
            names.append(name)
            ranges[groupKey] = key.range
        }
        guard groupKeys.count == keys.count else { return nil }
        return (Grouping(level: Level(groupKeys, tables: nil), keys: groupKeys, keyNames: names), ranges)
    }

    /// A top-level `where`: a condition on the rows of one table, from columns, parameters and
    /// constants (definitions are computed from the filtered rows, so they cannot be used).
    private mutating func checkFilter(_ predicate: Expression, source: SourceText) {
        guard let checked = checkExpression(predicate, Scope(source: source)) else { return }
        var readsDefinition = false
        checked.forEachNode { if case .definition = $0.kind { readsDefinition = true } }
        guard checked.type.isWildcard || checked.type == .boolean else {
            report(code: "where-not-boolean", CheckerMessages.whereNotBoolean(checked.type), checked.range, in: source)
            return
        }
        guard let table = checked.shape.table, !readsDefinition else {
            report(code: "filter-not-per-row", CheckerMessages.filterNotPerRow, checked.range, in: source)
            return
        }
        filters.append(Filter(table: table, predicate: numbered(checked)))
    }

    private mutating func checkParameter(_ name: String) {
        guard let entry = entries[name], case .parameter(_, let defaultValue) = entry.declaration.kind else { return }
        let scope = Scope(source: entry.source)
        guard let checked = checkExpression(defaultValue, scope) else { return }
        guard checked.isComputedFromConstants, !checked.type.isList else {
            report(code: "not-constant", CheckerMessages.notConstant(name), defaultValue.range, in: entry.source)
            return
        }
        let value: Value
        switch constantValue(checked) {
        case .success(let computed): value = computed
        case .failure(let error):
            report(code: "parameter-default-fails", error.message, defaultValue.range, in: entry.source)
            return
        }
        guard !value.isNull else {
            report(code: "not-constant", CheckerMessages.notConstant(name), defaultValue.range, in: entry.source)
            return
        }
        parameters[name] = ParameterInfo(name: name, type: value.type, defaultValue: value, description: entry.declaration.documentation)
    }

    /// Checks a function's body once on its own, with parameters of unknown type, so that
    /// misspelled names are found even in functions no KPI calls yet.
    private mutating func checkFunctionBody(_ name: String) {
        guard let entry = entries[name], case .function(_, let parameterNames, let body) = entry.declaration.kind else { return }
        expansions = 0
        var scope = Scope(source: entry.source, callStack: [name])
        for parameter in parameterNames {
            scope.locals[parameter] = TypedExpression(
                kind: .literal(.null), type: .unknown, shape: .scalar, format: .plain, range: entry.declaration.nameRange)
        }
        _ = checkExpression(body, scope)
    }

    // MARK: Names

    /// Resolves a name used as a value: a function parameter, a definition, a parameter or a column.
    mutating func resolve(_ name: String, range: SourceRange, scope: Scope) -> TypedExpression? {
        if let local = scope.locals[name] {
            // The argument's tree, shown where the body names the parameter.
            var bound = local
            bound.range = range
            bound.file = scope.source.name
            return bound
        }
        if let keys = scope.groupKeys, let key = keys.names[name] { return groupKeyNode(key, keys, range: range) }
        if let computed = computedColumns[scope.table]?[name], inProgress.last != computed {
            return computedColumn(computed, of: scope.table, range: range, scope: scope)
        }
        if let entry = entries[name] {
            switch entry.declaration.kind {
            case .parameter:
                guard let parameter = parameters[name] else { return nil }
                return TypedExpression(kind: .parameter(name), type: parameter.type, shape: .scalar, format: .plain, range: range)
            case .function:
                report(code: "function-as-value", CheckerMessages.functionAsValue(name), range, in: scope.source)
                return nil
            case .kpi, .helper:
                // A definition named after the column it aggregates (`Сумма = sum(Сумма)`) reads the column.
                if inProgress.last == name, let type = schemas?[scope.table]?.type(of: name) {
                    return column(name, of: scope.table, type: type, range: range)
                }
                if let start = inProgress.firstIndex(of: name) {
                    report(code: "cycle", CheckerMessages.cycle(Array(inProgress[start...]) + [name]), range, in: scope.source)
                    failed.formUnion(inProgress[start...])
                    return nil
                }
                guard let index = checkDefinition(name) else { return nil }
                let definition = definitions[index]
                return TypedExpression(
                    kind: .definition(index), type: definition.value.type,
                    shape: definition.grouping.map { .groups($0.level) } ?? definition.value.shape,
                    format: definition.format, range: range)
            case .import, .filter, .data:
                return nil
            }
        }
        if incompleteNames.contains(name) { return nil }
        if let schema = schemas.map({ $0[scope.table] ?? Schema(columns: []) }) {
            if let type = schema.type(of: name) { return column(name, of: scope.table, type: type, range: range) }
            let columns = schema.columnNames
            // The definition being written is no suggestion for a name inside it.
            let suggestion = closestName(to: name, among: columns + valueNames, where: { $0 != inProgress.last })
            let likelyColumn = suggestion.map(columns.contains) ?? true
            report(
                code: likelyColumn ? "unknown-column" : "unknown-name", CheckerMessages.unknownName(name, suggestion: suggestion, suggestionIsColumn: likelyColumn),
                range, in: scope.source)
            return nil
        }
        return column(name, of: scope.table, type: .unknown, range: range)
    }

    /// Resolves `table.column`: a column of a named table.
    mutating func resolveQualified(_ table: String, _ name: String, range: SourceRange, scope: Scope) -> TypedExpression? {
        if let computed = computedColumns[table]?[name] { return computedColumn(computed, of: table, range: range, scope: scope) }
        guard let schemas else { return column(name, of: table, type: .unknown, range: range) }
        guard let schema = schemas[table], !table.isEmpty else {
            let suggestion = closestName(to: table, among: schemas.keys.filter { !$0.isEmpty }.sorted())
            report(code: "unknown-table", CheckerMessages.unknownTable(table, suggestion: suggestion), range, in: scope.source)
            return nil
        }
        guard let type = schema.type(of: name) else {
            report(code: "unknown-column", CheckerMessages.unknownColumn(name, of: table, suggestion: closestName(to: name, among: schema.columnNames)), range, in: scope.source)
            return nil
        }
        return column(name, of: table, type: type, range: range)
    }

    /// A column computed by `let TABLE.column = …`: that definition, one value per row of the table.
    private mutating func computedColumn(_ definition: String, of table: String, range: SourceRange, scope: Scope) -> TypedExpression? {
        if let start = inProgress.firstIndex(of: definition) {
            report(code: "cycle", CheckerMessages.cycle(Array(inProgress[start...]) + [definition]), range, in: scope.source)
            failed.formUnion(inProgress[start...])
            return nil
        }
        guard let index = checkDefinition(definition) else { return nil }
        let value = definitions[index].value
        return TypedExpression(kind: .definition(index), type: value.type, shape: .rows(table), format: value.format, range: range)
    }

    private mutating func column(_ name: String, of table: String, type: KipiType, range: SourceRange) -> TypedExpression {
        columnsUsed[table, default: []].insert(name)
        return TypedExpression(kind: .column(table: table, name: name), type: type, shape: .rows(table), format: .plain, range: range)
    }

    /// `expression` over `shape`, a finer shape than its own: wrapped in a broadcast that
    /// repeats each group's value over its rows or finer groups. A single value broadcasts as it is.
    func lifted(_ expression: TypedExpression, to shape: Shape) -> TypedExpression {
        if expression.shape == .scalar || expression.shape == shape { return expression }
        var node = TypedExpression(
            kind: .broadcast(expression), type: expression.type, shape: shape, format: expression.format, range: expression.range)
        node.file = expression.file
        return node
    }

    /// Records a problem of `source` at `range`, with its stable code (`Diagnostic.code`).
    mutating func report(code: String, _ message: String, _ range: SourceRange, in source: SourceText) {
        diagnostics.append(Diagnostic(message: message, range: range, source: source, code: code))
    }

    /// Diagnostics in file and position order, each once (a function body checked at
    /// several calls reports its errors once).
    private func sortedDiagnostics() -> [Diagnostic] {
        var seen: Set<Diagnostic> = []
        return diagnostics.filter { seen.insert($0).inserted }
            .enumerated()
            .sorted { a, b in
                let left = (a.element.sourceName ?? "", a.element.range?.start ?? 0, a.offset)
                let right = (b.element.sourceName ?? "", b.element.range?.start ?? 0, b.offset)
                return left < right
            }
            .map(\.element)
    }
}

extension Declaration.Kind {
    /// Whether the declaration names a value (a KPI, `let` or `param`) rather than a function or import.
    var isValue: Bool {
        switch self {
        case .kpi, .helper, .parameter: true
        case .function, .import, .filter, .data: false
        }
    }
}
