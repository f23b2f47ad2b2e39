import Foundation

/// Renders results as long, pivotable CSV (SPEC §5): `kpi,<key>…,value`, one column for each key
/// name of the reported KPIs in order of first appearance, one row per scalar KPI (key cells
/// empty) and per group row. Numbers in full precision, null empty, a failure `error: message`.
/// For `ru` and `de`, `;`-separated with decimal commas, as those Excels open CSV.
public enum CSVFormatter {
    /// The results as long, pivotable CSV: `kpi,<key>…,value` (SPEC §5).
    public static func format(_ result: EvaluationResult, locale: NumberLocale = .en) -> String {
        var keyNames: [String] = []
        for kpi in result.kpis {
            if case .grouped(let names, _) = kpi.value {
                for name in names where !keyNames.contains(name) { keyNames.append(name) }
            }
        }
        let delimiter = locale.csvDelimiter
        func line(_ cells: [String]) -> String { cells.map { quoted($0, delimiter) }.joined(separator: delimiter) }
        // With levels declared anywhere (SPEC v3), `status,level` follow the value.
        let judged = result.kpis.contains(where: \.isJudged)
        func judgement(_ assessment: Assessment?) -> [String] {
            guard judged else { return [] }
            return [assessment?.status?.rawValue ?? "", assessment?.level.map { cell(.number($0), locale) } ?? ""]
        }
        var lines = [line(["kpi"] + keyNames + ["value"] + (judged ? ["status", "level"] : []))]
        for kpi in result.kpis {
            switch kpi.value {
            case .single(let outcome):
                lines.append(line([kpi.name] + keyNames.map { _ in "" } + [cell(outcome, locale)] + judgement(kpi.assessment)))
            case .grouped(let names, let rows):
                for row in rows {
                    let keys = keyNames.map { name in names.firstIndex(of: name).map { cell(row.keys[$0], locale) } ?? "" }
                    lines.append(line([kpi.name] + keys + [cell(row.outcome, locale)] + judgement(row.assessment)))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func cell(_ outcome: Outcome, _ locale: NumberLocale) -> String {
        switch outcome {
        case .value(let value): cell(value, locale)
        case .error(let message): "error: \(message)"
        }
    }

    private static func cell(_ value: Value, _ locale: NumberLocale) -> String {
        let text = plain(value)
        if case .number = value, locale.decimalMark != "." { return text.replacingOccurrences(of: ".", with: locale.decimalMark) }
        return text
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

    private static func quoted(_ field: String, _ delimiter: String) -> String {
        guard field.contains(where: { String($0) == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
