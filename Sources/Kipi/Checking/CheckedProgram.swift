/// A key of a grouping, identified by its checked expression however it was spelled:
/// `manager`, `` `manager` `` and a `let` alias of the column are one key.
struct GroupKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The checked key expression, printed.
    var canonical: String
    /// The key's name in the grouping that wrote it (a named key's name, a column's name, or the
    /// key's source text): a column other tables may supply it from.
    var description: String
    /// The key's expression as first written anywhere in the program: how messages show the key,
    /// so that one key prints alike wherever it comes from, and two keys never print alike.
    var expressionText: String = ""

    /// The key in messages.
    var shown: String { expressionText.isEmpty ? description : expressionText }

    static func == (lhs: GroupKey, rhs: GroupKey) -> Bool { lhs.canonical == rhs.canonical }
    static func < (lhs: GroupKey, rhs: GroupKey) -> Bool { lhs.canonical < rhs.canonical }
    func hash(into hasher: inout Hasher) { hasher.combine(canonical) }
}

/// The level a value is computed at: a set of keys, one value per combination of them that
/// occurs in the rows of `tables`.
struct Level: Sendable, Hashable, CustomStringConvertible {
    /// Distinct keys in canonical order (the order of a level's group index).
    private(set) var keys: [GroupKey]
    /// The keys in the order first written, for messages; not part of the level's identity.
    private var written: [GroupKey]
    /// The tables whose rows make the groups ("" is the default table); nil while the definition
    /// that declares the level is being checked and its aggregates are not all known.
    private(set) var tables: Set<String>?

    init(_ keys: [GroupKey], tables: Set<String>? = [""]) {
        self.keys = Array(Set(keys)).sorted()
        self.written = keys
        self.tables = tables
    }

    /// The same keys, over `tables`.
    func over(_ tables: Set<String>?) -> Level {
        var level = self
        level.tables = tables
        return level
    }

    /// The tables, the default table alone when none is known.
    var tableNames: [String] { (tables ?? [""]).sorted() }

    /// Whether every key of this level is a key of `other`: its groups contain `other`'s.
    func isCoarser(orEqualTo other: Level) -> Bool {
        keys.allSatisfy(other.keys.contains)
    }

    /// The keys as written, each as `GroupKey.shown`: the same keys print alike wherever they come from.
    var description: String { written.map(\.shown).joined(separator: ", ") }

    static func == (lhs: Level, rhs: Level) -> Bool { lhs.keys == rhs.keys && lhs.tables == rhs.tables }
    func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(tables)
    }
}

/// Where an expression's values live: the checker's second type, next to the value type.
enum Shape: Sendable, Hashable {
    /// One value.
    case scalar
    /// One value per row of a table ("" is the default table).
    case rows(String)
    /// One value per group of a level.
    case groups(Level)
}

extension Shape {
    /// The shape of a value computed from values of both shapes: the finer one, when the other
    /// is coarser (a single value, or groups whose keys are a subset); nil if neither is. Groups
    /// of the same keys from different tables join into the groups of all those tables.
    func joined(with other: Shape) -> Shape? {
        switch (self, other) {
        case (.scalar, _): return other
        case (_, .scalar): return self
        case (.rows(let a), .rows(let b)): return a == b ? self : nil
        case (.rows, .groups): return self
        case (.groups, .rows): return other
        case (.groups(let a), .groups(let b)):
            if a.keys == b.keys {
                guard let left = a.tables, let right = b.tables else { return .groups(a.over(nil)) }
                return .groups(a.over(left.union(right)))
            }
            return a.isCoarser(orEqualTo: b) ? other : b.isCoarser(orEqualTo: a) ? self : nil
        }
    }

    /// The table of a value per row.
    var table: String? {
        if case .rows(let table) = self { return table }
        return nil
    }

    var level: Level? {
        if case .groups(let level) = self { return level }
        return nil
    }
}

