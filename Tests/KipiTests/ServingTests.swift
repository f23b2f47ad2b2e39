import Foundation
import Synchronization
import Testing

@testable import Kipi

/// SPEC v3, serving many users: results that encode, typed accessors, diagnostics a web editor
/// can place, limits that narrow, an async evaluate.
struct ServingTests {
    static let formulas = """
        revenue = sum(amount)  norm 20
        by_manager = sum(amount) by manager
        first_day = min(date)
        months = count() by month(date)
        failed = sum(amount) / 0
        label = "Итого: " & text(sum(amount))
        """
    static let csv = "manager,amount,date\nAnn,10,2024-01-05\nБорис,5.5,2024-02-01\nAnn,,2024-02-03\n"

    @Test func jsonEncoderWritesTheSameJSONAsFormatJSON() throws {
        let result = try evaluate(Self.formulas, csv: Self.csv)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = String(decoding: try encoder.encode(result), as: UTF8.self)
        #expect(
            encoded
                == #"{"by_manager":[{"manager":"Ann","value":10},{"manager":"Борис","value":5.5}],"failed":{"error":"division by zero"},"#
                + #""first_day":"2024-01-05","label":"Итого: 15.5","months":[{"month(date)":"2024-01","value":1},{"month(date)":"2024-02","value":2}],"#
                + #""revenue":{"norm":20,"status":"below","value":15.5}}"#)
        let formatted = try JSONSerialization.jsonObject(with: Data(JSONFormatter.format(result).utf8)) as? NSDictionary
        #expect(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? NSDictionary == formatted)
        // Read back, the results encode to the same JSON.
        let decoded = try JSONDecoder().decode(EvaluationResult.self, from: Data(encoded.utf8))
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == encoded)
        #expect(decoded["by_manager"]?.keyNames == ["manager"])
    }

    @Test(arguments: CookbookTests.examples.map(\.name))
    func everyCookbookFileEncodesAsItsJSONOutput(_ name: String) throws {
        let (program, tables) = try SQLEngineTests.cookbook(name)
        let result = try program.evaluate(tables: tables)
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(result)) as? NSDictionary
        let formatted = try JSONSerialization.jsonObject(with: Data(JSONFormatter.format(result).utf8)) as? NSDictionary
        #expect(encoded == formatted)
    }

    @Test func typedAccessorsReachValuesWithoutNestedEnums() throws {
        let result = try evaluate(Self.formulas, csv: Self.csv)
        #expect(result["revenue"]?.number == 15.5)
        #expect(result["revenue"]?.assessment?.status == .below)
        #expect(result["label"]?.text == "Итого: 15.5")
        #expect(result["failed"]?.errorMessage == "division by zero")
        #expect(result["failed"]?.number == nil)
        #expect(result["by_manager"]?.rows.map(\.number) == [10, 5.5])
        #expect(result["by_manager"]?.row(["manager": .text("Борис")])?.number == 5.5)
        #expect(result["revenue"]?.rows == [])
    }
}

extension ServingTests {
    @Test func diagnosticsGiveStartAndEndInCharactersAndUTF16Units() throws {
        let text = "# отчёт\nx = if(\"Привет 世界 😀\" == \"\", sum(amout), 0)\n"
        let prefix = "x = if(\"Привет 世界 😀\" == \"\", sum("
        var found: Diagnostic?
        do {
            _ = try Kipi().compile(source: SourceText(name: "t.kpi", text: text), schema: Schema(columns: [("amount", .number)]))
        } catch {
            found = error.diagnostics.first
        }
        let diagnostic = try #require(found)
        // The emoji is one character and two UTF-16 units.
        #expect(diagnostic.start == SourceText.Location(line: 2, column: prefix.count + 1, utf16Column: prefix.utf16.count + 1))
        #expect(diagnostic.end == SourceText.Location(line: 2, column: prefix.count + 6, utf16Column: prefix.utf16.count + 6))
        #expect(prefix.utf16.count == prefix.count + 1)
    }
}

