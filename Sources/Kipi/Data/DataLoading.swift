import Foundation

extension DataTable {
    /// Loads a CSV, JSON or `.xlsx` file, mapping it into memory rather than copying it. The
    /// format is `format`, else told by the extension (`.json`; `.xlsx`, `.xlsm`; `.csv`, `.tsv`,
    /// `.txt`), else a workbook for ZIP bytes, JSON for text that starts with `[`, else CSV.
    public static func load(contentsOf path: String, format: DataFormat? = nil, options: DataOptions = DataOptions()) throws(DiagnosticList)
        -> DataTable
    {
        let data: Data
        var mapped = false
        if FileAccess.isStream(path) {
            // A pipe or a device has no size to map: read it, up to the limit.
            switch FileAccess.read(path, atMost: options.maximumStreamBytes) {
            case .success(let contents?): data = contents
            case .success(nil): throw DiagnosticList([Diagnostic(message: FileAccess.tooLarge(options.maximumStreamBytes), file: path)])
            case .failure:
                throw DiagnosticList([Diagnostic(message: "cannot read the data file: \(FileAccess.problem(reading: path))", file: path)])
            }
        } else if let mapping = FileAccess.map(path) {
            (data, mapped) = (mapping, true)
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            } catch {
                throw DiagnosticList([Diagnostic(message: "cannot read the data file: \(FileAccess.problem(reading: path))", file: path)])
            }
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
        return try chosen.read(data, name: path, options: options, mappedFile: mapped)
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
    /// Why `path` cannot be read: no such file, a directory, permission denied, or that it cannot be read.
    public static func problem(reading path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return FileManager.default.isReadableFile(atPath: path) ? "it cannot be read" : "permission denied"
    }

    /// A regular file's bytes if there are at most `limit` of them; else why not, in words for
    /// a message. A pipe or a device is refused: it could go on forever.
    public static func contents(of path: String, atMost limit: Int) -> Result<Data, FunctionError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, !isStream(path)
        else { return .failure(FunctionError(isStream(path) ? "it is not a regular file" : problem(reading: path))) }
        switch read(path, atMost: limit) {
        case .success(let data?): return .success(data)
        case .success(nil): return .failure(FunctionError("it is larger than \(limit) bytes"))
        case .failure: return .failure(FunctionError(problem(reading: path)))
        }
    }

    /// The bytes of a regular, non-empty file, mapped read-only and private: pages of it can be
    /// given back once read (`ByteBuffer.releasePages`) and are read again from the file if
    /// touched. Nil where the file cannot be mapped (the caller then reads it another way).
    static func map(_ path: String) -> Data? {
        #if os(Linux)
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return nil }
            let size = Int(status.st_size)
            guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
            return Data(bytesNoCopy: address, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
        #else
            return nil
        #endif
    }

    /// Everything in the file at `path`, or nil once that is more than `limit` bytes; a failure
    /// to open or read it (its words are `problem(reading:)`'s).
    static func read(_ path: String, atMost limit: Int) -> Result<Data?, any Error> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(FunctionError(problem(reading: path))) }
        defer { try? handle.close() }
        return Result { try read(handle, atMost: limit) }
    }

    /// Whether a path is something other than a regular file or a directory: a pipe, a device.
    static func isStream(_ path: String) -> Bool {
        guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { return false }
        return type != .typeRegular && type != .typeDirectory
    }

    /// Everything `handle` gives until its end, or nil once that is more than `limit` bytes:
    /// standard input, a pipe or `/dev/zero` can go on forever.
    /// Throws when reading fails.
    public static func read(_ handle: FileHandle, atMost limit: Int) throws -> Data? {
        var data = Data()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            guard data.count + chunk.count <= limit else { return nil }
            data.append(chunk)
        }
        return data
    }

    /// The message for a stream that went past the limit.
    public static func tooLarge(_ limit: Int) -> String {
        "the input is larger than the limit of \(limit >> 20) MB (--max-input)"
    }
}
