import Foundation

extension Evaluator {
    /// `+ - * / ^` as the checker decided them: on numbers, dates or periods. A side marked in
    /// `overwriting` is a temporary whose storage the result may reuse.
    func arithmetic(
        _ arithmetic: ArithmeticKind, _ a: consuming Column, _ b: consuming Column, type: KipiType, count: Int,
        overwriting: (left: Bool, right: Bool) = (false, false)
    ) -> Column {
        switch arithmetic {
        case .number(.add): return Column.zipNumbers(a, b, count: count, overwriting: overwriting, +)
        case .number(.subtract): return Column.zipNumbers(a, b, count: count, overwriting: overwriting, -)
        case .number(.multiply): return Column.zipNumbers(a, b, count: count, overwriting: overwriting, *)
        case .number(.divide):
            // Which divisors were zero is read after the result may have overwritten them: keep them.
            let divisors = b.numbers
            let stride = b.count == 1 ? 0 : 1
            return Column.zipNumbers(
                a, b, count: count, overwriting: (overwriting.left, false),
                failure: { row in Evaluator.nonFiniteMessage(.divide, divisor: divisors[row * stride]) }, /)
        case .number(.power):
            return Column.zipNumbers(a, b, count: count, overwriting: overwriting, failure: { _ in Evaluator.nonFiniteMessage(.power, divisor: 1) }, pow)
        case .number(let op):
            return failedColumn(type, message: "'\(op.rawValue)' is not arithmetic")
        case .dateShift(let subtract, let dateFirst):
            let (date, days) = dateFirst ? (a, b) : (b, a)
            let seconds = date.seconds
            return shifted(indices: date.days, of: date, by: days, subtract: subtract, count: count) { sum, row in
                guard (-719_162...2_932_896).contains(sum) else { return nil }
                let time = seconds.isEmpty ? 0 : KipiDate(secondsSinceEpoch: seconds[date.count == 1 ? 0 : row]).secondOfDay
                return .date(KipiDate(daysSinceEpoch: Int32(sum), secondOfDay: time))
            }
        case .dateDifference:
            // Days with their fraction, as Excel: 1.5 is a day and a half. Whole seconds are
            // subtracted exactly, and only their difference is divided.
            let left = Column(.number(a.seconds.map(Double.init)), nulls: a.nulls, errors: a.errors)
            let right = Column(.number(b.seconds.map(Double.init)), nulls: b.nulls, errors: b.errors)
            return Column.zipNumbers(left, right, count: count) { ($0 - $1) / 86_400 }
        case .periodShift(let subtract, let periodFirst):
            let (period, shift) = periodFirst ? (a, b) : (b, a)
            guard case .period(let grain) = type else { return failedColumn(type, message: "'+' needs a period") }
            let valid = Period.validIndices(grain)
            return shifted(indices: period.periodIndices, of: period, by: shift, subtract: subtract, count: count) { sum, _ in
                guard valid.contains(sum) else { return nil }
                return .period(Period(grain: grain, index: Int32(sum)))
            }
        case .periodDistance:
            return Column.zipNumbers(asNumbers(a, a.periodIndices), asNumbers(b, b.periodIndices), count: count, -)
        }
    }

    /// Why an arithmetic result is not a finite number; `divisor` is the right side.
    static func nonFiniteMessage(_ op: BinaryOperator, divisor: Double) -> String {
        switch op {
        case .divide where divisor == 0: "division by zero"
        case .power: "the power is not a finite number"
        default: "the result is not a finite number"
        }
    }

    private func asNumbers(_ column: Column, _ indices: [Int32]) -> Column {
        Column(.number(indices.map(Double.init)), nulls: column.nulls, errors: column.errors)
    }

    /// Dates or periods moved by a number of days or periods (truncated toward zero); a result
    /// outside the years 1 to 9999 fails its cell.
    private func shifted(
        indices: [Int32], of base: Column, by amounts: Column, subtract: Bool, count: Int, make: (Int, Int) -> Value?
    ) -> Column {
        let offsets = amounts.numbers
        let baseStride = base.count == 1 ? 0 : 1
        let amountStride = amounts.count == 1 ? 0 : 1
        var results = [Value](repeating: .null, count: count)
        var errors = Column.combinedErrors([base, amounts], count: count)
        for row in 0..<count where errors.message(at: row) == nil {
            if base.isNull(row * baseStride) || amounts.isNull(row * amountStride) { continue }
            let amount = offsets[row * amountStride].rounded(.towardZero)
            guard abs(amount) < 1e9, let value = make(Int(indices[row * baseStride]) + (subtract ? -1 : 1) * Int(amount), row) else {
                errors.record("the date is outside the years 1 to 9999", at: row)
                continue
            }
            results[row] = value
        }
        var column = Column(values: results, type: base.type)
        column.errors = errors
        return column
    }

    /// `a & b`: each side as `text` writes it, a null side as empty text, as Excel joins cells.
    func concatenation(_ a: Column, _ b: Column, count: Int) -> Column {
        let leftStride = a.count == 1 ? 0 : 1
        let rightStride = b.count == 1 ? 0 : 1
        let texts = (0..<count).map { row in Text.written(a[row * leftStride]) + Text.written(b[row * rightStride]) }
        var column = Column(texts: texts)
        column.errors = Column.combinedErrors([a, b], count: count)
        return column
    }

