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
        var position = start
        var last = end
        while position < last, bytes[position] == UInt8(ascii: " ") { position += 1 }
        while last > position, bytes[last - 1] == UInt8(ascii: " ") { last -= 1 }
        guard position < last else { return nil }
        // A currency sign before or after the number ($530, 1 234,56 ₽, € 5) is dropped.
        var hasCurrency = false
        func isNumeral(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let plainEnds =
            (isNumeral(bytes[position]) || bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "."))
            && (isNumeral(bytes[last - 1]) || bytes[last - 1] == UInt8(ascii: "%"))
        for sign in plainEnds ? [] : currencySigns {
            if last - position > sign.count, (0..<sign.count).allSatisfy({ bytes[position + $0] == sign[$0] }) {
                position += sign.count
                hasCurrency = true
            }
            if last - position > sign.count, (0..<sign.count).allSatisfy({ bytes[last - sign.count + $0] == sign[$0] }) {
                last -= sign.count
                hasCurrency = true
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
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        let decimalMark = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var sawDigit = false
        var sawMark = false
        var exact = true
        while position < last {
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
            } else if byte == decimalMark, !sawMark {
                sawMark = true
            } else if decimalComma, !sawMark, byte == UInt8(ascii: " "), sawDigit {
                // A thousands separator.
            } else if hasCurrency, !decimalComma, !sawMark, byte == UInt8(ascii: ","), sawDigit {
                // A thousands separator of an amount of money: $1,200.50.
            } else if decimalComma, !sawMark, byte == 0xC2, position + 1 < last, bytes[position + 1] == 0xA0, sawDigit {
                position += 1
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard sawDigit, let exponent = exponent(bytes, position + 1, last) else { return nil }
                scale += exponent
                position = last
                break
            } else {
                return nil
            }
            position += 1
        }
        guard sawDigit else { return nil }
        var value: Double
        if exact, digits <= 15, abs(scale) <= 22 {
            value = Double(mantissa)
            value = scale < 0 ? value / powersOfTen[-scale] : value * powersOfTen[scale]
        } else {
            guard let parsed = slowNumber(bytes, start, end, decimalComma: decimalComma) else { return nil }
            value = abs(parsed)
        }
        if negative { value = -value }
        if isPercent { value /= 100 }
        return value.isFinite ? value : nil
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

    /// `yyyy-mm-dd` or `dd.mm.yyyy`, optionally with a time `hh:mm[:ss]` (after a space or `T`).
    static func date(_ bytes: ByteBuffer, _ start: Int, _ end: Int) -> KipiDate? {
        var first = start
        var last = end
        while first < last, bytes[first] == UInt8(ascii: " ") { first += 1 }
        while last > first, bytes[last - 1] == UInt8(ascii: " ") { last -= 1 }
        guard last - first >= 10, last - first <= 30 else { return nil }
        return KipiDate.parse(UnsafeBufferPointer(start: bytes.base + first, count: last - first))
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
