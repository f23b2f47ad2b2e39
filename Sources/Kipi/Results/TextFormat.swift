/// The text forms of results (SPEC §5): one renderer, used by `kipi eval` and the REPL alike.
public enum TextFormat: String, Sendable, CaseIterable {
    /// Aligned tables for people, numbers in the locale's way.
    case table
    /// §5's JSON object.
    case json
    /// One row per KPI or group row.
    case csv

    /// `result` in this form. With `single` an expression's one KPI is shown on its own (a table
    /// or JSON of its value; CSV always has its header). `byteOrderMark` starts CSV with one, so
    /// that a spreadsheet reads it as UTF-8.
    public func text(of result: EvaluationResult, single: Bool = false, locale: NumberLocale = .en, byteOrderMark: Bool = false) -> String {
        switch (self, single ? result.kpis.first : nil) {
        case (.table, let kpi?): TableFormatter.format(kpi, locale: locale)
        case (.table, nil): TableFormatter.format(result, locale: locale)
        case (.json, let kpi?): JSONFormatter.format(kpi)
        case (.json, nil): JSONFormatter.format(result)
        case (.csv, _): (byteOrderMark ? "\u{FEFF}" : "") + CSVFormatter.format(result, locale: locale)
        }
    }
}
