// A CRM's KPI endpoint in miniature: its users type formulas, the host evaluates them next to
// its data under limits, and every problem comes back as a value to show — never a crash.
import Foundation
import Kipi

/// The answers of concurrent requests, behind a lock (a pthread mutex, which ThreadSanitizer knows).
final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String] = []

    func add(_ answer: String) { lock.withLock { answers.append(answer) } }

    var all: [String] { lock.withLock { answers } }
}

/// The host's environment, built once at start-up and shared by every request.
let kipi: Kipi = {
    var kipi = Kipi()
    // A scalar plugin: the amount with VAT.
    try? kipi.register(
        FunctionDefinition(
            "with_vat", [.init("amount", .number)], returns: .exactly(.number), summary: "The amount with 20% VAT.",
            implementation: .scalar(propagatesNull: true) { arguments in
                guard case .number(let amount) = arguments[0] else { return .null }
                return .number(amount * 1.2)
            }))
    // An aggregate plugin: the geometric mean of positive values.
    try? kipi.register(
        FunctionDefinition(
            "geomean", [.collection("x", .number)], returns: .exactly(.number), summary: "The geometric mean of positive values.",
            implementation: .aggregate { input in
                let values = input.collections[0].numbers
                guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw FunctionError("geomean needs positive values") }
                return .number(exp(values.map(log).reduce(0, +) / Double(values.count)))
            }))
    // A plugin that calls a slow service: the deadline stops it.
    try? kipi.register(
        FunctionDefinition(
            "credit_score", [.collection("client", .text)], returns: .exactly(.number), summary: "Asks the credit bureau.",
            implementation: .aggregate { _ in
                Thread.sleep(forTimeInterval: 0.2)
                return .number(700)
            }))
    // A plugin with a bug: it says it returns a number and returns text.
    try? kipi.register(
        FunctionDefinition(
            "buggy", [.init("x", .number)], returns: .exactly(.number), summary: "Returns text by mistake.",
            implementation: .scalar(propagatesNull: true) { _ in .text("oops") }))
    kipi.limits = Limits(sourceSize: 16 << 10, expansions: 1_000, listLength: 1_000, rows: 1_000_000, groups: 10_000, timeLimit: .milliseconds(500))
    return kipi
}()

/// The CRM's data, as the host holds it: here a CSV upload.
let deals = """
    date,manager,client,amount
    2024-01-10,Иванов,ООО Ромашка,120000
    2024-01-22,Петрова,ИП Сидоров,45000
    2024-02-05,Иванов,ООО Ромашка,80000
    2024-02-18,Петрова,АО Вектор,150000
    2024-03-01,Иванов,АО Вектор,
    """

/// One request: a user's formula, answered with its value or its errors, as JSON would carry them.
func answer(_ formula: String, data: DataTable) -> String {
    do {
        // `compile` reads no files: an `import` in a user's formula is refused.
        let program = try kipi.compile(source: SourceText(name: "user.kpi", text: formula), schema: data.schema)
        let result = try program.evaluate(data)
        return JSONFormatter.format(result).replacingOccurrences(of: "\n", with: " ")
    } catch {
        return "error: " + error.diagnostics.map(\.message).joined(separator: "; ")
    }
}

let data: DataTable
do {
    data = try DataTable.load(Data(deals.utf8), name: "deals.csv")
} catch {
    print("the data could not be read: \(error)")
    exit(1)
}

// What each request must answer; the example fails (exit 1) if any answer differs.
let requests: [(formula: String, expected: String)] = [
    ("revenue = sum(amount)", #"{   "revenue": 395000 }"#),
    ("with_vat_by_manager = sum(with_vat(amount)) by manager", #"{   "with_vat_by_manager": [     {"manager": "Иванов", "value": 240000},     {"manager": "Петрова", "value": 234000}   ] }"#),
    ("typical = round(geomean(amount))", #"{   "typical": 89721 }"#),
    ("per_deal = sum(amount) / count(where amount > 1000000)", #"{   "per_deal": {"error": "division by zero"} }"#),
    ("bad = buggy(1)", #"{   "bad": {"error": "function 'buggy' returned text, but it is declared to return a number"} }"#),
    ("import \"/etc/passwd\"\nk = 1", "error: cannot import '/etc/passwd': imports are not allowed here (the host reads no files for formulas)"),
    ("k = sum(amount", "error: expected ',', 'where' or ')' in the call to 'sum', found end of file"),
    ("k = sum(amont)", "error: unknown column 'amont'; did you mean 'amount'?"),
    ("scores = credit_score(client) by date", "error: the evaluation took longer than its time limit of 0.5 seconds"),
    ("k = " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300), "error: expression is nested too deeply (more than 128 levels)"),
]

var failures = 0
for (formula, expected) in requests {
    let started = ContinuousClock.now
    let got = answer(formula, data: data)
    let took = ContinuousClock.now - started
    print("\(formula.prefix(60).replacingOccurrences(of: "\n", with: "⏎"))\n  → \(got)  [\(took.formatted(.units(allowed: [.milliseconds])))]")
    if got != expected {
        print("  expected: \(expected)")
        failures += 1
    }
}
// Many requests at once: one compiled program, evaluated from several threads at the same time
// (what ThreadSanitizer watches in `Fuzz/tsan.sh`).
do {
    let program = try kipi.compile(
        source: SourceText(name: "shared.kpi", text: "revenue = sum(with_vat(amount)) by manager, month(date)\ntypical = geomean(amount)\n"),
        schema: data.schema)
    let expected = JSONFormatter.format(try await program.evaluate(data))
    let answers = Answers()
    DispatchQueue.concurrentPerform(iterations: 64) { _ in
        answers.add((try? program.evaluate(data)).map(JSONFormatter.format) ?? "failed")
    }
    let differing = answers.all.filter { $0 != expected }.count
    print("64 concurrent evaluations of one program: \(differing == 0 ? "all equal" : "\(differing) differ")")
    failures += differing
} catch {
    print("the shared program failed: \(error)")
    failures += 1
}

// Requests as a service serves them: each in a task of its own, evaluated with the async form
// (which leaves Swift's cooperative threads to the other requests), the results written with
// JSONEncoder. One client hangs up: cancelling its task stops its evaluation.
do {
    let program = try kipi.compile(
        source: SourceText(name: "service.kpi", text: "revenue = sum(amount)  norm 400000\nby_manager = sum(amount) by manager\n"), schema: data.schema)
    let slow = try kipi.compile(source: SourceText(name: "slow.kpi", text: "scores = credit_score(client) by date\n"), schema: data.schema)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let served = Task { try await program.evaluate(data) }
    let abandoned = Task { try await slow.evaluate(data) }
    try await Task.sleep(for: .milliseconds(50))
    abandoned.cancel()
    let json = String(decoding: try encoder.encode(try await served.value), as: UTF8.self)
    let expectedJSON = #"{"by_manager":[{"manager":"Иванов","value":200000},{"manager":"Петрова","value":195000}],"revenue":{"norm":400000,"status":"below","value":395000}}"#
    print("async request → \(json)")
    if json != expectedJSON {
        print("  expected: \(expectedJSON)")
        failures += 1
    }
    do {
        _ = try await abandoned.value
        print("the abandoned request finished")
        failures += 1
    } catch {
        print("abandoned request → \(error)")
        if "\(error)" != "error: the evaluation was cancelled" { failures += 1 }
    }
} catch {
    print("the service's requests failed: \(error)")
    failures += 1
}

print(failures == 0 ? "all \(requests.count) requests answered as expected" : "\(failures) answers differ")
exit(failures == 0 ? 0 : 1)
