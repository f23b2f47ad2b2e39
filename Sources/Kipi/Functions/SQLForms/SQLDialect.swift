/// The SQL engines Kipi writes for. Each differs in spelling, never in the semantics Kipi asks of it:
/// every construct is written so that the three compute the same values.
public enum SQLDialect: String, Sendable, CaseIterable {
    case duckdb
    case postgres
    case spark

    /// A quoted identifier: `"name"` (`` `name` `` for Spark), quotes inside doubled.
    public func identifier(_ name: String) -> String {
        switch self {
        case .duckdb, .postgres: "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .spark: "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    /// A table reference as the user wrote it (`sales`, `analytics.sales`): each dotted part quoted
    /// unless it is a plain lower-case name.
    public func tableReference(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { part in
            let plain = !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
                && !(part.first?.isNumber ?? true)
            return plain ? String(part) : identifier(String(part))
        }.joined(separator: ".")
    }

    /// A text literal.
    public func text(_ value: String) -> String {
        switch self {
        case .duckdb, .postgres: "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        case .spark:
            "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
    }

    /// A double-precision literal (never an integer or a decimal, whose arithmetic differs).
    public func number(_ value: Double) -> String {
        let written = formatLiteral(value)
        switch self {
        case .duckdb, .spark: return written.contains("e") ? "CAST(\(written) AS DOUBLE)" : "\(written)E0"
        case .postgres: return "CAST(\(written) AS DOUBLE PRECISION)"
        }
    }

    var doubleType: String { self == .postgres ? "DOUBLE PRECISION" : "DOUBLE" }
    var textType: String { self == .spark ? "STRING" : "VARCHAR" }
    var integerType: String { "BIGINT" }

    /// `a` equals `b`, nulls equal to each other.
    func same(_ a: String, _ b: String) -> String {
        self == .spark ? "(\(a) <=> \(b))" : "(\(a) IS NOT DISTINCT FROM \(b))"
    }

    /// A date or timestamp as seconds since 1970-01-01: whole seconds are exact in a double, so
    /// differences of date-times come out as Kipi computes them.
    func seconds(_ date: String) -> String {
        switch self {
        case .duckdb: "epoch(CAST(\(date) AS TIMESTAMP))"
        case .postgres: "CAST(extract(epoch FROM CAST(\(date) AS TIMESTAMP)) AS DOUBLE PRECISION)"
        case .spark: "(CAST(unix_micros(CAST(\(date) AS TIMESTAMP)) AS DOUBLE) / 1000000.0D)"
        }
    }

    /// The day number (since 1970-01-01) of a date in seconds.
    func days(ofSeconds seconds: String) -> String { "floor(\(seconds) / 86400)" }

    /// The date of a number of days since 1970-01-01 (the time of day dropped).
    func date(fromDays days: String) -> String {
        switch self {
        case .duckdb: "(DATE '1970-01-01' + CAST(floor(\(days)) AS INTEGER))"
        case .postgres: "(DATE '1970-01-01' + CAST(floor(\(days)) AS INTEGER))"
        case .spark: "date_add(DATE '1970-01-01', CAST(floor(\(days)) AS INT))"
        }
    }

    /// Days since 1970-01-01 of a date made from year, month and day numbers.
    func days(year: String, month: String, day: String) -> String {
        let made = "make_date(CAST(\(year) AS INTEGER), CAST(\(month) AS INTEGER), CAST(\(day) AS INTEGER))"
        switch self {
        case .duckdb, .postgres: return "CAST(\(made) - DATE '1970-01-01' AS \(doubleType))"
        case .spark: return "CAST(datediff(\(made), DATE '1970-01-01') AS DOUBLE)"
        }
    }

    /// A part (YEAR, MONTH, DAY, DOY) of the date of a number of days.
    func part(_ field: String, ofDays days: String) -> String {
        "CAST(extract(\(field) FROM \(date(fromDays: days))) AS \(doubleType))"
    }

    /// `value` as text, in the dialect's own spelling.
    func castText(_ value: String) -> String { "CAST(\(value) AS \(textType))" }

    /// Whether `text` matches a regular expression, from start to end.
    func matches(_ text: String, _ pattern: String) -> String {
        switch self {
        case .duckdb: "regexp_full_match(\(text), \(self.text(pattern)))"
        case .postgres: "(\(text) ~ \(self.text("^(" + pattern + ")$")))"
        case .spark: "(\(text) RLIKE \(self.text("^(" + pattern + ")$")))"
        }
    }

    /// Every match of `pattern` in `text` replaced.
    func replacingAll(_ text: String, _ pattern: String, with replacement: String) -> String {
        switch self {
        case .duckdb, .postgres: "regexp_replace(\(text), \(self.text(pattern)), \(self.text(replacement)), 'g')"
        case .spark: "regexp_replace(\(text), \(self.text(pattern)), \(self.text(replacement)))"
        }
    }

    /// The 1-based position of `part` in `text`, 0 when absent.
    func position(of part: String, in text: String) -> String {
        self == .spark ? "instr(\(text), \(part))" : "strpos(\(text), \(part))"
    }

    /// Text comparisons in code point order, as Kipi sorts text, whatever the database's collation.
    func ordered(_ text: String) -> String {
        self == .postgres ? "(\(text) COLLATE \"C\")" : text
    }

    /// An aggregate: the values of `value` in the order of `key`, as a list (an array).
    func sortedList(_ value: String, by key: String) -> String {
        switch self {
        case .duckdb: "list(\(value) ORDER BY \(key))"
        case .postgres: "array_agg(\(value) ORDER BY \(key))"
        case .spark: "transform(array_sort(collect_list(struct(\(key) AS k, \(value) AS v))), e -> e.v)"
        }
    }

    /// The element at a 1-based position of a list; NULL outside it.
    func element(_ list: String, _ position: String) -> String {
        switch self {
        case .duckdb: "\(list)[CAST(\(position) AS BIGINT)]"
        case .postgres: "(\(list))[CAST(\(position) AS INTEGER)]"
        // Spark refuses index 0 even in try_element_at, in a branch a CASE does not take.
        case .spark: "try_element_at(\(list), CAST(CASE WHEN \(position) >= 1 THEN \(position) ELSE 1000000000 END AS INT))"
        }
    }

    /// The single value of a correlated subquery that finds at most one row.
    func single(_ value: String) -> String {
        self == .spark ? "first(\(value))" : value
    }
}
