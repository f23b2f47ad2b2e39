/// How each dialect computes with Kipi's calendar and writes values as text: periods as indices
/// (months since year 0, ISO weeks since 1970), dates as seconds since 1970, as Kipi's own types
/// hold them. Shared by the functions' SQL forms and the SQL generator.
extension SQLDialect {
    /// The year or quarter (as a period index) that a position of `grain` lies in.
    func bucket(_ position: String, grain: PeriodGrain?, per coarser: PeriodGrain) -> String {
        switch grain {
        case .month?: return coarser == .year ? "floor(\(position) / 12)" : "floor(\(position) / 3)"
        case .quarter?: return coarser == .year ? "floor(\(position) / 4)" : position
        case .year?: return position
        case .week?:
            // An ISO week belongs to the year and quarter of its Thursday.
            let thursday = "(\(position) * 7)"
            return periodIndex(ofDays: thursday, grain: coarser)
        case nil: return periodIndex(ofDays: position, grain: coarser)
        }
    }

    /// The position of the same period a year before; NULL where there is none (week 53).
    func lastYear(_ position: String, grain: PeriodGrain?) -> String {
        switch grain {
        case .month?: return "(\(position) - 12)"
        case .quarter?: return "(\(position) - 4)"
        case .year?: return "(\(position) - 1)"
        case .week?:
            let week = { (index: String) in weekOfYear(index) }
            let year = { (index: String) in self.part("YEAR", ofDays: "(\(index) * 7)") }
            let candidates = ["(\(position) - 52)", "(\(position) - 53)"]
            let cases = candidates.map { "WHEN \(year($0)) = \(year(position)) - 1 AND \(week($0)) = \(week(position)) THEN \($0)" }
            return "(CASE \(cases.joined(separator: " ")) END)"
        case nil:
            let (y, m, d) = (self.part("YEAR", ofDays: position), self.part("MONTH", ofDays: position), self.part("DAY", ofDays: position))
            let firstOfMonth = self.days(year: "\(y) - 1", month: m, day: "1")
            let monthLength = "(\(self.days(year: "CASE WHEN \(m) = 12 THEN \(y) ELSE \(y) - 1 END", month: "CASE WHEN \(m) = 12 THEN 1 ELSE \(m) + 1 END", day: "1")) - \(firstOfMonth))"
            return "(\(firstOfMonth) + least(\(d), \(monthLength)) - 1)"
        }
    }

    /// The ISO week number of a week index.
    func weekOfYear(_ index: String) -> String {
        "(floor((\(self.part("DOY", ofDays: "(\(index) * 7)")) - 1) / 7) + 1)"
    }

    /// The index of the period of `grain` containing a day.
    func periodIndex(ofDays days: String, grain: PeriodGrain) -> String {
        let year = self.part("YEAR", ofDays: days)
        let month = self.part("MONTH", ofDays: days)
        switch grain {
        case .week: return "floor((floor(\(days)) + 3) / 7)"
        case .month: return "(\(year) * 12 + \(month) - 1)"
        case .quarter: return "(\(year) * 4 + floor((\(month) - 1) / 3))"
        case .year: return year
        }
    }

    /// The index of the month, quarter or year containing a timestamp, from its own parts (as
    /// `periodIndex(ofDays:grain:)` computes from the day number, without the detour); nil for
    /// a week, which is counted in days.
    func periodIndex(ofTimestamp timestamp: String, grain: PeriodGrain) -> String? {
        let part = { (field: String) in self.part(field, of: timestamp) }
        switch grain {
        case .week: return nil
        case .month: return "(\(part("YEAR")) * 12 + \(part("MONTH")) - 1)"
        case .quarter: return "(\(part("YEAR")) * 4 + \(part("QUARTER")) - 1)"
        case .year: return part("YEAR")
        }
    }

    /// A period index from its text (`2024-03`, `2024-Q1`, `2024-W05`, `2024`) or a year's number.
    func periodIndex(fromText text: String, type: KipiType, grain: PeriodGrain) -> String {
        let number = { (from: Int, length: Int) in "CAST(substr(\(text), \(from), \(length)) AS \(self.doubleType))" }
        switch grain {
        case .year: return type == .text ? "CAST(\(text) AS \(self.doubleType))" : text
        case .month: return "(\(number(1, 4)) * 12 + \(number(6, 2)) - 1)"
        case .quarter: return "(\(number(1, 4)) * 4 + \(number(7, 1)) - 1)"
        case .week: return "floor(\(isoWeekThursday(year: number(1, 4), week: number(7, 2))) / 7)"
        }
    }

    /// Text (or a number, for a year) read as a period of `grain`, as `Period(reading:as:)` reads
    /// it: NULL where it is none, failing there with the evaluation's message. A type not known
    /// as the SQL is written is read without the check.
    func period(fromText text: String, type: KipiType, grain: PeriodGrain) -> SQLValue {
        let index = periodIndex(fromText: text, type: type, grain: grain)
        guard let valid = isPeriod(text, type: type, grain: grain) else { return SQLValue(index) }
        let isText = type == .text
        let failure = self.failure(
            where: "\(text) IS NOT NULL AND NOT \(valid)", FunctionMessages.notAPeriod(shown: isText ? "'{}'" : "{}", grain),
            numbers: isText ? [] : [text], texts: isText ? [text] : [])
        return SQLValue("(CASE WHEN \(valid) THEN \(index) END)", failure: failure)
    }

