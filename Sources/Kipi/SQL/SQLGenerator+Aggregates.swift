// Aggregates and windows: subqueries over a table's rows, a level's groups or a list, and a grouped value read along time or across its groups.
extension SQLGenerator {
    func aggregate(_ call: AggregateCall, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let collectionIndices = call.roles.indices.filter { call.roles[$0] == .collection }
        let valueIndices = call.roles.indices.filter { call.roles[$0] != .collection }
        if plan.aggregates[node.id]?.readsOnlyOwnRows == true,
            let computed = tableAggregate(call, scope, collectionIndices: collectionIndices, valueIndices: valueIndices)
        {
            return computed
        }
        let values = valueIndices.map { lower(call.arguments[$0], scope) }
        let derived = fresh("a")
        var collections: [SQLValue] = []
        var knownRows: [[Value]]?
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
                    element.failure.map { SQLValue("(CASE WHEN \($0) IS NOT NULL THEN NULL ELSE \(element.value) END)") } ?? element
                } }
            }
            let count = elements.map(\.count).max() ?? 0
            guard count > 0, elements.allSatisfy({ $0.count == count }) else { return problem("lists of different lengths have no SQL form", node) }
            let known = lists.compactMap { $0 }.map { $0.map(constant) }
            if known.allSatisfy({ $0.allSatisfy { $0 != nil } }) {
                knownRows = (0..<count).map { row in known.map { $0[row] ?? .null } }.filter { !$0.contains(where: \.isNull) }
            }
            let alias = fresh("l")
            let names = collectionIndices.indices.map { "c\($0)" }
            if elements.contains(where: { $0.contains { $0.value.contains("SELECT") } }) {
                // Spark takes no subquery in VALUES: rows of subqueries are a UNION ALL.
                let rows = (0..<count).map { row in "SELECT " + zip(elements, names).map { "\($0[row].value) AS \($1)" }.joined(separator: ", ") }
                from = "(\(rows.joined(separator: " UNION ALL "))) \(alias)"
            } else {
                let rows = (0..<count).map { row in "(" + elements.map { $0[row].value }.joined(separator: ", ") + ")" }
                from = "(VALUES \(rows.joined(separator: ", "))) AS \(alias)(\(names.joined(separator: ", ")))"
            }
            collections = names.map { SQLValue("\(alias).\($0)") }
            let listFails = SQLValue.first(elements.flatMap { $0.map(\.failure) })
            if let listFails { filter = SQLValue("TRUE", failure: listFails) }
        }
        // A function that skips errors (count) leaves failed values out instead.
        let skipped = call.function.skipsErrors ? collections.compactMap { $0.failure.map { "\($0) IS NULL" } } : []
        let rows = derivedRows(items(collections), from: from, kept: inGroup + kept(filter, collections) + skipped, as: derived)
        let rowFailure = rowFailure(filter, collections, skipsErrors: call.function.skipsErrors)
        // Computed in a derived table first, as the values are: Spark cannot aggregate a
        // correlated subquery over rows that are themselves correlated.
        let failed = fresh("f")
        let groupFailure = rowFailure.map { "(SELECT min(\(failed).failure) FROM \(derivedRows(["\($0) AS failure"], from: from, kept: inGroup, as: failed)))" }
        var sqlCall = SQLCall(
            dialect: dialect, arguments: values, argumentTypes: valueIndices.map { call.arguments[$0].type }, rows: rows,
            collections: collections.indices.map { "\(derived).v\($0)" })
        sqlCall.collectionTypes = collectionIndices.map { call.arguments[$0].type }
        sqlCall.constants = valueIndices.map { constant(call.arguments[$0]) }
        sqlCall.knownRows = knownRows
        let written = self.call(call.function, sqlCall, node)
        return SQLValue(written.value, failure: SQLValue.first([groupFailure, written.failure]))
    }

    /// Why a row fails the aggregate's group, NULL where it does not; nil where none can. A failed
    /// filter cell, or a failed collection cell the filter keeps, fails the group (a function that
    /// skips errors leaves the cell out instead). A table has no first row: of several failed
    /// rows, the group fails with the least message.
    func rowFailure(_ filter: SQLValue?, _ collections: [SQLValue], skipsErrors: Bool) -> String? {
        var failure = skipsErrors ? nil : SQLValue.first(collections.map(\.failure))
        if let filter, let kept = failure { failure = "(CASE WHEN \(filter.value) THEN \(kept) END)" }
        return SQLValue.first([filter?.failure, failure])
    }

    /// The rows an aggregate reduces, as a derived table: `columns` of `from` where `kept` holds.
    func derivedRows(_ columns: [String], from: String, kept: [String], as derived: String) -> String {
        "(SELECT \(columns.joined(separator: ", ")) FROM \(from)\(kept.isEmpty ? "" : " WHERE " + kept.joined(separator: " AND "))) \(derived)"
    }

    /// An aggregate's collections as the columns `v0`, `v1` … (a constant without any, for `count()`).
    func items(_ collections: [SQLValue]) -> [String] {
        collections.isEmpty ? ["1 AS v0"] : collections.enumerated().map { "\($1.value) AS v\($0)" }
    }

    /// The rows an aggregate keeps: where its filter holds and no collection is null.
    func kept(_ filter: SQLValue?, _ collections: [SQLValue]) -> [String] {
        (filter.map { ["COALESCE(\($0.value), FALSE)"] } ?? []) + collections.map { "\($0.value) IS NOT NULL" }
    }

    /// The value of an expression known as the SQL is written: a constant, or a parameter.
    func constant(_ node: TypedExpression) -> Value? {
        if let value = node.constantValue { return value }
        if case .parameter(let name) = node.kind { return parameters[name] ?? program.parameters.first { $0.name == name }?.defaultValue }
        return nil
    }

    /// The number an expression is when it is known as the SQL is written, through a broadcast of one.
    func knownNumber(_ node: TypedExpression) -> Double? {
        if case .broadcast(let operand) = node.kind { return knownNumber(operand) }
        return constant(node)?.number
    }

    /// An aggregate of a table's rows (per group of a level, or of them all), computed with the
    /// table's other such aggregates of the same groups in one pass: `Totals`, one row per group
    /// (one in all without groups) and a column per aggregate. Each aggregate keeps its rows by
    /// leaving the other rows' cells null in its own columns (`CASE WHEN kept THEN v END`), which
    /// every aggregate expression skips, and counts its rows by its first column; a group with no
    /// row kept gets the form's value over no rows. Taken when the collections and the filter read
    /// only their own row, the value arguments are known as the SQL is written, and the function's
    /// form is aggregate expressions over the rows (`sum`, `avg`, `median` …).
    func tableAggregate(_ call: AggregateCall, _ scope: Scope, collectionIndices: [Int], valueIndices: [Int]) -> SQLValue? {
        let constants = valueIndices.map { constant(call.arguments[$0]) }
        guard case .rows(let table) = call.domain, constants.allSatisfy({ $0 != nil }), let overRows = call.function.sql?.overRows else { return nil }
        // The table's rows first: a row-level definition computed there is read as its column.
        _ = source(table)
        let rowScope = Scope.row(table: table, alias: "r")
        let filter = call.filter.map { lower($0, rowScope) }
        let collections = collectionIndices.map { lower(call.arguments[$0], rowScope) }
        // One collection's null cell is left out by the aggregate anyway; several are kept together.
        let skipped = call.function.skipsErrors ? collections.compactMap { $0.failure.map { "\($0) IS NULL" } } : []
        let kept = (collections.count > 1 ? kept(filter, collections) : kept(filter, [])) + skipped
        var cells = (collections.isEmpty ? ["1"] : collections.map(\.value)).map { value in
            kept.isEmpty ? value : "CASE WHEN \(kept.joined(separator: " AND ")) THEN \(value) END"
        }
        // A row that fails fails its group, with the least message, as `aggregate` says.
        let failing = rowFailure(filter, collections, skipsErrors: call.function.skipsErrors)
        if let failing { cells.append(failing) }
        var totals = self.totals(table, by: call.partition?.keys ?? [])
        let cellColumns = cells.map { totals.column($0) }
        let columns = failing == nil ? cellColumns : Array(cellColumns.dropLast())
        let groupFailure = failing == nil ? nil : cellColumns.last.map { "min(a.\($0))" }
        var sqlCall = SQLCall(
            dialect: dialect, arguments: valueIndices.map { lower(call.arguments[$0], .scalar) }, argumentTypes: valueIndices.map { call.arguments[$0].type },
            collections: columns.map { "a.\($0)" })
        sqlCall.collectionTypes = collectionIndices.map { call.arguments[$0].type }
        sqlCall.constants = constants
        sqlCall.rowCount = "count(a.\(columns[0]))"
        guard var written = overRows(sqlCall) else {
            // Not written this way after all: a table made for it alone goes.
            if self.totals[totals.key]?.aggregates.isEmpty == true {
                self.totals[totals.key] = nil
                ctes.removeAll { $0.name == totals.name }
            }
            return nil
        }
        written.failure = SQLValue.first([groupFailure, written.failure])
        let value = totals.aggregate(written.value)
        let failure = written.failure.map { totals.aggregate($0) }
        store(totals)
        guard let partition = call.partition else {
            return SQLValue("(SELECT t.\(value) FROM \(totals.name) t)", failure: failure.map { "(SELECT t.\($0) FROM \(totals.name) t)" })
        }
        let outer = keyValues(partition, in: scope)
        // At groups read from this table by these keys, every group has its row.
        var everyGroup = false
        if case .group(let level, _) = scope { everyGroup = level.tableNames == [table] && level.keys == partition.keys }
        let read: (String) -> String
        if everyGroup, !joinFrames.isEmpty, outer.values.allSatisfy(isGroupKeyColumn) {
            // The groups `g` being read are this table's rows (`levelTable`).
            read = { "g.\($0)" }
        } else if !joinFrames.isEmpty, outer.values.allSatisfy(isGroupKeyColumn) {
            let alias = joined(totals.name, level: partition, outer)
            read = { "\(alias).\($0)" }
        } else {
            let found = fresh("x")
            let match = matching(partition, alias: found, outer).joined(separator: " AND ")
            read = { "(SELECT \(self.dialect.single("\(found).\($0)")) FROM \(totals.name) \(found) WHERE \(match))" }
        }
        guard !everyGroup else { return SQLValue(read(value), failure: failure.map(read)) }
        let noRows = "(SELECT \(zip(cells, cellColumns).map { "\($0) AS \($1)" }.joined(separator: ", ")) FROM \(source(table)) r WHERE FALSE) a"
        let none = { (expression: String) in "(SELECT \(expression) FROM \(noRows))" }
        let found = "COALESCE(\(read(value)), \(none(written.value)))"
        guard let overNoRows = written.failure, let failure else { return SQLValue(found) }
        // Whether the group has rows in this table: its failure over no rows is written apart.
        let present = totals.aggregate("count(*)")
        store(totals)
        return SQLValue(found, failure: "(CASE WHEN \(read(present)) IS NULL THEN \(none(overNoRows)) ELSE \(read(failure)) END)")
    }

    /// The aggregates of `table`'s rows by `keys` (all its rows without keys), as written so far.
    func totals(_ table: String, by keys: [GroupKey]) -> Totals {
        let key = table + "|" + keys.map(\.canonical).joined(separator: "\u{1}")
        if let found = totals[key] { return found }
        let source = self.source(table)
        let expressions = keys.map { keyExpression($0, table: table, alias: "r") }
        let name = (keys.isEmpty ? "totals" : "aggregates") + "\(ctes.count + 1)"
        let made = Totals(key: key, name: name, source: source, keys: expressions)
        ctes.append((name, made.body))
        totals[key] = made
        return made
    }

    /// Keeps what `totals` holds now, and its table's text.
    func store(_ totals: Totals) {
        self.totals[totals.key] = totals
        ctes = ctes.map { $0.name == totals.name ? ($0.name, totals.body) : $0 }
    }

    /// The alias of `table` joined to the groups `g` of the SELECT being written, by the keys of
    /// `level` (whose values there are `values`).
    func joined(_ table: String, level: Level, _ values: [GroupKey: String]) -> String {
        if let found = joinFrames[joinFrames.count - 1].first(where: { $0.table == table }) { return found.alias }
        let alias = fresh("d")
        joinFrames[joinFrames.count - 1].append((alias, table, matching(level, alias: alias, values).joined(separator: " AND ")))
        return alias
    }

    func window(_ call: WindowCall, _ node: TypedExpression, _ scope: Scope) -> SQLValue {
        let level = call.level
        let keys = keyValues(level, in: scope)
        let (value, joins) = joiningGroups { lower(call.series, .group(level, keys: keyColumns(level, alias: "g"))) }
        let columns = (0..<level.keys.count).map { "g.k\($0)" }.joined(separator: ", ")
        let body = "SELECT \(columns), \(settled(value)) AS value, \(value.failure ?? noFailure) AS failure FROM \(levelTable(level)) g" + joins
        let series = addCTE(key: "window:" + body, prefix: "series") { body }
        let inner = keyColumns(level, alias: "w")
        let others = level.keys.filter { $0 != call.along }.map { dialect.same(inner[$0] ?? "NULL", keys[$0] ?? "NULL") }
        // Along a date key, positions are days.
        let position = call.along.map { call.grain == nil ? dialect.days(ofSeconds: inner[$0] ?? "NULL") : inner[$0] ?? "NULL" } ?? "0"
        let current = call.along.map { call.grain == nil ? dialect.days(ofSeconds: keys[$0] ?? "NULL") : keys[$0] ?? "NULL" } ?? "0"
        let (grain, sqlDialect) = (call.grain, dialect)
        if let overGroups = call.function.sql?.overGroups, let written = windowOverGroups(overGroups, call, series: series, canFail: value.failure != nil, scope) {
            return written
        }
        // The current group's value joins what it reads to the groups being written; a form that
        // does not read it (`previous`) must not leave those joins behind.
        let joinsBefore = joinFrames.last?.count ?? 0
        let currentValue = lower(call.series, scope)
        let window = SQLWindow(
            dialect: dialect, groups: "\(series) w", sameSeries: others.isEmpty ? "TRUE" : others.joined(separator: " AND "),
            samePeriod: call.along == nil ? "TRUE" : "\(position) = \(current)", position: position, currentPosition: current,
            current: currentValue, keyOrder: keyOrder(level), grain: grain,
            bucket: { position, coarser in sqlDialect.bucket(position, grain: grain, per: coarser) },
            lastYear: { position in sqlDialect.lastYear(position, grain: grain) })
        var sqlCall = SQLCall(dialect: dialect, arguments: call.arguments.map { lower($0, scope) }, argumentTypes: call.arguments.map(\.type))
        sqlCall.window = window
        sqlCall.constants = call.arguments.map(constant)
        let written = self.call(call.function, sqlCall, node)
        let read = ([written.value, written.failure ?? ""] + sqlCall.arguments.flatMap { [$0.value, $0.failure ?? ""] }).joined()
        if !read.contains(currentValue.value), !(currentValue.failure.map(read.contains) ?? false), joinFrames.last.map({ $0.count > joinsBefore }) == true {
            joinFrames[joinFrames.count - 1].removeSubrange(joinsBefore...)
        }
        return written
    }

    /// The keys of `level`'s groups in `w`, sorting as Kipi numbers groups.
    func keyOrder(_ level: Level) -> [String] {
        level.keys.enumerated().map { index, key in keyType(key) == .text ? dialect.ordered("w.k\(index)") : "w.k\(index)" }
    }

    /// A window function written with SQL's window functions: computed for every group of the
    /// series at once, as a table, and read by the keys of the group where `scope` is; nil where
    /// an argument is computed or the form gives none.
    func windowOverGroups(_ form: @Sendable (SQLCall) -> SQLValue?, _ call: WindowCall, series: String, canFail: Bool, _ scope: Scope) -> SQLValue? {
        let level = call.level
        let constants = call.arguments.map(constant)
        guard constants.allSatisfy({ $0 != nil }) else { return nil }
        let inner = keyColumns(level, alias: "w")
        let position = call.along.map { call.grain == nil ? dialect.days(ofSeconds: inner[$0] ?? "NULL") : inner[$0] ?? "NULL" }
        let others = level.keys.filter { $0 != call.along }.compactMap { inner[$0] }
        let (grain, sqlDialect) = (call.grain, dialect)
        let window = SQLWindow(
            dialect: dialect, groups: "\(series) w", sameSeries: "TRUE", samePeriod: "TRUE", position: position ?? "0", currentPosition: "0",
            current: SQLValue("w.value", failure: canFail ? "w.failure" : nil), keyOrder: keyOrder(level),
            seriesPartition: others.isEmpty ? "" : "PARTITION BY " + others.joined(separator: ", "), periodPartition: position.map { "PARTITION BY \($0)" } ?? "",
            grain: grain,
            bucket: { position, coarser in sqlDialect.bucket(position, grain: grain, per: coarser) },
            lastYear: { position in sqlDialect.lastYear(position, grain: grain) })
        var sqlCall = SQLCall(dialect: dialect, arguments: zip(call.arguments, constants).map { literal($1 ?? .null, $0) }, argumentTypes: call.arguments.map(\.type))
        sqlCall.constants = constants
        sqlCall.window = window
        guard let written = form(sqlCall) else { return nil }
        let columns = (0..<level.keys.count).map { "w.k\($0)" }.joined(separator: ", ")
        let body = "SELECT \(columns), \(settled(written)) AS value, \(written.failure ?? noFailure) AS failure FROM \(series) w"
        let table = addCTE(key: "windowed:" + body, prefix: "windowed") { body }
        let values = keyValues(level, in: scope)
        if !joinFrames.isEmpty, values.values.allSatisfy(isGroupKeyColumn) {
            let alias = joined(table, level: level, values)
            return SQLValue("\(alias).value", failure: written.failure == nil ? nil : "\(alias).failure")
        }
        let alias = fresh("d")
        let condition = matching(level, alias: alias, values).joined(separator: " AND ")
        let read = { (column: String) in "(SELECT \(self.dialect.single("\(alias).\(column)")) FROM \(table) \(alias) WHERE \(condition))" }
        return SQLValue(read("value"), failure: written.failure == nil ? nil : read("failure"))
    }
}

