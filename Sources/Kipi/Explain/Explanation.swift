/// Why a KPI has its value: its definition as written, and its expression tree with each
/// node's value for one group row (SPEC section 9).
public struct Explanation: Sendable, Hashable {
    /// The KPI explained.
    public var kpi: String
    /// The definition as written in its file.
    public var definition: String
    /// The group row explained, as key names and values; empty for a KPI with one value.
    public var groupKeyNames: [String]
    /// The explained group row's key values, in the order of `groupKeyNames`.
    public var groupKeys: [Value]
    /// For a grouped KPI: how many groups it has and the tables whose rows gave them
    /// (`5 groups, from users and ev`).
    public var groups: String?
    /// The KPI's expression, node by node.
    public var root: ExplanationNode
    /// For a KPI with levels: the explained value's status, level and levels (SPEC v3).
    public var assessment: Assessment?
}

/// One node of an explained expression.
public struct ExplanationNode: Sendable, Hashable {
    /// The node's source text, as written.
    public var expression: String
    /// The node's value for the explained group row.
    public var value: ExplainedValue
    /// How the table output shows the value.
    public var format: DisplayFormat
    /// For an aggregate: the rows (or groups, or list elements) in its scope for this group row.
    public var rows: Int?
    /// Whether `rows` counts data rows, rather than groups or list elements.
    public var countsRows = true
    /// For an aggregate with `where`: how many of them it kept.
    public var kept: Int?
    /// For an aggregate: how many kept values were null and skipped.
    public var nulls: Int?
    /// What else helps to read the value: the period a window read, the kind of a reference.
    public var note: String?
    /// The nodes it is computed from, in the order written.
    public var children: [ExplanationNode]
}

/// A node's value for the explained group row.
public enum ExplainedValue: Sendable, Hashable {
    case value(Value)
    case error(String)
    /// Many values (a column's rows, the finer groups inside the group row, a list), summarized:
    /// how many, how many are true (booleans), and the first few.
    case values(count: Int, trueCount: Int?, first: [Value])
}
