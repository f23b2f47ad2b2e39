/// Where an expression's values live: the checker's second type, next to the value type.
enum Shape: Sendable, Hashable {
    /// One value.
    case scalar
    /// One value per data row.
    case rows
    /// One value per group of a grouping (a `by` clause).
    case groups(GroupingID)
}

extension Shape {
    /// The shape of a value computed from values of both shapes; nil if they do not fit together.
    func combined(with other: Shape) -> Shape? {
        switch (self, other) {
        case (.scalar, _): other
        case (_, .scalar): self
        case (.rows, .rows): .rows
        case (.groups(let a), .groups(let b)): a == b ? self : nil
        case (.rows, .groups), (.groups, .rows): nil
        }
    }
}

/// What an aggregate reduces: the data rows (also when no argument is a column, as in
/// `count()`), the groups of a grouped KPI, or a list. The checker and the evaluator both
/// derive it here, from the collection arguments and the filter.
enum AggregateDomain: Sendable, Equatable {
    case rows
    case groups(GroupingID)
    case list

    /// Two of the reduced values whose shapes do not fit together, and where the second is.
    struct Clash: Error {
        var first: Shape
        var second: Shape
        var range: SourceRange
    }

    static func of(_ reduced: [TypedExpression]) -> Result<AggregateDomain, Clash> {
        var shape = Shape.scalar
        var fromList = false
        for item in reduced {
            if item.shape == .scalar {
                fromList = fromList || item.type.isList
                continue
            }
            guard let combined = shape.combined(with: item.shape) else {
                return .failure(Clash(first: shape, second: item.shape, range: item.range))
            }
            shape = combined
        }
        switch shape {
        case .scalar:
            return .success(fromList ? .list : .rows)
        case .rows, .groups:
            if fromList, let first = reduced.first { return .failure(Clash(first: shape, second: .scalar, range: first.range)) }
            if case .groups(let id) = shape { return .success(.groups(id)) }
            return .success(.rows)
        }
    }
}

/// Identifies a grouping by its keys as printed, so KPIs grouped alike share one grouping.
struct GroupingID: Sendable, Hashable, CustomStringConvertible {
    /// The keys as the syntax printer writes them: equal for `month(date)` and `month( date )`.
    var canonical: String
    /// The keys as written, for messages.
    var description: String

    static func == (lhs: GroupingID, rhs: GroupingID) -> Bool { lhs.canonical == rhs.canonical }
    func hash(into hasher: inout Hasher) { hasher.combine(canonical) }
}

/// The keys of a `by` clause, checked.
struct Grouping: Sendable {
    var id: GroupingID
    /// Row-shaped key expressions.
    var keys: [TypedExpression]
    /// The keys' names in output: a column's name, or the key's source text as written.
    var keyNames: [String]
}

/// An expression after checking: names resolved, type and shape known. Only these are evaluated.
struct TypedExpression: Sendable {
    indirect enum Kind: Sendable {
        case constant(Value)
        case column(String)
        case parameter(String)
        /// A `let` or KPI, by index into `Program.definitions`.
        case definition(Int)
        case negate(TypedExpression)
        case not(TypedExpression)
        case binary(BinaryOperator, TypedExpression, TypedExpression)
        /// `x == null` (`isNull`) or `x != null`.
        case nullTest(TypedExpression, isNull: Bool)
        /// A list whose elements are not all constants.
        case list([TypedExpression])
        case call(FunctionDefinition, arguments: [TypedExpression], filter: TypedExpression?)
    }

    var kind: Kind
    var type: KipiType
    var shape: Shape
    var format: DisplayFormat
    var range: SourceRange

    /// The number of levels of the tree, counted without recursion.
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
            switch node.kind {
            case .constant: continue
            case .column, .parameter, .definition: return false
            case .call(let function, _, _) where function.isAggregate || !function.isDeterministic: return false
            case .negate, .not, .binary, .nullTest, .list, .call: pending += node.children
            }
        }
        return true
    }

    var children: [TypedExpression] {
        switch kind {
        case .constant, .column, .parameter, .definition: []
        case .negate(let operand), .not(let operand), .nullTest(let operand, _): [operand]
        case .binary(_, let left, let right): [left, right]
        case .list(let elements): elements
        case .call(_, let arguments, let filter): arguments + (filter.map { [$0] } ?? [])
        }
    }

    var constantValue: Value? {
        if case .constant(let value) = kind { return value }
        return nil
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
    var description: String
    var sourceName: String
}

/// A parameter of a program: overridable when evaluating, with its default.
public struct ParameterInfo: Sendable, Hashable {
    public var name: String
    public var type: KipiType
    public var defaultValue: Value
    public var description: String

    public init(name: String, type: KipiType, defaultValue: Value, description: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// A KPI a program reports, in file order.
public struct KPIInfo: Sendable, Hashable {
    public var name: String
    public var description: String
    public var type: KipiType
    public var format: DisplayFormat
    /// Names of the `by` keys; empty for a KPI with a single value.
    public var keyNames: [String]

    public init(name: String, description: String, type: KipiType, format: DisplayFormat, keyNames: [String]) {
        self.name = name
        self.description = description
        self.type = type
        self.format = format
        self.keyNames = keyNames
    }
}
