import Kipi

/// The parsed command line.
struct Options {
    enum Command: Equatable {
        case eval, check, explain, sql, functions, repl, help, version
    }

    enum OutputFormat: String {
        case table, json, csv
    }

    var command: Command
    var files: [String] = []
    var expression: String?
    /// The data files by table name ("" is the default table), in the order given.
    var data: [(table: String, path: String)] = []
    /// `--where` conditions, in order.
    var filters: [String] = []
    var parameters: [(name: String, value: String)] = []
    var format: OutputFormat = .table
    var locale: NumberLocale = .en
    /// Whether `--locale` was given: CSV for a spreadsheet then starts with a byte order mark.
    var localeGiven = false
    var only: [String]?
    /// `--group key=value,…` for explain.
    var group: [String: String] = [:]
    var delimiter: UInt8?
    var decimalComma: Bool?
    /// Forced column types: by column for every table ("" key), or for one table.
    var columnTypes: [String: [String: KipiType]] = [:]
    /// `--date-format FORMAT`: how `03/04/2024` reads in every column.
    var dateOrder: DayMonthOrder?
    /// `--date-format column=FORMAT`: by column for every table ("" key), or for one table.
    var columnDateOrders: [String: [String: DayMonthOrder]] = [:]
    /// `--skip-rows N`: title lines above the header.
    var skipRows = 0
    var dataFormat: DataFormat?
    var encoding: TextEncoding?
    var nullValues: Set<String>?
    var sheet: String?
    var verbose = false
    /// `kipi sql --dialect`, and `kipi eval --engine`.
    var dialect: SQLDialect?
    var engine: SQLDialect?
    /// `--table [NAME=]TABLE`: the SQL table of each Kipi table ("" the default one).
    var sqlTables: [String: String] = [:]
    var connection: String?
    var limits = Limits.standard
    /// The most bytes read from standard input, a pipe or a device.
    var maximumInputBytes = (2 << 30) - 1