/// The keys of a `by` clause, checked, in the order written.
struct Grouping: Sendable, Hashable {
    var level: Level
    var keys: [GroupKey]
    /// The keys' names in output: a named key's name, a column's name, or the key's source text.
    var keyNames: [String]

    /// Where each key, in the order written, sits among the level's keys (the group index's
    /// order): outputs show a group's keys as the `by` wrote them.
    var writtenPositions: [Int] { keys.compactMap { level.keys.firstIndex(of: $0) } }
}

/// An aggregate call, with what it reduces decided.
struct AggregateCall: Sendable {
    /// What the collection arguments and the filter run over.
    enum Domain: Sendable, Hashable {
        case rows(String)
        case groups(Level)
        case list
    }

    var function: FunctionDefinition
    var arguments: [TypedExpression]
    /// Each argument's role, the last parameter's repeated for variadic ones.
    var roles: [FunctionDefinition.Role]
    var filter: TypedExpression?
    var domain: Domain
    /// The level whose groups split the domain (each result reduces the part of its own group);
    /// nil when every result reduces the whole domain.
    var partition: Level?
}

/// A window function call: a grouped value, read along its period key or across its groups.
struct WindowCall: Sendable {
    var function: FunctionDefinition
    var series: TypedExpression
    /// The arguments after the series (such as `n`).
    var arguments: [TypedExpression]
    var level: Level
    /// The period or date key the window runs along; nil for `share`/`rank` of a value without one.
    var along: GroupKey?
    /// The grain of `along`; nil for a date key (a period of one day).
    var grain: PeriodGrain?
}

/// What `+`, `-`, `*`, `/` and `^` compute, decided by the operand types.
enum ArithmeticKind: Sendable, Hashable {
    case number(BinaryOperator)
    /// date ± days (`dateFirst` false for days + date).
    case dateShift(subtract: Bool, dateFirst: Bool)
    /// date − date, in days.
    case dateDifference
    /// period ± n periods.
    case periodShift(subtract: Bool, periodFirst: Bool)
    /// period − period, in periods.
    case periodDistance
}

/// An expression after checking: names resolved, every decision made, type and shape known.
/// Only these are evaluated; tools walk the same tree.
struct TypedExpression: Sendable {
    indirect enum Kind: Sendable {
        /// A literal as written: a number, text, boolean, null or a list of constants.
        case literal(Value)
        /// A column of a table ("" is the default table).
        case column(table: String, name: String)
        case parameter(String)
        /// A `let` or KPI, by index into `Program.definitions`.
        case definition(Int)
        case negate(TypedExpression)
        case not(TypedExpression)
        /// Postfix `%`: the operand divided by 100.
        case percent(TypedExpression)
        case arithmetic(ArithmeticKind, TypedExpression, TypedExpression)
        /// `==` … `>=` on two values of one type.
        case comparison(BinaryOperator, TypedExpression, TypedExpression)
        /// `a & b`: both sides written as text, joined.
        case concatenation(TypedExpression, TypedExpression)
        /// `and`, `or`.
        case logical(BinaryOperator, TypedExpression, TypedExpression)
        /// `x in list`.
        case membership(TypedExpression, TypedExpression)
        /// `x == null` (`isNull`) or `x != null`.
        case nullTest(TypedExpression, isNull: Bool)
        /// A list whose elements are not all constants.
        case list([TypedExpression])
        /// A function computed cell by cell.
        case call(FunctionDefinition, arguments: [TypedExpression])
        case aggregate(AggregateCall)
        case window(WindowCall)
        /// A call of a user `fn`: the arguments as written, and the body with them bound.
        case userCall(name: String, arguments: [TypedExpression], expansion: TypedExpression)
        /// A coarser value repeated over the finer shape of this node: one value per group
        /// copied to each of its rows, or to each finer group inside it.
        case broadcast(TypedExpression)
        /// Text (`"2024-03"`) or a number (a year) read as a period of this node's type.
        case periodFromText(TypedExpression)
        /// Inside an aggregate over a grouped value, one of its keys: each group's key value (the
        /// node's shape is that value's groups).
        case groupKey(GroupKey)
    }

