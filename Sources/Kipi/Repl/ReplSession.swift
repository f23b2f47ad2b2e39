import Foundation

/// An interactive session: takes one line, returns the text to show. Definitions, data and
/// parameters persist across lines; a line that fails changes nothing. It lives in the library
/// so a host can offer it with its own functions; the terminal around it is the host's.
public struct ReplSession {
    /// What a line produced: the text to show, and whether it was an error.
    public struct Output: Sendable, Equatable {
        /// What to show; empty for nothing.
        public var text: String
        /// Whether the line failed.
        public var failed: Bool

        /// An output of this text.
        public init(_ text: String, failed: Bool = false) {
            self.text = text
            self.failed = failed
        }
    }

    /// Whether the session was left (`:quit`).
    public private(set) var isFinished = false
    private let kipi: Kipi
    /// Options for `:data`, such as the command line's `--decimal-comma`; `:data` may add its own.
    public var dataOptions: DataOptions
    /// Options for the files of single tables (`--type plans.target=number`), in place of `dataOptions`.
    public var tableDataOptions: [String: DataOptions] = [:]
    /// Stops the evaluation of the line being handled when cancelled from another thread (the
    /// terminal's Ctrl-C); the session and its definitions stay as they were.
    public var cancellation: Cancellation?
    /// Reads standard input, for `:data -`; nil when it is larger than the host allows.
    public var readInput: () -> [UInt8]? = { [] }
    private var tables: [String: DataTable] = [:]
    private var data: DataTable { tables[""] ?? .empty }
    private var namedSchemas: [String: Schema] { tables.filter { !$0.key.isEmpty }.mapValues(\.schema) }
    /// Files loaded with `:load` (as read), and each definition typed in, newest last.
    private var files: [SourceText] = []
    private var typed: [(name: String, source: SourceText)] = []
    /// Names `:forget` removed from the loaded files.
    private var forgotten: Set<String> = []
    /// Definitions, typed or loaded, that do not check against the data: reported once, left out
    /// while they do not fit (checked again when data or files change).
    private var broken: Set<String> = []
    /// The definitions as last compiled: what `:list`, `:describe`, `:explain` and completion
    /// read of them (the checked program's symbols), nil while they do not check.
    private var session: Program?
    private var parameters: [String: Value] = [:]
    private var format = TextFormat.table
    private var lineNumber = 0
    /// Lines of an expression still open (a bracket, or a trailing operator), awaiting the rest.
    private var pending = ""

    /// Whether the session waits for the rest of an expression.
    public var isContinuing: Bool { !pending.isEmpty }

    /// Whether `:load`, `:data FILE` and `import` may read files. A terminal's session reads
    /// those its user names; a host that serves strangers leaves it off, and they can give data
    /// only through `readInput` (`:data -`).
    public var readsFiles: Bool

    /// A session with these functions and data options; it reads files only when `readsFiles`.
    public init(kipi: Kipi = Kipi(), dataOptions: DataOptions = DataOptions(), readsFiles: Bool = false) {
        self.kipi = kipi
        self.dataOptions = dataOptions
        self.readsFiles = readsFiles
    }

    private static let noFiles = Output("this session reads no files", failed: true)

    static let help = """
        Type an expression to evaluate it, or a definition (name = …, let, param, fn) to keep it;
        a definition typed again replaces the earlier one, also one loaded from a file.
        An open bracket or a trailing operator continues it on the next line; an empty line ends it.
          :data [NAME=]FILE [--delimiter X] [--decimal-comma|--decimal-point] [--type col=TYPE]
                          load a CSV or JSON file (NAME= as another table)
          :load FILE      load the definitions of a .kpi file       :reload  read the files again
          :columns        the data's columns and their types        :functions  every function
          :describe NAME  a definition's source, type and value, or a function or column
          :explain NAME [key=value,…]  why a KPI has its value, node by node
          :list           the session's definitions                 :forget NAME  remove one
          :set name=value set a parameter                           :reset  forget everything but the data
          :format table|json|csv                                     :save FILE  the definitions as a .kpi file
          :help           this help                                 :quit (or exit, quit)  leave
        """

