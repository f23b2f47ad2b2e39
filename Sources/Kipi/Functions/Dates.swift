/// `date`, `day`, and the periods `week`, `month`, `quarter`, `year` with `start` and `end`.
/// A period function takes a date, text written as that period (`"2024-03"`), a finer
/// period that lies inside one of its grain, or (`year`) a number.
enum Dates {
    typealias Parameter = FunctionDefinition.Parameter

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
            period(.year, "The year of a date (YEAR), as a period that prints as 2024; also year(2024), year(\"2024\") or year(p) of a finer period.",
                from: [.period(.week), .period(.month), .period(.quarter), .period(.year), .number]),
            period(.quarter, "The quarter of a date, as a period: 2024-Q1; also quarter(\"2024-Q1\") or quarter(p) of a month.",
                from: [.period(.month), .period(.quarter)]),
            period(.month, "The month of a date, as a period: 2024-03; also month(\"2024-03\").", from: [.period(.month)]),
            period(.week, "The ISO 8601 week of a date, as a period: 2024-W05 (weeks start on Monday); also week(\"2024-W05\").",
                from: [.period(.week)]),
            bound("start", "The first day of a period (or the date itself).") { $0.start },
            bound("end", "The last day of a period (or the date itself).") { $0.end },
            timePart("hour", "The hour of a date-time, 0 to 23 (HOUR); 0 for a date.") { $0 / 3600 },
            timePart("minute", "The minute of a date-time, 0 to 59 (MINUTE); 0 for a date.") { $0 / 60 % 60 },
            FunctionDefinition(
                "day", [Parameter("d", .date)], returns: .exactly(.number), summary: "Day of the month of a date, 1 to 31 (DAY).",
                implementation: .columnar { arguments, count in
                    Column.mapCells(arguments[0], count: count, type: .number, read: \.days) { day in
                        .number(Double(KipiDate(daysSinceEpoch: day).components.day))
                    }
                }),
        ]
    }

    /// A period function of grain `grain`, taking a date, text, or one of `others`.
    private static func period(_ grain: PeriodGrain, _ summary: String, from others: [KipiType]) -> FunctionDefinition {
        FunctionDefinition(
            grain.rawValue, [Parameter("d", .variable("D", allowed: [.date, .text] + others))], returns: .exactly(.period(grain)),
            summary: summary,
            implementation: .columnar { arguments, count in
                let argument = arguments[0]
                switch argument.storage {
                case .date, .dateTime:
                    if let misfit = Column.misfit([argument], count: count) { return misfit }
                    // A column of dates repeats few days: each distinct day's period is computed
                    // once, kept in an array over the days' range.
                    let days = argument.days
                    let stride = argument.count == 1 ? 0 : 1
                    let low = days.min() ?? 0
                    let span = Int(days.max() ?? 0) - Int(low) + 1
                    var known = [Int32](repeating: Int32.min, count: span <= 1 << 20 ? span : 0)
                    var indices = [Int32](repeating: 0, count: count)
                    for row in 0..<count {
                        let day = days[row * stride]
                        let slot = Int(day) - Int(low)
                        if slot < known.count, known[slot] != Int32.min {
                            indices[row] = known[slot]
                            continue
                        }
                        indices[row] = Period(grain, containing: KipiDate(daysSinceEpoch: day)).index
                        if slot < known.count { known[slot] = indices[row] }
                    }
                    var column = Column(.period(grain, indices), nulls: Column.combinedNulls([argument], count: count))
                    column.errors = Column.combinedErrors([argument], count: count)
                    return column
                case .period, .text, .number, .boolean:
                    return Column.mapValues([argument], count: count, type: .period(grain)) { cells in
                        if case .period(let period) = cells[0], let coarser = period.coarsened(to: grain) { return .period(coarser) }
                        guard let period = Period(reading: cells[0], as: grain) else {
                            throw FunctionError(FunctionMessages.notAPeriod(cells[0], grain))
                        }
                        return .period(period)
                    }
                }
            })
    }

    /// A part of the time of day, from its seconds since midnight.
    private static func timePart(_ name: String, _ summary: String, _ part: @escaping @Sendable (Int64) -> Int64) -> FunctionDefinition {
        FunctionDefinition(
            name, [Parameter("d", .date)], returns: .exactly(.number), summary: summary,
            implementation: .columnar { arguments, count in
                Column.mapCells(arguments[0], count: count, type: .number, read: \.seconds) { seconds in
                    .number(Double(part(Int64(KipiDate(secondsSinceEpoch: seconds).secondOfDay))))
                }
            })
    }

    /// `start` or `end` of a period, as a date.
    private static func bound(_ name: String, _ summary: String, _ day: @escaping @Sendable (Period) -> KipiDate) -> FunctionDefinition {
        FunctionDefinition(
            name, [Parameter("p", .variable("P", allowed: [.date] + PeriodGrain.allCases.map(KipiType.period)))], returns: .exactly(.date),
            summary: summary,
            implementation: .scalar(propagatesNull: true) { arguments in
                switch arguments[0] {
                case .period(let period): return .date(day(period))
                case .date(let date): return .date(date)
                case .number, .text, .boolean, .list, .null: throw FunctionError("'\(name)' needs a period or a date")
                }
            })
    }

    private static func textOf(_ value: Value) -> String {
        if case .text(let text) = value { return text }
        return value.description
    }
}