extension ServingTests {
    /// A host function that waits until `flag` is set (at most 20 s, a bound against a hang, not
    /// a measurement): 1 when it was set, 0 when the wait ran out.
    static func waitingProgram(_ flag: Cancellation) throws -> (Program, DataTable) {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "wait_for_flag", [.init("x", .number)], returns: .exactly(.number), summary: "",
                implementation: .scalar(propagatesNull: true) { _ in
                    for _ in 0..<20_000 where !flag.isCancelled { Thread.sleep(forTimeInterval: 0.001) }
                    return .number(flag.isCancelled ? 1 : 0)
                }))
        let table = try table("x\n1")
        return (try kipi.compile(source: SourceText(name: "t.kpi", text: "k = sum(wait_for_flag(x))\n"), schema: table.schema), table)
    }

    /// More evaluations at once than Swift has cooperative threads, each waiting for a task started
    /// after them: that task runs only if the evaluations leave the cooperative threads free.
    @Test func otherTasksRunWhileEvaluationsWork() async throws {
        let flag = Cancellation()
        let (program, table) = try Self.waitingProgram(flag)
        let count = ProcessInfo.processInfo.activeProcessorCount * 2 + 2
        let results = try await withThrowingTaskGroup(of: Double?.self) { group in
            for _ in 0..<count { group.addTask { try await program.evaluate(table)["k"]?.number } }
            group.addTask {
                flag.cancel()
                return nil
            }
            var found: [Double] = []
            for try await value in group { if let value { found.append(value) } }
            return found
        }
        #expect(results == Array(repeating: 1, count: count))
    }

    /// Cancelling the calling task cancels the evaluation; a caller's `Cancellation` still works.
    @Test func cancellingTheTaskCancelsTheAsyncEvaluation() async throws {
        let flag = Cancellation()
        let (program, table) = try Self.waitingProgram(flag)
        let task = Task { try await program.evaluate(table) }
        task.cancel()
        await #expect(throws: DiagnosticList.self) { try await task.value }
        let cancelled = Cancellation()
        cancelled.cancel()
        do {
            _ = try await program.evaluate(table, cancellation: cancelled)
            Issue.record("a cancelled evaluation finished")
        } catch {
            #expect(error.description == "error: the evaluation was cancelled")
        }
        flag.cancel()
        #expect(try await program.evaluate(table)["k"]?.number == 1)
    }
}

extension ServingTests {
    /// A `where` before the last argument got "expected ',', 'where' or ')' … found ','".
    @Test func aFilterBeforeTheLastArgumentShowsTheCallRewritten() {
        #expect(
            diagnostics("k = percentile(amount where manager == \"a\", 0.9)") == """
                test.kpi:1:43: error: 'where' comes after the last argument: percentile(amount, 0.9 where manager == "a")
                k = percentile(amount where manager == "a", 0.9)
                                                          ^
                """)
    }
}

extension ServingTests {
    /// A host function that counts its calls and cancels the evaluation at the `at`-th: no call
    /// may follow, whatever kind of KPI calls it.
    final class Counter: Sendable {
        let calls = Mutex(0)
        let cancellation = Cancellation()
        let at: Int
        init(at: Int) { self.at = at }
    }

    static func countingKipi(_ counter: Counter) throws -> Kipi {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "counted", [.init("x", .number)], returns: .exactly(.number), summary: "",
                implementation: .scalar(propagatesNull: true) { arguments in
                    let call = counter.calls.withLock { calls in
                        calls += 1
                        return calls
                    }
                    if call == counter.at { counter.cancellation.cancel() }
                    return arguments[0]
                }))
        try kipi.register(
            FunctionDefinition(
                "stopping_sum", [.collection("x", .number)], returns: .exactly(.number), summary: "",
                implementation: .aggregate { input in
                    // A long loop of the host's own, which reads the stop.
                    var total = 0.0
                    for value in input.collections[0].numbers {
                        if StopSignal.current?.isStopped == true { throw FunctionError("stopped inside") }
                        total += value
                        if total > 1_000 { counter.cancellation.cancel() }
                    }
                    return .number(total)
                }))
        return kipi
    }

    static let manyRows: DataTable = {
        let csv = "x,g,date\n" + (0..<50_000).map { "\($0 % 100),g\($0 % 7),2024-\(String(format: "%02d", $0 % 12 + 1))-01" }.joined(separator: "\n")
        return (try? DataTable.load(Data(csv.utf8), name: "many.csv")) ?? .empty
    }()

    @Test(arguments: [
        "k = sum(counted(x))",
        "k = median(counted(x))",
        "k = sum(counted(x)) by g",
        "let m = sum(counted(x)) by month(date)\nk = running_sum(m)",
        "k = count(where counted(x) > 50)",
    ])
    func noHostCallFollowsAStop(_ formula: String) throws {
        let counter = Counter(at: 20_000)
        let program = try Self.countingKipi(counter).compile(source: SourceText(name: "t.kpi", text: formula), schema: Self.manyRows.schema)
        #expect(throws: DiagnosticList.self) { try program.evaluate(Self.manyRows, cancellation: counter.cancellation) }
        #expect(counter.calls.withLock { $0 } == 20_000)
    }

    @Test func aHostAggregateSeesTheStopWithinItsOwnLoop() throws {
        let counter = Counter(at: .max)
        let program = try Self.countingKipi(counter).compile(source: SourceText(name: "t.kpi", text: "k = stopping_sum(x)"), schema: Self.manyRows.schema)
        do {
            _ = try program.evaluate(Self.manyRows, cancellation: counter.cancellation)
            Issue.record("the evaluation was not stopped")
        } catch {
            #expect(error.description == "error: the evaluation was cancelled")
        }
        #expect(StopSignal.current == nil)
    }
}

