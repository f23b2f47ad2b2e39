import Foundation
import Testing

@testable import Kipi
@testable import KipiCLI

/// Runs the `kipi` command line in-process, capturing what it prints.
final class CapturedRun: @unchecked Sendable {
    var output = ""
    var errors = ""
    var status: Int32 = 0

    init(_ arguments: [String], input: String = "", lines: [String] = []) {
        var remaining = lines
        let terminal = Terminal(
            readInput: { limit in input.utf8.count <= limit ? Array(input.utf8) : nil },
            readLine: { remaining.isEmpty ? nil : remaining.removeFirst() },
            write: { self.output += $0 },
            writeError: { self.errors += $0 })
        status = KipiCommand.run(arguments, terminal: terminal)
    }
}

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `kipi` program built beside the test binary (or in `.build/debug`).
let builtKipi: String = {
    let built = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kipi")
    return FileManager.default.isExecutableFile(atPath: built.path) ? built.path : repositoryRoot.appendingPathComponent(".build/debug/kipi").path
}()

/// Runs a Python script of the tests, returning its exit status and everything it printed.
func runPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try runProgram(["python3", script] + arguments)
}

/// Runs a program found on PATH (in `environment`, when given), returning its exit status and everything it printed.
func runProgram(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

func temporaryFile(_ name: String, _ contents: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

struct CommandLineTests {
    static let csv = "manager,amount,month\nAnn,10,2024-01\nAnn,20,2024-02\nBob,5,2024-01\n"

    @Test func evalReadsSeveralTablesWithFiltersAndQualifiedTypes() throws {
        let facts = try temporaryFile("facts.csv", "manager,amount\nAnn,10\nAnn,20\nBob,5\n")
        let plans = try temporaryFile("plans.csv", "manager,target\nAnn,60\nBob,10\n")
        let formulas = try temporaryFile("k.kpi", "plan_fact = sum(amount) / sum(plans.target) by manager\nt = sum(plans.target)\n")
        let run = CapturedRun([
            "eval", formulas, "--data", facts, "--data", "plans=\(plans)", "--where", "amount > 5", "--type", "plans.target=number",
            "--format", "json",
        ])
        #expect(run.errors == "")
        #expect(run.output == """
            {
              "plan_fact": [
                {"manager": "Ann", "value": 0.5},
                {"manager": "Bob", "value": 0}
              ],
              "t": 70
            }

            """)
        let textTarget = CapturedRun(["eval", formulas, "--data", facts, "--data", "plans=\(plans)", "--type", "plans.target=text"])
        #expect(textTarget.errors.contains("'sum' expects a number column for 'x', but got text"))
    }

    @Test func explainPrintsTheTreeOfOneKPI() throws {
        let data = try temporaryFile("d.csv", "manager,amount\nAnn,10\nAnn,20\nBob,5\n")
        let formulas = try temporaryFile("k.kpi", "total = sum(amount) by manager\n")
        let run = CapturedRun(["explain", formulas, "total", "--data", data, "--group", "manager=Ann"])
        #expect(run.status == 0)
        #expect(run.output == "total = sum(amount) by manager\nfor manager=Ann\n(2 groups, from d)\n\nsum(amount)  =  30   [2 rows]\n  amount  =  2 values: 10, 20\n")
        let json = CapturedRun(["explain", formulas, "total", "--data", data, "--format", "json"])
        #expect(json.output.contains("\"group\": {\"manager\": \"Ann\"}"))
        let unknown = CapturedRun(["explain", formulas, "totl", "--data", data])
        #expect(unknown.status == 1)
        #expect(unknown.errors == "kipi: error: no KPI named 'totl'; did you mean 'total'?\n")
    }

    @Test func evalChecksOnlyAgainstTheDataSchema() throws {
        let data = try temporaryFile("d.csv", "opened,closed,date\n2024-01-01,2024-01-03,2024-02-01\n")
        #expect(CapturedRun(["eval", "-e", "avg(closed - opened)", "--data", data]).output == "2\n")
        #expect(CapturedRun(["eval", "-e", "count() by month(date - 1)", "--data", data, "--format", "json"]).output
            == "[\n  {\"month(date - 1)\": \"2024-01\", \"value\": 1}\n]\n")
        let unknown = CapturedRun(["eval", "-e", "sum(xx)", "--data", data])
        #expect(unknown.errors == "<expr>:1:5: error: unknown column 'xx'\nsum(xx)\n    ^~\n")
        #expect(unknown.status == 1)
    }

    @Test func anExpressionUsesTheFilesItsDefinitionsImport() throws {
        let common = try temporaryFile("common.kpi", "let closed = status in [\"won\", \"lost\"]\n")
        let directory = (common as NSString).deletingLastPathComponent
        let main = (directory as NSString).appendingPathComponent("main.kpi")
        try "import \"common.kpi\"\nwon = count(where status == \"won\")\n".write(toFile: main, atomically: true, encoding: .utf8)
        let schema = Schema(columns: [("status", .text)])
        let program = try Kipi().compile(
            expression: SourceText(name: "<expr>", text: "count(where closed)"), schema: schema,
            definitions: [try Kipi.readImport(main, importer: "")], loadImport: Kipi.readImport)
        let data = try DataTable(columns: [("status", Column(texts: ["won", "open", "lost"]))], rowCount: 3)
        #expect(try program.evaluate(data)["value"]?.value == .single(.value(.number(2))))
    }

    @Test func evalPrintsJSONWithKPIsInFileOrder() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "total = sum(amount)\nby_manager = sum(amount) by manager\nbroken = total / 0\nname = \"x\"\n")
        let run = CapturedRun(["eval", formulas, "--data", data, "--format", "json"])
        #expect(
            run.output == """
                {
                  "total": 35,
                  "by_manager": [
                    {"manager": "Ann", "value": 30},
                    {"manager": "Bob", "value": 5}
                  ],
                  "broken": {"error": "division by zero"},
                  "name": "x"
                }

                """)
        #expect(run.status == 1)
        #expect(run.errors == "kipi: error: 'broken': division by zero\n")
    }

    @Test func evalPrintsCSV() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "total = sum(amount)\nby_manager = sum(amount) / 4 by manager\n")
        let run = CapturedRun(["eval", formulas, "--data", data, "--format", "csv"])
        #expect(run.output == "kpi,manager,value\ntotal,,35\nby_manager,Ann,7.5\nby_manager,Bob,1.25\n")
        #expect(run.status == 0)
        // Russian and German Excel open ';'-separated CSV with decimal commas; with a locale the
        // CSV is for a spreadsheet, and starts with a byte order mark (SPEC v3).
        let russian = CapturedRun(["eval", formulas, "--data", data, "--format", "csv", "--locale", "ru"])
        #expect(russian.output == "\u{FEFF}kpi;manager;value\ntotal;;35\nby_manager;Ann;7,5\nby_manager;Bob;1,25\n")
        let english = CapturedRun(["eval", formulas, "--data", data, "--format", "csv", "--locale", "en"])
        #expect(english.output.hasPrefix("\u{FEFF}kpi,manager,value\n"))
    }

    /// SPEC v3: the numbers of one table column share their decimals.
    @Test func aTableColumnSharesItsDecimals() throws {
        let data = try temporaryFile("d.csv", "manager,amount\nAnn,24340\nBob,23526.18\nCat,0.5\n")
        let formulas = try temporaryFile("k.kpi", "total = sum(amount) by manager\n")
        let run = CapturedRun(["eval", formulas, "--data", data])
        #expect(run.output == "total  (by manager)\n  manager      value\n  Ann      24,340.00\n  Bob      23,526.18\n  Cat           0.50\n")
    }

    @Test func tablesFollowTheLocale() throws {
        let data = try temporaryFile("d.csv", "x\n1234.5\n")
        let formulas = try temporaryFile("k.kpi", "total = sum(x) * 1000\nshare = 0.4567 as percent(1)\nyear_key = count() by year(date(\"2024-03-01\") + x * 0)\n")
        #expect(CapturedRun(["eval", formulas, "--data", data, "--locale", "ru"]).output.hasPrefix("total     1 234 500\nshare     45,7%\n"))
        #expect(CapturedRun(["eval", formulas, "--data", data, "--locale", "de"]).output.hasPrefix("total     1.234.500\nshare     45,7%\n"))
        let english = CapturedRun(["eval", formulas, "--data", data]).output
        #expect(english.hasPrefix("total     1,234,500\nshare     45.7%\n"))
        #expect(english.contains("  2024 "))
    }

    @Test func csvQuotesWhatNeedsItAndShowsFailures() throws {
        let data = try temporaryFile("d.csv", "manager,region,amount\n\"Smith, John\",EU,10\nAnn,US,0\n")
        let formulas = try temporaryFile("k.kpi", "ratio = sum(amount) / sum(amount) by manager, region\nnote = \"say \\\"hi\\\"\"\n")
        let run = CapturedRun(["eval", formulas, "--data", data, "--format", "csv"])
        #expect(
            run.output == """
                kpi,manager,region,value
                ratio,Ann,US,error: division by zero
                ratio,"Smith, John",EU,1
                note,,,"say ""hi""\"

                """)
    }

    @Test func evalPrintsAReadableTable() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile(
            "k.kpi", "total = sum(amount) * 1000\nshare = percent(manager == \"Ann\")\nby_manager = sum(amount) by manager\n")
        let run = CapturedRun(["eval", formulas, "--data", data])
        #expect(
            run.output == """
                total       35,000
                share       66.7%
                by_manager  (by manager)
                  manager  value
                  Ann         30
                  Bob          5

                """)
    }

    @Test func expressionsPrintTheBareValue() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        #expect(CapturedRun(["eval", "-e", "sum(amount) / count()", "--data", data, "--format", "json"]).output == "\(35.0 / 3)\n")
        #expect(CapturedRun(["eval", "-e", "1 + 2"]).output == "3\n")
        #expect(
            CapturedRun(["eval", "-e", "count() by manager", "--data", data, "--format", "json"]).output
                == "[\n  {\"manager\": \"Ann\", \"value\": 2},\n  {\"manager\": \"Bob\", \"value\": 1}\n]\n")
    }

    @Test func dataFromStandardInput() {
        let run = CapturedRun(["eval", "-e", "sum(amount)", "--data", "-"], input: Self.csv)
        #expect(run.output == "35\n")
        #expect(run.status == 0)
    }

    @Test func parametersOverrideDefaults() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "param rate = 10%\nparam who = \"Ann\"\nfee = sum(amount where manager == who) * rate\n")
        #expect(CapturedRun(["eval", formulas, "--data", data, "--format", "json"]).output == "{\n  \"fee\": 3\n}\n")
        #expect(
            CapturedRun(["eval", formulas, "--data", data, "--format", "json", "--param", "rate=50%", "-p", "who=Bob"]).output
                == "{\n  \"fee\": 2.5\n}\n")
        let wrongType = CapturedRun(["eval", formulas, "--data", data, "--param", "rate=lots"])
        #expect(wrongType.status == 1)
        #expect(wrongType.errors == "kipi: error: parameter 'rate' must be a number (such as 60, 12.5 or 15%), got 'lots'\n")
        let unknown = CapturedRun(["eval", formulas, "--data", data, "--param", "rte=1"])
        #expect(unknown.status == 1)
        #expect(unknown.errors == "kipi: error: unknown parameter 'rte'; did you mean 'rate'?\n")
    }

    @Test func onlySelectsKPIs() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "a = 1\nb = 2\nc = 3\n")
        #expect(
            CapturedRun(["eval", formulas, "--data", data, "--only", "c,a", "--format", "csv"]).output == "kpi,value\na,1\nc,3\n")
        let wrong = CapturedRun(["eval", formulas, "--data", data, "--only", "A"])
        #expect(wrong.status == 2)
        #expect(wrong.errors == "kipi: error: --only names no KPI 'A'; did you mean 'a'?\n")
    }

    @Test func formulaErrorsGoToStandardErrorWithStatus1() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "total = sum(amout)\n")
        let run = CapturedRun(["eval", formulas, "--data", data])
        #expect(run.status == 1)
        #expect(run.output == "")
        #expect(run.errors == "\(formulas):1:13: error: unknown column 'amout'; did you mean 'amount'?\ntotal = sum(amout)\n            ^~~~~\n")
    }

    struct UsageCase: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(arguments: ["frobnicate"], message: "unknown command 'frobnicate'"),
        UsageCase(arguments: ["eval"], message: "eval needs a .kpi file or -e 'expression'"),
        UsageCase(arguments: ["eval", "a.kpi", "--format", "xml"], message: "unknown format 'xml'; use table, json, csv, html or xlsx"),
        UsageCase(arguments: ["eval", "a.kpi", "--data"], message: "--data needs a value"),
        UsageCase(arguments: ["eval", "a.kpi", "--param", "noequals"], message: "--param takes name=value, got 'noequals'"),
        UsageCase(arguments: ["eval", "a.kpi", "--bogus"], message: "unknown option '--bogus'"),
        UsageCase(arguments: ["check"], message: "check takes one .kpi file"),
        // Each command takes only its own options (one table declares them all).
        UsageCase(arguments: ["check", "a.kpi", "--only", "x"], message: "'kipi check' takes no option --only; --only goes with eval, sql and report"),
        UsageCase(
            arguments: ["functions", "--data", "f.csv"], message: "'kipi functions' takes no option --data; --data goes with eval, check, explain, sql, report and repl"),
        UsageCase(arguments: ["sql", "a.kpi", "--engine", "duckdb"], message: "'kipi sql' takes no option --engine; --engine goes with eval"),
        UsageCase(arguments: ["eval", "a.kpi", "--decimal-comma=yes"], message: "--decimal-comma takes no value"),
        UsageCase(arguments: ["eval", "a.kpi", "--data", "a.csv", "--data", "b.csv"], message: "--data is given twice for the default table"),
        UsageCase(
            arguments: ["eval", "a.kpi", "--data", "plans=a.csv", "--data", "plans=b.csv"], message: "--data is given twice for table 'plans'"),
    ]

    @Test(arguments: usageCases)
    func wrongUsageExitsWith2(_ example: UsageCase) {
        let run = CapturedRun(example.arguments)
        #expect(run.status == 2)
        #expect(run.errors == "kipi: error: \(example.message)\nRun 'kipi --help' for usage.\n")
    }

    @Test func helpVersionAndFunctions() {
        let help = CapturedRun(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("kipi eval FILE.kpi --data [NAME=]DATA"))
        #expect(help.output.contains("  --dialect duckdb|postgres|spark"))
        // A command's own help lists its usage and the options it takes, and no other.
        let sql = CapturedRun(["sql", "--help"])
        #expect(sql.status == 0)
        #expect(sql.output.contains("kipi sql FILE.kpi --dialect duckdb|postgres|spark"))
        #expect(sql.output.contains("  --dialect duckdb|postgres|spark"))
        #expect(!sql.output.contains("kipi eval") && !sql.output.contains("  --engine ") && !sql.output.contains("--locale"))
        #expect(!CapturedRun(["functions", "--help"]).output.contains("OPTIONS"))
        #expect(CapturedRun(["--version"]).output == "kipi \(KipiCommand.version)\n")
        let functions = CapturedRun(["functions"])
        #expect(functions.output.contains("sum(x: column of number) -> number\n    Sum of the non-null values"))
        #expect(functions.output.contains("round(x: number, [digits: number]) -> number"))
    }

    @Test func checkWithAndWithoutData() throws {
        let data = try temporaryFile("d.csv", Self.csv)
        let formulas = try temporaryFile("k.kpi", "param p = 1\ntotal = sum(amount)\nby_manager = sum(amount) by manager\n")
        let run = CapturedRun(["check", formulas])
        #expect(run.status == 0)
        #expect(run.output == "\(formulas): ok, 2 KPIs (1 grouped), 1 parameter\n")
        let withData = CapturedRun(["check", formulas, "--data", data])
        #expect(withData.status == 0)
        let typeError = try temporaryFile("t.kpi", "total = sum(manager)\n")
        #expect(CapturedRun(["check", typeError]).status == 0)
        #expect(CapturedRun(["check", typeError, "--data", data]).status == 1)
    }

    @Test func unreadableFilesAreErrorsNotCrashes() throws {
        let missing = CapturedRun(["eval", "-e", "count()", "--data", "/nonexistent/d.csv"])
        #expect(missing.status == 1)
        #expect(missing.errors == "/nonexistent/d.csv: error: cannot read the data file: no such file\n")
        let data = try temporaryFile("d.csv", "a,b\n1\n")
        let missingFormula = CapturedRun(["eval", "/nonexistent/x.kpi", "--data", "/nonexistent/d.csv"])
        #expect(missingFormula.errors == "/nonexistent/x.kpi: error: cannot read the formula file: no such file\n")
        let ragged = CapturedRun(["eval", "-e", "count()", "--data", data])
        #expect(ragged.status == 1)
        #expect(ragged.errors == "\(data):2: error: row has 1 field, but the header has 2\n")
    }

    /// The sample's table in English and Russian: the oracle's revenue, 3265509.75, as each writes it.
    @Test func theSampleTableFollowsTheLocale() throws {
        let kpi = repositoryRoot.appendingPathComponent("formulas/sales.kpi").path
        let data = repositoryRoot.appendingPathComponent("formulas/data/sales.csv").path
        let plans = "plans=" + repositoryRoot.appendingPathComponent("formulas/data/sales_plan.csv").path
        let english = CapturedRun(["eval", kpi, "--data", data, "--data", plans]).output
        let russian = CapturedRun(["eval", kpi, "--data", data, "--data", plans, "--locale", "ru"]).output
        /// The line of a scalar KPI, its name and value, whatever the width of the name column.
        func line(_ output: String, _ name: String) -> String? {
            output.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { $0.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") }
        }
        #expect(line(english, "revenue") == "revenue 3,265,509.75")
        #expect(line(russian, "revenue") == "revenue 3 265 509,75")
        #expect(line(english, "plan_fact") == "plan_fact 94.4%  ▼ below 86.1%")
        #expect(line(russian, "plan_fact") == "plan_fact 94,4%  ▼ below 86,1%")
    }

    @Test func theSampleEvaluatesWithoutErrors() throws {
        let kpi = repositoryRoot.appendingPathComponent("formulas/sales.kpi").path
        let data = repositoryRoot.appendingPathComponent("formulas/data/sales.csv").path
        let plans = repositoryRoot.appendingPathComponent("formulas/data/sales_plan.csv").path
        let run = CapturedRun(["eval", kpi, "--data", data, "--data", "plans=\(plans)", "--format", "json"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors == "")
        #expect(!run.output.contains("\"error\""))
        let program = try Kipi().compile(
            source: SourceText(name: kpi, text: String(contentsOfFile: kpi, encoding: .utf8)),
            schema: try CSVReader.read(Array(FileManager.default.contents(atPath: data) ?? Data()), name: data).schema,
            tables: ["plans": try CSVReader.read(Array(FileManager.default.contents(atPath: plans) ?? Data()), name: plans).schema],
            loadImport: Kipi.readImport)
        #expect(program.kpis.count >= 10)
        #expect(program.kpis.filter { !$0.keyNames.isEmpty }.count >= 3)
    }
}

struct ImportTests {
    /// Writes files into one fresh directory; returns its path.
    func directory(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-imports-\(UUID().uuidString)")
        for (name, contents) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return directory.path
    }

    @Test func importedDefinitionsAreUsableButNotReported() throws {
        let root = try directory([
            "main.kpi": "import \"lib/common.kpi\"\ntotal = base * factor\n",
            "lib/common.kpi": "import \"more.kpi\"\nparam factor = 2\nbase = 21\n",
            "lib/more.kpi": "import \"common.kpi\"\nfn unused(x) = x\n",
        ])
        let run = CapturedRun(["eval", "\(root)/main.kpi", "--format", "json"])
        #expect(run.errors == "")
        #expect(run.output == "{\n  \"total\": 42\n}\n")
    }

    @Test func aMissingImportIsAnErrorAtTheImport() throws {
        let root = try directory(["main.kpi": "k = 1\nimport \"nope.kpi\"\n"])
        let run = CapturedRun(["eval", "\(root)/main.kpi"])
        #expect(run.status == 1)
        #expect(run.errors == "\(root)/main.kpi:2:8: error: cannot import 'nope.kpi': no such file\nimport \"nope.kpi\"\n       ^~~~~~~~~~\n")
    }

    @Test func errorsInAnImportedFileNameThatFile() throws {
        let root = try directory(["main.kpi": "import \"lib.kpi\"\nk = helper\n", "lib.kpi": "helper = 1 +\n"])
        let run = CapturedRun(["eval", "\(root)/main.kpi"])
        #expect(run.errors == "\(root)/lib.kpi:1:13: error: expected an expression, found end of line\nhelper = 1 +\n            ^\n")
    }
}

struct KeywordNameTests {
    @Test func aKeywordWhereANameBelongsSuggestsBackticks() {
        #expect(
            diagnostics("by = 1").hasPrefix(
                "test.kpi:1:1: error: expected a definition (name = expression), 'let', 'param', 'fn' or 'import', found the keyword 'by'; write `by` in backticks to use it as a name"
            ))
        #expect(diagnostics("`by` = 1", csv: nil) == "no errors")
    }
}

struct MissingDataTests {
    @Test func formulasThatReadColumnsNeedData() throws {
        let formulas = try temporaryFile("k.kpi", "total = sum(amount)\nn = count(where status == \"won\")\n")
        let run = CapturedRun(["eval", formulas])
        #expect(run.status == 2)
        #expect(run.errors == "kipi: error: the formulas read columns (amount, status); give the data with --data FILE\n")
    }
}

struct TableFormatTests {
    @Test(arguments: [
        (1_234_567.0, "1,234,567"), (-1234.5, "-1,234.50"), (0.5, "0.5"), (0.012345, "0.01235"), (0.1, "0.1"),
        (0.0000001234, "1.234e-07"), (Double.leastNonzeroMagnitude, "4.94066e-324"), (1e20, "1e+20"), (0.0, "0"), (-0.25, "-0.25"),
    ])
    func numbersReadWell(_ number: Double, _ text: String) {
        #expect(TableFormatter.text(.number(number), .plain) == text)
    }

    @Test func percentagesHaveOneDecimal() {
        #expect(TableFormatter.text(.number(0.4523), .percent) == "45.2%")
        #expect(TableFormatter.text(.number(-0.0004), .percent) == "0.0%")
        #expect(TableFormatter.text(.number(12.5), .percent) == "1,250.0%")
    }
}
