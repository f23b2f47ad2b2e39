import Foundation

/// A SQL engine reached through its own command-line client (`duckdb`, `psql`, `spark-sql`),
/// found on PATH. Kipi writes the SQL, the client runs it where the data is, and the rows come
/// back as Kipi's results.
public struct SQLEngine: Sendable {
    /// The engine, and so the SQL written for it.
    public var dialect: SQLDialect
    /// What the client is given to connect: DuckDB's database file, PostgreSQL's connection
    /// string or URL, or spark-sql's own options (split at spaces).
    public var connection: String?
    /// The client's path; found on PATH when nil.
    public var executable: String?

    /// An engine reached through its client, connected as `connection` says.
    public init(dialect: SQLDialect, connection: String? = nil, executable: String? = nil) {
        self.dialect = dialect
        self.connection = connection
        self.executable = executable
    }

    /// Whether a table reference names a data file the engine reads itself (by its extension:
    /// `.parquet`, `.csv`, `.json`, `.jsonl`, `.ndjson`) rather than a table.
    public static func isDataFile(_ reference: String) -> Bool { SQLDataFile(reference: reference) != nil }

    /// The client's name on PATH.
    public var clientName: String {
        switch dialect {
        case .duckdb: "duckdb"
        case .postgres: "psql"
        case .spark: "spark-sql"
        }
    }

    /// Every KPI of `program` (or those named in `only`: only their statements are sent),
    /// computed by the engine over `tables` (Kipi's table names, "" the default one, to SQL
    /// table references), as `Program.evaluate` reports it. A value Kipi would fail is an error
    /// whose message says the engine computed it; a KPI whose statement the engine refuses is
    /// that KPI's error, with the engine's message, and every other KPI is still computed.
    ///
    /// - Throws: `DiagnosticList` for a program with no SQL form, a missing client, or an
    ///   engine that ran none of the script (it could not connect, say), with its own message.
    public func evaluate(
        _ program: Program, tables: [String: String], parameters: [String: Value] = [:], only: Set<String>? = nil
    ) throws(DiagnosticList) -> EvaluationResult {
        try evaluate(program, tables: tables, parameters: parameters, only: only, describing: false).result
    }

    /// As `evaluate`, and in the same session, before the KPIs, the column types of `tables` as
    /// `schemas(of:)` reads them: one run of the client (one JVM for spark-sql) where a caller
    /// wrote the SQL before it knew the types (`Program.columnTypesFromUse`), and checks them
    /// after.
    public func evaluateReadingSchemas(
        _ program: Program, tables: [String: String], parameters: [String: Value] = [:], only: Set<String>? = nil
    ) throws(DiagnosticList) -> (result: EvaluationResult, schemas: [String: Schema]) {
        let (result, schemas) = try evaluate(program, tables: tables, parameters: parameters, only: only, describing: true)
        return (result, schemas ?? [:])
    }

    private func evaluate(
        _ program: Program, tables: [String: String], parameters: [String: Value], only: Set<String>?, describing: Bool
    ) throws(DiagnosticList) -> (result: EvaluationResult, schemas: [String: Schema]?) {
        var script = try program.sql(dialect: dialect, tables: tables, parameters: parameters)
        if let only { script.statements = script.statements.filter { only.contains($0.kpi) } }
        var description: (setup: [String], queries: [String]) = ([], [])
        if describing { description = try self.describing(tables) }
        var setup: [String] = description.setup
        for view in script.setup where !setup.contains(view + ";") { setup.append(view + ";") }
        var schemas: [String: Schema]?
        // First every KPI in one query, its tables computed once; if the engine refuses it, each
        // statement on its own. The engine goes on past a statement it refuses; the marker first
        // shows that it ran at all.
        var run = ClientRun(status: 0, output: "", errors: "")
        var missing = script.statements
        if let combined = program.combinedSQL(script, tables: tables, parameters: parameters) {
            run = try execute((setup + description.queries + [combined + ";"]).joined(separator: "\n"), continuing: true)
            if describing { schemas = try described(run.output, tables) }
            let lines = EngineOutput.lines(run.output)
            // A query stopped part way may have printed some KPIs' rows: all are sent again.
            if script.statements.allSatisfy({ lines.contains(EngineOutput.finished($0.definition)) }) { missing = [] }
        }
        if !missing.isEmpty {
            let queries = schemas == nil ? description.queries : []
            let sent = setup + queries + ["SELECT '\(EngineOutput.started)';"] + missing.map { $0.encodedText + ";" }
            run = try execute(sent.joined(separator: "\n"), continuing: true)
            if describing, schemas == nil { schemas = try described(run.output, tables) }
            let lines = EngineOutput.lines(run.output)
            guard lines.contains(EngineOutput.started) else {
                throw DiagnosticList([Diagnostic(message: "\(clientName) failed (exit status \(run.status)): \(failure(run))")])
            }
            missing = missing.filter { !lines.contains(EngineOutput.finished($0.definition)) }
        }
        var refused: [Int: String] = [:]
        for statement in missing {
            // With one refused statement, the engine's words are its; with several, each is sent
            // again alone to tell their messages apart.
            let alone = missing.count == 1 ? run : try execute((setup + [statement.encodedText + ";"]).joined(separator: "\n"), continuing: false)
            refused[statement.definition] = "\(clientName) refused the SQL of KPI '\(statement.kpi)': " + failure(alone)
        }
        return (try EngineOutput.read(run.output, script: script, program: program, engine: clientName, refused: refused), schemas)
    }

