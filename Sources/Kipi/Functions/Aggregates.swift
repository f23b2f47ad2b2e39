/// `count`, `sum`, `avg`, `min`, `max`, `count_distinct`, `percent`: reductions of a collection.
enum Aggregates {
    static var definitions: [FunctionDefinition] {
        let average = FunctionDefinition(
            "avg", [.collection("x", .number)], returns: .exactly(.number), format: .inheritsArguments,
            summary: "Arithmetic mean of the non-null values (Excel AVERAGE); no values is an error.",
            implementation: .aggregate { input in
                let values = input.collections[0].numbers
                guard !values.isEmpty else { throw FunctionError("average of no values") }
                return .number(exactSum(values) / Double(values.count))
            }
        ).reducing(Reductions.Mean())
        return [
            FunctionDefinition(
                "count", [Parameter.collection("x", .any).optional()], returns: .exactly(.number),
                summary:
                    "count() counts rows, count(x) non-null values of x, count(where p) rows where p holds; "
                    + "a value that is an evaluation error is not counted, as Excel's COUNT skips error cells.",
                implementation: .aggregate { input in
                    .number(Double(input.collections.first?.count ?? input.rowCount))
                }
            ).reducing(Reductions.Count()).skippingErrors(),
            FunctionDefinition(
                "sum", [.collection("x", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Sum of the non-null values, compensated against rounding error; 0 for no values.",
                implementation: .aggregate { input in .number(exactSum(input.collections[0].numbers)) }
            ).reducing(Reductions.Sum()),
            average,
            extreme("min", "Smallest non-null value (numbers, dates or text); no values is an error.", keepsFirst: true),
            extreme("max", "Largest non-null value (numbers, dates or text); no values is an error.", keepsFirst: false),
            FunctionDefinition(
                "count_distinct", [.collection("x", .any)], returns: .exactly(.number),
                summary: "Number of distinct non-null values of x.",
                implementation: .aggregate { input in
                    let column = input.collections[0]
                    let distinct =
                        switch column.storage {
                        case .number(let values): Set(values.map { $0 == 0 ? 0 : $0 }).count
                        case .text(let values): values.codes.map(\.distinctUsed) ?? Set(values).count
                        case .boolean(let values): Set(values).count
                        case .date(let values): Set(values).count
                        case .dateTime(let values): Set(values).count
                        case .period(_, let values): Set(values).count
                        }
                    return .number(Double(distinct))
                }),
            FunctionDefinition(
                "percent", [.collection("condition", .boolean)], returns: .exactly(.number), format: .percent,
                summary: "Share of rows where the condition is true among rows where it is not null.",
                implementation: .aggregate { input in
                    let flags = input.collections[0].booleans
                    guard !flags.isEmpty else { throw FunctionError("percent of no values: the condition is null or filtered out in every row") }
                    return .number(Double(flags.reduce(0) { $0 + ($1 ? 1 : 0) }) / Double(flags.count))
                }
            ).reducing(Reductions.Share()),
        ]
    }

    private static func extreme(_ name: String, _ summary: String, keepsFirst: Bool) -> FunctionDefinition {
        FunctionDefinition(
            name, [.collection("x", .variable("T", allowed: orderedTypes))], returns: .variable("T"),
            format: .inheritsArguments, summary: summary,
            implementation: .aggregate { input in
                let column = input.collections[0]
                guard column.count > 0 else { throw FunctionError("\(name) of no values") }
                switch column.storage {
                case .number(let values):
                    return .number(values.reduce(values[0]) { keepsFirst ? Swift.min($0, $1) : Swift.max($0, $1) })
                case .date(let values):
                    let day = values.reduce(values[0]) { keepsFirst ? Swift.min($0, $1) : Swift.max($0, $1) }
                    return .date(KipiDate(daysSinceEpoch: day))
                case .dateTime(let values):
                    let seconds = values.reduce(values[0]) { keepsFirst ? Swift.min($0, $1) : Swift.max($0, $1) }
                    return .date(KipiDate(secondsSinceEpoch: seconds))
                case .period(let grain, let values):
                    let index = values.reduce(values[0]) { keepsFirst ? Swift.min($0, $1) : Swift.max($0, $1) }
                    return .period(Period(grain: grain, index: index))
                case .text(let values):
                    let text = values.reduce(values[0]) { best, next in
                        let nextFirst = next < best
                        return nextFirst == keepsFirst ? next : best
                    }
                    return .text(text)
                case .boolean:
                    throw FunctionError("\(name) needs numbers, dates, periods or text")
                }
            }
        ).reducing(Reductions.Extreme(keepsSmallest: keepsFirst))
    }

    /// Neumaier's compensated sum: exact to the last bit for sums a spreadsheet rounds.
    static func exactSum(_ values: [Double]) -> Double {
        var sum = CompensatedSum()
        for value in values { sum.add(value) }
        return sum.total
    }
}

extension FunctionDefinition.Parameter {
    /// The same parameter, made optional.
    func optional() -> Self {
        var copy = self
        copy.isOptional = true
        return copy
    }
}

typealias Parameter = FunctionDefinition.Parameter

/// Neumaier's compensated sum, a value at a time: the same total to the bit however the values
/// arrive (all at once, by chunks, by group).
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    @inline(__always)
    mutating func add(_ value: Double) {
        let total = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        sum = total
    }

    var total: Double { sum + compensation }
}

extension Aggregates {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "count": .aggregate { call in SQLValue(call.countOfRows) },
        "sum": .aggregate { call in SQLValue("COALESCE(sum(\(call.collections[0])), 0E0)") },
        "avg": .aggregate { call in SQLValue("avg(\(call.collections[0]))", failure: call.failure(fewerThan: 1, "average of no values")) },
        "min": .aggregate { call in SQLValue(call.unordered("min(\(call.orderedValues))"), failure: call.failure(fewerThan: 1, "min of no values")) },
        "max": .aggregate { call in SQLValue(call.unordered("max(\(call.orderedValues))"), failure: call.failure(fewerThan: 1, "max of no values")) },
        "count_distinct": .aggregate { call in SQLValue("CAST(count(DISTINCT \(call.collections[0])) AS \(call.dialect.doubleType))") },
        "percent": .aggregate { call in
            SQLValue(
                "avg(CASE WHEN \(call.collections[0]) THEN 1E0 WHEN NOT \(call.collections[0]) THEN 0E0 END)",
                failure: call.failure(fewerThan: 1, "percent of no values: the condition is null or filtered out in every row"))
        },
    ]
}