    var kind: Kind
    var type: KipiType
    var shape: Shape
    var format: DisplayFormat
    var range: SourceRange
    /// The name of the file the range is in.
    var file: String = ""
    /// Stable within a program: numbered in checking order, for tools that ask what a node is.
    var id: Int = 0
    /// The value, when it was computed at check time from constants; the node keeps what was written.
    var folded: Value?

    init(kind: Kind, type: KipiType, shape: Shape, format: DisplayFormat, range: SourceRange, folded: Value? = nil) {
        self.kind = kind
        self.type = type
        self.shape = shape
        self.format = format
        self.range = range
        self.folded = folded
    }

    /// The number of levels of the tree as evaluated, counted without recursion.
    var height: Int {
        var deepest = 0
        var pending: [(TypedExpression, Int)] = [(self, 1)]
        while let (node, level) = pending.popLast() {
            deepest = max(deepest, level)
            pending += node.children.map { ($0, level + 1) }
        }
        return deepest
    }

    /// Whether every leaf is a constant: no column, parameter or definition, no aggregate.
    var isComputedFromConstants: Bool {
        var pending = [self]
        while let node = pending.popLast() {
            if node.folded != nil { continue }
            switch node.kind {
            case .literal: continue
            case .column, .parameter, .definition, .aggregate, .window, .groupKey: return false
            case .call(let function, _) where !function.isDeterministic: return false
            default: pending += node.children
            }
        }
        return true
    }

    /// The children the evaluator computes (a user call's expansion, not its arguments again).
    var children: [TypedExpression] {
        switch kind {
        case .literal, .column, .parameter, .definition, .groupKey: []
        case .negate(let operand), .not(let operand), .percent(let operand), .nullTest(let operand, _), .broadcast(let operand),
            .periodFromText(let operand):
            [operand]
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right), .logical(_, let left, let right),
            .membership(let left, let right), .concatenation(let left, let right):
            [left, right]
        case .list(let elements): elements
        case .call(_, let arguments): arguments
        case .aggregate(let call): call.arguments + (call.filter.map { [$0] } ?? [])
        case .window(let call): [call.series] + call.arguments
        case .userCall(_, _, let expansion): [expansion]
        }
    }

    /// The value known at check time: a literal's, or a folded node's.
    var constantValue: Value? {
        if let folded { return folded }
        if case .literal(let value) = kind { return value }
        return nil
    }

    /// The tree with `transform` applied to every node, children first (arguments of user
    /// calls included).
    func mapped(_ transform: (TypedExpression) -> TypedExpression) -> TypedExpression {
        var node = self
        func map(_ child: TypedExpression) -> TypedExpression { child.mapped(transform) }
        switch node.kind {
        case .literal, .column, .parameter, .definition, .groupKey: break
        case .negate(let operand): node.kind = .negate(map(operand))
        case .not(let operand): node.kind = .not(map(operand))
        case .percent(let operand): node.kind = .percent(map(operand))
        case .nullTest(let operand, let isNull): node.kind = .nullTest(map(operand), isNull: isNull)
        case .broadcast(let operand): node.kind = .broadcast(map(operand))
        case .periodFromText(let operand): node.kind = .periodFromText(map(operand))
        case .arithmetic(let kind, let left, let right): node.kind = .arithmetic(kind, map(left), map(right))
        case .comparison(let op, let left, let right): node.kind = .comparison(op, map(left), map(right))
        case .logical(let op, let left, let right): node.kind = .logical(op, map(left), map(right))
        case .membership(let left, let right): node.kind = .membership(map(left), map(right))
        case .concatenation(let left, let right): node.kind = .concatenation(map(left), map(right))
        case .list(let elements): node.kind = .list(elements.map(map))
        case .call(let function, let arguments): node.kind = .call(function, arguments: arguments.map(map))
        case .aggregate(var call):
            call.arguments = call.arguments.map(map)
            call.filter = call.filter.map(map)
            node.kind = .aggregate(call)
        case .window(var call):
            call.series = map(call.series)
            call.arguments = call.arguments.map(map)
            node.kind = .window(call)
        case .userCall(let name, let arguments, let expansion):
            node.kind = .userCall(name: name, arguments: arguments.map(map), expansion: map(expansion))
        }
        return transform(node)
    }

    /// The tree with every level `transform`ed: in shapes, aggregate domains and partitions, windows.
    func mappingLevels(_ transform: (Level) -> Level) -> TypedExpression {
        func shape(_ shape: Shape) -> Shape {
            if case .groups(let level) = shape { return .groups(transform(level)) }
            return shape
        }
        return mapped { original in
            var node = original
            node.shape = shape(node.shape)
            switch node.kind {
            case .aggregate(var call):
                if case .groups(let level) = call.domain { call.domain = .groups(transform(level)) }
                call.partition = call.partition.map(transform)
                node.kind = .aggregate(call)
            case .window(var call):
                call.level = transform(call.level)
                node.kind = .window(call)
            default:
                break
            }
            return node
        }
    }

    /// Calls `visit` on this node and every node below it, the arguments of user calls included.
    func forEachNode(_ visit: (TypedExpression) -> Void) {
        var pending = [self]
        while let node = pending.popLast() {
            visit(node)
            if case .userCall(_, let arguments, let expansion) = node.kind {
                pending += arguments + [expansion]
            } else {
                pending += node.children
            }
        }
    }
}

