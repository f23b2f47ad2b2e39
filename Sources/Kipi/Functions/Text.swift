/// `lower`, `upper`, `len`, `contains`: Unicode-aware text functions.
enum Text {
    static var definitions: [FunctionDefinition] {
        [
            map("lower", "The text in lower case (LOWER), in any script: \"ИВАНОВ\" → \"иванов\".", .text) { .text($0.lowercased()) },
            map("upper", "The text in upper case (UPPER).", .text) { .text($0.uppercased()) },
            map("len", "The number of characters, as a person counts them (LEN).", .number) { .number(Double($0.count)) },
            FunctionDefinition(
                "contains", [Parameter("text", .text), Parameter("part", .text)], returns: .exactly(.boolean),
                summary: "Whether the text contains part, case-sensitively (ISNUMBER(FIND(part, text))).",
                implementation: .scalar(propagatesNull: true) { arguments in
                    guard case .text(let text) = arguments[0], case .text(let part) = arguments[1] else { return .null }
                    return .boolean(part.isEmpty || text.contains(part))
                }),
        ]
    }

    private static func map(_ name: String, _ summary: String, _ type: KipiType, _ transform: @escaping @Sendable (String) -> Value)
        -> FunctionDefinition
    {
        FunctionDefinition(
            name, [Parameter("text", .text)], returns: .exactly(type), summary: summary,
            implementation: .columnar { arguments, count in
                Column.mapCells(arguments[0], count: count, type: type, read: \.texts, transform)
            })
    }
}
