/// Every message of the lexer and the parser, in one place so the wording stays consistent.
enum SyntaxMessages {
    static let comparisonsDoNotChain = "comparisons do not chain; combine them with 'and'"
    static let emptyQuotedName = "empty quoted name"
    static let importNeedsPath = "expected a file path in quotes after 'import'"
    static func nestedTooDeeply(_ limit: Int) -> String { "expression is nested too deeply (more than \(limit) levels)" }
    static func listTooLong(_ limit: Int) -> String { "the list is too long (more than \(limit) elements)" }
    static let unterminatedQuotedName = "unterminated quoted name: a closing ` is missing"
    static let unterminatedString = "unterminated string"

    static func duplicateParameter(_ name: String) -> String { "duplicate parameter '\(name)'" }
    static func expected(_ what: String, found: Token.Kind) -> String {
        "expected \(what), found \(found)"
    }
    /// Where a name is expected, a keyword gets a hint: names that are keywords are written in backticks.
    static func expectedName(_ what: String, found: Token.Kind) -> String {
        guard case .keyword(let keyword) = found else { return expected(what, found: found) }
        return "expected \(what), found the keyword '\(keyword.rawValue)'; write `\(keyword.rawValue)` in backticks to use it as a name"
    }
    static func expectedAssignment(after name: String) -> String {
        "expected '=' after '\(name)': a KPI is written 'name = expression'"
    }
    static func expectedEndOfLine(found: Token.Kind) -> String {
        "expected end of line after the definition, found \(found)"
    }
    static func invalidNumber(_ text: String) -> String { "invalid number '\(text)'" }
    static func spacedName(_ text: String) -> String {
        "a name with spaces is written in backticks: `\(text)`"
    }
    static func numberTooLarge(_ text: String) -> String { "number '\(text)' is too large" }
    static let assignmentAsComparison = "'=' defines a name; to compare, write '==', as status == \"won\""
    static func decimalComma(_ whole: String, _ fraction: String) -> String {
        "a number is written with a decimal point: \(whole).\(fraction), not \(whole),\(fraction)"
    }
    static let percentAsModulo = "'%' makes a percent (15% is 0.15), not a remainder; a remainder is written x - floor(x / y) * y"
    static func unexpectedAfterExpression(_ found: Token.Kind) -> String { "unexpected \(found) after the expression" }
    static func unexpectedCharacter(_ text: String) -> String {
        switch text {
        case "!": "unexpected character '!'; write 'not' for negation or '!=' for inequality"
        case "|": "unexpected character '|'; write 'or'"
        case ";": "unexpected character ';'; separate a function's arguments with ',', as sum(a, b)"
        case ":": "unexpected character ':'; Kipi has no cell ranges such as A1:A5: name the column, as sum(amount)"
        case "'": "unexpected character \"'\"; strings are written in double quotes"
        case "“", "”", "„", "«", "»": "unexpected character '\(text)'; strings are written in plain double quotes: \"…\""
        case "、", "。": "unexpected character '\(text)'; write ',' between arguments and '.' in numbers"
        default:
            if let ascii = halfWidth(text) {
                "unexpected character '\(text)'; this is the full-width form of '\(ascii)' that a Chinese or Japanese input method types: write '\(ascii)'"
            } else {
                "unexpected character '\(text)'"
            }
        }
    }

    /// The ASCII character a full-width one (`（`, `，`, `＝` …) stands for.
    private static func halfWidth(_ text: String) -> String? {
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, (0xFF01...0xFF5E).contains(scalar.value),
            let ascii = Unicode.Scalar(scalar.value - 0xFEE0)
        else { return nil }
        return String(Character(ascii))
    }
    static let leadingEquals = "a Kipi formula starts without '=': write sum(amount), not =sum(amount) as in an Excel cell"
    static func unknownEscape(_ character: Character) -> String { "unknown escape sequence '\\\(character)'" }
    static func unmatched(_ found: Token.Kind) -> String { "unmatched \(found)" }
    static func levelsComeLast(_ found: Token.Kind) -> String {
        "\(found) comes before the levels: write name = formula by keys as format, then critical, norm and target"
    }
    static func filterNotLast(_ fixed: String) -> String {
        "'where' comes after the last argument: \(fixed)"
    }
}
