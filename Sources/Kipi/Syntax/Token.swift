/// One lexical unit of formula text.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        /// A backtick-quoted name such as `` `Средний чек` ``; unlike an identifier it is never a keyword.
        case quotedIdentifier(String)
        case number(Double)
        case string(String)
        case keyword(Keyword)
        case symbol(Symbol)
        /// A line break outside brackets: it ends a definition.
        case newline
        case endOfFile
    }

    var kind: Kind
    var range: SourceRange
}

enum Keyword: String, Sendable, CaseIterable {
    case `import`, param, `let`, fn, `where`, by, and, or, not, `in`, `true`, `false`, null
}

enum Symbol: String, Sendable, CaseIterable {
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
    case comma = ",", assign = "=", dot = "."
    case plus = "+", minus = "-", star = "*", slash = "/", caret = "^", percent = "%", ampersand = "&"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

extension Token.Kind: CustomStringConvertible {
    /// How a token is named in a diagnostic.
    var description: String {
        switch self {
        case .identifier(let name): "'\(name)'"
        case .quotedIdentifier(let name): "`\(name)`"
        case .number: "a number"
        case .string: "a string"
        case .keyword(let keyword): "'\(keyword.rawValue)'"
        case .symbol(let symbol): "'\(symbol.rawValue)'"
        case .newline: "end of line"
        case .endOfFile: "end of file"
        }
    }
}
