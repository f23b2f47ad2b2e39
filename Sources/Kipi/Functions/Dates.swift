/// `date`, `year`, `quarter`, `month`, `week`, `day`. Periods are text that sorts chronologically
/// ("2024-Q1", "2024-03", "2024-W05").
enum Dates {
    static var definitions: [FunctionDefinition] {
        [
            FunctionDefinition(
                "date", [Parameter("text", .text)], returns: .exactly(.date),
                summary: "The date written as yyyy-mm-dd or dd.mm.yyyy; date(\"2024-03-31\") is a date literal.",
                implementation: .scalar(propagatesNull: true) { arguments in
                    guard case .text(let text) = arguments[0], let date = KipiDate(parsing: text) else {
                        throw FunctionError("'\(textOf(arguments[0]))' is not a date (expected yyyy-mm-dd or dd.mm.yyyy)")
                    }
                    return .date(date)
                }),
            part("year", "Year of a date, as a number (YEAR).", type: .number) { .number(Double($0.components.year)) },
            part("quarter", "Quarter of a date, as text that sorts chronologically: \"2024-Q1\".", type: .text) {
                let (year, month, _) = $0.components
                return .text("\(pad(year, 4))-Q\((month - 1) / 3 + 1)")
            },
            part("month", "Month of a date, as text that sorts chronologically: \"2024-03\".", type: .text) {
                let (year, month, _) = $0.components
                return .text("\(pad(year, 4))-\(pad(month, 2))")
            },
            part("week", "ISO 8601 week of a date: \"2024-W05\" (weeks start on Monday; the year is the ISO year).", type: .text) {
                let (year, week) = $0.isoWeek
                return .text("\(pad(year, 4))-W\(pad(week, 2))")
            },
            part("day", "Day of the month of a date, 1 to 31 (DAY).", type: .number) { .number(Double($0.components.day)) },
        ]
    }

    private static func part(_ name: String, _ summary: String, type: KipiType, _ extract: @escaping @Sendable (KipiDate) -> Value)
        -> FunctionDefinition
    {
        FunctionDefinition(
            name, [Parameter("d", .date)], returns: .exactly(type), summary: summary,
            implementation: .columnar { arguments, count in
                // A column of dates repeats few days: each distinct day is computed once.
                var cache: [Int32: Value] = [:]
                return Column.mapCells(arguments[0], count: count, type: type, read: \.days) { day in
                    if let known = cache[day] { return known }
                    let value = extract(KipiDate(daysSinceEpoch: day))
                    cache[day] = value
                    return value
                }
            })
    }

    private static func textOf(_ value: Value) -> String {
        if case .text(let text) = value { return text }
        return value.description
    }
}
