import Foundation
import Testing

@testable import Kipi

/// The cookbook (`formulas/*.kpi`) is a golden test: each file, run with the data its header's
/// command names, must give exactly `formulas/NAME.expected.json`, which the Python oracles in
/// `formulas/data` compute independently from the same CSV files.
struct CookbookTests {
    static let formulas = repositoryRoot.appendingPathComponent("formulas")

    /// Every `.kpi` file whose header has the command that runs it, with that command's arguments
    /// (the file: its `data` lines name its data).
    static var examples: [(name: String, arguments: [String])] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: formulas.path)) ?? []
        return files.filter { $0.hasSuffix(".kpi") }.sorted().compactMap { file in
            guard let text = try? String(contentsOf: formulas.appendingPathComponent(file), encoding: .utf8),
                let command = text.split(separator: "\n").first(where: { $0.hasPrefix("#   kipi eval ") })
            else { return nil }
            let words = command.split(separator: " ").dropFirst(3).map(String.init)
            return (String(file.dropLast(4)), words.map { $0.replacingOccurrences(of: "formulas/", with: formulas.path + "/") })
        }
    }

    @Test func everyExampleNamesTheCommandThatRunsIt() {
        #expect(Self.examples.map(\.name) == ["call_center", "hr", "marketing", "okr", "operations", "sales", "scorecard"])
    }

    @Test(arguments: examples.map(\.name))
    func theExampleMatchesItsIndependentOracle(_ name: String) throws {
        let arguments = try #require(Self.examples.first { $0.name == name }?.arguments)
        let run = CapturedRun(["eval"] + arguments + ["--format", "json"])
        #expect(run.status == 0)
        #expect(run.errors == "")
        #expect(!run.output.contains("\"error\""))
        let actual = try JSONSerialization.jsonObject(with: Data(run.output.utf8))
        let expectedData = try Data(contentsOf: Self.formulas.appendingPathComponent("\(name).expected.json"))
        let expected = try JSONSerialization.jsonObject(with: expectedData)
        #expect(differences(actual, expected, path: name) == [])
    }

    @Test(arguments: examples.map(\.name))
    func everyKPIHasADescription(_ name: String) throws {
        let path = Self.formulas.appendingPathComponent("\(name).kpi").path
        let program = try Kipi().compile(
            source: SourceText(name: path, text: try String(contentsOfFile: path, encoding: .utf8)), schema: nil, loadImport: Kipi.readImport)
        for kpi in program.kpis { #expect(!kpi.description.isEmpty, "\(name).\(kpi.name) has no description") }
    }

    /// SPEC §3's functions, each shown in at least one example (Excel's names aside: `СУММ` and
    /// `PERCENTILE.INC` stand for functions shown under their Kipi names).
    @Test func everyBuiltInFunctionAppearsInTheCookbook() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.formulas.path).filter { $0.hasSuffix(".kpi") }
        let text = try files.map { try String(contentsOf: Self.formulas.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let excelNames = Set((StandardLibrary.russianExcelNames + StandardLibrary.excelNames).map(\.0))
        let missing = StandardLibrary.definitions.map(\.name).filter { !excelNames.contains($0) && !Self.calls($0, in: text) }
        #expect(Array(Set(missing)).sorted() == [])
    }

    /// Whether `text` calls `name(` as a whole name, not as the end of a longer one (`running_sum(`).
    static func calls(_ name: String, in text: String) -> Bool {
        var rest = text[...]
        while let found = rest.range(of: name + "(") {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            if !(before.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } ?? false) { return true }
            rest = text[found.upperBound...]
        }
        return false
    }

    /// Where two JSON values differ; numbers agree to 12 significant digits.
    func differences(_ actual: Any, _ expected: Any, path: String) -> [String] {
        switch (actual, expected) {
        case (let a as [String: Any], let e as [String: Any]):
            if Set(a.keys) != Set(e.keys) { return ["\(path): keys \(a.keys.sorted()) != \(e.keys.sorted())"] }
            return e.keys.sorted().flatMap { differences(a[$0] as Any, e[$0] as Any, path: "\(path).\($0)") }
        case (let a as [Any], let e as [Any]):
            if a.count != e.count { return ["\(path): \(a.count) rows != \(e.count)"] }
            return zip(a, e).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        case (let a as String, let e as String):
            return a == e ? [] : ["\(path): \(a) != \(e)"]
        case (let a as NSNumber, let e as NSNumber):
            let difference = abs(a.doubleValue - e.doubleValue)
            return difference <= 1e-12 * max(1, abs(e.doubleValue)) ? [] : ["\(path): \(a) != \(e)"]
        case (is NSNull, is NSNull):
            return []
        default:
            return ["\(path): \(actual) != \(expected)"]
        }
    }
}
