/// An expression as written, with the source range it covers.
public struct Expression: Sendable, Hashable {
    /// What the expression is.
    public indirect enum Kind: Sendable, Hashable {
        case number(Double)
        case string(String)
        case boolean(Bool)
        case null
        case list([Expression])
        /// A name: a column, KPI, `let`, `param` or function parameter. `quoted` if written in backticks.
        case name(String, quoted: Bool)
        /// `table.column`: a column of a named table.
        case qualifiedName(table: String, column: String)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// Postfix `%`: the operand divided by 100.
        case percent(Expression)
        /// `name(arguments where filter)`.
        case call(name: String, nameRange: SourceRange, arguments: [Expression], filter: Expression?)
    }

    /// What the expression is.
    public var kind: Kind
    /// Where it is written.
    public var range: SourceRange

    /// An expression of this kind, written at `range`.
    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// An operator before its operand: `-` and `not`.
public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not = "not"
}

/// An operator between two operands, as written.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
    case concatenate = "&"
}

/// A top-level statement of a `.kpi` file.
public struct Declaration: Sendable, Hashable {
    /// What a declaration declares.
    public enum Kind: Sendable, Hashable {
        /// `import "path"`.
        case `import`(path: String)
        /// `data "sales.csv"` (the default table, `table` empty) or `data plans = "plans.xlsx"`, with
        /// the data options written after the path (SPEC v3, data sources in the file).
        case data(table: String, path: String, options: [DataOptionClause])
        /// `where predicate`: keeps only the rows where it holds, in the table it reads, before any KPI.
        case filter(Expression)
        /// `param name = expression`: a named input with a default.
        case parameter(name: String, defaultValue: Expression)
        /// `let name = expression [by keys]`: a helper, computed but not reported. `let table.column =
        /// expression` (the name then holds the dot) is a column of that table computed row by row.
        case helper(name: String, value: Expression, keys: [KeyClause])
        /// `fn name(parameters) = body`.
        case function(name: String, parameters: [String], body: Expression)
        /// `name = expression [by keys] [as format]`: a KPI, reported in file order.
        case kpi(name: String, value: Expression, keys: [KeyClause])
    }

    /// What it declares.
    public var kind: Kind
    /// The whole declaration.
    public var range: SourceRange
    /// The defined name's range (the path's, for an import).
    public var nameRange: SourceRange
    /// Comment lines directly above the declaration, joined by newlines; empty if none.
    public var documentation: String
    /// The `as percent|number|integer[(decimals)]` clause, if any.
    public var display: DisplayFormat? = nil
    /// A KPI's `critical`, `norm` and `target` clauses, in the order written (SPEC v3).
    public var thresholds: [ThresholdClause] = []
}

/// One level a KPI is judged against: `critical 300_000`, `norm plan_by_manager`, `norm <= 10%`.
public struct ThresholdClause: Sendable, Hashable {
    /// Which level the clause declares.
    public var level: ThresholdLevel
    /// `<=` (lower is better) or `>=` (higher is better) when written before the expression.
    public var sign: BinaryOperator?
    /// The level's value.
    public var expression: Expression
    /// The clause from its word to the end of its expression.
    public var range: SourceRange

    /// A clause declaring `level` as `expression`, with the sign written, if any.
    public init(level: ThresholdLevel, sign: BinaryOperator?, expression: Expression, range: SourceRange) {
        self.level = level
        self.sign = sign
        self.expression = expression
        self.range = range
    }
}

/// The three levels of the methods Kipi comes from, in the order of a higher-is-better KPI.
public enum ThresholdLevel: String, Sendable, Hashable, CaseIterable {
    /// The least acceptable result.
    case critical
    /// What is expected.
    case norm
    /// What earns the most.
    case target
}

/// One data option of a `data` line: `encoding "cp1251"`, `skip_rows 3`, or a flag such as `decimal_comma`.
public struct DataOptionClause: Sendable, Hashable {
    /// The option's name as written.
    public var name: String
    /// Its value: a string or number literal; nil for a flag.
    public var value: Expression?
    /// Where the option is written, value included.
    public var range: SourceRange

    /// An option of this name and value, written at `range`.
    public init(name: String, value: Expression?, range: SourceRange) {
        self.name = name
        self.value = value
        self.range = range
    }
}

/// A key of a `by` clause: `manager`, `month(date)`, or named: `period = month(date)`.
public struct KeyClause: Sendable, Hashable {
    /// The name given with `name = …`; nil for an unnamed key.
    public var name: String?
    /// The key's expression.
    public var expression: Expression

    /// A key, named or not.
    public init(name: String? = nil, expression: Expression) {
        self.name = name
        self.expression = expression
    }

    /// Where the key is written.
    public var range: SourceRange { expression.range }
}

/// A parsed `.kpi` file.
public struct SyntaxTree: Sendable {
    /// The text parsed.
    public var source: SourceText
    /// Its declarations, in order.
    public var declarations: [Declaration]
    /// Names of definitions that had syntax errors: uses of them are not reported again.
    public var incompleteNames: Set<String> = []
}

extension Declaration {
    /// The name it defines; nil for an import or a `where`.
    public var name: String? {
        switch kind {
        case .import, .filter, .data: nil
        case .parameter(let name, _), .helper(let name, _, _), .function(let name, _, _), .kpi(let name, _, _): name
        }
    }

    var isKPI: Bool {
        if case .kpi = kind { return true }
        return false
    }
}
