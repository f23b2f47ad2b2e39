import Foundation

/// Renders results for people: one aligned line per KPI, numbers with thousands separators,
/// percent KPIs as `45.2%`, grouped KPIs as indented sub-tables.
public enum TableFormatter {
    /// The results as aligned text, grouped KPIs as sub-tables.
    public static func format(_ result: EvaluationResult, locale: NumberLocale = .en) -> String {
        let nameWidth = result.kpis.map { displayWidth($0.name) }.max() ?? 0
        var lines: [String] = []
        for kpi in result.kpis {
            switch kpi.value {
            case .single(let outcome):
                let status = kpi.assessment.map { "  " + statusText($0, locale) } ?? ""
                lines.append(padded(kpi.name, nameWidth) + "  " + text(outcome, kpi.format, locale) + status)
            case .grouped(let keyNames, let rows):
                lines.append(kpi.name + "  (by " + keyNames.joined(separator: ", ") + ")")
                lines += subTable(keyNames, rows, kpi.format, judged: kpi.isJudged, locale).map { "  " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One KPI's value alone, as `kipi eval -e` prints it.
    public static func format(_ kpi: KPIResult, locale: NumberLocale = .en) -> String {
        switch kpi.value {
        case .single(let outcome): text(outcome, kpi.format, locale) + (kpi.assessment.map { "  " + statusText($0, locale) } ?? "")
        case .grouped(let keyNames, let rows): subTable(keyNames, rows, kpi.format, judged: kpi.isJudged, locale).joined(separator: "\n")
        }
    }

    /// A status with its mark, and the level when there is one (SPEC v3): `✔ met 93.4%`; empty without a status.
    public static func statusText(_ assessment: Assessment, _ locale: NumberLocale = .en) -> String {
        guard let status = assessment.status else { return "" }
        let level = assessment.level.map { " " + text(.number($0), DisplayFormat(style: .percent, decimals: 1), locale) } ?? ""
        return "\(statusMark(status)) \(status.rawValue)\(level)"
    }

    /// The mark beside a status, so that it reads without colour.
    public static func statusMark(_ status: KPIStatus) -> String {
        switch status {
        case .critical: "✖"
        case .below: "▼"
        case .met: "✔"
        case .exceeded: "▲"
        }
    }

    private static func subTable(
        _ keyNames: [String], _ rows: [GroupRow], _ format: DisplayFormat, judged: Bool, _ locale: NumberLocale
    ) -> [String] {
        guard !rows.isEmpty else { return ["(no groups)"] }
        let header = keyNames + ["value"] + (judged ? ["status"] : [])
        let shared = sharedDecimals(rows.map(\.outcome), format)
        let body = rows.map { row in
            row.keys.map { text($0, .plain, locale) } + [text(row.outcome, shared, locale)]
                + (judged ? [row.assessment.map { statusText($0, locale) } ?? ""] : [])
        }
        let widths = header.indices.map { column in ([header] + body).map { displayWidth($0[column]) }.max() ?? 0 }
        let valueColumn = keyNames.count
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { column, cell in
                // Keys align left, values right, as a spreadsheet shows text and numbers.
                column == valueColumn ? leftPadded(cell, widths[column]) : padded(cell, widths[column])
            }.joined(separator: "  ")
            return judged ? String(text.reversed().drop { $0 == " " }.reversed()) : text
        }
        return [line(header)] + body.map(line)
    }

    /// The format a column of values is shown in: numbers shown as they are (no decimals given)
    /// share the most decimals any of them needs, so `24,340.00` stands above `23,526.18`.
    private static func sharedDecimals(_ outcomes: [Outcome], _ format: DisplayFormat) -> DisplayFormat {
        guard format.style == .number, format.decimals == nil else { return format }
        var most: Int?
        for case .value(.number(let number)) in outcomes {
            guard let decimals = humanDecimals(number) else { return format }
            most = max(most ?? 0, decimals)
        }
        guard let most, most > 0 else { return format }
        var shared = format
        shared.decimals = most
        return shared
    }

    /// The decimals `human` shows a number with; nil for scientific notation.
    private static func humanDecimals(_ number: Double) -> Int? {
        let magnitude = abs(number)
        if magnitude >= 1e15 || (magnitude < 1e-6 && number != 0) { return nil }
        if number == number.rounded() { return 0 }
        if magnitude >= 1 { return 2 }
        var text = grouped(number, decimals: Int((-log10(magnitude)).rounded(.down)) + 4, .en)
        while text.hasSuffix("0") { text.removeLast() }
        return text.split(separator: ".").last.map(\.count) ?? 0
    }

    private static func text(_ outcome: Outcome, _ format: DisplayFormat, _ locale: NumberLocale) -> String {
        switch outcome {
        case .value(let value): text(value, format, locale)
        case .error(let message): "error: \(message)"
        }
    }

    /// A value as the table shows it.
    public static func text(_ value: Value, _ format: DisplayFormat, _ locale: NumberLocale = .en) -> String {
        switch value {
        case .number(let number):
            switch (format.style, format.decimals) {
            case (.percent, let decimals): return grouped(number * 100, decimals: decimals ?? 1, locale) + "%"
            case (.number, let decimals?): return grouped(number, decimals: decimals, locale)
            case (.number, nil): return human(number, locale)
            }
        case .text(let text): return text
        case .boolean(let flag): return flag ? "true" : "false"
        case .date(let date): return date.description
        case .period(let period): return period.description
        case .list(let elements): return "[" + elements.map { text($0, format, locale) }.joined(separator: ", ") + "]"
        case .null: return "—"
        }
    }

    /// Whole numbers as they are, others with two decimals, small fractions to four significant
    /// digits; beyond a quadrillion or below a millionth, in scientific notation.
    private static func human(_ number: Double, _ locale: NumberLocale) -> String {
        let magnitude = abs(number)
        if magnitude >= 1e15 || (magnitude < 1e-6 && number != 0) {
            return String(format: "%.6g", number).replacingOccurrences(of: ".", with: locale.decimalMark)
        }
        if number == number.rounded() { return grouped(number, decimals: 0, locale) }
        if magnitude >= 1 { return grouped(number, decimals: 2, locale) }
        let leadingZeros = Int((-log10(magnitude)).rounded(.down))
        var text = grouped(number, decimals: leadingZeros + 4, locale)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// `number` rounded to `decimals`, with the locale's thousands separator and decimal mark.
    static func grouped(_ number: Double, decimals: Int, _ locale: NumberLocale = .en) -> String {
        // Rounded as Excel shows it, half away from zero on the decimal value: 2.675 is 2.68.
        let fixed = String(format: "%.\(decimals)f", Arithmetic.roundHalfAwayFromZero(number, digits: Double(decimals)))
        let negative = fixed.hasPrefix("-")
        let unsigned = negative ? String(fixed.dropFirst()) : fixed
        let parts = unsigned.split(separator: ".", maxSplits: 1)
        var integer = String(parts.first ?? "0")
        var withSeparators = ""
        while integer.count > 3 {
            withSeparators = locale.thousandsSeparator + integer.suffix(3) + withSeparators
            integer = String(integer.dropLast(3))
        }
        let fraction = parts.count > 1 ? locale.decimalMark + parts[1] : ""
        let isZero = !unsigned.contains { $0 != "0" && $0 != "." }
        return (negative && !isZero ? "-" : "") + integer + withSeparators + fraction
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - displayWidth(text)))
    }

    private static func leftPadded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - displayWidth(text))) + text
    }

    /// Terminal columns a text takes: East Asian wide characters take two.
    public static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            let value = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark { return width }
            let wide =
                (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || (0x20000...0x3FFFD).contains(value)
            return width + (wide ? 2 : 1)
        }
    }
}
