/// A row formula over number columns with no empty or failed cell — `+ - * /`, unary minus,
/// `%`, comparisons, `and`, `or`, `not`, constants — computed a chunk of rows at a time
/// straight from the table's columns: a column is read where it lies, not copied, and each
/// operator writes into a buffer of its own made once.
///
/// It computes what the general path computes, with the same operators on the same numbers,
/// where every result is finite. A chunk with a result that is not finite (a division by zero,
/// an overflow) gives nil, and the general path computes the whole aggregate with its errors.
final class ChunkKernel {
    private enum Node {
        case column([Double])
        case constant(Double)
        case negate(ChunkKernel)
        case percent(ChunkKernel)
        case arithmetic(BinaryOperator, ChunkKernel, ChunkKernel)
        case comparison(BinaryOperator, ChunkKernel, ChunkKernel)
        case logical(and: Bool, ChunkKernel, ChunkKernel)
        case not(ChunkKernel)
    }

    private let node: Node
    /// Where this node writes a chunk's numbers, or its flags as 1 and 0.
    private let output: UnsafeMutablePointer<Double>
    /// Whether a result that is not finite is looked for here: not where the parent keeps it
    /// not finite (`+ - *`, unary minus, `%`, a dividend), as a checked node above then sees it.
    private var checked = true

    private init(_ node: Node) {
        self.node = node
        output = .allocate(capacity: Evaluator.chunkRows)
        if case .constant(let value) = node { output.initialize(repeating: value, count: Evaluator.chunkRows) }
    }

    deinit { output.deallocate() }

    /// The kernel of an expression over the rows of `rowCount` rows, reading columns and
    /// row-level definitions through `column`; nil when some part is not of the kinds above
    /// or reads a column with an empty or failed cell.
    static func compile(_ expression: TypedExpression, rowCount: Int, column: (TypedExpression) -> Column?) -> ChunkKernel? {
        if let folded = expression.folded {
            guard case .number(let value) = folded else { return nil }
            return ChunkKernel(.constant(value))
        }
        func operand(_ operand: TypedExpression) -> ChunkKernel? { compile(operand, rowCount: rowCount, column: column) }
        switch expression.kind {
        case .literal(.number(let value)):
            return ChunkKernel(.constant(value))
        case .column, .definition, .parameter:
            guard let read = column(expression), read.errors.isEmpty, read.nulls == nil else { return nil }
            guard case .number(let values) = read.storage else { return nil }
            if values.count == 1 { return ChunkKernel(.constant(values[0])) }
            return values.count == rowCount ? ChunkKernel(.column(values)) : nil
        case .negate(let inner):
            guard let inner = operand(inner) else { return nil }
            inner.checked = false
            return ChunkKernel(.negate(inner))
        case .percent(let inner):
            guard let inner = operand(inner) else { return nil }
            inner.checked = false
            return ChunkKernel(.percent(inner))
        case .arithmetic(.number(let op), let left, let right) where [.add, .subtract, .multiply, .divide].contains(op):
            guard let left = operand(left), let right = operand(right) else { return nil }
            left.checked = false
            // A divisor that is not finite gives a finite quotient: it is looked at itself.
            right.checked = op == .divide
            return ChunkKernel(.arithmetic(op, left, right))
        case .comparison(let op, let left, let right) where left.type == .number && right.type == .number:
            guard let left = operand(left), let right = operand(right) else { return nil }
            return ChunkKernel(.comparison(op, left, right))
        case .logical(let op, let left, let right):
            guard let left = operand(left), let right = operand(right) else { return nil }
            return ChunkKernel(.logical(and: op == .and, left, right))
        case .not(let inner):
            return operand(inner).map { ChunkKernel(.not($0)) }
        default:
            return nil
        }
    }

