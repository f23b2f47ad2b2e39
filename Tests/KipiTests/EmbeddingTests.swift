import Foundation
import Kipi
import Testing

/// What a host does through the public API only: its own functions, in-memory data, typed results.
struct EmbeddingTests {
    static let data: DataTable = {
        do {
            return try DataTable(
                columns: [
                    ("manager", Column(texts: ["Ann", "Ann", "Bob"])),
                    ("amount", Column(numbers: [10, 30, 5])),
                    ("score", Column(numbers: [1, 0, 4], nulls: [false, true, false])),
                ], rowCount: 3)
        } catch {
            preconditionFailure("valid table")
        }
    }()

    func hostKipi() throws -> Kipi {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "vat", [.init("net", .number)], returns: .exactly(.number),
                summary: "Adds 20% VAT.",
                implementation: .scalar(propagatesNull: true) { arguments in
                    guard case .number(let net) = arguments[0] else { return .null }
                    return .number(net * 1.2)
                }))
        try kipi.register(
            FunctionDefinition(
                "range_of", [.collection("x", .number)], returns: .exactly(.number),
                summary: "Largest minus smallest value.",
                implementation: .aggregate { input in
                    let values = input.collections[0].numbers
                    guard let low = values.min(), let high = values.max() else { throw FunctionError("range of no values") }
                    return .number(high - low)
                }))
        return kipi
    }

    @Test func hostFunctionsWorkLikeBuiltIns() throws {
        let kipi = try hostKipi()
        let program = try kipi.compile(
            source: SourceText(
                name: "host.kpi", text: "gross = sum(vat(amount))\nspread = range_of(amount) by manager\nempty = range_of(amount where amount > 100)"),
            schema: Self.data.schema)
        let result = try program.evaluate(Self.data)
        #expect(result["gross"]?.value == .single(.value(.number(54))))
        #expect(
            result["spread"]?.value
                == .grouped(
                    keyNames: ["manager"],
                    rows: [
                        GroupRow(keys: [.text("Ann")], outcome: .value(.number(20))),
                        GroupRow(keys: [.text("Bob")], outcome: .value(.number(0))),
                    ]))
        #expect(result["empty"]?.value == .single(.error("range of no values")))
        #expect(kipi.functions["vat"]?.signature == "vat(net: number) -> number")
    }

    @Test func hostFunctionsAreCheckedLikeBuiltIns() throws {
        let kipi = try hostKipi()
        #expect(throws: DiagnosticList.self) {
            try kipi.compile(source: SourceText(name: "host.kpi", text: "k = sum(vat(manager))"), schema: Self.data.schema)
        }
        #expect(messages(kipi, "k = sum(vta(amount))") == ["unknown function 'vta'; did you mean 'vat'?"])
    }

    @Test func registrationRefusesMalformedSignatures() throws {
        var kipi = Kipi()
        let noop = FunctionDefinition.Implementation.scalar(propagatesNull: true) { _ in .null }
        try kipi.register(FunctionDefinition("twice", [.init("x", .number)], returns: .exactly(.number), summary: "", implementation: noop))
        #expect(throws: FunctionError("a function named 'twice' is already registered")) {
            try kipi.register(FunctionDefinition("twice", [.init("x", .number)], returns: .exactly(.number), summary: "", implementation: noop))
        }
        #expect(throws: FunctionError("'not' is not a valid function name")) {
            try kipi.register(FunctionDefinition("not", [], returns: .exactly(.number), summary: "", implementation: noop))
        }
        #expect(throws: FunctionError("f: required parameter 'b' follows an optional one")) {
            try kipi.register(
                FunctionDefinition(
                    "f", [.init("a", .number, optional: true), .init("b", .number)], returns: .exactly(.number), summary: "", implementation: noop))
        }
        #expect(throws: FunctionError("g: a function with a collection parameter needs an aggregate implementation")) {
            try kipi.register(FunctionDefinition("g", [.collection("x", .number)], returns: .exactly(.number), summary: "", implementation: noop))
        }
    }

    @Test func aProgramIsCompiledOnceAndEvaluatedConcurrently() async throws {
        let program = try Kipi().compile(
            source: SourceText(name: "p.kpi", text: "param factor = 1\ntotal = sum(amount) * factor"), schema: Self.data.schema)
        let totals = await withTaskGroup(of: Double?.self) { group in
            for factor in 1...8 {
                group.addTask {
                    let result = try? program.evaluate(Self.data, parameters: ["factor": .number(Double(factor))])
                    if case .single(.value(.number(let total)))? = result?["total"]?.value { return total }
                    return nil
                }
            }
            var collected: [Double] = []
            for await total in group { if let total { collected.append(total) } }
            return collected.sorted()
        }
        #expect(totals == (1...8).map { Double($0) * 45 })
    }

    @Test func programsDescribeTheirKPIsAndParameters() throws {
        let program = try Kipi().compile(
            source: SourceText(
                name: "p.kpi", text: "# Goal\nparam goal = 100\n# Total amount\ntotal = sum(amount)\nshare = percent(amount > 8) by manager"),
            schema: Self.data.schema)
        #expect(
            program.kpis == [
                KPIInfo(name: "total", description: "Total amount", type: .number, format: .plain, keyNames: []),
                KPIInfo(name: "share", description: "", type: .number, format: .percent, keyNames: ["manager"]),
            ])
        #expect(program.parameters == [ParameterInfo(name: "goal", type: .number, defaultValue: .number(100), description: "Goal")])
        #expect(program.columnsUsed == ["amount", "manager"])
    }

    @Test func evaluationRefusesDataWithoutTheColumnsUsed() throws {
        let program = try Kipi().compile(source: SourceText(name: "p.kpi", text: "total = sum(amount)"), schema: Self.data.schema)
        let other = try DataTable(columns: [("cost", Column(numbers: [1]))], rowCount: 1)
        #expect(throws: DiagnosticList.self) { try program.evaluate(other) }
        let retyped = try DataTable(columns: [("amount", Column(texts: ["1"]))], rowCount: 1)
        #expect(throws: DiagnosticList.self) { try program.evaluate(retyped) }
        let empty = try DataTable(columns: [("amount", Column.nulls(.text, count: 2))], rowCount: 2)
        #expect(try program.evaluate(empty)["total"]?.value == .single(.value(.number(0))))
        let checkedOnNothing = try Kipi().compile(
            source: SourceText(name: "p.kpi", text: "total = sum(amount)"), schema: Schema(columns: [("amount", .null)]))
        #expect(throws: DiagnosticList.self) { try checkedOnNothing.evaluate(retyped) }
    }

    @Test func aNonDeterministicFunctionRunsAtEveryEvaluation() throws {
        final class Clock: @unchecked Sendable {
            private let lock = NSLock()
            private var ticks = 0
            func tick() -> Double {
                lock.lock()
                defer { lock.unlock() }
                ticks += 1
                return Double(ticks)
            }
        }
        let clock = Clock()
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "tick", [], returns: .exactly(.number), isDeterministic: false, summary: "Counts its calls.",
                implementation: .scalar(propagatesNull: true) { _ in .number(clock.tick()) }))
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "now = tick()"), schema: Self.data.schema)
        #expect(try program.evaluate(Self.data)["now"]?.value == .single(.value(.number(1))))
        #expect(try program.evaluate(Self.data)["now"]?.value == .single(.value(.number(2))))
    }

    @Test func anAggregateOfAListTakesItsValueArgumentsPerGroup() throws {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "top_sum", [.collection("x", .number), .init("n", .number)], returns: .exactly(.number),
                summary: "Sum of the n largest values.",
                implementation: .aggregate { input in
                    guard case .number(let n) = input.arguments[0] else { return .null }
                    return .number(input.collections[0].numbers.sorted(by: >).prefix(Int(n)).reduce(0, +))
                }))
        let program = try kipi.compile(
            source: SourceText(name: "t.kpi", text: "k = top_sum([5, 3, 1], count()) by manager\nall = top_sum(amount, 2)"),
            schema: Self.data.schema)
        let result = try program.evaluate(Self.data)
        #expect(
            result["k"]?.value
                == .grouped(
                    keyNames: ["manager"],
                    rows: [
                        GroupRow(keys: [.text("Ann")], outcome: .value(.number(8))),
                        GroupRow(keys: [.text("Bob")], outcome: .value(.number(5))),
                    ]))
        #expect(result["all"]?.value == .single(.value(.number(40))))
    }

    @Test func overloadsAreChosenByArgumentCount() throws {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "sum", [.init("a", .number), .init("b", .number)], returns: .exactly(.number), summary: "Adds two numbers.",
                implementation: .scalar(propagatesNull: true) { arguments in
                    guard case .number(let a) = arguments[0], case .number(let b) = arguments[1] else { return .null }
                    return .number(a + b)
                }), replacingBuiltIn: true)
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "k = sum(amount)\nj = sum(sum(amount), 2)"), schema: Self.data.schema)
        let result = try program.evaluate(Self.data)
        #expect(result["k"]?.value == .single(.value(.number(45))))
        #expect(result["j"]?.value == .single(.value(.number(47))))
        #expect(messages(kipi, "k = sum(1, 2, 3)") == ["'sum' takes 1 argument or 2 arguments, but 3 were given"])
    }

    /// The messages of compiling `text`; a test fails, rather than passes, when nothing is thrown.
    func messages(_ kipi: Kipi, _ text: String) -> [String] {
        do {
            _ = try kipi.compile(source: SourceText(name: "t.kpi", text: text), schema: Self.data.schema)
            return ["compiled without errors"]
        } catch {
            return error.diagnostics.map(\.message)
        }
    }
}
