// Measures, in one run: 3 KPIs over 10M in-memory rows against the loops a developer would
// write by hand; a small formula evaluated once per record (parameters, one-row table) against
// a native closure; and, over the loaded sales CSV, grouping by text and each order statistic.
// Prints one line per case: `name<TAB>seconds<TAB>what`; run.py makes the table.
import Foundation
import Kipi

func best(of runs: Int = 5, _ body: () -> Void) -> Double {
    var fastest = Double.infinity
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

func report(_ name: String, _ seconds: Double, _ what: String) {
    print("\(name)\t\(seconds)\t\(what)")
}

func compile(_ expression: String, _ schema: Schema?, kipi: Kipi = Kipi()) -> Program {
    do {
        return try kipi.compile(expression: SourceText(name: "bench", text: expression), schema: schema)
    } catch {
        fatalError("\(expression): \(error)")
    }
}

func value(_ result: EvaluationResult) -> Double {
    guard case .single(.value(.number(let number))) = result.kpis[0].value else { fatalError("\(result)") }
    return number
}

func evaluate(_ program: Program, _ table: DataTable, _ parameters: [String: Value] = [:]) -> EvaluationResult {
    do {
        return try program.evaluate(table, parameters: parameters)
    } catch {
        fatalError("\(error)")
    }
}

/// A fixed-seed generator: the same data every run, and cheap to draw from.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Keeps the optimizer from dropping a result.
nonisolated(unsafe) var sink = 0.0

// 3 KPIs over 10M rows of two number columns.
func columnar(rows: Int) {
    var generator = SplitMix(seed: 20_241_122)
    let a = (0..<rows).map { _ in Double.random(in: 0..<1000, using: &generator).rounded() / 10 }
    let b = (0..<rows).map { _ in Double.random(in: 1..<10, using: &generator).rounded() }
    let table: DataTable
    do {
        table = try DataTable(columns: [("a", Column(numbers: a)), ("b", Column(numbers: b))], rowCount: rows)
    } catch {
        fatalError("\(error)")
    }
    let cases: [(String, (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Double)] = [
        ("sum(a * b + 1)", { a, b in
            var total = 0.0
            for row in 0..<a.count { total += a[row] * b[row] + 1 }
            return total
        }),
        ("sum(a where b > 3)", { a, b in
            var total = 0.0
            for row in 0..<a.count where b[row] > 3 { total += a[row] }
            return total
        }),
        ("avg(a / b)", { a, b in
            var total = 0.0
            for row in 0..<a.count { total += a[row] / b[row] }
            return total / Double(a.count)
        }),
    ]
    for (formula, native) in cases {
        let program = compile(formula, table.schema)
        let kipi = best(of: 3) { sink += value(evaluate(program, table)) }
        let loop = best(of: 3) {
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in sink += native(a, b) } }
        }
        report("columnar \(formula)", kipi, "kipi, \(rows) rows")
        report("columnar \(formula) native", loop, "native Swift loop")
    }
}

// One small formula per record.
func embedded(records: Int) {
    let facts = (0..<records).map { Double($0 % 97) + 10 }
    let kipi = Kipi()
    let withParameters: Program
    do {
        withParameters = try kipi.compile(
            source: SourceText(name: "score.kpi", text: """
                param fact = 0
                param critical = 10
                param norm = 100
                score = (fact - critical) / (norm - critical)
                """), schema: nil)
    } catch {
        fatalError("\(error)")
    }
    let perParameters = best {
        for fact in facts { sink += value(evaluate(withParameters, .empty, ["fact": .number(fact)])) }
    } / Double(records)
    report("embedded parameters", perParameters, "(fact - critical) / (norm - critical), params, per evaluation")

    let schema = Schema(columns: [("fact", .number), ("critical", .number), ("norm", .number)])
    let oneRow = compile("sum((fact - critical) / (norm - critical))", schema)
    let tables: [DataTable] = facts.prefix(1000).map { fact in
        do {
            return try DataTable(
                columns: [("fact", Column(numbers: [fact])), ("critical", Column(numbers: [10])), ("norm", Column(numbers: [100]))], rowCount: 1)
        } catch {
            fatalError("\(error)")
        }
    }
    let perRow = best {
        for record in 0..<records { sink += value(evaluate(oneRow, tables[record % tables.count])) }
    } / Double(records)
    report("embedded one-row table", perRow, "the same over a one-row table, per evaluation")

    let critical = 10.0, norm = 100.0
    let closure: @Sendable (Double) -> Double = { fact in (fact - critical) / (norm - critical) }
    let native = best {
        for fact in facts { sink += closure(fact) }
    } / Double(records)
    report("embedded native", native, "a native closure, per evaluation")
    prepared(records: records)
}

