import Foundation
import Testing

@testable import Kipi

/// SPEC v3, thresholds and status: every rule of `critical`, `norm` and `target`, with the
/// expected statuses and levels worked out from the SPEC's definitions by hand.
struct ThresholdTests {
    /// `k`'s status and level over one value of `x`, as `status level` (`-` for none).
    func judged(_ levels: String, _ x: String) throws -> String {
        let result = try evaluate("k = sum(x) \(levels)", csv: "x\n\(x)")
        guard let kpi = result["k"] else { return "missing" }
        if case .single(.error(let message)) = kpi.value { return "error: \(message)" }
        let status = kpi.assessment?.status?.rawValue ?? "-"
        let level = kpi.assessment?.level.map { "\($0)" } ?? "-"
        return "\(status) \(level)"
    }

    @Test(arguments: [
        ("49", "critical -0.02"),
        // Exactly at the critical level is not worse than it.
        ("50", "below 0.0"),
        ("99", "below 0.98"),
        // Exactly at the norm is met; exactly at the target exceeded.
        ("100", "met 1.0"),
        ("149", "met 1.98"),
        ("150", "exceeded 2.0"),
        ("400", "exceeded 7.0"),
    ])
    func higherIsBetterFromTheLevelsOrder(_ x: String, _ expected: String) throws {
        #expect(try judged("critical 50 norm 100 target 150", x) == expected)
    }

    @Test(arguments: [
        ("61", "critical -0.05"),
        ("60", "below 0.0"),
        ("41", "below 0.95"),
        ("40", "met 1.0"),
        ("31", "met 1.45"),
        ("30", "exceeded 1.5"),
    ])
    func lowerIsBetterWhenTheLevelsFall(_ x: String, _ expected: String) throws {
        #expect(try judged("critical 60 norm 40 target 30", x) == expected)
    }

    @Test(arguments: [
        ("norm <= 10%", "0.1", "met -"),
        ("norm <= 10%", "0.11", "below -"),
        ("norm <= 10%", "0", "met -"),
        ("norm 10%", "0.09", "below -"),
        ("norm >= 10%", "0.1", "met -"),
        ("target 5", "5", "exceeded -"),
        ("target 5", "4.9", "below -"),
        ("target <= 5", "6", "below -"),
        ("critical 5", "4", "critical -"),
        ("critical 5", "5", "met -"),
        ("critical 5 target 10", "7", "below -"),
        ("norm 5 target 10", "7", "met -"),
        ("critical <= 3 norm 2", "2.5", "below 0.5"),
    ])
    func oneOrTwoLevels(_ levels: String, _ x: String, _ expected: String) throws {
        #expect(try judged(levels, x) == expected)
    }

    @Test func levelsOnTheLinesBelowContinueTheKPI() throws {
        let result = try evaluate("k = sum(x)\n    critical 1\n    norm 2\n    target 3\nnorm = 5\n", csv: "x\n2")
        #expect(result["k"]?.assessment == Assessment(status: .met, level: 1, critical: .number(1), norm: .number(2), target: .number(3)))
        // `norm = 5` on its own line is a KPI named norm, not a level.
        #expect(single(result, "norm") == "5")
    }

