import Foundation
import Kipi

/// The `kipi` command line: parses arguments, runs one command, returns the exit status.
enum KipiCommand {
    static let version = "0.1.0"

    static func run(_ arguments: [String], terminal: Terminal) -> Int32 {
        let options: Options
        do {
            options = try Options.parse(arguments)
        } catch {
            terminal.printError("kipi: error: \(error.message)\nRun 'kipi --help' for usage.")
            return ExitStatus.usage
        }
        let command = Session(options: options, terminal: terminal)
        switch options.command {
        case .help:
            terminal.print(Options.help(for: options.helpFor))
            return ExitStatus.success
        case .version:
            terminal.print("kipi \(version)")
            return ExitStatus.success
        case .functions:
            terminal.print(Kipi().functions.listing)
            return ExitStatus.success
        case .eval, .report:
            return options.engine == nil ? command.evaluate() : command.evaluateOnEngine()
        case .sql:
            return command.sql()
        case .check:
            return command.check()
        case .fmt:
            return command.format()
        case .lsp:
            return LanguageServerLoop.run(input: STDIN_FILENO, output: STDOUT_FILENO)
        case .explain:
            return command.explain()
        case .repl:
            let atTerminal = terminal.isInteractive && isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0
            let editor = atTerminal ? LineEditor(input: STDIN_FILENO, output: STDOUT_FILENO, historyFile: LineEditor.defaultHistoryFile) : nil
            return ReplLoop.run(options: options, terminal: terminal, editor: editor)
        }
    }
}

/// One run of `eval` or `check`: loads what the options name, reports problems on stderr.
struct Session {
    var options: Options
    var terminal: Terminal
    var kipi: Kipi

    init(options: Options, terminal: Terminal) {
        self.options = options
        self.terminal = terminal
        kipi = Kipi()
        kipi.limits = options.limits
    }

    /// Thrown after the problem has been printed, carrying the exit status.
    struct Failure: Error {
        var status: Int32
    }

    func evaluate() -> Int32 {
        do {
            let source = try formulaSource()
            // A quiet look without data tells which columns to read; only the check against the
            // data's schemas reports errors. When the look fails, every column is read.
            let quickLook = try? compile(source, schemas: nil, quietly: true)
            if options.data.isEmpty, quickLook == nil { _ = try compile(source, schemas: nil) }
            let columnsUsed = quickLook?.columnsUsedByTable ?? [:]
            let read = columnsUsed.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            let declared = quickLook?.dataSources ?? []
            if options.data.isEmpty, declared.isEmpty, !read.isEmpty {
                let names = read.sorted().prefix(5).joined(separator: ", ")
                terminal.printError(
                    "kipi: error: the formulas read columns (\(names)\(read.count > 5 ? ", …" : "")); give the data with --data FILE")
                return ExitStatus.usage
            }
            let tables = try loadTables(columns: quickLook == nil ? nil : columnsUsed, declared: declared)
            let program = try compile(source, schemas: tables.mapValues(\.schema))
            let parameters = try parameterValues(for: program)
            let result = try reporting { try program.evaluate(tables: tables, parameters: parameters) }
            let sources = dataFiles(declared).map { table, path, _ in
                ReportContext.Source(table: table, file: path, rows: tables[table]?.rowCount ?? 0)
            }
            return report(result, of: program, source: source, sources: sources)
        } catch {
            return error.status
        }
    }

    /// Prints the results (those `--only` names) or writes them to `--output`, says which failed,
    /// and gives the exit status.
    private func report(_ evaluated: EvaluationResult, of program: Program, source: SourceText, sources: [ReportContext.Source]) -> Int32 {
        var result = evaluated
        if let only = options.only {
            guard knowsEveryKPI(only, of: program) else { return ExitStatus.usage }
            result.kpis = result.kpis.filter { only.contains($0.name) }
        }
        if let output = options.output {
            guard write(result, to: output, source: source, sources: sources) else { return ExitStatus.failure }
        } else {
            print(result, single: options.expression != nil)
        }
        reportFailures(result, named: options.expression == nil)
        if let failOn = options.failOn, result.kpis.contains(where: { ($0.worstStatus).map { $0 <= failOn } ?? false }) {
            return ExitStatus.statusReached
        }
        return result.hasErrors ? ExitStatus.failure : ExitStatus.success
    }

