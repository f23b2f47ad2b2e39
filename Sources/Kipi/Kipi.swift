import Foundation

/// The entry point for hosts: an environment of functions that compiles formula text into
/// programs.
///
/// ```swift
/// var kipi = Kipi()
/// try kipi.register(myFunction)
/// let program = try kipi.compile(source: SourceText(name: "sales.kpi", text: "revenue = sum(amount)"), schema: table.schema)
/// let result = try program.evaluate(table)
/// ```
public struct Kipi: Sendable {
    /// The functions formulas can call: the standard library and the host's own.
    public private(set) var functions: FunctionRegistry
    /// Bounds on compiling and, unless `evaluate` is given others, on evaluating the programs
    /// compiled here.
    public var limits: Limits = .standard

    /// An environment with Kipi's standard library.
    public init() {
        functions = .standard
    }

    /// An environment with exactly these functions.
    public init(functions: FunctionRegistry) {
        self.functions = functions
    }

    /// Adds a host function; it is checked and listed exactly like a built-in. Overloading or
    /// replacing a built-in takes `replacingBuiltIn: true`.
    public mutating func register(_ function: FunctionDefinition, replacingBuiltIn: Bool = false) throws(FunctionError) {
        try functions.register(function, replacingBuiltIn: replacingBuiltIn)
    }

    /// Compiles the text of a `.kpi` file.
    ///
    /// - Parameters:
    ///   - schema: the data's columns and types; nil checks without data, taking every unknown
    ///     name for a column (the program can then not be evaluated).
    ///   - tables: the schemas of more tables by name, whose columns formulas read as `name.column`.
    ///   - definitions: more files whose definitions the source may use, as if it imported them.
    ///   - loadImport: reads an imported file, given the path as written and the importing
    ///     file's name; by default none is read (`Kipi.refuseImports`): pass `Kipi.readImport`
    ///     to read them from disk relative to the importing file.
    /// - Throws: `DiagnosticList` with every error of the file and its imports.
    public func compile(
        source: SourceText, schema: Schema?, tables: [String: Schema] = [:], definitions: [SourceText] = [],
        loadImport: (_ path: String, _ importer: String) throws -> SourceText = Kipi.refuseImports
    ) throws(DiagnosticList) -> Program {
        try refuseIfTooLarge(source)
        let (tree, syntaxErrors) = Parser.parseFile(source, limits: limits)
        return try compile(tree, syntaxErrors: syntaxErrors, schemas: schema.map { tables.merging(["": $0]) { _, new in new } }, definitions: definitions,
            loadImport: loadImport)
    }

    /// Compiles a single expression, optionally followed by `by keys` and `as format`, as
    /// `kipi eval -e` does; the program reports it as one KPI named `name`. It may use the
    /// definitions of `definitions` and of the files they import.
    public func compile(
        expression: SourceText, schema: Schema?, tables: [String: Schema] = [:], definitions: [SourceText] = [], name: String = "value",
        loadImport: (_ path: String, _ importer: String) throws -> SourceText = Kipi.refuseImports
    ) throws(DiagnosticList) -> Program {
        try refuseIfTooLarge(expression)
        let (tree, syntaxErrors) = Parser.parseExpression(expression, name: name, limits: limits)
        return try compile(tree, syntaxErrors: syntaxErrors, schemas: schema.map { tables.merging(["": $0]) { _, new in new } }, definitions: definitions,
            loadImport: loadImport)
    }

    /// The file in `kipi fmt`'s canonical layout (SPEC v3): spacing, continuation lines and
    /// blank lines made uniform, comments, descriptions and each token's text kept.
    /// - Throws: `DiagnosticList` with the syntax errors that keep it from being formatted.
    public func format(_ source: SourceText) throws(DiagnosticList) -> String {
        try refuseIfTooLarge(source)
        return try Formatter.format(source).get()
    }

    /// Compiles a user's formula (as `compile(expression:…)` takes it) against the definitions of
    /// a program compiled before, over the same data: those definitions are not checked again,
    /// only what the formula uses, so a server compiles each request's formula at the cost of the
    /// formula alone.
    public func compile(expression: SourceText, against program: Program, name: String = "value") throws(DiagnosticList) -> Program {
        try refuseIfTooLarge(expression)
        let (tree, syntaxErrors) = Parser.parseExpression(expression, name: name, limits: limits)
        guard syntaxErrors.isEmpty else { throw DiagnosticList(syntaxErrors) }
        guard tree.declarations.allSatisfy({ if case .import = $0.kind { false } else { true } }) else {
            throw DiagnosticList([Diagnostic(message: "a formula compiled against a program imports nothing", code: "import-unreadable")])
        }
        // The program's files as it parsed them: nothing is read or parsed again.
        var (checked, errors) = Checker.check(
            [tree] + program.checked.trees, registry: functions, schemas: program.schemas, limits: limits, checkingAllDefinitions: false,
            constantValue: Evaluator.constantValue)
        guard errors.isEmpty else { throw DiagnosticList(errors) }
        checked.trees = [tree] + program.checked.trees
        return Program(checked: checked, schemas: program.schemas, limits: limits)
    }

