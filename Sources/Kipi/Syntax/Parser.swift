/// Builds the syntax tree from tokens: one method per grammar rule, named as in `Grammar.md`.
///
/// On a syntax error the parser records a diagnostic, skips to the end of the line and goes
/// on, so one run reports every broken definition of a file.
struct Parser {
    /// Expressions nested deeper than this are refused rather than risking the stack.
    static let maximumDepth = 128

    /// How deep this parse lets expressions nest, and how long a list may be.
    private let depthLimit: Int
    private let listLimit: Int

    private let source: SourceText
    private let tokens: [Token]
    private let lineComments: [Int: String]
    private var index = 0
    private var depth = 0
    private var incompleteNames: Set<String> = []
    /// For a chain of binary operators, by the offset where it starts: how many operators long it is.
    private var chainHeights: [Int: Int] = [:]
    private var diagnostics: [Diagnostic]

    struct SyntaxError: Error {
        var diagnostic: Diagnostic
    }

    private init(source: SourceText, lexed: Lexer.Output, limits: Limits) {
        self.depthLimit = max(1, min(limits.nesting, Parser.maximumDepth))
        self.listLimit = limits.listLength
        self.source = source
        self.tokens = lexed.tokens
        self.lineComments = lexed.lineComments
        self.diagnostics = lexed.diagnostics
    }

    /// Parses a whole `.kpi` file.
    static func parseFile(_ source: SourceText, limits: Limits = .standard) -> (SyntaxTree, [Diagnostic]) {
        var parser = Parser(source: source, lexed: Lexer.tokenize(source), limits: limits)
        let declarations = parser.parseDeclarations()
        let tree = SyntaxTree(source: source, declarations: declarations, incompleteNames: parser.incompleteNames)
        return (tree, parser.diagnostics)
    }

    /// Parses text that must be one expression, optionally followed by `by keys` and `as format`
    /// (as `kipi eval -e` takes), as a KPI named `name`.
    static func parseExpression(_ source: SourceText, name: String, limits: Limits = .standard) -> (SyntaxTree, [Diagnostic]) {
        var parser = Parser(source: source, lexed: Lexer.tokenize(source), limits: limits)
        var tree = SyntaxTree(source: source, declarations: [])
        guard parser.diagnostics.isEmpty else { return (tree, parser.diagnostics) }
        do {
            parser.skipNewlines()
            let expression = try parser.parseExpression()
            let keys = try parser.parseKeys()
            let display = try parser.parseDisplay()
            let thresholds = try parser.parseThresholds()
            parser.skipNewlines()
            try parser.expectEnd()
            let declaration = Declaration(
                kind: .kpi(name: name, value: expression, keys: keys), range: expression.range, nameRange: expression.range,
                documentation: "", display: display, thresholds: thresholds)
            tree.declarations = [declaration]
            return (tree, parser.diagnostics)
        } catch {
            return (tree, parser.diagnostics + [error.diagnostic])
        }
    }

    // MARK: Declarations

    private mutating func parseDeclarations() -> [Declaration] {
        var declarations: [Declaration] = []
        skipNewlines()
        while !check(.endOfFile) {
            let start = index
            do {
                declarations.append(try parseDeclaration())
                try expectEndOfLine()
            } catch {
                diagnostics.append(error.diagnostic)
                if let name = declaredName(at: start) { incompleteNames.insert(name) }
                synchronize()
            }
            skipNewlines()
        }
        return declarations
    }

    /// The name a declaration starting at token `position` defines, if it got that far.
    private func declaredName(at position: Int) -> String? {
        var nameIndex = position
        switch tokens[position].kind {
        case .keyword(.let), .keyword(.param), .keyword(.fn): nameIndex += 1
        default: break
        }
        switch tokens[nameIndex].kind {
        case .identifier(let name), .quotedIdentifier(let name): return name
        default: return nil
        }
    }

