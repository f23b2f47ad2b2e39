/// Turns formula text into tokens, collecting whole-line comments (descriptions) on the side.
///
/// Line breaks become `.newline` tokens only outside brackets, so an expression continues
/// while a bracket is open; the parser skips a line break after a binary operator.
struct Lexer {
    struct Output {
        var tokens: [Token]
        /// Text of each comment that stands alone on its line, keyed by 0-based line index.
        var lineComments: [Int: String]
        var diagnostics: [Diagnostic]
    }

    private let source: SourceText
    private let bytes: [UInt8]
    private var position = 0
    private var bracketDepth = 0
    private var output = Output(tokens: [], lineComments: [:], diagnostics: [])

    init(source: SourceText) {
        self.source = source
        self.bytes = source.bytes
    }

    static func tokenize(_ source: SourceText) -> Output {
        var lexer = Lexer(source: source)
        lexer.run()
        return lexer.output
    }

    private mutating func run() {
        while position < bytes.count {
            let start = position
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "\n"):
                position += 1
                // An unclosed bracket must not swallow the definitions below it.
                if bracketDepth > 0, lineStartsDefinition() { bracketDepth = 0 }
                if bracketDepth == 0 { emit(.newline, from: start) }
            case UInt8(ascii: "#"):
                lexComment()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lexNumber()
            case UInt8(ascii: "."):
                if position + 1 < bytes.count, isDigit(bytes[position + 1]) {
                    lexNumber()
                } else {
                    position += 1
                    emit(.symbol(.dot), from: start)
                }
            case UInt8(ascii: "\""):
                lexString()
            case UInt8(ascii: "`"):
                lexQuotedIdentifier()
            default:
                if let symbol = lexSymbol() {
                    emit(.symbol(symbol), from: start)
                } else if isIdentifierStart(at: position) {
                    lexIdentifier()
                } else {
                    lexUnexpectedCharacter()
                }
            }
        }
        emit(.endOfFile, from: bytes.count)
    }

    private mutating func emit(_ kind: Token.Kind, from start: Int) {
        output.tokens.append(Token(kind: kind, range: SourceRange(start: start, end: position)))
    }

    private mutating func report(_ message: String, from start: Int) {
        output.diagnostics.append(
            Diagnostic(message: message, range: SourceRange(start: start, end: position), source: source))
    }

    private mutating func lexComment() {
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
        let line = source.lineIndex(of: start)
        let lineStart = source.lineStarts[line]
        let onlyBlanksBefore = bytes[lineStart..<start].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        if onlyBlanksBefore {
            let text = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
            output.lineComments[line] = text.trimmingWhitespace()
        }
    }

    private mutating func lexNumber() {
        let start = position
        var digits: [UInt8] = []
        func takeDigits(_ lexer: inout Lexer) {
            while lexer.position < lexer.bytes.count {
                let byte = lexer.bytes[lexer.position]
                if lexer.isDigit(byte) {
                    digits.append(byte)
                } else if byte == UInt8(ascii: "_"), lexer.position + 1 < lexer.bytes.count,
                    lexer.isDigit(lexer.bytes[lexer.position + 1]), !digits.isEmpty
                {
                    // A digit separator, as in 1_000_000.
                } else {
                    break
                }
                lexer.position += 1
            }
        }
        takeDigits(&self)
        if position < bytes.count, bytes[position] == UInt8(ascii: "."),
            position + 1 < bytes.count, isDigit(bytes[position + 1])
        {
            digits.append(UInt8(ascii: "."))
            position += 1
            takeDigits(&self)
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            var lookahead = position + 1
            if lookahead < bytes.count, bytes[lookahead] == UInt8(ascii: "+") || bytes[lookahead] == UInt8(ascii: "-") {
                lookahead += 1
            }
            if lookahead < bytes.count, isDigit(bytes[lookahead]) {
                digits.append(contentsOf: bytes[position..<lookahead])
                position = lookahead
                takeDigits(&self)
            }
        }
        if position < bytes.count, isIdentifierStart(at: position) {
            while position < bytes.count, isIdentifierContinue(at: position) { advanceCharacter() }
            report(SyntaxMessages.invalidNumber(source.text(of: SourceRange(start: start, end: position))), from: start)
            return
        }
        let text = String(decoding: digits, as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            report(SyntaxMessages.numberTooLarge(text), from: start)
            return
        }
        emit(.number(value), from: start)
    }

    private mutating func lexString() {
        let start = position
        position += 1
        var scalars: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                emit(.string(String(decoding: scalars, as: UTF8.self)), from: start)
                return
            }
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: "\\"), position + 1 < bytes.count {
                let escaped = bytes[position + 1]
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): scalars.append(escaped)
                case UInt8(ascii: "n"): scalars.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): scalars.append(UInt8(ascii: "\t"))
                default:
                    let escapeStart = position
                    position += 2
                    report(SyntaxMessages.unknownEscape(Character(Unicode.Scalar(escaped))), from: escapeStart)
                    continue
                }
                position += 2
                continue
            }
            scalars.append(byte)
            position += 1
        }
        report(SyntaxMessages.unterminatedString, from: start)
    }

    private mutating func lexQuotedIdentifier() {
        let start = position
        position += 1
        let nameStart = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "`"), bytes[position] != UInt8(ascii: "\n") {
            position += 1
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "`") else {
            report(SyntaxMessages.unterminatedQuotedName, from: start)
            return
        }
        let name = String(decoding: bytes[nameStart..<position], as: UTF8.self)
        position += 1
        if name.isEmpty {
            report(SyntaxMessages.emptyQuotedName, from: start)
        } else {
            emit(.quotedIdentifier(name), from: start)
        }
    }

    private mutating func lexSymbol() -> Symbol? {
        let byte = bytes[position]
        let next: UInt8? = position + 1 < bytes.count ? bytes[position + 1] : nil
        let twoByte: Symbol? =
            switch (byte, next) {
            case (UInt8(ascii: "="), UInt8(ascii: "=")): .equal
            case (UInt8(ascii: "!"), UInt8(ascii: "=")): .notEqual
            case (UInt8(ascii: "<"), UInt8(ascii: ">")): .notEqual
            case (UInt8(ascii: "<"), UInt8(ascii: "=")): .lessOrEqual
            case (UInt8(ascii: ">"), UInt8(ascii: "=")): .greaterOrEqual
            default: nil
            }
        if let twoByte {
            position += 2
            return twoByte
        }
        let single: Symbol? =
            switch byte {
            case UInt8(ascii: "("): .leftParen
            case UInt8(ascii: ")"): .rightParen
            case UInt8(ascii: "["): .leftBracket
            case UInt8(ascii: "]"): .rightBracket
            case UInt8(ascii: ","): .comma
            case UInt8(ascii: "="): .assign
            case UInt8(ascii: "+"): .plus
            case UInt8(ascii: "-"): .minus
            case UInt8(ascii: "*"): .star
            case UInt8(ascii: "/"): .slash
            case UInt8(ascii: "^"): .caret
            case UInt8(ascii: "%"): .percent
            case UInt8(ascii: "&"): .ampersand
            case UInt8(ascii: "<"): .less
            case UInt8(ascii: ">"): .greater
            default: nil
            }
        guard let single else { return nil }
        switch single {
        case .leftParen, .leftBracket: bracketDepth += 1
        case .rightParen, .rightBracket: bracketDepth = max(0, bracketDepth - 1)
        default: break
        }
        position += 1
        return single
    }

    private mutating func lexIdentifier() {
        let start = position
        while position < bytes.count, isIdentifierContinue(at: position) { advanceCharacter() }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        if let keyword = Keyword(rawValue: name) {
            emit(.keyword(keyword), from: start)
        } else if ["true", "false", "null"].contains(name.lowercased()), let keyword = Keyword(rawValue: name.lowercased()) {
            // Excel writes TRUE and FALSE; the literals are taken in any case.
            emit(.keyword(keyword), from: start)
        } else {
            emit(.identifier(name), from: start)
        }
    }

    private mutating func lexUnexpectedCharacter() {
        let start = position
        advanceCharacter()
        report(SyntaxMessages.unexpectedCharacter(source.text(of: SourceRange(start: start, end: position))), from: start)
    }

    /// Whether the line at `position` starts, unindented, with a declaration keyword or `name =`.
    private func lineStartsDefinition() -> Bool {
        var cursor = position
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "`") {
            cursor += 1
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "`"), bytes[cursor] != UInt8(ascii: "\n") { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "`") else { return false }
            cursor += 1
        } else {
            guard cursor < bytes.count, isIdentifierStart(at: cursor) else { return false }
            while cursor < bytes.count, isIdentifierContinue(at: cursor) { cursor += scalarLength(at: cursor) }
            let word = String(decoding: bytes[position..<cursor], as: UTF8.self)
            if let keyword = Keyword(rawValue: word) {
                return [.let, .param, .fn, .import].contains(keyword)
            }
        }
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor += 1 }
        return cursor < bytes.count && bytes[cursor] == UInt8(ascii: "=")
            && !(cursor + 1 < bytes.count && bytes[cursor + 1] == UInt8(ascii: "="))
    }

    /// Moves past one UTF-8 encoded scalar (or one invalid byte).
    private mutating func advanceCharacter() {
        position += scalarLength(at: position)
    }

    private func scalarLength(at offset: Int) -> Int {
        let byte = bytes[offset]
        let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        return min(length, bytes.count - offset)
    }

    private func scalar(at offset: Int) -> Unicode.Scalar? {
        let length = scalarLength(at: offset)
        return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self).unicodeScalars.first
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func isIdentifierStart(at offset: Int) -> Bool {
        let byte = bytes[offset]
        if byte < 0x80 {
            return (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
        }
        guard let scalar = scalar(at: offset) else { return false }
        return Identifier.isStart(scalar)
    }

    private func isIdentifierContinue(at offset: Int) -> Bool {
        if isIdentifierStart(at: offset) || isDigit(bytes[offset]) { return true }
        guard bytes[offset] >= 0x80, let scalar = scalar(at: offset) else { return false }
        return Identifier.isContinue(scalar)
    }
}
