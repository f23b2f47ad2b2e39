/// Window functions: a grouped value read along its period key (`previous`, `growth`, `ytd`,
/// `rolling_avg` …) within each combination of the other keys, or across the groups of one
/// period (`share`, `rank`). Periods are calendar-aware: a period with no group is a gap.
enum Windows {
    typealias Parameter = FunctionDefinition.Parameter

    static var definitions: [FunctionDefinition] {
        let x = Parameter("x", .number, role: .series)
        let lag = Parameter("n", .number, optional: true)
        let width = Parameter("n", .number)
        return [
            FunctionDefinition(
                "previous", [x, lag], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The value n periods earlier (default 1); null where that period has no group.",
                implementation: .window(alongTime: true) { input in
                    let n = try whole(input.arguments.first, default: 1, name: "previous")
                    return input.map { group, read in try read(input.group(group, shiftedBy: -n)) }
                }).reading(.offset(defaultOffset: 1)),
            FunctionDefinition(
                "change", [x, lag], returns: .exactly(.number), format: .inheritsArguments,
                summary: "x − previous(x, n): the change from n periods earlier (default 1).",
                implementation: .window(alongTime: true) { input in
                    let n = try whole(input.arguments.first, default: 1, name: "change")
                    return input.map { group, read in
                        guard let current = try read(group), let earlier = try read(input.group(group, shiftedBy: -n)) else { return nil }
                        return current - earlier
                    }
                }).reading(.offset(defaultOffset: 1)),
            FunctionDefinition(
                "growth", [x, lag], returns: .exactly(.number), format: .percent,
                summary: "x ÷ previous(x, n) − 1: growth from n periods earlier (default 1), shown as percent.",
                implementation: .window(alongTime: true) { input in
                    let n = try whole(input.arguments.first, default: 1, name: "growth")
                    return input.map { group, read in
                        guard let current = try read(group), let earlier = try read(input.group(group, shiftedBy: -n)) else { return nil }
                        guard earlier != 0 else { throw FunctionError("division by zero: the previous value is 0") }
                        return current / earlier - 1
                    }
                }).reading(.offset(defaultOffset: 1)),
            FunctionDefinition(
                "last_year", [x], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The value of the same period one year earlier; null where it has no group.",
                implementation: .window(alongTime: true) { input in
                    input.map { group, read in try read(input.sameGroupLastYear(group)) }
                }).reading(.lastYear),
            FunctionDefinition(
                "running_sum", [x], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The sum from the first period up to this one.",
                implementation: .window(alongTime: true) { input in runningSum(input) { _ in 0 } }),
            FunctionDefinition(
                "ytd", [x], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Year to date: the sum from the year's first period up to this one.",
                implementation: .window(alongTime: true) { input in runningSum(input) { input.bucket(of: $0, per: .year) } }),
            FunctionDefinition(
                "qtd", [x], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Quarter to date: the sum from the quarter's first period up to this one.",
                implementation: .window(alongTime: true) { input in runningSum(input) { input.bucket(of: $0, per: .quarter) } }),
            FunctionDefinition(
                "rolling_sum", [x, width], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The sum over the n periods ending with this one; gaps contribute nothing.",
                implementation: .window(alongTime: true) { input in try rolling(input, name: "rolling_sum", average: false) }),
            FunctionDefinition(
                "rolling_avg", [x, width], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The mean over the n periods ending with this one, of the periods present.",
                implementation: .window(alongTime: true) { input in try rolling(input, name: "rolling_avg", average: true) }),
            FunctionDefinition(
                "share", [x], returns: .exactly(.number), format: .percent,
                summary: "x ÷ the sum of x over the groups of the same period (of all groups without one), shown as percent.",
                implementation: .window(alongTime: false) { input in
                    try acrossGroups(input) { value, others in
                        let total = others.reduce(0, +)
                        guard total != 0 else { throw FunctionError("division by zero: the total is 0") }
                        return value / total
                    }
                }),
            FunctionDefinition(
                "rank", [x], returns: .exactly(.number),
                summary: "1 for the largest x among the groups of the same period; ties share the lower rank (RANK.EQ).",
                implementation: .window(alongTime: false) { input in
                    try acrossGroups(input) { value, others in Double(1 + others.filter { $0 > value }.count) }
                }),
        ]
    }