    /// A source over the size limit is not even parsed.
    private func refuseIfTooLarge(_ source: SourceText) throws(DiagnosticList) {
        if source.text.utf8.count > limits.sourceSize { throw DiagnosticList([Diagnostic(message: Kipi.tooLarge(limits), file: source.name, code: "limit-exceeded")]) }
    }

    private static func tooLarge(_ limits: Limits) -> String {
        "the formulas are larger than the limit of \(limits.sourceSize) bytes"
    }

    /// The one compile path: the main tree, the files it and `definitions` import, checked together.
    private func compile(
        _ main: SyntaxTree, syntaxErrors: [Diagnostic], schemas: [String: Schema]?, definitions: [SourceText],
        loadImport: (_ path: String, _ importer: String) throws -> SourceText
    ) throws(DiagnosticList) -> Program {
        var diagnostics = syntaxErrors
        var sourceBytes = main.source.text.utf8.count
        let tooLarge = Kipi.tooLarge(limits)
        var trees: [SyntaxTree] = []
        var loaded: Set<String> = []
        var unparsable: Set<String> = []
        func add(_ tree: SyntaxTree) {
            trees.append(tree)
            loaded.insert(Kipi.fileIdentity(tree.source.name))
            for declaration in tree.declarations {
                guard case .import(let path) = declaration.kind else { continue }
                do {
                    let imported = try loadImport(path, tree.source.name)
                    if !loaded.contains(Kipi.fileIdentity(imported.name)) {
                        sourceBytes += imported.text.utf8.count
                        guard sourceBytes <= limits.sourceSize else { throw FunctionError(tooLarge) }
                        let (importedTree, errors) = Parser.parseFile(imported, limits: limits)
                        // A file that is not Kipi (`import "/etc/passwd"`) shows one offending
                        // line, never its whole content.
                        if var first = errors.first {
                            if errors.count > 1 { first.message += " (and \(errors.count - 1) more errors in this file)" }
                            diagnostics.append(first)
                            unparsable.insert(imported.name)
                        }
                        add(importedTree)
                    }
                } catch {
                    let reason = failureMessage(error)
                    diagnostics.append(
                        Diagnostic(message: CheckerMessages.importUnreadable(path, reason), range: declaration.nameRange, source: tree.source, code: "import-unreadable"))
                }
            }
        }
        add(main)
        for source in definitions where !loaded.contains(Kipi.fileIdentity(source.name)) {
            sourceBytes += source.text.utf8.count
            let (tree, errors) = Parser.parseFile(source, limits: limits)
            diagnostics += errors
            add(tree)
        }
        if sourceBytes > limits.sourceSize { diagnostics.append(Diagnostic(message: tooLarge, code: "limit-exceeded")) }
        var (program, checkErrors) = Checker.check(trees, registry: functions, schemas: schemas, limits: limits, constantValue: Evaluator.constantValue)
        program.trees = trees
        diagnostics += checkErrors.filter { !unparsable.contains($0.sourceName ?? "") }
        guard diagnostics.isEmpty else { throw DiagnosticList(diagnostics) }
        return Program(checked: program, schemas: schemas, limits: limits)
    }

    /// Parses a `.kpi` file without checking it: its declarations, and its syntax errors.
    public static func parse(_ source: SourceText) -> (SyntaxTree, [Diagnostic]) {
        Parser.parseFile(source)
    }

    /// The default import resolver: the library reads no files unless its host says so, since
    /// a formula may come from a stranger (`import "/etc/passwd"`). Pass `Kipi.readImport`, or a
    /// resolver of your own, as `loadImport` to allow imports.
    public static func refuseImports(_ path: String, importer: String) throws -> SourceText {
        throw FunctionError("imports are not allowed here (the host reads no files for formulas)")
    }

    /// Reads `path` relative to the directory of the importing file. The source is named by
    /// that joined path, as diagnostics show it (`formulas/common.kpi:3:5: error: …`).
    public static func readImport(_ path: String, importer: String) throws -> SourceText {
        let joined = SourceText.path(path, writtenIn: importer)
        let contents = try FileAccess.contents(of: joined, atMost: Limits.standard.sourceSize).get()
        guard let text = String(validating: contents, as: UTF8.self) else { throw FunctionError("the file is not valid UTF-8 text") }
        return SourceText(name: joined, text: text)
    }

    /// The identity of a file, so that one imported twice, or by two paths, is read once.
    static func fileIdentity(_ name: String) -> String {
        URL(fileURLWithPath: name).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

extension Kipi {
    /// `NAME=FILE` (as `--data` and `:data` take it) names a table; anything else is the default
    /// table's file ("" names the default table).
    public static func tableAndPath(_ text: String) -> (table: String, path: String) {
        guard let equals = text.firstIndex(of: "="), isPlainName(String(text[..<equals])) else { return ("", text) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// Whether a name can be written without backticks.
    public static func isPlainName(_ name: String) -> Bool {
        Identifier.isWord(name) && Keyword(rawValue: name) == nil
    }
}
