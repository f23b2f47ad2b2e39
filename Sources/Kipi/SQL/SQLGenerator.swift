/// One reported KPI as SQL: a statement whose rows are the KPI's result.
public struct SQLStatement: Sendable, Hashable {
    /// The KPI's name.
    public var kpi: String
    /// `WITH … SELECT …`: key columns named as in JSON, then `value`, ordered by the keys.
    public var text: String
    /// The output columns: the key names (none for a single value), then `value`.
    public var columns: [String]
    /// The same rows as one encoded text column, for reading an engine's output back.
    var encodedText: String
    /// The KPI's index among the program's definitions.
    var definition: Int
}

/// A program written as SQL for one dialect.
public struct SQLScript: Sendable, Hashable {
    /// The SQL it is written in.
    public var dialect: SQLDialect
    /// One statement per reported KPI, in file order.
    public var statements: [SQLStatement]

    /// The script as `kipi sql` prints it: each statement after a comment naming its KPI.
    public var text: String {
        statements.map { "-- \($0.kpi)\n\($0.text);\n" }.joined(separator: "\n")
    }
}

/// Lowers a checked program to SQL. It walks the checked tree and nothing else: every level,
/// domain, operator kind and window is read from the nodes. Values are written so that every
/// dialect computes Kipi's semantics: numbers as doubles, dates as seconds since 1970-01-01,
/// periods as their index (`Period.index`), each value with the
/// condition under which Kipi would fail it.
///
/// An aggregate is a subquery over its table's rows (or a level's groups, or a list) kept by
/// its filter and by the group it is computed for; a definition is a common table expression
/// read by its keys; a level is the distinct keys of its tables' rows.
final class SQLGenerator {
    private let program: CheckedProgram
    private let plan: ProgramPlan
    private let dialect: SQLDialect
    private let tables: [String: String]
    private let parameters: [String: Value]
    private var ctes: [(name: String, body: String)] = []
    private var cteNames: [String: String] = [:]
    private var aliases = 0
    private(set) var problems: [Diagnostic] = []
    private var reported: Set<String> = []
    /// Row-level definitions computed as columns of their table's rows.
    private var materialized: Set<Int> = []
    /// Keys computed as columns of their table's rows.
    private var materializedKeys: Set<GroupKey> = []
    /// The definitions the current statement reads.
    private var used: Set<Int> = []
    private var usedKeys: Set<GroupKey> = []

    /// Every written expression that grows past this many bytes stops the generation: nested
    /// conditions repeat their operands, and a stranger's formula must not make gigabytes.
    private let sizeLimit: Int
    private let keyColumnNames: [GroupKey: String]

    /// `tables` maps Kipi's table names ("" the default) to SQL table references.
    init(program: CheckedProgram, plan: ProgramPlan, dialect: SQLDialect, tables: [String: String], parameters: [String: Value], sizeLimit: Int = 4_000_000) {
        self.program = program
        self.plan = plan
        self.dialect = dialect
        self.tables = tables
        self.parameters = parameters
        self.sizeLimit = sizeLimit
        // One name per key, however its uses spelled it (`period` and `month(date)` may be one key).
        var names: [GroupKey: String] = [:]
        var taken: Set<String> = []
        for key in program.keyExpressions.keys.sorted() {
            var name = "key \(key.description)"
            while taken.contains(name) { name += "'" }
            taken.insert(name)
            names[key] = name
        }
        keyColumnNames = names
    }

    /// The script, or the problems that keep the program from being written in this dialect.
    func script() -> SQLScript {
        SQLScript(dialect: dialect, statements: program.kpis.map(statement))
    }

    // MARK: Statements

    private enum Scope {
        case scalar
        /// One row of a table's filtered rows, under `alias`.
        case row(table: String, alias: String)
        /// One group of a level: each key's value as SQL.
        case group(Level, keys: [GroupKey: String])
    }

    private func statement(_ index: Int) -> SQLStatement {
        ctes = []
        cteNames = [:]
        aliases = 0
        materialized = []
        materializedKeys = []
        used = program.dependencies(of: index)
        usedKeys = keys(of: used)
        let definition = program.definitions[index]
        var keys: [(name: String, value: String)] = []
        // The value and its failure are computed once per group (or once) in a derived table `g`,
        // with the KPI's levels beside them.
        let scope: Scope
        var order = ""
        var from = ""
        if let grouping = definition.grouping {
            let level = grouping.level
            let columns = keyColumns(level, alias: "g")
            scope = .group(level, keys: columns)
            for (key, name) in zip(grouping.keys, grouping.keyNames) {
                keys.append((name, output(columns[key] ?? "NULL", type: keyType(key))))
            }
            order = "\nORDER BY " + grouping.keys.map { "\(columns[$0] ?? "NULL") NULLS LAST" }.joined(separator: ", ")
        } else {
            scope = .scalar
        }
        let value = lower(definition.value, scope)
        var computed = [definition.grouping == nil ? nil : "g.*", "\(value.value) AS value", value.fails.map { "\($0) AS fails" }].compactMap { $0 }
        var levelFailures: [String] = []
        for (level, levelIndex) in definition.thresholds?.levels ?? [] {
            let lowered = lower(program.definitions[levelIndex].value, scope)
            computed.append("\(lowered.value) AS level_\(level.rawValue)")
            if let fails = lowered.fails {
                computed.append("\(fails) AS level_\(level.rawValue)_fails")
                levelFailures.append("g.level_\(level.rawValue)_fails")
            }
        }
        let failing = [value.fails == nil ? nil : "g.fails"] + levelFailures
        // The level's table is named after the value's tables, as the statement reads them.
        if let level = definition.grouping?.level { from = " FROM \(levelTable(level)) g" }
        let judgement = definition.thresholds.map { judgementColumns($0, failing: SQLValue.anyOf(failing)) }
        let fails = SQLValue.anyOf(failing + [judgement?.contradiction])
        let shown = output(fails.map { "CASE WHEN \($0) THEN NULL ELSE g.value END" } ?? "g.value", type: definition.value.type)
        // PostgreSQL would inline a table used once into each correlated subquery that reads it,
        // computing an aggregate per group again: every table is computed once.
        let materialized = dialect == .postgres ? "MATERIALIZED " : ""
        let with = ctes.isEmpty ? "" : "WITH " + ctes.map { "\($0.name) AS \(materialized)(\n  \($0.body)\n)" }.joined(separator: ",\n") + "\n"
        let judged = judgement?.columns ?? []
        let items = keys.map { "\($0.value) AS \(dialect.identifier($0.name))" } + ["\(shown) AS value"] + judged.map { "\($0.value) AS \($0.name)" }
        // For the engines: one text column per row, each cell marked as a value (=), a null (~)
        // or an evaluation error (!), so that results read back exactly.
        let tab = "chr(9)"
        let cells = keys.map { encoded($0.value) } + [fails.map { "(CASE WHEN \($0) THEN '!' ELSE \(encoded(shown)) END)" } ?? encoded(shown)]
            + judged.map { encoded($0.value) }
        let row = "concat('kipi:\(index)', \(tab), " + cells.joined(separator: ", \(tab), ") + ")"
        let body = "\nFROM (SELECT \(computed.joined(separator: ", "))\(from)) g" + order
        return SQLStatement(
            kpi: definition.name, text: with + "SELECT " + items.joined(separator: ", ") + body,
            columns: keys.map(\.name) + ["value"] + judged.map(\.name), encodedText: with + "SELECT \(row) AS kipi_row" + body,
            definition: index)
    }

