import Foundation
import Testing

@testable import Kipi

/// Programs over two and three tables made by `Tests/GroupRules/generate.py`, whose values
/// come from a small Python reference of SPEC v3's group rules written from the SPEC's text:
/// Kipi in-process, and on DuckDB and PostgreSQL, must give the reference's values.
struct GroupRulesReferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var tables: [String: String]
        var program: String
        /// Each KPI's value as text, or its group rows as keys (joined by `|`) and value.
        var expected: [String: Expected]
        var testDescription: String { name }
    }

    enum Expected: Sendable {
        case single(String)
        case groups([(keys: String, value: String)])
    }

    /// The generated cases, read once.
    static let cases: [Case] = {
        // KIPI_GROUP_CASES names another file of cases (more seeds, while building).
        let url = ProcessInfo.processInfo.environment["KIPI_GROUP_CASES"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent("Tests/GroupRules/cases.json")
        guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = object["cases"] as? [[String: Any]]
        else { return [] }
        return list.compactMap { item in
            guard let name = item["name"] as? String, let tables = item["tables"] as? [String: String], let program = item["program"] as? String,
                let encoded = item["expected"] as? [String: Any]
            else { return nil }
            let expected = encoded.mapValues { value -> Expected in
                guard let rows = (value as? [String: Any])?["groups"] as? [[String: Any]] else { return .single(expectedText(value)) }
                return .groups(rows.map { row in ((row["keys"] as? [String] ?? []).joined(separator: "|"), expectedText(row["value"])) })
            }
            return Case(name: name, tables: tables, program: program, expected: expected)
        }
    }()

    static func compiled(_ example: Case) throws -> (Program, [String: DataTable]) {
        var tables: [String: DataTable] = [:]
        for (name, csv) in example.tables {
            tables[name] = try CSVReader.read(Array(csv.utf8), name: name.isEmpty ? "data.csv" : "\(name).csv")
        }
        let program = try Kipi().compile(
            source: SourceText(name: "\(example.name).kpi", text: example.program), schema: tables[""]?.schema,
            tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema))
        return (program, tables)
    }

    /// The reference's outcome as text, as `describe` writes Kipi's.
    static func expectedText(_ encoded: Any?) -> String {
        guard let value = encoded as? [String: Any] else { return "?" }
        if let message = value["error"] as? String { return "error: \(message)" }
        if value["null"] != nil { return "null" }
        if let number = value["value"] as? Double { return number.formatted(.number.precision(.significantDigits(12)).grouping(.never)) }
        return "?"
    }

    static func actualText(_ outcome: Outcome) -> String {
        switch outcome {
        case .error(let message): return "error: \(message)"
        case .value(.null): return "null"
        case .value(.number(let number)): return number.formatted(.number.precision(.significantDigits(12)).grouping(.never))
        case .value(let value): return value.description
        }
    }

    /// Every KPI's value and every group row where Kipi and the reference differ.
    static func differences(_ example: Case, _ result: EvaluationResult) -> [String] {
        var found: [String] = []
        for (name, expected) in example.expected.sorted(by: { $0.key < $1.key }) {
            guard let kpi = result[name] else {
                found.append("\(name): missing")
                continue
            }
            switch (kpi.value, expected) {
            case (.single(let outcome), .single(let want)):
                let got = actualText(outcome)
                if want != got { found.append("\(name): expected \(want), got \(got)") }
            case (.single, .groups), (.grouped, .single):
                found.append("\(name): expected \(expected), got \(kpi.value)")
            case (.grouped(_, let rows), .groups(let wanted)):
                let got = rows.map { row in
                    (row.keys.map { CSVFormatter.plain($0) }.joined(separator: "|"), actualText(row.outcome))
                }
                if wanted.map(\.0) != got.map(\.0) {
                    found.append("\(name): groups \(wanted.map(\.0)) expected, got \(got.map(\.0))")
                    continue
                }
                for (want, have) in zip(wanted, got) where want.1 != have.1 {
                    found.append("\(name)[\(want.0)]: expected \(want.1), got \(have.1)")
                }
            }
        }
        return found
    }

    @Test func theGeneratorWroteSeveralHundredPrograms() {
        #expect(Self.cases.count >= 300)
    }

    @Test(arguments: cases)
    func inProcessGivesTheReferenceValues(_ example: Case) throws {
        let (program, tables) = try Self.compiled(example)
        let result = try program.evaluate(tables: tables)
        #expect(Self.differences(example, result) == [], "\(example.program)")
    }

    /// A share of the programs on each engine (each takes a client run to load and one to evaluate).
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func theEnginesGiveTheReferenceValues(_ dialect: SQLDialect) throws {
        for example in Self.cases.enumerated().filter({ $0.offset % 4 == (dialect == .duckdb ? 0 : 1) }).map(\.element) {
            let (program, tables) = try Self.compiled(example)
            let (inProcess, engine) = try Engines.bothWays(program, tables: tables, on: dialect)
            #expect(Self.differences(example, inProcess) == [], "\(example.program)")
            #expect(Engines.differences(inProcess, engine) == [], "\(example.name) on \(dialect)\n\(example.program)")
        }
    }
}
