import Foundation
import Kipi

/// What one fuzz input goes through. Every path must end in values or diagnostics: a trap,
/// an out-of-bounds read (AddressSanitizer) or a hang (libFuzzer's -timeout) is a finding.
enum Harness: String, CaseIterable {
    /// Formula text → compile → one consumer chosen by the first byte: evaluation written in a
    /// format, explain, the SQL of a dialect, or the formula prepared for records (SPEC §7).
    case formula
    /// CSV bytes with reader options taken from the first byte; with 0xFF first, repeated past the
    /// size where rows are split on all cores.
    case csv
    /// JSON bytes.
    case json
    /// REPL command lines, one per line of the input, in a session that reads no files.
    case repl
    /// `.xlsx` bytes (ZIP, DEFLATE, sheet XML).
    case xlsx
    /// A language server's input stream (`kipi lsp`): framed JSON-RPC messages, each answered,
    /// from a server that reads no data file.
    case lsp

    static let selected = Harness(rawValue: ProcessInfo.processInfo.environment["KIPI_FUZZ_TARGET"] ?? "") ?? .formula

    /// Tight limits, so that a hostile input ends in a limit error rather than a libFuzzer timeout.
    static let limits = Limits(sourceSize: 64 << 10, expansions: 2_000, listLength: 5_000, groups: 100_000, timeLimit: .seconds(2))

    /// One environment for every input: it is immutable once built, as a server's would be.
    static let kipi: Kipi = {
        var kipi = Kipi()
        kipi.limits = limits
        return kipi
    }()

    func run(_ input: Data) {
        switch self {
        case .formula: Self.formula(input)
        case .csv: Self.csv(input)
        case .json: _ = try? DataTable.load(input, name: "fuzz.json", format: .json)
        case .repl: Self.repl(input)
        case .xlsx: Self.report(try? DataTable.load(input, name: "fuzz.xlsx", format: .xlsx))
        case .lsp: Self.languageServer(input)
        }
    }

    static let tables: [String: DataTable] = {
        let sales = """
            date,manager,amount,plan,won,opened
            2024-01-05,Иванов,100,120,true,2024-01-05 09:30
            2024-01-20,Петрова,,80,false,2024-01-20 17:05
            2024-02-03,Иванов,250.5,200,true,2024-02-03 12:00
            2024-03-15,Chen Wei,-40,0,true,2024-03-15 08:15
            2024-03-31,Петрова,0,50,false,2024-03-31 23:59
            """
        let plans = "manager,period,target\nИванов,2024-01,100\nПетрова,2024-03,60\nDan,2024-02,10\n"
        var tables: [String: DataTable] = [:]
        tables[""] = try? DataTable.load(Data(sales.utf8), name: "sales.csv")
        tables["plans"] = try? DataTable.load(Data(plans.utf8), name: "plans.csv")
        return tables.compactMapValues { $0 }
    }()

    /// The bytes as a connection's stream, and as one message body; each message also follows an
    /// opened document, so that the requests reach the editor services.
    static func languageServer(_ input: Data) {
        let server = LanguageServer(kipi: kipi, readData: nil)
        let open = #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///fuzz.kpi","text":"x = sum(amount) by manager\n# a\ny = round(x, 1)  norm 2\n"}}}"#
        _ = server.handle(Array(open.utf8))
        var framing = MessageFraming()
        framing.append(input)
        while let body = try? framing.next() { _ = server.handle(body) }
        _ = server.handle(Array(input))
    }

