/// How a number's decimal separator is chosen when its text has only one kind.
enum DecimalMark: Sendable {
    /// A point; commas group thousands only as `FieldParser.number` allows.
    case point
    /// A comma; spaces, and points before it, group thousands.
    case comma
    /// The text's own: a lone comma is decimal unless a currency says otherwise (`number(t)`).
    case ownText
}

/// Reads one cell's bytes as a number, a boolean or a date, without building a string.
enum FieldParser {
    /// `DataOptions.currencySigns` as UTF-8.
    private static let currencySigns: [[UInt8]] = DataOptions.currencySigns.map { Array($0.utf8) }

    /// Exact powers of ten: a mantissa below 2^53 scaled by one of these is correctly rounded.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Parses `1234.56`, `-1e3`, `12%` (0.12) and, with a decimal comma, `1 234,56` with space
    /// or no-break-space thousands. Returns nil for anything else. The result is correctly
    /// rounded: a fast path for up to 15 significant digits, the standard library otherwise.
    static func number(_ bytes: ByteBuffer, _ start: Int, _ end: Int, decimalComma: Bool) -> Double? {
        number(bytes, start, end, mark: decimalComma ? .comma : .point)
    }

    /// Currency signs next to which a lone comma before three digits groups thousands (`¥1,200`).
    private static let thousandsCurrencies: Set<[UInt8]> = Set(["$", "US$", "HK$", "¥", "£"].map { Array($0.utf8) })

