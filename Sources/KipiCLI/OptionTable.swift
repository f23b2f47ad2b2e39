import Kipi

/// One option of the command line, declared once: its names, its value, the commands that take
/// it, its line of help, and what it sets. Parsing, the check that a command takes an option,
/// each command's `--help` and the usage errors all come from `Options.table`.
struct OptionSpec: Sendable {
    typealias Command = Options.Command

    var names: [String]
    /// What the value is called in help (`[NAME=]DATA`); nil for a flag.
    var value: String?
    var help: String
    var commands: Set<Command>
    var apply: @Sendable (inout Options, _ name: String, _ value: String) throws(Options.UsageError) -> Void

    /// The option as help lists it: `-d, --data [NAME=]DATA`.
    var synopsis: String { names.joined(separator: ", ") + (value.map { " " + $0 } ?? "") }
}

extension Options {
    /// The commands that read data files, and those that compile against them.
    private static let readingData: Set<Command> = [.eval, .check, .explain, .sql, .report, .repl]
    private static let compiling: Set<Command> = [.eval, .check, .explain, .sql, .report]

    /// Every option, in the order help lists them.
    static let table: [OptionSpec] = [
        OptionSpec(names: ["-e", "--expression"], value: "'EXPR'", help: "evaluate one expression instead of a file", commands: [.eval]) {
            options, _, value in options.expression = value
        },
        OptionSpec(
            names: ["-d", "--data"], value: "[NAME=]DATA",
            help: "a CSV, JSON or .xlsx file, or - for standard input; NAME= gives another table, read as NAME.column (repeatable)",
            commands: readingData
        ) { options, _, value throws(UsageError) in
            let (table, path) = Kipi.tableAndPath(value)
            if options.data.contains(where: { $0.table == table }) {
                throw UsageError(message: table.isEmpty ? "--data is given twice for the default table" : "--data is given twice for table '\(table)'")
            }
            options.data.append((table, path))
        },
        OptionSpec(
            names: ["--table"], value: "[NAME=]TABLE",
            help: "the SQL table of the default table (or of table NAME; `data` is the default one), or a .parquet, .csv or .json file the engine reads, for sql and --engine",
            commands: [.eval, .sql]
        ) { options, _, value throws(UsageError) in
            var (table, name) = Kipi.tableAndPath(value)
            guard !name.isEmpty else { throw UsageError(message: "--table takes [NAME=]TABLE") }
            // `data` names the default table, as `kipi sql` calls it in the SQL.
            if table == "data" { table = "" }
            if options.sqlTables[table] != nil {
                throw UsageError(message: table.isEmpty ? "--table is given twice for the default table" : "--table is given twice for table '\(table)'")
            }
            options.sqlTables[table] = name
        },
        OptionSpec(
            names: ["--connect"], value: "DB", help: "DuckDB's database file, PostgreSQL's connection string or URL, or spark-sql's options",
            commands: [.eval, .sql]
        ) { options, _, value in options.connection = value },
        OptionSpec(
            names: ["--dialect"], value: "duckdb|postgres|spark", help: "the SQL to write", commands: [.sql]
        ) { options, name, value throws(UsageError) in options.dialect = try dialect(name, value) },
        OptionSpec(
            names: ["--engine"], value: "duckdb|postgres|spark", help: "run the KPIs' SQL through duckdb, psql or spark-sql", commands: [.eval]
        ) { options, name, value throws(UsageError) in options.engine = try dialect(name, value) },
        OptionSpec(names: ["--where"], value: "PRED", help: "keeps only the rows where PRED holds, in the table it reads", commands: compiling) {
            options, _, value in options.filters.append(value)
        },
        OptionSpec(names: ["-p", "--param"], value: "name=value", help: "overrides a 'param' of the file", commands: [.eval, .explain, .sql, .report]) {
            options, _, value throws(UsageError) in
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw UsageError(message: "--param takes name=value, got '\(value)'")
            }
            options.parameters.append((String(value[..<equals]), String(value[value.index(after: equals)...])))
        },
        OptionSpec(
            names: ["-f", "--format"], value: "FORMAT", help: "table (default), json, csv, html or xlsx (with -o); for explain, text or json",
            commands: [.eval, .explain]
        ) { options, _, value throws(UsageError) in
            guard let format = OutputFormat(rawValue: value == "text" ? "table" : value) else {
                throw UsageError(message: "unknown format '\(value)'; use table, json, csv, html or xlsx")
            }
            options.format = format
        },
        OptionSpec(names: ["--check"], value: nil, help: "change no file: exit with status 1 when one would change", commands: [.fmt]) {
            options, _, _ in options.checkOnly = true
        },
        OptionSpec(names: ["-o", "--output"], value: "FILE", help: "write the results to FILE instead of standard output", commands: [.eval, .report]) {
            options, _, value in options.output = value
        },
        OptionSpec(names: ["--only"], value: "a,b", help: "report only these KPIs", commands: [.eval, .sql, .report]) { options, _, value in
            options.only = value.split(separator: ",").map { String($0).trimmingWhitespace() }
        },
        OptionSpec(
            names: ["--fail-on"], value: "critical|below",
            help: "exit with status 3 when a KPI or group row has this status or a worse one (below includes critical)", commands: [.eval, .report]
        ) { options, _, value throws(UsageError) in
            guard let status = KPIStatus(rawValue: value), status <= .below else {
                throw UsageError(message: "--fail-on takes critical or below, got '\(value)'")
            }
            options.failOn = status
        },
        OptionSpec(names: ["-g", "--group"], value: "key=value,…", help: "the group row to explain (the first by default)", commands: [.explain]) {
            options, _, value throws(UsageError) in
            for pair in value.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                guard parts.count == 2, !parts[0].isEmpty else { throw UsageError(message: "--group takes key=value,…, got '\(pair)'") }
                options.group[parts[0]] = parts[1]
            }
        },
        OptionSpec(
            names: ["--locale"], value: "en|ru|de|zh",
            help: "number separators in tables and reports (ru: 1 234,56) and CSV (ru, de: ';' and decimal commas; any: a byte order mark)",
            commands: [.eval, .report]
        ) { options, _, value throws(UsageError) in
            guard let locale = NumberLocale(rawValue: value.lowercased()) else { throw UsageError(message: "unknown locale '\(value)'; use en, ru, de or zh") }
            options.locale = locale
            options.localeGiven = true
        },
        OptionSpec(names: ["--delimiter"], value: ", | ; | tab", help: "the CSV separator (detected by default)", commands: readingData) {
            options, _, value throws(UsageError) in
            guard let delimiter = DataOptions.delimiter(named: value) else { throw UsageError(message: "--delimiter must be ',', ';' or 'tab', got '\(value)'") }
            options.delimiter = delimiter
        },
        OptionSpec(names: ["--decimal-comma"], value: nil, help: "numbers are written 1 234,56 (tried first with ';' or tab)", commands: readingData) {
            options, _, _ in options.decimalComma = true
        },
        OptionSpec(names: ["--decimal-point"], value: nil, help: "numbers are written 1234.56", commands: readingData) { options, _, _ in
            options.decimalComma = false
        },
        OptionSpec(
            names: ["-t", "--type"], value: "column=TYPE",
            help: "read a column as number, text, boolean or date (table.column for one table; date reads Excel serial numbers too)",
            commands: readingData
        ) { options, _, value throws(UsageError) in
            let parts = value.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2, !parts[0].isEmpty, let type = DataOptions.columnType(named: parts[1]) else {
                throw UsageError(message: "--type takes column=number|text|boolean|date, got '\(value)'")
            }
            let (table, column) = tableAndColumn(parts[0])
            options.columnTypes[table, default: [:]][column] = type
        },
        OptionSpec(
            names: ["--date-format"], value: "[COLUMN=]FORMAT", help: "how 03/04/2024 reads: d/m/yyyy (day first) or m/d/yyyy (month first)",
            commands: readingData
        ) { options, _, value throws(UsageError) in
            let parts = value.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard let format = parts.last, let order = DayMonthOrder(format: format), parts.count == 1 || !parts[0].isEmpty else {
                throw UsageError(message: "--date-format takes a format such as d/m/yyyy, m/d/yyyy or dd.mm.yy, or column=FORMAT, got '\(value)'")
            }
            if parts.count == 2 {
                let (table, column) = tableAndColumn(parts[0])
                options.columnDateOrders[table, default: [:]][column] = order
            } else {
                options.dateOrder = order
            }
        },
        OptionSpec(names: ["--skip-rows"], value: "N", help: "skip the N title lines above the header (1C and Excel reports)", commands: readingData) {
            options, _, value throws(UsageError) in
            guard let count = Int(value), count >= 0 else { throw UsageError(message: "--skip-rows takes a number of lines, got '\(value)'") }
            options.skipRows = count
        },
        OptionSpec(names: ["--data-format"], value: "FORMAT", help: "csv, json or xlsx (detected by default)", commands: readingData) {
            options, _, value throws(UsageError) in
            guard let format = DataFormat(rawValue: value.lowercased()) else { throw UsageError(message: "unknown data format '\(value)'; use csv, json or xlsx") }
            options.dataFormat = format
        },
        OptionSpec(names: ["--encoding"], value: "ENC", help: "utf-8, utf-16, cp1251 or gb18030 (detected by default)", commands: readingData) {
            options, _, value throws(UsageError) in
            guard let encoding = TextEncoding(rawValue: value.lowercased()) ?? (value.lowercased() == "utf8" ? .utf8 : nil) else {
                throw UsageError(message: "unknown encoding '\(value)'; use utf-8, utf-16, cp1251 or gb18030")
            }
            options.encoding = encoding
        },
        OptionSpec(names: ["--sheet"], value: "NAME", help: "the sheet of an .xlsx workbook to read (the first by default)", commands: readingData) {
            options, _, value in options.sheet = value
        },
        OptionSpec(
            names: ["--null-values"], value: "a,b", help: "the texts read as empty cells (default #N/A, #Н/Д, N/A, n/a, NULL, null, Excel's errors)",
            commands: readingData
        ) { options, _, value in options.nullValues = Set(value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)) },
        OptionSpec(names: ["--verbose"], value: nil, help: "say how each data file was read (its encoding or sheet)", commands: compiling) {
            options, _, _ in options.verbose = true
        },
        OptionSpec(names: ["--time-limit"], value: "SECONDS", help: "stop an evaluation that takes longer (no limit by default)", commands: compiling) {
            options, _, value throws(UsageError) in
            guard let seconds = Double(value), seconds > 0, seconds < 1e9 else {
                throw UsageError(message: "--time-limit takes seconds, such as 30 or 0.5; got '\(value)'")
            }
            options.limits.timeLimit = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        },
        OptionSpec(names: ["--max-rows"], value: "N", help: "refuse data of more rows", commands: compiling) { options, name, value throws(UsageError) in
            options.limits.rows = try count(name, value)
        },
        OptionSpec(names: ["--max-groups"], value: "N", help: "refuse a KPI of more groups", commands: compiling) { options, name, value throws(UsageError) in
            options.limits.groups = try count(name, value)
        },
        OptionSpec(names: ["--max-output"], value: "CELLS", help: "refuse results of more cells", commands: compiling) {
            options, name, value throws(UsageError) in options.limits.outputCells = try count(name, value)
        },
        OptionSpec(names: ["--max-memory"], value: "MB", help: "refuse an evaluation that would need more memory", commands: compiling) {
            options, name, value throws(UsageError) in options.limits.memory = try count(name, value, unit: 1 << 20)
        },
        OptionSpec(names: ["--max-input"], value: "MB", help: "the most read from standard input or a pipe (2048 by default)", commands: readingData) {
            options, name, value throws(UsageError) in options.maximumInputBytes = try count(name, value, unit: 1 << 20)
        },
    ]

    /// The SQL dialect an option names.
    private static func dialect(_ option: String, _ name: String) throws(UsageError) -> SQLDialect {
        guard let dialect = SQLDialect(rawValue: name.lowercased()) ?? (name.lowercased() == "postgresql" ? .postgres : nil) else {
            throw UsageError(message: "unknown \(option.dropFirst(2)) '\(name)'; use duckdb, postgres or spark")
        }
        return dialect
    }

    /// A positive whole number of an option, times `unit` (1 MB for the sizes in MB).
    private static func count(_ option: String, _ text: String, unit: Int = 1) throws(UsageError) -> Int {
        guard let value = Int(text), value > 0, value <= Int.max / unit else {
            throw UsageError(message: "\(option) takes a positive whole number; got '\(text)'")
        }
        return value * unit
    }

    /// The usage error for an option `command` does not take, naming the commands that do.
    static func notTaken(_ name: String, by command: Command, _ spec: OptionSpec) -> String {
        let others = Command.listed.filter(spec.commands.contains).map(\.rawValue)
        let takers = others.count <= 1 ? others.joined() : others.dropLast().joined(separator: ", ") + " and " + (others.last ?? "")
        return "'kipi \(command.rawValue)' takes no option \(name); \(name) goes with \(takers)"
    }

    /// The options help lists, for one command or for all.
    static func optionsHelp(for command: Command?) -> String {
        table.filter { command.map($0.commands.contains) ?? true }.map { spec in
            let synopsis = spec.synopsis
            return "  " + synopsis + (synopsis.count < 25 ? String(repeating: " ", count: 25 - synopsis.count) : "\n" + String(repeating: " ", count: 27))
                + spec.help
        }.joined(separator: "\n")
    }
}
