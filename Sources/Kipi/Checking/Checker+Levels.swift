/// Levels and tables: which tables supply a level's keys, which tables give a definition's
/// groups, and the one set of groups per KPI (SPEC v3).
extension Checker {
    /// Inside an aggregate over a grouped value: that value's level and its keys by name, so the
    /// aggregate's `where` reads each group's keys and nothing of the rows beneath.
    struct GroupKeyScope {
        var level: Level
        /// Each key by the names it may be written with: its name in the value's grouping, and
        /// the name it was first given.
        var names: [String: GroupKey]
        /// The grouped definition reduced, for messages; nil for a value computed from several.
        var owner: String?
    }

    /// How a table supplies a key.
    enum KeySupply {
        case supplied
        /// The table has a column of the key's name, of another type than the key.
        case wrongType(String)
        case missing
    }

    /// The expression that stands for a key's type: of the tables that supply it, the default
    /// table's, else the first by name whose type is known. Chosen by a fixed order, as a
    /// dictionary's order changes from run to run.
    func keyModel(_ key: GroupKey) -> TypedExpression? {
        let supplied = (keyExpressions[key] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        return supplied.first { !$0.type.isWildcard } ?? supplied.first
    }

    /// Whether a table has a column of this name, stored or computed by a `let TABLE.column`.
    func hasColumn(_ name: String, in table: String) -> Bool {
        computedColumns[table]?[name] != nil || schemas?[table]?.type(of: name) != nil
    }

    /// A bare key name that is no column of the default table nor a definition, but a column of
    /// another table (stored, or computed by a `let TABLE.column`), is that table's column
    /// (`count(scale.sla) by sla`): the key then comes from the tables that have it. Of several
    /// such tables the first by name is taken; every table the definition reads supplies the key
    /// from its own column of that name.
    func keyOfAnotherTable(_ key: Expression, scope: Scope) -> Expression {
        guard case .name(let name, _) = key.kind, entries[name] == nil, !hasColumn(name, in: scope.table) else { return key }
        let tables = Set((schemas ?? [:]).keys).union(computedColumns.keys).filter { !$0.isEmpty }
        guard let owner = tables.sorted().first(where: { hasColumn(name, in: $0) }) else { return key }
        var qualified = key
        qualified.kind = .qualifiedName(table: owner, column: name)
        return qualified
    }

    /// The key an expression is, however spelled: a `let` that names a row expression is the
    /// expression it names.
    func keyCanonical(_ checked: TypedExpression) -> TypedExpression {
        var key = checked
        while case .definition(let index) = key.kind, definitions[index].value.shape.table != nil, definitions[index].instanceOf == nil {
            let range = key.range
            key = definitions[index].value
            key.range = range
        }
        return key
    }

    /// Settles the tables of a definition's level: those of the rows its aggregates reduce inside
    /// its groups, and of the values of its keys it reads. Every table must supply every key;
    /// one that cannot is reported where the definition brings it in.
    mutating func settleTables(
        of pending: Grouping, in value: TypedExpression, scope: Scope
    ) -> (Grouping, TypedExpression)? {
        var tables: Set<String> = []
        var firstUse: [String: SourceRange] = [:]
        value.forEachNode { node in
            if case .aggregate(let call) = node.kind, case .rows(let table) = call.domain, call.partition?.tables == nil,
                call.partition?.keys == pending.level.keys
            {
                tables.insert(table)
                if firstUse[table].map({ node.range.start < $0.start }) ?? true { firstUse[table] = node.range }
            }
            if case .groups(let level) = node.shape, level.keys == pending.level.keys, let known = level.tables {
                tables.formUnion(known)
            }
        }
        if tables.isEmpty {
            // Without an aggregate of its own, the groups come from the tables the value reads (SPEC v3).
            let pendingLevel = Level(pending.keys, tables: [])
            tables = Set(tablesRead(by: value, grouping: nil).sorted().filter { quietlySupplies(pendingLevel, from: $0) })
        }
        if tables.isEmpty { tables = [""] }
        let level = pending.level.over(tables)
        let settled = value.mappingLevels { $0.tables == nil && $0.keys == level.keys ? level : $0 }.mapped { node in
            // A broadcast to the pending level from the level it settled to repeats nothing.
            if case .broadcast(let operand) = node.kind, operand.shape == node.shape { return operand }
            return node
        }
        var supplied = true
        for table in tables.sorted() {
            supplied = supplyKeys(of: level, for: table, at: firstUse[table], scope: scope) && supplied
        }
        settled.forEachNode { node in
            if case .broadcast(let operand) = node.kind, case .rows(let table) = node.shape, case .groups(let source) = operand.shape {
                supplied = supplyKeys(of: source, for: table, at: operand.range, scope: scope) && supplied
            }
        }
        guard supplied else { return nil }
        let grouping = Grouping(level: level, keys: pending.keys, keyNames: pending.keyNames)
        if groupingsByLevel[level] == nil { groupingsByLevel[level] = grouping }
        return (grouping, settled)
    }

    /// Makes sure `table` can compute each key of `level`; reports the keys it cannot supply at
    /// the definition's own `by` key when it has one, else at `range` (what brought the table in).
    mutating func supplyKeys(of level: Level, for table: String, at range: SourceRange?, scope: Scope) -> Bool {
        var supplied = true
        for key in level.keys {
            let message: String
            switch supply(key, from: table) {
            case .supplied: continue
            case .wrongType(let problem): message = problem
            case .missing: message = CheckerMessages.keyNotSupplied(table, key)
            }
            guard let place = scope.keyRanges[key] ?? range ?? keySources[key]?.expression.range else { continue }
            report(code: "key-not-supplied", message, place, in: scope.source)
            supplied = false
        }
        return supplied
    }

    /// Whether `table` supplies every key of `level` (recording how), reporting nothing. Without
    /// the tables' columns, only a key the table already supplies, or a `let TABLE.column`, counts.
    mutating func quietlySupplies(_ level: Level, from table: String) -> Bool {
        level.keys.allSatisfy { key in
            if keyExpressions[key]?[table] == nil, schemas == nil, !(keyNames[key.canonical] ?? [key.description]).contains(where: { hasColumn($0, in: table) }) {
                return false
            }
            if case .supplied = supply(key, from: table) { return true }
            return false
        }
    }

    /// How `table` computes `key`, recorded in `keyExpressions`: from its column of the key's
    /// name (a `let TABLE.column` first, then the data's; text such as `2024-03` read as the
    /// key's period, a date as the period that contains it), or from the key's expression over
    /// its own columns.
    mutating func supply(_ key: GroupKey, from table: String) -> KeySupply {
        if keyExpressions[key]?[table] != nil { return .supplied }
        guard let (expression, source) = keySources[key], let model = keyModel(key) else { return .supplied }
        var found: TypedExpression?
        let names = [key.description] + (keyNames[key.canonical] ?? []).filter { $0 != key.description }
        if let name = names.first(where: { hasColumn($0, in: table) }) ?? (schemas == nil ? key.description : nil) {
            if let computed = computedColumns[table]?[name] {
                // A column being computed cannot supply a key of its own definition.
                guard !inProgress.contains(computed), let index = checkDefinition(computed) else { return .missing }
                found = TypedExpression(
                    kind: .definition(index), type: definitions[index].value.type, shape: .rows(table), format: .plain, range: expression.range)
            } else {
                found = TypedExpression(
                    kind: .column(table: table, name: name), type: schemas?[table]?.type(of: name) ?? .unknown, shape: .rows(table),
                    format: .plain, range: expression.range)
                columnsUsed[table, default: []].insert(name)
            }
        }
        if var node = found {
            node.file = source.name
            if case .period(let grain) = model.type, node.type == .text {
                node = TypedExpression(kind: .periodFromText(node), type: model.type, shape: .rows(table), format: .plain, range: expression.range)
                node.file = source.name
            } else if case .period(let grain) = model.type, node.type == .date, let period = registry.overloads(of: grain.rawValue).first {
                node = TypedExpression(
                    kind: .call(period, arguments: [node]), type: model.type, shape: .rows(table), format: .plain, range: expression.range)
                node.file = source.name
            } else if node.type != model.type, !node.type.isWildcard, !model.type.isWildcard {
                return .wrongType(CheckerMessages.keyColumnType(table, key.description, node.type, model.type))
            }
            keyExpressions[key, default: [:]][table] = numbered(node)
            return .supplied
        }
        let reported = diagnostics.count
        let used = columnsUsed
        let computed = checkExpression(expression, Scope(source: source, table: table))
        diagnostics.removeSubrange(reported...)
        guard let computed, computed.shape == .rows(table), computed.type == model.type else {
            columnsUsed = used
            return .missing
        }
        keyExpressions[key, default: [:]][table] = numbered(computed)
        return .supplied
    }

    // MARK: One set of groups per KPI

    /// The tables a value reads: its columns' and rows', its levels', and those of the definitions
    /// it refers to.
    func tablesRead(by value: TypedExpression, grouping: Grouping?) -> Set<String> {
        var tables = grouping?.level.tables ?? []
        value.forEachNode { node in
            switch node.shape {
            case .rows(let table): tables.insert(table)
            case .groups(let level): tables.formUnion(level.tables ?? [])
            case .scalar: break
            }
            switch node.kind {
            case .column(let table, _): tables.insert(table)
            case .aggregate(let call): if case .rows(let table) = call.domain { tables.insert(table) }
            case .definition(let index): tables.formUnion(definitions[index].tablesRead)
            default: break
            }
        }
        return tables
    }

    /// A definition's value with one set of groups at each of its levels (SPEC v3): a level's
    /// groups come from every table the definition reads that supplies the level's keys, and
    /// each grouped definition it refers to is evaluated over those groups (an instance of it,
    /// when its own tables are fewer), so no group of a KPI lacks a value of a definition it reads.
    mutating func unifyingGroups(
        _ value: TypedExpression, grouping: Grouping?, reading tables: Set<String>
    ) -> (value: TypedExpression, grouping: Grouping?, changed: Bool) {
        var levels: Set<Level> = []
        if let grouping { levels.insert(grouping.level) }
        var referenced: Set<Int> = []
        value.forEachNode { node in
            if case .groups(let level) = node.shape { levels.insert(level) }
            switch node.kind {
            case .aggregate(let call):
                if case .groups(let level) = call.domain { levels.insert(level) }
                if let partition = call.partition { levels.insert(partition) }
            case .window(let call):
                levels.insert(call.level)
            case .definition(let index) where definitions[index].grouping != nil:
                referenced.insert(index)
            default:
                break
            }
        }
        var relevelled: [Level: Level] = [:]
        for level in levels.sorted(by: { $0.description < $1.description }) {
            guard let own = level.tables else { continue }
            let added = tables.subtracting(own).sorted().filter { quietlySupplies(level, from: $0) }
            if !added.isEmpty { relevelled[level] = level.over(own.union(added)) }
        }
        var renamed: [Int: Int] = [:]
        for index in referenced.sorted() {
            let instance = instance(of: index, reading: tables)
            if instance != index { renamed[index] = instance }
        }
        guard !relevelled.isEmpty || !renamed.isEmpty else { return (value, grouping, false) }
        let unified = value.mappingLevels { relevelled[$0] ?? $0 }.mapped { original in
            var node = original
            if case .definition(let index) = node.kind, let instance = renamed[index] { node.kind = .definition(instance) }
            // A definition's groups now are the KPI's: repeating them over themselves is nothing.
            if case .broadcast(let operand) = node.kind, operand.shape == node.shape { return operand }
            return node
        }
        var unifiedGrouping = grouping
        if let level = grouping?.level, let wider = relevelled[level] {
            unifiedGrouping?.level = wider
            if groupingsByLevel[wider] == nil { groupingsByLevel[wider] = unifiedGrouping }
        }
        return (unified, unifiedGrouping, true)
    }

    /// The grouped definition at `index` evaluated over the groups of a KPI that reads `tables`:
    /// the definition itself when that changes nothing, else an instance of it, made once.
    mutating func instance(of index: Int, reading tables: Set<String>) -> Int {
        let definition = definitions[index]
        let original = definition.instanceOf ?? index
        let key = InstanceKey(definition: original, tables: tables)
        if let known = instances[key] { return known }
        let (value, grouping, changed) = unifyingGroups(definition.value, grouping: definition.grouping, reading: tables)
        guard changed else {
            instances[key] = index
            return index
        }
        var copy = definition
        copy.value = numbered(value)
        copy.grouping = grouping
        copy.role = .helper
        copy.instanceOf = original
        copy.tablesRead = definition.tablesRead.union(tables)
        definitions.append(copy)
        instances[key] = definitions.count - 1
        return definitions.count - 1
    }

    /// A grouped definition over the groups of a set of tables.
    struct InstanceKey: Hashable {
        var definition: Int
        var tables: Set<String>
    }

    // MARK: Aggregates over groups

    /// The keys an aggregate's `where` may read, when a collection it reduces is a grouped value.
    func groupKeyScope(_ function: FunctionDefinition, _ arguments: [TypedExpression?]) -> GroupKeyScope? {
        var level: Level?
        var owner: String?
        for (position, argument) in arguments.enumerated() {
            guard let argument, function.parameter(at: position).role == .collection, case .groups(let found) = argument.shape else { continue }
            if let known = level, !found.isCoarser(orEqualTo: known) { continue }
            level = found
            owner = nil
            argument.forEachNode { node in
                if owner == nil, case .definition(let index) = node.kind, node.shape == argument.shape { owner = definitions[index].name }
            }
        }
        guard let level else { return nil }
        var names: [String: GroupKey] = [:]
        for key in level.keys { names[key.description] = key }
        for argument in arguments.compactMap({ $0 }) where argument.shape == .groups(level) {
            if let grouping = grouping(of: level, in: argument) {
                for (key, name) in zip(grouping.keys, grouping.keyNames) { names[name] = key }
            }
        }
        return GroupKeyScope(level: level, names: names, owner: owner)
    }

    /// A key of the groups an aggregate reduces, read per group.
    func groupKeyNode(_ key: GroupKey, _ keys: GroupKeyScope, range: SourceRange) -> TypedExpression {
        TypedExpression(kind: .groupKey(key), type: keyModel(key)?.type ?? .unknown, shape: .groups(keys.level), format: .plain, range: range)
    }

    /// Reports a column of the rows beneath the groups an aggregate reduces: only the groups' keys
    /// and values at their level can be read there.
    mutating func readsOnlyGroups(_ filter: TypedExpression, _ keys: GroupKeyScope, scope: Scope) -> Bool {
        var stray: TypedExpression?
        filter.forEachNode { node in
            guard stray == nil, case .rows = node.shape else { return }
            switch node.kind {
            case .column, .definition: stray = node
            default: break
            }
        }
        guard let stray else { return true }
        let name: String
        switch stray.kind {
        case .column(_, let column): name = column
        case .definition(let index): name = definitions[index].name
        default: name = scope.source.text(of: stray.range)
        }
        report(code: "not-a-key-of-groups", CheckerMessages.notAKeyOfGroups(name, owner: keys.owner, keys.level), stray.range, in: scope.source)
        return false
    }
}
