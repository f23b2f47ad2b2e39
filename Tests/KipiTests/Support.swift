@testable import Kipi

/// A table from CSV text written inline in a test.
func table(_ csv: String) throws -> DataTable {
    try CSVReader.read(Array(csv.utf8), name: "data.csv")
}

/// Compiles and evaluates formula text against inline CSV.
func evaluate(_ formulas: String, csv: String = "x\n1", parameters: [String: Value] = [:]) throws -> EvaluationResult {
    let data = try table(csv)
    let program = try Kipi().compile(source: SourceText(name: "test.kpi", text: formulas), schema: data.schema)
    return try program.evaluate(data, parameters: parameters)
}

/// The single value of a KPI, or its error message prefixed with "error: ".
func single(_ result: EvaluationResult, _ name: String) -> String {
    guard let kpi = result[name] else { return "missing \(name)" }
    switch kpi.value {
    case .single(.value(let value)): return value.description
    case .single(.error(let message)): return "error: \(message)"
    case .grouped: return "grouped"
    }
}

/// A grouped KPI's rows as `key|key=value` lines.
func groups(_ result: EvaluationResult, _ name: String) -> [String] {
    guard let kpi = result[name], case .grouped(_, let rows) = kpi.value else { return ["not grouped"] }
    return rows.map { row in
        let keys = row.keys.map { key in
            switch key {
            case .text(let text): text
            case .period(let period): period.description
            default: key.description
            }
        }.joined(separator: "|")
        switch row.outcome {
        case .value(let value): return "\(keys)=\(value)"
        case .error(let message): return "\(keys)=error: \(message)"
        }
    }
}

/// The diagnostics of compiling `formulas` (against `csv`'s schema), rendered.
func diagnostics(_ formulas: String, csv: String? = "amount,manager,date\n1,a,2024-01-01") -> String {
    do {
        let schema = try csv.map { try table($0).schema }
        _ = try Kipi().compile(source: SourceText(name: "test.kpi", text: formulas), schema: schema)
        return "no errors"
    } catch {
        return "\(error)"
    }
}
