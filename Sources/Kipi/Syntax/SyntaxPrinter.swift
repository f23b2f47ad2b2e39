extension Expression: CustomStringConvertible {
    /// The tree as an s-expression, such as `(/ (sum revenue) (count))`: the form parser tests compare.
    public var description: String {
        switch kind {
        case .number(let value): formatLiteral(value)
        case .string(let text): "\"\(text)\""
        case .boolean(let value): value ? "true" : "false"
        case .null: "null"
        case .list(let elements): "[" + elements.map(\.description).joined(separator: " ") + "]"
        case .name(let name, let quoted): quoted ? "`\(name)`" : name
        case .qualifiedName(let table, let column): "\(table).\(column)"
        case .unary(let op, let operand): "(\(op.rawValue) \(operand))"
        case .binary(let op, let left, let right): "(\(op.rawValue) \(left) \(right))"
        case .percent(let operand): "(% \(operand))"
        case .call(let name, _, let arguments, let filter):
            "(" + ([name] + arguments.map(\.description) + (filter.map { ["(where \($0))"] } ?? [])).joined(separator: " ") + ")"
        }
    }
}

extension Declaration: CustomStringConvertible {
    /// The declaration as a parenthesised tree, as parser tests compare it.
    public var description: String {
        switch kind {
        case .import(let path): "(import \"\(path)\")"
        case .data(let table, let path, let options):
            "(data \(table.isEmpty ? "" : table + " ")\"\(path)\"" + options.map { " \($0.name)" + ($0.value.map { " \($0)" } ?? "") }.joined() + ")"
        case .filter(let predicate): "(where \(predicate))"
        case .parameter(let name, let value): "(param \(name) \(value))"
        case .helper(let name, let value, let keys): "(let \(name) \(value)\(keysText(keys)))"
        case .function(let name, let parameters, let body): "(fn \(name) (\(parameters.joined(separator: " "))) \(body))"
        case .kpi(let name, let value, let keys): "(kpi \(name) \(value)\(keysText(keys)))"
        }
    }

    private func keysText(_ keys: [KeyClause]) -> String {
        let byText = keys.isEmpty ? "" : " (by " + keys.map { key in key.name.map { "(= \($0) \(key.expression))" } ?? "\(key.expression)" }.joined(separator: " ") + ")"
        return byText + (display.map { " (as \($0))" } ?? "")
    }
}