    /// A whole number argument such as `n`.
    private static func whole(_ value: Value?, default fallback: Int, name: String, minimum: Int = 0) throws -> Int {
        guard let value, !value.isNull else { return fallback }
        guard let number = value.number, number == number.rounded(), number >= Double(minimum), number <= 100_000 else {
            throw FunctionError("\(name) needs a whole number of periods of at least \(minimum) for 'n', but got \(value)")
        }
        return Int(number)
    }

    /// Cumulative sums along each series, restarting where `bucket` changes.
    private static func runningSum(_ input: WindowInput, bucket: (Int) -> Int) -> Column {
        var results = [Value](repeating: .null, count: input.values.count)
        var errors = RowErrors()
        for groups in input.seriesInOrder() {
            var sum: Double?
            var failure: String?
            var currentBucket: Int?
            for group in groups {
                let position = input.positions?[group] ?? 0
                if bucket(position) != currentBucket {
                    (sum, failure, currentBucket) = (nil, nil, bucket(position))
                }
                if let message = input.values.errors.message(at: group) { failure = failure ?? message }
                if failure == nil, !input.values.isNull(group) { sum = (sum ?? 0) + input.values.numbers[group] }
                if let failure { errors.record(failure, at: group) } else { results[group] = sum.map(Value.number) ?? .null }
            }
        }
        var column = Column(values: results, type: .number)
        column.errors = errors
        return column
    }

    /// Sums or means over the n periods ending with each one, the window's start following its end.
    private static func rolling(_ input: WindowInput, name: String, average: Bool) throws -> Column {
        let n = try whole(input.arguments.first, default: 1, name: name, minimum: 1)
        var results = [Value](repeating: .null, count: input.values.count)
        var errors = RowErrors()
        for groups in input.seriesInOrder() {
            var start = 0
            for (end, group) in groups.enumerated() {
                let position = input.positions?[group] ?? 0
                while start < end, (input.positions?[groups[start]] ?? 0) <= position - n { start += 1 }
                // Summed afresh, compensated, for each window: as exact as sum() of the same values.
                let window = groups[start...end]
                let failure = window.lazy.compactMap { input.values.errors.message(at: $0) }.first
                let present = window.filter { !input.values.isNull($0) }.map { input.values.numbers[$0] }
                let sum = Aggregates.exactSum(present)
                if let failure {
                    errors.record(failure, at: group)
                } else if !present.isEmpty || !average {
                    results[group] = errors.capturing(at: group, nonFinite: "the result is not a finite number") {
                        .number(average ? sum / Double(present.count) : sum)
                    }
                }
            }
        }
        var column = Column(values: results, type: .number)
        column.errors = errors
        return column
    }

    /// Each group's value against the values of all groups of its period (non-null ones).
    private static func acrossGroups(_ input: WindowInput, _ combine: (Double, [Double]) throws -> Double) throws -> Column {
        var buckets: [Int: [Int]] = [:]
        for group in 0..<input.values.count { buckets[input.positions?[group] ?? 0, default: []].append(group) }
        var results = [Value](repeating: .null, count: input.values.count)
        var errors = RowErrors()
        for groups in buckets.values {
            if let message = groups.lazy.compactMap({ input.values.errors.message(at: $0) }).first {
                for group in groups { errors.record(message, at: group) }
                continue
            }
            let present = groups.filter { !input.values.isNull($0) }.map { input.values.numbers[$0] }
            for group in groups where !input.values.isNull(group) {
                results[group] = errors.capturing(at: group, nonFinite: "the result is not a finite number") {
                    .number(try combine(input.values.numbers[group], present))
                }
            }
        }
        var column = Column(values: results, type: .number)
        column.errors = errors
        return column
    }
}

extension WindowInput {
    /// The group of the same series `offset` periods away, if there is one.
    func group(_ group: Int?, shiftedBy offset: Int) -> Int? {
        guard let group, let positions else { return nil }
        return lookup[SeriesPosition(series: series[group], position: positions[group] + offset)]
    }

