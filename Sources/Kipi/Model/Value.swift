/// One Kipi value: a KPI's result, a cell, a parameter or a function argument.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case boolean(Bool)
    case date(KipiDate)
    /// A week, month, quarter or year.
    case period(Period)
    case list([Value])
    case null

    /// Whether the value is null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The number, for a number value.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The type of this value; `null` has type `.null`.
    public var type: KipiType {
        switch self {
        case .number: .number
        case .text: .text
        case .boolean: .boolean
        case .date: .date
        case .period(let period): .period(period.grain)
        case .null: .null
        case .list(let elements): .list(elements.reduce(KipiType.null) { $0.unified(with: $1.type) ?? $0 })
        }
    }

    /// The value as a formula would write it.
    public var description: String {
        switch self {
        case .number(let value): formatLiteral(value)
        case .text(let text): "\"\(text)\""
        case .boolean(let value): value ? "true" : "false"
        case .date(let date): "date(\"\(date)\")"
        case .period(let period): period.grain == .year ? "year(\(period))" : "\(period.grain)(\"\(period)\")"
        case .list(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }
}

extension Value {
    /// Orders values of one type the way groups are sorted: numbers and dates ascending,
    /// text in Unicode order, false before true, null last.
    /// Whether one row of group keys sorts before another: by the first key that differs.
    static func sortsBefore(_ lhs: [Value], _ rhs: [Value]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right { return sortsBefore(left, right) }
        return false
    }

    static func sortsBefore(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, _): return false
        case (_, .null): return true
        case (.number(let a), .number(let b)): return a < b
        case (.text(let a), .text(let b)): return a < b
        case (.date(let a), .date(let b)): return a < b
        case (.period(let a), .period(let b)): return a < b
        case (.boolean(let a), .boolean(let b)): return !a && b
        default: return false
        }
    }
}

/// A number as a literal is written: integers without a fraction, others in shortest round-trip form.
func formatLiteral(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}