/// The aggregates of one table's rows by the keys of a level (or of them all), computed in one
/// pass: a row per group (`k0`, `k1` … as the level orders its keys; one row without keys) and a
/// column per aggregate expression (`t0` …), over a column per distinct cell expression (`v0` …).
struct Totals {
    var key: String
    var name: String
    var source: String
    /// Each key's expression over a row `r`.
    var keys: [String]
    var cells: [String] = []
    var aggregates: [String] = []

    /// The column holding `cell` for each row.
    mutating func column(_ cell: String) -> String {
        if let index = cells.firstIndex(of: cell) { return "v\(index)" }
        cells.append(cell)
        return "v\(cells.count - 1)"
    }

    /// The column holding the aggregate expression `expression` (over `a.v0`, `a.v1` …).
    mutating func aggregate(_ expression: String) -> String {
        if let index = aggregates.firstIndex(of: expression) { return "t\(index)" }
        aggregates.append(expression)
        return "t\(aggregates.count - 1)"
    }

    var body: String {
        let keyColumns = keys.indices.map { "a.k\($0)" }
        let inner = keys.enumerated().map { "\($1) AS k\($0)" } + cells.enumerated().map { "\($1) AS v\($0)" }
        let outer = keyColumns + aggregates.enumerated().map { "\($1) AS t\($0)" }
        let grouping = keys.isEmpty ? "" : " GROUP BY " + keyColumns.joined(separator: ", ")
        return "SELECT \(outer.joined(separator: ", ")) FROM (SELECT \(inner.joined(separator: ", ")) FROM \(source) r) a" + grouping
    }
}