    struct UsageError: Error {
        var message: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        guard let first = arguments.first else { return Options(command: .help) }
        var options: Options
        switch first {
        case "eval": options = Options(command: .eval)
        case "check": options = Options(command: .check)
        case "sql": options = Options(command: .sql)
        case "explain": options = Options(command: .explain)
        case "functions": options = Options(command: .functions)
        case "repl": options = Options(command: .repl)
        case "help", "--help", "-h": return Options(command: .help)
        case "--version", "version": return Options(command: .version)
        default: throw UsageError(message: "unknown command '\(first)'")
        }
        var rest = arguments.dropFirst()
        func value(for option: String) throws(UsageError) -> String {
            guard let next = rest.popFirst() else { throw UsageError(message: "\(option) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            let (option, inline) = splitInlineValue(argument)
            func optionValue() throws(UsageError) -> String {
                if let inline { return inline }
                return try value(for: option)
            }
            switch option {
            case "--help", "-h": return Options(command: .help)
            case "-e", "--expression": options.expression = try optionValue()
            case "--data", "-d":
                let (table, path) = Kipi.tableAndPath(try optionValue())
                if options.data.contains(where: { $0.table == table }) {
                    throw UsageError(message: table.isEmpty ? "--data is given twice for the default table" : "--data is given twice for table '\(table)'")
                }
                options.data.append((table, path))
            case "--where": options.filters.append(try optionValue())
            case "--param", "-p":
                let assignment = try optionValue()
                guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                    throw UsageError(message: "--param takes name=value, got '\(assignment)'")
                }
                options.parameters.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
            case "--format", "-f":
                let name = try optionValue()
                guard let format = OutputFormat(rawValue: name == "text" ? "table" : name) else {
                    throw UsageError(message: "unknown format '\(name)'; use table, json or csv")
                }
                options.format = format
            case "--group", "-g":
                for pair in try optionValue().split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                    guard parts.count == 2, !parts[0].isEmpty else { throw UsageError(message: "--group takes key=value,…, got '\(pair)'") }
                    options.group[parts[0]] = parts[1]
                }
            case "--locale":
                let name = try optionValue()
                guard let locale = NumberLocale(rawValue: name.lowercased()) else {
                    throw UsageError(message: "unknown locale '\(name)'; use en, ru, de or zh")
                }
                options.locale = locale
                options.localeGiven = true
            case "--only":
                options.only = try optionValue().split(separator: ",").map { String($0).trimmingWhitespace() }
            case "--delimiter":
                let text = try optionValue()
                guard let delimiter = DataOptions.delimiter(named: text) else {
                    throw UsageError(message: "--delimiter must be ',', ';' or 'tab', got '\(text)'")
                }
                options.delimiter = delimiter
            case "--type", "-t":
                let assignment = try optionValue()
                let parts = assignment.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                guard parts.count == 2, !parts[0].isEmpty, let type = DataOptions.columnType(named: parts[1]) else {
                    throw UsageError(message: "--type takes column=number|text|boolean|date, got '\(assignment)'")
                }
                let (table, column) = Options.tableAndColumn(parts[0])
                options.columnTypes[table, default: [:]][column] = type
            case "--date-format":
                let text = try optionValue()
                let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                guard let format = parts.last, let order = DayMonthOrder(format: format), parts.count == 1 || !parts[0].isEmpty else {
                    throw UsageError(message: "--date-format takes a format such as d/m/yyyy, m/d/yyyy or dd.mm.yy, or column=FORMAT, got '\(text)'")
                }
                if parts.count == 2 {
                    let (table, column) = Options.tableAndColumn(parts[0])
                    options.columnDateOrders[table, default: [:]][column] = order
                } else {
                    options.dateOrder = order
                }
            case "--skip-rows":
                let text = try optionValue()
                guard let count = Int(text), count >= 0 else { throw UsageError(message: "--skip-rows takes a number of lines, got '\(text)'") }
                options.skipRows = count
            case "--data-format":
                let name = try optionValue()
                guard let format = DataFormat(rawValue: name.lowercased()) else {
                    throw UsageError(message: "unknown data format '\(name)'; use csv, json or xlsx")
                }
                options.dataFormat = format
            case "--encoding":
                let name = try optionValue()
                guard let encoding = TextEncoding(rawValue: name.lowercased()) ?? (name.lowercased() == "utf8" ? .utf8 : nil) else {
                    throw UsageError(message: "unknown encoding '\(name)'; use utf-8, utf-16, cp1251 or gb18030")
                }
                options.encoding = encoding
            case "--sheet": options.sheet = try optionValue()
            case "--dialect", "--engine":
                let name = try optionValue()
                guard let dialect = SQLDialect(rawValue: name.lowercased()) ?? (name.lowercased() == "postgresql" ? .postgres : nil) else {
                    throw UsageError(message: "unknown \(option.dropFirst(2)) '\(name)'; use duckdb, postgres or spark")
                }
                if option == "--dialect" { options.dialect = dialect } else { options.engine = dialect }
            case "--table":
                let (table, name) = Kipi.tableAndPath(try optionValue())
                guard !name.isEmpty else { throw UsageError(message: "--table takes [NAME=]TABLE") }
                if options.sqlTables[table] != nil {
                    throw UsageError(message: table.isEmpty ? "--table is given twice for the default table" : "--table is given twice for table '\(table)'")
                }
                options.sqlTables[table] = name
            case "--connect": options.connection = try optionValue()
            case "--verbose": options.verbose = true
            case "--time-limit":
                let text = try optionValue()
                guard let seconds = Double(text), seconds > 0, seconds < 1e9 else {
                    throw UsageError(message: "--time-limit takes seconds, such as 30 or 0.5; got '\(text)'")
                }
                options.limits.timeLimit = .milliseconds(Int64((seconds * 1000).rounded(.up)))
            case "--max-rows": options.limits.rows = try count(option, try optionValue())
            case "--max-groups": options.limits.groups = try count(option, try optionValue())
            case "--max-memory": options.limits.memory = try count(option, try optionValue(), unit: 1 << 20)
            case "--max-output": options.limits.outputCells = try count(option, try optionValue())
            case "--max-input": options.maximumInputBytes = try count(option, try optionValue(), unit: 1 << 20)
            case "--null-values":
                options.nullValues = Set(try optionValue().split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            case "--decimal-comma": options.decimalComma = true
            case "--decimal-point": options.decimalComma = false
            default:
                if argument.hasPrefix("-"), argument != "-" { throw UsageError(message: "unknown option '\(argument)'") }
                options.files.append(argument)
            }
        }
        try options.validate()
        return options
    }

    /// The types forced on the columns of `table`: its own, over those given for every table.
    func columnTypes(for table: String) -> [String: KipiType] {
        (columnTypes[""] ?? [:]).merging(table.isEmpty ? [:] : columnTypes[table] ?? [:]) { _, own in own }
    }

    /// `table.column` as a table and a column; a bare column is of every table ("").
    static func tableAndColumn(_ text: String) -> (table: String, column: String) {
        let qualified = text.split(separator: ".", maxSplits: 1).map(String.init)
        return qualified.count == 2 && Kipi.isPlainName(qualified[0]) ? (qualified[0], qualified[1]) : ("", text)
    }

    /// The data options for reading one table's file.
    func dataOptions(for table: String, columns: Set<String>? = nil) -> DataOptions {
        var data = DataOptions(
            delimiter: delimiter, decimalComma: decimalComma, columnTypes: columnTypes(for: table), columns: columns, nullValues: nullValues,
            encoding: encoding, sheet: sheet)
        data.dateOrder = dateOrder
        data.columnDateOrders = (columnDateOrders[""] ?? [:]).merging(table.isEmpty ? [:] : columnDateOrders[table] ?? [:]) { _, own in own }
        data.skipRows = skipRows
        data.maximumStreamBytes = maximumInputBytes
        return data
    }

