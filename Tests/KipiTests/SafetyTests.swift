import Foundation
import Synchronization
import Testing

@testable import Kipi

/// Untrusted formulas and data (SPEC §7): what a stranger's formula may read, and the limits
/// that stop a hostile one.
struct ImportCapabilityTests {
    @Test func theLibraryReadsNoFileUnlessItsHostSaysSo() {
        do {
            _ = try Kipi().compile(source: SourceText(name: "user.kpi", text: "import \"/etc/passwd\"\nk = 1\n"), schema: nil)
            Issue.record("the import was read")
        } catch {
            #expect(
                error.description
                    == "user.kpi:1:8: error: cannot import '/etc/passwd': imports are not allowed here (the host reads no files for formulas)\nimport \"/etc/passwd\"\n       ^~~~~~~~~~~~~")
        }
    }

    @Test func aHostResolverDecidesWhatAnImportReads() throws {
        let library = SourceText(name: "lib.kpi", text: "let two = 2\n")
        let program = try Kipi().compile(source: SourceText(name: "user.kpi", text: "import \"lib\"\nk = two * 3\n"), schema: nil) { path, _ in
            guard path == "lib" else { throw FunctionError("no such library") }
            return library
        }
        #expect(single(try program.evaluate(.empty), "k") == "6")
    }

    /// A file that is not Kipi shows its first offending line, and no more of its content.
    @Test func aFileThatIsNotKipiIsQuotedOneLineAtMost() throws {
        let root = try ImportTests().directory(["main.kpi": "import \"secret.txt\"\nk = 1\n", "secret.txt": "root:x:0:0:root\ndaemon:x:1:1\nbin:x:2:2\n"])
        let run = CapturedRun(["eval", "\(root)/main.kpi"])
        #expect(run.status == 1)
        #expect(!run.errors.contains("daemon"))
        #expect(!run.errors.contains("bin:x"))
        #expect(run.errors.contains("more errors in this file"))
    }
}

struct LimitTests {
    static let data = "amount,name\n1,a\n2,b\n3,c\n4,d\n"

