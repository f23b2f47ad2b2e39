/// Tight loops over whole columns, shared by the operators and the standard library.
///
/// Every helper broadcasts a one-cell argument over `count` cells, carries nulls (null in,
/// null out) and failed cells, and turns a non-finite number into a failed cell: Kipi never
/// outputs NaN or infinity.
extension Column {
    /// The null mask of a result of `count` cells computed from `arguments`.
    static func combinedNulls(_ arguments: [Column], count: Int) -> [Bool]? {
        var result: [Bool]?
        for argument in arguments {
            guard let mask = argument.nulls else { continue }
            if argument.count == 1 {
                if mask[0] { return [Bool](repeating: true, count: count) }
                continue
            }
            if var combined = result {
                for row in 0..<count where mask[row] { combined[row] = true }
                result = combined
            } else {
                result = mask
            }
        }
        return result
    }

    /// The failed cells of a result of `count` cells computed from `arguments`.
    static func combinedErrors(_ arguments: [Column], count: Int) -> RowErrors {
        var errors = RowErrors()
        for argument in arguments {
            errors.merge(argument.errors, broadcast: argument.count == 1 && count != 1)
        }
        return errors
    }

    /// A column of `count` failed cells when `arguments` do not fit the kernels' precondition:
    /// each has `count` cells or one (a scalar), and a null mask as long as its cells. A host
    /// calls the public kernels too, so they check rather than read out of bounds.
    static func misfit(_ arguments: [Column], count: Int) -> Column? {
        let bad = arguments.first { argument in
            !(argument.count == count || argument.count == 1) || argument.misfitNullMaskLength != nil
        }
        guard count < 0 || bad != nil else { return nil }
        var failed = Column.nulls(.number, count: max(count, 0))
        let cells = bad.map { "\($0.count) cells" + ($0.misfitNullMaskLength.map { " and a null mask of \($0)" } ?? "") }
        failed.errors = RowErrors(everyRow: "a column of \(cells ?? "no cells") does not fit \(count) cells")
        return failed
    }

    /// `transform` on every cell of a number column.
    public static func mapNumbers(
        _ argument: Column, count: Int, failure: String = "the result is not a finite number",
        _ transform: (Double) -> Double
    ) -> Column {
        mapNumbers(argument, count: count, overwriting: false, failure: failure, transform)
    }

    /// `transform` on every cell; with `overwriting`, the result is written over the argument's
    /// own storage when the argument is the only holder of it (a temporary of an evaluation).
    @inline(__always)
    static func mapNumbers(
        _ argument: consuming Column, count: Int, overwriting: Bool, failure: String = "the result is not a finite number",
        _ transform: (Double) -> Double
    ) -> Column {
        if let misfit = misfit([copy argument], count: count) { return misfit }
        let stride = argument.count == 1 ? 0 : 1
        var nonFinite = false
        var result: [Double]
        if overwriting, argument.count == count, case .number = argument.storage {
            result = argument.takingNumbers()
            result.withUnsafeMutableBufferPointer { output in
                for row in 0..<count {
                    output[row] = transform(output[row])
                    nonFinite = nonFinite || !output[row].isFinite
                }
            }
        } else {
            let values = argument.numbers
            result = [Double](repeating: 0, count: count)
            result.withUnsafeMutableBufferPointer { output in
                values.withUnsafeBufferPointer { input in
                    for row in 0..<count {
                        output[row] = transform(input[row * stride])
                        nonFinite = nonFinite || !output[row].isFinite
                    }
                }
            }
        }
        return finishing(.number(result), from: [copy argument], count: count, failure: nonFinite ? { _ in failure } : nil)
    }

    /// `combine` on every pair of cells of two number columns.
    public static func zipNumbers(
        _ left: Column, _ right: Column, count: Int, failure: @escaping (Int) -> String = { _ in "the result is not a finite number" },
        _ combine: (Double, Double) -> Double
    ) -> Column {
        zipNumbers(left, right, count: count, overwriting: (false, false), failure: failure, combine)
    }