extension ServingTests {
    /// Each kind of problem has its stable code, for a web form to map to its own hint.
    @Test(arguments: [
        ("k = sum(amout)", "unknown-column"),
        ("k = totl + 1\ntotal = 1", "unknown-name"),
        ("k = summ(amount)", "unknown-function"),
        ("k = sum(manager)", "type-mismatch"),
        ("k = amount + manager", "type-mismatch"),
        ("k = round()", "argument-count"),
        ("a = b\nb = a", "cycle"),
        ("k = (1 +", "syntax-error"),
        ("k = 1\nk = 2", "duplicate-definition"),
        ("k = count()  critical 10 norm 5 target 20", "thresholds-contradict"),
        ("k = count()  norm 5 norm 6", "threshold-twice"),
        ("data \"a.csv\" encodng \"x\"", "bad-data-option"),
        ("import \"x.kpi\"\nk = 1", "import-unreadable"),
        ("k = amount", "column-kpi"),
    ])
    func eachKindOfProblemHasItsCode(_ formula: String, _ code: String) {
        do {
            _ = try Kipi().compile(source: SourceText(name: "t.kpi", text: formula), schema: Schema(columns: [("amount", .number), ("manager", .text)]))
            Issue.record("no error for \(formula)")
        } catch {
            #expect(error.diagnostics.first?.code == code, "\(error)")
        }
    }

    @Test func limitsAndStopsHaveTheirCodes() throws {
        let data = try table("x\n1\n2\n")
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "k = count() by x"), schema: data.schema)
        let cancelled = Cancellation()
        cancelled.cancel()
        for (limits, cancellation, code) in [(Limits(rows: 1), nil, "limit-exceeded"), (Limits(groups: 1), nil, "limit-exceeded"), (nil, cancelled, "stopped")] {
            do {
                _ = try program.evaluate(data, limits: limits, cancellation: cancellation)
                Issue.record("no error")
            } catch {
                #expect(error.diagnostics.map(\.code) == [code])
            }
        }
        do {
            _ = try program.evaluate(data, parameters: ["nope": .number(1)])
        } catch {
            #expect(error.diagnostics.map(\.code) == ["unknown-parameter"])
        }
    }
}

extension ServingTests {
    /// A user's formula over a host's compiled definitions: the definitions are used as compiled,
    /// their KPIs are not reported, and a problem in an unused one is not the user's.
    @Test func aUsersFormulaCompilesAgainstCompiledDefinitions() throws {
        let (sales, tables) = try SQLEngineTests.cookbook("sales")
        let formula = try Kipi().compile(expression: SourceText(name: "<user>", text: "revenue_by_manager * 2 + critical"), against: sales, name: "mine")
        let result = try formula.evaluate(tables: tables)
        #expect(result.kpis.map(\.name) == ["mine"])
        let reference = try sales.evaluate(tables: tables)
        // Twice the program's own revenue per manager, plus its param critical (60%).
        let expected = reference["revenue_by_manager"]?.rows.compactMap { $0.number.map { $0 * 2 + 0.6 } }
        #expect(result["mine"]?.rows.compactMap(\.number) == expected)
        #expect(expected?.count == 6)
        #expect(throws: DiagnosticList.self) {
            try Kipi().compile(expression: SourceText(name: "<user>", text: "revenu + 1"), against: sales)
        }
    }
}

extension ServingTests {
    /// An evaluation error names where it arose: the expression that failed, not the KPI.
    @Test func evaluationErrorsNameTheExpressionWhereTheyArose() throws {
        let text = "# отчёт 😀\nk = round(sum(amount) / count(where amount > 100), 2)\ng = 1 + median(amount where amount > 100) by manager\n"
        let data = try table(Self.csv)
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: text), schema: data.schema)
        let result = try program.evaluate(data)
        let single = try #require(result["k"]?.errorSource)
        #expect(single.file == "t.kpi")
        #expect(single.start == SourceText.Location(line: 2, column: 11, utf16Column: 11))
        #expect(single.end == SourceText.Location(line: 2, column: 50, utf16Column: 50))
        let rows = result["g"]?.rows ?? []
        #expect(rows.count == 2)
        // median over no values fails in the median call, not in the addition above it.
        #expect(rows.allSatisfy { $0.errorSource?.start == SourceText.Location(line: 3, column: 9, utf16Column: 9) })
        #expect(result["k"]?.errorMessage == "division by zero")
    }
}
