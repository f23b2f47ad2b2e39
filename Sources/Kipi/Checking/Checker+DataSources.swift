import Foundation

/// A data file a `.kpi` file names with a `data` line (SPEC v3): which table it fills, where it
/// is, and how to read it. The library reads no file itself: a host decides whether to load it.
public struct DataSource: Sendable {
    /// The table it fills ("" is the default table).
    public var table: String
    /// The path as written.
    public var path: String
    /// The path relative to the folder of the file that names it (as written when absolute).
    public var resolvedPath: String
    /// The `.kpi` file whose `data` line names it.
    public var file: String
    /// The options written after the path; those not written are detected.
    public var options: DataOptions
    /// The `data` line.
    public var range: SourceRange
    /// The line number of the `data` line in `file`, from 1.
    public var line: Int
    /// Whether the line sets the decimal mark (so that an option given for every file does not).
    public var setsDecimalMark = false
}

extension Checker {
    /// The options a `data` line may give, as SPEC's data options are named on the command line.
    static let dataOptionNames = ["encoding", "sheet", "skip_rows", "delimiter", "decimal_comma", "decimal_point", "date_format", "null_values"]

    /// Checks a `data` line's options and records its source; a table named twice is an error.
    mutating func checkDataSource(_ declaration: Declaration, source: SourceText) {
        guard case .data(let table, let path, let clauses) = declaration.kind else { return }
        if let previous = dataSources.first(where: { $0.table == table }) {
            let shown = table.isEmpty ? "the default table" : "table '\(table)'"
            report(code: "duplicate-data", "\(shown) already has its data (\(previous.file):\(previous.line))", declaration.nameRange, in: source)
            return
        }
        var options = DataOptions()
        var setsDecimalMark = false
        var ok = true
        for clause in clauses {
            func text() -> String? {
                if case .string(let value)? = clause.value?.kind { return value }
                return nil
            }
            func fail(_ message: String) {
                report(code: "bad-data-option", message, clause.range, in: source)
                ok = false
            }
            let isFlag = clause.name == "decimal_comma" || clause.name == "decimal_point"
            guard Checker.dataOptionNames.contains(clause.name) else {
                let suggestion = closestName(to: clause.name, among: Checker.dataOptionNames)
                fail("unknown data option '\(clause.name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; the options are " + Checker.dataOptionNames.joined(separator: ", ")))
                continue
            }
            if isFlag {
                if clause.value != nil { fail("'\(clause.name)' takes no value") }
                options.decimalComma = clause.name == "decimal_comma"
                setsDecimalMark = true
                continue
            }
            switch clause.name {
            case "skip_rows":
                guard case .number(let count)? = clause.value?.kind, count >= 0, count == count.rounded(), count < 1_000_000 else {
                    fail("skip_rows takes a number of lines, such as skip_rows 3")
                    continue
                }
                options.skipRows = Int(count)
            case "encoding":
                guard let name = text(), let encoding = TextEncoding(rawValue: name.lowercased()) ?? (name.lowercased() == "utf8" ? .utf8 : nil) else {
                    fail("encoding takes \"utf-8\", \"utf-16\", \"cp1251\" or \"gb18030\"")
                    continue
                }
                options.encoding = encoding
            case "sheet":
                guard let name = text() else {
                    fail("sheet takes the sheet's name in quotes, such as sheet \"Планы\"")
                    continue
                }
                options.sheet = name
            case "delimiter":
                guard let name = text(), let delimiter = DataOptions.delimiter(named: name) else {
                    fail("delimiter takes \",\", \";\" or \"tab\"")
                    continue
                }
                options.delimiter = delimiter
            case "date_format":
                guard let name = text(), let order = DayMonthOrder(format: name) else {
                    fail("date_format takes a format such as \"d/m/yyyy\", \"m/d/yyyy\" or \"dd.mm.yy\"")
                    continue
                }
                options.dateOrder = order
            default:
                guard let list = text() else {
                    fail("null_values takes the texts in quotes, separated by commas: null_values \"-,n/a\"")
                    continue
                }
                options.nullValues = Set(list.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
            }
        }
        guard ok else { return }
        let resolved = SourceText.path(path, writtenIn: source.name)
        var dataSource = DataSource(
            table: table, path: path, resolvedPath: resolved, file: source.name, options: options, range: declaration.range,
            line: source.location(of: declaration.range.start).line)
        dataSource.setsDecimalMark = setsDecimalMark
        dataSources.append(dataSource)
    }
}