    /// The group of the same series one year earlier, if there is one.
    func sameGroupLastYear(_ group: Int) -> Int? {
        guard let positions else { return nil }
        let position = positions[group]
        let earlier: Int?
        switch grain {
        case .week?: earlier = Period(grain: .week, index: Int32(position)).lastYear.map { Int($0.index) }
        case .month?, .quarter?, .year?: earlier = grain.map { position - Int($0.perYear) }
        case nil: earlier = KipiDate(daysSinceEpoch: Int32(position)).sameDayLastYear.map { Int($0.daysSinceEpoch) }
        }
        return earlier.flatMap { lookup[SeriesPosition(series: series[group], position: $0)] }
    }

    /// The year or quarter a position lies in, as a number that changes when it does.
    func bucket(of position: Int, per coarser: PeriodGrain) -> Int {
        let index = Int32(clamping: position)
        let date: KipiDate
        switch grain {
        case .month?, .quarter?, .year?:
            date = Period(grain: grain ?? .month, index: index).start
        case .week?:
            // An ISO week belongs to the year and quarter of its Thursday.
            date = KipiDate(daysSinceEpoch: Period(grain: .week, index: index).start.daysSinceEpoch + 3)
        case nil:
            date = KipiDate(daysSinceEpoch: index)
        }
        if coarser == .year, grain == .week { return date.isoWeek.year }
        return Int(Period(coarser, containing: date).index)
    }

    /// Each series' groups in period order.
    func seriesInOrder() -> [[Int]] {
        var bySeries: [Int: [Int]] = [:]
        for group in 0..<values.count { bySeries[series[group], default: []].append(group) }
        return bySeries.keys.sorted().map { key in
            (bySeries[key] ?? []).sorted { (positions?[$0] ?? 0) < (positions?[$1] ?? 0) }
        }
    }

    /// A number column with `compute` for each group; `read` gives a group's number (nil for
    /// null or no group) and throws its error.
    func map(_ compute: (_ group: Int, _ read: (Int?) throws -> Double?) throws -> Double?) -> Column {
        func read(_ group: Int?) throws -> Double? {
            guard let group else { return nil }
            if let message = values.errors.message(at: group) { throw FunctionError(message) }
            return values.isNull(group) ? nil : values.numbers[group]
        }
        var results = [Value](repeating: .null, count: values.count)
        var errors = RowErrors()
        for group in 0..<values.count {
            results[group] = errors.capturing(at: group, nonFinite: "the result is not a finite number") {
                try compute(group, read).map(Value.number) ?? .null
            }
        }
        var column = Column(values: results, type: .number)
        column.errors = errors
        return column
    }

    static func lookup(series: [Int], positions: [Int]?) -> [SeriesPosition: Int] {
        var table: [SeriesPosition: Int] = [:]
        guard let positions else { return table }
        for group in series.indices { table[SeriesPosition(series: series[group], position: positions[group])] = group }
        return table
    }
}

/// A group's place: its series and its position along time.
struct SeriesPosition: Hashable {
    var series: Int
    var position: Int
}

extension Windows {
    /// A whole number of periods from 0 (or `minimum`) to 100,000: the window's `n` (`fallback`
    /// where it is left out or null), and why it is not one.
    private static func periods(_ call: SQLCall, _ name: String, minimum: Int) -> (value: String, failure: String?) {
        let fallback = call.dialect.number(1)
        guard let given = call.argument(0)?.value else { return (fallback, nil) }
        let valid = "(\(given) = floor(\(given)) AND \(given) >= \(minimum) AND \(given) <= 100000)"
        let failure = call.failure(
            where: "\(given) IS NOT NULL AND NOT \(valid)", "\(name) needs a whole number of periods of at least \(minimum) for 'n', but got {}",
            numbers: [given])
        return ("COALESCE(\(given), \(fallback))", failure)
    }

    /// Two conditions joined, an always-true one left out.
    private static func both(_ first: String, _ second: String) -> String {
        first == "TRUE" ? second : second == "TRUE" ? first : "\(first) AND \(second)"
    }

    /// The value and failure of the group at `position` in the current series.
    private static func read(_ window: SQLWindow, _ dialect: SQLDialect, at position: String) -> SQLValue {
        let condition = both(window.sameSeries, "\(window.position) = \(position)")
        return SQLValue(
            "(SELECT \(dialect.single(window.value)) FROM \(window.groups) WHERE \(condition))",
            failure: "(SELECT \(dialect.single(window.failure)) FROM \(window.groups) WHERE \(condition))")
    }