    @Test func aGroupedPlanIsTheNormOfEachManager() throws {
        let sales = try table("manager,amount\nAnn,150\nBob,30\nCid,10\n")
        let plans = try table("manager,plan\nAnn,120\nBob,100\nDan,50\n")
        let source = """
            plan = sum(plans.plan) by manager
            revenue = sum(amount) by manager  critical 0.5 * plan  norm plan  target 1.2 * plan
            """
        let program = try Kipi().compile(source: SourceText(name: "k.kpi", text: source), schema: sales.schema, tables: ["plans": plans.schema])
        let result = try program.evaluate(tables: ["": sales, "plans": plans])
        // Cid has no plan row: the sum of none is 0 for every level, which contradict each other;
        // Dan has a plan and no sales, and is judged on 0.
        #expect(
            JSONFormatter.format(result).contains(
                """
                  "revenue": [
                    {"manager": "Ann", "value": 150, "status": "exceeded", "level": 1.5, "critical": 60, "norm": 120, "target": 144},
                    {"manager": "Bob", "value": 30, "status": "critical", "level": -0.4, "critical": 50, "norm": 100, "target": 120},
                    {"manager": "Cid", "value": {"error": "the levels contradict each other (critical 0, norm 0, target 0): from critical to norm to target they must rise (higher is better) or fall (lower is better), no two equal"}},
                    {"manager": "Dan", "value": 0, "status": "critical", "level": -1, "critical": 25, "norm": 50, "target": 60}
                  ]
                """))
    }

    @Test func aFailedOrNullValueHasNoStatus() throws {
        let result = try evaluate(
            """
            failed = sum(x) / 0  norm 1
            missing = if(sum(x) > 5, 1, null)  norm 1
            no_norm = sum(x)  norm if(sum(x) > 5, 1, null)
            broken_norm = sum(x)  norm 1 / 0
            """, csv: "x\n2")
        #expect(result["failed"]?.assessment == nil)
        #expect(single(result, "failed").hasPrefix("error: division by zero"))
        #expect(result["missing"]?.assessment == Assessment(status: nil, level: nil, norm: .number(1)))
        #expect(result["no_norm"]?.assessment == Assessment(status: nil, level: nil, norm: .null))
        #expect(single(result, "broken_norm").hasPrefix("error: the norm level failed: division by zero"))
        #expect(
            JSONFormatter.format(result) == """
                {
                  "failed": {"error": "division by zero"},
                  "missing": {"value": null, "norm": 1},
                  "no_norm": {"value": 2, "norm": null},
                  "broken_norm": {"error": "the norm level failed: division by zero"}
                }
                """)
    }

    @Test func levelsFromParametersFollowTheirValues() throws {
        let data = try table("x\n7")
        let program = try Kipi().compile(source: SourceText(name: "k.kpi", text: "param goal = 10\nk = sum(x)  critical 5  norm goal"), schema: data.schema)
        #expect(try program.evaluate(data).kpis[0].assessment?.status == .below)
        #expect(try program.evaluate(data, parameters: ["goal": .number(6)]).kpis[0].assessment?.status == .met)
        // A parameter below the critical level turns the direction round: lower is better.
        #expect(try program.evaluate(data, parameters: ["goal": .number(4)]).kpis[0].assessment?.status == .critical)
        #expect(try program.evaluate(data, parameters: ["goal": .number(5)]).kpis[0].value == .single(.error(
            "the levels contradict each other (critical 5, norm 5): from critical to norm to target they must rise (higher is better) or fall (lower is better), no two equal")))
    }

    @Test func checkErrors() {
        let csv = "amount,manager\n1,a"
        #expect(
            diagnostics("a = count()  critical 10 norm 5 target 20", csv: csv) == """
                test.kpi:1:14: error: the levels contradict each other (critical 10, norm 5, target 20): from critical to norm to target they must rise (higher is better) or fall (lower is better), no two equal
                a = count()  critical 10 norm 5 target 20
                             ^~~~~~~~~~~~~~~~~~~~~~~~~~~~
                """)
        #expect(
            diagnostics("a = count()  critical <= 10 norm 20", csv: csv) == """
                test.kpi:1:14: error: the levels contradict each other (critical <= 10, norm 20): with <= they must fall from critical to norm to target, no two equal
                a = count()  critical <= 10 norm 20
                             ^~~~~~~~~~~~~~~~~~~~~~
                """)
        #expect(
            diagnostics("b = count()  norm <= 5 target >= 2", csv: csv) == """
                test.kpi:1:24: error: one level says lower is better (<=) and another higher is better (>=); write the sign once
                b = count()  norm <= 5 target >= 2
                                       ^~~~~~~~~~~
                """)
        #expect(
            diagnostics("d = count()  norm manager", csv: csv) == """
                test.kpi:1:19: error: the norm level must be a number, but is text
                d = count()  norm manager
                                  ^~~~~~~
                """)
        #expect(
            diagnostics("e = count()  norm 5 norm 6", csv: csv) == """
                test.kpi:1:21: error: the norm level is given twice
                e = count()  norm 5 norm 6
                                    ^~~~~~
                """)
        #expect(
            diagnostics("f = max(manager)  norm 3", csv: csv) == """
                test.kpi:1:19: error: 'f' is text; only a number KPI is judged against critical, norm and target levels
                f = max(manager)  norm 3
                                  ^~~~~~
                """)
        #expect(
            diagnostics("g = count() by manager  norm amount", csv: csv) == """
                test.kpi:1:30: error: the norm level has one value per row, but 'g' has one value per manager; a level must be a single value or have the KPI's keys or fewer, such as a plan per manager for a KPI by manager
                g = count() by manager  norm amount
                                             ^~~~~~
                """)
        #expect(
            diagnostics("h = count()  norm 3 by manager", csv: csv) == """
                test.kpi:1:21: error: 'by' comes before the levels: write name = formula by keys as format, then critical, norm and target
                h = count()  norm 3 by manager
                                    ^~
                """)
    }

    @Test func tableAndCSVShowStatusAndLevel() throws {
        let result = try evaluate(
            """
            calls = count()  critical 1 norm 3 target 4
            rate = percent(x > 1)  norm <= 10%
            by_x = count() by x  critical 0 norm 2
            """, csv: "x\n1\n2\n2")
        #expect(
            TableFormatter.format(result) == """
                calls  3  ✔ met 100.0%
                rate   66.7%  ▼ below
                by_x  (by x)
                  x  value  status
                  1      1  ▼ below 50.0%
                  2      2  ✔ met 100.0%
                """)
        #expect(
            CSVFormatter.format(result) == """
                kpi,x,value,status,level
                calls,,3,met,1
                rate,,0.6666666666666666,below,
                by_x,1,1,below,0.5
                by_x,2,2,met,1
                """)
        #expect(TableFormatter.format(result, locale: .ru).hasPrefix("calls  3  ✔ met 100,0%"))
    }
}