    /// A positive whole number of an option, times `unit` (1 MB for the sizes in MB).
    private static func count(_ option: String, _ text: String, unit: Int = 1) throws(UsageError) -> Int {
        guard let value = Int(text), value > 0, value <= Int.max / unit else {
            throw UsageError(message: "\(option) takes a positive whole number; got '\(text)'")
        }
        return value * unit
    }

    private static func splitInlineValue(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private func validate() throws(UsageError) {
        switch command {
        case .eval:
            if expression == nil, files.count != 1 {
                throw UsageError(message: files.isEmpty ? "eval needs a .kpi file or -e 'expression'" : "eval takes one .kpi file")
            }
            if expression != nil, !files.isEmpty { throw UsageError(message: "give either a .kpi file or -e, not both") }
            if engine != nil, sqlTables.isEmpty { throw UsageError(message: "--engine needs the SQL tables: --table [NAME=]TABLE") }
            if engine == nil, !sqlTables.isEmpty || connection != nil { throw UsageError(message: "--table and --connect go with --engine") }
        case .sql:
            if files.count != 1 { throw UsageError(message: "sql takes one .kpi file") }
            if dialect == nil { throw UsageError(message: "sql needs --dialect duckdb, postgres or spark") }
        case .check:
            if files.count != 1 { throw UsageError(message: "check takes one .kpi file") }
        case .explain:
            if files.count != 2 { throw UsageError(message: "explain takes a .kpi file and the name of one of its KPIs") }
        case .functions, .help, .version:
            if !files.isEmpty { throw UsageError(message: "unexpected argument '\(files[0])'") }
        case .repl:
            break
        }
    }

    static let help = """
        kipi — KPI formulas over your data

        USAGE:
          kipi eval FILE.kpi --data [NAME=]DATA... [--param name=value]... [--where PRED] [--format table|json|csv] [--only a,b]
          kipi eval -e 'EXPR' [--data DATA] [--format table|json|csv]
          kipi check FILE.kpi [--data DATA]     static checks; with --data, columns and types too
          kipi explain FILE.kpi KPI --data DATA [--group key=value,…] [--format text|json]
                                                why a KPI has its value, node by node
          kipi sql FILE.kpi --dialect duckdb|postgres|spark [--table [NAME=]TABLE]... [--data DATA]
                                                the KPIs as SQL: one SELECT each (--data gives the column types)
          kipi eval FILE.kpi --engine duckdb|postgres|spark --table [NAME=]TABLE... [--connect DB]
                                                runs that SQL through duckdb, psql or spark-sql and prints the results
          kipi repl [--data DATA] [FILE.kpi...]
          kipi functions                        every function with its signature and help
          kipi --help | --version

        OPTIONS:
          -d, --data [NAME=]DATA   a CSV, JSON or .xlsx file, or - for standard input; NAME= gives another table,
                                   read in formulas as NAME.column (repeatable)
          --table [NAME=]TABLE     the SQL table of the default table (or of table NAME), for sql and --engine
          --connect DB             DuckDB's database file, PostgreSQL's connection string or URL, or spark-sql's options
          --where PRED             keeps only the rows where PRED holds, in the table it reads
          --data-format FORMAT     csv, json or xlsx (detected by default)
          -t, --type column=TYPE   read a column as number, text, boolean or date (table.column for one table)
          -p, --param name=value   overrides a 'param' of the file
          -f, --format FORMAT      table (default), json or csv
          --only a,b               report only these KPIs
          --locale en|ru|de|zh     number separators in tables (ru: 1 234,56) and CSV (ru, de: ';' and decimal commas)
          --delimiter , | ; | tab  the CSV separator (detected by default)
          --decimal-comma          numbers are written 1 234,56 (tried first with ';' or tab)
          --decimal-point          numbers are written 1234.56 (always with ',')
          --encoding ENC           utf-8, utf-16, cp1251 or gb18030 (detected by default)
          --sheet NAME             the sheet of an .xlsx workbook to read (the first by default)
          --date-format [COLUMN=]FORMAT
                                   how 03/04/2024 reads: d/m/yyyy (day first) or m/d/yyyy (month first)
          --skip-rows N            skip the N title lines above the header (1C and Excel reports)
          --verbose                say how each data file was read (its encoding or sheet)
          --time-limit SECONDS     stop an evaluation that takes longer (no limit by default)
          --max-rows N, --max-groups N, --max-output CELLS, --max-memory MB
                                   refuse data or results larger than these (generous by default)
          --max-input MB           the most read from standard input or a pipe (2048 by default)
          --null-values a,b        the texts read as empty cells (default #N/A, #Н/Д, N/A, n/a, NULL, null, Excel's errors)

        EXIT STATUS:
          0 all fine; 1 a formula, data or evaluation error; 2 wrong usage
        """
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