    /// The failure of the earliest failed group of the current series where `condition` holds, as
    /// the implementation meets them in period order.
    private static func earliestFailure(_ window: SQLWindow, where condition: String) -> String {
        "(SELECT \(window.dialect.earliest(window.failure, by: [window.position])) FROM \(window.groups) WHERE \(condition) AND \(window.failure) IS NOT NULL)"
    }

    private static func along(_ call: SQLCall, _ name: String, minimum: Int = 0, _ compute: (SQLWindow, _ n: String) -> SQLValue?) -> SQLValue? {
        guard let window = call.window else { return nil }
        let n = periods(call, name, minimum: minimum)
        guard var value = compute(window, n.value) else { return nil }
        guard let invalid = n.failure else { return value }
        value.failure = SQLValue.first([invalid, value.failure])
        value.value = "(CASE WHEN \(invalid) IS NOT NULL THEN NULL ELSE \(value.value) END)"
        return value
    }

    /// A value computed from the current group's and an earlier one's, as the implementation
    /// reads them: the current one first, the earlier one only where the current one is not null.
    private static func fromEarlier(_ call: SQLCall, _ name: String, _ compute: (_ current: String, _ earlier: String) -> SQLValue) -> SQLValue? {
        along(call, name) { window, n in
            combined(window.current, read(window, call.dialect, at: "\(window.currentPosition) - \(n)"), compute)
        }
    }

    private static func combined(_ current: SQLValue, _ earlier: SQLValue, _ compute: (_ current: String, _ earlier: String) -> SQLValue) -> SQLValue {
        let computed = compute(current.value, earlier.value)
        let earlierFailure = earlier.failure.map { "(CASE WHEN \(current.value) IS NOT NULL THEN \($0) END)" }
        return SQLValue(computed.value, failure: SQLValue.first([current.failure, earlierFailure, computed.failure]))
    }

    /// The group `n` periods earlier in the same series, for every group at once: the one group a
    /// window frame of exactly that distance holds (none at a gap, where the value is null), as
    /// `LAG` would give were there no gaps. Nil where n is not a whole number of periods known as
    /// the SQL is written (the correlated form then says why).
    private static func earlierOverGroups(_ call: SQLCall, periods fixed: Double? = nil) -> (window: SQLWindow, earlier: SQLValue)? {
        guard let window = call.window else { return nil }
        let n = fixed.map { [$0] } ?? (call.arguments.isEmpty ? [1] : call.knownNumbers(0))
        guard let periods = n?.first, periods == periods.rounded(), periods >= 0, periods <= 100_000 else { return nil }
        let order = "ORDER BY CAST(\(window.position) AS \(window.dialect.integerType))"
        let frame = "OVER (\(window.seriesPartition.isEmpty ? "" : window.seriesPartition + " ")\(order) RANGE BETWEEN \(Int(periods)) PRECEDING AND \(Int(periods)) PRECEDING)"
        return (window, SQLValue("first_value(\(window.value)) \(frame)", failure: window.current.failure.map { _ in "first_value(\(window.failure)) \(frame)" }))
    }

    /// `compute` of the current group and the one `n` periods earlier, for every group at once.
    private static func fromEarlierOverGroups(_ call: SQLCall, _ compute: (_ current: String, _ earlier: String) -> SQLValue) -> SQLValue? {
        earlierOverGroups(call).map { combined($0.window.current, $0.earlier, compute) }
    }

    private static func cumulative(_ call: SQLCall, per coarser: PeriodGrain?) -> SQLValue? {
        guard let window = call.window else { return nil }
        var condition = both(window.sameSeries, "\(window.position) <= \(window.currentPosition)")
        if let coarser { condition += " AND \(window.bucket(window.position, coarser)) = \(window.bucket(window.currentPosition, coarser))" }
        return SQLValue("(SELECT sum(\(window.value)) FROM \(window.groups) WHERE \(condition))", failure: earliestFailure(window, where: condition))
    }

    private static func sqlRolling(_ call: SQLCall, _ name: String, average: Bool) -> SQLValue? {
        along(call, name, minimum: 1) { window, n in
            let condition = both(window.sameSeries, "\(window.position) <= \(window.currentPosition) AND \(window.position) > \(window.currentPosition) - \(n)")
            let total = average ? "avg(\(window.value))" : "COALESCE(sum(\(window.value)), 0E0)"
            return SQLValue("(SELECT \(total) FROM \(window.groups) WHERE \(condition))", failure: earliestFailure(window, where: condition))
        }
    }

