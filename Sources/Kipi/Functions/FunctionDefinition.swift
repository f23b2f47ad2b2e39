import Foundation

/// A function callable from formulas: its typed signature, its one line of help and its
/// implementation. Built-ins and a host's plugins are both declared this way and
/// registered in the same `FunctionRegistry`.
public struct FunctionDefinition: Sendable {
    /// The name formulas call it by (any case); dotted parts as Excel's `PERCENTRANK.INC` are allowed.
    public var name: String
    /// Its parameters, in order.
    public var parameters: [Parameter]
    /// The type it returns.
    public var result: ResultType
    /// Its one line of help, as `kipi functions` prints it.
    public var summary: String
    /// How a result is shown by default; `.inheritsArguments` keeps the format of the value arguments.
    public var format: ResultFormat
    /// How it computes: cell by cell, by columns, per group, or along a grouped value.
    public var implementation: Implementation
    /// Whether the result depends on the arguments alone. A deterministic function called
    /// with constants is computed once, when the formula is checked; one that reads a clock
    /// or other outside state is computed at every evaluation.
    public var isDeterministic: Bool
    /// For an aggregate that one pass over its values computes (a sum, a count, a mean …): that
    /// pass. The evaluator then runs it over the rows its filter keeps, every group at once,
    /// without gathering them; the implementation still answers for lists, for other types and
    /// for no values. It must give what the implementation gives on the same values.
    public var reduction: (any OnePassReduction)?
    /// How the function is written in SQL, for `kipi sql` and the engines; nil when it has no
    /// SQL form, which makes a formula calling it a check error there.
    public var sql: SQLForm?
    /// Whether evaluation errors among the values reduced are left out, as Excel's COUNT leaves
    /// out error cells, rather than failing the result (true for `count` alone).
    public var skipsErrors = false
    /// For another name of a function (`average`, `PERCENTILE.INC`, `СУММ`): the name it stands for.
    public var aliasOf: String?
    /// For a window function: which group of its series it reads for a group, when that is one
    /// group (explain shows it); nil when it reads several (cumulative, rolling, across a period).
    public var windowReads: WindowReads?
    /// For a cell-by-cell function of numbers: the same computation on numbers that are not
    /// null, which a prepared formula calls directly (SPEC §7, formulas per record). It must give
    /// what the implementation gives, and fail where it fails with the same message.
    public var numeric: NumericForm?
    /// For a function whose value is one of its arguments, chosen cell by cell (`if`, `iferror`,
    /// `coalesce`): which one, or why none, reading only the arguments it needs (given the
    /// number of arguments and each argument's value on demand). A prepared formula then
    /// computes only the arguments read and the one chosen. It must choose as the implementation does.
    public var choice: (@Sendable (_ count: Int, _ argument: (Int) -> Result<Value, FunctionError>) -> Result<Int, FunctionError>)?