/// A `let` or KPI after checking.
struct CheckedDefinition: Sendable {
    enum Role: Sendable { case kpi, helper }

    var name: String
    var role: Role
    var value: TypedExpression
    /// The grouping of the value, if it has one value per group.
    var grouping: Grouping?
    /// How the table output shows it: the `as` clause, or the format its value implies.
    var format: DisplayFormat
    var description: String
    var sourceName: String
    /// The whole declaration, as written, in `sourceName`.
    var declarationRange: SourceRange
    /// For a grouped definition evaluated over the groups of a KPI that reads more tables than it
    /// does (SPEC v3, one set of groups per KPI): the definition it is an instance of.
    var instanceOf: Int?
    /// The tables of the data the value reads, directly or through the definitions it refers to
    /// ("" is the default table).
    var tablesRead: Set<String> = []
    /// A KPI's critical, norm and target levels, if it declares any.
    var thresholds: Thresholds?

    /// The definitions computing its levels, critical first.
    var levelDefinitions: [Int] { thresholds?.levels.map(\.definition) ?? [] }
}

/// A name a program declares: what it is, where it is written, and its comment lines.
struct DeclaredName: Sendable {
    enum Kind: Sendable {
        case kpi, helper, parameter, function

        /// The word the REPL's `:list` shows.
        var word: String {
            switch self {
            case .kpi: "KPI"
            case .helper: "let"
            case .parameter: "param"
            case .function: "fn"
            }
        }
    }

    var name: String
    var kind: Kind
    /// The file it is declared in.
    var file: String
    /// The whole declaration, in `file`.
    var range: SourceRange
    /// The comment lines above the declaration.
    var documentation: String
}

