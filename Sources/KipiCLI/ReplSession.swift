import Foundation
import Kipi

/// An interactive session: takes one line, returns the text to show. Definitions and data
/// persist across lines; a line that fails changes nothing.
struct ReplSession {
    private(set) var isFinished = false
    private var kipi = Kipi()
    /// The loaded tables by name ("" is the default table).
    private var tables: [String: DataTable] = [:]
    private var data: DataTable { tables[""] ?? .empty }
    private var namedSchemas: [String: Schema] { tables.filter { !$0.key.isEmpty }.mapValues(\.schema) }
    /// Files loaded with `:load`, and each definition typed in, newest last.
    private var files: [SourceText] = []
    private var typed: [(name: String, source: SourceText)] = []
    private var lineNumber = 0
    /// Lines of an expression still open (a bracket, or a trailing operator), awaiting the rest.
    private var pending = ""

    /// Whether the session waits for the rest of an expression.
    var isContinuing: Bool { !pending.isEmpty }

    static let help = """
        Type an expression to evaluate it, or a definition (name = …, let, param, fn) to keep it.
        An open bracket or a trailing operator continues it on the next line; an empty line ends it.
          :data [NAME=]FILE  load a CSV or JSON file (NAME= as another table)
          :load FILE      load the definitions of a .kpi file
          :columns        the data's columns and their types
          :functions      every function with its signature
          :describe NAME  what a function, KPI, parameter or column is
          :explain NAME [key=value,…]  why a KPI has its value, node by node
          :help           this help
          :quit           leave
        """

