/// Renders results as JSON, in the shape SPEC section 5 pins: one object with the KPIs in
/// file order; a grouped KPI is an array of `{key…, "value": v}`; a failure is `{"error": "…"}`.
public enum JSONFormatter {
    /// The results as one JSON object, KPIs in file order (SPEC §5).
    public static func format(_ result: EvaluationResult) -> String {
        guard !result.kpis.isEmpty else { return "{}" }
        let members = result.kpis.map { "  \(string($0.name)): \(value($0, indent: "  "))" }
        return "{\n" + members.joined(separator: ",\n") + "\n}"
    }

    /// One KPI's value alone, as `kipi eval -e --format json` prints it.
    public static func format(_ kpi: KPIResult) -> String {
        value(kpi, indent: "")
    }

    private static func value(_ kpi: KPIResult, indent: String) -> String {
        switch kpi.value {
        case .single(let outcome):
            guard kpi.isJudged, case .value = outcome else { return self.outcome(outcome) }
            return "{" + members(outcome, kpi.assessment).joined(separator: ", ") + "}"
        case .grouped(let keyNames, let rows):
            guard !rows.isEmpty else { return "[]" }
            let lines = rows.map { row in
                let keys = zip(keyNames, row.keys).map { "\(string($0)): \(self.value($1))" }
                return "\(indent)  {" + (keys + members(row.outcome, row.assessment)).joined(separator: ", ") + "}"
            }
            return "[\n" + lines.joined(separator: ",\n") + "\n\(indent)]"
        }
    }

    /// `"value": v`, then the status, the level and each declared level (SPEC v3), those without a value left out.
    private static func members(_ outcome: Outcome, _ assessment: Assessment?) -> [String] {
        var members = ["\"value\": \(self.outcome(outcome))"]
        guard let assessment else { return members }
        if let status = assessment.status { members.append("\"status\": \(string(status.rawValue))") }
        if let level = assessment.level { members.append("\"level\": \(value(.number(level)))") }
        for level in ThresholdLevel.allCases {
            if let declared = assessment[level] { members.append("\(string(level.rawValue)): \(value(declared))") }
        }
        return members
    }

    private static func outcome(_ outcome: Outcome) -> String {
        switch outcome {
        case .value(let value): self.value(value)
        case .error(let message): "{\"error\": \(string(message))}"
        }
    }

    static func value(_ value: Value) -> String {
        switch value {
        case .number(let number): number.isFinite ? formatLiteral(number) : "null"
        case .text(let text): string(text)
        case .boolean(let flag): flag ? "true" : "false"
        case .date(let date): string(date.description)
        case .period(let period): period.grain == .year ? String(period.index) : string(period.description)
        case .list(let elements): "[" + elements.map(self.value).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }

    static func string(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20: escaped += "\\u" + pad(Int(scalar.value), 4, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    private static func pad(_ value: Int, _ width: Int, radix: Int) -> String {
        let digits = String(value, radix: radix)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
