import Foundation
import Testing

@testable import Kipi

/// Random, truncated and mutated formula text never traps: it compiles and evaluates, or ends
/// in diagnostics whose ranges lie inside the source.
struct RobustnessTests {
    /// SplitMix64: a fixed seed gives the same cases on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let data: DataTable = {
        let csv = "manager,amount,date,status,vip\nAnn,10,2024-01-01,won,true\nBob,,2024-02-03,lost,false\nAnn,-3.5,2024-02-04,won,\n"
        do { return try CSVReader.read(Array(csv.utf8), name: "d.csv") } catch { preconditionFailure("valid test data") }
    }()

    static let fragments = [
        "sum(", "avg(", "count(", "percent(", "if(", "coalesce(", "round(", "date(", "month(", "max(", ")", "(", "[", "]",
        ",", " where ", " by ", " and ", " or ", " not ", " in ", "==", "!=", "<", ">=", "+", "-", "*", "/", "^", "%",
        "amount", "manager", "date", "status", "vip", "k", "x", "\"won\"", "\"2024-01-01\"", "0", "1", "2.5", "1e308",
        "null", "true", "\n", "k = ", "let x = ", "param p = ", "fn f(a) = ", "import \"nowhere.kpi\"\n", "`", "\"", "#",
        "выручка", "收入", "\u{0}", "\u{FFFD}", " ",
    ]

    /// Compiles and, if that succeeds, evaluates; returns whether it compiled.
    @discardableResult
    func survive(_ text: String) -> Bool {
        let source = SourceText(name: "fuzz.kpi", text: text)
        do {
            let program = try Kipi().compile(source: source, schema: Self.data.schema) { path, _ in
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            _ = try? program.evaluate(Self.data)
            return true
        } catch {
            for diagnostic in error.diagnostics {
                if let range = diagnostic.range {
                    #expect(range.start >= 0 && range.end <= text.utf8.count && range.start <= range.end, "\(diagnostic)")
                }
                _ = diagnostic.description
            }
            return false
        }
    }

    @Test func randomTextNeverTraps() {
        var generator = Generator(state: 20_241_122)
        for _ in 0..<3000 {
            let count = Int.random(in: 1...24, using: &generator)
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &generator) ?? "" }.joined()
            survive(text)
        }
    }

    /// Every function, called with random arguments of every shape: columns, lists with nulls,
    /// grouped KPIs, scalars, filters.
    @Test func everyFunctionWithRandomArgumentsNeverTraps() {
        var generator = Generator(state: 42)
        let arguments = [
            "amount", "-3.5", "0", "1", "2.5", "null", "[1, null, 3]", "[2, 1]", "[]", "[\"a\", \"b\"]", "manager", "date",
            "vip", "\"won\"", "date(\"2024-01-01\")", "g", "m", "50%", "1e308", "sum(amount)", "amount / 0",
        ]
        // Aliases are copies of the functions they name.
        let aliases = Set(StandardLibrary.russianExcelNames.map(\.0))
        for name in FunctionRegistry.standard.names where !aliases.contains(name) {
            for _ in 0..<400 {
                let count = Int.random(in: 0...4, using: &generator)
                var call = "\(name)(" + (0..<count).map { _ in arguments.randomElement(using: &generator) ?? "1" }.joined(separator: ", ")
                if Bool.random(using: &generator) { call += " where amount > 0" }
                call += ")"
                let by = Bool.random(using: &generator) ? " by manager" : ""
                survive("g = sum(amount) by manager\nm = sum(amount) by month(date)\nk = \(call)\(by)\nj = count(where \(call) != null)\n")
            }
        }
    }

    @Test func everyPrefixOfTheSampleNeverTraps() throws {
        let url = repositoryRoot.appendingPathComponent("formulas/sales.kpi")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "import \"common.kpi\"", with: "")
        let characters = Array(text)
        for end in stride(from: 0, through: characters.count, by: 3) {
            survive(String(characters[..<end]))
        }
    }

    @Test func mutatedFormulasNeverTrap() {
        var generator = Generator(state: 7)
        let base = Array("k = sum(amount where status == \"won\") / count() by month(date)\nlet x = amount * 2\nm = max(k)\n")
        for _ in 0..<2000 {
            var mutated = base
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated.remove(at: position)
                case 1: mutated.insert(Self.fragments.randomElement(using: &generator)?.first ?? " ", at: position)
                default: mutated.swapAt(position, Int.random(in: 0..<mutated.count, using: &generator))
                }
            }
            survive(String(mutated))
        }
    }

    @Test func hostileInputsEndInErrors() {
        let deepCall = String(repeating: "abs(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(!survive("k = " + deepCall))
        #expect(!survive("k = " + String(repeating: "[", count: 50_000)))
        #expect(!survive("k = " + String(repeating: "not ", count: 50_000) + "true"))
        #expect(survive("k = 1e308 * 10"))
        #expect(!survive(String(decoding: (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, as: UTF8.self)))
    }

    @Test func longChainsOfOperatorsEndInAnError() {
        #expect(
            diagnostics("k = " + String(repeating: "1 + ", count: 100_000) + "1", csv: nil)
                .hasPrefix("test.kpi:1:")
                && diagnostics("k = " + String(repeating: "1 + ", count: 100_000) + "1", csv: nil)
                    .contains("error: expression is nested too deeply (more than 128 levels)")
        )
    }

    @Test func theDeepestAllowedExpressionsEvaluate() throws {
        let nested = String(repeating: "abs(", count: 100) + "-1" + String(repeating: ")", count: 100)
        #expect(single(try evaluate("k = " + nested), "k") == "1")
        let chain = String(repeating: "1 + ", count: 100) + "1"
        #expect(single(try evaluate("k = " + chain), "k") == "101")
        let mixed = String(repeating: "(1 + ", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(single(try evaluate("k = sum(" + mixed + " where amount > 0)", csv: "amount\n1\n2"), "k") == "122")
    }

    @Test func overflowIsAnErrorNotInfinity() throws {
        #expect(single(try evaluate("k = 1e308 * 10"), "k") == "error: the result is not a finite number")
        #expect(single(try evaluate("k = (0 - 8) ^ 0.5"), "k") == "error: the power is not a finite number")
    }
}

