/// The SQL forms of Kipi's built-in functions, each computing exactly what the Swift
/// implementation does (Excel's order statistics, rounding and truncation included) and failing
/// where it fails. The standard library declares them on its definitions, as a host declares its own.
enum BuiltInSQL {
    /// The form of the built-in `name`: its aggregate or its cell-by-cell version.
    static func form(for definition: FunctionDefinition) -> SQLForm? {
        if definition.isWindow { return windows[definition.name] }
        return definition.isAggregate ? aggregates[definition.name] : cells[definition.name]
    }

    // MARK: Aggregates

    /// `(SELECT <select> FROM <rows>)`.
    private static func over(_ call: SQLCall, _ select: String, where condition: String? = nil) -> String {
        "(SELECT \(select) FROM \(call.rows)\(condition.map { " WHERE \($0)" } ?? ""))"
    }

    /// The first collection, text compared in code point order.
    private static func orderedValues(_ call: SQLCall) -> String {
        call.collectionTypes.first == .text ? call.dialect.ordered(call.collections[0]) : call.collections[0]
    }

    /// A text result of an aggregate over `orderedValues`, back in the database's own collation
    /// (`upper` of it must still know Cyrillic).
    private static func unordered(_ value: String, _ call: SQLCall) -> String {
        call.collectionTypes.first == .text && call.dialect == .postgres ? "(\(value) COLLATE \"default\")" : value
    }

    private static func count(_ call: SQLCall) -> String { "CAST(count(*) AS \(call.dialect.doubleType))" }

    private static func none(_ call: SQLCall, fewerThan minimum: Int = 1) -> String {
        over(call, fewerThan(minimum))
    }

    /// Holds, as an aggregate expression, when the rows are fewer than `minimum`.
    private static func fewerThan(_ minimum: Int) -> String { "count(*) < \(minimum)" }

    private static func number(_ call: SQLCall, _ value: Double) -> String { call.dialect.number(value) }

    /// Truncation toward zero, as Swift's `rounded(.towardZero)`.
    private static func truncated(_ value: String) -> String {
        "(CASE WHEN \(value) < 0 THEN ceil(\(value)) ELSE floor(\(value)) END)"
    }

    /// The value at the fractional 0-based position `position` (written over `n`, the number of
    /// values) of the sorted values, interpolated between its neighbours. The values are sorted
    /// into a list: window functions are not allowed everywhere an aggregate may stand.
    private static func interpolated(_ call: SQLCall, position: (String) -> String) -> String {
        let dialect = call.dialect
        let v = call.collections[0]
        let sorted = "SELECT \(dialect.sortedList(v, by: v)) AS xs, \(position(count(call))) AS p FROM \(call.rows)"
        let lo = dialect.element("t.xs", "floor(t.p) + 1")
        let hi = dialect.element("t.xs", "floor(t.p) + 2")
        return "(SELECT \(lo) + (t.p - floor(t.p)) * (COALESCE(\(hi), \(lo)) - \(lo)) FROM (\(sorted)) t)"
    }

    /// PERCENTILE.INC at a constant k in range, as aggregate expressions: the engine's own
    /// continuous quantile, which interpolates exactly so (at (n − 1)·k) and needs no sorted list.
    private static func quantile(_ call: SQLCall, at constant: Double?) -> SQLValue? {
        guard let constant, (0...1).contains(constant) else { return nil }
        let v = call.collections[0]
        let fraction = call.dialect.number(constant)
        let quantile: String
        switch call.dialect {
        case .duckdb: quantile = "quantile_cont(\(v), \(fraction))"
        case .postgres: quantile = "percentile_cont(\(fraction)) WITHIN GROUP (ORDER BY \(v))"
        case .spark: quantile = "percentile(\(v), \(fraction))"
        }
        return SQLValue(quantile, fails: fewerThan(1))
    }

