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
    /// `encodedText` without its `WITH`: the part of a combined query (`SQLGenerator.combined`).
    var encodedBody: String
    /// The KPI's index among the program's definitions.
    var definition: Int
}

/// A program written as SQL for one dialect.
public struct SQLScript: Sendable, Hashable {
    /// The SQL it is written in.
    public var dialect: SQLDialect
    /// One statement per reported KPI, in file order.
    public var statements: [SQLStatement]
    /// What runs before the statements, in the same session: Spark's temporary views over the
    /// data files named as tables.
    public var setup: [String] = []

    /// The script as `kipi sql` prints it: the setup, then each statement after a comment naming its KPI.
    public var text: String {
        (setup.map { "\($0);\n" } + statements.map { "-- \($0.kpi)\n\($0.text);\n" }).joined(separator: "\n")
    }
}

/// Lowers a checked program to SQL. It walks the checked tree and nothing else: every level,
/// domain, operator kind and window is read from the nodes. Values are written so that every
/// dialect computes Kipi's semantics: numbers as doubles, dates as seconds since 1970-01-01,
/// periods as their index (`Period.index`), each value with the
/// condition under which Kipi would fail it.
///
/// An aggregate of a table's rows is a column of that table's one pass per level (`Totals`);
/// others are a subquery over a level's groups or a list, kept by the filter and the group. A
/// grouped definition is a common table expression, joined to the groups that read it by their
/// keys (looked up by them elsewhere); a level of one table is its pass's rows.
final class SQLGenerator {
    let program: CheckedProgram
    let plan: ProgramPlan
    let dialect: SQLDialect
    let tables: [String: String]
    let parameters: [String: Value]
    var ctes: [(name: String, body: String)] = []
    var cteNames: [String: String] = [:]
    var aliases = 0
    private(set) var problems: [Diagnostic] = []
    var reported: Set<String> = []
    /// For each SELECT being written over a level's groups `g`, innermost last: the grouped
    /// definitions it reads at its own groups, joined to `g` by their keys.
    var joinFrames: [[(alias: String, table: String, condition: String)]] = []
    /// Each table's aggregates by the keys of a level, or over all its rows, computed together
    /// (`tableAggregate`), by table and keys.
    var totals: [String: Totals] = [:]
    /// Whether the statements being written share their tables (`combined`).
    var sharing = false
    /// The script's setup statements, in the order first needed.
    var setup: [String] = []
    /// Row-level definitions computed as columns of their table's rows.
    var materialized: Set<Int> = []
    /// Keys computed as columns of their table's rows.
    var materializedKeys: Set<GroupKey> = []
    /// The definitions the current statement reads.
    var used: Set<Int> = []
    var usedKeys: Set<GroupKey> = []

