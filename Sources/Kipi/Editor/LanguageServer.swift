import Foundation

/// `kipi lsp` (SPEC v3, §11): a language server for any editor, over JSON-RPC message bodies.
/// It answers with what the rest of Kipi decided — the parser's tree and ranges, the checker's
/// diagnostics and symbols, the registry's signatures, the evaluator's values, the formatter's
/// layout — and never trusts a message: a malformed or unknown one gets an LSP error.
///
/// Not thread-safe: one server answers one connection's messages in order.
public final class LanguageServer {
    /// The open documents' texts, by URI.
    private var documents: [String: String] = [:]
    private let kipi: Kipi
    /// Reads a data file a document's `data` line names; nil when the host allows none.
    private let readData: (@Sendable (DataSource) throws -> DataTable)?
    /// Data tables read, by path, with the file's modification date, so typing does not read them again.
    private var dataCache: [String: (date: Date, table: DataTable)] = [:]
    private var shutdownRequested = false
    /// Set by the `exit` notification: the status the process ends with (0 after `shutdown`).
    public private(set) var exitStatus: Int32?

    /// A server compiling with `kipi`'s functions and limits; `readData` loads the tables a
    /// document's `data` lines name (`LanguageServer.readFromDisk` reads them from disk; nil reads none).
    public init(kipi: Kipi = Kipi(), readData: (@Sendable (DataSource) throws -> DataTable)? = LanguageServer.readFromDisk) {
        var limited = kipi
        // A value shown on hover must never block typing: at most half a second, less if the host says so.
        limited.limits = limited.limits.narrowed(by: Limits(timeLimit: .milliseconds(500)))
        self.kipi = limited
        self.readData = readData
    }

    /// Reads a `data` line's file from disk with its options.
    public static let readFromDisk: @Sendable (DataSource) throws -> DataTable = { source in
        try DataTable.load(contentsOf: source.resolvedPath, options: source.options)
    }

