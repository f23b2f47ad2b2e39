import Foundation

/// `median`, `percentile`, `percentile_exc`, `quartile`, `percentrank`, `percentrank_exc`:
/// Excel's order statistics, interpolating between data points. One question about a
/// collection is answered in linear time (selection, or counting for a rank); the values are
/// sorted once for all rows that ask about the same collection, as ranks looked up per row do.
enum OrderStatistics {
    static var definitions: [FunctionDefinition] {
        [
            FunctionDefinition(
                "median", [.collection("x", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The middle value, or the mean of the two middle values (MEDIAN); no values is an error.",
                implementation: .aggregate { input in
                    .number(try inclusivePercentile(orderedValues(input, "median"), 0.5))
                }),
            FunctionDefinition(
                "percentile", [.collection("x", .number), Parameter("k", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "The k-th percentile, 0 ≤ k ≤ 1, interpolating between values (PERCENTILE.INC).",
                implementation: .aggregate { input in
                    guard let k = input.arguments[0].number else { return .null }
                    guard (0...1).contains(k) else { throw FunctionError("percentile needs k between 0 and 1, got \(formatLiteral(k))") }
                    return .number(try inclusivePercentile(orderedValues(input, "percentile"), k))
                }),
            FunctionDefinition(
                "percentile_exc", [.collection("x", .number), Parameter("k", .number)], returns: .exactly(.number),
                format: .inheritsArguments,
                summary: "The k-th percentile, 1/(n+1) ≤ k ≤ n/(n+1), interpolating between values (PERCENTILE.EXC).",
                implementation: .aggregate { input in
                    guard let k = input.arguments[0].number else { return .null }
                    return .number(try exclusivePercentile(orderedValues(input, "percentile_exc"), k))
                }),
            FunctionDefinition(
                "quartile", [.collection("x", .number), Parameter("q", .number)], returns: .exactly(.number), format: .inheritsArguments,
                summary: "Quartile q of the values: 0 minimum, 1, 2 median, 3, 4 maximum; q is truncated (QUARTILE.INC).",
                implementation: .aggregate { input in
                    guard let rawQuartile = input.arguments[0].number else { return .null }
                    let q = rawQuartile.rounded(.towardZero)
                    guard (0...4).contains(q) else { throw FunctionError("quartile needs q from 0 to 4, got \(formatLiteral(rawQuartile))") }
                    return .number(try inclusivePercentile(orderedValues(input, "quartile"), q / 4))
                }),
            rank("percentrank", inclusive: true, "PERCENTRANK.INC: the rank of v among the values from 0 to 1, interpolated,"),
            rank("percentrank_exc", inclusive: false, "PERCENTRANK.EXC: the rank of v among the values between 0 and 1, interpolated,"),
        ]
    }

    private static func rank(_ name: String, inclusive: Bool, _ summary: String) -> FunctionDefinition {
        FunctionDefinition(
            name, [.collection("x", .number), Parameter("v", .number), Parameter("significance", .number).optional()],
            returns: .exactly(.number), format: .percent,
            summary: summary + " truncated to significance digits (default 3).",
            implementation: .aggregate { input in
                guard let value = input.arguments[0].number else { return .null }
                var digits = 3.0
                if input.arguments.count > 1 {
                    guard let given = input.arguments[1].number else { return .null }
                    digits = given.rounded(.towardZero)
                    guard digits >= 1 else { throw FunctionError("\(name) needs a significance of at least 1, got \(formatLiteral(given))") }
                }
                let rank = try percentRank(orderedValues(input, name), value, inclusive: inclusive, name: name)
                return .number(truncate(rank, digits: Int(min(digits, 15))))
            })
    }

    /// The collection's values in order; no values is an error.
    static func orderedValues(_ input: AggregateInput, _ name: String) throws(FunctionError) -> OrderedValues {
        let values = input.orderedNumbers
        guard values.count > 0 else { throw FunctionError("\(name) of no values") }
        return values
    }

    /// PERCENTILE.INC: rank k·(n−1), 0-based, interpolated between its neighbours.
    static func inclusivePercentile(_ values: OrderedValues, _ k: Double) throws(FunctionError) -> Double {
        interpolated(values, at: k * Double(values.count - 1))
    }

    /// PERCENTILE.EXC: rank k·(n+1), 1-based, which must lie between 1 and n.
    static func exclusivePercentile(_ values: OrderedValues, _ k: Double) throws(FunctionError) -> Double {
        let n = Double(values.count)
        let rank = k * (n + 1)
        guard k > 0, k < 1, rank >= 1, rank <= n else {
            throw FunctionError("percentile_exc needs k between 1/(n+1) and n/(n+1) for n = \(values.count) values, got \(formatLiteral(k))")
        }
        return interpolated(values, at: rank - 1)
    }

    /// The value at a fractional 0-based position, by linear interpolation.
    private static func interpolated(_ values: OrderedValues, at position: Double) -> Double {
        let lower = Int(position.rounded(.down))
        let fraction = position - Double(lower)
        guard fraction > 0, lower + 1 < values.count else { return values.smallest(min(lower, values.count - 1)).value }
        let (low, high) = values.smallest(lower)
        return low + fraction * ((high ?? low) - low)
    }

    /// PERCENTRANK.INC and .EXC as Excel and LibreOffice compute them: a value in the data
    /// ranks by the count of smaller values; one between two data points is interpolated.
    static func percentRank(_ values: OrderedValues, _ value: Double, inclusive: Bool, name: String) throws(FunctionError) -> Double {
        let n = values.count
        let place = values.place(of: value)
        guard value >= place.minimum, value <= place.maximum else {
            throw FunctionError(
                "\(name): \(formatLiteral(value)) is outside the values (\(formatLiteral(place.minimum)) to \(formatLiteral(place.maximum)))")
        }
        if n == 1 { return inclusive ? 1 : 0.5 }
        let smaller = place.smaller
        if place.isPresent {
            return inclusive ? Double(smaller) / Double(n - 1) : Double(smaller + 1) / Double(n + 1)
        }
        // Between the largest smaller value (0-based position smaller − 1) and the next one.
        let fraction = (value - place.below) / (place.above - place.below)
        return inclusive ? (Double(smaller - 1) + fraction) / Double(n - 1) : (Double(smaller) + fraction) / Double(n + 1)
    }

    /// Truncates (never rounds) to `digits` decimals, on the 15 significant digits Excel keeps,
    /// so that a rank of 0.05 computed as 0.04999999999999999 truncates to 0.05, not 0.049.
    static func truncate(_ value: Double, digits: Int) -> Double {
        guard value.isFinite else { return value }
        let shown = Double(String(format: "%.15g", value)) ?? value
        let text = String(format: "%.15f", shown)
        guard let point = text.firstIndex(of: ".") else { return shown }
        let end = text.index(point, offsetBy: digits + 1, limitedBy: text.endIndex) ?? text.endIndex
        return Double(text[..<end]) ?? shown
    }
}

extension OrderStatistics {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "median": .aggregate { call in quantile(call, "median", at: 0.5) },
        "percentile": .aggregate({ call in quantile(call, "percentile", at: call.constantNumber) }, otherwise: { call in
            call.argument(0).map { k in
                inclusivePercentile(
                    call, "percentile", k: k.value, invalid: "NOT (\(k.value) BETWEEN 0 AND 1)",
                    because: call.message("percentile needs k between 0 and 1, got {}", numbers: [k.value]))
            }
        }),
        "quartile": .aggregate(
            { call in quantile(call, "quartile", at: call.constantNumber.map { $0.rounded(.towardZero) / 4 }) },
            otherwise: { call in
                call.argument(0).map { q in
                    let whole = call.dialect.truncated(q.value)
                    return inclusivePercentile(
                        call, "quartile", k: "(\(whole) / 4E0)", invalid: "NOT (\(whole) BETWEEN 0 AND 4)",
                        because: call.message("quartile needs q from 0 to 4, got {}", numbers: [q.value]))
                }
            }),
        "percentile_exc": SQLForm { call in
            guard let k = call.argument(0)?.value else { return nil }
            let n = call.numberOfRows
            let valid = "(\(k) > 0 AND \(k) < 1 AND \(k) * (\(n) + 1) >= 1 AND \(k) * (\(n) + 1) <= \(n))"
            let value = interpolated(call) { n in "\(k) * (\(n) + 1) - 1" }
            let outOfRange = call.message(
                "percentile_exc needs k between 1/(n+1) and n/(n+1) for n = {} values, got {}", numbers: [n, k])
            return SQLValue(
                "(CASE WHEN \(valid) THEN \(value) END)",
                failure: "(CASE WHEN \(k) IS NULL THEN NULL WHEN \(call.none()) THEN 'percentile_exc of no values' WHEN NOT \(valid) THEN \(outOfRange) END)")
        },
        "percentrank": .aggregate(
            { call in percentRank(call, "percentrank", inclusive: true, asAggregate: true) },
            otherwise: { call in percentRank(call, "percentrank", inclusive: true) }),
        "percentrank_exc": .aggregate(
            { call in percentRank(call, "percentrank_exc", inclusive: false, asAggregate: true) },
            otherwise: { call in percentRank(call, "percentrank_exc", inclusive: false) }),
    ]

    /// The value at the fractional 0-based position `position` (written over `n`, the number of
    /// values) of the sorted values, interpolated between its neighbours. The values are sorted
    /// into a list: window functions are not allowed everywhere an aggregate may stand.
    private static func interpolated(_ call: SQLCall, position: (String) -> String) -> String {
        let dialect = call.dialect
        if let values = call.knownNumberColumns?.first?.sorted(), let last = values.last {
            // Values known as the SQL is written: a branch per gap between neighbours.
            let p = "(\(position(dialect.number(Double(values.count)))))"
            let gaps = values.indices.dropLast().map { i in
                let (low, high) = (dialect.number(values[i]), dialect.number(values[i + 1]))
                return "WHEN \(p) < \(dialect.number(Double(i + 1))) THEN \(low) + (\(p) - \(dialect.number(Double(i)))) * (\(high) - \(low))"
            }
            return gaps.isEmpty ? dialect.number(last) : "(CASE \(gaps.joined(separator: " ")) ELSE \(dialect.number(last)) END)"
        }
        let v = call.collections[0]
        let sorted = "SELECT \(dialect.sortedList(v, by: v)) AS xs, \(position(call.countOfRows)) AS p FROM \(call.rows)"
        let lo = dialect.element("t.xs", "floor(t.p) + 1")
        let hi = dialect.element("t.xs", "floor(t.p) + 2")
        return "(SELECT \(lo) + (t.p - floor(t.p)) * (COALESCE(\(hi), \(lo)) - \(lo)) FROM (\(sorted)) t)"
    }

    /// PERCENTILE.INC at a constant k in range, as aggregate expressions: the engine's own
    /// continuous quantile, which interpolates exactly so (at (n − 1)·k) and needs no sorted list.
    private static func quantile(_ call: SQLCall, _ name: String, at constant: Double?) -> SQLValue? {
        guard let constant, (0...1).contains(constant) else { return nil }
        let v = call.collections[0]
        let fraction = call.dialect.number(constant)
        let quantile: String
        switch call.dialect {
        case .duckdb: quantile = "quantile_cont(\(v), \(fraction))"
        case .postgres: quantile = "percentile_cont(\(fraction)) WITHIN GROUP (ORDER BY \(v))"
        case .spark: quantile = "percentile(\(v), \(fraction))"
        }
        return SQLValue(quantile, failure: call.failure(fewerThan: 1, "\(name) of no values"))
    }

    /// PERCENTILE.INC at any k: the sorted values interpolated at (n − 1)·k. Where `invalid`
    /// holds, the call fails with the message `because`; over no rows, with "<name> of no values".
    private static func inclusivePercentile(_ call: SQLCall, _ name: String, k: String, invalid: String, because: String) -> SQLValue {
        let value = interpolated(call) { n in "\(k) * (\(n) - 1)" }
        return SQLValue(
            "(CASE WHEN \(k) >= 0 AND \(k) <= 1 THEN \(value) END)",
            failure: "(CASE WHEN \(k) IS NULL THEN NULL WHEN \(invalid) THEN \(because) WHEN \(call.none()) THEN '\(name) of no values' END)")
    }

    /// PERCENTRANK over the rows; `asAggregate`, as aggregate expressions over them, which needs
    /// v and the significance known as the SQL is written (nil otherwise).
    private static func percentRank(_ call: SQLCall, _ name: String, inclusive: Bool, asAggregate: Bool = false) -> SQLValue? {
        guard let v = call.argument(0)?.value else { return nil }
        if asAggregate, call.constants.contains(where: { $0 == nil }) { return nil }
        let significance = call.argument(1)?.value
        let digits = significance.map { "least(\(call.dialect.truncated($0)), 15)" } ?? call.dialect.number(3)
        if !asAggregate, let values = call.knownNumberColumns?.first?.sorted(), let first = values.first, let last = values.last {
            let (low, high) = (call.dialect.number(first), call.dialect.number(last))
            let rank = "(CASE WHEN \(v) < \(low) OR \(v) > \(high) THEN NULL ELSE \(knownRank(values, of: v, inclusive: inclusive, call.dialect)) END)"
            let outside = call.message("\(name): {} is outside the values ({} to {})", numbers: [v, low, high])
            return rankShown(call, name, rank: rank, digits: digits, inline: false, failing: ["WHEN \(v) < \(low) OR \(v) > \(high) THEN \(outside)"])
        }
        let x = call.collections[0]
        let n = call.countOfRows
        let smaller = "sum(CASE WHEN \(x) < \(v) THEN 1E0 ELSE 0E0 END)"
        let below = "max(CASE WHEN \(x) < \(v) THEN \(x) END)"
        let above = "min(CASE WHEN \(x) > \(v) THEN \(x) END)"
        let fraction = "(\(v) - \(below)) / (\(above) - \(below))"
        let present = inclusive ? "\(smaller) / (\(n) - 1)" : "(\(smaller) + 1) / (\(n) + 1)"
        let between = inclusive ? "(\(smaller) - 1 + \(fraction)) / (\(n) - 1)" : "(\(smaller) + \(fraction)) / (\(n) + 1)"
        let outside = "\(call.rowCount) = 0 OR \(v) < min(\(x)) OR \(v) > max(\(x))"
        let ranked = """
            CASE WHEN \(outside) THEN NULL WHEN \(call.rowCount) = 1 THEN \(call.dialect.number(inclusive ? 1 : 0.5)) \
            WHEN sum(CASE WHEN \(x) = \(v) THEN 1 ELSE 0 END) > 0 THEN \(present) ELSE \(between) END
            """
        let outsideMessage = call.message("\(name): {} is outside the values ({} to {})", numbers: [v, "min(\(x))", "max(\(x))"])
        let failing = "WHEN \(call.rowCount) = 0 THEN '\(name) of no values' WHEN \(v) < min(\(x)) OR \(v) > max(\(x)) THEN \(outsideMessage)"
        return rankShown(
            call, name, rank: asAggregate ? "(\(ranked))" : call.over(ranked), digits: digits, inline: asAggregate, failing: [failing],
            over: asAggregate ? { "(\($0))" } : { call.over($0) })
    }

    /// A rank truncated to its digits, valid where the significance is; failing, as the
    /// implementation checks, on v, then the significance, then the values (`failing`, read
    /// through `over`).
    private static func rankShown(
        _ call: SQLCall, _ name: String, rank: String, digits: String, inline: Bool, failing: [String],
        over: (String) -> String = { "(\($0))" }
    ) -> SQLValue {
        let v = call.arguments[0].value
        let significance = call.argument(1)?.value
        let shown = truncatedToDigits(rank, digits: digits, inline: inline, call.dialect)
        var steps = ["WHEN \(v) IS NULL THEN NULL"]
        if let significance {
            let tooFew = call.message("\(name) needs a significance of at least 1, got {}", numbers: [significance])
            steps.append("WHEN \(significance) IS NULL THEN NULL WHEN \(call.dialect.truncated(significance)) < 1 THEN \(tooFew)")
        }
        let failure = "CASE \((steps + failing).joined(separator: " ")) END"
        let valid = significance.map { "\(call.dialect.truncated($0)) >= 1" } ?? "TRUE"
        return SQLValue("(CASE WHEN \(valid) THEN \(shown) END)", failure: over(failure))
    }

    /// PERCENTRANK of v among `values` (sorted, v between the first and the last) known as the
    /// SQL is written: each value's rank and each gap's interpolation, numbers computed here as
    /// `percentRank` computes them.
    private static func knownRank(_ values: [Double], of v: String, inclusive: Bool, _ dialect: SQLDialect) -> String {
        let n = values.count
        guard n > 1 else { return dialect.number(inclusive ? 1 : 0.5) }
        var distinct: [Double] = []
        for value in values where distinct.last != value { distinct.append(value) }
        var branches: [String] = []
        for (index, value) in distinct.enumerated() {
            let smaller = values.prefix { $0 < value }.count
            let present = inclusive ? Double(smaller) / Double(n - 1) : Double(smaller + 1) / Double(n + 1)
            branches.append("WHEN \(v) = \(dialect.number(value)) THEN \(dialect.number(present))")
            guard index + 1 < distinct.count else { break }
            let (below, above) = (dialect.number(value), dialect.number(distinct[index + 1]))
            let fraction = "(\(v) - \(below)) / (\(above) - \(below))"
            let smallerBetween = values.prefix { $0 <= value }.count
            branches.append(
                "WHEN \(v) < \(above) THEN "
                    + (inclusive
                        ? "(\(dialect.number(Double(smallerBetween - 1))) + \(fraction)) / \(dialect.number(Double(n - 1)))"
                        : "(\(dialect.number(Double(smallerBetween))) + \(fraction)) / \(dialect.number(Double(n + 1)))"))
        }
        return "(CASE \(branches.joined(separator: " ")) END)"
    }

    /// Truncation to `digits` decimals of the value's 15 significant digits, as Excel truncates:
    /// a rank of 0.05 computed as 0.04999999999999999 truncates to 0.05.
    /// `inline` writes the value at each use (an aggregate expression cannot be moved into a subquery).
    private static func truncatedToDigits(_ value: String, digits: String, inline: Bool, _ dialect: SQLDialect) -> String {
        let truncated = { (r: String) in
            let halfDigit = "0.5E0 * power(10E0, floor(log10(abs(\(r)))) - 14)"
            let scale = "power(10E0, \(digits))"
            return "(CASE WHEN \(r) = 0 THEN \(r) ELSE floor((\(r) + \(halfDigit)) * \(scale)) / \(scale) END)"
        }
        return inline ? truncated(value) : dialect.bound(["\(value) AS r"], as: "t", in: truncated("t.r"))
    }
}
