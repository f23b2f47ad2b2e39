import Foundation

/// One open document as the language server sees it for one request: its text, the files it
/// imports, its program compiled against the data its `data` lines name, and the answers to
/// the editor's questions about a position.
struct EditorFile {
    let uri: String
    let path: String
    let source: SourceText
    let positions: Positions
    private let server: LanguageServer
    private let tokens: [Token]

    init(uri: String, text: String, server: LanguageServer) {
        self.uri = uri
        path = EditorFile.path(ofURI: uri)
        source = SourceText(name: path, text: text)
        positions = Positions(source.text)
        self.server = server
        tokens = Lexer.tokenize(source).tokens
    }

    static func path(ofURI uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        return String(uri.dropFirst(7)).removingPercentEncoding ?? String(uri.dropFirst(7))
    }

    static func uri(ofPath path: String) -> String {
        "file://" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
    }

    // MARK: Compiling

    /// Imports come from the open documents first, then from disk, relative to the importer.
    private func loadImport(_ path: String, _ importer: String) throws -> SourceText {
        let joined = SourceText.path(path, writtenIn: importer)
        guard let text = server.text(ofPath: joined) else { throw FunctionError("no such file") }
        return SourceText(name: joined, text: text)
    }

    /// The program checked against the tables its `data` lines name, and the problems found.
    /// With problems, the program is that of the declarations without them (what hover and
    /// completion read while the user types), and the tables those the `data` lines still name.
    func compiled() -> (program: Program?, tables: [String: DataTable], diagnostics: [Diagnostic], usable: SourceText) {
        let kipi = server.compiler
        func check(_ text: SourceText, _ tables: [String: DataTable]?) -> Result<Program, DiagnosticList> {
            Result { () throws(DiagnosticList) in
                try kipi.compile(
                    source: text, schema: tables.map { $0[""]?.schema ?? Schema(columns: []) },
                    tables: (tables ?? [:]).filter { !$0.key.isEmpty }.mapValues(\.schema), loadImport: loadImport)
            }
        }
        let unchecked = check(source, nil)
        let sources = ((try? unchecked.get()) ?? (try? check(withoutBroken(unchecked.failureDiagnostics), nil).get()))?.dataSources ?? []
        let (tables, unread) = server.tables(for: sources)
        // A data file that cannot be read is the problem of its `data` line; without it, no column is checked.
        let readProblems = unread.filter { $0.0.file == path }.map { Diagnostic(message: $0.1, range: $0.0.range, source: source, code: "data-error") }
        let checked = sources.isEmpty || !unread.isEmpty ? unchecked : check(source, tables)
        switch checked {
        case .success(let program): return (program, tables, readProblems, source)
        case .failure(let problems):
            let usable = withoutBroken(problems.diagnostics)
            let partial = try? check(usable, sources.isEmpty || !unread.isEmpty ? nil : tables).get()
            return (partial, tables, readProblems + problems.diagnostics, usable)
        }
    }

    /// The document with the declarations that have problems blanked out (offsets kept).
    private func withoutBroken(_ problems: [Diagnostic]) -> SourceText {
        var bytes = source.bytes
        let broken = problems.compactMap { $0.sourceName == path ? $0.range : nil }
        for declaration in Parser.parseFile(source).0.declarations where broken.contains(where: { declaration.range.start <= $0.start && $0.start <= declaration.range.end }) {
            for offset in declaration.range.start..<min(declaration.range.end, bytes.count) where bytes[offset] != UInt8(ascii: "\n") {
                bytes[offset] = UInt8(ascii: " ")
            }
        }
        // Lines the parser could not make a declaration of are dropped as well.
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for problem in problems where problem.sourceName == path {
            if let range = problem.range, let line = Optional(source.lineIndex(of: range.start)), line < lines.count,
                !Parser.parseFile(SourceText(name: path, text: lines[line])).1.isEmpty
            {
                lines[line] = String(repeating: " ", count: lines[line].utf8.count)
            }
        }
        return SourceText(name: path, text: lines.joined(separator: "\n"))
    }

    /// `kipi check`'s diagnostics, as LSP diagnostics of this document.
    func diagnostics() -> [[String: Any]] {
        compiled().diagnostics.map { diagnostic in
            var range = positions.range(0, 0)
            var message = diagnostic.message
            if let found = diagnostic.range, diagnostic.sourceName == path {
                range = positions.range(found.start, found.end)
            } else if let file = diagnostic.sourceName, file != path {
                message = "\(file): \(message)"
            }
            return ["range": range, "severity": 1, "source": "kipi", "message": message, "code": diagnostic.code]
        }
    }