    /// A KPI's `status` and `level` (SPEC v3) as columns over `g.value` and its levels
    /// (`g.level_norm` …), then each declared level; and the condition under which the levels
    /// contradict each other (the row then fails), nil when they cannot. Where `failing` holds,
    /// the value or a level failed: no status.
    private func judgementColumns(
        _ thresholds: Thresholds, failing: String?
    ) -> (columns: [(name: String, value: String)], contradiction: String?) {
        let declared = thresholds.levels.map(\.level)
        func column(_ level: ThresholdLevel) -> String? { declared.contains(level) ? "g.level_\(level.rawValue)" : nil }
        let ordered = declared.map { "g.level_\($0.rawValue)" }
        func steps(_ op: String) -> String { zip(ordered, ordered.dropFirst()).map { "\($0) \(op) \($1)" }.joined(separator: " AND ") }
        // Whether higher is better for this row: fixed, or from the order of its levels.
        let rising: String
        var contradiction: String?
        let allPresent = (["g.value"] + ordered).map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        switch thresholds.direction {
        case .higherIsBetter?:
            rising = "TRUE"
            if ordered.count > 1 { contradiction = "COALESCE(NOT (\(steps("<"))), FALSE)" }
        case .lowerIsBetter?:
            rising = "FALSE"
            if ordered.count > 1 { contradiction = "COALESCE(NOT (\(steps(">"))), FALSE)" }
        case nil:
            rising = "(\(steps("<")))"
            contradiction = "COALESCE(NOT (\(steps("<"))) AND NOT (\(steps(">"))), FALSE)"
        }
        func worse(_ level: String) -> String {
            switch thresholds.direction {
            case .higherIsBetter?: "g.value < \(level)"
            case .lowerIsBetter?: "g.value > \(level)"
            case nil: "(\(rising) AND g.value < \(level) OR NOT \(rising) AND g.value > \(level))"
            }
        }
        let unjudged = (SQLValue.anyOf([failing, contradiction]).map { "\($0) OR " } ?? "") + "NOT (\(allPresent))"
        var branches = ["WHEN \(unjudged) THEN NULL"]
        if let critical = column(.critical) { branches.append("WHEN \(worse(critical)) THEN 'critical'") }
        if let target = column(.target) { branches.append("WHEN NOT \(worse(target)) THEN 'exceeded'") }
        if let norm = column(.norm) { branches.append("WHEN \(worse(norm)) THEN 'below'") }
        let otherwise = column(.norm) == nil && column(.target) != nil ? "below" : "met"
        let status = "CASE " + branches.joined(separator: " ") + " ELSE '\(otherwise)' END"
        var columns = [(name: "status", value: status)]
        if let critical = column(.critical), let norm = column(.norm) {
            columns.append(("level", "CASE WHEN \(unjudged) THEN NULL ELSE (g.value - \(critical)) / (\(norm) - \(critical)) END"))
        } else {
            columns.append(("level", "CAST(NULL AS \(sqlType(.number)))"))
        }
        for level in declared { columns.append((level.rawValue, "g.level_\(level.rawValue)")) }
        return (columns, contradiction)
    }

    /// A cell as text for reading back: `=` and the value's text (backslash, tab, line breaks
    /// escaped), or `~` for null.
    private func encoded(_ value: String) -> String {
        var text = dialect.castText(value)
        for (character, escape) in [("chr(92)", "\\\\"), ("chr(9)", "\\t"), ("chr(10)", "\\n"), ("chr(13)", "\\r")] {
            text = "replace(\(text), \(character), \(dialect.text(escape)))"
        }
        return "COALESCE(\(dialect == .spark ? "concat('=', \(text))" : "('=' || \(text))"), '~')"
    }

    /// The value, NULL where it fails.
    private func settled(_ value: SQLValue) -> String {
        guard let fails = value.fails else { return value.value }
        return "CASE WHEN \(fails) THEN NULL ELSE \(value.value) END"
    }

    private func fresh(_ prefix: String) -> String {
        aliases += 1
        return "\(prefix)\(aliases)"
    }

    private func addCTE(key: String, prefix: String, _ body: () -> String) -> String {
        if let name = cteNames[key] { return name }
        let text = body()
        let name = "\(prefix)\(ctes.count + 1)"
        ctes.append((name, text))
        cteNames[key] = name
        return name
    }

    private func problem(_ message: String, _ node: TypedExpression? = nil) -> SQLValue {
        guard reported.insert(message).inserted else { return SQLValue("NULL") }
        if let node, let source = program.sources[node.file] {
            problems.append(Diagnostic(message: message, range: node.range, source: source))
        } else {
            problems.append(Diagnostic(message: message))
        }
        return SQLValue("NULL")
    }

    // MARK: Tables, levels and definitions

