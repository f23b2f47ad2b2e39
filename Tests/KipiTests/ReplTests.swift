import Foundation
import Testing

@testable import Kipi
@testable import KipiCLI

#if canImport(Glibc)
    import Glibc
#endif

struct ReplTests {
    func texts(_ session: inout ReplSession, _ lines: [String]) -> [String] {
        lines.map { session.handle($0).text }
    }

    @Test func keepsDefinitionsAndEvaluatesExpressions() throws {
        let path = try temporaryFile("d.csv", "manager,amount\nAnn,10\nBob,5\n")
        var session = ReplSession(readsFiles: true)
        #expect(session.handle(":data \(path)").text == "loaded 2 rows: manager, amount")
        #expect(session.handle(":columns").text == "manager: text\namount: number\n(2 rows)")
        #expect(session.handle("sum(amount)").text == "15")
        #expect(session.handle("let big = amount > 6").text == "defined big")
        #expect(session.handle("count(where big)").text == "1")
        #expect(session.handle("total = sum(amount)").text == "total  15")
        #expect(session.handle("total * 2").text == "30")
        #expect(session.handle("total = sum(amount) / 5").text == "total  3")
        #expect(session.handle("sum(amount) by manager").text == "manager  value\nAnn         10\nBob          5")
        let misspelled = session.handle("sum(amout)")
        #expect(misspelled.failed)
        #expect(
            misspelled.text == """
                <repl:8>:1:5: error: unknown column 'amout'; did you mean 'amount'?
                sum(amout)
                    ^~~~~
                """)
        #expect(session.handle(":describe sum").text.hasPrefix("sum(x: column of number) -> number"))
        #expect(session.handle(":describe total").text == "total = sum(amount) / 5\ntype: number\nvalue: 3")
        #expect(session.handle(":bogus").text == "unknown command ':bogus'; type :help")
        #expect(!session.isFinished)
        #expect(session.handle("exit").text == "")
        #expect(session.isFinished)
    }

    @Test func anOpenExpressionContinuesOnTheNextLine() throws {
        let path = try temporaryFile("d.csv", "amount\n10\n5\n")
        var session = ReplSession(readsFiles: true)
        _ = session.handle(":data \(path)")
        #expect(session.handle("sum(amount").text == "")
        #expect(session.isContinuing)
        #expect(session.handle("  where amount > 6)").text == "10")
        #expect(!session.isContinuing)
        #expect(session.handle("total = sum(amount) +").text == "")
        #expect(session.handle("1").text == "total  16")
        #expect(session.handle("count(").text == "")
        #expect(session.handle("").text.hasPrefix("<repl:3>:1:7: error: expected an expression, found end of file"))
        #expect(session.handle("\"a (\" == \"b\"").text == "false")
        #expect(session.handle("1 # and").text == "1")
        #expect(session.handle("sum(amount").text == "")
        #expect(session.finish() == ReplSession.Output("error: the input ended inside an unfinished expression: sum(amount", failed: true))
    }

    @Test func aDefinitionTypedAgainReplacesTheFilesOne() throws {
        let data = try temporaryFile("d.csv", "amount\n10\n5\n")
        let file = try temporaryFile("k.kpi", "param n = 2\ntotal = sum(amount) * n\n")
        var session = ReplSession(readsFiles: true)
        #expect(texts(&session, [":data \(data)", ":load \(file)"]) == ["loaded 2 rows: amount", "loaded \(file): 1 KPIs"])
        #expect(session.handle("param n = 4").text == "defined n")
        #expect(session.handle("total").text == "60")
        #expect(session.handle(":set n=10").text == "n = 10")
        #expect(session.handle("total").text == "150")
        // What used it is left out, and said so once, as when the data changes.
        let forgot = session.handle(":forget n")
        #expect(forgot.failed)
        #expect(forgot.text.hasPrefix("forgot n\n'total' does not fit the data and is left out until it does:\n\(file):2:23: error: unknown column 'n'"))
        #expect(session.handle(":list").text == "total  (left out: it does not fit the data)")
        #expect(session.handle("total").failed)
        #expect(session.handle(":reset").text == "forgot every definition")
        #expect(session.handle(":list").text == "no definitions")
    }

    /// `:list`, `:describe` and `:explain` read the names the checked program declares, in the
    /// order of the files and then of what was typed.
    @Test func listsDescribesAndExplainsWhatTheCheckedProgramDeclares() throws {
        let data = try temporaryFile("d.csv", "amount\n10\n5\n")
        let file = try temporaryFile("k.kpi", "# The threshold\nparam n = 2\nfn twice(x) = x * 2\ntotal = twice(sum(amount)) * n\n")
        var session = ReplSession(readsFiles: true)
        #expect(texts(&session, [":data \(data)", ":load \(file)", "let base = 3"]) == ["loaded 2 rows: amount", "loaded \(file): 1 KPIs", "defined base"])
        #expect(session.handle(":list").text == "n  (param, \(file))\ntwice  (fn, \(file))\ntotal  (KPI, \(file))\nbase  (let, <repl:1>)")
        #expect(session.handle(":describe n").text == "The threshold\nparam n = 2\ntype: number\nvalue: 2")
        #expect(session.handle(":describe twice").text == "fn twice(x) = x * 2")
        let explained = session.handle(":explain total")
        #expect(!explained.failed)
        #expect(explained.text.contains("60"))
        #expect(session.handle(":explain base") == ReplSession.Output("no KPI named 'base'", failed: true))
        #expect(session.completions(of: "tw") == ["twice"])
    }

    @Test func switchingDataReportsWhatNoLongerFitsOnce() throws {
        let first = try temporaryFile("a.csv", "amount\n10\n")
        let second = try temporaryFile("b.csv", "price\n3\n")
        var session = ReplSession(readsFiles: true)
        _ = session.handle(":data \(first)")
        _ = session.handle("total = sum(amount)")
        let switched = session.handle(":data \(second)")
        #expect(switched.failed)
        #expect(switched.text.hasPrefix("loaded 1 rows: price\n'total' does not fit the data and is left out until it does:"))
        #expect(session.handle("sum(price)") == ReplSession.Output("3"))
        #expect(session.handle("count()") == ReplSession.Output("1"))
        #expect(session.handle(":list").text == "total  (left out: it does not fit the data)")
        // Back on data it fits, it is back.
        #expect(session.handle(":data \(first)") == ReplSession.Output("loaded 1 rows: amount"))
        #expect(session.handle("total * 2") == ReplSession.Output("20"))
    }

    /// SPEC v3: `kipi repl FILE.kpi` loads every definition that checks and reports the others once;
    /// after `:data`, a loaded file's definitions that do not fit are reported once, and every
    /// other input still answers.
    @Test func aFileWithABadDefinitionLoadsTheOthers() throws {
        let data = try temporaryFile("a.csv", "amount,region\n10,EU\n5,US\n")
        let formulas = try temporaryFile("k.kpi", "total = sum(amount)\nbad = sum(amount_typo)\ndoubled = total * 2\nuses_bad = bad + 1\n")
        var session = ReplSession(readsFiles: true)
        _ = session.handle(":data \(data)")
        let loaded = session.handle(":load \(formulas)")
        #expect(loaded.failed)
        #expect(loaded.text.hasPrefix("loaded \(formulas): 2 KPIs\n'bad' does not fit the data and is left out until it does:\n"))
        #expect(loaded.text.contains("'uses_bad' does not fit the data"))
        #expect(session.handle("doubled") == ReplSession.Output("30"))
        #expect(session.handle("count()") == ReplSession.Output("2"))
        let other = try temporaryFile("b.csv", "price\n3\n")
        let switched = session.handle(":data \(other)")
        // total and doubled no longer fit; bad and uses_bad, reported at the load, are not again.
        #expect(switched.text.components(separatedBy: "does not fit").count == 3)
        #expect(switched.text.contains("'total' does not fit") && switched.text.contains("'doubled' does not fit"))
        #expect(session.handle("sum(price)") == ReplSession.Output("3"))
        #expect(session.handle("sum(price)") == ReplSession.Output("3"))
    }

    /// A data path with spaces (the command line's `--data "my file.csv"`, or quoted after
    /// `:data`), and the options of one table (`--type plans.x=text`).
    @Test func dataPathsWithSpacesAndOptionsPerTable() throws {
        let data = try temporaryFile("my file.csv", "amount\n10\n5\n")
        let plans = try temporaryFile("plans.csv", "code,target\n001,3\n")
        var session = ReplSession(readsFiles: true)
        #expect(session.loadData(table: "", path: data) == ReplSession.Output("loaded 2 rows: amount"))
        #expect(session.handle(":data \"\(data)\"") == ReplSession.Output("loaded 2 rows: amount"))
        session.tableDataOptions["plans"] = DataOptions(columnTypes: ["code": .text])
        _ = session.handle(":data plans=\(plans)")
        #expect(session.handle(":columns").text.contains("plans.code: text"))
        let options = try Options.parse(["repl", "--data", data, "--data", "plans=\(plans)", "--type", "plans.code=text"])
        #expect(options.dataOptions(for: "plans").columnTypes == ["code": .text])
        #expect(options.dataOptions(for: "").columnTypes == [:])
    }

    @Test func formatsSavesAndReadsDataOptions() throws {
        let data = try temporaryFile("d.csv", "manager;amount\nAnn;1,5\nBob;2\n")
        var session = ReplSession(readsFiles: true)
        _ = session.handle(":data \(data) --decimal-comma")
        #expect(session.handle("sum(amount)").text == "3.50")
        _ = session.handle(":format json")
        #expect(session.handle("sum(amount) by manager").text.contains("{\"manager\": \"Ann\", \"value\": 1.5}"))
        _ = session.handle("total = sum(amount) * 2")
        let saved = (NSTemporaryDirectory() as NSString).appendingPathComponent("kipi-saved-\(UUID().uuidString).kpi")
        #expect(session.handle(":save \(saved)").text == "saved \(saved)")
        let run = CapturedRun(["eval", saved, "--data", data, "--decimal-comma", "--format", "json"])
        #expect(run.output == "{\n  \"total\": 7\n}\n")
    }

    @Test func completesNamesColumnsFunctionsAndCommands() throws {
        let data = try temporaryFile("d.csv", "Выручка сделки,amount\n1,2\n")
        var session = ReplSession(readsFiles: true)
        _ = session.handle(":data \(data)")
        _ = session.handle("amount_total = sum(amount)")
        #expect(session.completions(of: "amo") == ["amount", "amount_total"])
        #expect(session.completions(of: "Выр") == ["`Выручка сделки`"])
        #expect(session.completions(of: ":ex") == [":explain"])
        #expect(session.completions(of: "percentr").prefix(2) == ["percentrank", "percentrank_exc"])
    }

    @Test func runsFromAPipeWithoutPromptsAndFailsOnAFailedInput() throws {
        let run = CapturedRun(["repl"], lines: ["1 + 1", "x = 3", "x * 2", ":quit"])
        #expect(run.status == 0)
        #expect(run.output == "2\nx  3\n6\n")
        let failing = CapturedRun(["repl"], lines: ["1 / 0", "2"])
        #expect(failing.status == 1)
        #expect(failing.output == "2\n")
        #expect(failing.errors == "error: division by zero\n")
        let unfinished = CapturedRun(["repl"], lines: ["sum([1, 2"])
        #expect(unfinished.status == 1)
        #expect(unfinished.errors == "error: the input ended inside an unfinished expression: sum([1, 2\n")
    }

    /// The line editor through a real pseudo-terminal: keys typed on the master side, the screen read back.
    @Test func editsLinesAtATerminal() throws {
        let history = (NSTemporaryDirectory() as NSString).appendingPathComponent("kipi-history-\(UUID().uuidString)")
        let data = try temporaryFile("d.csv", "Выручка,amount\n1,2\n3,4\n")
        let first = try runAtTerminal(
            keys: [
                "1 + 2\r",  // an expression
                "sum(amo\t)\r",  // Tab completes a column
                "sum(Выр\t)\r",  // and a Cyrillic one
                "1 + \u{3}",  // Ctrl-C abandons the input
                "\u{1B}[A\u{1B}[A\u{1B}[A\r",  // ↑ three times recalls the first line
                "2 * 3\u{1B}[D\u{1B}[D\u{7F}+\r",  // ← twice, Backspace, then + in the middle: 2 + 3
                "\u{4}",  // Ctrl-D leaves
            ], data: data, history: history)
        #expect(first.results == ["3", "6", "4", "3", "5"])
        #expect(first.screen.contains("kipi> sum(amount)"))
        #expect(first.screen.contains("kipi> sum(Выручка)"))
        #expect(first.screen.contains("kipi> 1 + \u{1B}[K^C"))
        // A second session recalls the first one's history.
        let second = try runAtTerminal(keys: ["\u{1B}[A\r", "\u{4}"], data: data, history: history)
        #expect(second.results == ["5"])
    }

    /// The `kipi` program itself through a real pseudo-terminal (`Tests/Terminal/repl_interrupt.py`):
    /// Ctrl-C during an evaluation of seconds on a million rows cancels it, the session answers the
    /// next input with the definitions typed before, and a file with a bad definition loads the others.
    @Test func ctrlCCancelsAnEvaluationAndTheSessionGoesOn() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let (status, text) = try runPython(repositoryRoot.appendingPathComponent("Tests/Terminal/repl_interrupt.py").path, [builtKipi, work.path])
        #expect(status == 0, "\(text.suffix(2_000))")
        #expect(text.contains("error: the evaluation was cancelled"))
    }

    /// What the screen showed, and the lines the session printed after the banner.
    func runAtTerminal(keys: [String], data: String, history: String) throws -> (screen: String, results: [String]) {
        var master: Int32 = 0
        var slave: Int32 = 0
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw CocoaError(.fileReadUnknown) }
        defer {
            close(master)
        }
        let editor = LineEditor(input: slave, output: slave, historyFile: history)
        let options = try Options.parse(["repl", "--data", data])
        let output = OutputBuffer()
        let terminal = Terminal(readInput: { _ in [] }, readLine: { nil }, write: { output.append($0) }, writeError: { output.append($0) })
        let finished = DispatchSemaphore(value: 0)
        let (masterSide, slaveSide) = (master, slave)
        let loop = Unchecked {
            _ = ReplLoop.run(options: options, terminal: terminal, editor: editor)
            close(slaveSide)
            finished.signal()
        }
        Thread.detachNewThread { loop.work() }
        let screen = OutputBuffer()
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(masterSide, &buffer, buffer.count)
                if count <= 0 { break }
                screen.append(String(decoding: buffer[..<count], as: UTF8.self))
            }
        }
        for key in keys {
            usleep(150_000)
            _ = key.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        }
        _ = finished.wait(timeout: .now() + 10)
        usleep(100_000)
        let lines = output.text.split(separator: "\n").map(String.init)
        return (screen.text, Array(lines.drop { !$0.hasPrefix("Kipi ") }.dropFirst()))
    }
}

/// Work handed to another thread that the test alone touches meanwhile.
final class Unchecked: @unchecked Sendable {
    let work: () -> Void
    init(_ work: @escaping () -> Void) { self.work = work }
}

final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = ""

    func append(_ text: String) {
        lock.lock()
        stored += text
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