    /// Holds where `text` (text, or a number for a year) is a period of `grain`: the pattern, a
    /// year from 1, a month 1–12, a quarter 1–4, a week its year has. The numbers are read only
    /// where the pattern holds: a cast of other text fails the whole query on some engines. Nil
    /// for a type not known as the SQL is written.
    private func isPeriod(_ text: String, type: KipiType, grain: PeriodGrain) -> String? {
        switch type {
        case .number where grain == .year: return "(\(text) = floor(\(text)) AND \(text) >= 1 AND \(text) <= 9999)"
        case .text: break
        case .number, .boolean, .date, .period, .null, .unknown, .list: return nil
        }
        let number = { (from: Int, length: Int) in "CAST(substr(\(text), \(from), \(length)) AS \(self.doubleType))" }
        var holds = ["\(number(1, 4)) >= 1"]
        let pattern: String
        switch grain {
        case .year: pattern = "[0-9]{4}"
        case .month: pattern = "[0-9]{4}-(0[1-9]|1[0-2])"
        case .quarter: pattern = "[0-9]{4}-[Qq][1-4]"
        case .week:
            pattern = "[0-9]{4}-[Ww][0-9]{2}"
            // A week of the year holds the year's Thursday: week 53 of a year of 52 is the next one's.
            let nextYear = days(year: "\(number(1, 4)) + 1", month: "1", day: "1")
            holds += ["\(number(7, 2)) >= 1", "\(isoWeekThursday(year: number(1, 4), week: number(7, 2))) < \(nextYear)"]
        }
        return "(CASE WHEN \(matches(text, pattern)) THEN \(holds.joined(separator: " AND ")) ELSE FALSE END)"
    }

    /// The day number of the Thursday of ISO week `week` of `year`: week 1 holds 4 January, and
    /// its Monday is that day minus its ISO weekday.
    func isoWeekThursday(year: String, week: String) -> String {
        let january4 = days(year: year, month: "1", day: "4")
        let monday = "(\(january4) - \(isoWeekday(january4)) + 1)"
        return "(\(monday) + (\(week) - 1) * 7 + 3)"
    }

    /// 1 for Monday … 7 for Sunday, of a day number (1970-01-01 was a Thursday).
    func isoWeekday(_ days: String) -> String {
        "(floor(\(days)) - 7 * floor((floor(\(days)) + 3) / 7) + 3 + 1)"
    }

    /// A value as text, as Kipi's `text` and `&` write it.
    func written(_ value: String, type: KipiType) -> String {
        switch type {
        case .text, .unknown, .list: return value
        // A null written as text is a text null: `"a" & null` must not compare '' with a number.
        case .null: return "CAST(NULL AS \(self.textType))"
        case .number:
            let whole = "CAST(CAST(\(value) AS \(self.integerType)) AS \(self.textType))"
            return "(CASE WHEN \(value) = floor(\(value)) AND abs(\(value)) < 1E15 THEN \(whole) ELSE \(self.castText(value)) END)"
        case .boolean: return "(CASE WHEN \(value) THEN 'true' WHEN NOT \(value) THEN 'false' END)"
        case .date: return dateText(value)
        case .period(let grain): return periodText(value, grain: grain)
        }
    }

    /// A date as Kipi writes it: `2024-03-31`, with the time when it has one (`2024-03-31 16:26`,
    /// seconds only when not zero).
    func dateText(_ seconds: String) -> String {
        let day = self.castText(self.date(fromDays: self.days(ofSeconds: seconds)))
        let time = "(\(seconds) - 86400 * floor(\(seconds) / 86400))"
        let two = { (number: String) in "lpad(CAST(CAST(\(number) AS \(self.integerType)) AS \(self.textType)), 2, '0')" }
        let clock = "concat(\(day), ' ', \(two("floor(\(time) / 3600)")), ':', \(two("floor(\(time) / 60) - 60 * floor(\(time) / 3600)")), "
            + "CASE WHEN \(time) - 60 * floor(\(time) / 60) = 0 THEN '' ELSE concat(':', \(two("\(time) - 60 * floor(\(time) / 60)"))) END)"
        return "(CASE WHEN \(seconds) IS NULL THEN NULL WHEN \(time) = 0 THEN \(day) ELSE \(clock) END)"
    }

    func periodText(_ index: String, grain: PeriodGrain) -> String {
        "(CASE WHEN \(index) IS NULL THEN NULL ELSE \(periodTextOfIndex(index, grain: grain)) END)"
    }

    private func periodTextOfIndex(_ index: String, grain: PeriodGrain) -> String {
        let digits = { (number: String, width: Int) in
            "lpad(CAST(CAST(\(number) AS \(self.integerType)) AS \(self.textType)), \(width), '0')"
        }
        switch grain {
        case .year: return digits(index, 4)
        case .month: return "concat(\(digits("floor(\(index) / 12)", 4)), '-', \(digits("\(index) - 12 * floor(\(index) / 12) + 1", 2)))"
        case .quarter: return "concat(\(digits("floor(\(index) / 4)", 4)), '-Q', \(digits("\(index) - 4 * floor(\(index) / 4) + 1", 1)))"
        case .week:
            let year = self.part("YEAR", ofDays: "(\(index) * 7)")
            return "concat(\(digits(year, 4)), '-W', \(digits(weekOfYear(index), 2)))"
        }
    }
}
