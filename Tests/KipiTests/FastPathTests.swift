import Foundation
import Testing

@testable import Kipi

/// The number a KPI computed, or nil for an error or another value.
private func number(_ result: EvaluationResult, _ name: String) -> Double? {
    guard case .single(.value(.number(let value)))? = result[name]?.value else { return nil }
    return value
}

/// The evaluation strategies chosen for speed — chunks of rows, one-pass reductions, two cores,
/// text codes, selection instead of sorting, value-by-value evaluation — give exactly what the
/// definitions give. Expected values are computed here from the generated rows by the
/// definitions (integer amounts, so every sum is exact).
@Suite struct FastPathTests {
    /// 150,000 rows, more than a chunk and more than one core's share: amount (every 97th
    /// empty), b from 0 to 6, status (every fifth "won" quoted in the file), date.
    struct Rows {
        var amount: [Double?] = []
        var b: [Double] = []
        var status: [String] = []
        var month: [Int] = []
        var csv = "amount,b,status,date\n"

        init(count: Int) {
            for row in 0..<count {
                let amount: Double? = row % 97 == 0 ? nil : Double(row * 7919 % 1000)
                let status = ["won", "lost", "open"][row % 3]
                let month = row % 12 + 1
                self.amount.append(amount)
                b.append(Double(row % 7))
                self.status.append(status)
                self.month.append(month)
                let written = status == "won" && row % 5 == 0 ? "\"won\"" : status
                let day = String(format: "2024-%02d-%02d", month, row % 28 + 1)
                csv += "\(amount.map { String(Int($0)) } ?? ""),\(row % 7),\(written),\(day)\n"
            }
        }

        func amounts(where keep: (Int) -> Bool = { _ in true }) -> [Double] {
            amount.indices.compactMap { keep($0) ? amount[$0] : nil }
        }
    }

    static let rows = Rows(count: 150_000)

    static let formulas = """
        won_sum = sum(amount where status == "won")
        not_won = count(where status != "won")
        won_share = percent(status == "won")
        smallest = min(amount)
        largest = max(amount)
        weighted = sum(amount * (b + 1) + 1)
        ratio = sum(amount / b)
        avg_status = avg(amount) by status
        by_month = sum(amount where b > 3) by month(date)
        middle = median(amount)
        p90 = percentile(amount, 0.9)
        rank = percentrank(amount, 500.5)
        """

    @Test func chunkedReductionsGiveTheDefinitionsValues() throws {
        let rows = FastPathTests.rows
        let data = try DataTable.load(Data(rows.csv.utf8), name: "rows.csv")
        let program = try Kipi().compile(source: SourceText(name: "fast.kpi", text: FastPathTests.formulas), schema: data.schema)
        let result = try program.evaluate(data)

        let won = rows.amounts { rows.status[$0] == "won" }
        #expect(number(result, "won_sum") == won.reduce(0, +))
        #expect(number(result, "not_won") == Double(rows.status.filter { $0 != "won" }.count))
        #expect(number(result, "won_share") == Double(rows.status.filter { $0 == "won" }.count) / Double(rows.status.count))
        let all = rows.amounts()
        #expect(number(result, "smallest") == all.min())
        #expect(number(result, "largest") == all.max())
        let weighted = rows.amount.indices.compactMap { row in rows.amount[row].map { $0 * (rows.b[row] + 1) + 1 } }
        #expect(number(result, "weighted") == weighted.reduce(0, +))
        #expect(single(result, "ratio") == "error: division by zero")

        var perStatus: [String] = []
        for status in ["lost", "open", "won"] {
            let values = rows.amounts { rows.status[$0] == status }
            perStatus.append("\(status)=\(Value.number(values.reduce(0, +) / Double(values.count)))")
        }
        #expect(groups(result, "avg_status") == perStatus)
        let perMonth = (1...12).map { month in
            let total = rows.amounts { rows.month[$0] == month && rows.b[$0] > 3 }.reduce(0, +)
            return String(format: "2024-%02d=", month) + Value.number(total).description
        }
        #expect(groups(result, "by_month") == perMonth)

        // MEDIAN and PERCENTILE.INC by their definitions on the sorted values.
        let sorted = all.sorted()
        let n = sorted.count
        #expect(number(result, "middle") == (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2))
        let position = 0.9 * Double(n - 1)
        let lower = Int(position)
        #expect(number(result, "p90") == sorted[lower] + (position - Double(lower)) * (sorted[lower + 1] - sorted[lower]))
        // PERCENTRANK.INC of a value between 500 and 501: (smaller − 1 + 0.5) / (n − 1), truncated to 3 digits.
        let smaller = sorted.filter { $0 < 500.5 }.count
        let rank = (Double(smaller - 1) + 0.5) / Double(n - 1)
        #expect(number(result, "rank") == (rank * 1000).rounded(.down) / 1000)
    }

