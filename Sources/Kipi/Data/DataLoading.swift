import Foundation

extension DataTable {
    /// Loads a CSV, JSON or `.xlsx` file, mapping it into memory rather than copying it. The
    /// format is `format`, else told by the extension (`.json`; `.xlsx`, `.xlsm`; `.csv`, `.tsv`,
    /// `.txt`), else a workbook for ZIP bytes, JSON for text that starts with `[`, else CSV.
    public static func load(contentsOf path: String, format: DataFormat? = nil, options: DataOptions = DataOptions()) throws(DiagnosticList)
        -> DataTable
    {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw DiagnosticList([Diagnostic(message: "cannot read the data file: \(FileAccess.problem(reading: path))", file: path)])
        }
        let suffix = path.lowercased().split(separator: ".").last.map(String.init) ?? ""
        let byName: DataFormat? =
            switch suffix {
            case "json": .json
            case "xlsx", "xlsm": .xlsx
            case "csv", "tsv", "txt": .csv
            default: nil
            }
        let chosen = format ?? byName ?? DataFormat.detect(data)
        return try chosen.read(data, name: path, options: options)
    }

    /// Loads CSV, JSON or `.xlsx` bytes, such as standard input or a host's upload; `name` is used in messages.
    public static func load(_ data: Data, name: String, format: DataFormat? = nil, options: DataOptions = DataOptions()) throws(DiagnosticList)
        -> DataTable
    {
        try (format ?? DataFormat.detect(data)).read(data, name: name, options: options)
    }
}

/// Why a file could not be read, in words for a message.
public enum FileAccess {
    public static func problem(reading path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return FileManager.default.isReadableFile(atPath: path) ? "it cannot be read" : "permission denied"
    }

    /// The whole of a file, or standard input for `/dev/stdin`.
    static func contents(of path: String) -> Data? {
        try? Data(contentsOf: URL(fileURLWithPath: path))
    }
}
