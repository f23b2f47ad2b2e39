import Foundation

/// Scalar math, cell by cell over number columns: `abs`, `round`, `floor`, `ceil`, `sqrt`,
/// `ln`, `exp`, and `min`/`max` of several values.
enum Arithmetic {
    static var definitions: [FunctionDefinition] {
        [
            unary("floor", "The largest whole number not above x (INT, FLOOR.MATH).") { $0.rounded(.down) },
            unary("ceil", "The smallest whole number not below x (CEILING.MATH).") { $0.rounded(.up) },
            unary("sqrt", "Square root (SQRT); a negative x is an error.", domain: { $0 >= 0 ? nil : "square root of a negative number" }) {
                $0.squareRoot()
            },
            unary("ln", "Natural logarithm (LN); x must be positive.", domain: { $0 > 0 ? nil : "logarithm of a number that is not positive" }) {
                Foundation.log($0)
            },
            unary("exp", "e raised to x (EXP).") { Foundation.exp($0) },
            extreme("min", "The smallest of its arguments, row by row, ignoring nulls (MIN of values, SQL LEAST).", keepsLess: true),
            extreme("max", "The largest of its arguments, row by row, ignoring nulls (MAX of values, SQL GREATEST).", keepsLess: false),
            FunctionDefinition(
                "abs", [Parameter("x", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Absolute value.",
                implementation: .columnar { arguments, count in Column.mapNumbers(arguments[0], count: count) { Swift.abs($0) } }
            ).computingNumbers(.unary { Swift.abs($0) }),
            FunctionDefinition(
                "round", [Parameter("x", .number), Parameter("digits", .number).optional()], returns: .exactly(.number),
                format: .inheritsArguments,
                summary: "Rounds half away from zero to digits decimals (default 0), on the decimal value Excel shows (ROUND).",
                implementation: .columnar { arguments, count in
                    let digits = arguments.count > 1 ? arguments[1] : Column(numbers: [0])
                    return Column.zipNumbers(arguments[0], digits, count: count) { roundHalfAwayFromZero($0, digits: $1) }
                }
            ).computingNumbers(
                .binary { x, digits throws(FunctionError) in
                    let rounded = roundHalfAwayFromZero(x, digits: digits)
                    guard rounded.isFinite else { throw FunctionError("the result is not a finite number") }
                    return rounded
                }),
        ]
    }

    private static func unary(
        _ name: String, _ summary: String, domain: @escaping @Sendable (Double) -> String? = { _ in nil },
        _ compute: @escaping @Sendable (Double) -> Double
    ) -> FunctionDefinition {
        let failure = "\(name) of this value is not a finite number"
        return FunctionDefinition(
            name, [Parameter("x", .number)], returns: .exactly(.number), summary: summary,
            implementation: .columnar { arguments, count in
                var column = Column.mapNumbers(arguments[0], count: count, failure: failure, compute)
                // A value outside the domain is reported as such, not as the NaN it computes to.
                var errors = RowErrors()
                let values = arguments[0].numbers
                let stride = arguments[0].count == 1 ? 0 : 1
                for row in 0..<count where !arguments[0].isNull(row * stride) {
                    if let problem = domain(values[row * stride]) { errors.record(problem, at: row) }
                }
                errors.merge(column.errors, broadcast: false)
                column.errors = errors
                return column
            }
        ).computingNumbers(
            .unary { x throws(FunctionError) in
                if let problem = domain(x) { throw FunctionError(problem) }
                let result = compute(x)
                guard result.isFinite else { throw FunctionError(failure) }
                return result
            })
    }

    /// `min(a, b, …)` or `max(a, b, …)`: one of the arguments per row; `min(x)` of one column is an aggregate.
    private static func extreme(_ name: String, _ summary: String, keepsLess: Bool) -> FunctionDefinition {
        let type = FunctionDefinition.TypePattern.variable("T", allowed: orderedTypes)
        return FunctionDefinition(
            name, [Parameter("a", type), Parameter("b", type), Parameter("more", type, optional: true, variadic: true)],
            returns: .variable("T"), format: .inheritsArguments, summary: summary,
            implementation: .scalar(propagatesNull: false) { arguments in
                arguments.filter { !$0.isNull }.reduce(Value.null) { best, next in
                    if best.isNull { return next }
                    return Value.sortsBefore(next, best) == keepsLess ? next : best
                }
            })
    }

    /// Excel's ROUND: the value is first taken to the 15 significant digits Excel keeps, so that
    /// 2.675 (stored as 2.67499999…) rounds to 2.68; then rounded half away from zero in decimal.
    /// `digits` is truncated toward zero, and may be negative (round(1234, -2) is 1200).
    static func roundHalfAwayFromZero(_ value: Double, digits rawDigits: Double) -> Double {
        guard value.isFinite, value != 0, rawDigits.isFinite else { return value }
        let digits = Int(max(-400, min(400, rawDigits.rounded(.towardZero))))
        return roundedWithoutText(value, digits: digits) ?? roundedThroughText(value, digits: digits)
    }

    /// The same rounding computed without text, where that is exact; nil elsewhere. The shortest
    /// decimal that reads back as the value (Swift's `description`) lies within half an ulp of it,
    /// under 0.111 of a unit of the 15th significant digit: with at most 15 digits it is the
    /// value's 15-digit decimal, and with 16 or 17 it rounds to the same 15 digits unless what
    /// lies past the 15th is within 0.12 of a half (then nil). The kept digits, at most 15, times
    /// or over an exact power of ten up to 10^22 is one correctly rounded operation, as reading
    /// their text would give.
    static func roundedWithoutText(_ value: Double, digits: Int) -> Double? {
        // The shortest decimal: significand × 10^exponent, without trailing zeros.
        var significand: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var afterPoint = false
        var trailingZeros = 0
        var exponentText: Substring.UTF8View?
        let text = Swift.abs(value).description
        var bytes = text.utf8[...]
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            switch byte {
            case UInt8(ascii: "."): afterPoint = true
            case UInt8(ascii: "e"): exponentText = Substring(bytes).utf8
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = UInt64(byte - UInt8(ascii: "0"))
                if afterPoint { exponent -= 1 }
                if significand == 0 && digit == 0 { continue }
                if digit == 0 {
                    trailingZeros += 1
                    continue
                }
                // Zeros between significant digits are digits too.
                for _ in 0..<trailingZeros { significand *= 10 }
                significantDigits += trailingZeros + 1
                trailingZeros = 0
                guard significantDigits <= 17 else { return nil }
                significand = significand * 10 + digit
            default: return nil
            }
            if exponentText != nil { break }
        }
        exponent += trailingZeros
        if let exponentText {
            guard let written = Int(Substring(exponentText)) else { return nil }
            exponent += written
        }
        // Subnormal numbers have a coarser ulp than the bound above assumes.
        guard significand > 0, Swift.abs(value) >= 1e-290 else { return nil }
        let shortened = significantDigits > 15
        if shortened {
            var scale: UInt64 = 1
            for _ in 0..<(significantDigits - 15) { scale *= 10 }
            let past = significand % scale
            // Too close to a half for the shortest decimal to tell which way the value rounds.
            let distance = past * 2 > scale ? past * 2 - scale : scale - past * 2
            guard distance * 100 > 24 * scale else { return nil }
            exponent += significantDigits - 15
            significand = significand / scale + (past * 2 > scale ? 1 : 0)
            significantDigits = 15
            while significand % 10 == 0 {
                significand /= 10
                exponent += 1
                significantDigits -= 1
            }
            // A carry past the 15th digit (999…9.6 → 1000…0) leaves one digit more than it removes.
            if significand >= 1_000_000_000_000_000 { return nil }
        }
        // Keep the digits down to 10^-digits; `kept` counts them as the 15-digit form does.
        let kept = exponent + significantDigits + digits
        /// `whole` × 10^`power` as one correctly rounded operation, with the value's sign.
        func signed(_ whole: UInt64, _ power: Int) -> Double? {
            guard (-22...22).contains(power) else { return nil }
            var scale = 1.0
            for _ in 0..<Swift.abs(power) { scale *= 10 }
            let magnitude = power >= 0 ? Double(whole) * scale : Double(whole) / scale
            return value < 0 ? -magnitude : magnitude
        }
        // No digit dropped: the value itself, or its 15-digit decimal when it had more digits.
        if kept >= 15 || (kept >= significantDigits && !shortened) { return value }
        if kept >= significantDigits { return signed(significand, exponent) }
        if kept < 0 { return 0 * value.sign.multiplier }
        let dropped = significantDigits - kept
        guard dropped <= 18 else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<dropped { scale *= 10 }
        let remainder = significand % scale
        // Half away from zero: the first digit dropped is 5 or more.
        let rounded = significand / scale + (remainder >= scale / 2 ? 1 : 0)
        if rounded == 0 { return 0 }
        return signed(rounded, -digits)
    }

    /// Through the value's text with 15 significant digits, as Excel rounds: exact everywhere.
    static func roundedThroughText(_ value: Double, digits: Int) -> Double {
        // 15 significant digits: mantissa d.dddddddddddddd and a decimal exponent.
        let scientific = String(format: "%.14e", Swift.abs(value))
        guard let exponentMark = scientific.firstIndex(of: "e"), let exponent = Int(scientific[scientific.index(after: exponentMark)...]) else {
            return value
        }
        var mantissa = scientific[..<exponentMark].compactMap { $0.wholeNumberValue }
        // mantissa[i] is the digit of 10^(exponent - i); keep those down to 10^-digits.
        let kept = exponent + digits + 1
        if kept >= mantissa.count { return value }
        if kept < 0 { return 0 * value.sign.multiplier }
        let roundsUp = mantissa[kept] >= 5
        mantissa.removeSubrange(kept...)
        var shiftedExponent = exponent
        if roundsUp {
            var position = mantissa.count - 1
            while position >= 0 {
                if mantissa[position] == 9 {
                    mantissa[position] = 0
                    position -= 1
                } else {
                    mantissa[position] += 1
                    break
                }
            }
            if position < 0 {
                mantissa.insert(1, at: 0)
                shiftedExponent += 1
            }
        }
        if mantissa.isEmpty { return 0 }
        let digitsText = mantissa.map(String.init).joined()
        let decimalExponent = shiftedExponent - (mantissa.count - 1)
        let magnitude = Double("\(digitsText)e\(decimalExponent)") ?? value
        return value < 0 ? -magnitude : magnitude
    }
}

extension FloatingPointSign {
    var multiplier: Double { self == .minus ? -1 : 1 }
}

extension Arithmetic {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "abs": SQLForm { call in SQLValue("abs(\(call.arguments[0].value))") },
        "floor": SQLForm { call in SQLValue("floor(\(call.arguments[0].value))") },
        "ceil": SQLForm { call in SQLValue("ceil(\(call.arguments[0].value))") },
        "sqrt": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) >= 0 THEN sqrt(\(x)) END)", failure: call.failure(where: "\(x) < 0", "square root of a negative number"))
        },
        "ln": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) > 0 THEN ln(\(x)) END)", failure: call.failure(where: "\(x) <= 0", "logarithm of a number that is not positive"))
        },
        "exp": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) < 709.78E0 THEN exp(\(x)) END)", failure: call.failure(where: "\(x) >= 709.78E0", "exp of this value is not a finite number"))
        },
        "round": SQLForm { call in
            let x = call.arguments[0].value
            let digits = call.argument(1).map { call.dialect.truncated($0.value) } ?? "0E0"
            let exponent = "floor(log10(abs(\(x))))"
            let scale = "power(10E0, \(digits))"
            return SQLValue("""
                (CASE WHEN \(x) IS NULL OR \(digits) IS NULL THEN NULL WHEN \(x) = 0 OR \(exponent) + \(digits) + 1 >= 15 THEN \(x) \
                ELSE sign(\(x)) * floor(abs(\(x)) * \(scale) + 0.5E0 + 0.5E0 * power(10E0, \(exponent) - 14 + \(digits))) / \(scale) END)
                """)
        },
        "min": SQLForm { call in SQLValue(sqlExtreme(call.arguments.map(\.value), less: true)) },
        "max": SQLForm { call in SQLValue(sqlExtreme(call.arguments.map(\.value), less: false)) },
    ]

    /// The smallest (or largest) argument, nulls ignored.
    private static func sqlExtreme(_ values: [String], less: Bool) -> String {
        values.dropFirst().reduce(values.first ?? "NULL") { kept, next in
            "(CASE WHEN \(kept) IS NULL THEN \(next) WHEN \(next) IS NULL THEN \(kept) WHEN \(next) \(less ? "<" : ">") \(kept) THEN \(next) ELSE \(kept) END)"
        }
    }
}