    /// The rows of a table that the program's `where`s keep, with a column for each row-level
    /// definition that reads only its own row, computed once (`kipi_d3`, and `kipi_d3_fails`).
    private func source(_ table: String) -> String {
        addCTE(key: "source:\(table)", prefix: "rows") {
            guard let reference = tables[table] else {
                _ = problem(table.isEmpty ? "no SQL table is given for the default table: use --table TABLE" : "no SQL table is given for table '\(table)': use --table \(table)=TABLE")
                return "SELECT NULL"
            }
            var rows = dialect.tableReference(reference)
            for index in used.sorted() where program.definitions[index].value.shape == .rows(table) && plan.rowLocalDefinitions.contains(index) {
                let value = lower(program.definitions[index].value, .row(table: table, alias: "r"))
                let (column, failed) = materializedColumns(index)
                rows = "(SELECT r.*, \(settled(value)) AS \(column), \(value.fails ?? "FALSE") AS \(failed) FROM \(rows) r)"
                materialized.insert(index)
            }
            // Keys computed from a row (`month(date)`) are computed once, as columns too.
            var keys: [String] = []
            for (key, expressions) in program.keyExpressions.sorted(by: { $0.key < $1.key }) where usedKeys.contains(key) {
                guard let expression = expressions[table], !isColumn(expression) else { continue }
                let value = lower(expression, .row(table: table, alias: "r"))
                keys.append("\(value.value) AS \(keyColumn(key))")
                materializedKeys.insert(key)
            }
            if !keys.isEmpty { rows = "(SELECT r.*, \(keys.joined(separator: ", ")) FROM \(rows) r)" }
            let filters = program.filters.filter { $0.table == table }.map { settledCondition(lower($0.predicate, .row(table: table, alias: "r"))) }
            return "SELECT * FROM \(rows) r" + (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "))
        }
    }

    /// The columns of a materialized row-level definition: its value, and whether it failed.
    private func materializedColumns(_ index: Int) -> (String, String) {
        let name = program.definitions[index].name
        return (dialect.identifier("let \(name)"), dialect.identifier("let \(name) failed"))
    }

    /// A condition that holds only where the value is true and does not fail.
    private func settledCondition(_ value: SQLValue) -> String {
        guard let fails = value.fails else { return "COALESCE(\(value.value), FALSE)" }
        return "(NOT \(fails) AND COALESCE(\(value.value), FALSE))"
    }

    /// The groups of a level: its keys (columns `k0`, `k1` … in the level's key order) as they
    /// occur in the rows of its tables.
    private func levelTable(_ level: Level) -> String {
        let key = "level:" + level.keys.map(\.canonical).joined(separator: "\u{1}") + "|" + level.tableNames.joined(separator: ",")
        return addCTE(key: key, prefix: "groups") {
            level.tableNames.map { table in
                let rows = source(table)
                let keys = level.keys.enumerated().map { index, key in
                    "\(keyExpression(key, table: table, alias: "r")) AS k\(index)"
                }
                return "SELECT DISTINCT " + keys.joined(separator: ", ") + " FROM \(rows) r"
            }.joined(separator: "\n  UNION\n  ")
        }
    }

    private func isColumn(_ expression: TypedExpression) -> Bool {
        if case .column = expression.kind { return true }
        return false
    }

    private func keyColumn(_ key: GroupKey) -> String { dialect.identifier(keyColumnNames[key] ?? "key \(key.canonical)") }

    /// The keys of every level the definitions read.
    private func keys(of definitions: Set<Int>) -> Set<GroupKey> {
        var keys: Set<GroupKey> = []
        for index in definitions {
            program.definitions[index].value.forEachNode { node in
                if case .groups(let level) = node.shape { keys.formUnion(level.keys) }
                if case .aggregate(let call) = node.kind {
                    if case .groups(let level) = call.domain { keys.formUnion(level.keys) }
                    keys.formUnion(call.partition?.keys ?? [])
                }
                if case .window(let call) = node.kind { keys.formUnion(call.level.keys) }
            }
            keys.formUnion(program.definitions[index].grouping?.keys ?? [])
        }
        return keys
    }

    private func keyExpression(_ key: GroupKey, table: String, alias: String) -> String {
        if materializedKeys.contains(key), let expression = program.keyExpressions[key]?[table], !isColumn(expression) {
            return "\(alias).\(keyColumn(key))"
        }
        guard let expression = program.keyExpressions[key]?[table] else {
            return problem("the key '\(key)' cannot be computed from table '\(table)'").value
        }
        return lower(expression, .row(table: table, alias: alias)).value
    }

    private func keyType(_ key: GroupKey) -> KipiType {
        program.keyTypes[key] ?? .unknown
    }

    private func keyColumns(_ level: Level, alias: String) -> [GroupKey: String] {
        Dictionary(uniqueKeysWithValues: level.keys.enumerated().map { ($1, "\(alias).k\($0)") })
    }

    /// The value of each key of `level` where `scope` is.
    private func keyValues(_ level: Level, in scope: Scope) -> [GroupKey: String] {
        var values: [GroupKey: String] = [:]
        for key in level.keys {
            switch scope {
            case .scalar: values[key] = problem("a value of level '\(level)' is read where there is no group").value
            case .row(let table, let alias): values[key] = keyExpression(key, table: table, alias: alias)
            case .group(_, let keys): values[key] = keys[key] ?? problem("the key '\(key)' is not known here").value
            }
        }
        return values
    }

    private func matching(_ level: Level, alias: String, _ values: [GroupKey: String]) -> [String] {
        level.keys.enumerated().map { index, key in dialect.same("\(alias).k\(index)", values[key] ?? "NULL") }
    }

    /// A definition of one value or one value per group, as a table: `value`, `fails`, and for
    /// grouped ones the keys.
    private func definitionTable(_ index: Int) -> String {
        addCTE(key: "definition:\(index)", prefix: "def") {
            let value = program.definitions[index].value
            if case .groups(let level) = value.shape {
                let keys = keyColumns(level, alias: "g")
                let lowered = lower(value, .group(level, keys: keys))
                let columns = (0..<level.keys.count).map { "g.k\($0)" }.joined(separator: ", ")
                return "SELECT \(columns), \(settled(lowered)) AS value, \(lowered.fails ?? "FALSE") AS fails FROM \(levelTable(level)) g"
            }
            let lowered = lower(value, .scalar)
            return "SELECT \(settled(lowered)) AS value, \(lowered.fails ?? "FALSE") AS fails"
        }
    }

    private func definitionValue(_ index: Int, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let value = program.definitions[index].value
        switch value.shape {
        case .rows:
            if materialized.contains(index), case .row(_, let alias) = scope {
                let (column, failed) = materializedColumns(index)
                return SQLValue("\(alias).\(column)", fails: plan.definitionCanFail[index] ? "\(alias).\(failed)" : nil)
            }
            return lower(value, scope)
        case .scalar:
            let table = definitionTable(index)
            return SQLValue("(SELECT value FROM \(table))", fails: plan.definitionCanFail[index] ? "(SELECT fails FROM \(table))" : nil)
        case .groups(let level):
            let table = definitionTable(index)
            let alias = fresh("d")
            let condition = matching(level, alias: alias, keyValues(level, in: scope)).joined(separator: " AND ")
            let read = { (column: String) in "(SELECT \(self.dialect.single("\(alias).\(column)")) FROM \(table) \(alias) WHERE \(condition))" }
            return SQLValue(read("value"), fails: plan.definitionCanFail[index] ? "COALESCE(\(read("fails")), FALSE)" : nil)
        }
    }


    // MARK: Expressions

    private func lower(_ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let lowered = lowerUnchecked(node, scope)
        if lowered.value.utf8.count + (lowered.fails?.utf8.count ?? 0) > sizeLimit {
            return problem("the SQL for this formula is larger than \(sizeLimit) bytes", node)
        }
        return lowered
    }

    private func lowerUnchecked(_ node: TypedExpression, _ scope: Scope) -> SQLValue {
        if let folded = node.folded { return literal(folded, node) }
        switch node.kind {
        case .literal(let value): return literal(value, node)
        case .column(let table, let name):
            guard case .row(let rowTable, let alias) = scope, rowTable == table else {
                return problem("column '\(name)' is read outside its table's rows", node)
            }
            return SQLValue(column("\(alias).\(dialect.identifier(name))", type: node.type))
        case .parameter(let name):
            let value = parameters[name] ?? program.parameters.first { $0.name == name }?.defaultValue ?? .null
            return literal(value, node)
        case .definition(let index): return definitionValue(index, node, scope)
        case .negate(let operand): return map(lower(operand, scope)) { "(- \($0))" }
        case .not(let operand): return map(lower(operand, scope)) { "(NOT \($0))" }
        case .percent(let operand): return map(lower(operand, scope)) { "(\($0) / \(dialect.number(100)))" }
        case .arithmetic(let kind, let left, let right): return arithmetic(kind, lower(left, scope), lower(right, scope), node)
        case .comparison(let op, let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            let symbol = op == .equal ? "=" : op == .notEqual ? "<>" : op.rawValue
            let text = left.type == .text && ![.equal, .notEqual].contains(op)
            let (x, y) = text ? (dialect.ordered(a.value), dialect.ordered(b.value)) : (a.value, b.value)
            return SQLValue("(\(x) \(symbol) \(y))", fails: SQLValue.anyOf([a.fails, b.fails]))
        case .concatenation(let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            let text = "concat(COALESCE(\(dialect.written(a.value, type: left.type)), ''), COALESCE(\(dialect.written(b.value, type: right.type)), ''))"
            return SQLValue(text, fails: SQLValue.anyOf([a.fails, b.fails]))
        case .logical(let op, let left, let right):
            let (a, b) = (lower(left, scope), lower(right, scope))
            return SQLValue("(\(a.value) \(op == .and ? "AND" : "OR") \(b.value))", fails: SQLValue.anyOf([a.fails, b.fails]))
        case .membership(let element, let list):
            let value = lower(element, scope)
            guard let members = listElements(list) else { return problem("a list that is not written out has no SQL form", list) }
            let written = members.map { lower($0, scope) }
            guard !written.isEmpty else { return SQLValue("(CASE WHEN \(value.value) IS NULL THEN NULL ELSE FALSE END)", fails: value.fails) }
            return SQLValue(
                "(\(value.value) IN (\(written.map(\.value).joined(separator: ", "))))",
                fails: SQLValue.anyOf([value.fails] + written.map(\.fails)))
        case .nullTest(let operand, let isNull):
            let value = lower(operand, scope)
            return SQLValue("(\(value.value) IS \(isNull ? "" : "NOT ")NULL)", fails: value.fails)
        case .list: return problem("a list has no SQL form outside an aggregate or 'in'", node)
        case .call(let function, let arguments):
            let values = arguments.map { lower($0, scope) }
            return call(function, SQLCall(dialect: dialect, arguments: values, argumentTypes: arguments.map(\.type)), node)
        case .aggregate(let call): return aggregate(call, node, scope)
        case .window(let call): return window(call, node, scope)
        case .userCall(_, _, let expansion): return lower(expansion, scope)
        case .broadcast(let operand):
            switch operand.shape {
            case .scalar: return lower(operand, .scalar)
            case .rows: return lower(operand, scope)
            case .groups(let level): return lower(operand, .group(level, keys: keyValues(level, in: scope)))
            }
        case .groupKey(let key):
            guard case .group(_, let keys) = scope, let value = keys[key] else { return problem("the key '\(key)' is not known here", node) }
            return SQLValue(value)
        case .periodFromText(let operand):
            guard case .period(let grain) = node.type else { return problem("a period was expected", node) }
            return map(lower(operand, scope)) { dialect.periodIndex(fromText: $0, type: operand.type, grain: grain) }
        }
    }

    private func map(_ value: SQLValue, _ transform: (String) -> String) -> SQLValue {
        SQLValue(transform(value.value), fails: value.fails)
    }

    private func call(_ function: FunctionDefinition, _ call: SQLCall, _ node: TypedExpression) -> SQLValue {
        written(by: function.sql, name: function.name, call, node)
    }

    /// A form written with its arguments, each computed once however often the form uses it.
    private func written(by form: SQLForm?, name: String, _ call: SQLCall, _ node: TypedExpression) -> SQLValue {
        // The form is written over placeholders, to see how often it uses each argument.
        var placeholders = call
        let marks = call.arguments.indices.map { ("\u{1}\($0)v\u{1}", "\u{1}\($0)f\u{1}") }
        placeholders.arguments = zip(call.arguments, marks).map { SQLValue($1.0, fails: $0.fails == nil ? nil : $1.1) }
        guard let form, let written = form.write(placeholders) else {
            let unknown = call.argumentTypes.contains(.unknown) || call.collectionTypes.contains(.unknown)
            let hint = unknown ? " for arguments of unknown type (give the data with --data for the column types)" : ""
            return problem("function '\(name)' has no SQL form in \(dialect.rawValue)\(hint)", node)
        }
        let own = written.fails.map { "COALESCE(\($0), FALSE)" }
        var result = SQLValue(written.value, fails: form.decidesFailures ? own : SQLValue.anyOf(placeholders.arguments.map(\.fails) + [own]))
        // An argument with a subquery that the form repeats is computed once, in a derived
        // table, rather than once per use (nested calls would multiply the work).
        var bound: [(value: String, fails: String?, mark: (String, String))] = []
        for (argument, mark) in zip(call.arguments, marks) {
            let uses = [mark.0, mark.1].map { mark in [result.value, result.fails ?? ""].map { $0.components(separatedBy: mark).count - 1 }.reduce(0, +) }.reduce(0, +)
            if dialect != .spark, uses > 1, argument.value.contains("SELECT") || argument.value.utf8.count > 200 {
                bound.append((argument.value, argument.fails, mark))
            } else {
                let substitute = { (text: String) in
                    text.replacingOccurrences(of: mark.0, with: argument.value).replacingOccurrences(of: mark.1, with: argument.fails ?? "FALSE")
                }
                result.value = substitute(result.value)
                result.fails = result.fails.map(substitute)
            }
        }
        guard !bound.isEmpty else { return result }
        let alias = fresh("b")
        var columns: [String] = []
        for (position, argument) in bound.enumerated() {
            columns.append("\(argument.value) AS v\(position)")
            columns.append("\(argument.fails ?? "FALSE") AS f\(position)")
        }
        func rebound(_ text: String) -> String {
            var text = text
            for (position, argument) in bound.enumerated() {
                text = text.replacingOccurrences(of: argument.mark.0, with: "\(alias).v\(position)")
                    .replacingOccurrences(of: argument.mark.1, with: "\(alias).f\(position)")
            }
            return "(SELECT \(text) FROM (SELECT \(columns.joined(separator: ", "))) \(alias))"
        }
        return SQLValue(rebound(result.value), fails: result.fails.map(rebound))
    }

    /// The elements of a list literal, or of a definition that is one.
    private func listElements(_ node: TypedExpression) -> [TypedExpression]? {
        if let value = node.constantValue, case .list(let elements) = value {
            let type: KipiType
            if case .list(let element) = node.type { type = element } else { type = .unknown }
            return elements.map { TypedExpression(kind: .literal($0), type: $0.isNull ? type : $0.type, shape: .scalar, format: node.format, range: node.range) }
        }
        switch node.kind {
        case .list(let elements): return elements
        case .definition(let index): return listElements(program.definitions[index].value)
        case .userCall(_, _, let expansion): return listElements(expansion)
        default: return nil
        }
    }

    private func literal(_ value: Value, _ node: TypedExpression) -> SQLValue {
        switch value {
        case .number(let number): return SQLValue(dialect.number(number))
        case .text(let text): return SQLValue(dialect.text(text))
        case .boolean(let flag): return SQLValue(flag ? "TRUE" : "FALSE")
        case .date(let date): return SQLValue(dialect.number(Double(date.secondsSinceEpoch)))
        case .period(let period): return SQLValue(dialect.number(Double(period.index)))
        case .null: return SQLValue("CAST(NULL AS \(sqlType(node.type)))")
        case .list: return problem("a list has no SQL form outside an aggregate or 'in'", node)
        }
    }

    private func sqlType(_ type: KipiType) -> String {
        switch type {
        case .text: dialect.textType
        case .boolean: "BOOLEAN"
        case .number, .date, .period, .null, .unknown, .list: dialect.doubleType
        }
    }

    /// A column as Kipi reads it: numbers as doubles whatever the database stores, dates as days.
    private func column(_ reference: String, type: KipiType) -> String {
        switch type {
        case .number: "CAST(\(reference) AS \(dialect.doubleType))"
        case .date: dialect.seconds(reference)
        case .text, .boolean, .period, .null, .unknown, .list: reference
        }
    }

    /// Division and powers, which fail on some operands: written as forms, so that an operand
    /// with a subquery is computed once.
    private static let division = SQLForm { call in
        let (a, b) = (call.arguments[0].value, call.arguments[1].value)
        return SQLValue("(\(a) / NULLIF(\(b), 0))", fails: "(\(a) IS NOT NULL AND \(b) = 0)")
    }
    private static let power = SQLForm { call in
        let (a, b) = (call.arguments[0].value, call.arguments[1].value)
        let undefined = "((\(a) < 0 AND \(b) <> floor(\(b))) OR (\(a) = 0 AND \(b) < 0))"
        return SQLValue("(CASE WHEN \(undefined) THEN NULL ELSE power(\(a), \(b)) END)", fails: undefined)
    }

    private func arithmetic(_ kind: ArithmeticKind, _ a: SQLValue, _ b: SQLValue, _ node: TypedExpression) -> SQLValue {
        let operands = SQLValue.anyOf([a.fails, b.fails])
        switch kind {
        case .number(.divide):
            return written(by: SQLGenerator.division, name: "/", SQLCall(dialect: dialect, arguments: [a, b], argumentTypes: [.number, .number]), node)
        case .number(.power):
            return written(by: SQLGenerator.power, name: "^", SQLCall(dialect: dialect, arguments: [a, b], argumentTypes: [.number, .number]), node)
        case .number(let op):
            return SQLValue("(\(a.value) \(op.rawValue) \(b.value))", fails: operands)
        case .dateShift(let subtract, let dateFirst):
            let (date, days) = dateFirst ? (a.value, b.value) : (b.value, a.value)
            return SQLValue("(\(date) \(subtract ? "-" : "+") \(days) * 86400)", fails: operands)
        case .periodShift(let subtract, _):
            return SQLValue("(\(a.value) \(subtract ? "-" : "+") \(b.value))", fails: operands)
        case .dateDifference:
            return SQLValue("((\(a.value) - \(b.value)) / 86400)", fails: operands)
        case .periodDistance:
            return SQLValue("(\(a.value) - \(b.value))", fails: operands)
        }
    }

    // MARK: Aggregates and windows

    private func aggregate(_ call: AggregateCall, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let collectionIndices = call.roles.indices.filter { call.roles[$0] == .collection }
        let valueIndices = call.roles.indices.filter { call.roles[$0] != .collection }
        if plan.aggregates[node.id]?.readsOnlyOwnRows == true,
            let grouped = groupedAggregate(call, scope, collectionIndices: collectionIndices, valueIndices: valueIndices)
        {
            return grouped
        }
        let values = valueIndices.map { lower(call.arguments[$0], scope) }
        let derived = fresh("a")
        var collections: [SQLValue] = []
        var from = ""
        var inGroup: [String] = []
        var filter: SQLValue?
        switch call.domain {
        case .rows(let table):
            let alias = fresh("r")
            let rowScope = Scope.row(table: table, alias: alias)
            from = "\(source(table)) \(alias)"
            if let partition = call.partition {
                let outer = keyValues(partition, in: scope)
                inGroup = partition.keys.map { dialect.same(keyExpression($0, table: table, alias: alias), outer[$0] ?? "NULL") }
            }
            filter = call.filter.map { lower($0, rowScope) }
            collections = collectionIndices.map { lower(call.arguments[$0], rowScope) }
        case .groups(let level):
            let alias = fresh("x")
            let groupScope = Scope.group(level, keys: keyColumns(level, alias: alias))
            from = "\(levelTable(level)) \(alias)"
            if let partition = call.partition {
                let outer = keyValues(partition, in: scope)
                let inner = keyColumns(level, alias: alias)
                inGroup = partition.keys.map { dialect.same(inner[$0] ?? "NULL", outer[$0] ?? "NULL") }
            }
            filter = call.filter.map { lower($0, groupScope) }
            collections = collectionIndices.map { lower(call.arguments[$0], groupScope) }
        case .list:
            guard call.filter == nil else { return problem("'where' over a list has no SQL form", node) }
            guard let lists = Optional(collectionIndices.map { listElements(call.arguments[$0]) }), lists.allSatisfy({ $0 != nil }) else {
                return problem("a list that is not written out has no SQL form", node)
            }
            var elements = lists.compactMap { $0 }.map { $0.map { lower($0, scope) } }
            if call.function.skipsErrors {
                // A failed element is left out (NULL), as count leaves out error values.
                elements = elements.map { $0.map { element in
                    element.fails.map { SQLValue("(CASE WHEN COALESCE(\($0), FALSE) THEN NULL ELSE \(element.value) END)") } ?? element
                } }
            }
            let count = elements.map(\.count).max() ?? 0
            guard count > 0, elements.allSatisfy({ $0.count == count }) else { return problem("lists of different lengths have no SQL form", node) }
            let alias = fresh("l")
            let rows = (0..<count).map { row in "(" + elements.map { $0[row].value }.joined(separator: ", ") + ")" }
            let names = collectionIndices.indices.map { "c\($0)" }
            from = "(VALUES \(rows.joined(separator: ", "))) AS \(alias)(\(names.joined(separator: ", ")))"
            collections = names.map { SQLValue("\(alias).\($0)") }
            let listFails = SQLValue.anyOf(elements.flatMap { $0.map(\.fails) })
            if let listFails { filter = SQLValue("TRUE", fails: listFails) }
        }
        // A function that skips errors (count) leaves failed values out instead.
        let skipped = call.function.skipsErrors ? collections.compactMap { $0.fails.map { "NOT COALESCE(\($0), FALSE)" } } : []
        let rows = derivedRows(items(collections), from: from, kept: inGroup + kept(filter, collections) + skipped, as: derived)
        // A failed filter cell, or a failed collection cell the filter keeps, fails the group.
        let collectionFails = call.function.skipsErrors ? nil : SQLValue.anyOf(collections.map(\.fails))
        var rowFails: String?
        if let filter, let fails = filter.fails {
            rowFails = SQLValue.anyOf([fails, collectionFails.map { "(COALESCE(\(filter.value), FALSE) AND \($0))" }])
        } else if let collectionFails {
            rowFails = filter.map { "(COALESCE(\($0.value), FALSE) AND \(collectionFails))" } ?? collectionFails
        }
        let groupFails = rowFails.map { "EXISTS (SELECT 1 FROM \(from) WHERE \((inGroup + [$0]).joined(separator: " AND ")))" }
        var sqlCall = SQLCall(
            dialect: dialect, arguments: values, argumentTypes: valueIndices.map { call.arguments[$0].type }, rows: rows,
            collections: collections.indices.map { "\(derived).v\($0)" })
        sqlCall.collectionTypes = collectionIndices.map { call.arguments[$0].type }
        sqlCall.constants = valueIndices.map { constant(call.arguments[$0]) }
        let written = self.call(call.function, sqlCall, node)
        return SQLValue(written.value, fails: SQLValue.anyOf([written.fails, groupFails]))
    }

    /// The rows an aggregate reduces, as a derived table: `columns` of `from` where `kept` holds.
    private func derivedRows(_ columns: [String], from: String, kept: [String], as derived: String) -> String {
        "(SELECT \(columns.joined(separator: ", ")) FROM \(from)\(kept.isEmpty ? "" : " WHERE " + kept.joined(separator: " AND "))) \(derived)"
    }

    /// An aggregate's collections as the columns `v0`, `v1` … (a constant without any, for `count()`).
    private func items(_ collections: [SQLValue]) -> [String] {
        collections.isEmpty ? ["1 AS v0"] : collections.enumerated().map { "\($1.value) AS v\($0)" }
    }

    /// The rows an aggregate keeps: where its filter holds and no collection is null.
    private func kept(_ filter: SQLValue?, _ collections: [SQLValue]) -> [String] {
        (filter.map { ["COALESCE(\($0.value), FALSE)"] } ?? []) + collections.map { "\($0.value) IS NOT NULL" }
    }

    /// The value of an expression known as the SQL is written: a constant, or a parameter.
    private func constant(_ node: TypedExpression) -> Value? {
        if let value = node.constantValue { return value }
        if case .parameter(let name) = node.kind { return parameters[name] ?? program.parameters.first { $0.name == name }?.defaultValue }
        return nil
    }

    /// An aggregate per group of its table's rows, computed for every group at once with GROUP BY
    /// (one pass over the rows) and read by the group's keys, rather than as a subquery per group
    /// (a pass per group, which PostgreSQL does not turn into one). Taken when the collections
    /// and the filter read only their own row and the function's form is one aggregate
    /// expression over the rows (`sum`, `avg`, `count` …); a group with no rows kept gets the
    /// form's value over no rows.
    private func groupedAggregate(_ call: AggregateCall, _ scope: Scope, collectionIndices: [Int], valueIndices: [Int]) -> SQLValue? {
        let constants = valueIndices.map { constant(call.arguments[$0]) }
        guard case .rows(let table) = call.domain, let partition = call.partition, constants.allSatisfy({ $0 != nil }),
            let overRows = call.function.sql?.overRows
        else { return nil }
        let source = self.source(table)
        let (alias, derived) = (fresh("r"), fresh("a"))
        let rowScope = Scope.row(table: table, alias: alias)
        let filter = call.filter.map { lower($0, rowScope) }
        let collections = collectionIndices.map { lower(call.arguments[$0], rowScope) }
        guard filter?.fails == nil, collections.allSatisfy({ $0.fails == nil }) else { return nil }
        let keys = partition.keys.enumerated().map { "\(keyExpression($1, table: table, alias: alias)) AS p\($0)" }
        let columns = keys + items(collections)
        let rows = derivedRows(columns, from: "\(source) \(alias)", kept: kept(filter, collections), as: derived)
        let noRows = derivedRows(columns, from: "\(source) \(alias)", kept: ["FALSE"], as: derived)
        var sqlCall = SQLCall(
            dialect: dialect, arguments: valueIndices.map { lower(call.arguments[$0], .scalar) }, argumentTypes: valueIndices.map { call.arguments[$0].type },
            rows: rows, collections: collections.indices.map { "\(derived).v\($0)" })
        sqlCall.collectionTypes = collectionIndices.map { call.arguments[$0].type }
        sqlCall.constants = constants
        guard let written = overRows(sqlCall) else { return nil }
        let (value, failure) = (written.value, written.fails)
        let groupKeys = (0..<keys.count).map { "\(derived).p\($0)" }
        let body = "SELECT \(groupKeys.enumerated().map { "\($1) AS p\($0)" }.joined(separator: ", ")), \(value) AS value"
            + (failure.map { ", \($0) AS fails" } ?? "") + " FROM \(rows) GROUP BY \(groupKeys.joined(separator: ", "))"
        let aggregates = addCTE(key: "aggregate:" + body, prefix: "aggregates") { body }
        let outer = keyValues(partition, in: scope)
        let found = fresh("x")
        let match = partition.keys.enumerated().map { dialect.same("\(found).p\($0)", outer[$1] ?? "NULL") }.joined(separator: " AND ")
        let read = { (column: String, empty: String) in
            "COALESCE((SELECT \(self.dialect.single("\(found).\(column)")) FROM \(aggregates) \(found) WHERE \(match)), (SELECT \(empty) FROM \(noRows)))"
        }
        return SQLValue(read("value", value), fails: failure.map { read("fails", $0) })
    }

    private func window(_ call: WindowCall, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let level = call.level
        let keys = keyValues(level, in: scope)
        let value = lower(call.series, .group(level, keys: keyColumns(level, alias: "g")))
        let columns = (0..<level.keys.count).map { "g.k\($0)" }.joined(separator: ", ")
        let body = "SELECT \(columns), \(settled(value)) AS value, \(value.fails ?? "FALSE") AS fails FROM \(levelTable(level)) g"
        let series = addCTE(key: "window:" + body, prefix: "series") { body }
        let inner = keyColumns(level, alias: "w")
        let others = level.keys.filter { $0 != call.along }.map { dialect.same(inner[$0] ?? "NULL", keys[$0] ?? "NULL") }
        // Along a date key, positions are days.
        let position = call.along.map { call.grain == nil ? dialect.days(ofSeconds: inner[$0] ?? "NULL") : inner[$0] ?? "NULL" } ?? "0"
        let current = call.along.map { call.grain == nil ? dialect.days(ofSeconds: keys[$0] ?? "NULL") : keys[$0] ?? "NULL" } ?? "0"
        let (grain, sqlDialect) = (call.grain, dialect)
        let window = SQLWindow(
            groups: "\(series) w", sameSeries: others.isEmpty ? "TRUE" : others.joined(separator: " AND "),
            samePeriod: call.along == nil ? "TRUE" : "\(position) = \(current)", position: position, currentPosition: current,
            current: lower(call.series, scope), grain: grain,
            bucket: { position, coarser in sqlDialect.bucket(position, grain: grain, per: coarser) },
            lastYear: { position in sqlDialect.lastYear(position, grain: grain) })
        var sqlCall = SQLCall(dialect: dialect, arguments: call.arguments.map { lower($0, scope) }, argumentTypes: call.arguments.map(\.type))
        sqlCall.window = window
        return self.call(call.function, sqlCall, node)
    }

    /// The year or quarter (as a period index) that a position of `grain` lies in.
    static func bucket(_ position: String, grain: PeriodGrain?, per coarser: PeriodGrain, _ dialect: SQLDialect) -> String {
        switch grain {
        case .month?: return coarser == .year ? "floor(\(position) / 12)" : "floor(\(position) / 3)"
        case .quarter?: return coarser == .year ? "floor(\(position) / 4)" : position
        case .year?: return position
        case .week?:
            // An ISO week belongs to the year and quarter of its Thursday.
            let thursday = "(\(position) * 7)"
            return periodIndex(ofDays: thursday, grain: coarser, dialect)
        case nil: return periodIndex(ofDays: position, grain: coarser, dialect)
        }
    }

    /// The position of the same period a year before; NULL where there is none (week 53).
    static func lastYear(_ position: String, grain: PeriodGrain?, _ dialect: SQLDialect) -> String {
        switch grain {
        case .month?: return "(\(position) - 12)"
        case .quarter?: return "(\(position) - 4)"
        case .year?: return "(\(position) - 1)"
        case .week?:
            let week = { (index: String) in weekOfYear(index, dialect) }
            let year = { (index: String) in dialect.part("YEAR", ofDays: "(\(index) * 7)") }
            let candidates = ["(\(position) - 52)", "(\(position) - 53)"]
            let cases = candidates.map { "WHEN \(year($0)) = \(year(position)) - 1 AND \(week($0)) = \(week(position)) THEN \($0)" }
            return "(CASE \(cases.joined(separator: " ")) END)"
        case nil:
            let (y, m, d) = (dialect.part("YEAR", ofDays: position), dialect.part("MONTH", ofDays: position), dialect.part("DAY", ofDays: position))
            let firstOfMonth = dialect.days(year: "\(y) - 1", month: m, day: "1")
            let monthLength = "(\(dialect.days(year: "CASE WHEN \(m) = 12 THEN \(y) ELSE \(y) - 1 END", month: "CASE WHEN \(m) = 12 THEN 1 ELSE \(m) + 1 END", day: "1")) - \(firstOfMonth))"
            return "(\(firstOfMonth) + least(\(d), \(monthLength)) - 1)"
        }
    }

    /// The ISO week number of a week index.
    static func weekOfYear(_ index: String, _ dialect: SQLDialect) -> String {
        "(floor((\(dialect.part("DOY", ofDays: "(\(index) * 7)")) - 1) / 7) + 1)"
    }

    /// The index of the period of `grain` containing a day.
    static func periodIndex(ofDays days: String, grain: PeriodGrain, _ dialect: SQLDialect) -> String {
        let year = dialect.part("YEAR", ofDays: days)
        let month = dialect.part("MONTH", ofDays: days)
        switch grain {
        case .week: return "floor((floor(\(days)) + 3) / 7)"
        case .month: return "(\(year) * 12 + \(month) - 1)"
        case .quarter: return "(\(year) * 4 + floor((\(month) - 1) / 3))"
        case .year: return year
        }
    }

    /// A period index from its text (`2024-03`, `2024-Q1`, `2024-W05`, `2024`) or a year's number.
    static func periodIndex(fromText text: String, type: KipiType, grain: PeriodGrain, _ dialect: SQLDialect) -> String {
        let number = { (from: Int, length: Int) in "CAST(substr(\(text), \(from), \(length)) AS \(dialect.doubleType))" }
        switch grain {
        case .year: return type == .text ? "CAST(\(text) AS \(dialect.doubleType))" : text
        case .month: return "(\(number(1, 4)) * 12 + \(number(6, 2)) - 1)"
        case .quarter: return "(\(number(1, 4)) * 4 + \(number(7, 1)) - 1)"
        case .week:
            // Week 1 holds 4 January; its Monday is that day minus its ISO weekday.
            let january4 = dialect.days(year: number(1, 4), month: "1", day: "4")
            let monday = "(\(january4) - \(dialect.isoWeekday(january4)) + 1)"
            return "floor((\(monday) + (\(number(7, 2)) - 1) * 7 + 3) / 7)"
        }
    }

    /// 1 for Monday … 7 for Sunday, of a day number (1970-01-01 was a Thursday).
    static func isoWeekday(_ days: String, _ dialect: SQLDialect) -> String {
        "(floor(\(days)) - 7 * floor((floor(\(days)) + 3) / 7) + 3 + 1)"
    }

    // MARK: Output

    /// A value as text, as Kipi's `text` and `&` write it.
    static func written(_ value: String, type: KipiType, _ dialect: SQLDialect) -> String {
        switch type {
        case .text, .null, .unknown, .list: return value
        case .number:
            let whole = "CAST(CAST(\(value) AS \(dialect.integerType)) AS \(dialect.textType))"
            return "(CASE WHEN \(value) = floor(\(value)) AND abs(\(value)) < 1E15 THEN \(whole) ELSE \(dialect.castText(value)) END)"
        case .boolean: return "(CASE WHEN \(value) THEN 'true' WHEN NOT \(value) THEN 'false' END)"
        case .date: return dateText(value, dialect)
        case .period(let grain): return dialect.periodText(value, grain: grain)
        }
    }

    /// A date as Kipi writes it: `2024-03-31`, with the time when it has one (`2024-03-31 16:26`,
    /// seconds only when not zero).
    static func dateText(_ seconds: String, _ dialect: SQLDialect) -> String {
        let day = dialect.castText(dialect.date(fromDays: dialect.days(ofSeconds: seconds)))
        let time = "(\(seconds) - 86400 * floor(\(seconds) / 86400))"
        let two = { (number: String) in "lpad(CAST(CAST(\(number) AS \(dialect.integerType)) AS \(dialect.textType)), 2, '0')" }
        let clock = "concat(\(day), ' ', \(two("floor(\(time) / 3600)")), ':', \(two("floor(\(time) / 60) - 60 * floor(\(time) / 3600)")), "
            + "CASE WHEN \(time) - 60 * floor(\(time) / 60) = 0 THEN '' ELSE concat(':', \(two("\(time) - 60 * floor(\(time) / 60)"))) END)"
        return "(CASE WHEN \(seconds) IS NULL THEN NULL WHEN \(time) = 0 THEN \(day) ELSE \(clock) END)"
    }

    /// A value as the statement's result shows it: dates and periods as their text (a year as
    /// its number).
    private func output(_ value: String, type: KipiType) -> String {
        switch type {
        case .date: return dialect.dateText(value)
        case .period(.year): return "CAST(\(value) AS \(dialect.integerType))"
        case .period(let grain): return dialect.periodText(value, grain: grain)
        case .number, .text, .boolean, .null, .unknown, .list: return value
        }
    }

    static func periodText(_ index: String, grain: PeriodGrain, _ dialect: SQLDialect) -> String {
        "(CASE WHEN \(index) IS NULL THEN NULL ELSE \(periodTextOfIndex(index, grain: grain, dialect)) END)"
    }

    private static func periodTextOfIndex(_ index: String, grain: PeriodGrain, _ dialect: SQLDialect) -> String {
        let digits = { (number: String, width: Int) in
            "lpad(CAST(CAST(\(number) AS \(dialect.integerType)) AS \(dialect.textType)), \(width), '0')"
        }
        switch grain {
        case .year: return digits(index, 4)
        case .month: return "concat(\(digits("floor(\(index) / 12)", 4)), '-', \(digits("\(index) - 12 * floor(\(index) / 12) + 1", 2)))"
        case .quarter: return "concat(\(digits("floor(\(index) / 4)", 4)), '-Q', \(digits("\(index) - 4 * floor(\(index) / 4) + 1", 1)))"
        case .week:
            let year = dialect.part("YEAR", ofDays: "(\(index) * 7)")
            return "concat(\(digits(year, 4)), '-W', \(digits(weekOfYear(index, dialect), 2)))"
        }
    }
}

extension Program {
    /// The program as SQL for `dialect`: one statement per reported KPI, computing what
    /// `evaluate` computes (NULL where it gives an evaluation error).
    ///
    /// - Parameters:
    ///   - tables: the SQL table of each Kipi table ("" is the default table), such as
    ///     `["": "sales", "plans": "analytics.plans_2024"]`.
    ///   - parameters: values for `param`s, written into the SQL as literals.
    /// - Throws: `DiagnosticList` naming every construct or function with no SQL form in the
    ///   dialect, and every table not given.
    public func sql(dialect: SQLDialect, tables: [String: String], parameters: [String: Value] = [:]) throws(DiagnosticList) -> SQLScript {
        // Parameters are checked as an evaluation checks them: the name, and the type.
        var problems: [Diagnostic] = []
        _ = parameterValues(parameters, problems: &problems)
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        let generator = SQLGenerator(program: checked, plan: plan, dialect: dialect, tables: tables, parameters: parameters, sizeLimit: limits.sourceSize * 64)
        let script = generator.script()
        guard generator.problems.isEmpty else { throw DiagnosticList(generator.problems) }
        return script
    }
}