    @Test func kpisSplitBetweenCoresGiveWhatEachGivesAlone() throws {
        let data = try DataTable.load(Data(FastPathTests.rows.csv.utf8), name: "rows.csv")
        let together = try Kipi().compile(source: SourceText(name: "fast.kpi", text: FastPathTests.formulas), schema: data.schema)
        let all = try together.evaluate(data)
        for line in FastPathTests.formulas.split(separator: "\n") {
            let alone = try Kipi().compile(source: SourceText(name: "one.kpi", text: String(line)), schema: data.schema).evaluate(data)
            #expect(alone.kpis.map(\.value) == [all[alone.kpis[0].name]].compactMap { $0?.value })
        }
    }

    @Test func cancellingTheTaskStopsTheKPIsOnBothCores() async throws {
        let data = try DataTable.load(Data(FastPathTests.rows.csv.utf8), name: "rows.csv")
        let program = try Kipi().compile(source: SourceText(name: "fast.kpi", text: FastPathTests.formulas), schema: data.schema)
        let evaluation = Task.detached { () -> String in
            // Cancelled before the evaluation starts, whichever thread then runs each half.
            while !Task.isCancelled { await Task.yield() }
            do {
                _ = try await program.evaluate(data)
                return "finished"
            } catch {
                return "\(error)"
            }
        }
        evaluation.cancel()
        #expect(await evaluation.value == "error: the evaluation was cancelled")
    }