extension Dates {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "date": SQLForm { call in
            let text = call.arguments[0].value
            let dialect = call.dialect
            let iso = "(CASE WHEN substr(\(text), 3, 1) = '.' THEN concat(substr(\(text), 7, 4), '-', substr(\(text), 4, 2), '-', substr(\(text), 1, 2)) ELSE \(text) END)"
            let valid = dialect.matches(iso, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
            // Cast only where the text is digits: an engine may compute every part of a condition.
            let day = "CAST(CASE WHEN \(valid) THEN substr(\(iso), 9, 2) END AS INTEGER)"
            let month = "CAST(CASE WHEN \(valid) THEN substr(\(iso), 6, 2) END AS INTEGER)"
            let inRange = "\(valid) AND \(month) BETWEEN 1 AND 12 AND \(day) BETWEEN 1 AND 31"
            return SQLValue(
                "(CASE WHEN \(inRange) THEN \(dialect.days(year: "substr(\(iso), 1, 4)", month: month, day: day)) * 86400 END)",
                failure: call.failure(
                    where: "\(text) IS NOT NULL AND NOT (\(inRange))", "'{}' is not a date (expected yyyy-mm-dd or dd.mm.yyyy)", texts: [text]))
        },
        "year": SQLForm { call in sqlPeriod(call, .year) },
        "quarter": SQLForm { call in sqlPeriod(call, .quarter) },
        "month": SQLForm { call in sqlPeriod(call, .month) },
        "week": SQLForm { call in sqlPeriod(call, .week) },
        "start": SQLForm { call in sqlStart(call.arguments[0].value, type: call.argumentTypes[0], call.dialect).map { SQLValue("(\($0) * 86400)") } },
        "end": SQLForm { call in
            let x = call.arguments[0].value
            if call.argumentTypes[0] == .date { return SQLValue("(\(call.dialect.days(ofSeconds: x)) * 86400)") }
            return sqlStart("(\(x) + 1)", type: call.argumentTypes[0], call.dialect).map { SQLValue("((\($0) - 1) * 86400)") }
        },
        "hour": SQLForm { call in SQLValue("floor(\(secondOfDay(call.arguments[0].value)) / 3600)") },
        "minute": SQLForm { call in
            let seconds = secondOfDay(call.arguments[0].value)
            return SQLValue("floor((\(seconds) - 3600 * floor(\(seconds) / 3600)) / 60)")
        },
        "day": SQLForm { call in SQLValue(call.dialect.part("DAY", ofDays: call.dialect.days(ofSeconds: call.arguments[0].value))) },
    ]

    private static func sqlPeriod(_ call: SQLCall, _ grain: PeriodGrain) -> SQLValue? {
        guard let argument = call.argument(0) else { return nil }
        let x = argument.value
        switch call.argumentTypes[0] {
        case .date:
            if let index = argument.timestamp.flatMap({ call.dialect.periodIndex(ofTimestamp: $0, grain: grain) }) { return SQLValue(index) }
            return SQLValue(call.dialect.periodIndex(ofDays: call.dialect.days(ofSeconds: x), grain: grain))
        case .text: return call.dialect.period(fromText: x, type: .text, grain: grain)
        case .number where grain == .year: return call.dialect.period(fromText: x, type: .number, grain: grain)
        case .period(let finer):
            switch (finer, grain) {
            case (let same, let target) where same == target: return SQLValue(x)
            case (.month, .quarter): return SQLValue("floor(\(x) / 3)")
            case (.month, .year): return SQLValue("floor(\(x) / 12)")
            case (.quarter, .year): return SQLValue("floor(\(x) / 4)")
            case (.week, .year): return SQLValue(call.dialect.part("YEAR", ofDays: "(\(x) * 7)"))
            default: return nil
            }
        default: return nil
        }
    }

    /// The first day of a period, in days (or the day of a date).
    private static func sqlStart(_ x: String, type: KipiType, _ dialect: SQLDialect) -> String? {
        switch type {
        case .date: return dialect.days(ofSeconds: x)
        case .period(.week): return "(\(x) * 7 - 3)"
        case .period(.month): return dialect.days(year: "floor(\(x) / 12)", month: "\(x) - 12 * floor(\(x) / 12) + 1", day: "1")
        case .period(.quarter): return dialect.days(year: "floor(\(x) / 4)", month: "(\(x) - 4 * floor(\(x) / 4)) * 3 + 1", day: "1")
        case .period(.year): return dialect.days(year: x, month: "1", day: "1")
        default: return nil
        }
    }

    /// The seconds into its day of a date in seconds.
    private static func secondOfDay(_ x: String) -> String { "(\(x) - 86400 * floor(\(x) / 86400))" }
}