// Formulas per record (SPEC §7): `kipi.prepare`, each beside the same formula as a native closure.
func prepared(records: Int) {
    let facts = (0..<records).map { Double($0 % 97) + 10 }
    let kipi = Kipi()
    func prepare(_ formula: String, _ inputs: [(name: String, type: KipiType)]) -> PreparedFormula {
        do {
            return try kipi.prepare(formula, inputs: inputs)
        } catch {
            fatalError("\(error)")
        }
    }
    let numbers: [(name: String, type: KipiType)] = [("fact", .number), ("critical", .number), ("norm", .number)]
    let numberCases: [(String, String, @Sendable (Double, Double, Double) -> Double)] = [
        ("score", "score(fact, critical, norm)", { f, c, n in (f - c) / (n - c) }),
        ("level", "(fact - critical) / (norm - critical)", { f, c, n in (f - c) / (n - c) }),
        ("ten operators", "if(fact > norm, round((fact - norm) / (norm - critical) * 100 + 1, 1), -((norm - fact) / (norm - critical) * 50 - 2))", { f, c, n in
            f > n ? (((f - n) / (n - c) * 100 + 1) * 10).rounded() / 10 : -((n - f) / (n - c) * 50 - 2)
        }),
    ]
    for (name, formula, native) in numberCases {
        let formula = prepare(formula, numbers)
        let kipiTime = best {
            for fact in facts { sink += formula.evaluate([fact, 10, 100]).number ?? 0 }
        } / Double(records)
        let nativeTime = best {
            for fact in facts { sink += native(fact, 10, 100) }
        } / Double(records)
        report("prepared \(name)", kipiTime, "kipi.prepare, evaluate([Double]) per record")
        report("prepared \(name) native", nativeTime, "a native closure per record")
    }
    // The expression cel-go's and expr's published benchmarks evaluate, over values.
    let travel = prepare(
        #"(Origin == "MOW" or Country == "RU") and (Value >= 100 or Adults == 1)"#,
        [("Origin", .text), ("Country", .text), ("Value", .number), ("Adults", .number)])
    let origins: [Value] = [.text("MOW"), .text("LED"), .text("AER")]
    let countries: [Value] = [.text("RU"), .text("FI")]
    let records: [[Value]] = facts.indices.map { [origins[$0 % 3], countries[$0 % 2], .number(facts[$0]), .number(Double($0 % 3))] }
    let travelTime = best {
        for record in records { if case .value(.boolean(true)) = travel.evaluate(record) { sink += 1 } }
    } / Double(facts.count)
    let plain = facts.indices.map { (["MOW", "LED", "AER"][$0 % 3], ["RU", "FI"][$0 % 2], facts[$0], Double($0 % 3)) }
    let travelNative = best {
        for (origin, country, value, adults) in plain where (origin == "MOW" || country == "RU") && (value >= 100 || adults == 1) { sink += 1 }
    } / Double(facts.count)
    report("prepared travel", travelTime, "kipi.prepare, evaluate([Value]) per record")
    report("prepared travel native", travelNative, "a native closure per record")
}

// Over the loaded sales CSV: grouping by text against sum, and each order statistic.
func sales(path: String) {
    let table: DataTable
    do {
        table = try DataTable.load(contentsOf: path)
    } catch {
        fatalError("\(error)")
    }
    let cases = [
        "sum(amount)", "avg(amount) by manager", "count() by status",
        "median(amount)", "percentile(amount, 0.9)", "percentrank(amount, 15000)",
    ]
    for formula in cases {
        let program = compile(formula, table.schema)
        report("sales \(formula)", best { _ = evaluate(program, table) }, "evaluation after loading, \(table.rowCount) rows")
    }
}