extension ThresholdTests {
    @Test func failOnExitsWithThreeAfterPrintingEverything() throws {
        let data = try temporaryFile("d.csv", "manager,amount\nAnn,10\nAnn,20\nBob,5\n")
        let formulas = try temporaryFile("k.kpi", "total = sum(amount)  norm 30\nby_manager = sum(amount) by manager  critical 6 norm 20\n")
        let critical = CapturedRun(["eval", formulas, "--data", data, "--fail-on", "critical"])
        #expect(critical.status == 3)
        #expect(
            critical.output == """
                total       35  ✔ met
                by_manager  (by manager)
                  manager  value  status
                  Ann         30  ✔ met 171.4%
                  Bob          5  ✖ critical -7.1%

                """)
        #expect(CapturedRun(["eval", formulas, "--data", data, "--fail-on", "below"]).status == 3)
        #expect(CapturedRun(["eval", formulas, "--data", data, "--fail-on", "below", "--where", "manager == \"Ann\""]).status == 0)
        #expect(CapturedRun(["eval", formulas, "--data", data]).status == 0)
        let wrong = CapturedRun(["eval", formulas, "--data", data, "--fail-on", "met"])
        #expect(wrong.status == 2)
        #expect(wrong.errors.hasPrefix("kipi: error: --fail-on takes critical or below, got 'met'"))
        #expect(CapturedRun(["check", formulas, "--fail-on", "below"]).status == 2)
    }
}

extension ThresholdTests {
    /// `25% norm` once read as a remainder written with `%`; so did `10% as percent`.
    @Test func aPercentBeforeALevelOrAsIsAPercent() throws {
        let result = try evaluate("k = 20%  critical 25%  norm 15%\nj = 10% as percent", csv: "x\n1")
        #expect(result["k"]?.assessment?.status == .below)
        #expect(single(result, "j") == "0.1")
        #expect(diagnostics("k = 20% amount").contains("'%' makes a percent"))
    }
}

extension ThresholdTests {
    @Test func explainShowsTheStatusAndTheLevels() throws {
        let data = try temporaryFile("d.csv", "manager,amount\nAnn,10\nAnn,20\nBob,5\n")
        let formulas = try temporaryFile("k.kpi", "by_manager = sum(amount) by manager  critical 6 norm 20\n")
        let run = CapturedRun(["explain", formulas, "by_manager", "--data", data, "--group", "manager=Bob"])
        #expect(
            run.output == """
                by_manager = sum(amount) by manager  critical 6 norm 20
                for manager=Bob
                (2 groups, from d)

                sum(amount)  =  5   [1 row]
                  amount  =  5

                status: ✖ critical -7.1% (critical 6, norm 20)

                """)
        let json = CapturedRun(["explain", formulas, "by_manager", "--data", data, "--format", "json"])
        #expect(json.output.contains("\"status\": \"met\",\n  \"level\": 1.7142857142857142,\n  \"critical\": 6,\n  \"norm\": 20,"))
    }

    @Test func reportsAndFilesFromTheCommandLine() throws {
        let data = try temporaryFile("d.csv", "manager,amount\nAnn,10\nBob,5\n")
        let formulas = try temporaryFile("k.kpi", "# k.kpi — Team\n\ntotal = sum(amount)  norm 20\n")
        let directory = (formulas as NSString).deletingLastPathComponent
        let html = CapturedRun(["eval", formulas, "--data", data, "--format", "html", "-o", directory + "/r.html", "--fail-on", "below"])
        #expect(html.status == 3)
        #expect(html.output == "")
        let page = try String(contentsOfFile: directory + "/r.html", encoding: .utf8)
        #expect(page.contains("<title>Team</title>") && page.contains("▼ below"))
        let book = CapturedRun(["report", formulas, "--data", data, "-o", directory + "/r.xlsx"])
        #expect(book.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/r.xlsx")).prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))
        let json = CapturedRun(["eval", formulas, "--data", data, "--format", "json", "--output", directory + "/r.json"])
        #expect(try String(contentsOfFile: directory + "/r.json", encoding: .utf8) == "{\n  \"total\": {\"value\": 15, \"status\": \"below\", \"norm\": 20}\n}\n")
        #expect(json.status == 0)
        #expect(CapturedRun(["report", formulas, "--data", data]).errors.hasPrefix("kipi: error: report needs -o report.html or -o report.xlsx"))
        #expect(CapturedRun(["report", formulas, "--data", data, "-o", "r.pdf"]).errors.hasPrefix("kipi: error: report writes .html or .xlsx; 'r.pdf' is neither"))
        #expect(CapturedRun(["eval", formulas, "--data", data, "--format", "xlsx"]).status == 2)
        let unwritable = CapturedRun(["report", formulas, "--data", data, "-o", "/nonexistent/dir/r.html"])
        #expect(unwritable.status == 1)
        #expect(unwritable.errors.hasPrefix("kipi: error: cannot write '/nonexistent/dir/r.html'"))
        #expect(CapturedRun(["eval", "-e", "3  norm 5", "--format", "json"]).output == "{\"value\": 3, \"status\": \"below\", \"norm\": 5}\n")
    }
}