    /// Every written expression that grows past this many bytes stops the generation: nested
    /// conditions repeat their operands, and a stranger's formula must not make gigabytes.
    let sizeLimit: Int
    let keyColumnNames: [GroupKey: String]

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
        let statements = program.kpis.map(statement)
        return SQLScript(dialect: dialect, statements: statements, setup: setup)
    }

    // MARK: Statements

    enum Scope {
        case scalar
        /// One row of a table's filtered rows, under `alias`.
        case row(table: String, alias: String)
        /// One group of a level: each key's value as SQL.
        case group(Level, keys: [GroupKey: String])
    }

    /// Forgets every table written, for a statement of its own that reads `definitions`.
    func start(reading definitions: Set<Int>) {
        ctes = []
        cteNames = [:]
        totals = [:]
        aliases = 0
        materialized = []
        materializedKeys = []
        used = definitions
        usedKeys = keys(of: used)
    }

    /// The KPIs' statements as one query for an engine: their tables written once and shared
    /// (each table's totals one pass for all), their encoded rows one after another.
    func combined(_ indices: [Int]) -> String {
        start(reading: indices.reduce(into: Set<Int>()) { $0.formUnion(program.dependencies(of: $1)) })
        sharing = true
        defer { sharing = false }
        let bodies = indices.map { statement($0).encodedBody }
        return with() + bodies.joined(separator: "\nUNION ALL\n")
    }

    /// `WITH` and the tables written so far. A table of aggregates or groups is computed once
    /// however often it is read (PostgreSQL would inline one read once into each correlated
    /// subquery, computing it per group again). The rows of a table are read where they are
    /// used: a copy of every column of every row (what DuckDB and PostgreSQL make of a table
    /// read twice) costs more than reading the table again. Spark decides for itself.
    func with() -> String {
        guard !ctes.isEmpty else { return "" }
        let tables = ctes.map { table in
            let materialized = dialect == .spark ? "" : table.name.hasPrefix("rows") ? "NOT MATERIALIZED " : "MATERIALIZED "
            return "\(table.name) AS \(materialized)(\n  \(table.body)\n)"
        }
        return "WITH " + tables.joined(separator: ",\n") + "\n"
    }

    func statement(_ index: Int) -> SQLStatement {
        if !sharing { start(reading: program.dependencies(of: index)) }
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
        var computed: [String] = []
        var levelFailures: [String] = []
        let (value, joins) = joiningGroups {
            let value = lower(definition.value, scope)
            computed = [definition.grouping == nil ? nil : "g.*", "\(value.value) AS value", value.failure.map { "\($0) AS failure" }].compactMap { $0 }
            for (level, levelIndex) in definition.thresholds?.levels ?? [] {
                let lowered = lower(program.definitions[levelIndex].value, scope)
                computed.append("\(lowered.value) AS level_\(level.rawValue)")
                if let failure = lowered.failure {
                    computed.append("\(dialect.prefixed("the \(level.rawValue) level failed: ", failure)) AS level_\(level.rawValue)_failure")
                    levelFailures.append("g.level_\(level.rawValue)_failure")
                }
            }
            return value
        }
        let failing = [value.failure == nil ? nil : "g.failure"] + levelFailures
        // The level's table is named after the value's tables, as the statement reads them.
        if let level = definition.grouping?.level { from = " FROM \(levelTable(level)) g" + joins }
        let judgement = definition.thresholds.map { judgementColumns($0, failing: SQLValue.first(failing)) }
        let failure = SQLValue.first(failing + [judgement?.contradiction])
        let shown = output(failure.map { "CASE WHEN \($0) IS NOT NULL THEN NULL ELSE g.value END" } ?? "g.value", type: definition.value.type)
        let with = sharing ? "" : with()
        let judged = judgement?.columns ?? []
        let items = keys.map { "\($0.value) AS \(dialect.identifier($0.name))" } + ["\(shown) AS value"] + judged.map { "\($0.value) AS \($0.name)" }
        // For the engines: one text column per row, each cell marked as a value (=), a null (~)
        // or an evaluation error (! and its message), so that results read back exactly.
        let tab = "chr(9)"
        let cells = keys.map { encoded($0.value) } + [failure.map { "COALESCE(\(encoded($0, marker: "!")), \(encoded(shown)))" } ?? encoded(shown)]
            + judged.map { encoded($0.value) }
        let row = "concat('kipi:\(index)', \(tab), " + cells.joined(separator: ", \(tab), ") + ")"
        let body = "\nFROM (SELECT \(computed.joined(separator: ", "))\(from)) g"
        // Read back, the rows need no order (they are sorted as in-process); the last one says
        // the statement ran to its end.
        let finished = "\nUNION ALL SELECT '\(EngineOutput.finished(index))'"
        return SQLStatement(
            kpi: definition.name, text: with + "SELECT " + items.joined(separator: ", ") + body + order,
            columns: keys.map(\.name) + ["value"] + judged.map(\.name), encodedText: with + "SELECT \(row) AS kipi_row" + body + finished,
            encodedBody: "SELECT \(row) AS kipi_row" + body + finished, definition: index)
    }

    /// A KPI's `status` and `level` (SPEC v3) as columns over `g.value` and its levels
    /// (`g.level_norm` …), then each declared level; and the failure where the levels contradict
    /// each other (the row then fails), nil when they cannot. Where `failing` is not NULL, the
    /// value or a level failed: no status.
    func judgementColumns(
        _ thresholds: Thresholds, failing: String?
    ) -> (columns: [(name: String, value: String)], contradiction: String?) {
        let declared = thresholds.levels.map(\.level)
        func column(_ level: ThresholdLevel) -> String? { declared.contains(level) ? "g.level_\(level.rawValue)" : nil }
        let ordered = declared.map { "g.level_\($0.rawValue)" }
        func steps(_ op: String) -> String { zip(ordered, ordered.dropFirst()).map { "\($0) \(op) \($1)" }.joined(separator: " AND ") }
        // Whether higher is better for this row: fixed, or from the order of its levels.
        let rising: String
        var contradicting: String?
        let allPresent = (["g.value"] + ordered).map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        // Levels known as the SQL is written (numbers, parameters) that agree settle the
        // direction here, and cannot contradict each other in any row.
        let known = thresholds.levels.compactMap { knownNumber(program.definitions[$0.definition].value) }
        let settled = known.count == declared.count ? ThresholdDirection.implied(by: known, fixed: thresholds.direction) : nil
        switch settled ?? thresholds.direction {
        case .higherIsBetter?:
            rising = "TRUE"
            if ordered.count > 1 { contradicting = "NOT (\(steps("<")))" }
        case .lowerIsBetter?:
            rising = "FALSE"
            if ordered.count > 1 { contradicting = "NOT (\(steps(">")))" }
        case nil:
            rising = "(\(steps("<")))"
            contradicting = "NOT (\(steps("<"))) AND NOT (\(steps(">")))"
        }
        if settled != nil { contradicting = nil }
        // As the evaluation says it: each level's value, then the rule the sign sets.
        let contradiction = contradicting.map { condition in
            let written = declared.map { "\($0.rawValue) {}" }.joined(separator: ", ")
            let message = CheckerMessages.thresholdsContradict([written], sign: thresholds.direction)
            return dialect.failure(where: "\(allPresent) AND \(condition)", message, numbers: ordered)
        }
        func worse(_ level: String) -> String {
            switch settled ?? thresholds.direction {
            case .higherIsBetter?: "g.value < \(level)"
            case .lowerIsBetter?: "g.value > \(level)"
            case nil: "(\(rising) AND g.value < \(level) OR NOT \(rising) AND g.value > \(level))"
            }
        }
        let unjudged = (SQLValue.first([failing, contradiction]).map { "\($0) IS NOT NULL OR " } ?? "") + "NOT (\(allPresent))"
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

    /// A cell as text for reading back: `marker` (`=`) and the value's text (backslash, tab, line
    /// breaks escaped), or `~` for null; with another marker (`!` for a failure's message), NULL for null.
    func encoded(_ value: String, marker: String = "=") -> String {
        var text = dialect.castText(value)
        for (character, escape) in [("chr(92)", "\\\\"), ("chr(9)", "\\t"), ("chr(10)", "\\n"), ("chr(13)", "\\r")] {
            text = "replace(\(text), \(character), \(dialect.text(escape)))"
        }
        let marked = dialect.prefixed(marker, text)
        return marker == "=" ? "COALESCE(\(marked), '~')" : marked
    }

    /// The value, NULL where it fails.
    func settled(_ value: SQLValue) -> String {
        guard let failure = value.failure else { return value.value }
        return "CASE WHEN \(failure) IS NOT NULL THEN NULL ELSE \(value.value) END"
    }

    /// A failure that never happens, as typed text.
    var noFailure: String { "CAST(NULL AS \(dialect.textType))" }

    /// What `body` writes for a SELECT over a level's groups `g`, and the joins it needs after
    /// `FROM groups g`: the grouped definitions it reads at g's own groups.
    func joiningGroups<T>(_ body: () -> T) -> (T, String) {
        joinFrames.append([])
        let result = body()
        let joins = joinFrames.removeLast().map { "\n  LEFT JOIN \($0.table) \($0.alias) ON \($0.condition)" }.joined()
        return (result, joins)
    }

    func fresh(_ prefix: String) -> String {
        aliases += 1
        return "\(prefix)\(aliases)"
    }

    func addCTE(key: String, prefix: String, _ body: () -> String) -> String {
        if let name = cteNames[key] { return name }
        let text = body()
        let name = "\(prefix)\(ctes.count + 1)"
        ctes.append((name, text))
        cteNames[key] = name
        return name
    }

    func problem(_ message: String, _ node: TypedExpression? = nil) -> SQLValue {
        guard reported.insert(message).inserted else { return SQLValue("NULL") }
        if let node, let source = program.sources[node.file] {
            problems.append(Diagnostic(message: message, range: node.range, source: source))
        } else {
            problems.append(Diagnostic(message: message))
        }
        return SQLValue("NULL")
    }

    // MARK: Output

    /// A value as the statement's result shows it: dates and periods as their text (a year as
    /// its number).
    func output(_ value: String, type: KipiType) -> String {
        switch type {
        case .date: return dialect.dateText(value)
        case .period(.year): return "CAST(\(value) AS \(dialect.integerType))"
        case .period(let grain): return dialect.periodText(value, grain: grain)
        case .number, .text, .boolean, .null, .unknown, .list: return value
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

    /// The statements of `script` as one query sharing their tables, for an engine; nil when it
    /// cannot be written (the statements are then run one by one).
    func combinedSQL(_ script: SQLScript, tables: [String: String], parameters: [String: Value]) -> String? {
        guard !script.statements.isEmpty else { return nil }
        let generator = SQLGenerator(program: checked, plan: plan, dialect: script.dialect, tables: tables, parameters: parameters, sizeLimit: limits.sourceSize * 64)
        let query = generator.combined(script.statements.map(\.definition))
        return generator.problems.isEmpty ? query : nil
    }
}