    /// A function of this name, parameters, result type, display format, determinism, help and implementation.
    public init(
        _ name: String, _ parameters: [Parameter], returns result: ResultType, format: ResultFormat = .plain,
        isDeterministic: Bool = true, summary: String, implementation: Implementation
    ) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.summary = summary
        self.format = format
        self.implementation = implementation
        self.isDeterministic = isDeterministic
    }

    /// The same aggregate, declared to be computed by `reduction` in one pass.
    public func reducing(_ reduction: some OnePassReduction) -> FunctionDefinition {
        var copy = self
        copy.reduction = reduction
        return copy
    }

    /// The same function, leaving out the errors among the values it reduces.
    public func skippingErrors() -> FunctionDefinition {
        var copy = self
        copy.skipsErrors = true
        return copy
    }

    /// The same function, computing numbers directly by `form` as well.
    public func computingNumbers(_ form: NumericForm) -> FunctionDefinition {
        var copy = self
        copy.numeric = form
        return copy
    }

    /// The same function, declared to return the argument `choice` picks.
    public func choosing(
        _ choice: @escaping @Sendable (_ count: Int, _ argument: (Int) -> Result<Value, FunctionError>) -> Result<Int, FunctionError>
    ) -> FunctionDefinition {
        var copy = self
        copy.choice = choice
        return copy
    }

    /// A cell-by-cell function's computation on one, two or three numbers (a call with that many
    /// arguments); a thrown `FunctionError` fails the value.
    public enum NumericForm: Sendable {
        /// Of one number.
        case unary(@Sendable (Double) throws(FunctionError) -> Double)
        /// Of two numbers.
        case binary(@Sendable (Double, Double) throws(FunctionError) -> Double)
        /// Of three numbers.
        case ternary(@Sendable (Double, Double, Double) throws(FunctionError) -> Double)
    }

    /// The same window function, declared to read `reads` for each group.
    public func reading(_ reads: WindowReads) -> FunctionDefinition {
        var copy = self
        copy.windowReads = reads
        return copy
    }

    /// Which one group a window function reads for a group, along its time key.
    public enum WindowReads: Sendable, Hashable {
        /// The group `n` periods (or days, along a date key) earlier: `n` is the first argument
        /// after the series, `defaultOffset` when it is not given.
        case offset(defaultOffset: Int)
        /// The same period (or day) a year earlier.
        case lastYear
    }

    /// The same function, written in SQL by `form`.
    public func writtenInSQL(_ form: SQLForm) -> FunctionDefinition {
        var copy = self
        copy.sql = form
        return copy
    }

    /// How many arguments a call may pass: from the required parameters up, without a bound
    /// if the last parameter is variadic.
    public var arity: ClosedRange<Int> {
        let required = parameters.filter { !$0.isOptional }.count
        return required...(parameters.last?.isVariadic == true ? Int.max : parameters.count)
    }

    /// The parameter an argument at `position` binds to: the last one repeats for a variadic function.
    func parameter(at position: Int) -> Parameter {
        parameters[min(position, parameters.count - 1)]
    }

    /// A function is an aggregate if it reduces a collection (a column, a list or a grouped KPI).
    public var isAggregate: Bool {
        parameters.contains { $0.role == .collection }
    }

    /// A window function reads a grouped value along its period key or across its groups.
    public var isWindow: Bool {
        if case .window = implementation { return true }
        return false
    }

    /// Whether a window function needs a period or date key to run along.
    var runsAlongTime: Bool {
        if case .window(let alongTime, _) = implementation { return alongTime }
        return false
    }

    /// The signature as `kipi functions` prints it, such as `round(x: number, [digits: number]) -> number`.
    public var signature: String {
        let list = parameters.map { parameter in
            var text = "\(parameter.name): \(parameter.type)"
            if parameter.role == .collection { text = "\(parameter.name): column of \(parameter.type)" }
            if parameter.role == .series { text = "\(parameter.name): \(parameter.type) per group" }
            if parameter.isVariadic { text += "..." }
            if parameter.isOptional { text = "[\(text)]" }
            return text
        }
        return "\(name)(\(list.joined(separator: ", "))) -> \(result)"
    }

    /// One parameter of a function.
    public struct Parameter: Sendable {
        /// The name help and messages show.
        public var name: String
        /// What an argument must be.
        public var type: TypePattern
        /// Whether it is a value, the collection reduced, or a window's series.
        public var role: Role
        /// May be left out; only trailing parameters are optional.
        public var isOptional: Bool
        /// Takes any number (at least one) of arguments; only the last parameter is variadic.
        public var isVariadic: Bool

        /// A parameter of this name, type and role; optional and variadic as said.
        public init(_ name: String, _ type: TypePattern, role: Role = .value, optional: Bool = false, variadic: Bool = false) {
            self.name = name
            self.type = type
            self.role = role
            self.isOptional = optional
            self.isVariadic = variadic
        }

        /// A parameter that the function reduces: a column, a list literal or a grouped KPI.
        public static func collection(_ name: String, _ type: TypePattern) -> Parameter {
            Parameter(name, type, role: .collection)
        }
    }

    /// What a function does with an argument.
    public enum Role: Sendable, Hashable {
        /// One value per result: a scalar, or one value per row or group.
        case value
        /// The values being aggregated.
        case collection
        /// The grouped value a window function reads (first parameter only).
        case series
    }

    /// What an argument must be. Parameters sharing a variable name must get the same type.
    public indirect enum TypePattern: Sendable, Hashable, CustomStringConvertible {
        /// Exactly this type.
        case exactly(KipiType)
        /// Any single value (not a list).
        case any
        /// A type variable, bound by the first argument that uses it; limited to `allowed`
        /// (an empty list allows every type).
        case variable(String, allowed: [KipiType])
        /// A list of values of a pattern.
        case listOf(TypePattern)

        /// A number.
        public static let number = TypePattern.exactly(.number)
        /// Text.
        public static let text = TypePattern.exactly(.text)
        /// A boolean.
        public static let boolean = TypePattern.exactly(.boolean)
        /// A date.
        public static let date = TypePattern.exactly(.date)

        /// The pattern as signatures show it.
        public var description: String {
            switch self {
            case .exactly(let type): type.description
            case .any: "any"
            case .variable(let name, let allowed): allowed.count == 1 ? allowed[0].description : name
            case .listOf(let element): "list of \(element)"
            }
        }
    }

    /// The type a function returns.
    public enum ResultType: Sendable, Hashable, CustomStringConvertible {
        /// Always this type.
        case exactly(KipiType)
        /// The type bound to a variable of the parameters.
        case variable(String)

        /// The type as signatures show it.
        public var description: String {
            switch self {
            case .exactly(let type): type.description
            case .variable(let name): name
            }
        }
    }

    /// How the table output shows a function's result by default.
    public enum ResultFormat: Sendable, Hashable {
        /// As a number.
        case plain
        /// As a percent.
        case percent
        /// As its arguments are shown (a percent when one of them is).
        case inheritsArguments
    }

    /// How a function computes.
    public enum Implementation: Sendable {
        /// Called once per cell with the arguments' values. When `propagatesNull` is true
        /// a null argument gives a null result without a call. A thrown `FunctionError`
        /// fails that cell.
        case scalar(propagatesNull: Bool, @Sendable ([Value]) throws -> Value)
        /// Called once with whole columns (a scalar argument is a column of one cell, to be
        /// broadcast); returns a column of `count` cells. The implementation owns the cells'
        /// nulls and errors: `Column.elementwise` helpers propagate them.
        case columnar(@Sendable (_ arguments: [Column], _ count: Int) throws -> Column)
        /// Called once per group (or once, without `by`) with the collection arguments'
        /// values where the filter holds and no collection value is null.
        case aggregate(@Sendable (AggregateInput) throws -> Value)
        /// Called once with a grouped value's groups; returns one cell per group. `alongTime`
        /// functions need a period or date key to run along.
        case window(alongTime: Bool, @Sendable (WindowInput) throws -> Column)
    }
}

