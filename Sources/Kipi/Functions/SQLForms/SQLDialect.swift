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
        case .duckdb: "epoch(\(timestamp(date)))"
        case .postgres: "date_part('epoch', \(timestamp(date)))"
        case .spark: "(CAST(unix_micros(\(timestamp(date))) AS DOUBLE) / 1000000.0D)"
        }
    }

    /// A date or timestamp column as a timestamp without a time zone, whose parts and seconds
    /// are the ones Kipi reads.
    func timestamp(_ date: String) -> String { "CAST(\(date) AS TIMESTAMP)" }

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
        part(field, of: date(fromDays: days))
    }

    /// A part (YEAR, QUARTER, MONTH, DAY, DOY) of a date or timestamp, as a double: PostgreSQL's
    /// `extract` gives a numeric, far slower to compute with than its `date_part`.
    func part(_ field: String, of date: String) -> String {
        self == .postgres ? "date_part('\(field.lowercased())', \(date))" : "CAST(extract(\(field) FROM \(date)) AS \(doubleType))"
    }

    /// `value` as text, in the dialect's own spelling.
    func castText(_ value: String) -> String { "CAST(\(value) AS \(textType))" }

    /// `prefix` and `text`, NULL where `text` is.
    func prefixed(_ prefix: String, _ text: String) -> String {
        self == .spark ? "concat(\(self.text(prefix)), \(text))" : "(\(self.text(prefix)) || \(text))"
    }

    /// An expression of SQL type `type` that stops the query with `message` (text) where it is
    /// evaluated: DuckDB's `error`, Spark's `raise_error`. PostgreSQL has no such function: a cast
    /// of the message to a number fails, and says the message.
    func raised(_ message: String, as type: String) -> String {
        switch self {
        case .duckdb: "error(\(message))"
        case .postgres: "CAST(CAST(\(message) AS INTEGER) AS \(type))"
        case .spark: "raise_error(\(message))"
        }
    }

    /// Text joined in SQL (`concat`, which every dialect has; `||` is text only in some).
    func concatenated(_ parts: [String]) -> String {
        parts.count == 1 ? parts[0] : "concat(" + parts.joined(separator: ", ") + ")"
    }

    /// An error's message as SQL text: `message` with each `{}` replaced by one of `numbers`, a
    /// number computed in SQL, or of `texts`, text computed in SQL (one or the other). A number
    /// known as the SQL is written is put in the text as Kipi writes it; one computed is marked
    /// (`{#2.0#}`) for the reader to write as Kipi does.
    public func message(_ message: String, numbers: [String] = [], texts: [String] = []) -> String {
        var parts: [String] = []
        var pieces = message.components(separatedBy: "{}")[...]
        var written = pieces.removeFirst()
        for (text, piece) in zip(texts, pieces) {
            parts.append(self.text(written))
            parts.append(text)
            written = piece
        }
        for (number, piece) in zip(numbers, pieces) {
            if let known = literalNumber(number) {
                written += formatLiteral(known)
            } else {
                parts.append(text(written + SQLMessageNumber.opening))
                parts.append(castText(number))
                written = SQLMessageNumber.closing
            }
            written += piece
        }
        parts.append(text(written))
        return concatenated(parts)
    }

    /// `message` (`message(_:numbers:texts:)`) where `condition` holds, NULL elsewhere and where it is NULL.
    public func failure(where condition: String, _ message: String, numbers: [String] = [], texts: [String] = []) -> String {
        "(CASE WHEN \(condition) THEN \(self.message(message, numbers: numbers, texts: texts)) END)"
    }

    /// A value of `type` as text, as a formula would write it (`Value.description`): text in
    /// double quotes, a number as Kipi writes numbers (marked), `date("2024-03-01")`, `month("2024-03")`.
    func described(_ value: String, type: KipiType) -> String {
        switch type {
        case .text: return concatenated(["'\"'", value, "'\"'"])
        case .boolean: return "(CASE WHEN \(value) THEN 'true' ELSE 'false' END)"
        case .date: return concatenated(["'date(\"'", dateText(value), "'\")'"])
        case .period(.year): return concatenated(["'year('", periodText(value, grain: .year), "')'"])
        case .period(let grain): return concatenated(["'\(grain)(\"'", periodText(value, grain: grain), "'\")'"])
        case .number, .null, .unknown, .list: return concatenated([text(SQLMessageNumber.opening), castText(value), text(SQLMessageNumber.closing)])
        }
    }

    /// The number a literal written by `number(_:)` stands for; nil for any other expression.
    func literalNumber(_ expression: String) -> Double? {
        var text = Substring(expression)
        for suffix in [" AS DOUBLE PRECISION)", " AS DOUBLE)"] where text.hasPrefix("CAST(") && text.hasSuffix(suffix) {
            text = text.dropFirst(5).dropLast(suffix.count)
        }
        if text.hasSuffix("E0") { text = text.dropLast(2) }
        return Double(text)
    }

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

    /// `text`, which reads `columns` (each `expression AS name`) as `alias.name`, with each
    /// expression computed once: in a derived table of one row, or on Spark, which takes no outer
    /// reference in a derived table there, in a lambda (a lambda holds no subquery: with one,
    /// the derived table still).
    func bound(_ columns: [String], as alias: String, in text: String) -> String {
        let listed = columns.joined(separator: ", ")
        if self == .spark, !listed.contains("SELECT"), !text.contains("SELECT") {
            return "transform(array(struct(\(listed))), \(alias) -> \(text))[0]"
        }
        return "(SELECT \(text) FROM (SELECT \(listed)) \(alias))"
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

    /// An aggregate: `value` of the row that sorts first by `keys` (each ascending, nulls last).
    func earliest(_ value: String, by keys: [String]) -> String {
        switch self {
        case .duckdb: "first(\(value) ORDER BY \(keys.map { "\($0) NULLS LAST" }.joined(separator: ", ")))"
        case .postgres: "(array_agg(\(value) ORDER BY \(keys.map { "\($0) NULLS LAST" }.joined(separator: ", "))))[1]"
        // A struct sorts by its fields in turn, a null field first: each key follows whether it is null.
        case .spark: "min_by(\(value), struct(\(keys.flatMap { ["\($0) IS NULL", $0] }.joined(separator: ", "))))"
        }
    }

    /// An aggregate: one of the values, whichever the engine meets first.
    func anyValue(_ value: String) -> String {
        self == .postgres ? "(array_agg(\(value)))[1]" : "first(\(value))"
    }

    /// The single value of a correlated subquery that finds at most one row.
    func single(_ value: String) -> String {
        self == .spark ? "first(\(value))" : value
    }
}

/// How a number computed in SQL is marked in an error's message, for the reader to write it as
/// Kipi writes numbers (the engines write doubles each their own way).
enum SQLMessageNumber {
    static let opening = "{#"
    static let closing = "#}"

    /// `message` with every marked number written as Kipi writes it.
    static func written(_ message: String) -> String {
        var result = ""
        var rest = Substring(message)
        while let start = rest.range(of: opening), let end = rest[start.upperBound...].range(of: closing) {
            result += rest[..<start.lowerBound]
            let number = rest[start.upperBound..<end.lowerBound]
            result += Double(number).map(formatLiteral) ?? String(number)
            rest = rest[end.upperBound...]
        }
        return result + rest
    }
}
