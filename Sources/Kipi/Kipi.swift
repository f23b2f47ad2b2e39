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

    /// An environment with Kipi's standard library.
    public init() {
        functions = .standard
    }

    /// An environment with exactly these functions.
    public init(functions: FunctionRegistry) {
        self.functions = functions
    }

    /// Adds a host function; it is checked and listed exactly like a built-in.
    public mutating func register(_ function: FunctionDefinition) throws(FunctionError) {
        try functions.register(function)
    }

    /// Compiles the text of a `.kpi` file.
    ///
    /// - Parameters:
    ///   - schema: the data's columns and types; nil checks without data, taking every unknown
    ///     name for a column (the program can then not be evaluated).
    ///   - definitions: more files whose definitions the source may use, as if it imported them.
    ///   - loadImport: reads an imported file, given the path as written and the importing
    ///     file's name; by default, from disk relative to the importing file.
    /// - Throws: `DiagnosticList` with every error of the file and its imports.
    public func compile(
        source: SourceText, schema: Schema?, definitions: [SourceText] = [],
        loadImport: (_ path: String, _ importer: String) throws -> SourceText = Kipi.readImport
    ) throws(DiagnosticList) -> Program {
        var diagnostics: [Diagnostic] = []
        var trees: [SyntaxTree] = []
        var loaded: Set<String> = []
        func load(_ source: SourceText) {
            let (tree, syntaxErrors) = Parser.parseFile(source)
            diagnostics += syntaxErrors
            trees.append(tree)
            loaded.insert(Kipi.fileIdentity(source.name))
            for declaration in tree.declarations {
                guard case .import(let path) = declaration.kind else { continue }
                do {
                    let imported = try loadImport(path, source.name)
                    if !loaded.contains(Kipi.fileIdentity(imported.name)) { load(imported) }
                } catch {
                    let reason = failureMessage(error)
                    diagnostics.append(
                        Diagnostic(message: CheckerMessages.importUnreadable(path, reason), range: declaration.nameRange, source: source))
                }
            }
        }
        load(source)
        definitions.filter { !loaded.contains(Kipi.fileIdentity($0.name)) }.forEach(load)
        let (program, checkErrors) = Checker.check(trees, registry: functions, schema: schema)
        diagnostics += checkErrors
        guard diagnostics.isEmpty else { throw DiagnosticList(diagnostics) }
        return Program(checked: program, schema: schema)
    }

    /// Compiles a single expression, optionally followed by `by keys`, as `kipi eval -e` does;
    /// the program reports it as one KPI named `name`.
    /// - Parameter definitions: files whose definitions the expression may use.
    public func compile(
        expression: SourceText, schema: Schema?, definitions: [SourceText] = [], name: String = "value"
    ) throws(DiagnosticList) -> Program {
        let (parsed, keys, syntaxErrors) = Parser.parseExpression(expression)
        guard let parsed, syntaxErrors.isEmpty else { throw DiagnosticList(syntaxErrors) }
        let declaration = Declaration(
            kind: .kpi(name: name, value: parsed, keys: keys), range: parsed.range, nameRange: parsed.range, documentation: "")
        var trees = [SyntaxTree(source: expression, declarations: [declaration])]
        var diagnostics: [Diagnostic] = []
        for source in definitions {
            let (tree, errors) = Parser.parseFile(source)
            trees.append(tree)
            diagnostics += errors
        }
        let (program, checkErrors) = Checker.check(trees, registry: functions, schema: schema)
        diagnostics += checkErrors
        guard diagnostics.isEmpty else { throw DiagnosticList(diagnostics) }
        return Program(checked: program, schema: schema)
    }

    /// Parses a `.kpi` file without checking it: its declarations, and its syntax errors.
    public static func parse(_ source: SourceText) -> (SyntaxTree, [Diagnostic]) {
        Parser.parseFile(source)
    }

    /// Reads `path` relative to the directory of the importing file. The source is named by
    /// that joined path, as diagnostics show it (`formulas/common.kpi:3:5: error: …`).
    public static func readImport(_ path: String, importer: String) throws -> SourceText {
        let directory = (importer as NSString).deletingLastPathComponent
        let joined = path.hasPrefix("/") || directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
        guard let contents = FileAccess.contents(of: joined) else { throw FunctionError(FileAccess.problem(reading: joined)) }
        guard let text = String(validating: contents, as: UTF8.self) else { throw FunctionError("the file is not valid UTF-8 text") }
        return SourceText(name: joined, text: text)
    }

    /// The identity of a file, so that one imported twice, or by two paths, is read once.
    static func fileIdentity(_ name: String) -> String {
        URL(fileURLWithPath: name).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
