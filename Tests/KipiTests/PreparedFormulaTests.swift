import Foundation
import Testing

@testable import Kipi

/// SPEC §7, formulas per record: `kipi.prepare(formula, inputs:)` and `evaluate` by position.
struct PreparedFormulaTests {
    @Test func theSpecsExampleByNumbersAndByValues() throws {
        let level = try Kipi().prepare("score(fact, critical, norm)", inputs: ["fact", "critical", "norm"])
        #expect(level.type == .number)
        // (80 − 60) ÷ (100 − 60) = 0.5
        #expect(level.evaluate([80, 60, 100] as [Double]) == .value(.number(0.5)))
        #expect(level.evaluate([.number(80), .number(60), .number(100)]) == .value(.number(0.5)))
        #expect(level.evaluate([80, 60, 60] as [Double]) == .error("score: division by zero (the two bounds are equal)"))
        // A missing value is null, as in a column.
        #expect(level.evaluate([.null, .number(60), .number(100)]) == .value(.null))
    }

    @Test func arithmeticFailsAsEverywhereElse() throws {
        let formula = try Kipi().prepare("(fact - critical) / (norm - critical)", inputs: ["fact", "critical", "norm"])
        #expect(formula.evaluate([90, 60, 100] as [Double]) == .value(.number(0.75)))
        #expect(formula.evaluate([90, 60, 60] as [Double]) == .error("division by zero"))
        #expect(formula.evaluate([.number(90), .null, .number(60)]) == .value(.null))
        let power = try Kipi().prepare("x ^ 2000", inputs: ["x"])
        #expect(power.evaluate([10] as [Double]) == .error("the power is not a finite number"))
    }

    @Test func wrongRecordsAreErrorsNotTraps() throws {
        let formula = try Kipi().prepare("a + b", inputs: ["a", "b"])
        #expect(formula.evaluate([1] as [Double]) == .error("the formula takes 2 inputs (a, b), got 1"))
        #expect(formula.evaluate([.number(1), .text("2")]) == .error("input 'b' must be a number, but got text"))
        #expect(formula.evaluate([1, .nan] as [Double]) == .error("input 'b' is not a finite number"))
        #expect(formula.evaluate([.number(1), .number(.infinity)]) == .error("input 'b' is not a finite number"))
        let texts = try Kipi().prepare("upper(name)", inputs: [("name", .text)])
        #expect(texts.evaluate([1] as [Double]) == .error("input 'name' is text: pass it as a Value"))
        #expect(texts.evaluate([.text("Иванов")]) == .value(.text("ИВАНОВ")))
        #expect(texts.evaluate([.number(1)]) == .error("input 'name' must be text, but got a number"))
    }

