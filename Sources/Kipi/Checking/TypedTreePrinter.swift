extension TypedExpression: CustomStringConvertible {
    /// The checked tree with each node's type, shape and decisions, as checker tests compare it:
    /// `(sum amount~number@row |rows per manager)~number@manager`. `@row` is one value per row,
    /// `@keys` one per group; an aggregate shows what it reduces (`|rows`, `|groups of …`, `|list`)
    /// and inside which groups (`per …`); a window the key it runs along; `=v` a folded value.
    var description: String {
        let core: String
        switch kind {
        case .literal(let value): core = value.description
        case .column(let table, let name): core = table.isEmpty ? name : "\(table).\(name)"
        case .parameter(let name): core = "param:\(name)"
        case .definition(let index): core = "def:\(index)"
        case .negate(let operand): core = "(- \(operand))"
        case .not(let operand): core = "(not \(operand))"
        case .percent(let operand): core = "(% \(operand))"
        case .arithmetic(let kind, let left, let right): core = "(\(kind) \(left) \(right))"
        case .comparison(let op, let left, let right), .logical(let op, let left, let right):
            core = "(\(op.rawValue) \(left) \(right))"
        case .membership(let left, let right): core = "(in \(left) \(right))"
        case .concatenation(let left, let right): core = "(& \(left) \(right))"
        case .nullTest(let operand, let isNull): core = "(\(isNull ? "is-null" : "not-null") \(operand))"
        case .list(let elements): core = "[" + elements.map(\.description).joined(separator: " ") + "]"
        case .call(let function, let arguments): core = "(" + ([function.name] + arguments.map(\.description)).joined(separator: " ") + ")"
        case .aggregate(let call): core = call.description
        case .window(let call):
            let along = call.along.map { " |along \($0)" } ?? " |across"
            core = "(" + ([call.function.name, call.series.description] + call.arguments.map(\.description)).joined(separator: " ") + along + ")"
        case .userCall(let name, let arguments, let expansion):
            core = "(" + ([name] + arguments.map(\.description)).joined(separator: " ") + " => \(expansion))"
        case .broadcast(let operand): core = "(broadcast \(operand))"
        case .periodFromText(let operand): core = "(as-\(type) \(operand))"
        case .groupKey(let key): core = "key:\(key.description)"
        }
        let shapeText: String =
            switch shape {
            case .scalar: ""
            case .rows(let table): table.isEmpty ? "@row" : "@row(\(table))"
            case .groups(let level): "@\(level)"
            }
        let foldedText: String
        switch (kind, folded) {
        case (.literal, _), (_, nil): foldedText = ""
        case (_, let value?): foldedText = "=\(value)"
        }
        return "\(core)~\(type)\(shapeText)\(format.style == .percent ? "%" : "")\(foldedText)"
    }
}

extension AggregateCall: CustomStringConvertible {
    var description: String {
        var parts = [function.name] + arguments.map(\.description)
        if let filter { parts.append("(where \(filter))") }
        let over: String
        switch domain {
        case .rows(let table): over = table.isEmpty ? "rows" : "rows of \(table)"
        case .groups(let level): over = "groups of \(level)"
        case .list: over = "list"
        }
        return "(" + parts.joined(separator: " ") + " |\(over)" + (partition.map { " per \($0)" } ?? "") + ")"
    }
}

extension ArithmeticKind: CustomStringConvertible {
    var description: String {
        switch self {
        case .number(let op): op.rawValue
        case .dateShift(let subtract, _): subtract ? "-days" : "+days"
        case .dateDifference: "days-between"
        case .periodShift(let subtract, _): subtract ? "-periods" : "+periods"
        case .periodDistance: "periods-between"
        }
    }
}
