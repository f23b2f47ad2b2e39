import Foundation
import Testing

@testable import Kipi

/// `explain` (SPEC section 9): golden explanations on a small table whose values are worked out
/// by hand, and the sample's explanations agreeing with `eval`.
struct ExplainTests {
    static let data = """
        manager,date,status,amount,plan,sla
        Ann,2024-01-10,won,100,80,0.1
        Ann,2024-02-10,won,300,200,0.2
        Ann,2024-02-20,lost,50,,0.12
        Bob,2024-01-05,open,20,40,0.06
        Bob,2024-02-05,won,,60,0.08
        """
    static let formulas = """
        param target = 50%
        let won = status == "won"
        let closed = status in ["won", "lost"]
        fn level(fact, norm) = fact / norm
        win_rate = percent(won where closed)
        ratio = sum(amount) / sum(plan)
        by_manager = sum(amount where won) by manager
        scored = level(sum(amount where won) / sum(plan), target)
        mom = growth(sum(amount)) by manager, month(date)
        per_plan = sum(amount) / sum(plan where status == "lost") by manager
        let xs = [5%, 10%, 15%, 20%, 25%]
        let ys = [130%, 115%, 100%, 80%, 0%]
        bonus = percentile(ys, 1 - percentrank(xs, avg(sla)))
        """

    func explanation(_ kpi: String, group: [String: String] = [:]) throws -> Explanation {
        let data = try table(Self.data)
        let program = try Kipi().compile(source: SourceText(name: "k.kpi", text: Self.formulas), schema: data.schema)
        return try program.explain(kpi, tables: ["": data], group: group)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var kpi: String
        var group: [String: String] = [:]
        var text: String
        var testDescription: String { kpi }
    }

    static let cases: [Case] = [
        // Closed deals: 4 of 5 rows; won among them: 3, so 75%.
        Case(
            kpi: "win_rate",
            text: """
                win_rate = percent(won where closed)

                percent(won where closed)  =  75.0%   [5 rows, where kept 4 (80.0%)]
                  won  =  true in 3 of 5   [let won]
                    status == "won"  =  true in 3 of 5
                      status  =  5 values: won, won, lost, …
                      "won"  =  won
                  closed  =  true in 4 of 5   [let closed]
                    status in ["won", "lost"]  =  true in 4 of 5
                      status  =  5 values: won, won, lost, …
                      ["won", "lost"]  =  2 values: won, lost
                """),
        // 470 / 380, each sum skipping one empty cell.
        Case(
            kpi: "ratio",
            text: """
                ratio = sum(amount) / sum(plan)

                sum(amount) / sum(plan)  =  1.24
                  sum(amount)  =  470   [5 rows; 1 null skipped]
                    amount  =  5 values: 100, 300, 50, …
                  sum(plan)  =  380   [5 rows; 1 null skipped]
                    plan  =  5 values: 80, 200, —, …
                """),
        // Bob's only won deal has no amount: the sum of nothing is 0.
        Case(
            kpi: "by_manager", group: ["manager": "Bob"],
            text: """
                by_manager = sum(amount where won) by manager
                for manager=Bob
                (2 groups, from data)

                sum(amount where won)  =  0   [2 rows, where kept 1 (50.0%); 1 null skipped]
                  amount  =  2 values: 20, —
                  won  =  true in 1 of 2   [let won]
                    status == "won"  =  true in 1 of 2
                      status  =  2 values: open, won
                      "won"  =  won
                """),
        // (400 / 380) / 50%: a fn, a let and a param, each expanded.
        Case(
            kpi: "scored",
            text: """
                scored = level(sum(amount where won) / sum(plan), target)

                level(sum(amount where won) / sum(plan), target)  =  2.11   [fn level]
                  fact / norm  =  2.11
                    fact  =  1.05
                      sum(amount where won)  =  400   [5 rows, where kept 3 (60.0%); 1 null skipped]
                        amount  =  5 values: 100, 300, 50, …
                        won  =  true in 3 of 5   [let won]
                          status == "won"  =  true in 3 of 5
                            status  =  5 values: won, won, lost, …
                            "won"  =  won
                      sum(plan)  =  380   [5 rows; 1 null skipped]
                        plan  =  5 values: 80, 200, —, …
                    norm  =  0.5   [param target]
                """),
        // Ann: 350 in February against 100 in January.
        Case(
            kpi: "mom", group: ["manager": "Ann", "month(date)": "2024-02"],
            text: """
                mom = growth(sum(amount)) by manager, month(date)
                for manager=Ann, month(date)=2024-02
                (4 groups, from data)

                growth(sum(amount))  =  250.0%   [reads 2024-01: 100]
                  sum(amount)  =  350   [2 rows]
                    amount  =  2 values: 300, 50
                """),
        // Ann's lost deal has no plan: the denominator is 0, and the division is where it fails.
        Case(
            kpi: "per_plan",
            text: """
                per_plan = sum(amount) / sum(plan where status == "lost") by manager
                for manager=Ann
                (2 groups, from data)

                sum(amount) / sum(plan where status == "lost")  =  error: division by zero
                  sum(amount)  =  450   [3 rows]
                    amount  =  3 values: 100, 300, 50
                  sum(plan where status == "lost")  =  0   [3 rows, where kept 1 (33.3%); 1 null skipped]
                    plan  =  3 values: 80, 200, —
                    status == "lost"  =  true in 1 of 3
                      status  =  3 values: won, won, lost
                      "lost"  =  lost
                """),
        // avg(sla) = 0.112 lies 24% of the way from 10% to 15%: rank (1 + 0.24) / 4 = 31%;
        // 1 − 31% = 0.69 → position 2.76 of the sorted ys: 100% + 0.76 × 15% = 111.4%.
        Case(
            kpi: "bonus",
            text: """
                bonus = percentile(ys, 1 - percentrank(xs, avg(sla)))

                percentile(ys, 1 - percentrank(xs, avg(sla)))  =  111.4%   [5 values]
                  ys  =  5 values: 130.0%, 115.0%, 100.0%, 80.0%, 0.0%   [let ys]
                  1 - percentrank(xs, avg(sla))  =  0.69
                    1  =  1
                    percentrank(xs, avg(sla))  =  31.0%   [5 values]
                      xs  =  5 values: 5.0%, 10.0%, 15.0%, 20.0%, 25.0%   [let xs]
                      avg(sla)  =  0.112   [5 rows]
                        sla  =  5 values: 0.1, 0.2, 0.12, …
                """),
    ]