    /// Whether `--only` names KPIs of the program; prints the first it does not, with a suggestion.
    private func knowsEveryKPI(_ names: [String], of program: Program) -> Bool {
        let known = program.kpis.map(\.name)
        for name in names where !known.contains(name) {
            let suggestion = known.first { $0.lowercased() == name.lowercased() }
            terminal.printError("kipi: error: --only names no KPI '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
            return false
        }
        return true
    }

    /// `kipi sql`: the program as SQL. Its column types come from `--data` (or the file's `data`
    /// lines, when their files are here), else from the engine with `--connect`, else from the
    /// formulas' uses of each column; `--type` overrides each.
    func sql() -> Int32 {
        do {
            let source = try formulaSource()
            let dialect = options.dialect ?? .duckdb
            let declared = declaredData(source)
            let sqlTables = try engineTables()
            var schemas: [String: Schema]?
            if !options.data.isEmpty || (!declared.isEmpty && options.connection == nil && declared.allSatisfy { FileManager.default.fileExists(atPath: $0.resolvedPath) }) {
                schemas = try loadTables(columns: nil, declared: declared).mapValues(\.schema)
            } else if let connection = options.connection {
                // The engine knows only the tables given; each other keeps its Kipi name there.
                let named = try compile(source, schemas: nil).columnsUsedByTable.keys.reduce(into: [String: String]()) { $0[$1] = $1.isEmpty ? "data" : $1 }
                let engine = SQLEngine(dialect: dialect, connection: connection)
                schemas = try reporting { try engine.schemas(of: named.merging(sqlTables) { _, given in given }) }
            } else {
                schemas = try compile(source, schemas: nil).columnTypesFromUse
            }
            let program = try compile(source, schemas: schemas.map(overridingTypes))
            let parameters = try parameterValues(for: program)
            // A table not named with --table keeps its Kipi name (the default table is `data`).
            var tables = Dictionary(uniqueKeysWithValues: program.columnsUsedByTable.keys.map { ($0, $0.isEmpty ? "data" : $0) })
            tables.merge(sqlTables) { _, given in given }
            var script = try reporting { try program.sql(dialect: dialect, tables: tables, parameters: parameters) }
            if let only = options.only {
                guard knowsEveryKPI(only, of: program) else { return ExitStatus.usage }
                script.statements = script.statements.filter { only.contains($0.kpi) }
            }
            terminal.write(script.text)
            return ExitStatus.success
        } catch {
            return error.status
        }
    }

    /// The schemas with `--type`'s types in place of those found (data files apply them as they are read).
    func overridingTypes(_ schemas: [String: Schema]) -> [String: Schema] {
        schemas.reduce(into: [:]) { result, entry in
            let forced = options.columnTypes(for: entry.key)
            var schema = entry.value
            schema.columns = schema.columns.map { ($0.name, forced[$0.name] ?? $0.type) }
            result[entry.key] = schema
        }
    }

    /// `--table`s as the engine is given them: a data file on this machine by its absolute
    /// path (the engine may run elsewhere in the file system), and found, or a usage error.
    func engineTables() throws(Failure) -> [String: String] {
        var tables = options.sqlTables
        for (table, reference) in tables where SQLEngine.isDataFile(reference) && !reference.contains("://") {
            let url = URL(fileURLWithPath: reference)
            guard FileManager.default.fileExists(atPath: url.path) else {
                terminal.printError("kipi: error: no file '\(reference)' for --table \(table.isEmpty ? "" : table + "=")\(reference)")
                throw Failure(status: ExitStatus.failure)
            }
            tables[table] = url.standardizedFileURL.path
        }
        return tables
    }

    /// `kipi eval --engine`: the SQL run by the engine's client, the column types asked of the
    /// engine (or read from `--data`).
    func evaluateOnEngine() -> Int32 {
        do {
            let engine = SQLEngine(dialect: options.engine ?? .duckdb, connection: options.connection)
            // DuckDB creates a database file it is given and does not find: a misspelt path would
            // read an empty database, and leave the file behind.
            if engine.dialect == .duckdb, let database = options.connection, database != ":memory:",
                !FileManager.default.fileExists(atPath: database)
            {
                terminal.printError("kipi: error: the DuckDB database '\(database)' does not exist; give an existing database file with --connect")
                return ExitStatus.failure
            }
            let source = try formulaSource()
            let sqlTables = try engineTables()
            let only = options.only.map(Set.init)
            var result: EvaluationResult
            var program: Program
            if options.data.isEmpty {
                // The SQL is written with the types the formulas' uses call for, and the engine
                // describes the tables in the same session; checked against what it described,
                // it is sent again only where a column's type differs.
                let guessed = overridingTypes(try compile(source, schemas: nil).columnTypesFromUse)
                let first = try compile(source, schemas: guessed)
                if let only, !knowsEveryKPI(Array(only), of: first) { return ExitStatus.usage }
                let parameters = try parameterValues(for: first)
                let (computed, described) = try reporting { try engine.evaluateReadingSchemas(first, tables: sqlTables, parameters: parameters, only: only) }
                let actual = overridingTypes(described)
                program = try compile(source, schemas: actual)
                result = computed
                let differs = program.columnsUsedByTable.contains { table, columns in
                    columns.contains { actual[table]?.type(of: $0) != guessed[table]?.type(of: $0) }
                }
                if differs { result = try reporting { try engine.evaluate(program, tables: sqlTables, parameters: parameters, only: only) } }
            } else {
                program = try compile(source, schemas: try loadTables(columns: nil).mapValues(\.schema))
                let parameters = try parameterValues(for: program)
                if let only, !knowsEveryKPI(Array(only), of: program) { return ExitStatus.usage }
                result = try reporting { try engine.evaluate(program, tables: sqlTables, parameters: parameters, only: only) }
            }
            let sources = sqlTables.sorted { $0.key < $1.key }.map { ReportContext.Source(table: $0.key, file: $0.value, rows: 0) }
            return report(result, of: program, source: source, sources: sources)
        } catch {
            return error.status
        }
    }

    func explain() -> Int32 {
        do {
            let source = try formulaSource()
            let tables = try loadTables(columns: nil, declared: declaredData(source))
            let program = try compile(source, schemas: tables.mapValues(\.schema))
            let parameters = try parameterValues(for: program)
            let explanation = try reporting { try program.explain(options.files[1], tables: tables, parameters: parameters, group: options.group) }
            switch options.format {
            case .json: terminal.print(ExplanationFormatter.json(explanation))
            case .table, .csv, .html, .xlsx: terminal.print(ExplanationFormatter.text(explanation))
            }
            return ExitStatus.success
        } catch {
            return error.status
        }
    }

    /// `kipi fmt`: each file in the canonical layout, written back (or, with --check, only named).
    func format() -> Int32 {
        var status = ExitStatus.success
        for path in options.files {
            do {
                let source = try formulaSource(path)
                let formatted = try reporting { try kipi.format(source) }
                guard formatted != source.text else { continue }
                if options.checkOnly {
                    terminal.printError("\(path): would be reformatted")
                    status = ExitStatus.failure
                } else if (try? formatted.write(toFile: path, atomically: true, encoding: .utf8)) == nil {
                    terminal.printError("kipi: error: cannot write '\(path)'")
                    status = ExitStatus.failure
                }
            } catch {
                status = error.status
            }
        }
        return status
    }

    func check() -> Int32 {
        do {
            let source = try formulaSource()
            let declared = declaredData(source)
            let schemas = options.data.isEmpty && declared.isEmpty ? nil : try loadTables(columns: nil, declared: declared).mapValues(\.schema)
            let program = try compile(source, schemas: schemas)
            let grouped = program.kpis.filter { !$0.keyNames.isEmpty }.count
            let kpis = program.kpis.count
            let parameters = program.parameters.count
            terminal.print(
                "\(options.files[0]): ok, \(kpis) KPI\(kpis == 1 ? "" : "s") (\(grouped) grouped), "
                    + "\(parameters) parameter\(parameters == 1 ? "" : "s")")
            return ExitStatus.success
        } catch {
            return error.status
        }
    }

    /// Writes the results to `path` in the format asked for (a report for html and xlsx).
    private func write(_ result: EvaluationResult, to path: String, source: SourceText, sources: [ReportContext.Source]) -> Bool {
        let bytes: [UInt8]
        switch options.format {
        case .html, .xlsx:
            let name = ((source.name as NSString).lastPathComponent as NSString).deletingPathExtension
            let heading = ReportContext.heading(of: source.text, fallback: options.expression == nil ? name : "kipi")
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
            let context = ReportContext(
                title: heading.title, description: heading.description, sources: sources, computedAt: formatter.string(from: Date()),
                locale: options.locale)
            bytes = options.format == .html ? Array(HTMLReport.page(result, context: context).utf8) : WorkbookReport.workbook(result, context: context)
        case .json: bytes = Array((TextFormat.json.text(of: result) + "\n").utf8)
        case .table: bytes = Array((TextFormat.table.text(of: result, locale: options.locale) + "\n").utf8)
        case .csv: bytes = Array((TextFormat.csv.text(of: result, locale: options.locale, byteOrderMark: options.localeGiven) + "\n").utf8)
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return true
        } catch {
            terminal.printError("kipi: error: cannot write '\(path)': \((error as NSError).localizedDescription)")
            return false
        }
    }

    private func print(_ result: EvaluationResult, single: Bool) {
        let format: TextFormat
        switch options.format {
        case .json: format = .json
        case .csv: format = .csv
        case .table, .html, .xlsx: format = .table
        }
        // With a locale the CSV is for a spreadsheet: the byte order mark makes Excel read it as UTF-8.
        terminal.print(format.text(of: result, single: single, locale: options.locale, byteOrderMark: options.localeGiven))
    }

    /// Evaluation errors are in the output; stderr says which KPIs failed, for scripts and people.
    private func reportFailures(_ result: EvaluationResult, named: Bool) {
        for kpi in result.kpis {
            let subject = named ? "'\(kpi.name)'" : "the expression"
            switch kpi.value {
            case .single(.error(let message)):
                terminal.printError("kipi: error: \(subject): \(message)")
            case .single(.value):
                break
            case .grouped(let keyNames, let rows):
                for row in rows {
                    guard case .error(let message) = row.outcome else { continue }
                    terminal.printError("kipi: error: \(subject) for \(row.label(keyNames: keyNames)): \(message)")
                }
            }
        }
    }

    /// The `data` lines of the formula file, read without data; none when it does not compile.
    func declaredData(_ source: SourceText) -> [DataSource] {
        options.expression == nil ? (try? compile(source, schemas: nil, quietly: true))?.dataSources ?? [] : []
    }

    /// The files to read, by table: each `--data`, then each table's `data` line that no `--data` replaces.
    func dataFiles(_ declared: [DataSource]) -> [(table: String, path: String, source: DataSource?)] {
        options.data.map { ($0.table, $0.path, nil) }
            + declared.filter { source in !options.data.contains { $0.table == source.table } }.map { ($0.table, $0.resolvedPath, $0) }
    }

    /// Every table of `--data` and of the file's `data` lines, with only `columns` of each (all of them where nil).
    func loadTables(columns: [String: Set<String>]?, declared: [DataSource] = []) throws(Failure) -> [String: DataTable] {
        var tables: [String: DataTable] = [:]
        for (table, path, source) in dataFiles(declared) {
            tables[table] = try loadData(path, table: table, columns: columns.map { $0[table] ?? [] }, declared: source)
        }
        return tables
    }

    /// Loads one table's file, only `columns` if given (all of them if one is missing, so that
    /// the error about it can suggest the right name). A `data` line's own options win over those
    /// given for every file.
    private func loadData(_ path: String, table: String, columns: Set<String>?, declared: DataSource? = nil) throws(Failure) -> DataTable {
        var input: Data?
        if path == "-" {
            guard let read = terminal.readInput(options.maximumInputBytes) else {
                terminal.printError("<stdin>: error: \(FileAccess.tooLarge(options.maximumInputBytes))")
                throw Failure(status: ExitStatus.failure)
            }
            input = Data(read)
        }
        func load(_ columns: Set<String>?) throws(Failure) -> DataTable {
            let dataOptions = options.dataOptions(for: table, columns: columns, declared: declared)
            if let input {
                return try reporting { try DataTable.load(input, name: "<stdin>", format: options.dataFormat, options: dataOptions) }
            }
            return try reporting { try DataTable.load(contentsOf: path, format: options.dataFormat, options: dataOptions) }
        }
        var loaded = try load(columns)
        if let columns, !columns.isSubset(of: loaded.columnNames) { loaded = try load(nil) }
        if options.verbose {
            let rows = "\(loaded.rowCount) row\(loaded.rowCount == 1 ? "" : "s")"
            terminal.printError("kipi: \(path == "-" ? "<stdin>" : path): \(rows), read as \(loaded.readAs ?? "UTF-8")")
        }
        return loaded
    }

    func formulaSource() throws(Failure) -> SourceText {
        if let expression = options.expression { return SourceText(name: "<expr>", text: expression) }
        return try formulaSource(options.files[0])
    }

    /// The formula file at `path`, as text.
    func formulaSource(_ path: String) throws(Failure) -> SourceText {
        let contents: Data
        switch FileAccess.contents(of: path, atMost: kipi.limits.sourceSize) {
        case .success(let data): contents = data
        case .failure(let problem):
            terminal.printError("\(path): error: cannot read the formula file: \(problem.message)")
            throw Failure(status: ExitStatus.failure)
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            terminal.printError("\(path): error: the formula file is not valid UTF-8 text")
            throw Failure(status: ExitStatus.failure)
        }
        return SourceText(name: path, text: text)
    }

    func compile(_ source: SourceText, schemas: [String: Schema]?, quietly: Bool = false) throws(Failure) -> Program {
        let filters = options.filters.enumerated().map { position, text in
            SourceText(name: "--where" + (options.filters.count > 1 ? " \(position + 1)" : ""), text: "where " + text)
        }
        do {
            let schema = schemas.map { $0[""] ?? Schema(columns: []) }
            let tables = (schemas ?? [:]).filter { !$0.key.isEmpty }
            // The command line reads the files its user names, imports among them.
            if options.expression != nil {
                return try kipi.compile(expression: source, schema: schema, tables: tables, definitions: filters, loadImport: Kipi.readImport)
            }
            return try kipi.compile(source: source, schema: schema, tables: tables, definitions: filters, loadImport: Kipi.readImport)
        } catch {
            if quietly { throw Failure(status: ExitStatus.failure) }
            return try reporting { throw error }
        }
    }

    /// `--param` values, read as the type of the parameter's default.
    func parameterValues(for program: Program) throws(Failure) -> [String: Value] {
        var values: [String: Value] = [:]
        var failed = false
        for (name, text) in options.parameters {
            guard let parameter = program.parameters.first(where: { $0.name == name }) else {
                values[name] = .text(text)  // reported by evaluate, with a suggestion
                continue
            }
            if let value = Value(parsing: text, as: parameter.type) {
                values[name] = value
            } else {
                terminal.printError("kipi: error: parameter '\(name)' must be \(ParameterValue.expected(parameter.type)), got '\(text)'")
                failed = true
            }
        }
        if failed { throw Failure(status: ExitStatus.failure) }
        return values
    }

    /// Runs a library call, printing its diagnostics if it fails.
    func reporting<T>(_ body: () throws -> T) throws(Failure) -> T {
        do {
            return try body()
        } catch let list as DiagnosticList {
            for diagnostic in list.diagnostics {
                terminal.printError((diagnostic.sourceName == nil ? "kipi: " : "") + diagnostic.description)
            }
            throw Failure(status: ExitStatus.failure)
        } catch {
            terminal.printError("kipi: error: \(error)")
            throw Failure(status: ExitStatus.failure)
        }
    }

}

/// Reads a `--param` value as its parameter's type.
/// What a `--param` value must look like, for its error; it is read by `Value(parsing:as:)`, the
/// REPL's `:set` reader, so one text is one value in both.
enum ParameterValue {
    static func expected(_ type: KipiType) -> String {
        switch type {
        case .number: "a number (such as 60, 12.5 or 15%)"
        case .boolean: "true or false"
        case .date: "a date (yyyy-mm-dd or dd.mm.yyyy)"
        case .period(let grain): "a \(grain) such as \(Period(grain, containing: KipiDate(daysSinceEpoch: 19_783)))"
        case .text, .null, .list, .unknown: "\(type)"
        }
    }
}
