/// A Kipi value written in SQL: the expression, and why Kipi would give an evaluation error
/// instead. `failure` is a text expression: NULL where the value does not fail, and the error's
/// message where it does (the expression is then NULL). It is nil for a value that never fails.
public struct SQLValue: Sendable, Hashable {
    /// The value's SQL expression.
    public var value: String
    /// Why Kipi would fail the value, as SQL text (NULL where it does not); nil when it never fails.
    public var failure: String?
    /// For a date read from a column: the engine's own timestamp that `value` counts in seconds,
    /// so that a calendar form can take the year or month from it directly rather than through
    /// the count of days; nil for a date computed any other way.
    public var timestamp: String?

    /// A value written as `value`, failing with the message `failure` gives where it is not NULL.
    public init(_ value: String, failure: String? = nil, timestamp: String? = nil) {
        self.value = value
        self.failure = failure
        self.timestamp = timestamp
    }

    /// The first of `failures` that is not NULL, as Kipi reports the first error it meets;
    /// nil when none can fail.
    public static func first(_ failures: [String?]) -> String? {
        let present = failures.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        return present.count == 1 ? present[0] : "COALESCE(" + present.joined(separator: ", ") + ")"
    }
}

/// How a function is written in SQL, declared with the function in the registry (a host's
/// function gives its own, or has none). `write` returns nil where the dialect has no form.
public struct SQLForm: Sendable {
    /// Whether the form decides itself when and why the call fails from its arguments' `failure`
    /// (as `if`, `iferror` do); otherwise the call fails as its first failing argument does, or
    /// as `write` says.
    public var decidesFailures: Bool
    let write: @Sendable (SQLCall) -> SQLValue?
    /// For an aggregate written as aggregate expressions over its rows (`avg(v)`, failing where
    /// `count(*) < 1`): those expressions, with no FROM. The generator can then compute every
    /// group with one GROUP BY; nil for a call written otherwise. Its `failure` is an aggregate
    /// expression too.
    let overRows: (@Sendable (SQLCall) -> SQLValue?)?

    /// For a window function written with SQL's window functions (`RANK() OVER …`): its value
    /// and failure for each row `w` of `call.window.groups`, given arguments known as the SQL is
    /// written. The generator computes it for every group at once, as a table, and reads each
    /// group's row; where it gives nil, or an argument is computed, `write` writes the call.
    let overGroups: (@Sendable (SQLCall) -> SQLValue?)?

    /// A form that writes a call with `write` (nil where the dialect has none).
    public init(decidesFailures: Bool = false, _ write: @escaping @Sendable (SQLCall) -> SQLValue?) {
        self.decidesFailures = decidesFailures
        self.write = write
        self.overRows = nil
        self.overGroups = nil
    }

    /// A window function's form as SQL window functions over the rows of `call.window.groups`
    /// (alias `w`), such as `RANK() OVER (\(window.periodPartition) ORDER BY w.value DESC)`;
    /// where `expressions` gives nil for a call, `otherwise` writes it.
    public static func overGroups(
        _ expressions: @escaping @Sendable (SQLCall) -> SQLValue?, otherwise: @escaping @Sendable (SQLCall) -> SQLValue? = { _ in nil }
    ) -> SQLForm {
        SQLForm(overGroups: expressions, write: otherwise)
    }

    private init(overGroups: @escaping @Sendable (SQLCall) -> SQLValue?, write: @escaping @Sendable (SQLCall) -> SQLValue?) {
        self.decidesFailures = false
        self.write = write
        self.overRows = nil
        self.overGroups = overGroups
    }

    /// An aggregate's form as aggregate expressions over `call.collections` (its value, and why
    /// it fails), such as `sum(v)`; where `expressions` gives nil for a call, `otherwise` writes it.
    public static func aggregate(
        _ expressions: @escaping @Sendable (SQLCall) -> SQLValue?, otherwise: (@Sendable (SQLCall) -> SQLValue?)? = nil
    ) -> SQLForm {
        SQLForm(overRows: expressions) { call in
            guard let written = expressions(call) else { return otherwise?(call) }
            let select = { (expression: String) in "(SELECT \(expression) FROM \(call.rows))" }
            return SQLValue(select(written.value), failure: written.failure.map(select))
        }
    }

    private init(overRows: @escaping @Sendable (SQLCall) -> SQLValue?, write: @escaping @Sendable (SQLCall) -> SQLValue?) {
        self.decidesFailures = false
        self.write = write
        self.overRows = overRows
        self.overGroups = nil
    }
}