struct FunctionExpansionLimits {
    @Test func functionsThatDoubleTheirSizeAreStopped() {
        var text = "fn f0(x) = x + x\n"
        for level in 1...40 { text += "fn f\(level)(x) = f\(level - 1)(f\(level - 1)(x))\n" }
        text += "k = f40(1)\n"
        #expect(diagnostics(text, csv: nil).contains("error: the formula's functions expand to too large a formula (more than 10000 calls)"))
    }

    @Test func functionsNestedBeyondTheHeightLimitAreStopped() {
        let body = String(repeating: "abs(", count: 100) + "x" + String(repeating: ")", count: 100)
        let text = "fn f(x) = \(body)\nfn g(x) = f(f(f(x)))\nk = sum(g(amount))\n"
        #expect(diagnostics(text).contains("error: the formula is nested too deeply once its functions are expanded (more than 200 levels)"))
    }
}

/// Random and mutated data files end in a table or in diagnostics, never in a trap.
struct DataRobustnessTests {
    static let pieces: [[UInt8]] =
        [
            ",", ";", "\t", "\n", "\r\n", "\"", "\"\"", " ", "1", "-2.5", "1 234,5", "12%", "1e400", "true", "ИСТИНА",
            "2024-02-30", "31.12.2024", "Иванов", "收入", "{", "[", "]", "}", ":", "null", "\u{00A0}",
        ].map { Array($0.utf8) } + [[0xFF], [0xC2], [0xE2, 0x82], [0]]

    func survive(_ bytes: [UInt8]) {
        for format in DataFormat.allCases {
            do {
                let table = try format.read(Data(bytes), name: "fuzz")
                for name in table.columnNames { _ = table[name]?.values }
            } catch {
                for diagnostic in error.diagnostics { _ = diagnostic.description }
            }
        }
    }

    @Test func randomFilesNeverTrap() {
        var generator = RobustnessTests.Generator(state: 99)
        for _ in 0..<3000 {
            let count = Int.random(in: 0...40, using: &generator)
            survive((0..<count).flatMap { _ in Self.pieces.randomElement(using: &generator) ?? [] })
        }
    }

    @Test func mutatedFixturesNeverTrap() throws {
        var generator = RobustnessTests.Generator(state: 5)
        let directory = repositoryRoot.appendingPathComponent("Tests/Fixtures")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for file in files {
            let original = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            survive(original)
            for _ in 0..<100 where !original.isEmpty {
                var mutated = original
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = Int.random(in: 0..<mutated.count, using: &generator)
                    mutated[position] = Self.pieces.randomElement(using: &generator)?.first ?? 0
                }
                survive(mutated)
                survive(Array(mutated.prefix(Int.random(in: 0...mutated.count, using: &generator))))
            }
        }
    }
}
