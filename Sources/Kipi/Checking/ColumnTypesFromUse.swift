/// The type each column's uses call for, for a program checked without its data (`kipi sql`
/// with neither a sample file nor an engine to ask): `sum(amount)` reads a number, `month(date)`
/// a date, `percent(won)` a boolean, `date >= date("2024-01-01")` a date, and `max(x) * 2` a
/// number (a demand goes through what passes a value on). A column no use decides (a key,
/// `x & "!"`) is text.
extension CheckedProgram {
    func columnTypesFromUse() -> [String: Schema] {
        var demanded: [String: [String: Set<KipiType>]] = [:]
        /// Columns a calendar function reads: a date, unless another use says otherwise (it
        /// takes text and periods too).
        var calendar: [String: Set<String>] = [:]
        /// Columns subtracted from each other: both dates when either is.
        var subtracted: [((String, String), (String, String))] = []
        var definitionsDemanded: Set<[Int]> = []
        /// `node` must be of `type`: a column of unknown type is noted; the demand goes on into
        /// what passes its value through (a definition, `max`, `if`, `coalesce`, a broadcast).
        /// `weak`: a calendar function's wish for a date, which any other use overrides.
        func demand(_ node: TypedExpression, _ type: KipiType?, weak: Bool = false) {
            guard let type, type != .unknown, node.type == .unknown else { return }
            switch node.kind {
            case .column(let table, let name):
                if weak { calendar[table, default: []].insert(name) } else { demanded[table, default: [:]][name, default: []].insert(type) }
            case .definition(let index):
                guard definitionsDemanded.insert([index, Self.rank(type), weak ? 1 : 0]).inserted else { return }
                demand(definitions[index].value, type, weak: weak)
            case .arithmetic(.number(let op), let left, let right) where type == .number && !Self.undecided(op, left, right):
                demand(left, type)
                demand(right, type)
            case .broadcast(let operand): demand(operand, type, weak: weak)
            case .userCall(_, _, let expansion): demand(expansion, type, weak: weak)
            case .call(let function, let arguments): demandThrough(function, arguments, type, weak: weak)
            case .aggregate(let call): demandThrough(call.function, call.arguments, type, weak: weak)
            default: break
            }
        }
        func demandThrough(_ function: FunctionDefinition, _ arguments: [TypedExpression], _ type: KipiType, weak: Bool) {
            guard case .variable(let name) = function.result else { return }
            for (argument, pattern) in zip(arguments, Self.patterns(function, count: arguments.count)) where pattern.variable == name {
                demand(argument, type, weak: weak)
            }
        }
        /// A call's arguments: each as its parameter asks, and those sharing a type variable as
        /// the first of them whose type is known.
        func arguments(_ function: FunctionDefinition, _ arguments: [TypedExpression]) {
            let patterns = Self.patterns(function, count: arguments.count)
            for (argument, pattern) in zip(arguments, patterns) {
                if case .variable(_, let allowed) = pattern, allowed.first == .date {
                    demand(argument, .date, weak: true)
                } else {
                    demand(argument, Self.expected(pattern))
                }
                guard let variable = pattern.variable else { continue }
                // The variable's type from an argument that has one (a list's, its elements').
                let known = zip(arguments, patterns).lazy.compactMap { given, other -> KipiType? in
                    guard other.variable == variable, given.type != .unknown else { return nil }
                    // A list given for a collection holds the values a column there would hold.
                    switch (other, given.type) {
                    case (_, .list(let element)): return element
                    case (.listOf, _): return nil
                    default: return given.type
                    }
                }.first
                switch (pattern, known) {
                case (.listOf, .some(let element)): demand(argument, .list(element))
                default: demand(argument, known)
                }
            }
        }
        func visit(_ node: TypedExpression) {
            switch node.kind {
            case .call(let function, let given): arguments(function, given)
            case .aggregate(let call):
                arguments(call.function, call.arguments)
                if let filter = call.filter { demand(filter, .boolean) }
            case .window(let call): demand(call.series, .number)
            case .arithmetic(let kind, let left, let right):
                let (leftType, rightType): (KipiType?, KipiType?) =
                    switch kind {
                    case .number: (.number, .number)
                    // A date minus a column of unknown type is taken as a number of days between two dates.
                    case .dateShift(true, true) where right.type == .unknown: (.date, .date)
                    case .dateShift(_, let dateFirst): dateFirst ? (.date, .number) : (.number, .date)
                    case .dateDifference: (.date, .date)
                    case .periodShift(_, let periodFirst): periodFirst ? (nil, .number) : (.number, nil)
                    case .periodDistance: (nil, nil)
                    }
                // `a - b` of two columns may be numbers or dates: a date on either side makes both dates.
                if case .number(let op) = kind, Self.undecided(op, left, right) {
                    if case .column(let a, let x) = left.kind, case .column(let b, let y) = right.kind { subtracted.append(((a, x), (b, y))) }
                } else {
                    demand(left, leftType)
                    demand(right, rightType)
                }
            case .comparison(_, let left, let right):
                demand(left, right.type)
                demand(right, left.type)
            case .negate(let operand), .percent(let operand): demand(operand, .number)
            case .not(let operand): demand(operand, .boolean)
            case .logical(_, let left, let right):
                demand(left, .boolean)
                demand(right, .boolean)
            case .membership(let element, let list):
                if case .list(let elements) = list.kind { demand(element, elements.first(where: { $0.type != .unknown })?.type) }
            case .literal, .column, .parameter, .definition, .concatenation, .nullTest, .list, .userCall, .broadcast, .groupKey, .periodFromText:
                break
            }
            for child in node.children { visit(child) }
        }
        for definition in definitions { visit(definition.value) }
        for filter in filters {
            demand(filter.predicate, .boolean)
            visit(filter.predicate)
        }
        for expressions in keyExpressions.values {
            for expression in expressions.values { visit(expression) }
        }
        // Where uses disagree, a date wins (two unknowns subtracted were taken as numbers), then
        // a number, then a boolean.
        var types: [String: [String: KipiType]] = demanded.mapValues { $0.mapValues { $0.min { Self.rank($0) < Self.rank($1) } ?? .text } }
        for (table, names) in calendar {
            for name in names where types[table]?[name] == nil { types[table, default: [:]][name] = .date }
        }
        for (left, right) in subtracted {
            let type: KipiType = types[left.0]?[left.1] == .date || types[right.0]?[right.1] == .date ? .date : .number
            for (table, name) in [left, right] where types[table]?[name] == nil || type == .date { types[table, default: [:]][name] = type }
        }
        // A key read from columns of several tables is one type in all of them.
        for expressions in keyExpressions.values {
            let columns = expressions.compactMap { table, expression -> (String, String)? in
                if case .column(let owner, let name) = expression.kind, owner == table { return (table, name) }
                return nil
            }
            guard let type = columns.compactMap({ types[$0.0]?[$0.1] }).min(by: { Self.rank($0) < Self.rank($1) }) else { continue }
            for (table, name) in columns { types[table, default: [:]][name] = type }
        }
        var schemas: [String: Schema] = [:]
        for (table, columns) in columnsUsed {
            schemas[table] = Schema(columns: columns.sorted().map { ($0, types[table]?[$0] ?? .text) })
        }
        return schemas
    }