    private mutating func parseDeclaration() throws(SyntaxError) -> Declaration {
        let start = current.range
        let description = descriptionAbove(start.start)
        if match(.keyword(.import)) {
            guard case .string(let path) = current.kind else { throw error(SyntaxMessages.importNeedsPath) }
            let pathRange = advance().range
            return Declaration(kind: .import(path: path), range: start.union(pathRange), nameRange: pathRange, documentation: description)
        }
        if match(.keyword(.where)) {
            let predicate = try parseExpression()
            return Declaration(kind: .filter(predicate), range: start.union(predicate.range), nameRange: start, documentation: description)
        }
        if match(.keyword(.param)) {
            let (name, nameRange) = try parseName(what: "a parameter name")
            try expect(.symbol(.assign), "'=' after the parameter name")
            let value = try parseExpression()
            return Declaration(
                kind: .parameter(name: name, defaultValue: value), range: start.union(value.range), nameRange: nameRange, documentation: description)
        }
        if match(.keyword(.let)) {
            var (name, nameRange) = try parseName(what: "a name after 'let'")
            if match(.symbol(.dot)) {
                // `let spend.month = …`: a column of table `spend`, computed row by row.
                let (column, columnRange) = try parseName(what: "a column name after '\(name).'")
                (name, nameRange) = ("\(name).\(column)", nameRange.union(columnRange))
            }
            try expect(.symbol(.assign), "'=' after the name")
            let value = try parseExpression()
            let keys = try parseKeys()
            let display = try parseDisplay()
            let end = display != nil ? tokens[index - 1].range : keys.last?.range ?? value.range
            return Declaration(
                kind: .helper(name: name, value: value, keys: keys), range: start.union(end), nameRange: nameRange, documentation: description,
                display: display)
        }
        if match(.keyword(.fn)) {
            return try parseFunction(start: start, description: description)
        }
        if let declaration = try parseDataSource(start: start, description: description) { return declaration }
        let (name, nameRange) = try parseName(what: "a definition (name = expression), 'let', 'param', 'fn' or 'import'")
        guard match(.symbol(.assign)) else {
            throw error(SyntaxMessages.expectedAssignment(after: name))
        }
        let value = try parseExpression()
        let keys = try parseKeys()
        let display = try parseDisplay()
        let thresholds = try parseThresholds()
        let end = thresholds.last?.range ?? (display != nil ? tokens[index - 1].range : keys.last?.range ?? value.range)
        return Declaration(
            kind: .kpi(name: name, value: value, keys: keys), range: start.union(end), nameRange: nameRange, documentation: description,
            display: display, thresholds: thresholds)
    }

    /// `critical e`, `norm [<=|>=] e`, `target e` after a KPI, on its line or on the lines below
    /// that start with one of those words (SPEC v3). The words are keywords only here.
    private mutating func parseThresholds() throws(SyntaxError) -> [ThresholdClause] {
        var clauses: [ThresholdClause] = []
        while true {
            var next = index
            while tokens[next].kind == .newline { next += 1 }
            guard case .identifier(let word) = tokens[next].kind, let level = ThresholdLevel(rawValue: word),
                !Parser.startsDefinition(tokens, at: next)
            else {
                if !clauses.isEmpty, check(.keyword(.by)) || check(.identifier("as")) { throw error(SyntaxMessages.levelsComeLast(current.kind)) }
                return clauses
            }
            index = next
            let start = advance().range
            var sign: BinaryOperator?
            if check(.symbol(.lessOrEqual)) || check(.symbol(.greaterOrEqual)) {
                sign = check(.symbol(.lessOrEqual)) ? .lessOrEqual : .greaterOrEqual
                advance()
            }
            let expression = try parseExpression()
            clauses.append(ThresholdClause(level: level, sign: sign, expression: expression, range: start.union(expression.range)))
        }
    }