/// What a window function sees: a grouped value's cells, and where each group lies in time.
public struct WindowInput: Sendable {
    /// One cell per group, nulls and failed cells included.
    public let values: Column
    /// For each group, its period's position along the time key (`Period.index`, or days since
    /// 1970-01-01 for a date key); nil when the value has no such key.
    public let positions: [Int]?
    /// For each group, the combination of its other keys, numbered from 0.
    public let series: [Int]
    /// The time key's grain; nil for a date key, or when there is none.
    public let grain: PeriodGrain?
    /// The arguments after the grouped value.
    public let arguments: [Value]
    /// The group at each series and position.
    let lookup: [SeriesPosition: Int]

    /// The input of a window function over these cells, positions, series and grain.
    public init(values: Column, positions: [Int]?, series: [Int], grain: PeriodGrain?, arguments: [Value]) {
        self.values = values
        self.positions = positions
        self.series = series
        self.grain = grain
        self.arguments = arguments
        self.lookup = WindowInput.lookup(series: series, positions: positions)
    }
}

/// What an aggregate sees for one group.
public struct AggregateInput: Sendable {
    /// The collection arguments' values for this group, equally long, with null rows removed.
    public var collections: [Column]
    /// Rows of the group where the filter holds, nulls included (what `count()` counts).
    public var rowCount: Int
    /// The value arguments, for this group.
    public var arguments: [Value]
    let sortCache: SortCache

