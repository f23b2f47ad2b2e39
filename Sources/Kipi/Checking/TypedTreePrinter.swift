extension TypedExpression: CustomStringConvertible {
    /// The checked tree with each node's type and shape, as checker tests compare it:
    /// `(sum amount~number@row)~number`; `@row` is one value per row, `@keys` one per group.
    var description: String {
        let core: String
        switch kind {
        case .constant(let value): core = value.description
        case .column(let name): core = name
        case .parameter(let name): core = "param:\(name)"
        case .definition(let index): core = "def:\(index)"
        case .negate(let operand): core = "(- \(operand))"
        case .not(let operand): core = "(not \(operand))"
        case .binary(let op, let left, let right): core = "(\(op.rawValue) \(left) \(right))"
        case .nullTest(let operand, let isNull): core = "(\(isNull ? "is-null" : "not-null") \(operand))"
        case .list(let elements): core = "[" + elements.map(\.description).joined(separator: " ") + "]"
        case .call(let function, let arguments, let filter):
            core = "(" + ([function.name] + arguments.map(\.description) + (filter.map { ["(where \($0))"] } ?? [])).joined(separator: " ") + ")"
        }
        let shapeText: String =
            switch shape {
            case .scalar: ""
            case .rows: "@row"
            case .groups(let id): "@\(id)"
            }
        return "\(core)~\(type)\(shapeText)\(format == .percent ? "%" : "")"
    }
}