    /// Two values of unknown type subtracted: `b - a` is a number of days between dates or a
    /// difference of numbers, as their other uses say (two columns: as either's uses say).
    private static func undecided(_ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression) -> Bool {
        op == .subtract && left.type == .unknown && right.type == .unknown
    }

    /// Which of several demanded types a column takes: the lowest.
    private static func rank(_ type: KipiType) -> Int {
        switch type {
        case .date: 0
        case .number: 1
        case .boolean: 2
        case .period: 3
        case .text, .null, .unknown, .list: 4
        }
    }

    /// Each argument's parameter pattern, the last parameter's repeated for variadic ones.
    private static func patterns(_ function: FunctionDefinition, count: Int) -> [FunctionDefinition.TypePattern] {
        let parameters = function.parameters.map(\.type)
        guard let last = parameters.last else { return [] }
        return (0..<count).map { $0 < parameters.count ? parameters[$0] : last }
    }

    /// The type a pattern asks of a column: an exact type; nil where it does not decide.
    private static func expected(_ pattern: FunctionDefinition.TypePattern) -> KipiType? {
        switch pattern {
        case .exactly(let type): type
        case .variable: nil
        case .listOf(let element): expected(element)
        case .any: nil
        }
    }
}

extension FunctionDefinition.TypePattern {
    /// The type variable a pattern (or its elements) is bound by.
    fileprivate var variable: String? {
        switch self {
        case .variable(let name, _): name
        case .listOf(let element): element.variable
        case .exactly, .any: nil
        }
    }
}