    /// PERCENTILE.INC at any k: the sorted values interpolated at (n − 1)·k.
    private static func inclusivePercentile(_ call: SQLCall, k: String) -> SQLValue {
        let valid = "\(k) >= 0 AND \(k) <= 1"
        let value = interpolated(call) { n in "\(k) * (\(n) - 1)" }
        return SQLValue("(CASE WHEN \(valid) THEN \(value) END)", fails: "(\(k) IS NOT NULL AND (NOT (\(valid)) OR \(none(call))))")
    }

    /// The first value argument, when it is a number known as the SQL is written.
    private static func constantNumber(_ call: SQLCall) -> Double? {
        call.constants.first.flatMap { $0?.number }
    }

    private static func percentRank(_ call: SQLCall, inclusive: Bool) -> SQLValue? {
        guard let v = call.argument(0)?.value else { return nil }
        let x = call.collections[0]
        let significance = call.argument(1)?.value
        let digits = significance.map { "least(\(truncated($0)), 15)" } ?? number(call, 3)
        let n = count(call)
        let smaller = "sum(CASE WHEN \(x) < \(v) THEN 1E0 ELSE 0E0 END)"
        let below = "max(CASE WHEN \(x) < \(v) THEN \(x) END)"
        let above = "min(CASE WHEN \(x) > \(v) THEN \(x) END)"
        let fraction = "(\(v) - \(below)) / (\(above) - \(below))"
        let present = inclusive ? "\(smaller) / (\(n) - 1)" : "(\(smaller) + 1) / (\(n) + 1)"
        let between = inclusive ? "(\(smaller) - 1 + \(fraction)) / (\(n) - 1)" : "(\(smaller) + \(fraction)) / (\(n) + 1)"
        let outside = "count(*) = 0 OR \(v) < min(\(x)) OR \(v) > max(\(x))"
        let rank = over(call, """
            CASE WHEN \(outside) THEN NULL WHEN count(*) = 1 THEN \(number(call, inclusive ? 1 : 0.5)) \
            WHEN sum(CASE WHEN \(x) = \(v) THEN 1 ELSE 0 END) > 0 THEN \(present) ELSE \(between) END
            """)
        let shown = truncatedToDigits(rank, digits: digits)
        var fails = "(\(v) IS NOT NULL AND \(over(call, outside)))"
        if let significance { fails = "(\(fails) OR (\(significance) IS NOT NULL AND \(truncated(significance)) < 1))" }
        let valid = significance.map { "\(truncated($0)) >= 1" } ?? "TRUE"
        return SQLValue("(CASE WHEN \(valid) THEN \(shown) END)", fails: fails)
    }

    /// Truncation to `digits` decimals of the value's 15 significant digits, as Excel truncates:
    /// a rank of 0.05 computed as 0.04999999999999999 truncates to 0.05.
    private static func truncatedToDigits(_ value: String, digits: String) -> String {
        let halfDigit = "0.5E0 * power(10E0, floor(log10(abs(t.r))) - 14)"
        let scale = "power(10E0, \(digits))"
        return "(SELECT CASE WHEN t.r = 0 THEN t.r ELSE floor((t.r + \(halfDigit)) * \(scale)) / \(scale) END FROM (SELECT \(value) AS r) t)"
    }