    @Test func textCellsEqualAsStringsShareACode() throws {
        // Quoted or bare, composed or decomposed: one text, one group.
        let data = try DataTable.load(Data("status,amount\nwon,1\n\"won\",2\ncafé,3\ncafe\u{301},4\nlost,5\n".utf8), name: "codes.csv")
        let codes = try #require(data["status"]?.textCodes)
        #expect(codes.distinct == ["won", "café", "lost"])
        #expect(codes.texts == ["won", "won", "café", "café", "lost"])
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "n = sum(amount) by status\nw = sum(amount where status == \"won\")"), schema: data.schema)
        let result = try program.evaluate(data)
        #expect(groups(result, "n") == ["café=7", "lost=5", "won=3"])
        #expect(single(result, "w") == "3")
    }

    @Test(arguments: [
        ("let x = a * 2\nk = sum(x * 3) + sum(x)", "48"),
        ("k = sum(-(a * 2) + a)", "-6"),
        ("k = sum(1 - (a * a) / 2)", "-4"),
        ("k = sum((a - 2) / (a - 2))", "error: division by zero"),
        ("k = sum((a + b) * 2 where b > 0)", "4"),
    ])
    func operatorsWritingOverTheirTemporariesLeaveSharedColumnsAlone(formula: String, expected: String) throws {
        let result = try evaluate(formula + "\nsame = sum(a) + sum(b)", csv: "a,b\n1,1\n2,\n3,-1\n")
        #expect(single(result, "k") == expected)
        #expect(single(result, "same") == "6")
    }

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")])
    func fieldsOfEveryLengthEndWhereTheyEnd(delimiter: UInt8) throws {
        // Fields of 0 to 19 bytes put every delimiter and line end at every offset of an 8-byte word.
        let separator = String(UnicodeScalar(delimiter))
        let texts = (0..<20).map { String(repeating: "ё", count: $0 / 2) + String(repeating: "x", count: $0 % 2) }
        var csv = "a\(separator)b\n"
        for (row, text) in texts.enumerated() { csv += "\(text)\(separator)\(row)\(row % 3 == 0 ? "\r\n" : "\n")" }
        let data = try CSVReader.read(Array(csv.utf8), name: "lengths.csv", options: DataOptions(delimiter: delimiter))
        #expect(data["a"].map { Array($0.texts) } == texts)
        #expect(data["a"]?.nulls == [true] + [Bool](repeating: false, count: 19))
        #expect(data["b"]?.numbers == (0..<20).map(Double.init))
    }

    @Test(arguments: [[5.0, 1, 4, 1, 5, 9, 2, 6], [3, 3, 3], [7], [2, 1], Array(stride(from: 40.0, to: 0, by: -1.5)) + [0, 0, -0.0, 12]])
    func selectionFindsWhatSortingFinds(values: [Double]) {
        let sorted = values.sorted()
        let selecting = OrderedValues(values: values, isSorted: false)
        let reading = OrderedValues(values: sorted, isSorted: true)
        for k in values.indices {
            #expect(selecting.smallest(k).value == sorted[k])
            #expect(selecting.smallest(k).next == (k + 1 < sorted.count ? sorted[k + 1] : nil))
            #expect(reading.smallest(k).value == sorted[k])
        }
        for probe in Set(values + [sorted[0] + 0.5, 4.25]) where probe <= sorted[sorted.count - 1] {
            let counted = selecting.place(of: probe)
            let searched = reading.place(of: probe)
            #expect(counted.smaller == sorted.filter { $0 < probe }.count)
            #expect(counted.smaller == searched.smaller)
            #expect(counted.isPresent == sorted.contains(probe))
            #expect(counted.isPresent == searched.isPresent)
            if !counted.isPresent, counted.smaller > 0 {
                #expect(counted.below == searched.below)
                #expect(counted.above == searched.above)
            }
        }
    }

    @Test(arguments: [
        ("k = (fact - critical) / (norm - critical)", ["fact": Value.number(55)], "0.5"),
        ("k = (fact - critical) / (norm - norm)", ["fact": .number(55)], "error: division by zero"),
        ("k = iferror(fact / 0, -1)", ["fact": .number(1)], "-1"),
        ("k = fact + 1", ["fact": .null], "null"),
        ("k = if(fact > 50, \"high\", \"low\")", ["fact": .number(55)], "\"high\""),
        ("k = score(fact, critical, norm)", ["fact": .number(100)], "1"),
        ("k = fact > 1 and fact < 0 or null_flag", ["fact": .number(5)], "null"),
        ("k = round(fact ^ 0.5, 2)", ["fact": .number(2)], "1.41"),
    ])
    func recordsEvaluatedValueByValue(formula: String, parameters: [String: Value], expected: String) throws {
        let source = "param fact = 0\nparam critical = 10\nparam norm = 100\nparam null_flag = true\n\(formula)"
        let program = try Kipi().compile(source: SourceText(name: "r.kpi", text: source), schema: nil)
        var given = parameters
        if formula.contains("null_flag") { given["null_flag"] = .null }
        #expect(single(try program.evaluate(.empty, parameters: given), "k") == expected)
    }

    @Test func recordsKeepTheLimitOnResultCells() throws {
        let program = try Kipi().compile(source: SourceText(name: "r.kpi", text: "param p = 1\na = p\nb = p + 1\nc = sum(x)"), schema: table("x\n1").schema)
        do {
            _ = try program.evaluate(try table("x\n1"), limits: Limits(outputCells: 2))
            Issue.record("three result cells passed a limit of two")
        } catch {
            #expect("\(error)" == "error: the results have 3 cells, more than the limit of 2")
        }
    }

    @Test(arguments: [
        ("k = sum(x where x > 5)", "0"),
        ("k = avg(x where x > 5)", "error: average of no values"),
        ("k = count()", "1"),
        ("k = sum(x * 2) + count(where x > 5)", "6"),
        ("k = percentrank(x, 3)", "1"),
        ("k = sum(y)", "0"),
        ("k = sum(z) + min(z) + max(x) + percent(x > 5)", "3"),
        ("k = 1 / sum(z)", "error: division by zero"),
    ])
    func aOneRowTableIsARecord(formula: String, expected: String) throws {
        #expect(single(try evaluate(formula, csv: "x,y,z\n3,,-0"), "k") == expected)
    }
}