    // MARK: Names

    /// A name under the cursor: the token, and for `table.column` the table.
    struct NameAt {
        var name: String
        var table: String?
        var token: Token
    }

    func name(at offset: Int) -> NameAt? {
        guard let index = tokens.firstIndex(where: { $0.range.start <= offset && offset <= $0.range.end && isName($0) }) else { return nil }
        let token = tokens[index]
        var table: String?
        if index >= 2, tokens[index - 1].kind == .symbol(.dot), case .identifier(let owner) = tokens[index - 2].kind { table = owner }
        return NameAt(name: nameText(token) ?? "", table: table, token: token)
    }

    private func isName(_ token: Token) -> Bool { nameText(token) != nil }

    private func nameText(_ token: Token) -> String? {
        switch token.kind {
        case .identifier(let name), .quotedIdentifier(let name): name
        default: nil
        }
    }

    /// Every declaration of the document and the files it imports, with where its name is written.
    func declarations() -> [(declaration: Declaration, source: SourceText)] {
        var found: [(Declaration, SourceText)] = []
        var pending = [source]
        var seen: Set<String> = []
        while let next = pending.popLast(), seen.insert(next.name).inserted, seen.count <= 64 {
            let tree = Parser.parseFile(next).0
            for declaration in tree.declarations {
                found.append((declaration, next))
                if case .import(let path) = declaration.kind, let imported = try? loadImport(path, next.name) { pending.append(imported) }
            }
        }
        return found
    }

    // MARK: Requests

    func hover(at offset: Int) -> [String: Any]? {
        guard let name = name(at: offset) else { return nil }
        var lines: [String] = []
        let (program, tables, _, usable) = compiled()
        if name.table == nil, let (declaration, file) = declarations().first(where: { $0.declaration.name == name.name }) {
            lines.append("```kpi\n" + file.text(of: declaration.range) + "\n```")
            if !declaration.documentation.isEmpty { lines.append(declaration.documentation) }
            switch declaration.kind {
            case .kpi, .helper:
                if let info = program.flatMap({ value(of: name.name, in: $0, tables: tables, definitions: usable) }) { lines.append(info) }
            case .parameter:
                if let parameter = program?.parameters.first(where: { $0.name == name.name }) {
                    lines.append("param, \(parameter.type), default \(TableFormatter.text(parameter.defaultValue, .plain))")
                }
            case .function, .import, .filter, .data:
                break
            }
        } else if name.table == nil, let function = server.compiler.functions[name.name] {
            lines.append("```\n" + server.compiler.functions.overloads(of: name.name).map(\.signature).joined(separator: "\n") + "\n```")
            lines.append(function.summary)
        } else if let table = tables[name.table ?? ""], let type = table.schema.type(of: name.name) {
            let owner = name.table.map { "table \($0)" } ?? "the data"
            lines.append("column `\(name.name)` of \(owner): \(type), \(table.rowCount) rows")
        } else {
            return nil
        }
        return ["contents": ["kind": "markdown", "value": lines.joined(separator: "\n\n")], "range": positions.range(name.token.range.start, name.token.range.end)]
    }