    /// The column types of `table` (a table's name, or a data file the engine reads) as the
    /// engine describes them, for checking formulas before writing their SQL.
    public func schema(of table: String) throws(DiagnosticList) -> Schema {
        guard let schema = try schemas(of: ["": table])[""] else { throw DiagnosticList([]) }
        return schema
    }

    /// The column types of each table (Kipi's table names to SQL table references or data
    /// files), asked of the engine in one run: one session, one JVM for spark-sql.
    public func schemas(of tables: [String: String]) throws(DiagnosticList) -> [String: Schema] {
        let description = try describing(tables)
        return try described(run((description.setup + description.queries).joined(separator: "\n")), tables)
    }

    /// The statements that print the column types of `tables`, each table's after a line naming
    /// it and all before `EngineOutput.described`; and the views they read (Spark's, over files).
    func describing(_ tables: [String: String]) throws(DiagnosticList) -> (setup: [String], queries: [String]) {
        var setup: [String] = []
        var queries: [String] = []
        for (position, name) in tables.keys.sorted().enumerated() {
            let reference = tables[name] ?? ""
            var from = dialect.tableReference(reference)
            if let file = SQLDataFile(reference: reference) {
                let reading: (from: String, setup: String?)
                switch file.reading(in: dialect, table: name) {
                case .success(let found): reading = found
                case .failure(let problem): throw DiagnosticList([problem])
                }
                from = reading.from
                if let view = reading.setup { setup.append(view + ";") }
            }
            // spark-sql prints DESCRIBE's own rows: name, type and comment, tab-separated.
            queries.append("SELECT '\(EngineOutput.started):\(position)';")
            switch dialect {
            case .duckdb:
                queries.append("SELECT concat('kipi:', column_name, chr(9), column_type) FROM (DESCRIBE SELECT * FROM \(from));")
            case .postgres:
                queries.append(
                    "SELECT 'kipi:' || attname || chr(9) || format_type(atttypid, atttypmod) FROM pg_attribute "
                        + "WHERE attrelid = \(dialect.text(from))::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;")
            case .spark:
                queries.append("DESCRIBE QUERY SELECT * FROM \(from);")
            }
        }
        queries.append("SELECT '\(EngineOutput.described)';")
        return (setup, queries)
    }

    /// The column types `describing(tables)` printed in `output`.
    func described(_ output: String, _ tables: [String: String]) throws(DiagnosticList) -> [String: Schema] {
        var columns: [Int: [(name: String, type: KipiType)]] = [:]
        var current: Int?
        for line in output.split(separator: "\n") {
            if line.hasPrefix(EngineOutput.described) { break }
            if line.hasPrefix(EngineOutput.started + ":") {
                current = Int(String(line.dropFirst(EngineOutput.started.count + 1)).trimmingWhitespace())
                continue
            }
            guard let current, dialect == .spark || line.hasPrefix("kipi:") else { continue }
            let row = line.hasPrefix("kipi:") ? line.dropFirst(5) : line
            let fields = row.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            guard fields.count >= 2, !fields[0].hasPrefix("#"), !(columns[current] ?? []).contains(where: { $0.name == fields[0] }) else { continue }
            columns[current, default: []].append((fields[0], SQLEngine.kipiType(ofSQLType: fields[1])))
        }
        var schemas: [String: Schema] = [:]
        for (position, name) in tables.keys.sorted().enumerated() {
            guard let found = columns[position], !found.isEmpty else {
                throw DiagnosticList([Diagnostic(message: "\(clientName) describes no columns of table '\(tables[name] ?? "")'")])
            }
            schemas[name] = Schema(columns: found)
        }
        return schemas
    }

    /// The Kipi type of a column of an SQL type.
    static func kipiType(ofSQLType name: String) -> KipiType {
        let type = name.lowercased()
        if type.hasPrefix("bool") { return .boolean }
        if type.hasPrefix("date") || type.hasPrefix("timestamp") { return .date }
        let numeric = ["int", "bigint", "smallint", "tinyint", "hugeint", "double", "float", "real", "decimal", "numeric", "integer", "ubigint", "uinteger"]
        if numeric.contains(where: { type.hasPrefix($0) }) { return .number }
        return .text
    }

