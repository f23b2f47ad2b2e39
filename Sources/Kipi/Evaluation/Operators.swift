import Foundation

extension Evaluator {
    mutating func evaluateBinary(_ op: BinaryOperator, _ left: TypedExpression, _ right: TypedExpression, count: Int) -> Column {
        if op == .in {
            return membership(evaluate(left), in: listValues(right), count: count)
        }
        let a = evaluate(left)
        let b = evaluate(right)
        switch op {
        case .and, .or:
            return logical(op == .and, a, b, count: count)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return compare(op, a, b, count: count)
        case .add, .subtract:
            if left.type == .date || right.type == .date {
                return dateArithmetic(op, a, b, leftIsDate: left.type == .date, rightIsDate: right.type == .date, count: count)
            }
            return op == .add ? Column.zipNumbers(a, b, count: count, +) : Column.zipNumbers(a, b, count: count, -)
        case .multiply:
            return Column.zipNumbers(a, b, count: count, *)
        case .divide:
            let divisors = b.numbers
            let stride = b.count == 1 ? 0 : 1
            return Column.zipNumbers(
                a, b, count: count,
                failure: { row in
                    divisors[row * stride] == 0 ? "division by zero" : "the result is not a finite number"
                }, /)
        case .power:
            return Column.zipNumbers(a, b, count: count, failure: { _ in "the power is not a finite number" }, pow)
        case .in:
            preconditionFailure("handled above")
        }
    }

    /// Three-valued logic, as SQL: false and null is false, true or null is true, otherwise null.
    private func logical(_ isAnd: Bool, _ a: Column, _ b: Column, count: Int) -> Column {
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

    private func compare(_ op: BinaryOperator, _ a: Column, _ b: Column, count: Int) -> Column {
        if a.isAllNull || b.isAllNull {
            var column = Column.nulls(.boolean, count: count)
            column.errors = Column.combinedErrors([a, b], count: count)
            return column
        }
        switch (a.storage, b.storage) {
        case (.number, .number):
            return Column.zipCompare(a, b, count: count, read: \.numbers, test(op))
        case (.date, .date):
            return Column.zipCompare(a, b, count: count, read: \.days, test(op))
        case (.text, .text):
            // Swift orders strings by their canonical (NFC) Unicode scalars: "é" written either way is one text.
            return Column.zipCompare(a, b, count: count, read: \.texts, test(op))
        case (.boolean, .boolean):
            return Column.zipCompare(a, b, count: count, read: \.booleans) { l, r in op == .equal ? l == r : l != r }
        default:
            preconditionFailure("the checker only lets values of one type be compared")
        }
    }

    private func test<Element: Comparable>(_ op: BinaryOperator) -> (Element, Element) -> Bool {
        switch op {
        case .equal: (==)
        case .notEqual: (!=)
        case .less: (<)
        case .lessOrEqual: (<=)
        case .greater: (>)
        case .greaterOrEqual: (>=)
        case .or, .and, .in, .add, .subtract, .multiply, .divide, .power: preconditionFailure("\(op) is not a comparison")
        }
    }

    private func membership(_ column: Column, in list: [Value], count: Int) -> Column {
        let members = Set(list.filter { !$0.isNull })
        var values = [Bool](repeating: false, count: count)
        let stride = column.count == 1 ? 0 : 1
        switch column.storage {
        case .number(let numbers):
            let set = Set(members.compactMap(\.number))
            for row in 0..<count { values[row] = set.contains(numbers[row * stride]) }
        case .text(let texts):
            let set = Set(members.compactMap { if case .text(let text) = $0 { text } else { nil } })
            for row in 0..<count { values[row] = set.contains(texts[row * stride]) }
        case .boolean, .date:
            for row in 0..<count { values[row] = members.contains(column[row * stride]) }
        }
        let nulls = column.nulls.map { mask in (0..<count).map { mask[$0 * stride] } }
        var result = Column(booleans: values, nulls: nulls)
        result.errors = Column.combinedErrors([column], count: count)
        return result
    }

    /// date ± days is a date (days truncated toward zero); date − date is a number of days.
    private func dateArithmetic(_ op: BinaryOperator, _ a: Column, _ b: Column, leftIsDate: Bool, rightIsDate: Bool, count: Int) -> Column {
        let left = leftIsDate ? a.days.map(Double.init) : a.numbers
        let right = rightIsDate ? b.days.map(Double.init) : b.numbers.map { $0.rounded(.towardZero) }
        let leftNumbers = Column(.number(left), nulls: a.nulls, errors: a.errors)
        let rightNumbers = Column(.number(right), nulls: b.nulls, errors: b.errors)
        let difference =
            op == .add
            ? Column.zipNumbers(leftNumbers, rightNumbers, count: count, +)
            : Column.zipNumbers(leftNumbers, rightNumbers, count: count, -)
        if leftIsDate && rightIsDate { return difference }
        // Days 0001-01-01 to 9999-12-31.
        let validDays = -719_162.0...2_932_896.0
        var errors = difference.errors
        var days = [Int32](repeating: 0, count: count)
        for (row, value) in difference.numbers.enumerated() where !difference.isNull(row) {
            if validDays.contains(value) {
                days[row] = Int32(value)
            } else {
                errors.record("the date is outside the years 1 to 9999", at: row)
            }
        }
        return Column(.date(days), nulls: difference.nulls, errors: errors)
    }
}
