import Foundation
import Testing

@testable import Kipi

/// `kipi lsp` (SPEC v3, §11) driven message by message, as an editor drives it.
struct LanguageServerTests {
    /// A folder with a data file, an imported file and the document, and a server over it.
    final class Session {
        let server = LanguageServer()
        let folder: URL
        let uri: String
        var nextID = 1

        init(_ text: String) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-lsp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "manager,amount,won\nAnn,10,true\nAnn,20,false\nБорис,5,true\n".write(to: folder.appendingPathComponent("sales.csv"), atomically: true, encoding: .utf8)
            try "manager,plan\nAnn,25\n".write(to: folder.appendingPathComponent("plans.csv"), atomically: true, encoding: .utf8)
            try "# Twice a value\nfn double(v) = v * 2\nlet won_amount = sum(amount where won)\n".write(to: folder.appendingPathComponent("common.kpi"), atomically: true, encoding: .utf8)
            uri = "file://" + folder.appendingPathComponent("main.kpi").path
            _ = send("initialize", [:])
            notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "kipi", "version": 1, "text": text]])
        }

        var lastNotifications: [[String: Any]] = []

        func send(_ method: String, _ params: [String: Any]) -> [String: Any] {
            let id = nextID
            nextID += 1
            let answers = handle(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
            return answers.first { ($0["id"] as? Int) == id } ?? [:]
        }

        func notify(_ method: String, _ params: [String: Any]) {
            lastNotifications = handle(["jsonrpc": "2.0", "method": method, "params": params])
        }

        func handle(_ message: [String: Any]) -> [[String: Any]] {
            let body = try? JSONSerialization.data(withJSONObject: message)
            return server.handle(Array(body ?? Data())).compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func at(_ line: Int, _ character: Int) -> [String: Any] {
            ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
        }

        /// The diagnostics last published, as `line:start-end message`.
        var diagnostics: [String] {
            let params = lastNotifications.first { $0["method"] as? String == "textDocument/publishDiagnostics" }?["params"] as? [String: Any]
            return (params?["diagnostics"] as? [[String: Any]] ?? []).map { diagnostic in
                let range = diagnostic["range"] as? [String: [String: Int]] ?? [:]
                return "\(range["start"]?["line"] ?? -1):\(range["start"]?["character"] ?? -1)-\(range["end"]?["character"] ?? -1) \(diagnostic["message"] ?? "")"
            }
        }
    }

    static let document = """
        data "sales.csv"
        data plans = "plans.csv"
        import "common.kpi"

        # Revenue of won deals
        revenue = sum(amount where won)  norm 20
        by_manager = sum(amount) by manager
        x = if("Привет 世界 😀" == "", sum(amout), 0)
        doubled = double(revenue) + won_amount
        """

    @Test func diagnosticsCountUTF16UnitsAfterCyrillicCJKAndAnEmoji() throws {
        let session = try Session(Self.document)
        let prefix = "x = if(\"Привет 世界 😀\" == \"\", sum("
        #expect(session.diagnostics == ["7:\(prefix.utf16.count)-\(prefix.utf16.count + 5) unknown column 'amout'; did you mean 'amount'?"])
        // An incremental change right after the emoji, counted in UTF-16 units, then the fix.
        let emojiEnd = "x = if(\"Привет 世界 😀".utf16.count
        session.notify("textDocument/didChange", [
            "textDocument": ["uri": session.uri, "version": 2],
            "contentChanges": [["range": ["start": ["line": 7, "character": emojiEnd], "end": ["line": 7, "character": emojiEnd]], "text": "!"]],
        ])
        #expect(session.diagnostics == ["7:\(prefix.utf16.count + 1)-\(prefix.utf16.count + 6) unknown column 'amout'; did you mean 'amount'?"])
        session.notify("textDocument/didChange", [
            "textDocument": ["uri": session.uri, "version": 3],
            "contentChanges": [["range": ["start": ["line": 7, "character": prefix.utf16.count + 1], "end": ["line": 7, "character": prefix.utf16.count + 6]], "text": "amount"]],
        ])
        #expect(session.diagnostics == [])
    }

    @Test func completionOffersColumnsTablesFunctionsAndDefinitions() throws {
        let session = try Session(Self.document)
        let items = (session.send("textDocument/completion", session.at(9, 0))["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        let labels = Set(items.compactMap { $0["label"] as? String })
        #expect(labels.isSuperset(of: ["amount", "manager", "won", "plans", "revenue", "by_manager", "double", "won_amount", "sum", "percentile", "where"]))
        #expect(items.first { $0["label"] as? String == "sum" }?["detail"] as? String == "sum(x: column of number) -> number")
        let qualified = try Session(Self.document + "\ny = sum(plans.")
        let columns = (qualified.send("textDocument/completion", qualified.at(9, 14))["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(columns.compactMap { $0["label"] as? String } == ["manager", "plan"])
    }

    @Test func hoverShowsTheFormulaDescriptionAndValueOverTheData() throws {
        let session = try Session(Self.document)
        let revenue = ((session.send("textDocument/hover", session.at(5, 2))["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        #expect(revenue == "```kpi\nrevenue = sum(amount where won)  norm 20\n```\n\nRevenue of won deals\n\nnumber = 15  ▼ below")
        let grouped = ((session.send("textDocument/hover", session.at(6, 2))["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        #expect(grouped?.hasSuffix("number by manager, 2 groups\n\n```\nmanager  value\nAnn         30\nБорис        5\n```") == true)
        let function = ((session.send("textDocument/hover", session.at(5, 11))["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        #expect(function?.hasPrefix("```\nsum(x: column of number) -> number\n```") == true)
        let column = ((session.send("textDocument/hover", session.at(5, 15))["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        #expect(column == "column `amount` of the data: number, 3 rows")
    }

    @Test func definitionReferencesAndRenameAcrossImports() throws {
        let session = try Session(Self.document)
        let definition = session.send("textDocument/definition", session.at(8, 11))["result"] as? [String: Any]
        #expect((definition?["uri"] as? String)?.hasSuffix("/common.kpi") == true)
        #expect((definition?["range"] as? [String: [String: Int]])?["start"] == ["line": 1, "character": 3])
        let references = session.send("textDocument/references", session.at(5, 2).merging(["context": ["includeDeclaration": true]]) { $1 })["result"] as? [[String: Any]]
        #expect(references?.map { ($0["range"] as? [String: [String: Int]])?["start"]?["line"] ?? -1 } == [5, 8])
        let rename = session.send("textDocument/rename", session.at(8, 30).merging(["newName": "выигрыш сделок"]) { $1 })["result"] as? [String: Any]
        let changes = rename?["changes"] as? [String: [[String: Any]]] ?? [:]
        #expect(changes.count == 2)
        #expect(changes.values.flatMap { $0 }.allSatisfy { $0["newText"] as? String == "`выигрыш сделок`" })
        let refused = session.send("textDocument/rename", session.at(5, 15).merging(["newName": "x"]) { $1 })
        #expect((refused["error"] as? [String: Any])?["code"] as? Int == -32803)
    }

    @Test func symbolsSignatureHelpAndFormatting() throws {
        let session = try Session(Self.document + "\nz = round(revenue, ")
        let symbols = session.send("textDocument/documentSymbol", ["textDocument": ["uri": session.uri]])["result"] as? [[String: Any]]
        #expect(symbols?.map { "\($0["name"] ?? "") \($0["detail"] ?? "")" } == [
            "sales.csv data", "plans data", "common.kpi import", "revenue KPI", "by_manager KPI by manager", "x KPI", "doubled KPI",
        ])
        let help = session.send("textDocument/signatureHelp", session.at(9, 19))["result"] as? [String: Any]
        #expect(help?["activeParameter"] as? Int == 1)
        #expect(((help?["signatures"] as? [[String: Any]])?.first?["label"] as? String)?.hasPrefix("round(") == true)
        let messy = try Session("x=1+2\n")
        let edits = messy.send("textDocument/formatting", ["textDocument": ["uri": messy.uri], "options": ["tabSize": 4, "insertSpaces": true]])["result"] as? [[String: Any]]
        #expect(edits?.first?["newText"] as? String == "x = 1 + 2\n")
    }

    @Test func malformedMessagesGetErrorsAndTheServerGoesOn() throws {
        let session = try Session("x = 1\n")
        func answer(_ text: String) -> [String: Any]? {
            session.server.handle(Array(text.utf8)).first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        #expect((answer("{not json")?["error"] as? [String: Any])?["code"] as? Int == -32700)
        #expect((answer("[1, 2]")?["error"] as? [String: Any])?["code"] as? Int == -32600)
        #expect((answer(#"{"jsonrpc":"2.0","id":{"a":1},"method":"initialize"}"#)?["error"] as? [String: Any])?["code"] as? Int == -32600)
        #expect((answer(#"{"jsonrpc":"2.0","id":7,"method":"textDocument/teleport","params":{}}"#)?["error"] as? [String: Any])?["code"] as? Int == -32601)
        #expect(answer(#"{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":{"uri":5},"position":"x"}}"#)?["error"] != nil)
        #expect(answer(#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"contentChanges":"x"}}"#) == nil)
        #expect(session.send("textDocument/hover", session.at(0, 0))["result"] != nil)
        _ = session.send("shutdown", [:])
        #expect((session.send("textDocument/hover", session.at(0, 0))["error"] as? [String: Any]) != nil)
        session.notify("exit", [:])
        #expect(session.server.exitStatus == 0)
    }

    @Test func framingReadsWholeMessagesHoweverTheBytesArrive() throws {
        var framing = MessageFraming()
        let one = MessageFraming.frame(#"{"a":"Привет"}"#)
        let two = MessageFraming.frame("{}")
        let all = one + two
        framing.append(all.prefix(5))
        #expect(try framing.next() == nil)
        framing.append(all.dropFirst(5))
        #expect(try framing.next().map { String(decoding: $0, as: UTF8.self) } == #"{"a":"Привет"}"#)
        #expect(try framing.next().map { String(decoding: $0, as: UTF8.self) } == "{}")
        #expect(try framing.next() == nil)
        var broken = MessageFraming()
        broken.append(Array("Content-Type: x\r\n\r\n{}".utf8))
        #expect(throws: MessageFraming.Broken.self) { try broken.next() }
        var huge = MessageFraming()
        huge.append(Array("Content-Length: 99999999999\r\n\r\n".utf8))
        #expect(throws: MessageFraming.Broken.self) { try huge.next() }
    }
}

extension LanguageServerTests {
    /// A real client: headless Neovim with the repository's settings (`Editors/nvim`) runs
    /// `kipi lsp` through its own LSP client (`Tests/Editor/neovim_lsp.lua`).
    @Test func neovimsOwnClientShowsTheDiagnosticCompletionHoverAndRename() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-nvim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "manager,amount\nAnn,10\nBob,5\n".write(to: folder.appendingPathComponent("sales.csv"), atomically: true, encoding: .utf8)
        let file = folder.appendingPathComponent("t.kpi")
        try "data \"sales.csv\"\n\n# Revenue of all deals\nbad = sum(amout)\nrevenue = sum(amount)\nshare = revenue / 100\n".write(to: file, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = (builtKipi as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["XDG_STATE_HOME"] = folder.path
        let script = repositoryRoot.appendingPathComponent("Tests/Editor/neovim_lsp.lua").path
        let (_, text) = try runProgram(["nvim", "--headless", "--clean", "-l", script, repositoryRoot.path, file.path], environment: environment)
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("{") }, "nvim printed: \(text.suffix(2_000))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(result["filetype"] as? String == "kipi")
        #expect(result["attached"] as? Bool == true)
        let diagnostics = result["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["message"] as? String == "unknown column 'amout'; did you mean 'amount'?")
        #expect(diagnostics.first?["line"] as? Int == 3 && diagnostics.first?["col"] as? Int == 10 && diagnostics.first?["end_col"] as? Int == 15)
        let completion = result["completion"] as? [String] ?? []
        #expect(completion.contains("amount") && completion.contains("revenue") && completion.contains("sum"))
        #expect(result["hover"] as? String == "```kpi\nrevenue = sum(amount)\n```\n\nnumber = 15")
        #expect(result["renamed"] as? String == "total_revenue = sum(amount)")
        #expect(result["last_line"] as? String == "share = total_revenue / 100")
    }
}

extension LanguageServerTests {
    @Test func aDataFileThatCannotBeReadIsTheProblemOfItsDataLine() throws {
        let session = try Session("data plans = \"missing.csv\"\nx = 1\n")
        #expect(session.diagnostics.count == 1)
        #expect(session.diagnostics.first?.hasPrefix("0:0-26 cannot read the data file 'missing.csv': ") == true)
        let params = session.lastNotifications.first?["params"] as? [String: Any]
        #expect((params?["diagnostics"] as? [[String: Any]])?.first?["code"] as? String == "data-error")
    }
}