    /// `data "path" options…` or `data NAME = "path" options…`; nil (nothing consumed) when the
    /// line is not one, such as a KPI named `data`. `data` is a keyword only here.
    private mutating func parseDataSource(start: SourceRange, description: String) throws(SyntaxError) -> Declaration? {
        guard case .identifier("data") = current.kind else { return nil }
        var table = ""
        var nameRange = start
        switch (tokens[index + 1].kind, tokens[min(index + 2, tokens.count - 1)].kind, tokens[min(index + 3, tokens.count - 1)].kind) {
        case (.string, _, _):
            advance()
        case (.identifier(let name), .symbol(.assign), .string), (.quotedIdentifier(let name), .symbol(.assign), .string):
            advance()
            table = name
            nameRange = advance().range
            advance()
        default:
            return nil
        }
        guard case .string(let path) = current.kind else { throw error(SyntaxMessages.expected("the data file's path in quotes", found: current.kind)) }
        let pathRange = advance().range
        var options: [DataOptionClause] = []
        while case .identifier(let name) = current.kind {
            let nameToken = advance()
            var value: Expression?
            switch current.kind {
            case .string(let text):
                value = Expression(.string(text), range: current.range)
                advance()
            case .number(let number):
                value = Expression(.number(number), range: current.range)
                advance()
            case .symbol(.minus):
                if case .number(let number) = tokens[index + 1].kind {
                    value = Expression(.number(-number), range: current.range.union(tokens[index + 1].range))
                    advance()
                    advance()
                }
            default:
                break
            }
            options.append(DataOptionClause(name: name, value: value, range: nameToken.range.union(value?.range ?? nameToken.range)))
        }
        return Declaration(
            kind: .data(table: table, path: path, options: options), range: start.union(options.last?.range ?? pathRange),
            nameRange: table.isEmpty ? pathRange : nameRange, documentation: description)
    }

    private mutating func parseFunction(start: SourceRange, description: String) throws(SyntaxError) -> Declaration {
        let (name, nameRange) = try parseName(what: "a function name after 'fn'")
        try expect(.symbol(.leftParen), "'(' after the function name")
        var parameters: [String] = []
        if !check(.symbol(.rightParen)) {
            repeat {
                let (parameter, parameterRange) = try parseName(what: "a parameter name")
                if parameters.contains(parameter) {
                    throw SyntaxError(
                        diagnostic: Diagnostic(message: SyntaxMessages.duplicateParameter(parameter), range: parameterRange, source: source))
                }
                parameters.append(parameter)
            } while match(.symbol(.comma))
        }
        try expect(.symbol(.rightParen), "')' after the parameters")
        try expect(.symbol(.assign), "'=' before the function body")
        let body = try parseExpression()
        return Declaration(
            kind: .function(name: name, parameters: parameters, body: body), range: start.union(body.range), nameRange: nameRange,
            documentation: description)
    }

    /// `by key, key…` at the end of a KPI or `let`; empty if there is none.
    private mutating func parseKeys() throws(SyntaxError) -> [KeyClause] {
        guard match(.keyword(.by)) else { return [] }
        skipNewlines()
        var keys = [try parseKey()]
        while match(.symbol(.comma)) {
            skipNewlines()
            keys.append(try parseKey())
        }
        return keys
    }

    /// `expression` or `name = expression`.
    private mutating func parseKey() throws(SyntaxError) -> KeyClause {
        if case .identifier(let name) = current.kind, tokens[index + 1].kind == .symbol(.assign) {
            advance()
            advance()
            return KeyClause(name: name, expression: try parseExpression())
        }
        if case .quotedIdentifier(let name) = current.kind, tokens[index + 1].kind == .symbol(.assign) {
            advance()
            advance()
            return KeyClause(name: name, expression: try parseExpression())
        }
        return KeyClause(expression: try parseExpression())
    }