    /// Handles one line of input.
    public mutating func handle(_ line: String) -> Output {
        var trimmed = line.trimmingWhitespace()
        if !pending.isEmpty {
            trimmed = trimmed.isEmpty ? pending : pending + "\n" + trimmed
            pending = ""
        } else {
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return Output("") }
            if trimmed.hasPrefix(":") { return command(trimmed) }
            switch trimmed {
            case "exit", "quit":
                isFinished = true
                return Output("")
            case "help":
                return Output(ReplSession.help)
            default:
                break
            }
        }
        if !line.trimmingWhitespace().isEmpty, ReplSession.isIncomplete(trimmed) {
            pending = trimmed
            return Output("")
        }
        lineNumber += 1
        let source = SourceText(name: "<repl:\(lineNumber)>", text: trimmed)
        let (tree, syntaxErrors) = Kipi.parse(source)
        if syntaxErrors.isEmpty, let declaration = tree.declarations.first, tree.declarations.count == 1, let name = declaration.name {
            return define(name, source: source, isKPI: declaration.isKPI)
        }
        return evaluate(expression: source)
    }

    /// At the end of the input: an expression still open is an error, never dropped.
    public mutating func finish() -> Output? {
        guard !pending.isEmpty else { return nil }
        let text = pending
        pending = ""
        return Output("error: the input ended inside an unfinished expression: \(text)", failed: true)
    }

    /// Names that complete `prefix`: definitions, columns (in backticks where needed), functions and commands.
    public func completions(of prefix: String) -> [String] {
        if prefix.hasPrefix(":") {
            let commands = [
                ":data", ":load", ":reload", ":columns", ":functions", ":describe", ":explain", ":list", ":forget", ":set", ":reset",
                ":format", ":save", ":help", ":quit",
            ]
            return commands.filter { $0.hasPrefix(prefix) }
        }
        var names = Set(definitionNames)
        for (table, loaded) in tables {
            for column in loaded.columnNames {
                let written = Kipi.isPlainName(column) ? column : "`\(column)`"
                names.insert(table.isEmpty ? written : "\(table).\(written)")
            }
        }
        // Another name of a function completes only when the prefix is written its way (`PERC` → `PERCENTILE.INC`).
        let ownNames = kipi.functions.definitions.filter { $0.aliasOf == nil || $0.name.hasPrefix(prefix) }.map(\.name)
        names.formUnion(ownNames)
        let folded = prefix.lowercased()
        return names.filter { $0.lowercased().hasPrefix(folded) || $0.lowercased().hasPrefix("`" + folded) }.sorted()
    }

    // MARK: Definitions

    /// The sources of the session's definitions: the files without what was typed again or
    /// forgotten (blanked, so line numbers stay true), then the typed ones that fit.
    /// Compiles against the session's tables, following imports from disk if it reads files.
    private func compiled(_ source: SourceText, definitions: [SourceText]) throws(DiagnosticList) -> Program {
        try kipi.compile(source: source, schema: data.schema, tables: namedSchemas, definitions: definitions, loadImport: importer)
    }

    private func compiled(expression: SourceText) throws(DiagnosticList) -> Program {
        try kipi.compile(expression: expression, schema: data.schema, tables: namedSchemas, definitions: definitionSources, loadImport: importer)
    }

    private var importer: (String, String) throws -> SourceText {
        if readsFiles { return Kipi.readImport }
        return Kipi.refuseImports
    }

    private var definitionSources: [SourceText] {
        let replaced = Set(typed.map(\.name)).union(forgotten)
        return files.map { $0.blanking(replaced.union(broken)) } + typed.filter { !broken.contains($0.name) }.map(\.source)
    }

    /// Checks every definition against the current data and leaves out those that do not fit,
    /// with what depends on them. Returns the newly left-out ones' errors, each reported once,
    /// and the errors no left-out definition explains (a file's `where`), if the session still
    /// does not check.
    private mutating func settleDefinitions() -> (leftOut: [String], unexplained: DiagnosticList?) {
        let before = broken
        broken = []
        session = nil
        var reports: [String: String] = [:]
        var unexplained: DiagnosticList?
        // Each round leaves out the definitions the errors point at, so the rounds end.
        for _ in 0..<1_000 {
            let sources = definitionSources
            do {
                session = try compiled(SourceText(name: "<session>", text: ""), definitions: sources)
                unexplained = nil
                break
            } catch {
                unexplained = error
                var trees: [String: SyntaxTree] = [:]
                var found: Set<String> = []
                for diagnostic in error.diagnostics {
                    guard let source = sources.first(where: { $0.name == diagnostic.sourceName }), let range = diagnostic.range else { continue }
                    let tree = trees[source.name] ?? Kipi.parse(source).0
                    trees[source.name] = tree
                    let declaration = tree.declarations.first { $0.range.start <= range.start && range.start <= $0.range.end }
                    guard let name = declaration?.name, !broken.contains(name) else { continue }
                    found.insert(name)
                    reports[name, default: ""] += (reports[name]?.isEmpty ?? true ? "" : "\n") + diagnostic.description
                }
                guard !found.isEmpty else { break }
                broken.formUnion(found)
            }
        }
        let leftOut = broken.subtracting(before).sorted().map { name in
            "'\(name)' does not fit the data and is left out until it does:\n" + (reports[name] ?? "")
        }
        return (leftOut, unexplained)
    }

    private var definitionNames: [String] {
        declaredNames.map(\.name)
    }

    /// The names the session's definitions declare, files first, each as written.
    private var declaredNames: [DeclaredName] {
        let position = Dictionary(definitionSources.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return (session?.checked.symbols ?? []).sorted { (position[$0.file] ?? 0, $0.range.start) < (position[$1.file] ?? 0, $1.range.start) }
    }

    /// Whether text stops inside brackets or right after an operator, outside strings and comments.
    static func isIncomplete(_ text: String) -> Bool {
        var depth = 0
        var code = ""  // the text with strings, quoted names and comments left out
        var quote: Character?
        var escaped = false
        var inComment = false
        for character in text {
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\", open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                    code.append("x")
                }
            } else if character == "\"" || character == "`" {
                quote = character
            } else if character == "#" {
                inComment = true
            } else {
                if character == "(" || character == "[" { depth += 1 }
                if character == ")" || character == "]" { depth -= 1 }
                code.append(character)
            }
        }
        if quote != nil { return false }
        if depth > 0 { return true }
        let tail = code.trimmingWhitespace()
        if let last = tail.last, "+-*/^=<>,&".contains(last) { return true }
        let lastWord = String(tail.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        return ["and", "or", "not", "in", "where", "by"].contains(lastWord)
    }

    private var allTables: [String: DataTable] { tables.merging(["": data]) { own, _ in own } }

    private mutating func define(_ name: String, source: SourceText, isKPI: Bool) -> Output {
        let replaced = Set(typed.map(\.name)).union(forgotten).union([name])
        let others = files.map { $0.blanking(replaced.union(broken)) } + typed.filter { $0.name != name && !broken.contains($0.name) }.map(\.source)
        do {
            let program = try compiled(source, definitions: others)
            typed.removeAll { $0.name == name }
            typed.append((name, source))
            broken.remove(name)
            forgotten.remove(name)
            session = program
            guard isKPI else { return Output("defined \(name)") }
            return show(try program.evaluate(tables: allTables, parameters: fitting(parameters, program), cancellation: cancellation), single: false)
        } catch {
            return Output(error.description, failed: true)
        }
    }

    private func evaluate(expression: SourceText) -> Output {
        do {
            let program = try compiled(expression: expression)
            return show(try program.evaluate(tables: allTables, parameters: fitting(parameters, program), cancellation: cancellation), single: true)
        } catch {
            return Output(error.description, failed: true)
        }
    }

    /// The `:set` values of the parameters this program has.
    private func fitting(_ values: [String: Value], _ program: Program) -> [String: Value] {
        let known = Set(program.parameters.map(\.name))
        return values.filter { known.contains($0.key) }
    }

    private func show(_ result: EvaluationResult, single: Bool) -> Output {
        // An expression's table or JSON shows its value alone; an empty result shows nothing.
        if single, result.kpis.isEmpty, format != .csv { return Output("", failed: result.hasErrors) }
        return Output(format.text(of: result, single: single), failed: result.hasErrors)
    }

    // MARK: Commands

    private mutating func command(_ line: String) -> Output {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
        switch parts[0] {
        case ":quit", ":q", ":exit":
            isFinished = true
            return Output("")
        case ":help", ":h":
            return Output(ReplSession.help)
        case ":functions":
            return Output(kipi.functions.listing)
        case ":columns":
            guard !tables.isEmpty else { return Output("no data loaded; use :data FILE") }
            return Output(
                tables.keys.sorted().map { name in
                    let table = tables[name] ?? .empty
                    let columns = table.schema.columns.map { "\(name.isEmpty ? "" : name + ".")\($0.name): \($0.type)" }
                    return (columns + ["(\(table.rowCount) rows)"]).joined(separator: "\n")
                }.joined(separator: "\n"))
        case ":data": return loadData(argument)
        case ":load": return load(argument)
        case ":reload": return reload()
        case ":describe": return describe(argument)
        case ":explain": return explain(argument)
        case ":list": return list()
        case ":forget": return forget(argument)
        case ":reset":
            (files, typed, forgotten, broken, parameters, session) = ([], [], [], [], [:], nil)
            return Output("forgot every definition")
        case ":set": return set(argument)
        case ":format":
            guard let chosen = TextFormat(rawValue: argument) else { return Output(":format takes table, json or csv", failed: true) }
            format = chosen
            return Output("format \(chosen.rawValue)")
        case ":save": return save(argument)
        default:
            return Output("unknown command '\(parts[0])'; type :help", failed: true)
        }
    }

    /// `:data [NAME=]FILE [options]`; then every typed definition that no longer fits is reported, once.
    private mutating func loadData(_ argument: String) -> Output {
        var words = ReplSession.words(argument)
        guard !words.isEmpty else { return Output(":data needs a file", failed: true) }
        let target = words.removeFirst()
        var options = tableDataOptions[Kipi.tableAndPath(target).table] ?? dataOptions
        while !words.isEmpty {
            let option = words.removeFirst()
            switch option {
            case "--decimal-comma": options.decimalComma = true
            case "--decimal-point": options.decimalComma = false
            case "--delimiter":
                guard let delimiter = DataOptions.delimiter(named: words.isEmpty ? "" : words.removeFirst()) else {
                    return Output("--delimiter must be ',', ';' or 'tab'", failed: true)
                }
                options.delimiter = delimiter
            case "--type":
                let pair = (words.isEmpty ? "" : words.removeFirst()).split(separator: "=").map(String.init)
                guard pair.count == 2, let type = DataOptions.columnType(named: pair[1]) else {
                    return Output("--type takes column=number|text|boolean|date", failed: true)
                }
                options.columnTypes[pair[0]] = type
            default:
                return Output("unknown option '\(option)' for :data", failed: true)
            }
        }
        let (table, path) = Kipi.tableAndPath(target)
        return loadData(table: table, path: path, options: options)
    }

    /// Loads a data file as a table ("" the default one), as `:data` does, with these options (by
    /// default the session's for that table); a path may hold spaces. Then every definition that
    /// no longer fits is reported, once, and left out while it does not fit.
    public mutating func loadData(table: String, path: String, options given: DataOptions? = nil) -> Output {
        let options = given ?? tableDataOptions[table] ?? dataOptions
        guard !path.isEmpty else { return Output(":data needs a file", failed: true) }
        do {
            let loaded: DataTable
            if path == "-" {
                guard let input = readInput() else { return Output(FileAccess.tooLarge(options.maximumStreamBytes), failed: true) }
                loaded = try DataTable.load(Data(input), name: "<stdin>", options: options)
            } else {
                guard readsFiles else { return Self.noFiles }
                loaded = try DataTable.load(contentsOf: path, options: options)
            }
            tables[table] = loaded
            let lines = ["loaded \(loaded.rowCount) rows" + (table.isEmpty ? "" : " as \(table)") + ": " + loaded.columnNames.joined(separator: ", ")]
            let leftOut = settleDefinitions().leftOut
            return Output((lines + leftOut).joined(separator: "\n"), failed: !leftOut.isEmpty)
        } catch {
            return Output(error.description, failed: true)
        }
    }

    private mutating func load(_ path: String) -> Output {
        guard readsFiles else { return Self.noFiles }
        let contents: Data
        switch FileAccess.contents(of: path, atMost: kipi.limits.sourceSize) {
        case .success(let data): contents = data
        case .failure(let problem): return Output("\(path): error: cannot read the file: \(problem.message)", failed: true)
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            return Output("\(path): error: the file is not valid UTF-8 text", failed: true)
        }
        let source = SourceText(name: path, text: text)
        let (tree, syntaxErrors) = Kipi.parse(source)
        if !syntaxErrors.isEmpty { return Output(DiagnosticList(syntaxErrors).description, failed: true) }
        let previous = files
        files.removeAll { $0.name == path }
        files.append(source)
        // Every definition that checks is loaded; the others are reported once and left out.
        let (leftOut, unexplained) = settleDefinitions()
        if let unexplained {
            // Errors no definition can be left out for (a file's `where`): the file is not loaded.
            files = previous
            _ = settleDefinitions()
            return Output(unexplained.description, failed: true)
        }
        let kpis = tree.declarations.filter { $0.isKPI && !broken.contains($0.name ?? "") }.count
        return Output((["loaded \(path): \(kpis) KPIs"] + leftOut).joined(separator: "\n"), failed: !leftOut.isEmpty)
    }

    private mutating func reload() -> Output {
        let paths = files.map(\.name)
        guard !paths.isEmpty else { return Output("no files loaded; use :load FILE") }
        let outputs = paths.map { load($0) }
        return Output(outputs.map(\.text).joined(separator: "\n"), failed: outputs.contains(where: \.failed))
    }

    /// A command's words: split at spaces, a word in double quotes kept whole (`:data "my file.csv"`).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character == " ", !quoted {
                if started { words.append(current) }
                (current, started) = ("", false)
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }

    private func describe(_ name: String) -> Output {
        if let function = kipi.functions[name] { return Output("\(function.signature)\n    \(function.summary)") }
        if let type = data.schema.type(of: name) { return Output("column \(name): \(type)") }
        if let declared = declaredNames.first(where: { $0.name == name }), let source = definitionSources.first(where: { $0.name == declared.file }) {
            var lines: [String] = []
            if !declared.documentation.isEmpty { lines.append(declared.documentation) }
            lines.append(source.text(of: declared.range))
            switch declared.kind {
            case .kpi, .helper, .parameter:
                if let program = try? compiled(expression: SourceText(name: "<describe>", text: name)),
                    let kpi = program.kpis.first
                {
                    lines.append("type: \(kpi.type)")
                    if let result = try? program.evaluate(tables: allTables, parameters: fitting(parameters, program), cancellation: cancellation),
                        let value = result.kpis.first
                    {
                        lines.append("value: " + TableFormatter.format(value))
                    }
                }
            case .function:
                break
            }
            return Output(lines.joined(separator: "\n"))
        }
        return Output("nothing named '\(name)'", failed: true)
    }

    /// `:explain NAME [key=value,…]`: the KPI's own source is compiled as the main file, so it is reported.
    private func explain(_ argument: String) -> Output {
        let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = words.first else { return Output(":explain needs a KPI's name", failed: true) }
        var group: [String: String] = [:]
        for pair in (words.count > 1 ? words[1] : "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2 else { return Output(":explain takes key=value pairs after the name, got '\(pair)'", failed: true) }
            group[parts[0]] = parts[1]
        }
        let sources = definitionSources
        guard let declared = declaredNames.first(where: { $0.kind == .kpi && $0.name == name }), let main = sources.first(where: { $0.name == declared.file })
        else {
            return Output("no KPI named '\(name)'", failed: true)
        }
        do {
            let program = try compiled(main, definitions: sources.filter { $0.name != main.name })
            let explanation = try program.explain(name, tables: allTables, parameters: fitting(parameters, program), group: group)
            return Output(ExplanationFormatter.text(explanation))
        } catch {
            return Output(error.description, failed: true)
        }
    }

    private func list() -> Output {
        var lines = declaredNames.map { "\($0.name)  (\($0.kind.word), \($0.file))" }
        for name in broken.sorted() { lines.append("\(name)  (left out: it does not fit the data)") }
        return Output(lines.isEmpty ? "no definitions" : lines.joined(separator: "\n"))
    }

    private mutating func forget(_ name: String) -> Output {
        guard definitionNames.contains(name) || broken.contains(name) else { return Output("nothing named '\(name)'", failed: true) }
        typed.removeAll { $0.name == name }
        broken.remove(name)
        forgotten.insert(name)
        // What used it no longer checks: it is left out, and said so.
        let leftOut = settleDefinitions().leftOut
        return Output((["forgot \(name)"] + leftOut).joined(separator: "\n"), failed: !leftOut.isEmpty)
    }

    private mutating func set(_ argument: String) -> Output {
        let parts = argument.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
        guard parts.count == 2, !parts[0].isEmpty else { return Output(":set takes name=value", failed: true) }
        guard let program = try? compiled(SourceText(name: "<set>", text: ""), definitions: definitionSources),
            let parameter = program.parameters.first(where: { $0.name == parts[0] })
        else { return Output("no parameter named '\(parts[0])'", failed: true) }
        guard let value = Value(parsing: parts[1], as: parameter.type) else {
            return Output("'\(parts[1])' is not \(parameter.type) for parameter '\(parts[0])'", failed: true)
        }
        parameters[parts[0]] = value
        return Output("\(parts[0]) = \(value)")
    }

    private func save(_ path: String) -> Output {
        guard !path.isEmpty else { return Output(":save needs a file name", failed: true) }
        let text = definitionSources.map { $0.text.trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return Output("saved \(path)")
        } catch {
            return Output("\(path): error: cannot write the file", failed: true)
        }
    }
}

extension SourceText {
    /// The text with the declarations of `names` replaced by blanks, so the rest keeps its lines.
    fileprivate func blanking(_ names: Set<String>) -> SourceText {
        guard !names.isEmpty else { return self }
        let declarations = Kipi.parse(self).0.declarations.filter { $0.name.map(names.contains) ?? false }
        guard !declarations.isEmpty else { return self }
        var bytes = Array(text.utf8)
        for declaration in declarations {
            for offset in declaration.range.start..<min(declaration.range.end, bytes.count) where bytes[offset] != UInt8(ascii: "\n") {
                bytes[offset] = UInt8(ascii: " ")
            }
        }
        return SourceText(name: name, text: String(decoding: bytes, as: UTF8.self))
    }
}
