import Foundation
import Kipi

/// The parsed command line.
struct Options {
    enum Command: String, Equatable, Hashable {
        case eval, check, explain, sql, report, fmt, lsp, functions, repl, help, version

        /// The commands that take options, in the order help lists them.
        static let listed: [Command] = [.eval, .check, .explain, .sql, .report, .fmt, .lsp, .repl, .functions]
    }

    enum OutputFormat: String {
        case table, json, csv
        /// A report for people (SPEC v3): one HTML page, or an Excel workbook; written to `--output`.
        case html, xlsx
    }

    var command: Command
    /// For `kipi COMMAND --help`: the command whose help to print.
    var helpFor: Command?
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
    /// `kipi fmt --check`: only say which files would change.
    var checkOnly = false
    /// `-o FILE`: where eval and report write their output.
    var output: String?
    /// `--fail-on critical|below`: the status (or a worse one) that makes the exit status 3.
    var failOn: KPIStatus?
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
        case "report": options = Options(command: .report)
        case "fmt": options = Options(command: .fmt)
        case "lsp": options = Options(command: .lsp)
        case "functions": options = Options(command: .functions)
        case "repl": options = Options(command: .repl)
        case "help", "--help", "-h": return Options(command: .help)
        case "--version", "version": return Options(command: .version)
        default: throw UsageError(message: "unknown command '\(first)'")
        }
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("-"), argument != "-" else {
                options.files.append(argument)
                continue
            }
            let (name, inline) = splitInlineValue(argument)
            if name == "--help" || name == "-h" {
                return Options(command: .help, helpFor: options.command)
            }
            guard let spec = table.first(where: { $0.names.contains(name) }) else { throw UsageError(message: "unknown option '\(argument)'") }
            guard spec.commands.contains(options.command) else { throw UsageError(message: notTaken(name, by: options.command, spec)) }
            var value = ""
            if spec.value != nil {
                guard let given = inline ?? rest.popFirst() else { throw UsageError(message: "\(name) needs a value") }
                value = given
            } else if inline != nil {
                throw UsageError(message: "\(name) takes no value")
            }
            try spec.apply(&options, name, value)
        }
        try options.validate()
        return options
    }

    /// The types forced on the columns of `table`: its own, over those given for every table.
    func columnTypes(for table: String) -> [String: KipiType] { Options.ofTable(table, columnTypes) }

    /// Per-column settings of one table: its own, over those given for every table ("").
    private static func ofTable<T>(_ table: String, _ byTable: [String: [String: T]]) -> [String: T] {
        (byTable[""] ?? [:]).merging(table.isEmpty ? [:] : byTable[table] ?? [:]) { _, own in own }
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
        data.columnDateOrders = Options.ofTable(table, columnDateOrders)
        data.skipRows = skipRows
        data.maximumStreamBytes = maximumInputBytes
        return data
    }

    /// The data options for a table a `data` line names: the line's own, over those given for every file.
    func dataOptions(for table: String, columns: Set<String>? = nil, declared: DataSource?) -> DataOptions {
        var options = dataOptions(for: table, columns: columns)
        guard let declared else { return options }
        let own = declared.options
        options.encoding = own.encoding ?? options.encoding
        options.sheet = own.sheet ?? options.sheet
        options.delimiter = own.delimiter ?? options.delimiter
        options.dateOrder = own.dateOrder ?? options.dateOrder
        options.nullValues = own.nullValues ?? options.nullValues
        if own.skipRows > 0 { options.skipRows = own.skipRows }
        if declared.setsDecimalMark { options.decimalComma = own.decimalComma }
        return options
    }

    private static func splitInlineValue(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private mutating func validate() throws(UsageError) {
        switch command {
        case .eval:
            if expression == nil, files.count != 1 {
                throw UsageError(message: files.isEmpty ? "eval needs a .kpi file or -e 'expression'" : "eval takes one .kpi file")
            }
            if expression != nil, !files.isEmpty { throw UsageError(message: "give either a .kpi file or -e, not both") }
            if engine != nil, sqlTables.isEmpty { throw UsageError(message: "--engine needs the SQL tables: --table [NAME=]TABLE") }
            if engine == nil, !sqlTables.isEmpty || connection != nil { throw UsageError(message: "--table and --connect go with --engine") }
            if format == .html || format == .xlsx, output == nil { throw UsageError(message: "--format \(format.rawValue) writes a file: give -o FILE") }
        case .sql:
            if files.count != 1 { throw UsageError(message: "sql takes one .kpi file") }
            if dialect == nil { throw UsageError(message: "sql needs --dialect duckdb, postgres or spark") }
        case .report:
            if files.count != 1 { throw UsageError(message: "report takes one .kpi file") }
            guard let output else { throw UsageError(message: "report needs -o report.html or -o report.xlsx") }
            switch (output as NSString).pathExtension.lowercased() {
            case "html", "htm": format = .html
            case "xlsx": format = .xlsx
            default: throw UsageError(message: "report writes .html or .xlsx; '\(output)' is neither")
            }
        case .fmt:
            if files.isEmpty { throw UsageError(message: "fmt takes one or more .kpi files") }
        case .check:
            if files.count != 1 { throw UsageError(message: "check takes one .kpi file") }
        case .explain:
            if files.count != 2 { throw UsageError(message: "explain takes a .kpi file and the name of one of its KPIs") }
            if format == .html || format == .xlsx || format == .csv { throw UsageError(message: "explain writes text or json") }
        case .functions, .help, .version, .lsp:
            if !files.isEmpty { throw UsageError(message: "unexpected argument '\(files[0])'") }
        case .repl:
            break
        }
    }

    /// Each command's usage lines, as help prints them.
    private static let usage: [(command: Command, lines: String)] = [
        (.eval, """
              kipi eval FILE.kpi --data [NAME=]DATA... [--param name=value]... [--where PRED] [--format table|json|csv] [--only a,b]
              kipi eval -e 'EXPR' [--data DATA] [--format table|json|csv]
              kipi eval FILE.kpi --engine duckdb|postgres|spark --table [NAME=]TABLE... [--connect DB]
                                                    runs the KPIs' SQL through duckdb, psql or spark-sql and prints the results
            """),
        (.check, """
              kipi check FILE.kpi [--data DATA]     static checks; with --data, columns and types too
            """),
        (.explain, """
              kipi explain FILE.kpi KPI --data DATA [--group key=value,…] [--format text|json]
                                                    why a KPI has its value, node by node
            """),
        (.sql, """
              kipi sql FILE.kpi --dialect duckdb|postgres|spark [--table [NAME=]TABLE]... [--data DATA]
                                                    the KPIs as SQL: one SELECT each (--data gives the column types)
            """),
        (.report, """
              kipi report FILE.kpi --data [NAME=]DATA... -o report.html|report.xlsx [--locale en|ru|de|zh]
                                                    a report for people: one HTML page with charts, or an Excel workbook
            """),
        (.fmt, """
              kipi fmt FILE.kpi... [--check]        writes each file in the canonical layout; --check only tells
            """),
        (.repl, """
              kipi repl [--data DATA] [FILE.kpi...]
            """),
        (.lsp, """
              kipi lsp                              a language server (LSP) on standard input and output, for editors
            """),
        (.functions, """
              kipi functions                        every function with its signature and help
            """),
    ]

    /// `kipi --help` (every command and option), or `kipi COMMAND --help` (that command's).
    static func help(for command: Command?) -> String {
        let lines = usage.filter { command == nil || $0.command == command }.map(\.lines)
        let options = optionsHelp(for: command)
        return "kipi — KPI formulas over your data\n\nUSAGE:\n" + lines.joined(separator: "\n")
            + (command == nil ? "\n  kipi COMMAND --help | kipi --help | --version" : "")
            + (options.isEmpty ? "" : "\n\nOPTIONS:\n" + options)
            + "\n\nEXIT STATUS:\n  0 all fine; 1 a formula, data or evaluation error; 2 wrong usage; 3 a status --fail-on names was reached"
    }
}

