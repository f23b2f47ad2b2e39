import Foundation

/// Renders an explanation as indented text for people, or as JSON for tools.
public enum ExplanationFormatter {
    /// The widest expression text shown on a line; longer ones are shortened with `…`.
    static let expressionWidth = 60

    /// The explanation as indented text, a node a line.
    public static func text(_ explanation: Explanation) -> String {
        var lines = [explanation.definition]
        if !explanation.groupKeys.isEmpty {
            lines.append("for " + zip(explanation.groupKeyNames, explanation.groupKeys).map { "\($0)=\(CSVFormatter.plain($1))" }.joined(separator: ", "))
        }
        if let groups = explanation.groups { lines.append("(\(groups))") }
        lines.append("")
        appendLines(explanation.root, indent: "", to: &lines)
        if let assessment = explanation.assessment {
            let levels = ThresholdLevel.allCases.compactMap { level in
                assessment[level].map { "\(level.rawValue) \(TableFormatter.text($0, explanation.root.format))" }
            }
            let status = TableFormatter.statusText(assessment)
            lines.append("")
            lines.append("status: " + (status.isEmpty ? "none" : status) + " (" + levels.joined(separator: ", ") + ")")
        }
        return lines.joined(separator: "\n")
    }

    private static func appendLines(_ node: ExplanationNode, indent: String, to lines: inout [String]) {
        var details: [String] = []
        if let rows = node.rows {
            let unit = node.countsRows ? "row" : "value"
            var scope = "\(rows) \(unit)\(rows == 1 ? "" : "s")"
            if let kept = node.kept {
                let share = rows == 0 ? "" : " (" + TableFormatter.text(.number(Double(kept) / Double(rows)), .percent) + ")"
                scope += ", where kept \(kept)\(share)"
            }
            details.append(scope)
            if let nulls = node.nulls, nulls > 0 { details.append("\(nulls) null\(nulls == 1 ? "" : "s") skipped") }
        }
        if let note = node.note { details.append(note) }
        let line = indent + shortened(node.expression) + "  =  " + valueText(node.value, node.format)
        lines.append(details.isEmpty ? line : line + "   [" + details.joined(separator: "; ") + "]")
        for child in node.children { appendLines(child, indent: indent + "  ", to: &lines) }
    }

    private static func shortened(_ expression: String) -> String {
        let oneLine = expression.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        guard oneLine.count > expressionWidth else { return oneLine }
        return String(oneLine.prefix(expressionWidth - 1)) + "…"
    }

    static func valueText(_ value: ExplainedValue, _ format: DisplayFormat) -> String {
        switch value {
        case .value(let value): return TableFormatter.text(value, format)
        case .error(let message): return "error: \(message)"
        case .values(let count, let trueCount?, _): return "true in \(trueCount) of \(count)"
        case .values(let count, nil, let first):
            let shown = first.map { TableFormatter.text($0, format) }.joined(separator: ", ")
            return "\(count) values" + (first.isEmpty ? "" : ": \(shown)" + (count > first.count ? ", …" : ""))
        }
    }

    /// The explanation as JSON, nodes nested under `children`.
    public static func json(_ explanation: Explanation) -> String {
        let group = zip(explanation.groupKeyNames, explanation.groupKeys).map { "\(JSONFormatter.string($0)): \(JSONFormatter.value($1))" }
        var members = [
            "\"kpi\": \(JSONFormatter.string(explanation.kpi))",
            "\"definition\": \(JSONFormatter.string(explanation.definition))",
            "\"group\": {" + group.joined(separator: ", ") + "}",
        ]
        if let groups = explanation.groups { members.append("\"groups\": \(JSONFormatter.string(groups))") }
        if let assessment = explanation.assessment {
            if let status = assessment.status { members.append("\"status\": \(JSONFormatter.string(status.rawValue))") }
            if let level = assessment.level { members.append("\"level\": \(JSONFormatter.value(.number(level)))") }
            for level in ThresholdLevel.allCases {
                if let value = assessment[level] { members.append("\(JSONFormatter.string(level.rawValue)): \(JSONFormatter.value(value))") }
            }
        }
        members += nodeMembers(explanation.root, indent: "  ")
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}"
    }

    private static func nodeMembers(_ node: ExplanationNode, indent: String) -> [String] {
        var members = ["\"expression\": \(JSONFormatter.string(node.expression))", "\"value\": \(jsonValue(node.value))"]
        if let rows = node.rows { members.append("\"rows\": \(rows)") }
        if let kept = node.kept { members.append("\"kept\": \(kept)") }
        if let nulls = node.nulls { members.append("\"nulls\": \(nulls)") }
        if let note = node.note { members.append("\"note\": \(JSONFormatter.string(note))") }
        let inner = indent + "  "
        let children = node.children.map { child in
            "{\n\(inner)  " + nodeMembers(child, indent: inner + "  ").joined(separator: ",\n\(inner)  ") + "\n\(inner)}"
        }
        members.append("\"children\": " + (children.isEmpty ? "[]" : "[\n\(inner)" + children.joined(separator: ",\n\(inner)") + "\n\(indent)]"))
        return members
    }

    private static func jsonValue(_ value: ExplainedValue) -> String {
        switch value {
        case .value(let value): JSONFormatter.value(value)
        case .error(let message): "{\"error\": \(JSONFormatter.string(message))}"
        case .values(let count, let trueCount, let first):
            "{\"count\": \(count)" + (trueCount.map { ", \"true\": \($0)" } ?? "") + ", \"first\": ["
                + first.map(JSONFormatter.value).joined(separator: ", ") + "]}"
        }
    }
}
