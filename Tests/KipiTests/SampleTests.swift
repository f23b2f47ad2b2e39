import Foundation
import Testing

/// `formulas/sales.kpi` is a golden test: its JSON output must match `formulas/sales.expected.json`,
/// which `formulas/data/oracle.py` computes independently, in plain Python, from the same CSV.
struct SampleTests {
    @Test func theSampleMatchesTheIndependentOracle() throws {
        let kpi = repositoryRoot.appendingPathComponent("formulas/sales.kpi").path
        let data = repositoryRoot.appendingPathComponent("formulas/data/sales.csv").path
        let plans = repositoryRoot.appendingPathComponent("formulas/data/sales_plan.csv").path
        let run = CapturedRun(["eval", kpi, "--data", data, "--data", "plans=\(plans)", "--format", "json"])
        #expect(run.status == 0)
        let actual = try JSONSerialization.jsonObject(with: Data(run.output.utf8))
        let expectedData = try Data(contentsOf: repositoryRoot.appendingPathComponent("formulas/sales.expected.json"))
        let expected = try JSONSerialization.jsonObject(with: expectedData)
        #expect(differences(actual, expected, path: "$") == [])
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