    private static func sqlAcrossGroups(_ call: SQLCall, _ compute: (SQLWindow) -> SQLValue) -> SQLValue? {
        guard let window = call.window else { return nil }
        var value = compute(window)
        // Of several failed groups in a period, the first in the groups' order.
        let failed = "(SELECT \(window.dialect.earliest(window.failure, by: window.keyOrder)) FROM \(window.groups) WHERE \(both(window.samePeriod, "\(window.failure) IS NOT NULL")))"
        value.failure = SQLValue.first([failed, value.failure])
        value.value = "(CASE WHEN \(window.current.value) IS NULL THEN NULL ELSE \(value.value) END)"
        return value
    }

    private static func difference(_ current: String, _ earlier: String) -> SQLValue { SQLValue("(\(current) - \(earlier))") }

    private static func growth(_ call: SQLCall, _ current: String, _ earlier: String) -> SQLValue {
        SQLValue(
            "(\(current) / NULLIF(\(earlier), 0) - 1)",
            failure: call.failure(where: "\(current) IS NOT NULL AND \(earlier) = 0", "division by zero: the previous value is 0"))
    }

    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "previous": .overGroups({ call in earlierOverGroups(call)?.earlier }) { call in
            along(call, "previous") { window, n in read(window, call.dialect, at: "\(window.currentPosition) - \(n)") }
        },
        "change": .overGroups({ call in fromEarlierOverGroups(call, difference) }) { call in fromEarlier(call, "change", difference) },
        "growth": .overGroups({ call in fromEarlierOverGroups(call) { growth(call, $0, $1) } }) { call in
            fromEarlier(call, "growth") { growth(call, $0, $1) }
        },
        // A year back is a fixed number of months, quarters or years, read in a frame as
        // `previous` reads; of ISO weeks (52 or 53) or days, it is looked up.
        "last_year": .overGroups({ call in
            let periods: [PeriodGrain: Double] = [.month: 12, .quarter: 4, .year: 1]
            return call.window?.grain.flatMap { periods[$0] }.flatMap { earlierOverGroups(call, periods: $0)?.earlier }
        }) { call in
            guard let window = call.window else { return nil }
            return read(window, call.dialect, at: window.lastYear(window.currentPosition))
        },
        "running_sum": SQLForm { call in cumulative(call, per: nil) },
        "ytd": SQLForm { call in cumulative(call, per: .year) },
        "qtd": SQLForm { call in cumulative(call, per: .quarter) },
        "rolling_sum": SQLForm { call in sqlRolling(call, "rolling_sum", average: false) },
        "rolling_avg": SQLForm { call in sqlRolling(call, "rolling_avg", average: true) },
        "share": SQLForm { call in
            sqlAcrossGroups(call) { window in
                let total = "(SELECT sum(\(window.value)) FROM \(window.groups) WHERE \(window.samePeriod))"
                return SQLValue(
                    "(\(window.current.value) / NULLIF(\(total), 0))",
                    failure: call.failure(where: "\(total) = 0 AND \(window.current.value) IS NOT NULL", "division by zero: the total is 0"))
            }
        },
        // RANK() counts the groups before a group, and ties share the lower rank: 1 + the number of
        // larger values, as the implementation; nulls sort last, after every value.
        "rank": .overGroups { call in
            guard let window = call.window else { return nil }
            let over = "OVER (\(window.periodPartition.isEmpty ? "" : window.periodPartition + " ")ORDER BY \(window.value) DESC NULLS LAST)"
            return SQLValue(
                "(CASE WHEN \(window.value) IS NULL THEN NULL ELSE CAST(RANK() \(over) AS \(window.dialect.doubleType)) END)",
                failure: """
                    first_value(\(window.failure)) OVER (\(window.periodPartition.isEmpty ? "" : window.periodPartition + " ")ORDER BY \(window.failure) IS NULL, \
                    \(window.keyOrder.map { "\($0) NULLS LAST" }.joined(separator: ", ")) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                    """)
        },
    ]
}
