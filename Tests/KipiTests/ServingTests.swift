import Foundation
import Testing

@testable import Kipi

/// SPEC v3, serving many users: results that encode, typed accessors, diagnostics a web editor
/// can place, limits that narrow, an async evaluate.
struct ServingTests {
    static let formulas = """
        revenue = sum(amount)  norm 20
        by_manager = sum(amount) by manager
        first_day = min(date)
        months = count() by month(date)
        failed = sum(amount) / 0
        label = "Итого: " & text(sum(amount))
        """
    static let csv = "manager,amount,date\nAnn,10,2024-01-05\nБорис,5.5,2024-02-01\nAnn,,2024-02-03\n"

    @Test func jsonEncoderWritesTheSameJSONAsFormatJSON() throws {
        let result = try evaluate(Self.formulas, csv: Self.csv)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = String(decoding: try encoder.encode(result), as: UTF8.self)
        #expect(
            encoded
                == #"{"by_manager":[{"manager":"Ann","value":10},{"manager":"Борис","value":5.5}],"failed":{"error":"division by zero"},"#
                + #""first_day":"2024-01-05","label":"Итого: 15.5","months":[{"month(date)":"2024-01","value":1},{"month(date)":"2024-02","value":2}],"#
                + #""revenue":{"norm":20,"status":"below","value":15.5}}"#)
        let formatted = try JSONSerialization.jsonObject(with: Data(JSONFormatter.format(result).utf8)) as? NSDictionary
        #expect(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? NSDictionary == formatted)
        // Read back, the results encode to the same JSON.
        let decoded = try JSONDecoder().decode(EvaluationResult.self, from: Data(encoded.utf8))
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == encoded)
        #expect(decoded["by_manager"]?.keyNames == ["manager"])
    }

    @Test(arguments: CookbookTests.examples.map(\.name))
    func everyCookbookFileEncodesAsItsJSONOutput(_ name: String) throws {
        let (program, tables) = try SQLEngineTests.cookbook(name)
        let result = try program.evaluate(tables: tables)
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(result)) as? NSDictionary
        let formatted = try JSONSerialization.jsonObject(with: Data(JSONFormatter.format(result).utf8)) as? NSDictionary
        #expect(encoded == formatted)
    }

    @Test func typedAccessorsReachValuesWithoutNestedEnums() throws {
        let result = try evaluate(Self.formulas, csv: Self.csv)
        #expect(result["revenue"]?.number == 15.5)
        #expect(result["revenue"]?.assessment?.status == .below)
        #expect(result["label"]?.text == "Итого: 15.5")
        #expect(result["failed"]?.errorMessage == "division by zero")
        #expect(result["failed"]?.number == nil)
        #expect(result["by_manager"]?.rows.map(\.number) == [10, 5.5])
        #expect(result["by_manager"]?.row(["manager": .text("Борис")])?.number == 5.5)
        #expect(result["revenue"]?.rows == [])
    }
}

extension ServingTests {
    @Test func diagnosticsGiveStartAndEndInCharactersAndUTF16Units() throws {
        let text = "# отчёт\nx = if(\"Привет 世界 😀\" == \"\", sum(amout), 0)\n"
        let prefix = "x = if(\"Привет 世界 😀\" == \"\", sum("
        var found: Diagnostic?
        do {
            _ = try Kipi().compile(source: SourceText(name: "t.kpi", text: text), schema: Schema(columns: [("amount", .number)]))
        } catch {
            found = error.diagnostics.first
        }
        let diagnostic = try #require(found)
        // The emoji is one character and two UTF-16 units.
        #expect(diagnostic.start == SourceText.Location(line: 2, column: prefix.count + 1, utf16Column: prefix.utf16.count + 1))
        #expect(diagnostic.end == SourceText.Location(line: 2, column: prefix.count + 6, utf16Column: prefix.utf16.count + 6))
        #expect(prefix.utf16.count == prefix.count + 1)
    }
}