    /// The input of an aggregate for one group.
    public init(collections: [Column], rowCount: Int, arguments: [Value]) {
        self.init(collections: collections, rowCount: rowCount, arguments: arguments, sortCache: SortCache())
    }

    init(collections: [Column], rowCount: Int, arguments: [Value], sortCache: SortCache) {
        self.collections = collections
        self.rowCount = rowCount
        self.arguments = arguments
        self.sortCache = sortCache
    }

    /// The first collection's numbers in ascending order. Sorted once, however many calls share
    /// the collection (a rank looked up for every row of a list, say).
    public var sortedNumbers: [Double] {
        sortCache.sorted(collections.first?.numbers ?? [])
    }

    /// The first collection's numbers, for questions about their order: the first call on a
    /// collection selects or counts in linear time; once several calls share it, it is sorted.
    public var orderedNumbers: OrderedValues {
        sortCache.ordered(collections.first?.numbers ?? [])
    }

    /// The first position of `value` in the first collection, found through an index built once
    /// for every call that shares the collection (a lookup for every row of another table, say).
    public func firstPosition(of value: Value) -> Int? {
        sortCache.firstPositions(collections.first?.values ?? [])[value]
    }
}

/// The sorted values of a collection that several aggregate calls share.
final class SortCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sorted: [Double]?
    private var positions: [Value: Int]?
    private var orderedCalls = 0

    func ordered(_ values: @autoclosure () -> [Double]) -> OrderedValues {
        lock.lock()
        orderedCalls += 1
        let shared = orderedCalls > 1
        lock.unlock()
        return shared ? OrderedValues(values: sorted(values()), isSorted: true) : OrderedValues(values: values(), isSorted: false)
    }

    func sorted(_ values: @autoclosure () -> [Double]) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        if let sorted { return sorted }
        let result = values().sorted()
        sorted = result
        return result
    }

    func firstPositions(_ values: @autoclosure () -> [Value]) -> [Value: Int] {
        lock.lock()
        defer { lock.unlock() }
        if let positions { return positions }
        var result: [Value: Int] = [:]
        for (position, value) in values().enumerated() where result[value] == nil { result[value] = position }
        positions = result
        return result
    }
}

extension FunctionDefinition {
    /// Runs the function's own code, turning any error it throws into a `FunctionError` that
    /// names the function when the error does not explain itself.
    func calling<Result>(_ body: () throws -> Result) throws(FunctionError) -> Result {
        do {
            return try body()
        } catch {
            throw FunctionError(failureMessage(error, in: name))
        }
    }

    /// Whether a value the function returned has the type the checker expects of the call.
    static func fits(_ value: Value, _ declared: KipiType) -> Bool {
        value.isNull || declared.isWildcard || value.type.unified(with: declared) != nil
    }

    /// Why a column the function returned breaks its contract: wrong masks or type; nil if it keeps it.
    func violation(in column: Column, type declared: KipiType) -> String? {
        if let maskLength = column.misfitNullMaskLength {
            return "function '\(name)' returned a null mask of \(maskLength) cells for \(column.count) values"
        }
        if let row = column.errors.rows.keys.first(where: { !(0..<column.count).contains($0) }) {
            return "function '\(name)' returned an error for cell \(row + 1) of \(column.count)"
        }
        if !declared.isWildcard, !column.isAllNull, column.type.unified(with: declared) == nil {
            return FunctionMessages.wrongType(name, column.type, declared)
        }
        return nil
    }
}
