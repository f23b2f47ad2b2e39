// Tables, levels and definitions: the common table expressions a statement reads.
extension SQLGenerator {
    /// The rows of a table that the program's `where`s keep, with a column for each row-level
    /// definition that reads only its own row, computed once (`let won`, and `let won failure`).
    /// A table read as it is (nothing computed, nothing left out) is its own reference.
    func source(_ table: String) -> String {
        let key = "source:\(table)"
        if let name = cteNames[key] { return name }
        var plain: String?
        let name = addCTE(key: key, prefix: "rows") {
            guard let reference = tables[table] else {
                _ = problem(table.isEmpty ? "no SQL table is given for the default table: use --table TABLE" : "no SQL table is given for table '\(table)': use --table \(table)=TABLE")
                return "SELECT NULL"
            }
            var rows = dialect.tableReference(reference)
            if let file = SQLDataFile(reference: reference) {
                let reading: (from: String, setup: String?)
                switch file.reading(in: dialect, table: table) {
                case .success(let found): reading = found
                case .failure(let diagnostic):
                    _ = problem(diagnostic.message)
                    return "SELECT NULL"
                }
                rows = reading.from
                if let statement = reading.setup, !setup.contains(statement) { setup.append(statement) }
            }
            for index in used.sorted() where program.definitions[index].value.shape == .rows(table) && plan.rowLocalDefinitions.contains(index) {
                let value = lower(program.definitions[index].value, .row(table: table, alias: "r"))
                let (column, failure) = materializedColumns(index)
                if plan.definitionCanFail[index], let reason = value.failure {
                    // The failure is computed once, then the value is NULL where it fails.
                    let unsettled = dialect.identifier("let \(program.definitions[index].name) unsettled")
                    rows = "(SELECT r.*, \(value.value) AS \(unsettled), \(reason) AS \(failure) FROM \(rows) r)"
                    rows = "(SELECT r.*, CASE WHEN r.\(failure) IS NOT NULL THEN NULL ELSE r.\(unsettled) END AS \(column) FROM \(rows) r)"
                } else {
                    let failureColumn = plan.definitionCanFail[index] ? ", \(noFailure) AS \(failure)" : ""
                    rows = "(SELECT r.*, \(settled(value)) AS \(column)\(failureColumn) FROM \(rows) r)"
                }
                materialized.insert(index)
            }
            // Keys computed from a row (`month(date)`) are computed once, as columns too.
            var keys: [String] = []
            for (key, expressions) in program.keyExpressions.sorted(by: { $0.key < $1.key }) where usedKeys.contains(key) {
                guard let expression = expressions[table], !isColumn(expression) else { continue }
                keys.append("\(keyValue(key, lower(expression, .row(table: table, alias: "r")))) AS \(keyColumn(key))")
                materializedKeys.insert(key)
            }
            if !keys.isEmpty { rows = "(SELECT r.*, \(keys.joined(separator: ", ")) FROM \(rows) r)" }
            let filters = program.filters.filter { $0.table == table }.map { settledCondition(lower($0.predicate, .row(table: table, alias: "r"))) }
            if filters.isEmpty, !rows.hasPrefix("(") { plain = rows }
            return "SELECT * FROM \(rows) r" + (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "))
        }
        guard let plain else { return name }
        ctes.removeAll { $0.name == name }
        cteNames[key] = plain
        return plain
    }

    /// The columns of a materialized row-level definition: its value, and why it failed.
    func materializedColumns(_ index: Int) -> (String, String) {
        let name = program.definitions[index].name
        return (dialect.identifier("let \(name)"), dialect.identifier("let \(name) failure"))
    }

    /// A condition that holds only where the value is true and does not fail.
    func settledCondition(_ value: SQLValue) -> String {
        guard let failure = value.failure else { return "COALESCE(\(value.value), FALSE)" }
        return "(\(failure) IS NULL AND COALESCE(\(value.value), FALSE))"
    }

    /// The groups of a level: its keys (columns `k0`, `k1` … in the level's key order) as they
    /// occur in the rows of its tables.
    /// A level of one table is the table's aggregates by its keys (`totals`), whose rows are its groups.
    func levelTable(_ level: Level) -> String {
        if level.tableNames.count == 1, let table = level.tableNames.first, level.keys.allSatisfy({ program.keyExpressions[$0]?[table] != nil }) {
            return totals(table, by: level.keys).name
        }
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

    /// Whether a key's value is a column of the groups `g` (`g.k0`).
    func isGroupKeyColumn(_ value: String) -> Bool {
        value.hasPrefix("g.k") && value.dropFirst(3).allSatisfy(\.isNumber) && value.count > 3
    }

    func isColumn(_ expression: TypedExpression) -> Bool {
        if case .column = expression.kind { return true }
        return false
    }

    func keyColumn(_ key: GroupKey) -> String { dialect.identifier(keyColumnNames[key] ?? "key \(key.canonical)") }

    /// The keys of every level the definitions read.
    func keys(of definitions: Set<Int>) -> Set<GroupKey> {
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

    func keyExpression(_ key: GroupKey, table: String, alias: String) -> String {
        if materializedKeys.contains(key), let expression = program.keyExpressions[key]?[table], !isColumn(expression) {
            return "\(alias).\(keyColumn(key))"
        }
        guard let expression = program.keyExpressions[key]?[table] else {
            return problem("the key '\(key)' cannot be computed from table '\(table)'").value
        }
        return keyValue(key, lower(expression, .row(table: table, alias: alias)))
    }

    /// A key's value, stopping the query where a row's key cannot be computed: the evaluation
    /// fails the whole KPI there, where a group of NULL would be silently wrong.
    func keyValue(_ key: GroupKey, _ value: SQLValue) -> String {
        guard let failure = value.failure else { return value.value }
        let message = dialect.prefixed("a 'by' key could not be computed: ", failure)
        return "(CASE WHEN \(failure) IS NOT NULL THEN \(dialect.raised(message, as: sqlType(keyType(key)))) ELSE \(value.value) END)"
    }

    func keyType(_ key: GroupKey) -> KipiType {
        program.keyTypes[key] ?? .unknown
    }

    func keyColumns(_ level: Level, alias: String) -> [GroupKey: String] {
        Dictionary(uniqueKeysWithValues: level.keys.enumerated().map { ($1, "\(alias).k\($0)") })
    }

    /// The value of each key of `level` where `scope` is.
    func keyValues(_ level: Level, in scope: Scope) -> [GroupKey: String] {
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

    func matching(_ level: Level, alias: String, _ values: [GroupKey: String]) -> [String] {
        level.keys.enumerated().map { index, key in dialect.same("\(alias).k\(index)", values[key] ?? "NULL") }
    }

    /// A definition of one value or one value per group, as a table: `value`, `failure`, and for
    /// grouped ones the keys.
    func definitionTable(_ index: Int) -> String {
        addCTE(key: "definition:\(index)", prefix: "def") {
            let value = program.definitions[index].value
            if case .groups(let level) = value.shape {
                let keys = keyColumns(level, alias: "g")
                let (lowered, joins) = joiningGroups { lower(value, .group(level, keys: keys)) }
                let columns = (0..<level.keys.count).map { "g.k\($0)" }.joined(separator: ", ")
                return "SELECT \(columns), \(settled(lowered)) AS value, \(lowered.failure ?? noFailure) AS failure FROM \(levelTable(level)) g" + joins
            }
            let lowered = lower(value, .scalar)
            return "SELECT \(settled(lowered)) AS value, \(lowered.failure ?? noFailure) AS failure"
        }
    }

    func definitionValue(_ index: Int, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let value = program.definitions[index].value
        switch value.shape {
        case .rows:
            if materialized.contains(index), case .row(_, let alias) = scope {
                let (column, failure) = materializedColumns(index)
                return SQLValue("\(alias).\(column)", failure: plan.definitionCanFail[index] ? "\(alias).\(failure)" : nil)
            }
            return lower(value, scope)
        case .scalar:
            let table = definitionTable(index)
            return SQLValue("(SELECT value FROM \(table))", failure: plan.definitionCanFail[index] ? "(SELECT failure FROM \(table))" : nil)
        case .groups(let level):
            let table = definitionTable(index)
            let values = keyValues(level, in: scope)
            // Read at the groups `g` of the SELECT being written: joined to them.
            if !joinFrames.isEmpty, values.values.allSatisfy(isGroupKeyColumn) {
                let alias = joined(table, level: level, values)
                return SQLValue("\(alias).value", failure: plan.definitionCanFail[index] ? "\(alias).failure" : nil)
            }
            let alias = fresh("d")
            let condition = matching(level, alias: alias, values).joined(separator: " AND ")
            let read = { (column: String) in "(SELECT \(self.dialect.single("\(alias).\(column)")) FROM \(table) \(alias) WHERE \(condition))" }
            return SQLValue(read("value"), failure: plan.definitionCanFail[index] ? read("failure") : nil)
        }
    }
}
