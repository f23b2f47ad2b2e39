import Foundation

/// A grouped KPI with a period (or date) key drawn along it as an SVG line chart: a line per
/// combination of the other keys (the largest `HTMLReport.maximumSeries` of them), and the norm
/// and target where they can be drawn as one line.
struct LineChart {
    struct Series {
        var label: String
        /// The value at each period, by the period's position; a period without one is a gap.
        var points: [Int: Double]
        var magnitude: Double { points.values.reduce(0) { $0 + abs($1) } }
    }

    struct Reference {
        var level: ThresholdLevel
        var points: [Int: Double]
    }

    let periods: [Value]
    let series: [Series]
    let hidden: Int
    let references: [Reference]
    let format: DisplayFormat
    let locale: NumberLocale

    static let width = 640.0
    static let height = 250.0
    static let left = 70.0
    static let right = 36.0
    static let top = 12.0
    static let bottom = 34.0
    static let colors = ["#1a5fb4", "#c64600", "#2e7d32", "#8e24aa", "#00838f", "#ad1457", "#6d4c41", "#455a64"]

    /// The chart of a grouped KPI, or nil when it has no period or date key, or no number to draw.
    init?(keyNames: [String], rows: [GroupRow], format: DisplayFormat, locale: NumberLocale) {
        guard !rows.isEmpty, let (along, time) = LineChart.timeKey(keyNames.count, rows) else { return nil }
        var distinct: [Value] = []
        for row in rows where !distinct.contains(row.keys[along]) { distinct.append(row.keys[along]) }
        periods = distinct.sorted { Value.sortsBefore(time($0), time($1)) }
        let position = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var byLabel: [String: Series] = [:]
        var order: [String] = []
        var levelPoints: [ThresholdLevel: [String: [Int: Double]]] = [:]
        var levelValues: [ThresholdLevel: Set<Double>] = [:]
        for row in rows {
            let label = row.keys.indices.filter { $0 != along }.map { TableFormatter.text(row.keys[$0], .plain, locale) }.joined(separator: " · ")
            if byLabel[label] == nil {
                byLabel[label] = Series(label: label.isEmpty ? "value" : label, points: [:])
                order.append(label)
            }
            guard let at = position[row.keys[along]] else { continue }
            if case .value(.number(let number)) = row.outcome { byLabel[label]?.points[at] = number }
            for level in [ThresholdLevel.norm, .target] {
                if case .number(let number)? = row.assessment?[level] {
                    levelPoints[level, default: [:]][label, default: [:]][at] = number
                    levelValues[level, default: []].insert(number)
                }
            }
        }
        let all = order.compactMap { byLabel[$0] }.filter { !$0.points.isEmpty }
        guard !all.isEmpty else { return nil }
        var kept = all
        if all.count > HTMLReport.maximumSeries {
            let largest = Set(all.enumerated().sorted { $0.element.magnitude > $1.element.magnitude }.prefix(HTMLReport.maximumSeries).map(\.offset))
            kept = all.enumerated().filter { largest.contains($0.offset) }.map(\.element)
        }
        series = kept
        hidden = all.count - kept.count
        // A level the same for every row is one flat line; one that varies is drawn for a single line only.
        var references: [Reference] = []
        for level in [ThresholdLevel.norm, .target] {
            guard let values = levelValues[level] else { continue }
            if values.count == 1, let value = values.first {
                references.append(Reference(level: level, points: Dictionary(uniqueKeysWithValues: periods.indices.map { ($0, value) })))
            } else if all.count == 1, let points = levelPoints[level]?.values.first {
                references.append(Reference(level: level, points: points))
            }
        }
        self.references = references
        self.format = format
        self.locale = locale
    }

    /// The first key whose every value is a period or a date, with how to read a value as one: a
    /// text key counts when every value reads as a period of one grain (`"2024-08"` from a file).
    private static func timeKey(_ count: Int, _ rows: [GroupRow]) -> (Int, (Value) -> Value)? {
        for key in 0..<count {
            if rows.allSatisfy({ if case .period = $0.keys[key] { true } else if case .date = $0.keys[key] { true } else { false } }) {
                return (key, { $0 })
            }
            for grain in [PeriodGrain.month, .quarter, .week] {
                func read(_ value: Value) -> Value {
                    if case .text(let text) = value, let period = Period(parsing: text, as: grain) { return .period(period) }
                    return value
                }
                if rows.allSatisfy({ if case .period = read($0.keys[key]) { true } else { false } }) { return (key, read) }
            }
        }
        return nil
    }

