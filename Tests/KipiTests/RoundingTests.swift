import Foundation
import Testing

@testable import Kipi

/// `round` without text formatting must give, to the bit, what Excel's rounding through the
/// value's 15-digit text gives, wherever it answers.
struct RoundingTests {
    @Test func withoutTextEqualsThroughTextToTheBit() {
        var generator = SystemRandomNumberGenerator()
        var answered = 0
        var values: [Double] = [2.675, -2.675, 1.005, 0.5, 1.5, -0.5, 2.5, 1234.5, 0.045, 1e-7, 123456789.125, 999.995, 0.1 + 0.2, 1e15, 4.35, -4.35]
        for _ in 0..<20_000 {
            let magnitude = Double.random(in: -9...12, using: &generator)
            values.append((Double.random(in: -1...1, using: &generator) * pow(10, magnitude) * 1000).rounded() / 1000)
            values.append(Double.random(in: -1...1, using: &generator) * pow(10, magnitude))
        }
        for value in values where value != 0 {
            for digits in -4...12 {
                let reference = Arithmetic.roundedThroughText(value, digits: digits)
                guard let fast = Arithmetic.roundedWithoutText(value, digits: digits) else { continue }
                answered += 1
                #expect(fast.bitPattern == reference.bitPattern, "round(\(value), \(digits)): \(fast) against \(reference)")
            }
        }
        #expect(answered > 200_000)
        // Excel's cases, written out: 2.675 is 2.67499999… in binary, and Excel shows 2.68.
        #expect(Arithmetic.roundHalfAwayFromZero(2.675, digits: 2) == 2.68)
        #expect(Arithmetic.roundHalfAwayFromZero(-2.675, digits: 2) == -2.68)
        #expect(Arithmetic.roundHalfAwayFromZero(1234, digits: -2) == 1200)
        #expect(Arithmetic.roundHalfAwayFromZero(-0.4, digits: 0).sign == .plus)
    }
}