    private static let aggregates: [String: SQLForm] = [
        "count": .aggregate { call in SQLValue(count(call)) },
        "sum": .aggregate { call in SQLValue("COALESCE(sum(\(call.collections[0])), 0E0)") },
        "avg": .aggregate { call in SQLValue("avg(\(call.collections[0]))", fails: fewerThan(1)) },
        "min": .aggregate { call in SQLValue(unordered("min(\(orderedValues(call)))", call), fails: fewerThan(1)) },
        "max": .aggregate { call in SQLValue(unordered("max(\(orderedValues(call)))", call), fails: fewerThan(1)) },
        "count_distinct": .aggregate { call in SQLValue("CAST(count(DISTINCT \(call.collections[0])) AS \(call.dialect.doubleType))") },
        "percent": .aggregate { call in SQLValue("avg(CASE WHEN \(call.collections[0]) THEN 1E0 ELSE 0E0 END)", fails: fewerThan(1)) },
        "median": .aggregate { call in quantile(call, at: 0.5) },
        "percentile": .aggregate({ call in quantile(call, at: constantNumber(call)) }, otherwise: { call in
            call.argument(0).map { inclusivePercentile(call, k: $0.value) }
        }),
        "quartile": .aggregate({ call in quantile(call, at: constantNumber(call).map { $0.rounded(.towardZero) / 4 }) }, otherwise: { call in
            call.argument(0).map { q in
                var value = inclusivePercentile(call, k: "(\(truncated(q.value)) / 4E0)")
                value.fails = "(\(q.value) IS NOT NULL AND (NOT (\(truncated(q.value)) BETWEEN 0 AND 4) OR \(none(call))))"
                return value
            }
        }),
        "percentile_exc": SQLForm { call in
            guard let k = call.argument(0)?.value else { return nil }
            let n = over(call, count(call))
            let valid = "(\(k) > 0 AND \(k) < 1 AND \(k) * (\(n) + 1) >= 1 AND \(k) * (\(n) + 1) <= \(n))"
            let value = interpolated(call) { n in "\(k) * (\(n) + 1) - 1" }
            return SQLValue("(CASE WHEN \(valid) THEN \(value) END)", fails: "(\(k) IS NOT NULL AND NOT \(valid))")
        },
        "percentrank": SQLForm { call in percentRank(call, inclusive: true) },
        "percentrank_exc": SQLForm { call in percentRank(call, inclusive: false) },
        "var": .aggregate { call in SQLValue("var_samp(\(call.collections[0]))", fails: fewerThan(2)) },
        "varp": .aggregate { call in SQLValue("var_pop(\(call.collections[0]))", fails: fewerThan(1)) },
        "stdev": .aggregate { call in SQLValue("stddev_samp(\(call.collections[0]))", fails: fewerThan(2)) },
        "stdevp": .aggregate { call in SQLValue("stddev_pop(\(call.collections[0]))", fails: fewerThan(1)) },
        "weighted_avg": .aggregate { call in
            let (v, w) = (call.collections[0], call.collections[1])
            return SQLValue("sum(\(v) * \(w)) / NULLIF(sum(\(w)), 0)", fails: "COALESCE(sum(\(w)), 0) = 0")
        },
        "lookup": SQLForm { call in
            // A table has no first row: where several rows match with different values, the
            // lookup fails rather than pick one.
            guard let v = call.argument(0)?.value else { return nil }
            let (keys, values) = (call.collections[0], call.collections[1])
            let found =
                call.dialect == .spark
                ? over(call, "first(\(values))", where: "\(keys) = \(v)") : "(SELECT \(values) FROM \(call.rows) WHERE \(keys) = \(v) LIMIT 1)"
            let ambiguous = over(call, "count(*) = 0 OR count(DISTINCT \(values)) > 1", where: "\(keys) = \(v)")
            return SQLValue("(CASE WHEN \(ambiguous) THEN NULL ELSE \(found) END)", fails: "(\(v) IS NOT NULL AND \(ambiguous))")
        },
        "interpolate": SQLForm { call in
            guard let x = call.argument(0)?.value else { return nil }
            let dialect = call.dialect
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
            let invalid = over(call, "count(*) = 0 OR count(DISTINCT \(xs)) < count(*)")
            return SQLValue("(CASE WHEN \(invalid) THEN NULL ELSE \(value) END)", fails: "(\(x) IS NOT NULL AND \(invalid))")
        },
    ]

    // MARK: Cell by cell

    private static func ratio(_ numerator: String, _ denominator: String) -> SQLValue {
        SQLValue("(\(numerator) / NULLIF(\(denominator), 0))", fails: "(\(numerator) IS NOT NULL AND \(denominator) = 0)")
    }

    /// The smallest (or largest) argument, nulls ignored.
    private static func extreme(_ values: [String], less: Bool) -> String {
        values.dropFirst().reduce(values.first ?? "NULL") { kept, next in
            "(CASE WHEN \(kept) IS NULL THEN \(next) WHEN \(next) IS NULL THEN \(kept) WHEN \(next) \(less ? "<" : ">") \(kept) THEN \(next) ELSE \(kept) END)"
        }
    }