    /// Runs `sql` through the client and returns what it printed.
    func run(_ sql: String) throws(DiagnosticList) -> String {
        let run = try execute(sql, continuing: false)
        guard run.status == 0 else {
            throw DiagnosticList([Diagnostic(message: "\(clientName) failed (exit status \(run.status)): \(failure(run))")])
        }
        return run.output
    }

    /// What a client printed, and its exit status.
    struct ClientRun {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `sql` through the client; `continuing`, the client goes on past a statement that fails.
    func execute(_ sql: String, continuing: Bool) throws(DiagnosticList) -> ClientRun {
        guard let path = executable ?? SQLEngine.find(clientName) else {
            throw DiagnosticList([Diagnostic(message: "the \(dialect.rawValue) client '\(clientName)' is not on PATH; install it or add its folder to PATH")])
        }
        var arguments: [String]
        var input: String? = sql
        var scriptFile: URL?
        switch dialect {
        case .duckdb:
            arguments = ["-noheader", "-list"] + (continuing ? [] : ["-bail"]) + (connection.map { [$0] } ?? [])
        case .postgres:
            arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=\(continuing ? 0 : 1)"] + (connection.map { ["-d", $0] } ?? []) + ["-f", "-"]
            // PostgreSQL would compile the long generated expressions with LLVM first, which
            // takes far longer than running them (a minute against a fifth of a second).
            input = "SET jit = off;\n" + sql
        case .spark:
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kipi-\(UUID().uuidString).sql")
            do { try Data(sql.utf8).write(to: file) } catch {
                throw DiagnosticList([Diagnostic(message: "cannot write the SQL for spark-sql: \(error.localizedDescription)")])
            }
            scriptFile = file
            input = nil
            let options = connection.map { $0.split(separator: " ").map(String.init) } ?? []
            arguments = ["-S", "--conf", "spark.sql.session.timeZone=UTC", "--conf", "spark.ui.enabled=false"]
                + (continuing ? ["--hiveconf", "hive.cli.errors.ignore=true"] : []) + options + ["-f", file.path]
        }
        defer { if let scriptFile { try? FileManager.default.removeItem(at: scriptFile) } }
        let (status, output, errors) = SQLEngine.execute(path, arguments, input: input)
        return ClientRun(status: status, output: output, errors: errors)
    }

    /// The engine's own words about a failed run: its log lines and a JVM's stack frames left out.
    func failure(_ run: ClientRun) -> String {
        let lines = run.errors.split(separator: "\n").filter { line in
            !line.contains(" WARN ") && !line.contains(" INFO ") && !line.hasPrefix("\tat ") && !line.hasPrefix("\t...")
                && !line.hasPrefix("Time taken:") && !line.hasPrefix("Using Spark's default log4j") && !line.hasPrefix("To adjust logging level")
                && !String(line).trimmingWhitespace().isEmpty
        }
        let errorLines = lines.filter { $0.contains("ERROR") || $0.contains("Error") || $0.contains("Exception") || $0.hasPrefix("[") }
        let message = (errorLines.isEmpty ? Array(lines.suffix(12)) : Array(errorLines.prefix(6))).joined(separator: "\n")
        return message.isEmpty ? run.output.trimmingWhitespace() : message
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program to its end, feeding `input`, and collects both outputs.
    static func execute(_ path: String, _ arguments: [String], input: String?) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // Foundation's waitUntilExit polls every 50 ms on Linux; its handler runs at the exit.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return (127, "", "cannot start \(path): \(error.localizedDescription)") }
        // Both outputs are drained while the input is written, so that no pipe fills and stalls.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (handle, isError) in [(stdout.fileHandleForReading, false), (stderr.fileHandleForReading, true)] {
            group.enter()
            DispatchQueue.global().async {
                collected.store(handle.readDataToEndOfFile(), isError: isError)
                group.leave()
            }
        }
        // A client that stops reading (it failed) must not kill this process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        group.wait()
        exited.wait()
        return (process.terminationStatus, collected.text(isError: false), collected.text(isError: true))
    }
}

/// The two outputs of a process, filled from two threads.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    func store(_ data: Data, isError: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isError { errors = data } else { output = data }
    }

    func text(isError: Bool) -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: isError ? errors : output, as: UTF8.self)
    }
}

/// Reads the encoded rows an engine printed back into results.
enum EngineOutput {
    /// The line an engine prints before the first statement.
    static let started = "kipi-started"

