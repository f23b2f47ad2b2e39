import Foundation

/// Renders results as CSV: `kpi,group,value,error`, one row per KPI or per group row.
/// `group` is empty for a single-valued KPI and `key=value; key=value` for a group row.
public enum CSVFormatter {
    public static func format(_ result: EvaluationResult) -> String {
        var lines = ["kpi,group,value,error"]
        for kpi in result.kpis {
            switch kpi.value {
            case .single(let outcome):
                lines.append(row(kpi.name, "", outcome))
            case .grouped(let keyNames, let rows):
                for groupRow in rows {
                    let group = zip(keyNames, groupRow.keys).map { "\($0)=\(plain($1))" }.joined(separator: "; ")
                    lines.append(row(kpi.name, group, groupRow.outcome))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ name: String, _ group: String, _ outcome: Outcome) -> String {
        switch outcome {
        case .value(let value): [name, group, plain(value), ""].map(quoted).joined(separator: ",")
        case .error(let message): [name, group, "", message].map(quoted).joined(separator: ",")
        }
    }

    /// A value as a cell: numbers in full precision, text unquoted, null empty.
    static func plain(_ value: Value) -> String {
        switch value {
        case .text(let text): text
        case .null: ""
        case .number, .boolean, .date, .list: JSONFormatter.value(value).trimmingCharacters(in: ["\""])
        }
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