    /// `as percent`, `as number`, `as integer`, optionally with decimals: `as percent(1)`.
    /// `as` is a keyword only here, so a column may still be named `as`.
    private mutating func parseDisplay() throws(SyntaxError) -> DisplayFormat? {
        guard case .identifier("as") = current.kind else { return nil }
        advance()
        guard case .identifier(let style) = current.kind, ["percent", "number", "integer"].contains(style) else {
            throw error(SyntaxMessages.expected("percent, number or integer after 'as'", found: current.kind))
        }
        advance()
        var decimals: Int?
        if match(.symbol(.leftParen)) {
            guard case .number(let value) = current.kind, value == value.rounded(), (0...15).contains(value) else {
                throw error(SyntaxMessages.expected("a number of decimals from 0 to 15", found: current.kind))
            }
            advance()
            decimals = Int(value)
            try expect(.symbol(.rightParen), "')' after the decimals")
        }
        switch style {
        case "percent": return DisplayFormat(style: .percent, decimals: decimals)
        case "integer": return DisplayFormat(style: .number, decimals: 0)
        default: return DisplayFormat(style: .number, decimals: decimals)
        }
    }

    private mutating func parseName(what: String) throws(SyntaxError) -> (String, SourceRange) {
        switch current.kind {
        case .identifier(let name), .quotedIdentifier(let name):
            return (name, advance().range)
        default:
            throw error(SyntaxMessages.expectedName(what, found: current.kind))
        }
    }

    /// The comment lines directly above the line holding `offset`.
    private func descriptionAbove(_ offset: Int) -> String {
        var line = source.lineIndex(of: offset) - 1
        var lines: [String] = []
        while line >= 0, let comment = lineComments[line] {
            lines.append(comment)
            line -= 1
        }
        return lines.reversed().joined(separator: "\n")
    }

    // MARK: Expressions, loosest first

    mutating func parseExpression() throws(SyntaxError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > depthLimit {
            throw error(SyntaxMessages.nestedTooDeeply(depthLimit))
        }
        return try parseOr()
    }