    /// Three-valued logic, as SQL: false and null is false, true or null is true, otherwise null.
    func logical(_ isAnd: Bool, _ a: Column, _ b: Column, count: Int) -> Column {
        let left = a.booleans
        let right = b.booleans
        let leftStride = a.count == 1 ? 0 : 1
        let rightStride = b.count == 1 ? 0 : 1
        var values = [Bool](repeating: false, count: count)
        var nulls = [Bool](repeating: false, count: count)
        for row in 0..<count {
            let leftNull = a.isNull(row * leftStride)
            let rightNull = b.isNull(row * rightStride)
            let l = left[row * leftStride]
            let r = right[row * rightStride]
            // The value that decides alone: false for `and`, true for `or`.
            let decisive = !isAnd
            if (!leftNull && l == decisive) || (!rightNull && r == decisive) {
                values[row] = decisive
            } else if leftNull || rightNull {
                nulls[row] = true
            } else {
                values[row] = !decisive
            }
        }
        var column = Column(booleans: values, nulls: nulls)
        column.errors = Column.combinedErrors([a, b], count: count)
        return column
    }

    func compare(_ op: BinaryOperator, _ a: Column, _ b: Column, count: Int) -> Column {
        if a.isAllNull || b.isAllNull {
            var column = Column.nulls(.boolean, count: count)
            column.errors = Column.combinedErrors([a, b], count: count)
            return column
        }
        switch (a.storage, b.storage) {
        case (.number, .number):
            return compared(op, a, b, count: count, read: \.numbers)
        case (.date, .date):
            return compared(op, a, b, count: count, read: \.days)
        case (.date, .dateTime), (.dateTime, .date), (.dateTime, .dateTime):
            return compared(op, a, b, count: count, read: \.seconds)
        case (.period, .period):
            return compared(op, a, b, count: count, read: \.periodIndices)
        case (.text, .text):
            // Swift orders strings by their canonical (NFC) Unicode scalars: "é" written either way is one text.
            let test: (String, String) -> Bool = Self.test(op)
            if let codes = a.textCodes, a.count == count, b.count == 1 {
                let other = b.texts[0]
                return Column.finishing(.boolean(codes.map { test($0, other) }), from: [a, b], count: count, failure: nil)
            }
            if let codes = b.textCodes, b.count == count, a.count == 1 {
                let other = a.texts[0]
                return Column.finishing(.boolean(codes.map { test(other, $0) }), from: [a, b], count: count, failure: nil)
            }
            return Column.zipCompare(a, b, count: count, read: \.texts.strings, test)
        case (.boolean, .boolean):
            return Column.zipCompare(a, b, count: count, read: \.booleans) { l, r in op == .equal ? l == r : l != r }
        default:
            return failedColumn(.boolean, message: CheckerMessages.comparison(op.rawValue, a.type, b.type))
        }
    }

    /// A comparison of ordered cells, with the operator chosen once, outside the loop.
    private func compared<Element: Comparable>(_ op: BinaryOperator, _ a: Column, _ b: Column, count: Int, read: (Column) -> [Element]) -> Column {
        switch op {
        case .equal: Column.zipCompare(a, b, count: count, read: read, ==)
        case .notEqual: Column.zipCompare(a, b, count: count, read: read, !=)
        case .less: Column.zipCompare(a, b, count: count, read: read, <)
        case .lessOrEqual: Column.zipCompare(a, b, count: count, read: read, <=)
        case .greater: Column.zipCompare(a, b, count: count, read: read, >)
        case .greaterOrEqual: Column.zipCompare(a, b, count: count, read: read, >=)
        case .or, .and, .in, .add, .subtract, .multiply, .divide, .power, .concatenate:
            failedColumn(.boolean, message: CheckerMessages.comparison(op.rawValue, a.type, b.type))
        }
    }

    /// The test a comparison operator makes; any other operator holds for nothing.
    static func test<Element: Comparable & Sendable>(_ op: BinaryOperator) -> @Sendable (Element, Element) -> Bool {
        switch op {
        case .equal: { $0 == $1 }
        case .notEqual: { $0 != $1 }
        case .less: { $0 < $1 }
        case .lessOrEqual: { $0 <= $1 }
        case .greater: { $0 > $1 }
        case .greaterOrEqual: { $0 >= $1 }
        case .or, .and, .in, .add, .subtract, .multiply, .divide, .power, .concatenate: { _, _ in false }
        }
    }

    func membership(_ column: Column, in list: [Value], count: Int) -> Column {
        let members = Set(list.filter { !$0.isNull })
        var values = [Bool](repeating: false, count: count)
        let stride = column.count == 1 ? 0 : 1
        switch column.storage {
        case .number(let numbers):
            let set = Set(members.compactMap(\.number))
            for row in 0..<count { values[row] = set.contains(numbers[row * stride]) }
        case .text(let texts):
            let set = Set(members.compactMap { if case .text(let text) = $0 { text } else { nil } })
            if let codes = column.textCodes, column.count == count {
                values = codes.map(set.contains)
            } else {
                for row in 0..<count { values[row] = set.contains(texts[row * stride]) }
            }
        case .boolean, .date, .dateTime, .period:
            for row in 0..<count { values[row] = members.contains(column[row * stride]) }
        }
        let nulls = column.nulls.map { mask in (0..<count).map { mask[$0 * stride] } }
        var result = Column(booleans: values, nulls: nulls)
        result.errors = Column.combinedErrors([column], count: count)
        return result
    }
}
