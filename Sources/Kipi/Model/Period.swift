/// How long a period is: an ISO week, a month, a quarter or a year.
public enum PeriodGrain: String, Sendable, Hashable, CaseIterable {
    case week, month, quarter, year

    /// Periods of this grain in one year (52 for weeks: ISO years have 52 or 53, see `Period.lastYear`).
    var perYear: Int32 {
        switch self {
        case .week: 52
        case .month: 12
        case .quarter: 4
        case .year: 1
        }
    }
}

/// A calendar period: `2024-W05`, `2024-03`, `2024-Q1` or `2024`. Periods of one grain are
/// numbered consecutively, so shifting is addition and distance is subtraction.
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Week, month, quarter or year.
    public var grain: PeriodGrain
    /// Weeks since the week of 1970-01-01; months since January of year 0 (year × 12 + month − 1);
    /// quarters since year 0 (year × 4 + quarter − 1); the year itself.
    public var index: Int32

    /// The period of this grain and number.
    public init(grain: PeriodGrain, index: Int32) {
        self.grain = grain
        self.index = index
    }

    /// The period of `grain` that contains `date`.
    public init(_ grain: PeriodGrain, containing date: KipiDate) {
        self.grain = grain
        let (year, month, _) = date.components
        switch grain {
        case .week: index = Period.floorDivide(date.daysSinceEpoch + 3, 7)
        case .month: index = Int32(year * 12 + month - 1)
        case .quarter: index = Int32(year * 4 + (month - 1) / 3)
        case .year: index = Int32(year)
        }
    }

    /// The indices of the periods of `grain` inside the years 1 to 9999.
    static func validIndices(_ grain: PeriodGrain) -> ClosedRange<Int> {
        let first = KipiDate(daysSinceEpoch: -719_162)
        let last = KipiDate(daysSinceEpoch: 2_932_896)
        return Int(Period(grain, containing: first).index)...Int(Period(grain, containing: last).index)
    }

    /// The first day of the period.
    public var start: KipiDate {
        switch grain {
        case .week:
            // Days of the years 1 to 9999; a week index beyond them is clamped, as no period reaches it.
            let days = max(-719_162, min(2_932_896, Int(index) * 7 - 3))
            return KipiDate(daysSinceEpoch: Int32(days))
        case .month: return KipiDate.first(year: Int(Period.floorDivide(index, 12)), month: Int(index - Period.floorDivide(index, 12) * 12) + 1)
        case .quarter:
            let year = Period.floorDivide(index, 4)
            return KipiDate.first(year: Int(year), month: Int(index - year * 4) * 3 + 1)
        case .year: return KipiDate.first(year: Int(index), month: 1)
        }
    }

    /// The last day of the period.
    public var end: KipiDate {
        KipiDate(daysSinceEpoch: Period(grain: grain, index: index == Int32.max ? index : index + 1).start.daysSinceEpoch - 1)
    }

    /// The calendar year the period belongs to (the ISO year for a week).
    var year: Int {
        switch grain {
        case .week: start.isoWeek.year
        case .month, .quarter, .year: start.components.year
        }
    }

    /// The coarser period of `grain` containing this one; nil if this one is not inside a single
    /// period of that grain (a week in a month, or a finer grain asked of a coarser one).
    func coarsened(to target: PeriodGrain) -> Period? {
        if target == grain { return self }
        switch (grain, target) {
        case (.month, .quarter), (.month, .year), (.quarter, .year): return Period(target, containing: start)
        case (.week, .year): return Period(grain: .year, index: Int32(start.isoWeek.year))
        default: return nil
        }
    }

    /// The same period one year earlier; nil for an ISO week 53 when the previous year has none.
    var lastYear: Period? {
        switch grain {
        case .month, .quarter, .year: return Period(grain: grain, index: index - grain.perYear)
        case .week:
            let (year, week) = start.isoWeek
            return Period(week: week, ofISOYear: year - 1)
        }
    }

    /// ISO week `week` of ISO year `year`; nil if that year has no such week.
    init?(week: Int, ofISOYear year: Int) {
        guard (1...53).contains(week), let january4 = KipiDate(year: year, month: 1, day: 4) else { return nil }
        let firstMonday = january4.daysSinceEpoch - Int32(january4.isoWeekday - 1)
        let monday = KipiDate(daysSinceEpoch: firstMonday + Int32(week - 1) * 7)
        guard monday.isoWeek.year == year else { return nil }
        self.init(.week, containing: monday)
    }

    /// Parses `2024-W05`, `2024-03`, `2024-Q1` or `2024`, as `grain` writes it.
    public init?(parsing text: some StringProtocol, as grain: PeriodGrain) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        switch grain {
        case .year:
            guard bytes.count == 4, let year = number(0..<4), year >= 1 else { return nil }
            self.init(grain: .year, index: Int32(year))
        case .month:
            guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"), let year = number(0..<4), let month = number(5..<7),
                let first = KipiDate(year: year, month: month, day: 1)
            else { return nil }
            self.init(.month, containing: first)
        case .quarter:
            guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"), bytes[5] == UInt8(ascii: "Q") || bytes[5] == UInt8(ascii: "q"),
                let year = number(0..<4), let quarter = number(6..<7), (1...4).contains(quarter),
                let first = KipiDate(year: year, month: quarter * 3 - 2, day: 1)
            else { return nil }
            self.init(.quarter, containing: first)
        case .week:
            guard bytes.count == 8, bytes[4] == UInt8(ascii: "-"), bytes[5] == UInt8(ascii: "W") || bytes[5] == UInt8(ascii: "w"),
                let year = number(0..<4), let week = number(6..<8)
            else { return nil }
            self.init(week: week, ofISOYear: year)
        }
    }

    /// `2024-W05`, `2024-03`, `2024-Q1`, `2024`.
    public var description: String {
        switch grain {
        case .week:
            let (year, week) = start.isoWeek
            return "\(pad(year, 4))-W\(pad(week, 2))"
        case .month:
            let (year, month, _) = start.components
            return "\(pad(year, 4))-\(pad(month, 2))"
        case .quarter:
            let (year, month, _) = start.components
            return "\(pad(year, 4))-Q\((month - 1) / 3 + 1)"
        case .year:
            return pad(Int(index), 4)
        }
    }

    /// Periods sort by grain, then chronologically.
    public static func < (lhs: Period, rhs: Period) -> Bool {
        guard lhs.grain == rhs.grain else {
            return PeriodGrain.allCases.firstIndex(of: lhs.grain) ?? 0 < PeriodGrain.allCases.firstIndex(of: rhs.grain) ?? 0
        }
        return lhs.index < rhs.index
    }

    static func floorDivide(_ value: Int32, _ divisor: Int32) -> Int32 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}

extension KipiDate {
    /// The first day of a month; years outside 1–9999 are clamped, as no period reaches them.
    static func first(year: Int, month: Int) -> KipiDate {
        KipiDate(year: min(max(year, 1), 9999), month: month, day: 1) ?? KipiDate(daysSinceEpoch: 0)
    }

    /// The same day one year earlier; 29 February becomes 28 February.
    var sameDayLastYear: KipiDate? {
        let (year, month, day) = components
        return KipiDate(year: year - 1, month: month, day: min(day, KipiDate.daysInMonth(year: year - 1, month: month)))
    }
}
