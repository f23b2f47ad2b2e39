import Foundation
import Testing

@testable import Kipi

/// SPEC §4 "what offices really export", on fixtures made by `Tests/Fixtures/make_office_fixtures.py`.
struct OfficeDataTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A formula evaluated over a fixture.
    static func result(_ formula: String, _ fixture: String, options: DataOptions = DataOptions()) throws -> EvaluationResult {
        let data = try DataTable.load(contentsOf: fixtures.appendingPathComponent(fixture).path, options: options)
        let program = try Kipi().compile(expression: SourceText(name: "<expr>", text: formula), schema: data.schema)
        return try program.evaluate(data)
    }

    func value(_ formula: String, _ fixture: String, options: DataOptions = DataOptions()) throws -> String {
        let result = try Self.result(formula, fixture, options: options)
        guard let kpi = result.kpis.first else { return "none" }
        switch kpi.value {
        case .single(.value(let value)): return value.description
        case .single(.error(let message)): return "error: \(message)"
        case .grouped(_, let rows): return rows.map { "\($0.keys.map(\.description).joined(separator: "|"))=\($0.outcome)" }.joined(separator: "; ")
        }
    }

    @Test(arguments: [
        ("sum(Сумма)", "cp1251_semicolon.csv", "1334.56"),
        ("min(Менеджер)", "cp1251_semicolon.csv", "\"Иванов\""),
        ("max(hour(Дата))", "cp1251_semicolon.csv", "15"),
        ("sum(amount)", "utf16_unicode_text.txt", "15.5"),
        ("sum(金额)", "gb18030_chinese.csv", "350.5"),
        ("min(经理)", "gb18030_chinese.csv", "\"李娜\""),
        // $530 + 1 234,56 ₽ + ¥1200 + € 5; the error values are empty cells.
        ("sum(price)", "nulls_and_currency.csv", "2969.56"),
        ("count(price)", "nulls_and_currency.csv", "4"),
        ("count(rate)", "nulls_and_currency.csv", "1"),
        ("sum(rate)", "nulls_and_currency.csv", "0.125"),
    ])
    func readsWhatOfficesExport(_ formula: String, _ fixture: String, _ expected: String) throws {
        #expect(try value(formula, fixture) == expected)
    }

    @Test func theEncodingCanBeForcedAndNullValuesReplaced() throws {
        #expect(try value("sum(Сумма)", "cp1251_semicolon.csv", options: DataOptions(encoding: .cp1251)) == "1334.56")
        #expect(throws: DiagnosticList.self) {
            try value("sum(Сумма)", "cp1251_semicolon.csv", options: DataOptions(encoding: .utf8))
        }
        // With only "#N/A" read as null, the other placeholders make the rate column text.
        #expect(try value("count(rate)", "nulls_and_currency.csv", options: DataOptions(nullValues: ["#N/A"])) == "5")
    }

    @Test func anErrorAfterDecodingNamesTheEncoding() throws {
        let data = Data("Сумма;Дата\n1;2\n3\n".utf8)
        let cp1251 = try #require(String(data: data, encoding: .utf8)?.data(using: .windowsCP1251))
        do {
            _ = try DataFormat.csv.read(cp1251, name: "d.csv")
            Issue.record("no error")
        } catch {
            #expect(error.description == "d.csv:3: error: row has 1 field, but the header has 2 (read as Windows-1251)")
        }
    }

    @Test func jsonStringsThatAreNullTokensAreNull() throws {
        let table = try DataTable.load(Data(##"[{"a": 1}, {"a": "#N/A"}, {"a": "n/a"}, {"a": 3}]"##.utf8), name: "d.json")
        #expect(table["a"]?.type == .number)
        #expect(table["a"]?[1] == .null)
        #expect(table["a"]?[3] == .number(3))
    }
}
