/// A data file the engine reads itself, named where a table is (`--table data=events.parquet`):
/// its rows never pass through Kipi.
struct SQLDataFile: Hashable {
    enum Format: Hashable {
        case parquet
        case csv
        /// A JSON array of objects (`.json`), or one object per line (`.jsonl`, `.ndjson`).
        case json(linePerRecord: Bool)
    }

    var path: String
    var format: Format

    /// The file a table reference names, by its extension; nil for a table's name.
    init?(reference: String) {
        let lowered = reference.lowercased()
        let formats: [(String, Format)] = [
            (".parquet", .parquet), (".csv", .csv), (".json", .json(linePerRecord: false)), (".jsonl", .json(linePerRecord: true)),
            (".ndjson", .json(linePerRecord: true)),
        ]
        guard let found = formats.first(where: { lowered.hasSuffix($0.0) }) else { return nil }
        path = reference
        format = found.1
    }

    /// The file as Kipi table `table` reads it in `dialect`, or why it cannot.
    func reading(in dialect: SQLDialect, table: String) -> Result<(from: String, setup: String?), Diagnostic> {
        guard let reading = reading(in: dialect, viewName: "kipi file \(table.isEmpty ? "data" : table)") else {
            return .failure(Diagnostic(message: "\(dialect.rawValue) does not read the file '\(path)' itself: load it into a table and give the table with --table"))
        }
        return .success(reading)
    }

    /// The file as a FROM item of `dialect`, and for Spark the statement that makes the temporary
    /// view it is read through (Spark's `csv.` source would read the header as a row); nil where
    /// the engine cannot read files (PostgreSQL reads only files on its server, as a superuser).
    private func reading(in dialect: SQLDialect, viewName: String) -> (from: String, setup: String?)? {
        let path = dialect.text(self.path)
        switch dialect {
        case .duckdb:
            switch format {
            case .parquet: return ("read_parquet(\(path))", nil)
            case .csv: return ("read_csv(\(path), header = true)", nil)
            case .json(let linePerRecord): return ("read_json(\(path), format = '\(linePerRecord ? "newline_delimited" : "array")')", nil)
            }
        case .postgres:
            return nil
        case .spark:
            let options: String
            switch format {
            case .parquet: options = "USING parquet OPTIONS (path \(path))"
            case .csv: options = "USING csv OPTIONS (path \(path), header 'true', inferSchema 'true')"
            case .json(let linePerRecord): options = "USING json OPTIONS (path \(path), multiLine '\(!linePerRecord)')"
            }
            let view = dialect.identifier(viewName)
            return (view, "CREATE OR REPLACE TEMPORARY VIEW \(view) \(options)")
        }
    }
}