    private static func period(_ call: SQLCall, _ grain: PeriodGrain) -> SQLValue? {
        guard let argument = call.argument(0) else { return nil }
        let x = argument.value
        switch call.argumentTypes[0] {
        case .date: return SQLValue(call.dialect.periodIndex(ofDays: call.dialect.days(ofSeconds: x), grain: grain))
        case .text: return SQLValue(call.dialect.periodIndex(fromText: x, type: .text, grain: grain))
        case .number where grain == .year: return SQLValue(x)
        case .period(let finer):
            switch (finer, grain) {
            case (let same, let target) where same == target: return SQLValue(x)
            case (.month, .quarter): return SQLValue("floor(\(x) / 3)")
            case (.month, .year): return SQLValue("floor(\(x) / 12)")
            case (.quarter, .year): return SQLValue("floor(\(x) / 4)")
            case (.week, .year): return SQLValue(call.dialect.part("YEAR", ofDays: "(\(x) * 7)"))
            default: return nil
            }
        default: return nil
        }
    }

    /// The first day of a period, in days (or the day of a date).
    private static func start(_ x: String, type: KipiType, _ dialect: SQLDialect) -> String? {
        switch type {
        case .date: return dialect.days(ofSeconds: x)
        case .period(.week): return "(\(x) * 7 - 3)"
        case .period(.month): return dialect.days(year: "floor(\(x) / 12)", month: "\(x) - 12 * floor(\(x) / 12) + 1", day: "1")
        case .period(.quarter): return dialect.days(year: "floor(\(x) / 4)", month: "(\(x) - 4 * floor(\(x) / 4)) * 3 + 1", day: "1")
        case .period(.year): return dialect.days(year: x, month: "1", day: "1")
        default: return nil
        }
    }

    /// The seconds into its day of a date in seconds.
    private static func secondOfDay(_ x: String) -> String { "(\(x) - 86400 * floor(\(x) / 86400))" }

