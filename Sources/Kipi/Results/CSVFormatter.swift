import Foundation

/// Renders results as CSV with SPEC's two columns, `name,value`: one row per KPI, or per group
/// row named `kpi[key=value, key=value]`. A failed cell's value is `error: message`.
public enum CSVFormatter {
    public static func format(_ result: EvaluationResult) -> String {
        var lines = ["name,value"]
        for kpi in result.kpis {
            switch kpi.value {
            case .single(let outcome):
                lines.append(row(kpi.name, outcome))
            case .grouped(let keyNames, let rows):
                for groupRow in rows {
                    lines.append(row("\(kpi.name)[\(groupRow.label(keyNames: keyNames))]", groupRow.outcome))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ name: String, _ outcome: Outcome) -> String {
        switch outcome {
        case .value(let value): [name, plain(value)].map(quoted).joined(separator: ",")
        case .error(let message): [name, "error: \(message)"].map(quoted).joined(separator: ",")
        }
    }

    /// A value as a cell: numbers in full precision, text unquoted, null empty.
    static func plain(_ value: Value) -> String {
        switch value {
        case .text(let text): text
        case .null: ""
        case .period(let period): period.description
        case .number, .boolean, .date, .list: JSONFormatter.value(value).trimmingCharacters(in: ["\""])
        }
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