    mutating func handle(_ line: String, readInput: () -> [UInt8] = { [] }) -> String {
        var trimmed = line.trimmingWhitespace()
        if !pending.isEmpty {
            trimmed = trimmed.isEmpty ? pending : pending + "\n" + trimmed
            pending = ""
        } else {
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return "" }
            if trimmed.hasPrefix(":") { return command(trimmed, readInput: readInput) }
        }
        if !line.trimmingWhitespace().isEmpty, ReplSession.isIncomplete(trimmed) {
            pending = trimmed
            return ""
        }
        lineNumber += 1
        let source = SourceText(name: "<repl:\(lineNumber)>", text: trimmed)
        let (tree, syntaxErrors) = Kipi.parse(source)
        if syntaxErrors.isEmpty, let declaration = tree.declarations.first, tree.declarations.count == 1, let name = declaration.name {
            return define(name, source: source, isKPI: declaration.isKPI)
        }
        return evaluate(expression: source)
    }

    private var definitionSources: [SourceText] { files + typed.map(\.source) }

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
        if let last = tail.last, "+-*/^=<>,".contains(last) { return true }
        let lastWord = String(tail.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        return ["and", "or", "not", "in", "where", "by"].contains(lastWord)
    }

    private mutating func define(_ name: String, source: SourceText, isKPI: Bool) -> String {
        let others = files + typed.filter { $0.name != name }.map(\.source)
        do {
            let program = try kipi.compile(source: source, schema: data.schema, tables: namedSchemas, definitions: others)
            typed.removeAll { $0.name == name }
            typed.append((name, source))
            guard isKPI else { return "defined \(name)" }
            let result = try program.evaluate(tables: tables.merging(["": data]) { own, _ in own })
            return TableFormatter.format(result)
        } catch {
            return error.description
        }
    }

    private func evaluate(expression: SourceText) -> String {
        do {
            let program = try kipi.compile(expression: expression, schema: data.schema, tables: namedSchemas, definitions: definitionSources)
            let result = try program.evaluate(tables: tables.merging(["": data]) { own, _ in own })
            guard let kpi = result.kpis.first else { return "" }
            return TableFormatter.format(kpi.value, format: kpi.format)
        } catch {
            return error.description
        }
    }

    private mutating func command(_ line: String, readInput: () -> [UInt8]) -> String {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
        switch parts[0] {
        case ":quit", ":q", ":exit":
            isFinished = true
            return ""
        case ":help", ":h":
            return ReplSession.help
        case ":functions":
            return FunctionListing.text(kipi.functions)
        case ":columns":
            let schema = data.schema.columns
            if schema.isEmpty { return "no data loaded; use :data FILE" }
            return schema.map { "\($0.name): \($0.type)" }.joined(separator: "\n") + "\n(\(data.rowCount) rows)"
        case ":data":
            return loadData(argument, readInput: readInput)
        case ":load":
            return load(argument)
        case ":explain":
            return explain(argument)
        case ":describe":
            return describe(argument)
        default:
            return "unknown command '\(parts[0])'; type :help"
        }
    }

    private mutating func loadData(_ argument: String, readInput: () -> [UInt8]) -> String {
        let (table, path) = Options.tableAndPath(argument)
        guard !path.isEmpty else { return ":data needs a file" }
        let bytes: Data
        if path == "-" {
            bytes = Data(readInput())
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { return "\(path): error: cannot read the file" }
            bytes = contents
        }
        do {
            let format = path.lowercased().hasSuffix(".json") ? DataFormat.json : DataFormat.detect(bytes)
            let loaded = try format.read(bytes, name: path)
            tables[table] = loaded
            return "loaded \(loaded.rowCount) rows" + (table.isEmpty ? "" : " as \(table)") + ": " + loaded.columnNames.joined(separator: ", ")
        } catch {
            return error.description
        }
    }

    /// `:explain NAME [key=value,…]`: the KPI's own source is compiled as the main file, so it is reported.
    private func explain(_ argument: String) -> String {
        let words = argument.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = words.first else { return ":explain needs a KPI's name" }
        var group: [String: String] = [:]
        for pair in (words.count > 1 ? words[1] : "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2 else { return ":explain takes key=value pairs after the name, got '\(pair)'" }
            group[parts[0]] = parts[1]
        }
        let sources = definitionSources
        guard let main = sources.last(where: { source in Kipi.parse(source).0.declarations.contains { $0.isKPI && $0.name == name } }) else {
            return "no KPI named '\(name)'"
        }
        do {
            let program = try kipi.compile(
                source: main, schema: data.schema, tables: namedSchemas, definitions: sources.filter { $0.name != main.name || $0.text != main.text })
            let explanation = try program.explain(name, tables: tables.merging(["": data]) { own, _ in own }, group: group)
            return ExplanationFormatter.text(explanation)
        } catch {
            return error.description
        }
    }

    private mutating func load(_ path: String) -> String {
        guard let contents = FileManager.default.contents(atPath: path), let text = String(validating: contents, as: UTF8.self) else {
            return "\(path): error: cannot read the file"
        }
        let source = SourceText(name: path, text: text)
        do {
            let program = try kipi.compile(source: source, schema: data.schema, tables: namedSchemas, definitions: definitionSources)
            files.append(source)
            return "loaded \(path): \(program.kpis.count) KPIs"
        } catch {
            return error.description
        }
    }

    private func describe(_ name: String) -> String {
        if let function = kipi.functions[name] { return "\(function.signature)\n    \(function.summary)" }
        if let type = data.schema.type(of: name) { return "column \(name): \(type)" }
        for source in definitionSources.reversed() {
            let (tree, _) = Kipi.parse(source)
            if let declaration = tree.declarations.first(where: { $0.name == name }) {
                let text = source.text.utf8.dropFirst(declaration.range.start).prefix(declaration.range.end - declaration.range.start)
                let documentation = declaration.documentation.isEmpty ? "" : declaration.documentation + "\n"
                return documentation + String(decoding: text, as: UTF8.self)
            }
        }
        return "nothing named '\(name)'"
    }
}

extension Declaration {
    /// The name it defines; nil for an import or a `where`.
    var name: String? {
        switch kind {
        case .import, .filter: nil
        case .parameter(let name, _), .helper(let name, _, _), .function(let name, _, _), .kpi(let name, _, _): name
        }
    }

    var isKPI: Bool {
        if case .kpi = kind { return true }
        return false
    }
}