    /// The expression published benchmarks of cel-go and expr use, written in Kipi.
    @Test func logicOverTextAndNumbers() throws {
        let formula = try Kipi().prepare(
            #"(Origin == "MOW" or Country == "RU") and (Value >= 100 or Adults == 1)"#,
            inputs: [("Origin", .text), ("Country", .text), ("Value", .number), ("Adults", .number)])
        #expect(formula.evaluate([.text("MOW"), .text("RU"), .number(100), .number(2)]) == .value(.boolean(true)))
        #expect(formula.evaluate([.text("LED"), .text("FI"), .number(100), .number(2)]) == .value(.boolean(false)))
        #expect(formula.evaluate([.text("LED"), .text("RU"), .number(50), .number(2)]) == .value(.boolean(false)))
        // Three-valued: true or null is true; false and null is false; true and null is null.
        #expect(formula.evaluate([.null, .text("RU"), .number(100), .null]) == .value(.boolean(true)))
        #expect(formula.evaluate([.null, .text("FI"), .number(100), .number(1)]) == .value(.null))
        // The right side is computed when the left is null: null and false is false.
        #expect(formula.evaluate([.null, .text("FI"), .number(50), .number(2)]) == .value(.boolean(false)))
        #expect(formula.evaluate([.text("MOW"), .null, .null, .number(2)]) == .value(.null))
        // An input compared with a constant of its type, null on either side.
        let mixed = try Kipi().prepare(#"Origin == "MOW" or Value > 1"#, inputs: [("Origin", .text), ("Value", .number)])
        #expect(mixed.evaluate([.null, .number(2)]) == .value(.boolean(true)))
        #expect(mixed.evaluate([.text("LED"), .null]) == .value(.null))
    }

    /// `if`, `iferror` and `coalesce` compute only the branch they take, as in a column.
    @Test func onlyTheBranchTakenCounts() throws {
        let guarded = try Kipi().prepare("if(x > 0, 1 / x, 0)", inputs: ["x"])
        #expect(guarded.evaluate([0] as [Double]) == .value(.number(0)))
        #expect(guarded.evaluate([.number(0)]) == .value(.number(0)))
        #expect(guarded.evaluate([2] as [Double]) == .value(.number(0.5)))
        // A null condition takes the else branch.
        #expect(guarded.evaluate([.null]) == .value(.number(0)))
        let unguarded = try Kipi().prepare("if(x >= 0, 1 / x, 0)", inputs: ["x"])
        #expect(unguarded.evaluate([0] as [Double]) == .error("division by zero"))
        let fallback = try Kipi().prepare("iferror(a / b, -1)", inputs: ["a", "b"])
        #expect(fallback.evaluate([1, 0] as [Double]) == .value(.number(-1)))
        #expect(fallback.evaluate([1, 4] as [Double]) == .value(.number(0.25)))
        let first = try Kipi().prepare("coalesce(a, b * 2)", inputs: ["a", "b"])
        #expect(first.evaluate([.null, .number(3)]) == .value(.number(6)))
        #expect(first.evaluate([.number(1), .number(3)]) == .value(.number(1)))
    }

    /// Choices nested forty deep are compiled once each (compiling each argument twice doubled
    /// the work at every level: 2^40 for this formula).
    @Test func nestedChoicesAreCompiledOnce() throws {
        var formula = "x"
        for bound in 0..<40 { formula = "if(x > \(bound), \(formula), \(bound))" }
        let nested = try Kipi().prepare(formula, inputs: ["x"])
        #expect(nested.evaluate([100] as [Double]) == .value(.number(100)))
        // The outermost test is x > 39.
        #expect(nested.evaluate([5.5] as [Double]) == .value(.number(39)))
    }

    @Test func readsTheParametersLetsAndFunctionsOfDefinitions() throws {
        let definitions = SourceText(name: "defs.kpi", text: "param bonus = 10%\nlet base = 100\nfn twice(x) = x * 2\n")
        let formula = try Kipi().prepare("twice(fact) * bonus + base", inputs: ["fact"], definitions: [definitions])
        // 5 · 2 · 0.1 + 100
        #expect(formula.evaluate([5] as [Double]) == .value(.number(101)))
        let raised = try Kipi().prepare("twice(fact) * bonus + base", inputs: ["fact"], definitions: [definitions], parameters: ["bonus": .number(1)])
        #expect(raised.evaluate([5] as [Double]) == .value(.number(110)))
    }

    @Test func aFormulaOverMoreThanOneRecordIsRefused() throws {
        #expect(throws: DiagnosticList.self) { try Kipi().prepare("round(fact", inputs: ["fact"]) }
        do {
            _ = try Kipi().prepare("sum(fact) + 1", inputs: ["fact"])
            Issue.record("sum was prepared")
        } catch {
            #expect(error.diagnostics.map(\.code) == ["not-per-record"])
            #expect(error.description == "<prepared>:1:1: error: a prepared formula reads one record, so it cannot aggregate rows with sum\nsum(fact) + 1\n^~~~~~~~~")
        }
        do {
            _ = try Kipi().prepare("fakt + 1", inputs: ["fact"])
            Issue.record("an unknown input was prepared")
        } catch {
            #expect(error.description.hasPrefix("<prepared>:1:1: error: unknown name 'fakt'; did you mean 'fact'?"))
        }
    }

    /// Definitions that read each other twice over would double at every level: a formula past
    /// the limit is refused at once; definitions of constants are computed once, whatever their shape.
    @Test func definitionsThatDoubleAreBoundedAndConstantsComputedOnce() throws {
        var growing = "let a1 = fact + fact\n"
        var constant = "let c1 = 1 + 1\n"
        for level in 2...40 {
            growing += "let a\(level) = a\(level - 1) + a\(level - 1)\n"
            constant += "let c\(level) = c\(level - 1) + c\(level - 1)\n"
        }
        let definitions = [SourceText(name: "grow.kpi", text: growing), SourceText(name: "const.kpi", text: constant)]
        do {
            _ = try Kipi().prepare("a40", inputs: ["fact"], definitions: definitions)
            Issue.record("a formula of 2^40 steps was prepared")
        } catch {
            #expect(error.diagnostics.map(\.code) == ["limit-exceeded"])
            #expect(error.diagnostics.first?.message == "the prepared formula takes more than 100000 steps per record, with the definitions it reads")
        }
        let sum = try Kipi().prepare("c40 + a3", inputs: ["fact"], definitions: definitions)
        // c40 = 2^40; a3 = 8 · fact
        #expect(sum.evaluate([1] as [Double]) == .value(.number(1_099_511_627_776 + 8)))
    }

    /// Every cell-by-cell built-in of numbers, text and booleans, prepared and in a column of two
    /// rows (the columnar path), on the same values: the same value or the same error.
    @Test func everyScalarFunctionGivesWhatItsColumnGives() throws {
        let kipi = Kipi()
        let samples: [KipiType: [Value]] = [
            .number: [.number(0), .number(-2.5), .number(3), .number(1e308), .null],
            .text: [.text("Иванов"), .text(" 1 234,5 "), .text(""), .null],
            .boolean: [.boolean(true), .boolean(false), .null],
        ]
        var compared = 0
        for function in kipi.functions.definitions where function.aliasOf == nil && !function.isAggregate && !function.isWindow {
            let types = function.parameters.map { parameter -> KipiType? in
                switch parameter.type {
                case .exactly(let type): samples[type] == nil ? nil : type
                case .variable, .any: .number
                case .listOf: nil
                }
            }
            guard !types.contains(where: { $0 == nil }) else { continue }
            for count in Set([function.arity.lowerBound, min(function.parameters.count, function.arity.upperBound)]) where count > 0 {
                let inputs = (0..<count).map { ("x\($0)", types[min($0, types.count - 1)] ?? .number) }
                let call = "\(function.name)(\(inputs.map(\.0).joined(separator: ", ")))"
                guard let prepared = try? kipi.prepare(call, inputs: inputs) else { continue }
                var records: [[Value]] = [[]]
                for input in inputs { records = records.flatMap { record in (samples[input.1] ?? []).map { record + [$0] } } }
                for record in records.prefix(200) {
                    #expect(prepared.evaluate(record) == columnar(call, inputs: inputs, record: record), "\(call) of \(record)")
                    compared += 1
                }
            }
        }
        #expect(compared > 500)
    }

    /// The value a `let` computes for the first of two rows holding `record`.
    private func columnar(_ call: String, inputs: [(String, KipiType)], record: [Value]) -> Outcome {
        let columns = zip(inputs, record).map { input, value in (input.0, Column(values: [value, value], type: input.1)) }
        guard let table = try? DataTable(columns: columns, rowCount: 2),
            let program = try? Kipi().compile(source: SourceText(name: "c.kpi", text: "let r = \(call)\nk = count()"), schema: table.schema),
            let index = program.checked.definitions.firstIndex(where: { $0.name == "r" })
        else { return .error("not compiled") }
        var evaluator = Evaluator(
            program: program.checked, plan: program.plan, tables: ["": table], parameters: [:], stop: StopConditions(limits: .standard, cancellation: nil))
        let column = evaluator.evaluate(program.checked.definitions[index].value)
        let row = column.count == 1 ? 0 : 0
        if let message = column.errors.message(at: row) { return .error(message) }
        return .value(column[row])
    }
}