    func failure(_ formula: String, compileLimits: Limits = .standard, evaluateLimits: Limits? = nil, csv: String = data) -> String {
        do {
            var kipi = Kipi()
            kipi.limits = compileLimits
            let table = try table(csv)
            let program = try kipi.compile(source: SourceText(name: "t.kpi", text: formula), schema: table.schema)
            _ = try program.evaluate(table, limits: evaluateLimits)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func eachLimitStopsWithAnErrorNamingIt() {
        #expect(failure("k = 1\n", compileLimits: Limits(sourceSize: 4)) == "t.kpi: error: the formulas are larger than the limit of 4 bytes")
        #expect(failure("k = ((1))\n", compileLimits: Limits(nesting: 2)).hasPrefix("t.kpi:1:7: error: expression is nested too deeply (more than 2 levels)"))
        #expect(failure("k = sum([1, 2, 3])\n", compileLimits: Limits(listLength: 2)).hasPrefix("t.kpi:1:9: error: the list is too long (more than 2 elements)"))
        #expect(
            failure("fn f(x) = x + x\nfn g(x) = f(x) + f(x)\nk = g(1)\n", compileLimits: Limits(expansions: 2)).hasPrefix(
                "t.kpi:2:18: error: the formula's functions expand to too large a formula (more than 2 calls)"))
        #expect(failure("k = sum(amount)\n", evaluateLimits: Limits(rows: 3)) == "error: the data has 4 rows, more than the limit of 3")
        #expect(failure("k = sum(amount)\n", evaluateLimits: Limits(columns: 1)) == "error: the data has 2 columns, more than the limit of 1")
        #expect(failure("k = sum(amount)\n", evaluateLimits: Limits(memory: 10)) == "error: the evaluation would need about 36 bytes, more than the limit of 10 bytes")
        #expect(failure("k = count() by name\n", evaluateLimits: Limits(groups: 3)) == "error: 'by name' makes 4 groups, more than the limit of 3")
        #expect(failure("k = count() by name\n", evaluateLimits: Limits(outputCells: 5)) == "error: the results have 8 cells, more than the limit of 5")
    }

    /// 40 functions, each calling the one before twice: the expansion limit is reported once, not once per function.
    @Test func theExpansionLimitIsReportedOnce() {
        let functions = ["fn f0(x) = x + x"] + (1..<40).map { "fn f\($0)(x) = f\($0 - 1)(x) + f\($0 - 1)(x)" }
        let message = failure((functions + ["k = f39(1)"]).joined(separator: "\n") + "\n")
        #expect(message.components(separatedBy: "error:").count - 1 == 1)
        #expect(message.contains("the formula's functions expand to too large a formula (more than 10000 calls)"))
    }

    /// Found by profiling the formula fuzzer: "did you mean" compared an unknown name with every
    /// candidate in time proportional to both lengths, so one long name made a compile hang.
    @Test func aVeryLongUnknownNameGetsNoSuggestionAndNoDelay() {
        let name = String(repeating: "a", count: 300_000)
        let message = failure("k = sum(\(name))\n")
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? ""
        // Compared as a whole, so that a failure does not print 300,000 letters.
        #expect(firstLine == "t.kpi:1:9: error: unknown column '\(name)'", "first line has \(firstLine.count) characters")
        #expect(closestName(to: "amout", among: ["amount", "name"]) == "amount")
    }

    /// Every limit reports the same way: the evaluation throws, naming it (the groups' limit was a KPI's error).
    @Test func aKPIWithTooManyGroupsStopsTheEvaluationLikeEveryLimit() throws {
        let table = try table(Self.data)
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "k = count() by name\nt = count()\n"), schema: table.schema)
        #expect(throws: DiagnosticList.self) { try program.evaluate(table, limits: Limits(groups: 3)) }
        #expect(try program.evaluate(table, limits: Limits(groups: 4))["k"]?.rows.count == 4)
    }

    /// Limits given to one evaluation narrow the program's: a time limit of the program stays.
    @Test func evaluationLimitsNarrowAndNeverDrop() {
        var kipi = Kipi()
        kipi.limits = Limits(rows: 3, timeLimit: .seconds(5))
        let narrowed = kipi.limits.narrowed(by: Limits(rows: 10, groups: 2))
        #expect(narrowed.rows == 3 && narrowed.groups == 2 && narrowed.timeLimit == .seconds(5))
        #expect(kipi.limits.narrowed(by: Limits(timeLimit: .milliseconds(10))).timeLimit == .milliseconds(10))
        #expect(failure("k = sum(amount)\n", compileLimits: Limits(rows: 3), evaluateLimits: Limits(rows: 100)) == "error: the data has 4 rows, more than the limit of 3")
    }

    /// A slow host aggregate over many groups, stopped by the deadline well before it would end.
    @Test func theDeadlineStopsASlowEvaluation() throws {
        let (program, table) = try slowProgram()
        let started = ContinuousClock.now
        do {
            _ = try program.evaluate(table, limits: Limits(timeLimit: .milliseconds(200)))
            Issue.record("the evaluation was not stopped")
        } catch {
            #expect(error.description == "error: the evaluation took longer than its time limit of 0.2 seconds")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// A program whose one KPI calls a host aggregate that takes 1 ms, 20,000 times.
    func slowProgram() throws -> (Program, DataTable) {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "slow", [.collection("x", .number)], returns: .exactly(.number), summary: "",
                implementation: .aggregate { _ in
                    Thread.sleep(forTimeInterval: 0.001)
                    return .number(1)
                }))
        let table = try table("id\n" + (0..<20_000).map { "\($0)" }.joined(separator: "\n"))
        return (try kipi.compile(source: SourceText(name: "t.kpi", text: "k = slow(id) by id\n"), schema: table.schema), table)
    }

    /// The evaluation runs on a thread of its own, as a server's request would; the test's thread cancels it.
    @Test func anotherThreadCancelsAnEvaluation() throws {
        let (program, table) = try slowProgram()
        let cancellation = Cancellation()
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex("running")
        let started = ContinuousClock.now
        Thread {
            do {
                _ = try program.evaluate(table, cancellation: cancellation)
                outcome.withLock { $0 = "finished" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
            finished.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.1)
        cancellation.cancel()
        finished.wait()
        #expect(outcome.withLock { $0 } == "error: the evaluation was cancelled")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func cancellingTheTaskStopsTheEvaluation() async throws {
        let (program, table) = try slowProgram()
        let evaluation = Task.detached { () -> String in
            do {
                _ = try program.evaluate(table)
                return "finished"
            } catch {
                return "\(error)"
            }
        }
        evaluation.cancel()
        #expect(await evaluation.value == "error: the evaluation was cancelled")
    }
}

/// What the command line reads is bounded, and wide files load in linear time.
struct BoundedInputTests {
    @Test func standardInputPastTheCapIsRefused() {
        let run = CapturedRun(["eval", "-e", "count()", "--data", "-", "--max-input", "1"], input: "a\n" + String(repeating: "1\n", count: 600_000))
        #expect(run.status == 1)
        #expect(run.errors == "<stdin>: error: the input is larger than the limit of 1 MB (--max-input)\n")
    }

    @Test func anEndlessDeviceIsRefusedAtTheCap() {
        let run = CapturedRun(["eval", "-e", "count()", "--data", "/dev/zero", "--max-input", "1"])
        #expect(run.status == 1)
        #expect(run.errors == "/dev/zero: error: the input is larger than the limit of 1 MB (--max-input)\n")
        let formula = CapturedRun(["eval", "/dev/zero"])
        #expect(formula.errors == "/dev/zero: error: cannot read the formula file: it is not a regular file\n")
    }

    @Test func limitsHaveFlags() {
        let run = CapturedRun(["eval", "-e", "count() by name", "--data", "-", "--max-groups", "1"], input: "name\na\nb\n")
        #expect(run.status == 1)
        #expect(run.errors == "kipi: error: 'by name' makes 2 groups, more than the limit of 1\n")
        let usage = CapturedRun(["eval", "-e", "1", "--time-limit", "soon"])
        #expect(usage.status == 2)
        #expect(usage.errors.hasPrefix("kipi: error: --time-limit takes seconds, such as 30 or 0.5; got 'soon'"))
    }

    /// 100,000 columns: the header's repeated-name check was quadratic (34 s in a release build).
    @Test func aHundredThousandColumnsLoad() throws {
        let header = (0..<100_000).map { "c\($0)" }.joined(separator: ",")
        let row = [String](repeating: "1", count: 100_000).joined(separator: ",")
        let data = Data((header + "\n" + row + "\n" + row + "\n").utf8)
        let table = try DataTable.load(data, name: "wide.csv", options: DataOptions(columns: ["c99999"]))
        #expect(table["c99999"]?.numbers == [1, 1])
        let all = try DataTable.load(data, name: "wide.csv")
        #expect(all.columnNames.count == 100_000)
    }
}

/// A REPL session a host serves to strangers reads no files unless the host says so.
struct ReplFileAccessTests {
    @Test func aSessionReadsNoFilesByDefault() {
        var session = ReplSession()
        session.readInput = { Array("amount\n1\n2\n".utf8) }
        #expect(session.handle(":load /etc/passwd").text == "this session reads no files")
        #expect(session.handle(":data /etc/passwd").text == "this session reads no files")
        #expect(session.handle(":data -").text == "loaded 2 rows: amount")
        #expect(session.handle("import \"/etc/passwd\"").failed)
        #expect(session.handle("sum(amount)").text == "3")
    }
}
