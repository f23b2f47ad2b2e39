/// A calendar date (proleptic Gregorian, no time zone), stored as days since 1970-01-01.
public struct KipiDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

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

    /// `yyyy-mm-dd`.
    public var description: String {
        let (year, month, day) = components
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: KipiDate, rhs: KipiDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses `yyyy-mm-dd`, `dd.mm.yyyy` and `yyyy-mm-ddThh:mm[:ss]` (the time is dropped).
    public init?(parsing text: some StringProtocol) {
        guard let date = KipiDate.parse(Array(text.utf8)[...]) else { return nil }
        self = date
    }

    static func parse<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> KipiDate? where Bytes.Index == Int {
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for offset in range {
                let byte = bytes[bytes.startIndex + offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ offset: Int) -> UInt8 { bytes[bytes.startIndex + offset] }
        let count = bytes.count
        if count >= 10, byte(4) == UInt8(ascii: "-"), byte(7) == UInt8(ascii: "-") {
            if count > 10 {
                guard byte(10) == UInt8(ascii: "T") || byte(10) == UInt8(ascii: " "), isTime(bytes.dropFirst(11)) else { return nil }
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return KipiDate(year: year, month: month, day: day)
        }
        if count == 10, byte(2) == UInt8(ascii: "."), byte(5) == UInt8(ascii: ".") {
            guard let day = number(0..<2), let month = number(3..<5), let year = number(6..<10) else { return nil }
            return KipiDate(year: year, month: month, day: day)
        }
        return nil
    }

    /// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fff`, optionally ending in `Z`.
    private static func isTime(_ bytes: some Collection<UInt8>) -> Bool {
        var text = Array(bytes)
        if text.last == UInt8(ascii: "Z") { text.removeLast() }
        guard text.count >= 5, text[2] == UInt8(ascii: ":") else { return false }
        return text.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