/// What a function's SQL form is given.
public struct SQLCall: Sendable {
    /// The SQL being written.
    public var dialect: SQLDialect
    /// The value arguments (for an aggregate, those after its collections; for a window
    /// function, those after its series), each with its Kipi type.
    public var arguments: [SQLValue]
    /// The Kipi type of each of `arguments`.
    public var argumentTypes: [KipiType]
    /// Each argument's value when it is known as the SQL is written (a literal or a parameter),
    /// nil where it is computed per row or group.
    public var constants: [Value?] = []
    /// For an aggregate: the rows it reduces, as a FROM item (a derived table with an alias),
    /// already filtered by `where`, by the group, and to rows where no collection is null.
    public var rows: String = ""
    /// For an aggregate: each collection argument as an expression over `rows`, and its type.
    public var collections: [String] = []
    /// The Kipi type of each of `collections`.
    public var collectionTypes: [KipiType] = []
    /// For a window function: where it reads.
    public var window: SQLWindow?
    /// For an aggregate written as aggregate expressions (`SQLForm.aggregate`): the number of
    /// rows it reduces, as an aggregate expression. `count(*)` where the rows are its own; over
    /// rows shared with other aggregates (each keeping its rows by nulls in its own columns),
    /// the count of its first column.
    public var rowCount: String = "count(*)"
    /// For an aggregate over lists written out of values known as the SQL is written (`[5%,
    /// 10%, 15%]`): its rows, each collection's value in the row, rows holding a null left out
    /// as `rows` leaves them out; nil otherwise. A form can then compute from the values
    /// themselves, with no subquery over the list (Spark refuses an aggregate of a list that
    /// compares with the outer row).
    public var knownRows: [[Value]]?
    /// Whether an argument holds a subquery or reads the rows of an aggregate, which Spark
    /// cannot bind in a lambda (`once`).
    var argumentsHoldSubqueries = false

    /// The argument at `index`, or nil when the call left it out.
    public func argument(_ index: Int) -> SQLValue? {
        arguments.indices.contains(index) ? arguments[index] : nil
    }
}

/// What a window function's SQL form reads: the grouped value as a table of groups, `w`, with
/// one row per group, its `value` and `failure` columns, and the position of each group along time.
/// A form over groups (`SQLForm.overGroups`) is written for each row of `w` itself: `current` is
/// `w`'s value (with no failure where the series cannot fail), `sameSeries` and `samePeriod`
/// hold everywhere, and `seriesPartition` and `periodPartition` split the series and the periods.
public struct SQLWindow: Sendable {
    /// The SQL being written.
    public var dialect: SQLDialect
    /// A FROM item naming the groups' table with alias `w`.
    public var groups: String
    /// Holds for the groups of the same series as the current group (its other keys equal).
    public var sameSeries: String
    /// Holds for the groups of the same period as the current group (all groups without one).
    public var samePeriod: String
    /// A group's position along time (`w`'s), and the current group's.
    public var position: String
    /// The current group's position along time.
    public var currentPosition: String
    /// The current group's value.
    public var current: SQLValue
    /// A group's value in `groups`.
    public var value: String = "w.value"
    /// Why a group's value failed (NULL where it did not), in `groups`.
    public var failure: String = "w.failure"
    /// The keys of a row of `groups`, in the level's order, as expressions that sort as Kipi
    /// numbers groups (text in code point order): the order in which it meets their failures.
    public var keyOrder: [String] = []
    /// The window clause's partition of the groups of the same series as a row of `groups`
    /// (`PARTITION BY w.k0`: its keys but the period; empty where there are none).
    public var seriesPartition: String = ""
    /// The window clause's partition of the groups of the same period as a row of `groups`
    /// (`PARTITION BY w.k1`; empty where every group is in one period).
    public var periodPartition: String = ""
    /// The grain of the time key; nil for a date key.
    public var grain: PeriodGrain?
    /// A position's year or quarter, as a number that changes when it does.
    public var bucket: @Sendable (_ position: String, _ coarser: PeriodGrain) -> String
    /// The position of the same period one year before a position; NULL where there is none.
    public var lastYear: @Sendable (_ position: String) -> String
}

// What the built-in functions' forms share.
extension SQLCall {
    /// `(SELECT <select> FROM <rows>)`: an aggregate expression over the rows an aggregate reduces.
    func over(_ select: String, where condition: String? = nil) -> String {
        "(SELECT \(select) FROM \(rows)\(condition.map { " WHERE \($0)" } ?? ""))"
    }

