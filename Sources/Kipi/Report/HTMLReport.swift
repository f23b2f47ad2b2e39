import Foundation

/// Writes results as one self-contained HTML page (SPEC v3, reports people look at): inline
/// CSS and SVG, no script, font or image from elsewhere; readable offline and printable on A4.
/// Every number is in the page as text; a status is a mark and a word as well as a colour.
public enum HTMLReport {
    /// Series drawn in one chart at most; beyond them, those with the largest values.
    static let maximumSeries = 8

    /// The page for `result`, with the heading, sources and locale of `context`.
    public static func page(_ result: EvaluationResult, context: ReportContext) -> String {
        var body: [String] = []
        body.append("<header>")
        body.append("<h1>\(Markup.escaped(context.title))</h1>")
        for paragraph in paragraphs(context.description) { body.append(paragraph) }
        body.append(sourcesList(context))
        body.append(legend)
        body.append("</header>")
        // Single values in file order as cards, side by side; a grouped KPI takes the page's width.
        var cards: [String] = []
        func flushCards() {
            if !cards.isEmpty { body.append("<div class=\"cards\">\n" + cards.joined(separator: "\n") + "\n</div>") }
            cards = []
        }
        for (position, kpi) in result.kpis.enumerated() {
            let part = section(kpi, id: "kpi-\(position + 1)", context.locale)
            if case .single = kpi.value {
                cards.append(part)
            } else {
                flushCards()
                body.append(part)
            }
        }
        flushCards()
        return """
            <!DOCTYPE html>
            <html lang="\(context.locale.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Markup.escaped(context.title))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    // MARK: Parts of the page

    private static func paragraphs(_ text: String) -> [String] {
        var result: [String] = []
        var prose: [String] = []
        var code: [String] = []
        func flush() {
            if !prose.isEmpty { result.append("<p class=\"description\">\(Markup.escaped(prose.joined(separator: " ")))</p>") }
            if !code.isEmpty { result.append("<pre>\(Markup.escaped(code.joined(separator: "\n")))</pre>") }
            prose = []
            code = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush()
            } else if line.hasPrefix("  ") {
                // An indented line is a command or an example: kept as written.
                if !prose.isEmpty { flush() }
                code.append(line.trimmingCharacters(in: .whitespaces))
            } else {
                if !code.isEmpty { flush() }
                prose.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        flush()
        return result
    }

    private static func sourcesList(_ context: ReportContext) -> String {
        var items = context.sources.map { source in
            let name = source.table.isEmpty ? "" : "<b>\(Markup.escaped(source.table))</b>: "
            let rows = TableFormatter.grouped(Double(source.rows), decimals: 0, context.locale)
            return "<li>\(name)<code>\(Markup.escaped(source.file))</code>, \(rows) row\(source.rows == 1 ? "" : "s")</li>"
        }
        if items.isEmpty { items = ["<li>no data file</li>"] }
        return "<div class=\"meta\"><p>Data read on \(Markup.escaped(context.computedAt)):</p><ul>" + items.joined() + "</ul></div>"
    }

    private static let legend = """
        <p class="legend" aria-label="What the statuses mean">\
        <span class="status critical">✖ critical</span> worse than the critical level \
        <span class="status below">▼ below</span> worse than the norm \
        <span class="status met">✔ met</span> the norm reached \
        <span class="status exceeded">▲ exceeded</span> the target reached. \
        The level is (fact − critical) ÷ (norm − critical).</p>
        """

    private static func section(_ kpi: KPIResult, id: String, _ locale: NumberLocale) -> String {
        let kind = if case .single = kpi.value { "kpi card" } else { "kpi" }
        let status = kpi.assessment?.status.map { " \($0.rawValue)" } ?? ""
        var parts = ["<section class=\"\(kind)\(status)\" id=\"\(id)\" data-kpi=\"\(Markup.escaped(kpi.name))\">", "<h2>\(Markup.escaped(kpi.name))</h2>"]
        if !kpi.description.isEmpty { parts.append("<p class=\"description\">\(Markup.escaped(kpi.description))</p>") }
        switch kpi.value {
        case .single(let outcome):
            var line = "<p class=\"value\"><span class=\"number\">\(cell(outcome, kpi.format, locale))</span> \(statusBadge(kpi.assessment, locale))</p>"
            if let levels = levelsText(kpi.assessment, kpi.format, locale) { line += "\n<p class=\"levels\">\(levels)</p>" }
            parts.append(line)
        case .grouped(let keyNames, let rows):
            if let chart = LineChart(keyNames: keyNames, rows: rows, format: kpi.format, locale: locale) {
                parts.append(chart.svg(title: kpi.name))
            }
            parts.append(groupTable(keyNames, rows, kpi.format, judged: kpi.isJudged, locale))
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    /// A grouped KPI's rows: keys, the value with a bar as long as its share of the largest, the status.
    private static func groupTable(_ keyNames: [String], _ rows: [GroupRow], _ format: DisplayFormat, judged: Bool, _ locale: NumberLocale) -> String {
        guard !rows.isEmpty else { return "<p>(no groups)</p>" }
        let largest = rows.compactMap { row -> Double? in
            if case .value(.number(let number)) = row.outcome { return abs(number) }
            return nil
        }.max() ?? 0
        var lines = ["<table class=\"groups\"><thead><tr>"]
        lines.append(keyNames.map { "<th scope=\"col\">\(Markup.escaped($0))</th>" }.joined() + "<th scope=\"col\" class=\"number\">value</th>" + (judged ? "<th scope=\"col\">status</th>" : ""))
        lines.append("</tr></thead><tbody>")
        for row in rows {
            var cells = row.keys.map { "<td>\(Markup.escaped(TableFormatter.text($0, .plain, locale)))</td>" }
            var bar = ""
            if case .value(.number(let number)) = row.outcome, largest > 0 {
                let share = min(100, abs(number) / largest * 100)
                let kind = number < 0 ? "bar negative" : "bar \(row.assessment?.status?.rawValue ?? "plain")"
                bar = "<span class=\"\(kind)\" style=\"width: \(String(format: "%.1f", share))%\" aria-hidden=\"true\"></span>"
            }
            let numeric = if case .value(.text) = row.outcome { false } else { true }
            cells.append("<td class=\"\(numeric ? "number " : "")bar-cell\">\(bar)<span class=\"figure\">\(cell(row.outcome, format, locale))</span></td>")
            if judged { cells.append("<td>\(statusBadge(row.assessment, locale))</td>") }
            lines.append("<tr>" + cells.joined() + "</tr>")
        }
        lines.append("</tbody></table>")
        return lines.joined(separator: "\n")
    }

    private static func cell(_ outcome: Outcome, _ format: DisplayFormat, _ locale: NumberLocale) -> String {
        switch outcome {
        case .value(let value): Markup.escaped(TableFormatter.text(value, format, locale))
        case .error(let message): "<span class=\"error\">error: \(Markup.escaped(message))</span>"
        }
    }

    /// The status as a coloured mark and word, with the level; empty without a status.
    private static func statusBadge(_ assessment: Assessment?, _ locale: NumberLocale) -> String {
        guard let assessment, let status = assessment.status else { return "" }
        return "<span class=\"status \(status.rawValue)\">\(Markup.escaped(TableFormatter.statusText(assessment, locale)))</span>"
    }

    private static func levelsText(_ assessment: Assessment?, _ format: DisplayFormat, _ locale: NumberLocale) -> String? {
        guard let assessment else { return nil }
        let levels = ThresholdLevel.allCases.compactMap { level in
            assessment[level].map { "\(level.rawValue) \(Markup.escaped(TableFormatter.text($0, format, locale)))" }
        }
        return levels.isEmpty ? nil : levels.joined(separator: " · ")
    }

    /// The page's look: system fonts, status colours that keep their contrast in print.
    private static let style = """

        :root { --critical: #b3261e; --below: #a15c00; --met: #1b7a3a; --exceeded: #1a5fb4; --ink: #1d1d1f; --muted: #5f6368; --rule: #d9dce0; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; }
        main { max-width: 180mm; margin: 0 auto; padding: 12mm 8mm; }
        h1 { font-size: 22px; margin: 0 0 8px; }
        h2 { font-size: 17px; margin: 0 0 4px; }
        p { margin: 4px 0; }
        pre { background: #f5f6f7; padding: 6px 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
        .description { color: var(--muted); }
        .meta ul { margin: 2px 0 8px; padding-left: 20px; }
        .legend { font-size: 12px; color: var(--muted); border-top: 1px solid var(--rule); padding-top: 6px; }
        .legend .status { margin-left: 8px; }
        section.kpi { border-top: 1px solid var(--rule); padding: 10px 0 12px; break-inside: avoid; page-break-inside: avoid; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(52mm, 1fr)); gap: 8px; margin: 10px 0; }
        section.card { border: 1px solid var(--rule); border-left: 5px solid var(--rule); border-radius: 4px; padding: 8px 10px; }
        section.card h2 { font-size: 13px; overflow-wrap: anywhere; }
        section.card .description { font-size: 12px; }
        section.card.critical { border-left-color: var(--critical); } section.card.below { border-left-color: var(--below); }
        section.card.met { border-left-color: var(--met); } section.card.exceeded { border-left-color: var(--exceeded); }
        .value { font-size: 20px; }
        .value .number { font-weight: 600; }
        .levels { color: var(--muted); font-size: 12px; }
        .status { font-weight: 600; white-space: nowrap; font-size: 13px; }
        .status.critical { color: var(--critical); } .status.below { color: var(--below); }
        .status.met { color: var(--met); } .status.exceeded { color: var(--exceeded); }
        table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
        th, td { padding: 3px 10px 3px 0; border-bottom: 1px solid #eef0f2; text-align: left; vertical-align: top; }
        thead th { border-bottom: 1px solid var(--rule); font-weight: 600; color: var(--muted); font-size: 12px; }
        .number { text-align: right; }
        .bar-cell { position: relative; min-width: 130px; }
        .bar { position: absolute; left: 0; top: 4px; height: 1.2em; opacity: 0.22; background: #4a5568; max-width: calc(100% - 10px); }
        .bar.critical { background: var(--critical); } .bar.below { background: var(--below); }
        .bar.met { background: var(--met); } .bar.exceeded { background: var(--exceeded); }
        .bar.negative { background: #7a1fa2; }
        .figure { position: relative; }
        .error { color: var(--critical); }
        svg.chart { display: block; width: 100%; height: auto; margin: 6px 0; }
        svg.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
        svg.chart .axis { stroke: var(--rule); }
        svg.chart .series path { fill: none; stroke-width: 2; }
        svg.chart .reference { stroke-dasharray: 6 4; stroke-width: 1.5; fill: none; }
        .chart-note { font-size: 12px; color: var(--muted); }
        @page { size: A4; margin: 14mm; }
        @media print { main { max-width: none; padding: 0; } body { font-size: 11pt; } }

        """
}