    static func formula(_ input: Data) {
        let text = String(decoding: input, as: UTF8.self)
        let kipi = Self.kipi
        // One input in eight is prepared as a formula per record (SPEC §7) and run on records of
        // numbers, of values and of the wrong length.
        if (input.first ?? 0) % 8 == 7 {
            let inputs: [(name: String, type: KipiType)] = [("amount", .number), ("manager", .text), ("won", .boolean), ("plan", .number)]
            guard let prepared = try? kipi.prepare(text, inputs: inputs) else { return }
            for record: [Value] in [
                [.number(100), .text("Иванов"), .boolean(true), .number(120)], [.null, .null, .null, .null],
                [.number(-0.0), .text(""), .boolean(false), .number(0)], [.number(1)],
            ] { _ = prepared.evaluate(record) }
            _ = prepared.evaluate([1e308, 2, 3, -1e308] as [Double])
            return
        }
        let schemas = tables.mapValues(\.schema)
        let source = SourceText(name: "fuzz.kpi", text: text)
        let others = schemas.filter { !$0.key.isEmpty }
        let program =
            (try? kipi.compile(source: source, schema: schemas[""], tables: others))
            ?? (try? kipi.compile(expression: source, schema: schemas[""], tables: others))
        guard let program else { return }
        // One consumer per input, chosen by its first byte: writing every format and dialect for
        // every input made the harness ten times slower, and the fuzzer covers them all anyway.
        let choice = Int(input.first ?? 0) % 8
        if choice >= 5 {
            let sqlTables = Dictionary(uniqueKeysWithValues: tables.keys.map { ($0, $0.isEmpty ? "data" : $0) })
            // The dialect from the second byte too: the first's last choice prepares the formula.
            let dialect = (choice - 5 + Int(input.dropFirst().first ?? 0)) % SQLDialect.allCases.count
            _ = try? program.sql(dialect: SQLDialect.allCases[dialect], tables: sqlTables)
            return
        }
        guard let result = try? program.evaluate(tables: tables) else { return }
        switch choice {
        case 0: _ = TableFormatter.format(result, locale: .en)
        case 1: _ = TableFormatter.format(result, locale: .ru)
        case 2: _ = CSVFormatter.format(result, locale: .ru)
        case 3: _ = JSONFormatter.format(result)
        default: if let first = program.kpis.first { _ = try? program.explain(first.name, tables: tables) }
        }
    }

    static func csv(_ input: Data) {
        guard let flags = input.first else { return }
        let body = input.dropFirst()
        var options = DataOptions()
        options.delimiter = [nil, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")][Int(flags & 3)]
        options.decimalComma = [nil, true, false, nil][Int(flags >> 2 & 3)]
        options.encoding = flags & 0x10 != 0 ? TextEncoding.allCases[Int(flags >> 5 & 1)] : nil
        let table = Result { () throws(DiagnosticList) in try DataTable.load(Data(body), name: "fuzz.csv", format: .csv, options: options) }
        report(try? table.get())
        // Cut into chunks of a few bytes, the file must read the same, or fail the same way.
        let chunkBytes = [1, 3, 7, 64][Int(flags >> 6)]
        options.chunkBytes = chunkBytes
        let cut = Result { () throws(DiagnosticList) in try DataTable.load(Data(body), name: "fuzz.csv", format: .csv, options: options) }
        guard describe(cut) == describe(table) else {
            preconditionFailure("read in chunks of \(chunkBytes) bytes, the file reads otherwise:\n\(describe(cut))\nagainst\n\(describe(table))")
        }
    }

    /// A table's names, types, cells and notes, or its errors, as text to compare.
    static func describe(_ table: Result<DataTable, DiagnosticList>) -> String {
        switch table {
        case .success(let data):
            data.columnNames.map { name in
                guard let column = data[name] else { return name }
                return "\(name) \(column.type) \(column.values) \(column.typeNote ?? "")"
            }.joined(separator: "\n")
        case .failure(let problems): "\(problems)"
        }
    }

    static func repl(_ input: Data) {
        var session = ReplSession(kipi: kipi)
        session.dataOptions.maximumStreamBytes = 1 << 16
        session.readInput = { Array("amount,manager\n1,a\n2,b\n".utf8) }
        // A session for strangers: it reads no files (`:load`, `:data FILE` and imports are refused).
        for line in String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
            _ = session.handle(String(line))
            if session.isFinished { break }
        }
    }

    /// Touches every cell of a table that was read, so that a bad one is read under the sanitizer.
    static func report(_ table: DataTable?) {
        guard let table else { return }
        for name in table.columnNames {
            guard let column = table[name] else { continue }
            for row in 0..<column.count { _ = column[row] }
        }
        _ = table.schema
    }
}