    /// Where the columns this kernel reads hold `rows`, at most two of them, for reading ahead.
    func columns(at rows: Range<Int>) -> [UnsafeRawPointer] {
        switch node {
        case .column(let values):
            return values.withUnsafeBufferPointer { values in values.baseAddress.map { [UnsafeRawPointer($0 + rows.lowerBound)] } ?? [] }
        case .constant: return []
        case .negate(let inner), .percent(let inner), .not(let inner): return inner.columns(at: rows)
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right), .logical(_, let left, let right):
            return Array((left.columns(at: rows) + right.columns(at: rows)).prefix(2))
        }
    }

    /// The numbers (or flags as 1 and 0) of `rows`, at most `Evaluator.chunkRows` of them,
    /// valid until the next call; nil when one is not finite.
    func run(_ rows: Range<Int>) -> UnsafePointer<Double>? {
        let count = rows.count
        // A local, so that the loops do not read the property again after every write.
        let output = output
        switch node {
        case .column(let values):
            // Read where it lies: the array outlives the kernel's use of its storage.
            return values.withUnsafeBufferPointer { values in values.baseAddress.map { UnsafePointer($0 + rows.lowerBound) } }
        case .constant:
            return UnsafePointer(output)
        case .negate(let inner):
            guard let values = inner.run(rows) else { return nil }
            for row in 0..<count { output[row] = -values[row] }
            return UnsafePointer(output)
        case .percent(let inner):
            guard let values = inner.run(rows) else { return nil }
            for row in 0..<count { output[row] = values[row] / 100 }
            return UnsafePointer(output)
        case .arithmetic(let op, let left, let right):
            guard let a = left.run(rows), let b = right.run(rows) else { return nil }
            let finite =
                switch op {
                case .add: compute(count, into: output) { a[$0] + b[$0] }
                case .subtract: compute(count, into: output) { a[$0] - b[$0] }
                case .multiply: compute(count, into: output) { a[$0] * b[$0] }
                default: compute(count, into: output) { a[$0] / b[$0] }
                }
            return finite ? UnsafePointer(output) : nil
        case .comparison(let op, let left, let right):
            guard let a = left.run(rows), let b = right.run(rows) else { return nil }
            switch op {
            case .equal: for row in 0..<count { output[row] = a[row] == b[row] ? 1 : 0 }
            case .notEqual: for row in 0..<count { output[row] = a[row] != b[row] ? 1 : 0 }
            case .less: for row in 0..<count { output[row] = a[row] < b[row] ? 1 : 0 }
            case .lessOrEqual: for row in 0..<count { output[row] = a[row] <= b[row] ? 1 : 0 }
            case .greater: for row in 0..<count { output[row] = a[row] > b[row] ? 1 : 0 }
            default: for row in 0..<count { output[row] = a[row] >= b[row] ? 1 : 0 }
            }
            return UnsafePointer(output)
        case .logical(let and, let left, let right):
            guard let a = left.run(rows), let b = right.run(rows) else { return nil }
            if and {
                for row in 0..<count { output[row] = a[row] * b[row] }
            } else {
                for row in 0..<count { output[row] = max(a[row], b[row]) }
            }
            return UnsafePointer(output)
        case .not(let inner):
            guard let values = inner.run(rows) else { return nil }
            for row in 0..<count { output[row] = 1 - values[row] }
            return UnsafePointer(output)
        }
    }

    /// Writes `value` of each row, in the same loop telling whether all are finite: a number
    /// is not finite when its exponent field is all ones, which the largest field shows.
    @inline(__always)
    private func compute(_ count: Int, into output: UnsafeMutablePointer<Double>, _ value: (Int) -> Double) -> Bool {
        guard checked else {
            for row in 0..<count { output[row] = value(row) }
            return true
        }
        let exponent: UInt64 = 0x7FF0_0000_0000_0000
        var largest: UInt64 = 0
        for row in 0..<count {
            let result = value(row)
            output[row] = result
            largest = max(largest, result.bitPattern & exponent)
        }
        return largest != exponent
    }
}
