import CZlib

/// Writes a ZIP archive (what an `.xlsx` workbook is), each entry deflated with the system's
/// zlib. Entries carry a fixed date, so that the same contents make the same bytes.
struct ZipWriter {
    private var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    /// Adds an entry named `name` holding `contents`.
    mutating func add(_ name: String, _ contents: [UInt8]) {
        let compressed = ZipWriter.deflated(contents)
        // Stored when deflating does not help (or zlib could not), as ZIP allows.
        let (method, data): (UInt16, [UInt8]) = compressed.map { $0.count < contents.count ? (8, $0) : (0, contents) } ?? (0, contents)
        let checksum = contents.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        let nameBytes = Array(name.utf8)
        let offset = UInt32(bytes.count)
        // Version 2.0, UTF-8 names (bit 11), the method, 1980-01-01 00:00, the sizes.
        func common(_ into: inout [UInt8]) {
            into += le16(20) + le16(0x0800) + le16(method) + le16(0) + le16(0x0021)
            into += le32(checksum) + le32(UInt32(data.count)) + le32(UInt32(contents.count))
            into += le16(UInt16(nameBytes.count)) + le16(0)
        }
        bytes += le32(0x0403_4b50)
        common(&bytes)
        bytes += nameBytes + data
        directory += le32(0x0201_4b50) + le16(20)
        common(&directory)
        directory += le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        count += 1
    }

    /// The archive: the entries, the central directory and its end record.
    func finished() -> [UInt8] {
        var archive = bytes + directory
        archive += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count))
        archive += le32(UInt32(directory.count)) + le32(UInt32(bytes.count)) + le16(0)
        return archive
    }

    /// `input` as raw DEFLATE data; nil if zlib fails.
    private static func deflated(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        // A negative window size makes raw DEFLATE, without a zlib header, as ZIP stores it.
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 16)
        let status: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }

}

/// Little-endian bytes, as ZIP writes every number.
private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
