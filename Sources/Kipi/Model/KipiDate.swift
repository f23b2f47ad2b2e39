/// How a date written `03/04/2024` is read: day first (UK, Russia) or month first (US).
public enum DayMonthOrder: String, Sendable, Hashable {
    case dayFirst, monthFirst

    /// The order a `--date-format` names (`d/m/yyyy`, `m/d/yyyy`, `dd.mm.yy`, `yyyy/m/d` …):
    /// which of `d` and `m` comes first; nil for a text with neither.
    public init?(format: String) {
        let letters = format.lowercased().filter { $0 == "d" || $0 == "m" }
        switch letters.first {
        case "d"?: self = .dayFirst
        case "m"?: self = .monthFirst
        default: return nil
        }
    }
}

/// A calendar date (proleptic Gregorian, no time zone), stored as days since 1970-01-01, with
/// a time of day for a date-time (`28.05.2024 15:28`).
public struct KipiDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int32
    /// Seconds since midnight, 0 to 86,399; 0 for a date without a time.
    public var secondOfDay: Int32 = 0

    /// The date (and time of day) this many days after 1970-01-01.
    public init(daysSinceEpoch: Int32, secondOfDay: Int32 = 0) {
        self.daysSinceEpoch = daysSinceEpoch
        self.secondOfDay = secondOfDay
    }

    /// Seconds since 1970-01-01 00:00.
    public var secondsSinceEpoch: Int64 { Int64(daysSinceEpoch) * 86_400 + Int64(secondOfDay) }

    /// The date-time `seconds` after 1970-01-01 00:00.
    public init(secondsSinceEpoch seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(daysSinceEpoch: Int32(clamping: days), secondOfDay: Int32(seconds - days * 86_400))
    }

    /// The date alone, without the time of day.
    public var day: KipiDate { KipiDate(daysSinceEpoch: daysSinceEpoch) }

    /// The date for a year, month (1–12) and day (1–31); nil if no such day exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...KipiDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        self.daysSinceEpoch = Int32(era * 146_097 + dayOfEra - 719_468)
    }

    /// Year, month (1–12) and day (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = Int(daysSinceEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday.
        let offset = (Int(daysSinceEpoch) + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// ISO 8601 week-numbering year and week (1–53).
    public var isoWeek: (year: Int, week: Int) {
        let thursday = KipiDate(daysSinceEpoch: daysSinceEpoch - Int32(isoWeekday) + 4)
        let year = thursday.components.year
        guard let januaryFirst = KipiDate(year: year, month: 1, day: 1) else { return (year, 1) }
        return (year, Int(thursday.daysSinceEpoch - januaryFirst.daysSinceEpoch) / 7 + 1)
    }

    /// `yyyy-mm-dd`, and ` hh:mm` (`:ss` where there are seconds) for a date-time.
    public var description: String {
        let (year, month, day) = components
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        guard secondOfDay != 0 else { return date }
        let (hour, minute, second) = (Int(secondOfDay) / 3600, Int(secondOfDay) / 60 % 60, Int(secondOfDay) % 60)
        return date + " \(pad(hour, 2)):\(pad(minute, 2))" + (second == 0 ? "" : ":\(pad(second, 2))")
    }

    /// Earlier dates, and earlier times of one day, come first.
    public static func < (lhs: KipiDate, rhs: KipiDate) -> Bool {
        (lhs.daysSinceEpoch, lhs.secondOfDay) < (rhs.daysSinceEpoch, rhs.secondOfDay)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses `yyyy-mm-dd` and `dd.mm.yyyy`, each optionally with a time `hh:mm[:ss[.fff]]` after a
    /// space (or `T`, ISO); a time of 24:00 or beyond, or of 60 minutes, is no time.
    public init?(parsing text: some StringProtocol) {
        guard let date = KipiDate.parse(Array(text.utf8)) else { return nil }
        self = date
    }

    /// A date as every Excel writes it (SPEC §4), optionally with a time `h:mm[:ss]` after a
    /// space or `T`: `yyyy-m-d`, `yyyy/m/d`, `d.m.yyyy`, `dd.mm.yy`, and `d/m/yyyy` or
    /// `m/d/yyyy` as `order` says (without it, only where a part above 12 tells which). A
    /// two-digit year is read as Excel does: 00–29 are 2000–2029, 30–99 are 1930–1999.
    static func parse<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, order: DayMonthOrder? = nil) -> KipiDate?
    where Bytes.Index == Int {
        guard let fields = DateFields(bytes) else { return nil }
        var date: KipiDate?
        switch fields.shape {
        case .yearFirst: date = KipiDate(year: fields.first, month: fields.second, day: fields.third)
        case .dayFirst: date = KipiDate(year: fields.year, month: fields.second, day: fields.first)
        case .slashed:
            let (first, second) = (fields.first, fields.second)
            let reading = first > 12 ? DayMonthOrder.dayFirst : second > 12 ? .monthFirst : order
            switch reading {
            case .dayFirst?: date = KipiDate(year: fields.year, month: second, day: first)
            case .monthFirst?: date = KipiDate(year: fields.year, month: first, day: second)
            case nil: return nil
            }
        }
        guard var date else { return nil }
        if let start = fields.timeStart {
            guard let seconds = secondOfDay(Array(bytes[start...])) else { return nil }
            date.secondOfDay = seconds
        }
        return date
    }

    /// A date's three numbers and how they are ordered, as written, before any calendar check.
    struct DateFields {
        enum Shape {
            /// `yyyy-m-d`, `yyyy/m/d`, `yyyy.m.d`.
            case yearFirst
            /// `d.m.yyyy`, `dd.mm.yy`.
            case dayFirst
            /// `a/b/yyyy`: day or month first.
            case slashed
        }
        /// The three numbers as written, first to last.
        var first = 0, second = 0, third = 0
        var shape: Shape
        /// Where the time of day starts after its space or `T`, if the text has one.
        var timeStart: Int?
        /// The last part as a year, two digits read as Excel reads them.
        var year: Int { third < 100 && yearDigits == 2 ? (third < 30 ? 2000 : 1900) + third : third }
        private var yearDigits: Int

        /// Reads the numbers without building arrays: every cell of a date column passes here.
        init?<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) where Bytes.Index == Int {
            var parts = 0
            var digits = (0, 0, 0)
            var separator: UInt8?
            var current = 0
            var width = 0
            var position = bytes.startIndex
            var timeStart: Int?
            while position < bytes.endIndex {
                let byte = bytes[position]
                if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    guard width < 4 else { return nil }
                    current = current * 10 + Int(byte - UInt8(ascii: "0"))
                    width += 1
                } else if parts < 2, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "."),
                    width > 0, separator == nil || separator == byte
                {
                    separator = byte
                    if parts == 0 { (first, digits.0) = (current, width) } else { (second, digits.1) = (current, width) }
                    parts += 1
                    (current, width) = (0, 0)
                } else if parts == 2, width > 0, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "T") {
                    timeStart = position + 1
                    break
                } else {
                    return nil
                }
                position += 1
            }
            guard parts == 2, width > 0, let separator else { return nil }
            (third, digits.2) = (current, width)
            self.timeStart = timeStart
            self.yearDigits = digits.2
            if digits.0 == 4, digits.1 <= 2, digits.2 <= 2 {
                shape = .yearFirst
            } else if digits.0 <= 2, digits.1 <= 2, digits.2 == 4 || digits.2 == 2 {
                switch separator {
                case UInt8(ascii: "."): shape = .dayFirst
                case UInt8(ascii: "/"): shape = .slashed
                default: return nil
                }
            } else {
                return nil
            }
        }
    }

    /// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fff` (the fraction dropped), optionally ending in `Z`.
    private static func secondOfDay(_ bytes: [UInt8]) -> Int32? {
        var text = bytes
        if text.last == UInt8(ascii: "Z") { text.removeLast() }
        if let dot = text.firstIndex(of: UInt8(ascii: ".")) { text.removeSubrange(dot...) }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { $0 >= 48 && $0 <= 57 } })
        else { return nil }
        let values = parts.map { $0.reduce(0) { $0 * 10 + Int32($1 - 48) } }
        let (hour, minute, second) = (values[0], values[1], values.count > 2 ? values[2] : 0)
        guard hour < 24, minute < 60, second < 60 else { return nil }
        return hour * 3600 + minute * 60 + second
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