    private static let cells: [String: SQLForm] = [
        "abs": SQLForm { call in SQLValue("abs(\(call.arguments[0].value))") },
        "floor": SQLForm { call in SQLValue("floor(\(call.arguments[0].value))") },
        "ceil": SQLForm { call in SQLValue("ceil(\(call.arguments[0].value))") },
        "sqrt": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) >= 0 THEN sqrt(\(x)) END)", fails: "(\(x) < 0)")
        },
        "ln": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) > 0 THEN ln(\(x)) END)", fails: "(\(x) <= 0)")
        },
        "exp": SQLForm { call in
            let x = call.arguments[0].value
            return SQLValue("(CASE WHEN \(x) < 709.78E0 THEN exp(\(x)) END)", fails: "(\(x) >= 709.78E0)")
        },
        "round": SQLForm { call in
            let x = call.arguments[0].value
            let digits = call.argument(1).map { truncated($0.value) } ?? "0E0"
            let exponent = "floor(log10(abs(\(x))))"
            let scale = "power(10E0, \(digits))"
            return SQLValue("""
                (CASE WHEN \(x) IS NULL OR \(digits) IS NULL THEN NULL WHEN \(x) = 0 OR \(exponent) + \(digits) + 1 >= 15 THEN \(x) \
                ELSE sign(\(x)) * floor(abs(\(x)) * \(scale) + 0.5E0 + 0.5E0 * power(10E0, \(exponent) - 14 + \(digits))) / \(scale) END)
                """)
        },
        "min": SQLForm { call in SQLValue(extreme(call.arguments.map(\.value), less: true)) },
        "max": SQLForm { call in SQLValue(extreme(call.arguments.map(\.value), less: false)) },
        "clamp": SQLForm { call in
            let (x, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return SQLValue(
                "(CASE WHEN \(x) IS NULL OR \(low) IS NULL OR \(high) IS NULL OR \(low) > \(high) THEN NULL WHEN \(x) < \(low) THEN \(low) WHEN \(x) > \(high) THEN \(high) ELSE \(x) END)",
                fails: "(\(x) IS NOT NULL AND \(low) > \(high))")
        },
        "if": SQLForm(decidesFailures: true) { call in
            let (condition, then, otherwise) = (call.arguments[0], call.arguments[1], call.arguments[2])
            let fails = SQLValue.anyOf([condition.fails, then.fails, otherwise.fails]).map { _ in
                "(CASE WHEN \(condition.fails ?? "FALSE") THEN TRUE WHEN \(condition.value) THEN \(then.fails ?? "FALSE") ELSE \(otherwise.fails ?? "FALSE") END)"
            }
            return SQLValue("(CASE WHEN \(condition.value) THEN \(then.value) ELSE \(otherwise.value) END)", fails: fails)
        },
        "iferror": SQLForm(decidesFailures: true) { call in
            let (x, fallback) = (call.arguments[0], call.arguments[1])
            guard let failed = x.fails else { return x }
            return SQLValue(
                "(CASE WHEN \(failed) THEN \(fallback.value) ELSE \(x.value) END)",
                fails: fallback.fails.map { "(CASE WHEN \(failed) THEN \($0) ELSE FALSE END)" })
        },
        // The first argument that is not null decides, a failed one included; later ones are not read.
        "coalesce": SQLForm(decidesFailures: true) { call in
            let value = "COALESCE(\(call.arguments.map(\.value).joined(separator: ", ")))"
            guard call.arguments.contains(where: { $0.fails != nil }) else { return SQLValue(value) }
            let steps = call.arguments.map { argument in
                (argument.fails.map { "WHEN \($0) THEN TRUE " } ?? "") + "WHEN \(argument.value) IS NOT NULL THEN FALSE"
            }
            return SQLValue(value, fails: "(CASE \(steps.joined(separator: " ")) ELSE FALSE END)")
        },
        "score": SQLForm { call in
            let (fact, critical, norm) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return ratio("(\(fact) - \(critical))", "(\(norm) - \(critical))")
        },
        "normalize": SQLForm { call in
            let (v, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return ratio("(\(v) - \(low))", "(\(high) - \(low))")
        },
        "normalize_min": SQLForm { call in
            let (v, low, high) = (call.arguments[0].value, call.arguments[1].value, call.arguments[2].value)
            return ratio("(\(high) - \(v))", "(\(high) - \(low))")
        },
        "date": SQLForm { call in
            let text = call.arguments[0].value
            let dialect = call.dialect
            let iso = "(CASE WHEN substr(\(text), 3, 1) = '.' THEN concat(substr(\(text), 7, 4), '-', substr(\(text), 4, 2), '-', substr(\(text), 1, 2)) ELSE \(text) END)"
            let valid = dialect.matches(iso, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
            let day = "CAST(substr(\(iso), 9, 2) AS INTEGER)"
            let month = "CAST(substr(\(iso), 6, 2) AS INTEGER)"
            let inRange = "\(valid) AND \(month) BETWEEN 1 AND 12 AND \(day) BETWEEN 1 AND 31"
            return SQLValue(
                "(CASE WHEN \(inRange) THEN \(dialect.days(year: "substr(\(iso), 1, 4)", month: month, day: day)) * 86400 END)",
                fails: "(\(text) IS NOT NULL AND NOT (\(inRange)))")
        },
        "year": SQLForm { call in period(call, .year) },
        "quarter": SQLForm { call in period(call, .quarter) },
        "month": SQLForm { call in period(call, .month) },
        "week": SQLForm { call in period(call, .week) },
        "start": SQLForm { call in start(call.arguments[0].value, type: call.argumentTypes[0], call.dialect).map { SQLValue("(\($0) * 86400)") } },
        "end": SQLForm { call in
            let x = call.arguments[0].value
            if call.argumentTypes[0] == .date { return SQLValue("(\(call.dialect.days(ofSeconds: x)) * 86400)") }
            return start("(\(x) + 1)", type: call.argumentTypes[0], call.dialect).map { SQLValue("((\($0) - 1) * 86400)") }
        },
        "hour": SQLForm { call in SQLValue("floor(\(secondOfDay(call.arguments[0].value)) / 3600)") },
        "minute": SQLForm { call in
            let seconds = secondOfDay(call.arguments[0].value)
            return SQLValue("floor((\(seconds) - 3600 * floor(\(seconds) / 3600)) / 60)")
        },
        "day": SQLForm { call in SQLValue(call.dialect.part("DAY", ofDays: call.dialect.days(ofSeconds: call.arguments[0].value))) },
        "lower": SQLForm { call in SQLValue("lower(\(call.arguments[0].value))") },
        "upper": SQLForm { call in SQLValue("upper(\(call.arguments[0].value))") },
        "len": SQLForm { call in SQLValue("CAST(length(\(call.arguments[0].value)) AS \(call.dialect.doubleType))") },
        "contains": SQLForm { call in
            SQLValue("(\(call.dialect.position(of: call.arguments[1].value, in: call.arguments[0].value)) > 0 OR \(call.arguments[1].value) = '')")
        },
        "trim": SQLForm { call in
            let dialect = call.dialect
            let spaced = dialect.replacingAll(call.arguments[0].value, "[ \u{00A0}\t]+", with: " ")
            return SQLValue("trim(\(spaced))")
        },
        "number": SQLForm { call in
            let dialect = call.dialect
            let text = call.arguments[0].value
            var cleaned = dialect.replacingAll(text, "[\\s\u{00A0}\u{202F}]", with: "")
            cleaned = dialect.replacingAll(cleaned, "^[$€£¥₽]|[$€£¥₽]$|^руб\\.?|руб\\.?$|^р\\.|р\\.$", with: "")
            let percent = "(substr(\(cleaned), length(\(cleaned)), 1) = '%')"
            let bare = "(CASE WHEN \(percent) THEN substr(\(cleaned), 1, length(\(cleaned)) - 1) ELSE \(cleaned) END)"
            let commas = "(length(\(bare)) - length(replace(\(bare), ',', '')))"
            let decimal = "(CASE WHEN \(dialect.position(of: "'.'", in: bare)) = 0 AND \(commas) = 1 THEN replace(\(bare), ',', '.') ELSE replace(\(bare), ',', '') END)"
            let valid = dialect.matches(decimal, "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")
            let value = "CAST(\(decimal) AS \(dialect.doubleType)) * (CASE WHEN \(percent) THEN 0.01E0 ELSE 1E0 END)"
            return SQLValue("(CASE WHEN \(valid) THEN \(value) END)", fails: "(\(text) IS NOT NULL AND NOT \(valid))")
        },
        "text": SQLForm { call in
            SQLValue("CASE WHEN \(call.arguments[0].value) IS NULL THEN NULL ELSE \(call.dialect.written(call.arguments[0].value, type: call.argumentTypes[0])) END")
        },
    ]

    // MARK: Windows

    /// A whole number of periods from 0 (or `minimum`) to 100,000: the window's `n`.
    private static func periods(_ call: SQLCall, minimum: Int, default fallback: Int?) -> (value: String, fails: String?)? {
        guard let given = call.argument(0)?.value else { return fallback.map { (call.dialect.number(Double($0)), nil) } }
        let valid = "(\(given) = floor(\(given)) AND \(given) >= \(minimum) AND \(given) <= 100000)"
        let value = fallback.map { "COALESCE(\(given), \(call.dialect.number(Double($0))))" } ?? given
        return (value, "(\(given) IS NOT NULL AND NOT \(valid))")
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
            fails: "COALESCE((SELECT \(dialect.single(window.failed)) FROM \(window.groups) WHERE \(condition)), FALSE)")
    }

    private static func along(_ call: SQLCall, _ compute: (SQLWindow, _ n: String) -> SQLValue?, minimum: Int = 0, default fallback: Int? = 1)
        -> SQLValue?
    {
        guard let window = call.window, let n = periods(call, minimum: minimum, default: fallback) else { return nil }
        guard var value = compute(window, n.value) else { return nil }
        guard let invalid = n.fails else { return value }
        value.fails = SQLValue.anyOf([invalid, value.fails])
        value.value = "(CASE WHEN \(invalid) THEN NULL ELSE \(value.value) END)"
        return value
    }

    private static func cumulative(_ call: SQLCall, per coarser: PeriodGrain?) -> SQLValue? {
        guard let window = call.window else { return nil }
        var condition = both(window.sameSeries, "\(window.position) <= \(window.currentPosition)")
        if let coarser { condition += " AND \(window.bucket(window.position, coarser)) = \(window.bucket(window.currentPosition, coarser))" }
        return SQLValue(
            "(SELECT sum(\(window.value)) FROM \(window.groups) WHERE \(condition))",
            fails: "EXISTS (SELECT 1 FROM \(window.groups) WHERE \(condition) AND \(window.failed))")
    }

    private static func rolling(_ call: SQLCall, average: Bool) -> SQLValue? {
        along(call, { window, n in
            let condition = both(window.sameSeries, "\(window.position) <= \(window.currentPosition) AND \(window.position) > \(window.currentPosition) - \(n)")
            let total = average ? "avg(\(window.value))" : "COALESCE(sum(\(window.value)), 0E0)"
            return SQLValue(
                "(SELECT \(total) FROM \(window.groups) WHERE \(condition))",
                fails: "EXISTS (SELECT 1 FROM \(window.groups) WHERE \(condition) AND \(window.failed))")
        }, minimum: 1, default: nil)
    }

    private static func acrossGroups(_ call: SQLCall, _ compute: (SQLWindow) -> SQLValue) -> SQLValue? {
        guard let window = call.window else { return nil }
        var value = compute(window)
        let failed = "EXISTS (SELECT 1 FROM \(window.groups) WHERE \(both(window.samePeriod, window.failed)))"
        value.fails = SQLValue.anyOf([failed, value.fails])
        value.value = "(CASE WHEN \(window.current.value) IS NULL THEN NULL ELSE \(value.value) END)"
        return value
    }

    private static let windows: [String: SQLForm] = [
        "previous": SQLForm { call in along(call) { window, n in read(window, call.dialect, at: "\(window.currentPosition) - \(n)") } },
        "change": SQLForm { call in
            along(call) { window, n in
                let earlier = read(window, call.dialect, at: "\(window.currentPosition) - \(n)")
                return SQLValue("(\(window.current.value) - \(earlier.value))", fails: SQLValue.anyOf([window.current.fails, earlier.fails]))
            }
        },
        "growth": SQLForm { call in
            along(call) { window, n in
                let earlier = read(window, call.dialect, at: "\(window.currentPosition) - \(n)")
                let zero = "(\(window.current.value) IS NOT NULL AND \(earlier.value) = 0)"
                return SQLValue(
                    "(\(window.current.value) / NULLIF(\(earlier.value), 0) - 1)",
                    fails: SQLValue.anyOf([window.current.fails, earlier.fails, "COALESCE(\(zero), FALSE)"]))
            }
        },
        "last_year": SQLForm { call in
            guard let window = call.window else { return nil }
            return read(window, call.dialect, at: window.lastYear(window.currentPosition))
        },
        "running_sum": SQLForm { call in cumulative(call, per: nil) },
        "ytd": SQLForm { call in cumulative(call, per: .year) },
        "qtd": SQLForm { call in cumulative(call, per: .quarter) },
        "rolling_sum": SQLForm { call in rolling(call, average: false) },
        "rolling_avg": SQLForm { call in rolling(call, average: true) },
        "share": SQLForm { call in
            acrossGroups(call) { window in
                let total = "(SELECT sum(\(window.value)) FROM \(window.groups) WHERE \(window.samePeriod))"
                return SQLValue("(\(window.current.value) / NULLIF(\(total), 0))", fails: "COALESCE(\(total) = 0 AND \(window.current.value) IS NOT NULL, FALSE)")
            }
        },
        "rank": SQLForm { call in
            acrossGroups(call) { window in
                SQLValue("(1E0 + (SELECT count(*) FROM \(window.groups) WHERE \(both(window.samePeriod, "\(window.value) > \(window.current.value)"))))")
            }
        },
    ]
}