    /// `body` over `values`, each that it reads more than once computed once: in a derived table
    /// of one row, or on Spark in a lambda. On Spark a lambda holds no subquery, and the values
    /// are written out at each use instead. `name` tells apart what one form binds; the
    /// generator makes the alias unique (`SQLCall.onceAlias`).
    func once(_ values: [String], as name: String, _ body: ([String]) -> String) -> String {
        let alias = Self.onceAlias + name
        let columns = values.indices.map { "\(alias).v\($0)" }
        var written = body(columns)
        let lambdaRefused = dialect == .spark && (argumentsHoldSubqueries || (values + [written]).contains { $0.contains("SELECT") })
        var bound: [String] = []
        for (value, column) in zip(values, columns) {
            let uses = written.components(separatedBy: column).count - 1
            if uses > 1, !lambdaRefused {
                bound.append("\(value) AS \(column.dropFirst(alias.count + 1))")
            } else {
                written = written.replacingOccurrences(of: column, with: "(\(value))")
            }
        }
        return bound.isEmpty ? written : dialect.bound(bound, as: alias, in: written)
    }

    /// What begins the alias of a value a form computes once (`once`), for the generator to
    /// make unique.
    static let onceAlias = "\u{1}once\u{1}"

    /// Holds when the rows are fewer than `minimum`.
    func none(fewerThan minimum: Int = 1) -> String {
        knownRows.map { $0.count < minimum ? "TRUE" : "FALSE" } ?? over(fewerThan(minimum))
    }

    /// The number of rows, as a double, outside the aggregate.
    var numberOfRows: String { knownRows.map { dialect.number(Double($0.count)) } ?? over(countOfRows) }

    /// Holds, as an aggregate expression, when the rows are fewer than `minimum`.
    func fewerThan(_ minimum: Int) -> String { "\(rowCount) < \(minimum)" }

    /// An error's message as SQL text (`SQLDialect.message`), an argument known as the SQL is
    /// written put in the text as Kipi writes it.
    func message(_ message: String, numbers: [String] = [], texts: [String] = []) -> String {
        let known = numbers.map { number in
            let index = arguments.firstIndex { $0.value == number }
            let constant = index.flatMap { constants.indices.contains($0) ? constants[$0]?.number : nil }
            return constant.map(dialect.number) ?? number
        }
        return dialect.message(message, numbers: known, texts: texts)
    }

    /// `message` (`message(_:numbers:texts:)`) where `condition` holds, NULL elsewhere and where it is NULL.
    func failure(where condition: String, _ message: String, numbers: [String] = [], texts: [String] = []) -> String {
        "(CASE WHEN \(condition) THEN \(self.message(message, numbers: numbers, texts: texts)) END)"
    }

    /// `message` over fewer than `minimum` rows, as an aggregate expression.
    func failure(fewerThan minimum: Int, _ message: String) -> String {
        failure(where: fewerThan(minimum), message)
    }

    /// The number of rows, as a double.
    var countOfRows: String { "CAST(\(rowCount) AS \(dialect.doubleType))" }

    /// The first collection, text compared in code point order.
    var orderedValues: String {
        collectionTypes.first == .text ? dialect.ordered(collections[0]) : collections[0]
    }

    /// A text result of an aggregate over `orderedValues`, back in the database's own collation
    /// (`upper` of it must still know Cyrillic).
    func unordered(_ value: String) -> String {
        collectionTypes.first == .text && dialect == .postgres ? "(\(value) COLLATE \"default\")" : value
    }

    /// The arguments at `indices`, when each is a number known as the SQL is written.
    func knownNumbers(_ indices: Int...) -> [Double]? {
        let numbers = indices.compactMap { constants.indices.contains($0) ? constants[$0]?.number : nil }
        return numbers.count == indices.count ? numbers : nil
    }

    /// The first value argument, when it is a number known as the SQL is written.
    var constantNumber: Double? { constants.first.flatMap { $0?.number } }

    /// The known rows' numbers (`knownRows`), one array per collection; nil unless every value is a number.
    var knownNumberColumns: [[Double]]? {
        guard let rows = knownRows else { return nil }
        var columns = Array(repeating: [Double](), count: collections.count)
        for row in rows {
            guard row.count == columns.count else { return nil }
            for (column, value) in row.enumerated() {
                guard let number = value.number, number.isFinite else { return nil }
                columns[column].append(number)
            }
        }
        return columns
    }
}

extension SQLDialect {
    /// Truncation toward zero, as Swift's `rounded(.towardZero)`.
    func truncated(_ value: String) -> String {
        "(CASE WHEN \(value) < 0 THEN ceil(\(value)) ELSE floor(\(value)) END)"
    }
}