/// The program the checker produces: the only input the evaluator accepts, and the one
/// record of meaning that every tool walks.
struct CheckedProgram: Sendable {
    /// Every `let` and KPI that was checked, in an order where each comes after what it uses.
    var definitions: [CheckedDefinition]
    /// The reported KPIs, as indices into `definitions`, in file order.
    var kpis: [Int]
    var parameters: [ParameterInfo]
    /// Each key's checked expression for each table that supplies it (one value per row).
    var keyExpressions: [GroupKey: [String: TypedExpression]]
    /// The data columns the formulas read, by table.
    var columnsUsed: [String: Set<String>]
    /// Top-level `where`s, in order: each keeps the rows of its table where it holds.
    var filters: [Filter]
    /// Every name the program's files declare that checked (KPIs, `let`s, parameters and
    /// functions), in the order of the files and, in each, as written.
    var symbols: [DeclaredName]
    /// The program's files by name, for tools that show what was written.
    var sources: [String: SourceText] = [:]
    /// The parsed files, the compiled one first: a formula compiled against this program reuses them.
    var trees: [SyntaxTree] = []
    /// Each key's type: the checker's one choice among the tables that supply it.
    var keyTypes: [GroupKey: KipiType] = [:]
    /// The data files the program's `data` lines name (SPEC v3), in the order written.
    var dataSources: [DataSource] = []

    static let empty = CheckedProgram(
        definitions: [], kpis: [], parameters: [], keyExpressions: [:], columnsUsed: [:], filters: [], symbols: [])

    /// The definition at `index` and every definition it reads, directly or not, with those the
    /// `by` keys read (groups may be built wherever it is evaluated).
    func dependencies(of index: Int) -> Set<Int> {
        var needed: Set<Int> = []
        var pending = [index]
        for expressions in keyExpressions.values {
            for expression in expressions.values {
                expression.forEachNode { node in
                    if case .definition(let used) = node.kind { pending.append(used) }
                }
            }
        }
        while let next = pending.popLast() {
            guard needed.insert(next).inserted else { continue }
            pending += definitions[next].levelDefinitions
            definitions[next].value.forEachNode { node in
                if case .definition(let used) = node.kind { pending.append(used) }
            }
        }
        return needed
    }

    /// How many columns over `table`'s rows an evaluation may hold: every expression of that
    /// shape in the definitions, filters and keys, for estimating its memory.
    func rowColumnCount(of table: String) -> Int {
        var count = 0
        func visit(_ node: TypedExpression) { if node.shape == .rows(table) { count += 1 } }
        for definition in definitions { definition.value.forEachNode(visit) }
        for filter in filters { filter.predicate.forEachNode(visit) }
        for expressions in keyExpressions.values { expressions[table]?.forEachNode(visit) }
        return count
    }
}

/// A top-level `where`: the table it filters, and the condition.
struct Filter: Sendable {
    var table: String
    var predicate: TypedExpression
}

/// A parameter of a program: overridable when evaluating, with its default.
public struct ParameterInfo: Sendable, Hashable {
    /// The name formulas and `--param` use.
    public var name: String
    /// The type of its default, which every value given for it must have.
    public var type: KipiType
    /// The value used when no other is given.
    public var defaultValue: Value
    /// The comment lines above its declaration.
    public var description: String

    /// A parameter of this name, type, default and description.
    public init(name: String, type: KipiType, defaultValue: Value, description: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// A KPI a program reports, in file order.
public struct KPIInfo: Sendable, Hashable {
    /// The KPI's name, as the outputs key it.
    public var name: String
    /// The comment lines above its declaration.
    public var description: String
    /// The type of its value (of each group's, for a grouped KPI).
    public var type: KipiType
    /// How the table output shows it: its `as` clause, or the format its value implies.
    public var format: DisplayFormat
    /// Names of the `by` keys; empty for a KPI with a single value.
    public var keyNames: [String]

    /// A KPI of this name, description, type, format and keys.
    public init(name: String, description: String, type: KipiType, format: DisplayFormat, keyNames: [String]) {
        self.name = name
        self.description = description
        self.type = type
        self.format = format
        self.keyNames = keyNames
    }
}

extension TypedExpression {
    /// Whether the value reads a grouped definition at `level` (whose key order it then takes).
    func readsDefinition(at level: Level) -> Bool {
        var found = false
        forEachNode { node in
            if case .definition = node.kind, node.shape == .groups(level) { found = true }
        }
        return found
    }
}
