/// `score`, `normalize`, `normalize_min`, `clamp`, `interpolate`, `lookup`, `weighted_avg`:
/// the scaling and scorecard methods of KPI practice.
enum Scorecard {
    static var definitions: [FunctionDefinition] {
        [
            ratio("score", ["fact", "critical", "norm"], "KPI level: (fact − critical) / (norm − critical); 0 at critical, 100% at the norm.",
                numerator: (0, 1), denominator: (2, 1)),
            ratio("normalize", ["v", "min", "max"], "Linear maximisation: (v − min) / (max − min).", numerator: (0, 1), denominator: (2, 1)),
            ratio("normalize_min", ["v", "min", "max"], "Linear minimisation: (max − v) / (max − min).", numerator: (2, 0), denominator: (2, 1)),
            FunctionDefinition(
                "clamp", [Parameter("x", .number), Parameter("lo", .number), Parameter("hi", .number)], returns: .exactly(.number),
                format: .inheritsArguments, summary: "x held within lo and hi: MIN(MAX(x, lo), hi); lo above hi is an error.",
                implementation: .columnar { arguments, count in
                    let (x, low, high) = (arguments[0], arguments[1], arguments[2])
                    var clamped = Column.zipNumbers(Column.zipNumbers(x, low, count: count) { Swift.max($0, $1) }, high, count: count) {
                        Swift.min($0, $1)
                    }
                    let lows = low.numbers
                    let highs = high.numbers
                    let (lowStride, highStride) = (low.count == 1 ? 0 : 1, high.count == 1 ? 0 : 1)
                    for row in 0..<count where lows[row * lowStride] > highs[row * highStride] && !clamped.isNull(row) {
                        let message = "clamp needs lo ≤ hi, got \(formatLiteral(lows[row * lowStride])) and \(formatLiteral(highs[row * highStride]))"
                        clamped.errors.record(message, at: row)
                    }
                    return clamped
                }),
            FunctionDefinition(
                "interpolate", [Parameter("x", .number), .collection("xs", .number), .collection("ys", .number)],
                returns: .exactly(.number), format: .inheritsArguments,
                summary: "Piecewise linear through the points (xs, ys), held flat outside them: a bonus scale from a table.",
                implementation: .aggregate { input in
                    guard let x = input.arguments[0].number else { return .null }
                    return .number(try interpolate(x, xs: input.collections[0].numbers, ys: input.collections[1].numbers))
                }),
            FunctionDefinition(
                "lookup",
                [
                    Parameter("v", .variable("K", allowed: [])), .collection("keys", .variable("K", allowed: [])),
                    .collection("values", .variable("V", allowed: [])),
                ],
                returns: .variable("V"), format: .inheritsArguments,
                summary: "The value paired with the first key equal to v, as a qualitative scale (XLOOKUP); no match is an error.",
                implementation: .aggregate { input in
                    let value = input.arguments[0]
                    if value.isNull { return .null }
                    if let row = input.firstPosition(of: value), row < input.collections[1].count { return input.collections[1][row] }
                    throw FunctionError("\(value) is not among the keys of lookup")
                }),
            FunctionDefinition(
                "weighted_avg", [.collection("values", .number), .collection("weights", .number)], returns: .exactly(.number),
                format: .inheritsArguments,
                summary: "Σ value·weight ÷ Σ weight over the pairs with no null (SUMPRODUCT/SUM); zero total weight is an error.",
                implementation: .aggregate { input in
                    let values = input.collections[0].numbers
                    let weights = input.collections[1].numbers
                    let totalWeight = Aggregates.exactSum(weights)
                    guard !values.isEmpty, totalWeight != 0 else { throw FunctionError("weighted_avg with a total weight of zero") }
                    return .number(Aggregates.exactSum(zip(values, weights).map { $0 * $1 }) / totalWeight)
                }),
        ]
    }

    /// A function of three numbers computed as a difference of two of them divided by a difference
    /// of two (by their positions), shown as a percentage: column by column, and number by number
    /// for prepared formulas, failing alike.
    private static func ratio(
        _ name: String, _ parameters: [String], _ summary: String, numerator: (Int, Int), denominator: (Int, Int)
    ) -> FunctionDefinition {
        let divisionByZero = "\(name): division by zero (the two bounds are equal)"
        let numbers = { @Sendable (a: Double, b: Double, c: Double) throws(FunctionError) -> Double in
            @inline(__always) func value(_ position: Int) -> Double { position == 0 ? a : position == 1 ? b : c }
            let top = value(numerator.0) - value(numerator.1)
            guard top.isFinite else { throw FunctionError("the result is not a finite number") }
            let bottom = value(denominator.0) - value(denominator.1)
            guard bottom.isFinite else { throw FunctionError("the result is not a finite number") }
            let result = top / bottom
            guard result.isFinite else { throw FunctionError(divisionByZero) }
            return result
        }
        return FunctionDefinition(
            name, parameters.map { Parameter($0, .number) }, returns: .exactly(.number), format: .percent, summary: summary,
            implementation: .columnar { arguments, count in
                let top = Column.zipNumbers(arguments[numerator.0], arguments[numerator.1], count: count, -)
                let bottom = Column.zipNumbers(arguments[denominator.0], arguments[denominator.1], count: count, -)
                return Column.zipNumbers(top, bottom, count: count, failure: { _ in divisionByZero }, /)
            }
        ).computingNumbers(.ternary(numbers))
    }

