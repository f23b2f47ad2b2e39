/// Kipi's one rule for names: what the lexer reads as an identifier, what a host may register
/// as a function name (parts joined by dots, as Excel's `PERCENTRANK.INC`), and what is written
/// without backticks.
enum Identifier {
    /// A letter of any script, or `_`.
    static func isStart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" }
        return scalar.properties.isAlphabetic
    }

    /// A letter, a digit of any script, a combining mark or a connector such as `_`.
    static func isContinue(_ scalar: Unicode.Scalar) -> Bool {
        if isStart(scalar) || ("0"..."9").contains(scalar) { return true }
        guard !scalar.isASCII else { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Whether the text is one identifier, keywords included.
    static func isWord(_ text: some StringProtocol) -> Bool {
        guard let first = text.unicodeScalars.first, isStart(first) else { return false }
        return text.unicodeScalars.dropFirst().allSatisfy(isContinue)
    }
}
