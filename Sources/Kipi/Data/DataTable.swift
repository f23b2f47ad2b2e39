/// Rows of data as named, typed columns of equal length: what formulas are evaluated against.
public struct DataTable: Sendable {
    /// The columns' names, in the file's order.
    public private(set) var columnNames: [String]
    /// The columns by name.
    public private(set) var columns: [String: Column]
    /// How many rows every column has.
    public let rowCount: Int
    /// Where the data came from, for messages (a path, `<stdin>`, or empty).
    public var sourceName: String
    /// How the file was read when that is worth saying: the encoding detected or forced for text
    /// that is not UTF-8, or the sheet of a workbook; nil for UTF-8 text.
    public var readAs: String?

    /// A table of the given columns, in order; each must have `rowCount` cells.
    public init(columns: [(name: String, column: Column)], rowCount: Int, sourceName: String = "") throws(DiagnosticList) {
        var byName: [String: Column] = [:]
        var problems: [Diagnostic] = []
        for (name, column) in columns {
            if byName[name] != nil {
                problems.append(Diagnostic(message: "duplicate column name '\(name)'", file: sourceName.isEmpty ? nil : sourceName))
            } else if let maskLength = column.misfitNullMaskLength {
                problems.append(
                    Diagnostic(
                        message: "column '\(name)' has a null mask of \(maskLength) cells for \(column.count) values",
                        file: sourceName.isEmpty ? nil : sourceName))
            } else if column.count != rowCount {
                problems.append(
                    Diagnostic(
                        message: "column '\(name)' has \(column.count) values, expected \(rowCount)", file: sourceName.isEmpty ? nil : sourceName))
            }
            byName[name] = column
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        self.columnNames = columns.map(\.name)
        self.columns = byName
        self.rowCount = rowCount
        self.sourceName = sourceName
    }

    /// A table with no columns and no rows, for expressions that need no data.
    public static let empty: DataTable = {
        do { return try DataTable(columns: [], rowCount: 0) } catch { preconditionFailure("an empty table is always valid") }
    }()

    /// Column names and types: what the checker needs to know before any row is read.
    /// A column with no values at all has type `null`, which fits any use.
    public var schema: Schema {
        var schema = Schema(columns: columnNames.compactMap { name in columns[name].map { (name, $0.isAllNull ? .null : $0.type) } })
        for (name, column) in columns { schema.typeNotes[name] = column.typeNote }
        return schema
    }

    /// The column of this name, if the table has one.
    public subscript(name: String) -> Column? { columns[name] }

    /// The table with only the rows at `rows`, in that order.
    func keeping(rows: [Int]) -> Result<DataTable, DiagnosticList> {
        if rows.count == rowCount { return .success(self) }
        do {
            var table = try DataTable(
                columns: columnNames.compactMap { name in columns[name].map { (name, $0.gathering(rows)) } }, rowCount: rows.count,
                sourceName: sourceName)
            for name in columnNames { table.columns[name]?.typeNote = columns[name]?.typeNote }
            return .success(table)
        } catch {
            return .failure(error)
        }
    }
}

/// The names and types of a table's columns.
public struct Schema: Sendable, Hashable {
    /// Each column's name and type, in order.
    public var columns: [(name: String, type: KipiType)] {
        get { zip(names, types).map { ($0, $1) } }
        set {
            names = newValue.map(\.name)
            types = newValue.map(\.type)
        }
    }
    private var names: [String] = []
    private var types: [KipiType] = []
    /// Why a column has the type it has, where that may surprise: see `Column.typeNote`.
    public var typeNotes: [String: String] = [:]

    /// A schema of these columns.
    public init(columns: [(name: String, type: KipiType)]) {
        self.columns = columns
    }

    /// The type of the column of this name; nil when there is none.
    public func type(of column: String) -> KipiType? {
        names.firstIndex(of: column).map { types[$0] }
    }

    /// The columns' names, in order.
    public var columnNames: [String] { names }
}