    @Test(arguments: cases)
    func explainsAsText(_ example: Case) throws {
        #expect(ExplanationFormatter.text(try explanation(example.kpi, group: example.group)) == example.text)
    }

    @Test func explainsAsJSON() throws {
        let json = ExplanationFormatter.json(try explanation("per_plan", group: ["manager": "Bob"]))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["kpi"] as? String == "per_plan")
        #expect(object?["group"] as? [String: String] == ["manager": "Bob"])
        #expect((object?["value"] as? [String: String]) == ["error": "division by zero"])
        let children = object?["children"] as? [[String: Any]] ?? []
        #expect(children.map { $0["expression"] as? String } == ["sum(amount)", "sum(plan where status == \"lost\")"])
        #expect(children.last?["rows"] as? Int == 2)
        #expect(children.last?["kept"] as? Int == 0)
        #expect(children.last?["nulls"] as? Int == 0)
        #expect(children.first?["value"] as? Double == 20)
    }

    @Test(arguments: [
        ("nothing", [:], "no KPI named 'nothing'"),
        ("win_rat", [:], "no KPI named 'win_rat'; did you mean 'win_rate'?"),
        ("by_manager", ["manager": "Zed"], "'by_manager' has no group manager=Zed"),
        ("by_manager", ["region": "EU"], "'by_manager' has no key 'region'; its keys are manager"),
    ] as [(String, [String: String], String)])
    func refusesWhatItCannotExplain(_ kpi: String, _ group: [String: String], _ message: String) throws {
        do {
            _ = try explanation(kpi, group: group)
            Issue.record("no error")
        } catch let error as DiagnosticList {
            #expect(error.diagnostics.map(\.message) == [message])
        }
    }

    @Test func everyExplanationOfTheSampleHasTheValueEvalGives() throws {
        let read = { (path: String) throws -> DataTable in
            try CSVReader.read(Array(FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(path).path) ?? Data()), name: path)
        }
        let tables = ["": try read("formulas/data/sales.csv"), "plans": try read("formulas/data/sales_plan.csv")]
        let path = repositoryRoot.appendingPathComponent("formulas/sales.kpi").path
        let program = try Kipi().compile(
            source: SourceText(name: path, text: String(contentsOfFile: path, encoding: .utf8)), schema: tables[""]?.schema,
            tables: ["plans": tables["plans"]?.schema ?? Schema(columns: [])], loadImport: Kipi.readImport)
        let result = try program.evaluate(tables: tables)
        for kpi in result.kpis {
            let eval: Outcome
            switch kpi.value {
            case .single(let outcome): eval = outcome
            case .grouped(_, let rows): eval = rows.first?.outcome ?? .value(.null)
            }
            let root = try program.explain(kpi.name, tables: tables).root.value
            switch (root, eval) {
            case (.value(let explained), .value(let evaluated)): #expect(explained == evaluated, "\(kpi.name)")
            case (.error(let explained), .error(let evaluated)): #expect(explained == evaluated, "\(kpi.name)")
            default: Issue.record("\(kpi.name): explain gives \(root), eval \(eval)")
            }
        }
    }
}

extension ExplainTests {
    /// A host's window function declares what it reads, and explain notes it as for a built-in
    /// (explain once matched the built-ins by name).
    @Test func aHostWindowGetsExplainsNoteFromItsDeclaration() throws {
        var kipi = Kipi()
        try kipi.register(
            FunctionDefinition(
                "two_back", [.init("x", .number, role: .series)], returns: .exactly(.number), summary: "The value two periods earlier.",
                implementation: .window(alongTime: true) { input in
                    let positions = input.positions ?? []
                    var groupAt: [[Int]: Int] = [:]
                    for group in 0..<input.values.count { groupAt[[input.series[group], positions[group]]] = group }
                    let values = (0..<input.values.count).map { group -> Value in
                        groupAt[[input.series[group], positions[group] - 2]].map { input.values[$0] } ?? .null
                    }
                    return Column(values: values, type: .number)
                }
            ).reading(.offset(defaultOffset: 2)))
        let data = try table("date,amount\n2024-01-10,100\n2024-02-10,200\n2024-03-10,300\n")
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "k = two_back(sum(amount)) by month(date)"), schema: data.schema)
        let explanation = try program.explain("k", tables: ["": data], group: ["month(date)": "2024-03"])
        #expect(explanation.root.note == "reads 2024-01: 100")
        #expect(explanation.root.value == .value(.number(100)))
    }
}