    static func interpolate(_ x: Double, xs: [Double], ys: [Double]) throws(FunctionError) -> Double {
        guard xs.count == ys.count else { throw FunctionError("interpolate needs as many xs as ys, got \(xs.count) and \(ys.count)") }
        guard !xs.isEmpty else { throw FunctionError("interpolate of no points") }
        let points = zip(xs, ys).sorted { $0.0 < $1.0 }
        for (left, right) in zip(points, points.dropFirst()) where left.0 == right.0 {
            throw FunctionError("interpolate needs distinct xs, but \(formatLiteral(left.0)) appears twice")
        }
        guard let first = points.first, let last = points.last else { return 0 }
        if x <= first.0 { return first.1 }
        if x >= last.0 { return last.1 }
        let upper = points.firstIndex { $0.0 >= x } ?? points.count - 1
        let (x0, y0) = points[upper - 1]
        let (x1, y1) = points[upper]
        if x == x1 { return y1 }
        return y0 + (x - x0) / (x1 - x0) * (y1 - y0)
    }
}

extension Scorecard {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "weighted_avg": .aggregate { call in
            let (v, w) = (call.collections[0], call.collections[1])
            return SQLValue(
                "sum(\(v) * \(w)) / NULLIF(sum(\(w)), 0)", failure: call.failure(where: "COALESCE(sum(\(w)), 0) = 0", "weighted_avg with a total weight of zero"))
        },
        "lookup": SQLForm { call in
            guard let v = call.argument(0)?.value else { return nil }
            let shown = call.dialect.described(v, type: call.argumentTypes[0])
            if let pairs = knownPairs(call) {
                // Keys known as the SQL is written have a first: a CASE over them, as in-process.
                let branches = pairs.map { " WHEN \($0.key) THEN \($0.value)" }.joined()
                let keys = pairs.map(\.key).joined(separator: ", ")
                return SQLValue(
                    "(CASE \(v)\(branches) END)",
                    failure: call.failure(where: "\(v) IS NOT NULL AND \(v) NOT IN (\(keys))", "{} is not among the keys of lookup", texts: [shown]))
            }
            // A table has no first row: where several rows match with different values, the
            // lookup fails rather than pick one.
            let (keys, values) = (call.collections[0], call.collections[1])
            // The rows matching v, counted once: how many, how many different values, and one of them.
            let matching = { (select: String) in
                "(SELECT \(select) FROM (SELECT count(*) AS n, count(DISTINCT \(values)) AS d, \(call.dialect.anyValue(values)) AS found "
                    + "FROM \(call.rows) WHERE \(keys) = \(v)) m)"
            }
            let failure = """
                CASE WHEN \(v) IS NULL THEN NULL WHEN m.n = 0 THEN \(call.message("{} is not among the keys of lookup", texts: [shown])) \
                WHEN m.d > 1 THEN \(call.message("{} matches keys of lookup with different values (a database table has no first row)", texts: [shown])) END
                """
            return SQLValue(matching("CASE WHEN m.n = 0 OR m.d > 1 THEN NULL ELSE m.found END"), failure: matching(failure))
        },
        "interpolate": SQLForm { call in
            guard let x = call.argument(0)?.value else { return nil }
            let dialect = call.dialect
            if let known = call.knownNumberColumns, let points = knownPoints(xs: known[0], ys: known[1]) {
                return SQLValue(knownInterpolation(x, points, dialect))
            }
            let (xs, ys) = (call.collections[0], call.collections[1])
            let lists = """
                SELECT \(dialect.sortedList(xs, by: xs)) AS xs, \(dialect.sortedList(ys, by: xs)) AS ys, count(*) AS n, \
                sum(CASE WHEN \(xs) < \(x) THEN 1 ELSE 0 END) AS c, min(\(xs)) AS first, max(\(xs)) AS last FROM \(call.rows)
                """
            let at = { (list: String, index: String) in dialect.element("t.\(list)", index) }
            let (x0, y0, x1, y1) = (at("xs", "t.c"), at("ys", "t.c"), at("xs", "t.c + 1"), at("ys", "t.c + 1"))
            let value = """
                (SELECT CASE WHEN t.n = 0 THEN NULL WHEN \(x) <= t.first THEN \(at("ys", "1")) WHEN \(x) >= t.last THEN \(at("ys", "t.n")) \
                WHEN \(x1) = \(x) THEN \(y1) ELSE \(y0) + (\(x) - \(x0)) / (\(x1) - \(x0)) * (\(y1) - \(y0)) END FROM (\(lists)) t)
                """
            let invalid = call.over("count(*) = 0 OR count(DISTINCT \(xs)) < count(*)")
            // As the implementation says: the smallest x that appears twice.
            let twice = "(SELECT min(d.x) FROM (SELECT \(xs) AS x FROM \(call.rows) GROUP BY \(xs) HAVING count(*) > 1) d)"
            let failure = """
                (CASE WHEN \(x) IS NULL THEN NULL WHEN \(call.none()) THEN 'interpolate of no points' \
                WHEN \(invalid) THEN \(dialect.message("interpolate needs distinct xs, but {} appears twice", numbers: [twice])) END)
                """
            return SQLValue("(CASE WHEN \(invalid) THEN NULL ELSE \(value) END)", failure: failure)
        },
        "clamp": SQLForm { call in
            let (x, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            let clamped = """
                (CASE WHEN \(x) IS NULL OR \(low) IS NULL OR \(high) IS NULL OR \(low) > \(high) THEN NULL \
                WHEN \(x) < \(low) THEN \(low) WHEN \(x) > \(high) THEN \(high) ELSE \(x) END)
                """
            if let bounds = call.knownNumbers(1, 2), bounds[0] <= bounds[1] { return SQLValue(clamped) }
            return SQLValue(clamped, failure: call.failure(where: "\(x) IS NOT NULL AND \(low) > \(high)", "clamp needs lo ≤ hi, got {} and {}", numbers: [low, high]))
        },
        "score": SQLForm { call in
            let (fact, critical, norm) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return sqlRatio(call, "score", "(\(fact) - \(critical))", "(\(norm) - \(critical))")
        },
        "normalize": SQLForm { call in
            let (v, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return sqlRatio(call, "normalize", "(\(v) - \(low))", "(\(high) - \(low))")
        },
        "normalize_min": SQLForm { call in
            let (v, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return sqlRatio(call, "normalize_min", "(\(high) - \(v))", "(\(high) - \(low))")
        },
    ]

    /// A lookup's keys and values known as the SQL is written, as literals, each key with the value
    /// of its first row; nil unless there are some, each a text or a number.
    private static func knownPairs(_ call: SQLCall) -> [(key: String, value: String)]? {
        guard let rows = call.knownRows, !rows.isEmpty else { return nil }
        func literal(_ value: Value) -> String? {
            switch value {
            case .number(let number): number.isFinite ? call.dialect.number(number) : nil
            case .text(let text): call.dialect.text(text)
            case .boolean, .date, .period, .null, .list: nil
            }
        }
        var seen: Set<Value> = []
        var pairs: [(key: String, value: String)] = []
        for row in rows {
            guard row.count == 2, let key = literal(row[0]), let value = literal(row[1]) else { return nil }
            if seen.insert(row[0]).inserted { pairs.append((key, value)) }
        }
        return pairs
    }

    /// Points known as the SQL is written, sorted by x; nil where interpolate fails on them (no
    /// points, an x twice), left to the general form, which says why.
    private static func knownPoints(xs: [Double], ys: [Double]) -> [(x: Double, y: Double)]? {
        let points = zip(xs, ys).map { (x: $0, y: $1) }.sorted { $0.x < $1.x }
        guard !points.isEmpty, zip(points, points.dropFirst()).allSatisfy({ $0.x < $1.x }) else { return nil }
        return points
    }

    /// `interpolate` through known points, a branch per segment, computed as the implementation does.
    private static func knownInterpolation(_ x: String, _ points: [(x: Double, y: Double)], _ dialect: SQLDialect) -> String {
        let number = dialect.number
        guard let first = points.first, let last = points.last else { return "NULL" }
        var branches = ["WHEN \(x) <= \(number(first.x)) THEN \(number(first.y))", "WHEN \(x) >= \(number(last.x)) THEN \(number(last.y))"]
        for (left, right) in zip(points, points.dropFirst()) {
            let (x0, y0, x1, y1) = (number(left.x), number(left.y), number(right.x), number(right.y))
            if right.x != last.x { branches.append("WHEN \(x) = \(x1) THEN \(y1)") }
            branches.append("WHEN \(x) < \(x1) THEN \(y0) + (\(x) - \(x0)) / (\(x1) - \(x0)) * (\(y1) - \(y0))")
        }
        return "(CASE \(branches.joined(separator: " ")) END)"
    }

    /// `numerator` / `denominator`, the difference of the third and second arguments, failing where it is 0.
    private static func sqlRatio(_ call: SQLCall, _ name: String, _ numerator: String, _ denominator: String) -> SQLValue {
        if let bounds = call.knownNumbers(1, 2), bounds[0] != bounds[1] { return SQLValue("(\(numerator) / \(denominator))") }
        return SQLValue(
            "(\(numerator) / NULLIF(\(denominator), 0))",
            failure: call.failure(where: "\(numerator) IS NOT NULL AND \(denominator) = 0", "\(name): division by zero (the two bounds are equal)"))
    }
}