    /// A number as offices write it (SPEC §4): a currency sign before or after, `%` after, spaces
    /// or no-break spaces between thousands, and both `.` and `,`: the last of them is the decimal
    /// separator and the other groups thousands (`1.234,56`, `1,234.56`). With one kind alone,
    /// `mark` decides; a lone comma before exactly three digits groups thousands next to `$`,
    /// `US$`, `HK$`, `¥` or `£`, and with `.point` when `loneCommaGroups` (the column has other
    /// numbers with points); `.ownText` reads it as a decimal comma, as `number(t)` does.
    static func number(_ bytes: ByteBuffer, _ start: Int, _ end: Int, mark: DecimalMark, loneCommaGroups: Bool = false) -> Double? {
        if let plain = plainDecimal(bytes, start, end, mark: mark == .comma ? UInt8(ascii: ",") : UInt8(ascii: ".")) { return plain }
        var position = start
        var last = end
        while position < last, bytes[position] == UInt8(ascii: " ") { position += 1 }
        while last > position, bytes[last - 1] == UInt8(ascii: " ") { last -= 1 }
        guard position < last else { return nil }
        func isNumeral(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        // A text without a digit is no number: the cells of a text column leave here, at once.
        var probe = position
        while probe < last, !isNumeral(bytes[probe]) { probe += 1 }
        guard probe < last else { return nil }
        // A currency sign before or after the number ($530, 1 234,56 ₽, € 5) is dropped.
        var hasCurrency = false
        var groupingCurrency = false
        let plainEnds =
            (isNumeral(bytes[position]) || bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "."))
            && (isNumeral(bytes[last - 1]) || bytes[last - 1] == UInt8(ascii: "%"))
        for sign in plainEnds ? [] : currencySigns {
            if last - position > sign.count, (0..<sign.count).allSatisfy({ bytes[position + $0] == sign[$0] }) {
                position += sign.count
                hasCurrency = true
                groupingCurrency = groupingCurrency || thousandsCurrencies.contains(sign)
            }
            if last - position > sign.count, (0..<sign.count).allSatisfy({ bytes[last - sign.count + $0] == sign[$0] }) {
                last -= sign.count
                hasCurrency = true
                groupingCurrency = groupingCurrency || thousandsCurrencies.contains(sign)
            }
        }
        if hasCurrency {
            while position < last, bytes[position] == UInt8(ascii: " ") { position += 1 }
            while last > position, bytes[last - 1] == UInt8(ascii: " ") || (last - 2 >= position && bytes[last - 1] == 0xA0 && bytes[last - 2] == 0xC2) {
                last -= bytes[last - 1] == 0xA0 ? 2 : 1
            }
            guard position < last else { return nil }
        }
        var isPercent = false
        if bytes[last - 1] == UInt8(ascii: "%") {
            isPercent = true
            last -= 1
        }
        var negative = false
        if position < last, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        let decimalMark = mark == .comma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var sawDigit = false
        var sawMark = false
        var exact = true
        var value: Double?
        scan: while position < last {
            let byte = bytes[position]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                    if mantissa != 0 { digits += 1 }
                    if sawMark { scale -= 1 }
                } else {
                    exact = false
                    if !sawMark { scale += 1 }
                }
            } else if byte == decimalMark, !sawMark, mark != .comma || !groupingCurrency {
                sawMark = true
            } else if mark == .comma, !sawMark, byte == UInt8(ascii: " "), sawDigit {
                // A thousands separator.
            } else if mark == .comma, !sawMark, byte == 0xC2, position + 1 < last, bytes[position + 1] == 0xA0, sawDigit {
                position += 1
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard sawDigit, let exponent = exponent(bytes, position + 1, last) else { return nil }
                scale += exponent
                position = last
                break
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: " ") || byte == 0xC2 || byte == 0xE2 {
                // Separators the mark alone does not settle: read them all at once.
                guard let grouped = separated(bytes, position: start, digitsFrom: digitsStart(bytes, start, end), to: last, mark: mark,
                    groupingCurrency: groupingCurrency, loneCommaGroups: loneCommaGroups)
                else { return nil }
                value = grouped
                break scan
            } else {
                return nil
            }
            position += 1
        }
        if value == nil {
            guard sawDigit else { return nil }
            if exact, digits <= 15, abs(scale) <= 22 {
                let magnitude = Double(mantissa)
                value = scale < 0 ? magnitude / powersOfTen[-scale] : magnitude * powersOfTen[scale]
            } else {
                guard let parsed = slowNumber(bytes, start, end, decimalComma: mark == .comma) else { return nil }
                value = abs(parsed)
            }
        }
        guard var result = value else { return nil }
        if negative { result = -result }
        if isPercent { result /= 100 }
        return result.isFinite ? result : nil
    }

    /// The most frequent cell, `-1234.56` — a sign, digits and one decimal mark, up to 15
    /// significant digits — read in one pass; nil for anything else, which the general reading
    /// below reads (to the same value where both read it: the same mantissa and scale).
    @inline(__always)
    private static func plainDecimal(_ bytes: ByteBuffer, _ start: Int, _ end: Int, mark: UInt8) -> Double? {
        var position = start
        guard position < end else { return nil }
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var sawDigit = false
        var sawMark = false
        while position < end {
            let byte = bytes[position]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                sawDigit = true
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if mantissa != 0 { digits += 1 }
                if sawMark { fraction += 1 }
            } else if byte == mark, !sawMark {
                sawMark = true
            } else {
                return nil
            }
            position += 1
        }
        guard sawDigit, digits <= 15, fraction <= 22 else { return nil }
        let magnitude = Double(mantissa) / powersOfTen[fraction]
        return negative ? -magnitude : magnitude
    }

    /// Where a number's digits start once its sign and a leading currency sign are skipped; the
    /// general reading below walks from there.
    private static func digitsStart(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> Int {
        var position = start
        while position < end, !(bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9")) { position += 1 }
        return position
    }

    /// The digits from `digitsFrom` to `last`, split by `.`, `,`, spaces and no-break spaces: the
    /// decimal separator chosen as `number` describes, every other separator grouping exactly
    /// three digits after it. The magnitude, or nil if the text does not read so.
    private static func separated(
        _ bytes: ByteBuffer, position start: Int, digitsFrom: Int, to last: Int, mark: DecimalMark, groupingCurrency: Bool,
        loneCommaGroups: Bool
    ) -> Double? {
        // Runs of digits and the single separator before each run after the first.
        var runs: [[UInt8]] = [[]]
        var separators: [UInt8] = []
        var position = digitsFrom
        while position < last {
            let byte = bytes[position]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                runs[runs.count - 1].append(byte)
            } else {
                let separator: UInt8
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: " ") {
                    separator = byte
                } else if byte == 0xC2, position + 1 < last, bytes[position + 1] == 0xA0 {
                    separator = UInt8(ascii: " ")
                    position += 1
                } else if byte == 0xE2, position + 2 < last, bytes[position + 1] == 0x80, bytes[position + 2] == 0xAF {
                    separator = UInt8(ascii: " ")
                    position += 2
                } else {
                    return nil
                }
                guard !(runs.last ?? []).isEmpty || (runs.count == 1 && separator == UInt8(ascii: ".")) else { return nil }
                separators.append(separator)
                runs.append([])
            }
            position += 1
        }
        let points = separators.indices.filter { separators[$0] == UInt8(ascii: ".") }
        let commas = separators.indices.filter { separators[$0] == UInt8(ascii: ",") }
        var decimal: Int?
        if let lastPoint = points.last, let lastComma = commas.last {
            decimal = max(lastPoint, lastComma)
            let kind = separators[decimal ?? 0]
            if mark == .point, kind != UInt8(ascii: ".") { return nil }
            if mark == .comma, kind != UInt8(ascii: ",") { return nil }
        } else if commas.count == 1, let comma = commas.first {
            let groups = runs[comma + 1].count == 3 && comma == separators.count - 1
            switch mark {
            case .point: if !(groups && (groupingCurrency || loneCommaGroups)) { return nil }
            case .comma, .ownText: if !(groups && groupingCurrency) { decimal = comma }
            }
        } else if points.count == 1, let point = points.first {
            if mark == .comma { return nil }
            decimal = point
        }
        // Every separator but the decimal one groups three digits, and none follows the decimal one.
        for index in separators.indices where index != decimal {
            if let decimal, index > decimal { return nil }
            guard runs[index + 1].count == 3 else { return nil }
        }
        let wholeRuns = decimal.map { runs[...$0] } ?? runs[...]
        var text: [UInt8] = Array(wholeRuns.joined())
        if text.isEmpty { text = [UInt8(ascii: "0")] }
        if let decimal {
            text.append(UInt8(ascii: "."))
            text += runs[(decimal + 1)...].joined()
        }
        return Double(String(decoding: text, as: UTF8.self)).map(abs)
    }

    private static func exponent(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> Int? {
        var position = start
        var negative = false
        if position < end, bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        guard position < end else { return nil }
        var value = 0
        while position < end {
            let byte = bytes[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = min(100_000, value * 10 + Int(byte - UInt8(ascii: "0")))
            position += 1
        }
        return negative ? -value : value
    }

    /// The standard library's correctly rounded parse, for long mantissas and large exponents.
    private static func slowNumber(_ bytes: ByteBuffer, _ start: Int, _ end: Int, decimalComma: Bool) -> Double? {
        var text: [UInt8] = []
        for offset in start..<end {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "%"), 0xC2, 0xA0: continue
            case UInt8(ascii: " "): continue
            case UInt8(ascii: ","): if decimalComma { text.append(UInt8(ascii: ".")) } else { return nil }
            default: text.append(byte)
            }
        }
        return Double(String(decoding: text, as: UTF8.self))
    }

    /// `true`/`false` in any case, and the Russian Excel's `ИСТИНА`/`ЛОЖЬ`.
    static func boolean(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> Bool? {
        let length = end - start
        guard length >= 4, length <= 12 else { return nil }
        switch bytes.string(start, end).trimmingCharacters(in: " ").lowercased() {
        case "true", "истина": return true
        case "false", "ложь": return false
        default: return nil
        }
    }

    /// A date as `KipiDate.parse` reads it, optionally with a time of day.
    static func date(_ bytes: ByteBuffer, _ start: Int, _ end: Int, order: DayMonthOrder? = nil) -> KipiDate? {
        guard let (first, last) = trimmed(bytes, start, end), last - first >= 6, last - first <= 30 else { return nil }
        return KipiDate.parse(UnsafeBufferPointer(start: bytes.base + first, count: last - first), order: order)
    }

    /// The first two numbers of a `a/b/yyyy` date: which of them may be the day or the month.
    static func slashedParts(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> (first: Int, second: Int)? {
        guard let (first, last) = trimmed(bytes, start, end), last - first >= 6, last - first <= 30,
            let fields = KipiDate.DateFields(UnsafeBufferPointer(start: bytes.base + first, count: last - first)), fields.shape == .slashed
        else { return nil }
        return (fields.first, fields.second)
    }

    private static func trimmed(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> (Int, Int)? {
        var first = start
        var last = end
        while first < last, bytes[first] == UInt8(ascii: " ") { first += 1 }
        while last > first, bytes[last - 1] == UInt8(ascii: " ") { last -= 1 }
        return first < last ? (first, last) : nil
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
