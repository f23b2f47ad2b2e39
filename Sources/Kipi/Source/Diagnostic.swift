/// A problem found in a formula, a data file or during evaluation, as a value.
///
/// Diagnostics of a source carry its text, so they can be rendered the way compilers do:
/// `file:line:column: error: message`, the source line, and a caret under the span.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, and how to fix it where that is known.
    public var message: String
    /// Where in `source` the problem is; nil for problems that belong to no formula text.
    public var range: SourceRange?
    /// The file the problem is in (a formula file or a data file), if any.
    public var sourceName: String?
    /// The source the range points into, kept for rendering.
    let source: SourceText?
    /// The kind of problem, stable across versions, for a UI to map to its own hint: `syntax-error`,
    /// `unknown-column`, `unknown-name`, `unknown-function`, `type-mismatch`, `argument-count`,
    /// `cycle`, `grouping-mismatch`, `key-not-supplied`, `mixed-shapes`, `thresholds-contradict`,
    /// `duplicate-definition`, `import-unreadable`, … (each checker message has its own, named
    /// after it), `limit-exceeded` and `stopped` for an evaluation that a limit or a cancellation
    /// ended, `data-error` for a data file, `error` for the rest.
    public var code: String

    /// A problem at `range` of `source`, of kind `code`.
    public init(message: String, range: SourceRange, source: SourceText, code: String = "syntax-error") {
        self.message = message
        self.range = range
        self.sourceName = source.name
        self.source = source
        self.code = code
    }

    /// A diagnostic with no formula position, such as a problem in a data file
    /// (`sales.csv:12: error: …`) or a usage error.
    public init(message: String, file: String? = nil, line: Int? = nil, code: String? = nil) {
        self.message = message
        self.range = nil
        self.source = nil
        self.code = code ?? (file == nil ? "error" : "data-error")
        if let file {
            self.sourceName = line.map { "\(file):\($0)" } ?? file
        } else {
            self.sourceName = nil
        }
    }

    /// The 1-based line and column where the problem starts.
    public var location: SourceText.Location? { start }

    /// Where the problem's range starts: the line, the column in characters and in UTF-16 units.
    public var start: SourceText.Location? {
        guard let range, let source else { return nil }
        return source.location(of: range.start)
    }

    /// Where the problem's range ends (just past it), counted as `start` is.
    public var end: SourceText.Location? {
        guard let range, let source else { return nil }
        return source.location(of: range.end)
    }

    /// Diagnostics are equal when they say the same at the same place of the same file.
    public static func == (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        lhs.message == rhs.message && lhs.range == rhs.range && lhs.sourceName == rhs.sourceName
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(message)
        hasher.combine(range)
        hasher.combine(sourceName)
    }

    /// The full rendering: header line, then (for formula problems) the source line and a caret.
    public var description: String {
        guard let range, let source else {
            return [sourceName, "error: \(message)"].compactMap { $0 }.joined(separator: ": ")
        }
        let start = source.location(of: range.start)
        let lineIndex = start.line - 1
        let lineText = source.line(at: lineIndex)
        let lineEndOffset = source.lineStarts[lineIndex] + lineText.utf8.count
        let end = source.location(of: min(range.end, lineEndOffset))
        let width = max(1, end.column - start.column)
        let indent = String(repeating: " ", count: start.column - 1)
        let marker = "^" + String(repeating: "~", count: width - 1)
        return "\(source.name):\(start.line):\(start.column): error: \(message)\n\(lineText)\n\(indent)\(marker)"
    }
}

/// All the diagnostics of one compilation or load, reported together.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    /// Every problem found, in file and position order.
    public var diagnostics: [Diagnostic]

    /// A list of these diagnostics.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// Every diagnostic rendered, one after another.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