    /// The lines an engine printed, without their line ends.
    static func lines(_ output: String) -> Set<String> {
        Set(output.split(separator: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) })
    }

    /// The line an engine prints after the column types it was asked for.
    static let described = "kipi-described"

    /// The line an engine prints after the rows of the statement of definition `index`.
    static func finished(_ index: Int) -> String { "kipi-finished:\(index)" }

    /// The results of `script`'s statements in `output`; a statement in `refused` is its KPI's
    /// error with that message.
    static func read(
        _ output: String, script: SQLScript, program: Program, engine: String, refused: [Int: String] = [:]
    ) throws(DiagnosticList) -> EvaluationResult {
        var rows: [Int: [[String]]] = [:]
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            guard trimmed.hasPrefix("kipi:") else { continue }
            let fields = trimmed.dropFirst(5).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let index = fields.first.flatMap({ Int($0) }) else { continue }
            rows[index, default: []].append(Array(fields.dropFirst()))
        }
        let checked = program.checked
        var results: [KPIResult] = []
        for statement in script.statements {
            let definition = checked.definitions[statement.definition]
            if let message = refused[statement.definition] {
                results.append(
                    KPIResult(
                        name: definition.name, description: definition.description, format: definition.format, value: .single(.error(message)),
                        isJudged: definition.thresholds != nil))
                continue
            }
            let found = rows[statement.definition] ?? []
            let type = definition.value.type
            let levels = definition.thresholds?.levels.map(\.level) ?? []
            // After the value: status, level and each declared level, for a KPI with levels.
            let judgedCells = definition.thresholds == nil ? 0 : 2 + levels.count
            func assessment(_ cells: ArraySlice<String>) -> Assessment? {
                guard definition.thresholds != nil else { return nil }
                let values = cells.map { cell -> Value in
                    if case .value(let value) = outcome(cell, type: .unknown) { return value }
                    return .null
                }
                guard values.count == judgedCells else { return nil }
                var status: KPIStatus?
                if case .text(let text) = values[0] { status = KPIStatus(rawValue: text) }
                var assessment = Assessment(status: status, level: values[1].number)
                for (level, value) in zip(levels, values.dropFirst(2)) { assessment[level] = value }
                return assessment
            }
            let value: KPIValue
            var single: Assessment?
            if let grouping = definition.grouping {
                let keyTypes = grouping.keys.map { checked.keyTypes[$0] ?? .unknown }
                var groups: [GroupRow] = []
                for cells in found where cells.count == keyTypes.count + 1 + judgedCells {
                    let keys = zip(cells, keyTypes).map { cell, type in
                        if case .value(let key) = outcome(cell, type: type) { return key }
                        return Value.null
                    }
                    let cell = outcome(cells[keyTypes.count], type: type)
                    let judged = cell.isError ? nil : assessment(cells[(keyTypes.count + 1)...])
                    groups.append(GroupRow(keys: keys, outcome: cell, assessment: judged))
                }
                groups.sort { Value.sortsBefore($0.keys, $1.keys) }
                value = .grouped(keyNames: grouping.keyNames, rows: groups)
            } else {
                guard found.count == 1, found[0].count == 1 + judgedCells else {
                    throw DiagnosticList([Diagnostic(message: "\(engine) gave \(found.count) rows for KPI '\(definition.name)', not one")])
                }
                let cell = outcome(found[0][0], type: type)
                value = .single(cell)
                single = cell.isError ? nil : assessment(found[0].dropFirst())
            }
            results.append(
                KPIResult(
                    name: definition.name, description: definition.description, format: definition.format, value: value, assessment: single,
                    isJudged: definition.thresholds != nil))
        }
        return EvaluationResult(kpis: results)
    }

    /// One encoded cell: `=text`, `~` (null) or `!message` (an evaluation error).
    static func outcome(_ cell: String, type: KipiType) -> Outcome {
        guard let marker = cell.first, marker == "=" || marker == "!" else { return .value(.null) }
        var text = ""
        var escaped = false
        for character in cell.dropFirst() {
            if escaped {
                switch character {
                case "t": text.append("\t")
                case "n": text.append("\n")
                case "r": text.append("\r")
                default: text.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                text.append(character)
            }
        }
        return marker == "!" ? .error(SQLMessageNumber.written(text)) : .value(value(text, type: type))
    }

    static func value(_ text: String, type: KipiType) -> Value {
        switch type {
        case .number:
            guard let number = Double(text), number.isFinite else { return .null }
            return .number(number == 0 ? 0 : number)
        case .text: return .text(text)
        case .boolean: return .boolean(["true", "t", "1"].contains(text.lowercased()))
        case .date: return KipiDate(parsing: text).map(Value.date) ?? .text(text)
        case .period(.year): return Int32(text).map { .period(Period(grain: .year, index: $0)) } ?? .text(text)
        case .period(let grain): return Period(parsing: text, as: grain).map(Value.period) ?? .text(text)
        case .null, .unknown, .list:
            if let number = Double(text) { return .number(number) }
            if text == "true" || text == "false" { return .boolean(text == "true") }
            return .text(text)
        }
    }
}