    /// Handles one message body; returns the bodies to send back (a response, notifications).
    public func handle(_ body: [UInt8]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else {
            return [Self.error(id: NSNull(), code: -32700, message: "the message is not JSON")]
        }
        guard let message = object as? [String: Any], let method = message["method"] as? String else {
            if let message = object as? [String: Any], message["id"] != nil, message["result"] != nil || message["error"] != nil {
                return []  // a response to a request of ours: none is sent
            }
            return [Self.error(id: (object as? [String: Any])?["id"] ?? NSNull(), code: -32600, message: "not a request or notification")]
        }
        let id = message["id"]
        let params = message["params"] as? [String: Any] ?? [:]
        if let id, !(id is String || id is NSNumber) {
            return [Self.error(id: NSNull(), code: -32600, message: "an id must be a number or a string")]
        }
        if shutdownRequested, method != "exit" {
            return id.map { [Self.error(id: $0, code: -32600, message: "the server is shutting down")] } ?? []
        }
        switch method {
        case "initialize": return reply(id, Self.capabilities)
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration", "textDocument/didSave": return []
        case "shutdown":
            shutdownRequested = true
            return reply(id, NSNull())
        case "exit":
            exitStatus = shutdownRequested ? 0 : 1
            return []
        case "textDocument/didOpen":
            guard let document = params["textDocument"] as? [String: Any], let uri = document["uri"] as? String, let text = document["text"] as? String else {
                return []
            }
            documents[uri] = text
            return [publishDiagnostics(uri)]
        case "textDocument/didChange":
            guard let uri = (params["textDocument"] as? [String: Any])?["uri"] as? String, var text = documents[uri],
                let changes = params["contentChanges"] as? [[String: Any]]
            else { return [] }
            for change in changes {
                guard let newText = change["text"] as? String else { continue }
                if let range = change["range"] as? [String: Any], let (start, end) = Positions(text).byteRange(range) {
                    var bytes = Array(text.utf8)
                    bytes.replaceSubrange(start..<end, with: Array(newText.utf8))
                    text = String(decoding: bytes, as: UTF8.self)
                } else {
                    text = newText
                }
            }
            documents[uri] = text
            return [publishDiagnostics(uri)]
        case "textDocument/didClose":
            if let uri = (params["textDocument"] as? [String: Any])?["uri"] as? String {
                documents[uri] = nil
                return [Self.notification("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": [Any]()])]
            }
            return []
        default:
            break
        }
        guard let id else { return [] }  // an unknown notification is ignored, as LSP asks
        guard let document = params["textDocument"] as? [String: Any], let uri = document["uri"] as? String, let text = documents[uri] else {
            return [Self.error(id: id, code: -32601, message: "unknown method '\(method)', or a document that is not open")]
        }
        let file = EditorFile(uri: uri, text: text, server: self)
        let position = (params["position"] as? [String: Any]).flatMap { Positions(text).byteOffset($0) }
        switch method {
        case "textDocument/completion": return reply(id, file.completion(at: position ?? 0))
        case "textDocument/hover": return reply(id, position.flatMap(file.hover) ?? NSNull())
        case "textDocument/definition": return reply(id, position.flatMap(file.definition) ?? NSNull())
        case "textDocument/references":
            let includeDeclaration = ((params["context"] as? [String: Any])?["includeDeclaration"] as? Bool) ?? true
            return reply(id, position.map { file.references(at: $0, includeDeclaration: includeDeclaration) } ?? [Any]())
        case "textDocument/rename":
            guard let position, let newName = params["newName"] as? String else { return [Self.error(id: id, code: -32602, message: "rename needs a position and newName")] }
            switch file.rename(at: position, to: newName) {
            case .success(let edit): return reply(id, edit)
            case .failure(let problem): return [Self.error(id: id, code: -32803, message: problem.message)]
            }
        case "textDocument/prepareRename": return reply(id, position.flatMap(file.renameRange) ?? NSNull())
        case "textDocument/documentSymbol": return reply(id, file.symbols())
        case "textDocument/signatureHelp": return reply(id, position.flatMap(file.signatureHelp) ?? NSNull())
        case "textDocument/formatting":
            switch file.formatting() {
            case .success(let edits): return reply(id, edits)
            case .failure(let problem): return [Self.error(id: id, code: -32803, message: problem.message)]
            }
        default:
            return [Self.error(id: id, code: -32601, message: "unknown method '\(method)'")]
        }
    }

    // MARK: Documents

    /// The text of an open document, or of a file on disk (for imports), by path.
    func text(ofPath path: String) -> String? {
        if let open = documents[EditorFile.uri(ofPath: path)] { return open }
        guard case .success(let data) = FileAccess.contents(of: path, atMost: kipi.limits.sourceSize) else { return nil }
        return String(validating: data, as: UTF8.self)
    }

    /// The tables a document's `data` lines name, read (once per change of the file), and why
    /// each that could not be read was not.
    func tables(for sources: [DataSource]) -> (tables: [String: DataTable], problems: [(DataSource, String)]) {
        guard let readData else { return ([:], []) }
        var tables: [String: DataTable] = [:]
        var problems: [(DataSource, String)] = []
        for source in sources {
            let date = (try? FileManager.default.attributesOfItem(atPath: source.resolvedPath)[.modificationDate] as? Date) ?? .distantPast
            if let cached = dataCache[source.resolvedPath], cached.date == date {
                tables[source.table] = cached.table
                continue
            }
            do {
                let table = try readData(source)
                dataCache[source.resolvedPath] = (date, table)
                tables[source.table] = table
            } catch {
                let reason = (error as? DiagnosticList)?.diagnostics.first.map { $0.message } ?? "\(error)"
                problems.append((source, "cannot read the data file '\(source.path)': \(reason)"))
            }
        }
        return (tables, problems)
    }

    var compiler: Kipi { kipi }

    private func publishDiagnostics(_ uri: String) -> String {
        let file = EditorFile(uri: uri, text: documents[uri] ?? "", server: self)
        return Self.notification("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": file.diagnostics()])
    }

    // MARK: Messages

    private func reply(_ id: Any?, _ result: Any) -> [String] {
        guard let id else { return [] }
        return [Self.encode(["jsonrpc": "2.0", "id": id, "result": result])]
    }

    static func error(id: Any, code: Int, message: String) -> String {
        encode(["jsonrpc": "2.0", "id": id, "error": ["code": code, "message": message]])
    }

    static func notification(_ method: String, _ params: Any) -> String {
        encode(["jsonrpc": "2.0", "method": method, "params": params])
    }

    static func encode(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"the answer could not be written as JSON"}}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static var capabilities: [String: Any] { [
        "capabilities": [
            "positionEncoding": "utf-16",
            "textDocumentSync": ["openClose": true, "change": 2, "save": false],
            "completionProvider": ["triggerCharacters": [".", "`"]],
            "hoverProvider": true,
            "definitionProvider": true,
            "referencesProvider": true,
            "renameProvider": ["prepareProvider": true],
            "documentSymbolProvider": true,
            "signatureHelpProvider": ["triggerCharacters": ["(", ","]],
            "documentFormattingProvider": true,
        ] as [String: Any],
        "serverInfo": ["name": "kipi", "version": "0.1.0"],
    ] }
}
