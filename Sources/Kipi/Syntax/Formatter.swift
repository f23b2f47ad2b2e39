/// Writes a `.kpi` file in one canonical layout (`kipi fmt`, SPEC v3): one space around binary
/// operators, `=`, `by`, `as` and `where`, none inside brackets or before `(` of a call, `%` or
/// `,`; two spaces before a level written on the formula's line and before a comment that ends a
/// line; continuation lines indented four spaces per open bracket (at least four); one blank line at most between
/// declarations. Line breaks, comments and descriptions stay where they are, and every token
/// keeps its text (`1_000_000`, `15%`, `"won"`), so formatting twice changes nothing.
enum Formatter {
    /// The formatted text, or the syntax errors that keep the file from being formatted.
    static func format(_ source: SourceText) -> Result<String, DiagnosticList> {
        let (tree, diagnostics) = Parser.parseFile(source)
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics)) }
        let tokens = Lexer.tokenize(source).tokens.filter { $0.kind != .newline && $0.kind != .endOfFile }
        // The first line of each declaration: other lines with code continue one.
        let declarationLines = Set(tree.declarations.map { source.lineIndex(of: $0.range.start) })
        let levelStarts = Set(tree.declarations.flatMap { $0.thresholds.map(\.range.start) })
        var byLine: [Int: [Int]] = [:]
        for (position, token) in tokens.enumerated() { byLine[source.lineIndex(of: token.range.start), default: []].append(position) }
        var lines: [String] = []
        var depth = 0
        for line in 0..<source.lineStarts.count {
            let text = source.line(at: line)
            let positions = byLine[line] ?? []
            guard let first = positions.first, let last = positions.last else {
                // A blank or comment line keeps its text, indented as the code line below it when that continues a declaration.
                let trimmed = text.drop { $0 == " " || $0 == "\t" }
                let next = (line + 1..<source.lineStarts.count).first { byLine[$0] != nil }
                let continuing = next.map { !declarationLines.contains($0) } ?? false
                lines.append(trimmed.isEmpty ? "" : indent(continuing ? max(1, depth) : depth) + trimmed.trimmingTrailingSpaces())
                continue
            }
            let continues = !declarationLines.contains(line)
            // A level per open bracket, at least one for a continuation; a closing bracket leads back.
            var written = continues ? indent(closes(tokens[first]) ? depth - 1 : max(1, depth)) : ""
            for position in positions {
                let token = tokens[position]
                if position != first {
                    // A level's word is no operand: a `-` after it negates.
                    let before = position >= 2 && !levelStarts.contains(tokens[position - 2].range.start) ? tokens[position - 2] : nil
                    written += levelStarts.contains(token.range.start) ? "  " : spacing(tokens[position - 1], token, before: before)
                }
                written += source.text(of: token.range)
                switch token.kind {
                case .symbol(.leftParen), .symbol(.leftBracket): depth += 1
                case .symbol(.rightParen), .symbol(.rightBracket): depth = max(0, depth - 1)
                default: break
                }
            }
            if let comment = trailingComment(text, after: tokens[last].range.end - source.lineStarts[line]) { written += "  " + comment }
            lines.append(written)
        }
        // At most one blank line in a row, none at the start or the end.
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) { result.append(line) }
        while result.last?.isEmpty == true { result.removeLast() }
        return .success(result.joined(separator: "\n") + "\n")
    }

    private static func indent(_ levels: Int) -> String { String(repeating: "    ", count: max(0, levels)) }

    private static func closes(_ token: Token) -> Bool {
        token.kind == .symbol(.rightParen) || token.kind == .symbol(.rightBracket)
    }

    /// The comment after the code of a line (`# …`), if any; `codeEnd` is the byte offset in the line where the code ends.
    private static func trailingComment(_ line: Substring, after codeEnd: Int?) -> String? {
        guard let codeEnd else { return nil }
        let bytes = Array(line.utf8)
        guard codeEnd < bytes.count, let hash = bytes[codeEnd...].firstIndex(of: UInt8(ascii: "#")) else { return nil }
        return String(decoding: bytes[hash...], as: UTF8.self).trimmingTrailingSpaces()
    }

    /// The space between two tokens of a line, by what they are; `before` is the token before `previous`.
    private static func spacing(_ previous: Token, _ token: Token, before: Token?) -> String {
        let negation = previous.kind == .symbol(.minus) && !(before.map(endsOperand) ?? false)
        switch previous.kind {
        case .symbol(.leftParen), .symbol(.leftBracket), .symbol(.dot): return ""
        case _ where negation: return ""
        default: break
        }
        switch token.kind {
        case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.comma), .symbol(.percent), .symbol(.dot):
            return ""
        case .symbol(.leftParen):
            // A call: the function's name, then its arguments.
            if case .identifier(let name) = previous.kind, name != "as", name != "data", ThresholdLevel(rawValue: name) == nil { return "" }
            return " "
        default:
            return " "
        }
    }

    /// Whether a token ends an operand, so that a `-` after it subtracts.
    private static func endsOperand(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .quotedIdentifier, .number, .string, .keyword(.true), .keyword(.false), .keyword(.null),
            .symbol(.rightParen), .symbol(.rightBracket), .symbol(.percent):
            true
        default:
            false
        }
    }
}

extension StringProtocol {
    /// The text without the spaces and tabs it ends with.
    func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