    /// A definition's type, level and value over the data, computed under the server's limits.
    private func value(of name: String, in program: Program, tables: [String: DataTable], definitions: SourceText) -> String? {
        let kipi = server.compiler
        guard
            let single = try? kipi.compile(
                expression: SourceText(name: "<hover>", text: Identifier.isWord(name) ? name : "`\(name)`"), schema: program.schema,
                tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema), definitions: [definitions], name: "\u{2063}hover", loadImport: loadImport),
            let kpi = single.kpis.first
        else { return nil }
        var text = "\(kpi.type)" + (kpi.keyNames.isEmpty ? "" : " by " + kpi.keyNames.joined(separator: ", "))
        // A KPI is read from the program's own results, with its status; a `let` alone.
        let evaluated = program.kpis.contains { $0.name == name } ? try? program.evaluate(tables: tables) : try? single.evaluate(tables: tables)
        guard !tables.isEmpty || program.columnsUsed.isEmpty, let result = evaluated,
            let value = result[name] ?? (result.kpis.count == 1 ? result.kpis.first : nil)
        else {
            return text
        }
        switch value.value {
        case .single:
            text += " = " + TableFormatter.format(value)
        case .grouped(let keyNames, let rows):
            var shown = value
            shown.value = .grouped(keyNames: keyNames, rows: Array(rows.prefix(5)))
            text += ", \(rows.count) groups\n\n```\n" + TableFormatter.format(shown) + (rows.count > 5 ? "\n…" : "") + "\n```"
        }
        return text
    }

    func definition(at offset: Int) -> [String: Any]? {
        guard let name = name(at: offset), name.table == nil,
            let (declaration, file) = declarations().first(where: { $0.declaration.name == name.name })
        else { return nil }
        let filePositions = file.name == path ? positions : Positions(file.text)
        return ["uri": file.name == path ? uri : EditorFile.uri(ofPath: file.name),
                "range": filePositions.range(declaration.nameRange.start, declaration.nameRange.end)]
    }

    /// Every place a declared name is written, in this document and the files it imports (not
    /// after a `.`, where the same word is a column).
    func references(at offset: Int, includeDeclaration: Bool) -> [[String: Any]] {
        guard let name = name(at: offset), name.table == nil else { return [] }
        let declared = declarations()
        guard let (declaration, declaringFile) = declared.first(where: { $0.declaration.name == name.name }) else { return [] }
        var files: [SourceText] = []
        for (_, file) in declared where !files.contains(where: { $0.name == file.name }) { files.append(file) }
        var locations: [[String: Any]] = []
        for file in files {
            let fileTokens = file.name == path ? tokens : Lexer.tokenize(file).tokens
            let filePositions = file.name == path ? positions : Positions(file.text)
            for (index, token) in fileTokens.enumerated() where nameText(token) == name.name {
                if index > 0, fileTokens[index - 1].kind == .symbol(.dot) { continue }
                if !includeDeclaration, file.name == declaringFile.name, token.range == declaration.nameRange { continue }
                locations.append(["uri": file.name == path ? uri : EditorFile.uri(ofPath: file.name), "range": filePositions.range(token.range.start, token.range.end)])
            }
        }
        return locations
    }

    func renameRange(at offset: Int) -> [String: Any]? {
        guard let name = name(at: offset), name.table == nil, declarations().contains(where: { $0.declaration.name == name.name }) else { return nil }
        return ["range": positions.range(name.token.range.start, name.token.range.end), "placeholder": name.name]
    }

    func rename(at offset: Int, to newName: String) -> Result<[String: Any], FunctionError> {
        guard renameRange(at: offset) != nil else { return .failure(FunctionError("only a name defined in the files (a KPI, let, param or fn) can be renamed")) }
        guard !newName.isEmpty, !newName.contains("`"), !newName.contains("\n") else { return .failure(FunctionError("'\(newName)' cannot be a name")) }
        let written = Identifier.isWord(newName) && Keyword(rawValue: newName) == nil ? newName : "`\(newName)`"
        var changes: [String: [[String: Any]]] = [:]
        for location in references(at: offset, includeDeclaration: true) {
            guard let fileURI = location["uri"] as? String else { continue }
            changes[fileURI, default: []].append(["range": location["range"] ?? [:], "newText": written])
        }
        return .success(["changes": changes])
    }

    func symbols() -> [[String: Any]] {
        Parser.parseFile(source).0.declarations.map { declaration in
            let (name, kind, detail): (String, Int, String)
            switch declaration.kind {
            case .kpi(let defined, _, let keys): (name, kind, detail) = (defined, 13, keys.isEmpty ? "KPI" : "KPI by " + keys.map { source.text(of: $0.range) }.joined(separator: ", "))
            case .helper(let defined, _, _): (name, kind, detail) = (defined, 13, "let")
            case .parameter(let defined, _): (name, kind, detail) = (defined, 14, "param")
            case .function(let defined, _, _): (name, kind, detail) = (defined, 12, "fn")
            case .import(let file): (name, kind, detail) = (file, 2, "import")
            case .data(let table, let file, _): (name, kind, detail) = (table.isEmpty ? file : table, 1, "data")
            case .filter: (name, kind, detail) = ("where", 8, source.text(of: declaration.range))
            }
            return [
                "name": name, "kind": kind, "detail": detail, "range": positions.range(declaration.range.start, declaration.range.end),
                "selectionRange": positions.range(declaration.nameRange.start, declaration.nameRange.end),
            ]
        }
    }

    func signatureHelp(at offset: Int) -> [String: Any]? {
        // The innermost call still open before the cursor, and the commas written in it.
        var depth = 0
        var commas = 0
        for index in tokens.indices.reversed() where tokens[index].range.end <= offset {
            switch tokens[index].kind {
            case .symbol(.rightParen), .symbol(.rightBracket): depth += 1
            case .symbol(.leftBracket): depth -= 1
            case .symbol(.comma) where depth == 0: commas += 1
            case .newline: return nil
            case .symbol(.leftParen):
                if depth > 0 {
                    depth -= 1
                    continue
                }
                guard index > 0, let name = nameText(tokens[index - 1]) else { return nil }
                if let (declaration, _) = declarations().first(where: { $0.declaration.name == name }), case .function(_, let parameters, _) = declaration.kind {
                    let label = "\(name)(\(parameters.joined(separator: ", ")))"
                    return ["signatures": [["label": label, "parameters": parameters.map { ["label": $0] }]], "activeSignature": 0, "activeParameter": commas]
                }
                let overloads = server.compiler.functions.overloads(of: name)
                guard !overloads.isEmpty else { return nil }
                let signatures = overloads.map { function in
                    ["label": function.signature, "documentation": function.summary, "parameters": function.parameters.map { ["label": $0.name] }] as [String: Any]
                }
                let active = overloads.firstIndex { $0.parameters.count > commas || $0.parameters.last?.isVariadic == true } ?? 0
                let parameterCount = overloads[active].parameters.count
                return ["signatures": signatures, "activeSignature": active, "activeParameter": min(commas, max(0, parameterCount - 1))]
            default: break
            }
        }
        return nil
    }

    func completion(at offset: Int) -> [String: Any] {
        var items: [[String: Any]] = []
        func add(_ label: String, kind: Int, detail: String, documentation: String? = nil) {
            let insert = Identifier.isWord(label) && Keyword(rawValue: label) == nil ? label : "`\(label)`"
            var item: [String: Any] = ["label": label, "kind": kind, "detail": detail, "insertText": insert]
            if let documentation, !documentation.isEmpty { item["documentation"] = documentation }
            items.append(item)
        }
        let tables = compiled().tables
        let before = tokens.lastIndex { $0.range.end <= offset && $0.kind != .newline && $0.kind != .endOfFile }
        let owner = before.flatMap { $0 >= 1 && tokens[$0].kind == .symbol(.dot) ? nameText(tokens[$0 - 1]) : nil }
        if let owner, let table = tables[owner] {
            for (column, type) in table.schema.columns { add(column, kind: 5, detail: "\(type), column of \(owner)") }
            return ["isIncomplete": false, "items": items]
        }
        for (declaration, _) in declarations() {
            switch declaration.kind {
            case .kpi(let name, _, _): add(name, kind: 6, detail: "KPI", documentation: declaration.documentation)
            case .helper(let name, _, _): add(name, kind: 6, detail: "let", documentation: declaration.documentation)
            case .parameter(let name, _): add(name, kind: 21, detail: "param", documentation: declaration.documentation)
            case .function(let name, let parameters, _): add(name, kind: 3, detail: "fn \(name)(\(parameters.joined(separator: ", ")))", documentation: declaration.documentation)
            case .import, .filter, .data: break
            }
        }
        for function in server.compiler.functions.definitions where !items.contains(where: { $0["label"] as? String == function.name }) {
            add(function.name, kind: 3, detail: function.signature, documentation: function.summary)
        }
        for (column, type) in tables[""]?.schema.columns ?? [] { add(column, kind: 5, detail: "\(type), column") }
        for table in tables.keys.sorted() where !table.isEmpty { add(table, kind: 9, detail: "table") }
        // The keywords, and the words that are keywords in one place only.
        for keyword in Keyword.allCases.map(\.rawValue) + ["as", "data"] + ThresholdLevel.allCases.map(\.rawValue) {
            items.append(["label": keyword, "kind": 14])
        }
        return ["isIncomplete": false, "items": items]
    }

    func formatting() -> Result<[[String: Any]], FunctionError> {
        switch Formatter.format(source) {
        case .success(let text):
            return .success(text == source.text ? [] : [["range": positions.range(0, source.bytes.count), "newText": text]])
        case .failure:
            return .failure(FunctionError("the file has syntax errors; fix them first"))
        }
    }
}

extension Result where Failure == DiagnosticList {
    /// The problems of a failed compile; none for one that succeeded.
    var failureDiagnostics: [Diagnostic] {
        if case .failure(let list) = self { return list.diagnostics }
        return []
    }
}