extension FastPathTests {
    /// The plan splits the KPIs over every core the machine has (16 here, whatever this machine has):
    /// each KPI in one part with what it reads, and the results those of one core.
    @Test func sixteenCoresGiveWhatOneGives() throws {
        let data = try DataTable.load(Data(FastPathTests.rows.csv.utf8), name: "rows.csv")
        let program = try Kipi().compile(source: SourceText(name: "fast.kpi", text: FastPathTests.formulas), schema: data.schema)
        let plan = CoreSplit(program.checked, cores: 16)
        #expect(plan.parts.count > 2)
        for kpi in program.checked.kpis { #expect(plan.parts.filter { $0.contains(kpi) }.count >= 1) }
        for part in plan.parts {
            for kpi in program.checked.kpis where part.contains(kpi) { #expect(program.checked.dependencies(of: kpi).isSubset(of: part)) }
        }
        let one = try program.planned(forCores: 1).evaluate(data)
        let sixteen = try program.planned(forCores: 16).evaluate(data)
        #expect(sixteen.kpis.map(\.value) == one.kpis.map(\.value))
    }

    /// The plan decides each aggregate's strategy once: one pass by chunks of rows where the
    /// collection and filter read their own row (a `let` computed before counts as read), one
    /// pass over computed groups, gathered values where the function has no one-pass reduction or
    /// reads a list; SQL's one GROUP BY only where no single computed value is read.
    @Test func thePlanDecidesEachAggregatesStrategy() throws {
        let source = """
            let total = sum(amount)
            let big = amount > 100
            by_chunks = sum(amount * 2 where big) by manager
            over_total = sum(amount / total)
            per_group = count(by_chunks where by_chunks > 0)
            median_amount = median(amount)
            listed = sum([1, 2, 3])
            """
        let schema = Schema(columns: [("amount", .number), ("manager", .text)])
        let program = try Kipi().compile(source: SourceText(name: "plan.kpi", text: source), schema: schema)
        var strategies: [String: AggregatePlan] = [:]
        for definition in program.checked.definitions {
            definition.value.forEachNode { node in
                if case .aggregate = node.kind, let plan = program.plan.aggregates[node.id] { strategies[definition.name] = plan }
            }
        }
        #expect(strategies["by_chunks"]?.strategy == .onePassByChunks)
        #expect(strategies["by_chunks"]?.readsOnlyOwnRows == true)
        #expect(strategies["over_total"]?.strategy == .onePassByChunks)
        #expect(strategies["over_total"]?.readsOnlyOwnRows == false)
        #expect(strategies["per_group"]?.strategy == .onePass)
        #expect(strategies["median_amount"]?.strategy == .gathered)
        #expect(strategies["listed"]?.strategy == .gathered)
        let big = try #require(program.checked.definitions.firstIndex { $0.name == "big" })
        #expect(program.plan.rowLocalDefinitions == [big])
    }
}

/// Aggregates whose collection and filter are number formulas over columns with no empty cell
/// are computed by chunk kernels, straight from the columns; they give what the definitions
/// give. The values are chosen so that every sum is exact (integers divided by powers of two).
@Suite struct ChunkKernelTests {
    static let rowCount = 20_000
    static let x = (0..<rowCount).map { Double($0 % 1000) }
    static let y = (0..<rowCount).map { [1.0, 2, 4, 8][$0 % 4] }
    static let z = (0..<rowCount).map { Double($0 % 8) }

    static let formulas = """
        param p = 3
        let doubled = x * 2
        k1 = sum(x * y + 1)
        k2 = sum(x / y)
        k3 = sum(x where y > 2 and not (x < 100) or x == 999)
        k4 = avg(-x + 50%)
        k5 = count(where x >= 500)
        k6 = percent(x < 250)
        k7 = sum(x / z)
        k8 = sum(x * 1e307 * 100)
        k9 = sum(x * p)
        k10 = sum(doubled + 1)
        k11 = sum(x * y) by y
        k12 = max(x - y)
        k13 = sum(x / (y * 1e308 * 10))
        k14 = sum(-(x * 1e307 * 100) + 1)
        k15 = count(where x * 1e307 * 100 > 5)
        k16 = sum((x * 1e307 * 100) / 2)
        """

    func evaluated() throws -> EvaluationResult {
        let data = try DataTable(
            columns: [("x", Column(numbers: Self.x)), ("y", Column(numbers: Self.y)), ("z", Column(numbers: Self.z))], rowCount: Self.rowCount)
        let program = try Kipi().compile(source: SourceText(name: "kernel.kpi", text: Self.formulas), schema: data.schema)
        return try program.evaluate(data)
    }

    @Test func kernelsGiveTheDefinitionsValues() throws {
        let result = try evaluated()
        let (x, y, rows) = (Self.x, Self.y, Self.x.indices)
        #expect(number(result, "k1") == rows.map { x[$0] * y[$0] + 1 }.reduce(0, +))
        #expect(number(result, "k2") == rows.map { x[$0] / y[$0] }.reduce(0, +))
        #expect(number(result, "k3") == rows.filter { (y[$0] > 2 && !(x[$0] < 100)) || x[$0] == 999 }.map { x[$0] }.reduce(0, +))
        #expect(number(result, "k4") == rows.map { -x[$0] + 0.5 }.reduce(0, +) / Double(Self.rowCount))
        #expect(number(result, "k5") == Double(x.filter { $0 >= 500 }.count))
        #expect(number(result, "k6") == Double(x.filter { $0 < 250 }.count) / Double(Self.rowCount))
        #expect(single(result, "k7") == "error: division by zero")
        #expect(single(result, "k8") == "error: the result is not a finite number")
        #expect(number(result, "k9") == x.map { $0 * 3 }.reduce(0, +))
        #expect(number(result, "k10") == x.map { $0 * 2 + 1 }.reduce(0, +))
        #expect(groups(result, "k11") == [1.0, 2, 4, 8].map { key in
            "\(Value.number(key))=\(Value.number(rows.filter { y[$0] == key }.map { x[$0] * key }.reduce(0, +)))"
        })
        #expect(number(result, "k12") == rows.map { x[$0] - y[$0] }.max())
        // A result that is not finite inside the formula is the KPI's error wherever it arises:
        // in a divisor, under a minus and a sum, in a comparison, in a dividend.
        for name in ["k13", "k14", "k15", "k16"] { #expect(single(result, name) == "error: the result is not a finite number") }
    }

    /// Each of these formulas is one a kernel computes (so the test above checks kernels, not
    /// only the general path).
    @Test func theKernelsCompile() throws {
        let data = try DataTable(
            columns: [("x", Column(numbers: Self.x)), ("y", Column(numbers: Self.y)), ("z", Column(numbers: Self.z))], rowCount: Self.rowCount)
        let program = try Kipi().compile(source: SourceText(name: "kernel.kpi", text: Self.formulas), schema: data.schema)
        var compiled: [String] = []
        for definition in program.checked.definitions {
            definition.value.forEachNode { node in
                guard case .aggregate(let call) = node.kind else { return }
                let parts = (call.arguments.prefix(1) + (call.filter.map { [$0] } ?? [])).map { expression in
                    ChunkKernel.compile(expression, rowCount: Self.rowCount) { node in
                        switch node.kind {
                        case .column(_, let name): data[name]
                        case .parameter: Column(numbers: [3])
                        case .definition: Column(numbers: Self.x.map { $0 * 2 })
                        default: nil
                        }
                    }
                }
                if parts.allSatisfy({ $0 != nil }) { compiled.append(definition.name) }
            }
        }
        #expect(compiled == (1...16).map { "k\($0)" })
    }
}
