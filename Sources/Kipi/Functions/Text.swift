import Foundation

/// `lower`, `upper`, `len`, `contains`, `trim`, `number`, `text`: Unicode-aware text functions.
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
            map("trim", "The text without spaces at its ends, and one space where there were several (TRIM).", .text) { text in
                .text(text.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" || $0 == "\t" }).joined(separator: " "))
            },
            FunctionDefinition(
                "number", [Parameter("text", .text)], returns: .exactly(.number),
                summary: "The number a text writes: 1 234,56, 1234.56, 12%, $530 (a comma is decimal when there is no point) (VALUE).",
                implementation: .scalar(propagatesNull: true) { arguments in
                    guard case .text(let text) = arguments[0], let number = number(in: text) else {
                        throw FunctionError("'\(written(arguments[0]))' is not a number")
                    }
                    return .number(number)
                }),
            FunctionDefinition(
                "text", [Parameter("x", .any)], returns: .exactly(.text),
                summary: "The value as text: numbers plainly (1234.5), dates as 2024-03-31, periods as 2024-03 (TEXT).",
                implementation: .scalar(propagatesNull: true) { arguments in .text(written(arguments[0])) }),
        ]
    }

    /// A value as `text` writes it: numbers in their shortest exact form without separators,
    /// dates `yyyy-mm-dd`, periods as their text, null as empty text.
    static func written(_ value: Value) -> String {
        switch value {
        case .number(let number): formatLiteral(number)
        case .text(let text): text
        case .boolean(let flag): flag ? "true" : "false"
        case .date(let date): date.description
        case .period(let period): period.description
        case .list(let elements): elements.map(written).joined(separator: ", ")
        case .null: ""
        }
    }

    /// The number in text as offices write it, read by the CSV reader's own rules (SPEC §4):
    /// `1 234,56`, `1.234,56`, `1,234.56`, `12%`, `$530`, `¥1,200` (1200) and `1,200 ₽` (1.2).
    static func number(in text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return FieldParser.number(ByteBuffer(base: base, count: buffer.count), 0, buffer.count, mark: .ownText)
        }
    }

    private static func map(_ name: String, _ summary: String, _ type: KipiType, _ transform: @escaping @Sendable (String) -> Value)
        -> FunctionDefinition
    {
        FunctionDefinition(
            name, [Parameter("text", .text)], returns: .exactly(type), summary: summary,
            implementation: .columnar { arguments, count in
                Column.mapCells(arguments[0], count: count, type: type, read: \.texts.strings, transform)
            })
    }
}

extension Text {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "lower": SQLForm { call in SQLValue("lower(\(call.arguments[0].value))") },
        "upper": SQLForm { call in SQLValue("upper(\(call.arguments[0].value))") },
        "len": SQLForm { call in SQLValue("CAST(length(\(call.arguments[0].value)) AS \(call.dialect.doubleType))") },
        "contains": SQLForm { call in
            SQLValue("(\(call.dialect.position(of: call.arguments[1].value, in: call.arguments[0].value)) > 0 OR \(call.arguments[1].value) = '')")
        },
        "trim": SQLForm { call in
            let dialect = call.dialect
            let spaced = dialect.replacingAll(call.arguments[0].value, "[ \u{00A0}\t]+", with: " ")
            return SQLValue("trim(\(spaced))")
        },
        "number": SQLForm { call in
            let dialect = call.dialect
            let text = call.arguments[0].value
            var cleaned = dialect.replacingAll(text, "[\\s\u{00A0}\u{202F}]", with: "")
            cleaned = dialect.replacingAll(cleaned, "^[$€£¥₽]|[$€£¥₽]$|^руб\\.?|руб\\.?$|^р\\.|р\\.$", with: "")
            // Each step reads the one before several times: each is computed once.
            func parsed(_ use: (_ valid: String, _ number: String) -> String) -> String {
                call.once([cleaned], as: "c") { cleaned in
                    let percent = "(substr(\(cleaned[0]), length(\(cleaned[0])), 1) = '%')"
                    let bare = "(CASE WHEN \(percent) THEN substr(\(cleaned[0]), 1, length(\(cleaned[0])) - 1) ELSE \(cleaned[0]) END)"
                    return call.once([percent, bare], as: "b") { stripped in
                        let (percent, bare) = (stripped[0], stripped[1])
                        let commas = "(length(\(bare)) - length(replace(\(bare), ',', '')))"
                        let decimal = "(CASE WHEN \(dialect.position(of: "'.'", in: bare)) = 0 AND \(commas) = 1 THEN replace(\(bare), ',', '.') ELSE replace(\(bare), ',', '') END)"
                        return call.once([decimal], as: "d") { decimal in
                            let valid = dialect.matches(decimal[0], "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")
                            return use(valid, "CAST(\(decimal[0]) AS \(dialect.doubleType)) * (CASE WHEN \(percent) THEN 0.01E0 ELSE 1E0 END)")
                        }
                    }
                }
            }
            return SQLValue(
                parsed { valid, number in "(CASE WHEN \(valid) THEN \(number) END)" },
                failure: parsed { valid, _ in call.failure(where: "\(text) IS NOT NULL AND NOT \(valid)", "'{}' is not a number", texts: [text]) })
        },
        "text": SQLForm { call in
            SQLValue("CASE WHEN \(call.arguments[0].value) IS NULL THEN NULL ELSE \(call.dialect.written(call.arguments[0].value, type: call.argumentTypes[0])) END")
        },
    ]
}

extension Value {
    /// A value written as a parameter's type: `60`, `12,5`, `15%`, `true`, `2024-03-31`, `2024-03`, text.
    public init?(parsing text: String, as type: KipiType) {
        switch type {
        case .number: guard let number = Text.number(in: text) else { return nil }; self = .number(number)
        case .text: self = .text(text)
        case .boolean:
            switch text.lowercased() {
            case "true": self = .boolean(true)
            case "false": self = .boolean(false)
            default: return nil
            }
        case .date: guard let date = KipiDate(parsing: text) else { return nil }; self = .date(date)
        case .period(let grain): guard let period = Period(parsing: text, as: grain) else { return nil }; self = .period(period)
        case .null, .list, .unknown: return nil
        }
    }
}