    /// The chart as inline SVG, with a title and description for screen readers and every
    /// point's exact value as its tooltip.
    func svg(title: String) -> String {
        let values = series.flatMap { $0.points.values } + references.flatMap { $0.points.values }
        let (low, high, step) = LineChart.scale(min(0, values.min() ?? 0), max(0, values.max() ?? 0))
        let plotWidth = LineChart.width - LineChart.left - LineChart.right
        let plotHeight = LineChart.height - LineChart.top - LineChart.bottom
        func x(_ index: Int) -> Double {
            periods.count == 1 ? LineChart.left + plotWidth / 2 : LineChart.left + plotWidth * Double(index) / Double(periods.count - 1)
        }
        func y(_ value: Double) -> Double { LineChart.top + plotHeight * (1 - (value - low) / (high - low)) }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        func shown(_ value: Double) -> String { TableFormatter.text(.number(value), format, locale) }
        func path(_ points: [Int: Double]) -> String {
            var commands: [String] = []
            var previous: Int?
            for index in points.keys.sorted() {
                guard let value = points[index] else { continue }
                commands.append((previous == index - 1 ? "L" : "M") + "\(number(x(index))) \(number(y(value)))")
                previous = index
            }
            return commands.joined(separator: " ")
        }
        var parts: [String] = []
        let summary = "\(periods.count) periods from \(periodText(0)) to \(periodText(periods.count - 1)), \(series.count) line\(series.count == 1 ? "" : "s")"
        parts.append(
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(Int(LineChart.width)) \(Int(LineChart.height))\" data-periods=\"\(periods.count)\" "
                + "aria-labelledby=\"\(chartID(title))-t \(chartID(title))-d\">")
        parts.append("<title id=\"\(chartID(title))-t\">\(Markup.escaped(title)) along the period</title>")
        parts.append("<desc id=\"\(chartID(title))-d\">\(Markup.escaped(summary))</desc>")
        var tick = low
        while tick <= high + step / 2 {
            parts.append(
                "<line class=\"axis\" x1=\"\(number(LineChart.left))\" x2=\"\(number(LineChart.width - LineChart.right))\" y1=\"\(number(y(tick)))\" y2=\"\(number(y(tick)))\"/>"
                    + "<text x=\"\(number(LineChart.left - 6))\" y=\"\(number(y(tick) + 4))\" text-anchor=\"end\">\(Markup.escaped(shown(tick)))</text>")
            tick += step
        }
        let every = max(1, Int((Double(periods.count) / 8).rounded(.up)))
        for index in periods.indices where index % every == 0 || index == periods.count - 1 {
            parts.append("<text x=\"\(number(x(index)))\" y=\"\(number(LineChart.height - 12))\" text-anchor=\"middle\">\(Markup.escaped(periodText(index)))</text>")
        }
        for reference in references {
            let color = reference.level == .norm ? "#1b7a3a" : "#1a5fb4"
            parts.append(
                "<path class=\"reference \(reference.level.rawValue)\" stroke=\"\(color)\" d=\"\(path(reference.points))\"><title>\(reference.level.rawValue)</title></path>")
        }
        for (index, line) in series.enumerated() {
            let color = LineChart.colors[index % LineChart.colors.count]
            var group = "<g class=\"series\" data-label=\"\(Markup.escaped(line.label))\" data-points=\"\(line.points.count)\" stroke=\"\(color)\" fill=\"\(color)\">"
            group += "<path d=\"\(path(line.points))\"/>"
            for at in line.points.keys.sorted() {
                guard let value = line.points[at] else { continue }
                group += "<circle cx=\"\(number(x(at)))\" cy=\"\(number(y(value)))\" r=\"3\"><title>\(Markup.escaped("\(line.label), \(periodText(at)): \(shown(value))"))</title></circle>"
            }
            parts.append(group + "</g>")
        }
        parts.append("</svg>")
        var legend = series.enumerated().map { index, line in
            "<span class=\"swatch\" style=\"color: \(LineChart.colors[index % LineChart.colors.count])\">━</span> \(Markup.escaped(line.label))"
        }
        legend += references.map { "<span class=\"swatch\">╌</span> \($0.level.rawValue)" }
        var note = "<p class=\"chart-note\">" + legend.joined(separator: " &nbsp; ")
        if hidden > 0 { note += " — the \(series.count) largest of \(series.count + hidden) lines are drawn; the table has them all" }
        return parts.joined(separator: "\n") + "\n" + note + "</p>"
    }

    private func periodText(_ index: Int) -> String {
        TableFormatter.text(periods[index], .plain, locale)
    }

    private func chartID(_ title: String) -> String {
        "chart-" + String(title.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
    }

    /// A range from `low` to `high` in 4 to 6 round steps (1, 2 or 5 times a power of ten).
    static func scale(_ low: Double, _ high: Double) -> (low: Double, high: Double, step: Double) {
        let span = high - low
        guard span > 0, span.isFinite else { return (low - 1, low + 1, 1) }
        let rough = span / 5
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? power * 10
        return ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step, step)
    }
}
