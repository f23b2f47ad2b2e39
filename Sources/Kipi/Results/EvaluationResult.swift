/// The value of one cell of a result: a value, or the evaluation error that took its place.
public enum Outcome: Sendable, Hashable {
    /// The computed value (null included).
    case value(Value)
    /// The evaluation error, as its message.
    case error(String)
}

/// One row of a grouped KPI: the group's keys and its value.
public struct GroupRow: Sendable, Hashable {
    /// The group's key values, in the order of the KPI's `by` keys.
    public var keys: [Value]
    /// The group's value, or its error.
    public var outcome: Outcome

    /// A row of these keys and outcome.
    public init(keys: [Value], outcome: Outcome) {
        self.keys = keys
        self.outcome = outcome
    }

    /// The group as `key=value, key=value`, values as a CSV cell writes them.
    public func label(keyNames: [String]) -> String {
        zip(keyNames, keys).map { "\($0)=\(CSVFormatter.plain($1))" }.joined(separator: ", ")
    }
}

/// A KPI's result: one value, or one value per group.
public enum KPIValue: Sendable, Hashable {
    /// A KPI without `by`: one value.
    case single(Outcome)
    /// A KPI with `by`: its keys' names and one row per group, sorted by the keys.
    case grouped(keyNames: [String], rows: [GroupRow])
}

/// One reported KPI with its value.
public struct KPIResult: Sendable, Hashable {
    /// The KPI's name.
    public var name: String
    /// The comment lines above its declaration.
    public var description: String
    /// How the table output shows its value.
    public var format: DisplayFormat
    /// Its value, or its values per group.
    public var value: KPIValue

    /// Whether this KPI, or any of its group rows, failed.
    public var hasError: Bool {
        switch value {
        case .single(.error): true
        case .single(.value): false
        case .grouped(_, let rows): rows.contains { if case .error = $0.outcome { true } else { false } }
        }
    }
}

/// Every reported KPI of a program, in file order.
public struct EvaluationResult: Sendable, Hashable {
    /// The reported KPIs, in file order.
    public var kpis: [KPIResult]

    /// The KPI of this name, if it was reported.
    public subscript(name: String) -> KPIResult? {
        kpis.first { $0.name == name }
    }

    /// Whether any KPI or group row failed.
    public var hasErrors: Bool { kpis.contains(where: \.hasError) }
}
