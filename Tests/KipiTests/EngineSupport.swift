import Foundation
import Testing

@testable import Kipi

/// The real engines the SQL tests run on: the DuckDB CLI and spark-sql on PATH, and the
/// PostgreSQL cluster `KIPI_POSTGRES` names. `.ci/run` installs them and starts a throwaway
/// cluster; a test that finds one missing fails.
enum Engines {
    static func engine(_ dialect: SQLDialect) throws -> SQLEngine {
        switch dialect {
        case .duckdb:
            try #require(SQLEngine.find("duckdb") != nil, "the DuckDB CLI is not on PATH: pip install duckdb-cli, as .ci/run does")
            return SQLEngine(dialect: .duckdb, connection: FileManager.default.temporaryDirectory.appendingPathComponent("kipi-\(UUID().uuidString).duckdb").path)
        case .postgres:
            let connection = try #require(
                ProcessInfo.processInfo.environment["KIPI_POSTGRES"],
                "no PostgreSQL cluster: .ci/run starts one with Tests/postgres.sh and names it in KIPI_POSTGRES")
            return SQLEngine(dialect: .postgres, connection: connection)
        case .spark:
            try #require(SQLEngine.find("spark-sql") != nil, "spark-sql is not on PATH: pip install pyspark, as .ci/run does")
            return SQLEngine(dialect: .spark)
        }
    }

    /// SQL that makes `table` a table (a temporary view on Spark) named `name`, typed as Kipi read it.
    static func loading(_ table: DataTable, as name: String, _ dialect: SQLDialect) -> String {
        let columns = table.columnNames.map { ($0, table.columns[$0] ?? Column.nulls(.null, count: table.rowCount)) }
        let types = columns.map { sqlType($0.1, dialect) }
        let rows = (0..<table.rowCount).map { row in
            "(" + zip(columns, types).map { column, type in
                let cell = literal(column.1[row], dialect)
                return dialect == .spark ? "CAST(\(cell) AS \(type))" : cell
            }.joined(separator: ", ") + ")"
        }
        let reference = dialect.identifier(name)
        let names = columns.map { dialect.identifier($0.0) }
        if dialect == .spark {
            let values = rows.isEmpty ? "(" + types.map { "CAST(NULL AS \($0))" }.joined(separator: ", ") + ")" : rows.joined(separator: ",\n")
            let body = "SELECT * FROM VALUES \(values) AS t(\(names.joined(separator: ", ")))" + (rows.isEmpty ? " WHERE FALSE" : "")
            return "CREATE OR REPLACE TEMPORARY VIEW \(reference) AS \(body);\n"
        }
        var script = "DROP TABLE IF EXISTS \(reference);\nCREATE TABLE \(reference) (\(zip(names, types).map { "\($0) \($1)" }.joined(separator: ", ")));\n"
        for start in stride(from: 0, to: rows.count, by: 500) {
            script += "INSERT INTO \(reference) VALUES\n" + rows[start..<min(start + 500, rows.count)].joined(separator: ",\n") + ";\n"
        }
        return script
    }

    private static func sqlType(_ column: Column, _ dialect: SQLDialect) -> String {
        switch column.storage {
        case .number: return dialect.doubleType
        case .text, .period: return dialect.textType
        case .boolean: return "BOOLEAN"
        case .date: return "DATE"
        case .dateTime: return "TIMESTAMP"
        }
    }

    private static func literal(_ value: Value, _ dialect: SQLDialect) -> String {
        switch value {
        case .null, .list: return "NULL"
        case .number(let number): return dialect.number(number)
        case .text(let text): return dialect.text(text)
        case .boolean(let flag): return flag ? "TRUE" : "FALSE"
        case .period(let period): return dialect.text(period.description)
        case .date(let date):
            let (year, month, day) = date.components
            let day4 = String(format: "%04d-%02d-%02d", year, month, day)
            if date.secondOfDay == 0 { return "DATE '\(day4)'" }
            let seconds = Int(date.secondOfDay)
            return "TIMESTAMP '\(day4) \(String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60))'"
        }
    }

    /// The program evaluated in-process and on the engine, over the same tables (on the engine,
    /// those in `absent` are missing; `engineProgram`, when given, is the one written as SQL;
    /// `sparkMaster`, Spark's `--master`).
    static func bothWays(
        _ program: Program, tables: [String: DataTable], on dialect: SQLDialect, parameters: [String: Value] = [:], only: Set<String>? = nil,
        absent: Set<String> = [], engineProgram: Program? = nil, sparkMaster: String? = nil
    ) throws
        -> (inProcess: EvaluationResult, engine: EvaluationResult)
    {
        var engine = try engine(dialect)
        let prefix = "k" + UUID().uuidString.prefix(8).lowercased()
        let names = tables.keys.reduce(into: [String: String]()) { $0[$1] = "\(prefix)_\($1.isEmpty ? "data" : $1)" }
        // A table in `absent` is named on the engine but never made there.
        let load = tables.filter { !absent.contains($0.key) }.map { loading($0.value, as: names[$0.key] ?? "", dialect) }.joined()
        let initialization = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).sql")
        if dialect == .spark {
            // Temporary views live in one session: spark-sql makes them from its -i file first.
            try load.write(to: initialization, atomically: true, encoding: .utf8)
            // Its metastore and warehouse go to a temporary folder, not the working directory.
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-spark").path
            engine.connection = (sparkMaster.map { "--master \($0) " } ?? "")
                + "--driver-java-options -Dderby.system.home=\(home) --conf spark.sql.warehouse.dir=\(home)/warehouse -i \(initialization.path)"
        } else {
            _ = try engine.run(load)
        }
        defer {
            if dialect == .postgres { _ = try? engine.run(names.values.map { "DROP TABLE IF EXISTS \($0);" }.joined()) }
            if dialect == .duckdb, let file = engine.connection { try? FileManager.default.removeItem(atPath: file) }
            try? FileManager.default.removeItem(at: initialization)
            try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-spark").path)
        }
        let onEngine = try engine.evaluate(engineProgram ?? program, tables: names, parameters: parameters, only: only)
        return (try program.evaluate(tables: tables, parameters: parameters), onEngine)
    }

    /// Where two results differ: a value beyond 1e-9 relative, an error on one side only or with
    /// another message, or different groups.
    static func differences(_ expected: EvaluationResult, _ actual: EvaluationResult) -> [String] {
        var found: [String] = []
        for (kpi, other) in zip(expected.kpis, actual.kpis) {
            switch (kpi.value, other.value) {
            case (.single(let a), .single(let b)):
                if !same(a, b) { found.append("\(kpi.name): \(a) ≠ \(b)") }
                if !same(kpi.assessment, other.assessment) {
                    found.append("\(kpi.name): \(String(describing: kpi.assessment)) ≠ \(String(describing: other.assessment))")
                }
            case (.grouped(_, let rows), .grouped(_, let otherRows)):
                guard rows.count == otherRows.count else {
                    found.append("\(kpi.name): \(rows.count) groups ≠ \(otherRows.count): \(rows.map(\.keys)) vs \(otherRows.map(\.keys))")
                    continue
                }
                for (row, otherRow) in zip(rows, otherRows) {
                    let keysMatch = row.keys.count == otherRow.keys.count && zip(row.keys, otherRow.keys).allSatisfy { same(.value($0), .value($1)) }
                    if !keysMatch || !same(row.outcome, otherRow.outcome) || !same(row.assessment, otherRow.assessment) {
                        found.append("\(kpi.name)[\(row.keys)]: \(row.outcome) ≠ \(otherRow.keys) \(otherRow.outcome)")
                    }
                }
            default: found.append("\(kpi.name): \(kpi.value) ≠ \(other.value)")
            }
        }
        if expected.kpis.count != actual.kpis.count { found.append("\(expected.kpis.count) KPIs ≠ \(actual.kpis.count)") }
        return found
    }

    /// The same status, and the same level and levels to the last bits a double's arithmetic may differ in.
    static func same(_ a: Assessment?, _ b: Assessment?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        let levels: [(Value?, Value?)] = [(a.critical, b.critical), (a.norm, b.norm), (a.target, b.target)]
        return a.status == b.status && same(.value(a.level.map(Value.number) ?? .null), .value(b.level.map(Value.number) ?? .null))
            && levels.allSatisfy { x, y in x == nil ? y == nil : y != nil && same(.value(x ?? .null), .value(y ?? .null)) }
    }

    static func same(_ a: Outcome, _ b: Outcome) -> Bool {
        switch (a, b) {
        // The SQL carries each error's reason: the engine gives the in-process message.
        case (.error(let x), .error(let y)): return x == y
        case (.value(.number(let x)), .value(.number(let y))):
            return x == y || abs(x - y) <= 1e-9 * max(abs(x), abs(y)) || (abs(x) < 1e-12 && abs(y) < 1e-12)
        case (.value(let x), .value(let y)): return x == y
        default: return false
        }
    }
}