    /// `combine` on every pair of cells; the result is written over the storage of a side marked
    /// in `overwriting` when that side is its only holder (a temporary of an evaluation).
    @inline(__always)
    static func zipNumbers(
        _ left: consuming Column, _ right: consuming Column, count: Int, overwriting: (left: Bool, right: Bool),
        failure: @escaping (Int) -> String = { _ in "the result is not a finite number" }, _ combine: (Double, Double) -> Double
    ) -> Column {
        if let misfit = misfit([copy left, copy right], count: count) { return misfit }
        let leftStride = left.count == 1 ? 0 : 1
        let rightStride = right.count == 1 ? 0 : 1
        var nonFinite = false
        var result: [Double]
        func overwritable(_ column: Column, _ marked: Bool) -> Bool {
            guard marked, column.count == count, case .number = column.storage else { return false }
            return true
        }
        if overwritable(left, overwriting.left) {
            result = left.takingNumbers()
            let rightValues = right.numbers
            result.withUnsafeMutableBufferPointer { output in
                rightValues.withUnsafeBufferPointer { b in
                    for row in 0..<count {
                        output[row] = combine(output[row], b[row * rightStride])
                        nonFinite = nonFinite || !output[row].isFinite
                    }
                }
            }
        } else if overwritable(right, overwriting.right) {
            result = right.takingNumbers()
            let leftValues = left.numbers
            result.withUnsafeMutableBufferPointer { output in
                leftValues.withUnsafeBufferPointer { a in
                    for row in 0..<count {
                        output[row] = combine(a[row * leftStride], output[row])
                        nonFinite = nonFinite || !output[row].isFinite
                    }
                }
            }
        } else {
            let leftValues = left.numbers
            let rightValues = right.numbers
            result = [Double](repeating: 0, count: count)
            result.withUnsafeMutableBufferPointer { output in
                leftValues.withUnsafeBufferPointer { a in
                    rightValues.withUnsafeBufferPointer { b in
                        for row in 0..<count {
                            output[row] = combine(a[row * leftStride], b[row * rightStride])
                            nonFinite = nonFinite || !output[row].isFinite
                        }
                    }
                }
            }
        }
        return finishing(.number(result), from: [copy left, copy right], count: count, failure: nonFinite ? failure : nil)
    }

    /// `test` on every pair of cells, each read by `read` from its storage.
    @inline(__always)
    static func zipCompare<Element>(
        _ left: Column, _ right: Column, count: Int, read: (Column) -> [Element], _ test: (Element, Element) -> Bool
    ) -> Column {
        let leftValues = read(left)
        let rightValues = read(right)
        let leftStride = left.count == 1 ? 0 : 1
        let rightStride = right.count == 1 ? 0 : 1
        var result = [Bool](repeating: false, count: count)
        result.withUnsafeMutableBufferPointer { output in
            leftValues.withUnsafeBufferPointer { a in
                rightValues.withUnsafeBufferPointer { b in
                    for row in 0..<count { output[row] = test(a[row * leftStride], b[row * rightStride]) }
                }
            }
        }
        return finishing(.boolean(result), from: [left, right], count: count, failure: nil)
    }

    /// `transform` on every non-null cell of one column, read from its storage by `read`.
    static func mapCells<Element>(
        _ argument: Column, count: Int, type: KipiType, read: (Column) -> [Element], _ transform: (Element) -> Value
    ) -> Column {
        let cells = read(argument)
        let stride = argument.count == 1 ? 0 : 1
        let values = (0..<count).map { row in argument.isNull(row * stride) ? Value.null : transform(cells[row * stride]) }
        var column = Column(values: values, type: type)
        column.errors = combinedErrors([argument], count: count)
        return column
    }

    /// `transform` on every cell of any type, through `Value`: for the less frequent functions.
    public static func mapValues(
        _ arguments: [Column], count: Int, type: KipiType, propagatesNull: Bool = true,
        _ transform: ([Value]) throws -> Value
    ) -> Column {
        mapValues(arguments, count: count, type: type, propagatesNull: propagatesNull, stopping: nil, transform)
    }

    /// The same, asking `stopping` before each call; once it says stop, no cell is computed more
    /// (the caller turns the column into the stop's failure).
    static func mapValues(
        _ arguments: [Column], count: Int, type: KipiType, propagatesNull: Bool, stopping: (() -> Bool)?,
        _ transform: ([Value]) throws -> Value
    ) -> Column {
        if let misfit = misfit(arguments, count: count) { return misfit }
        var values = [Value](repeating: .null, count: count)
        var errors = combinedErrors(arguments, count: count)
        let strides = arguments.map { $0.count == 1 ? 0 : 1 }
        for row in 0..<count where errors.message(at: row) == nil {
            if let stopping, stopping() { break }
            let cells = arguments.indices.map { arguments[$0][row * strides[$0]] }
            if propagatesNull, cells.contains(where: \.isNull) { continue }
            values[row] = errors.capturing(at: row, nonFinite: "the result is not a finite number") { try transform(cells) }
        }
        var column = Column(values: values, type: type)
        column.errors = errors
        return column
    }

    /// Wraps computed storage with its arguments' nulls and errors, failing non-finite numbers.
    static func finishing(_ storage: Storage, from arguments: [Column], count: Int, failure: ((Int) -> String)?) -> Column {
        let nulls = combinedNulls(arguments, count: count)
        var errors = combinedErrors(arguments, count: count)
        if let failure, case .number(let values) = storage {
            var finite = true
            values.withUnsafeBufferPointer { buffer in
                for value in buffer where !value.isFinite {
                    finite = false
                    break
                }
            }
            if !finite {
                for row in 0..<count where !values[row].isFinite && !(nulls?[row] ?? false) {
                    errors.record(failure(row), at: row)
                }
            }
        }
        var column = Column(storage, nulls: nulls)
        column.errors = errors
        return column
    }
}
