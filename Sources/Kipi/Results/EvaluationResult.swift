/// The value of one cell of a result: a value, or the evaluation error that took its place.
public enum Outcome: Sendable, Hashable {
    case value(Value)
    case error(String)
}

/// One row of a grouped KPI: the group's keys and its value.
public struct GroupRow: Sendable, Hashable {
    public var keys: [Value]
    public var outcome: Outcome

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
    case single(Outcome)
    case grouped(keyNames: [String], rows: [GroupRow])
}

/// One reported KPI with its value.
public struct KPIResult: Sendable, Hashable {
    public var name: String
    public var description: String
    public var format: DisplayFormat
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
    public var kpis: [KPIResult]

    public subscript(name: String) -> KPIResult? {
        kpis.first { $0.name == name }
    }

    public var hasErrors: Bool { kpis.contains(where: \.hasError) }
}