    private mutating func parseOr() throws(SyntaxError) -> Expression {
        var left = try parseAnd()
        while match(.keyword(.or)) {
            left = try binary(.or, left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(SyntaxError) -> Expression {
        var left = try parseNot()
        while match(.keyword(.and)) {
            left = try binary(.and, left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(SyntaxError) -> Expression {
        let start = current.range
        if match(.keyword(.not)) {
            let operand = try nested { (parser: inout Parser) throws(SyntaxError) in try parser.parseNot() }
            return Expression(.unary(.not, operand), range: start.union(operand.range))
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(SyntaxError) -> Expression {
        let left = try parseConcatenation()
        if check(.symbol(.assign)) { throw error(SyntaxMessages.assignmentAsComparison) }
        guard let op = comparisonOperator() else { return left }
        advance()
        continueLine()
        let result = try binary(op, left, try parseConcatenation())
        if check(.symbol(.assign)) { throw error(SyntaxMessages.assignmentAsComparison) }
        if comparisonOperator() != nil {
            throw error(SyntaxMessages.comparisonsDoNotChain)
        }
        return result
    }

    private func comparisonOperator() -> BinaryOperator? {
        switch current.kind {
        case .symbol(.equal): .equal
        case .symbol(.notEqual): .notEqual
        case .symbol(.less): .less
        case .symbol(.lessOrEqual): .lessOrEqual
        case .symbol(.greater): .greater
        case .symbol(.greaterOrEqual): .greaterOrEqual
        case .keyword(.in): .in
        default: nil
        }
    }

    /// `a & b`: text joined, looser than arithmetic and tighter than comparison, as in Excel.
    private mutating func parseConcatenation() throws(SyntaxError) -> Expression {
        var left = try parseAdditive()
        while match(.symbol(.ampersand)) {
            left = try binary(.concatenate, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws(SyntaxError) -> Expression {
        var left = try parseMultiplicative()
        while true {
            if match(.symbol(.plus)) {
                left = try binary(.add, left, try parseMultiplicative())
            } else if match(.symbol(.minus)) {
                left = try binary(.subtract, left, try parseMultiplicative())
            } else {
                return left
            }
        }
    }

    private mutating func parseMultiplicative() throws(SyntaxError) -> Expression {
        var left = try parseUnary()
        while true {
            if match(.symbol(.star)) {
                left = try binary(.multiply, left, try parseUnary())
            } else if match(.symbol(.slash)) {
                left = try binary(.divide, left, try parseUnary())
            } else {
                return left
            }
        }
    }

    private mutating func parseUnary() throws(SyntaxError) -> Expression {
        let start = current.range
        if match(.symbol(.minus)) {
            let operand = try nested { (parser: inout Parser) throws(SyntaxError) in try parser.parseUnary() }
            return Expression(.unary(.negate, operand), range: start.union(operand.range))
        }
        return try parsePower()
    }

    /// `^` is right-associative and binds tighter than unary minus: `-2^2` is -4, `2^-1` is 0.5.
    private mutating func parsePower() throws(SyntaxError) -> Expression {
        let base = try parsePostfix()
        guard match(.symbol(.caret)) else { return base }
        let exponent = try nested { (parser: inout Parser) throws(SyntaxError) in try parser.parseUnary() }
        return Expression(.binary(.power, base, exponent), range: base.range.union(exponent.range))
    }

    private mutating func parsePostfix() throws(SyntaxError) -> Expression {
        var operand = try parsePrimary()
        while check(.symbol(.percent)) {
            let percentRange = advance().range
            operand = Expression(.percent(operand), range: operand.range.union(percentRange))
            switch current.kind {
            // The words that may follow a definition's value: `10% as percent`, `critical 25% norm 15%`.
            case .identifier(let word) where word == "as" || ThresholdLevel(rawValue: word) != nil:
                break
            case .number, .identifier, .quotedIdentifier, .symbol(.leftParen):
                throw SyntaxError(diagnostic: Diagnostic(message: SyntaxMessages.percentAsModulo, range: percentRange, source: source))
            default: break
            }
        }
        return operand
    }

    private mutating func parsePrimary() throws(SyntaxError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            index += 1
            return Expression(.number(value), range: token.range)
        case .string(let text):
            index += 1
            return Expression(.string(text), range: token.range)
        case .keyword(.true), .keyword(.false):
            index += 1
            return Expression(.boolean(token.kind == .keyword(.true)), range: token.range)
        case .keyword(.null):
            index += 1
            return Expression(.null, range: token.range)
        case .symbol(.leftParen):
            index += 1
            var inner = try parseExpression()
            let close = try expect(.symbol(.rightParen), "')' to close '('")
            inner.range = token.range.union(close)
            return inner
        case .symbol(.leftBracket):
            index += 1
            return try parseList(start: token.range)
        case .identifier(let name):
            index += 1
            if check(.symbol(.leftParen)) {
                return try parseCall(name: name, nameRange: token.range)
            }
            if let qualified = try parseQualifiedName(table: name, tableRange: token.range) { return qualified }
            return Expression(.name(name, quoted: false), range: token.range)
        case .quotedIdentifier(let name):
            index += 1
            if let qualified = try parseQualifiedName(table: name, tableRange: token.range) { return qualified }
            return Expression(.name(name, quoted: true), range: token.range)
        case .symbol(.assign):
            throw error(SyntaxMessages.leadingEquals)
        default:
            throw error(SyntaxMessages.expected("an expression", found: token.kind))
        }
    }

    /// `.column` after a table's name: `plans.target`, ``plans.`plan, USD` ``.
    private mutating func parseQualifiedName(table: String, tableRange: SourceRange) throws(SyntaxError) -> Expression? {
        guard check(.symbol(.dot)) else { return nil }
        index += 1
        switch current.kind {
        case .identifier(let column), .quotedIdentifier(let column):
            let columnRange = advance().range
            if check(.symbol(.leftParen)) {
                // A dotted function name, as Excel's PERCENTRANK.INC.
                return try parseCall(name: "\(table).\(column)", nameRange: tableRange.union(columnRange))
            }
            return Expression(.qualifiedName(table: table, column: column), range: tableRange.union(columnRange))
        default:
            throw error(SyntaxMessages.expected("a column name after '\(table).'", found: current.kind))
        }
    }

    private mutating func parseList(start: SourceRange) throws(SyntaxError) -> Expression {
        var elements: [Expression] = []
        while !check(.symbol(.rightBracket)) {
            elements.append(try parseExpression())
            if elements.count > listLimit {
                throw SyntaxError(diagnostic: Diagnostic(message: SyntaxMessages.listTooLong(listLimit), range: start, source: source))
            }
            guard match(.symbol(.comma)) else { break }
        }
        let close = try expect(.symbol(.rightBracket), "',' or ']' in the list")
        return Expression(.list(elements), range: start.union(close))
    }

    /// `name(arguments [where filter])`; `count(where filter)` has no arguments.
    private mutating func parseCall(name: String, nameRange: SourceRange) throws(SyntaxError) -> Expression {
        index += 1  // (
        var arguments: [Expression] = []
        var filter: Expression?
        while !check(.symbol(.rightParen)) {
            if match(.keyword(.where)) {
                let condition = try parseExpression()
                filter = condition
                // `percentile(amount where won, 0.9)`: the filter ends the arguments.
                if check(.symbol(.comma)) {
                    let misplaced = current.range
                    var rest: [Expression] = []
                    while match(.symbol(.comma)), let argument = try? parseExpression() { rest.append(argument) }
                    let written = (arguments + rest).map { source.text(of: $0.range) }.joined(separator: ", ")
                    let fixed = "\(source.text(of: nameRange))(\(written) where \(source.text(of: condition.range)))"
                    throw SyntaxError(diagnostic: Diagnostic(message: SyntaxMessages.filterNotLast(fixed), range: misplaced, source: source))
                }
                break
            }
            arguments.append(try parseExpression())
            if check(.keyword(.where)) { continue }
            guard match(.symbol(.comma)) else { break }
        }
        let close = try expect(.symbol(.rightParen), "',', 'where' or ')' in the call to '\(name)'")
        return Expression(.call(name: name, nameRange: nameRange, arguments: arguments, filter: filter), range: nameRange.union(close))
    }

    // MARK: Helpers

    /// Builds a binary node; a left operand that is itself a long chain counts toward the depth limit.
    private mutating func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression) throws(SyntaxError) -> Expression {
        let height = (chainHeights[left.range.start] ?? 0) + 1
        if depth + height > depthLimit {
            throw error(SyntaxMessages.nestedTooDeeply(depthLimit))
        }
        chainHeights[left.range.start] = height
        return Expression(.binary(op, left, right), range: left.range.union(right.range))
    }

    /// Runs a rule one level deeper, so unary chains count toward the depth limit.
    private mutating func nested(_ rule: (inout Parser) throws(SyntaxError) -> Expression) throws(SyntaxError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > depthLimit {
            throw error(SyntaxMessages.nestedTooDeeply(depthLimit))
        }
        return try rule(&self)
    }

    private var current: Token { tokens[index] }

    private func check(_ kind: Token.Kind) -> Bool { current.kind == kind }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// Consumes the token if it is `kind`. After a binary operator or a comma the
    /// expression may continue on the next line, so line breaks after one are skipped.
    private mutating func match(_ kind: Token.Kind) -> Bool {
        guard check(kind) else { return false }
        advance()
        if continuesOnNextLine(kind) { continueLine() }
        return true
    }

    private func continuesOnNextLine(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .symbol(.plus), .symbol(.minus), .symbol(.star), .symbol(.slash), .symbol(.caret), .symbol(.assign),
            .symbol(.equal), .symbol(.notEqual), .symbol(.less), .symbol(.lessOrEqual), .symbol(.greater),
            .symbol(.greaterOrEqual), .symbol(.ampersand), .keyword(.and), .keyword(.or), .keyword(.not), .keyword(.in):
            true
        default:
            false
        }
    }

    @discardableResult
    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(SyntaxError) -> SourceRange {
        guard check(kind) else { throw error(spacedNameHint() ?? SyntaxMessages.expected(what, found: current.kind)) }
        return advance().range
    }

    /// Two names in a row, as a column name with a space written bare (`sum(Сумма сделки)`):
    /// the hint to write it in backticks.
    private func spacedNameHint() -> String? {
        guard index > 0, case .identifier = current.kind, case .identifier = tokens[index - 1].kind else { return nil }
        var first = index - 1
        while first > 0, case .identifier = tokens[first - 1].kind { first -= 1 }
        var last = index
        while last + 1 < tokens.count, case .identifier = tokens[last + 1].kind { last += 1 }
        let text = source.text(of: tokens[first].range.union(tokens[last].range))
        guard !text.contains("\n") else { return nil }
        return SyntaxMessages.spacedName(text)
    }

    private mutating func expectEndOfLine() throws(SyntaxError) {
        if check(.newline) || check(.endOfFile) { return }
        if let hint = decimalCommaHint() ?? spacedNameHint() { throw error(hint) }
        if check(.symbol(.rightParen)) || check(.symbol(.rightBracket)) {
            throw error(SyntaxMessages.unmatched(current.kind))
        }
        throw error(SyntaxMessages.expectedEndOfLine(found: current.kind))
    }

    /// `0,5` where one number is expected: the Russian and German decimal comma.
    private func decimalCommaHint() -> String? {
        guard check(.symbol(.comma)), index > 0, index + 1 < tokens.count,
            case .number = tokens[index - 1].kind, case .number = tokens[index + 1].kind,
            tokens[index - 1].range.end == current.range.start, current.range.end == tokens[index + 1].range.start
        else { return nil }
        return SyntaxMessages.decimalComma(source.text(of: tokens[index - 1].range), source.text(of: tokens[index + 1].range))
    }

    private mutating func expectEnd() throws(SyntaxError) {
        if let hint = decimalCommaHint() { throw error(hint) }
        guard check(.endOfFile) else { throw error(SyntaxMessages.unexpectedAfterExpression(current.kind)) }
    }

    private mutating func skipNewlines() {
        while check(.newline) { index += 1 }
    }

    /// Skips line breaks where an expression continues, unless the next line starts a new
    /// definition: then the expression is incomplete, and the definition below is intact.
    private mutating func continueLine() {
        var next = index
        while tokens[next].kind == .newline { next += 1 }
        if next > index, tokens[next].kind == .endOfFile || Parser.startsDefinition(tokens, at: next) { return }
        index = next
    }

    /// Whether the tokens at `position` begin a declaration: a declaration keyword, or a name and `=`.
    static func startsDefinition(_ tokens: [Token], at position: Int) -> Bool {
        switch tokens[position].kind {
        case .keyword(.let), .keyword(.param), .keyword(.fn), .keyword(.import):
            return true
        case .identifier("data") where position + 1 < tokens.count:
            if case .string = tokens[position + 1].kind { return true }
            return tokens[position + 1].kind == .symbol(.assign) || position + 3 < tokens.count && tokens[position + 2].kind == .symbol(.assign)
        case .identifier, .quotedIdentifier:
            return position + 1 < tokens.count && tokens[position + 1].kind == .symbol(.assign)
        default:
            return false
        }
    }

    /// Skips to the start of the next line, where the next definition may begin.
    private mutating func synchronize() {
        while !check(.newline) && !check(.endOfFile) { index += 1 }
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(diagnostic: Diagnostic(message: message, range: current.range, source: source))
    }
}
