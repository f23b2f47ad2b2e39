import Foundation

/// `abs` and `round`: scalar math, cell by cell over number columns.
enum Arithmetic {
    static var definitions: [FunctionDefinition] {
        [
            FunctionDefinition(
                "abs", [Parameter("x", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Absolute value.",
                implementation: .columnar { arguments, count in Column.mapNumbers(arguments[0], count: count) { Swift.abs($0) } }),
            FunctionDefinition(
                "round", [Parameter("x", .number), Parameter("digits", .number).optional()], returns: .exactly(.number),
                format: .inheritsArguments,
                summary: "Rounds half away from zero to digits decimals (default 0), on the decimal value Excel shows (ROUND).",
                implementation: .columnar { arguments, count in
                    let digits = arguments.count > 1 ? arguments[1] : Column(numbers: [0])
                    return Column.zipNumbers(arguments[0], digits, count: count) { roundHalfAwayFromZero($0, digits: $1) }
                }),
        ]
    }

    /// Excel's ROUND: the value is first taken to the 15 significant digits Excel keeps, so that
    /// 2.675 (stored as 2.67499999…) rounds to 2.68; then rounded half away from zero in decimal.
    /// `digits` is truncated toward zero, and may be negative (round(1234, -2) is 1200).
    static func roundHalfAwayFromZero(_ value: Double, digits rawDigits: Double) -> Double {
        guard value.isFinite, value != 0, rawDigits.isFinite else { return value }
        let digits = Int(max(-400, min(400, rawDigits.rounded(.towardZero))))
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