/// How long after a 5 ms time limit each kind of KPI stops, over 3M rows; and a host function of
/// 50 µs a call under a 20 ms limit over 10,000 rows (SPEC v3: within a few milliseconds).
func stops() {
    var generator = SplitMix(seed: 7)
    let rows = 3_000_000
    let a = (0..<rows).map { _ in Double(generator.next() % 10_000) / 100 }
    let g = (0..<rows).map { _ in Value.text("g\(generator.next() % 1_000)") }
    let m = (0..<rows).map { _ in Value.text("2024-\(String(format: "%02d", Int(generator.next() % 12) + 1))") }
    guard
        let table = try? DataTable(
            columns: [("a", Column(numbers: a)), ("g", Column(values: g, type: .text)), ("m", Column(values: m, type: .text))], rowCount: rows)
    else { fatalError("the table") }
    let kinds = [
        ("one pass", "k = sum(a * 2 + 1)"), ("order statistic", "k = median(a)"), ("groups", "k = sum(a) by g"),
        ("window", "let s = sum(a) by g\nk = rank(s)"),
    ]
    for (kind, formula) in kinds {
        guard let program = try? Kipi().compile(source: SourceText(name: "stop.kpi", text: formula), schema: table.schema) else { fatalError(formula) }
        let full = best(of: 3) { _ = try? program.evaluate(table) }
        let stopped = best(of: 3) { _ = try? program.evaluate(table, limits: Limits(timeLimit: .milliseconds(5))) }
        report("stop \(kind)", stopped, "time limit 5 ms, 3M rows; the whole evaluation takes \(Int(full * 1000)) ms")
    }
    var kipi = Kipi()
    try? kipi.register(
        FunctionDefinition(
            "slow", [.init("x", .number)], returns: .exactly(.number), summary: "",
            implementation: .scalar(propagatesNull: true) { arguments in
                let until = DispatchTime.now().uptimeNanoseconds + 50_000
                while DispatchTime.now().uptimeNanoseconds < until {}
                return arguments[0]
            }))
    guard let small = try? DataTable(columns: [("a", Column(numbers: Array(a.prefix(10_000))))], rowCount: 10_000),
        let program = try? kipi.compile(source: SourceText(name: "slow.kpi", text: "k = sum(slow(a))"), schema: small.schema)
    else { fatalError("the host program") }
    report("stop host function", best(of: 3) { _ = try? program.evaluate(small, limits: Limits(timeLimit: .milliseconds(20))) }, "50 µs a call, time limit 20 ms, 10,000 rows")
}

/// What a server pays per request before evaluating: `Kipi()`, and a user's one-line formula
/// compiled against the service's definitions (the cookbook's sales file), checked again or not.
func serving(kpiFile: String) {
    guard let text = try? String(contentsOfFile: kpiFile, encoding: .utf8),
        let sources = try? Kipi().compile(source: SourceText(name: kpiFile, text: text), schema: nil, loadImport: Kipi.readImport).dataSources,
        let tables = try? Dictionary(uniqueKeysWithValues: sources.map { ($0.table, try DataTable.load(contentsOf: $0.resolvedPath, options: $0.options)) }),
        let program = try? Kipi().compile(
            source: SourceText(name: kpiFile, text: text), schema: tables[""]?.schema, tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema),
            loadImport: Kipi.readImport)
    else { fatalError("the service's definitions") }
    let user = SourceText(name: "<user>", text: "revenue_by_manager * 2")
    report("serving Kipi()", best(of: 20) { sink += Double(Kipi().functions.names.count) }, "an environment with the standard library")
    let again = best(of: 20) {
        _ = try? Kipi().compile(
            expression: user, schema: tables[""]?.schema, tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema),
            definitions: [SourceText(name: kpiFile, text: text)], loadImport: Kipi.readImport)
    }
    report("serving formula checked with definitions", again, "a one-line formula with the definitions checked again")
    report("serving formula against program", best(of: 20) { _ = try? Kipi().compile(expression: user, against: program) }, "a one-line formula against the compiled definitions")
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let rows = Int(arguments[2]), let records = Int(arguments[3]) else {
    print("usage: LibraryBench SALES.csv ROWS RECORDS [sales|embedded|prepared|columnar|stops|serving]")
    exit(2)
}
let only = arguments.count > 4 && !arguments[4].isEmpty ? arguments[4] : nil
if only == nil || only == "sales" { sales(path: arguments[1]) }
if only == nil || only == "embedded" { embedded(records: records) }
if only == "prepared" { prepared(records: records) }
if only == nil || only == "columnar" { columnar(rows: rows) }
if only == nil || only == "stops" { stops() }
if only == "serving" || (only == nil && arguments.count > 5) { serving(kpiFile: arguments[5]) }
if sink == 42 { print("") }
