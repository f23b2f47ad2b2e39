import CZlib
import Foundation

/// The entries of a ZIP archive (what an `.xlsx` workbook is), read from its central directory
/// and inflated on demand with the system's zlib.
struct ZipArchive {
    struct Entry {
        var method: UInt16
        var flags: UInt16
        var checksum: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// Why an archive or one of its entries cannot be read, in words for a message.
    struct Problem: Error {
        var reason: String
    }

    private let bytes: [UInt8]
    private(set) var entries: [String: Entry] = [:]

    /// The most one entry may inflate to: a bound against archives that expand without end.
    static let largestEntry = 1 << 31

    init(_ data: Data) throws(Problem) {
        bytes = [UInt8](data)
        let endRecordSize = 22
        guard bytes.count >= endRecordSize else { throw Problem(reason: "it is too short to be a ZIP archive") }
        // The end record is last, followed by a comment of at most 65,535 bytes.
        let lowest = max(0, bytes.count - endRecordSize - 65_535)
        guard let end = stride(from: bytes.count - endRecordSize, through: lowest, by: -1).first(where: { uint32(at: $0) == 0x0605_4b50 })
        else { throw Problem(reason: "its ZIP directory is missing (the file is cut short or not a workbook)") }
        let entryCount = Int(uint16(at: end + 10))
        let directorySize = Int(uint32(at: end + 12))
        var position = Int(uint32(at: end + 16))
        guard entryCount != 0xFFFF, position != 0xFFFF_FFFF else { throw Problem(reason: "ZIP64 archives are not supported") }
        guard position + directorySize <= end else { throw Problem(reason: "its ZIP directory points outside the file") }
        for _ in 0..<entryCount {
            guard position + 46 <= end, uint32(at: position) == 0x0201_4b50 else { throw Problem(reason: "its ZIP directory is damaged") }
            let nameLength = Int(uint16(at: position + 28))
            let extraLength = Int(uint16(at: position + 30))
            let commentLength = Int(uint16(at: position + 32))
            guard position + 46 + nameLength <= end else { throw Problem(reason: "its ZIP directory is damaged") }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(
                method: uint16(at: position + 10), flags: uint16(at: position + 8), checksum: uint32(at: position + 16),
                compressedSize: Int(uint32(at: position + 20)), uncompressedSize: Int(uint32(at: position + 24)),
                localHeaderOffset: Int(uint32(at: position + 42)))
            position += 46 + nameLength + extraLength + commentLength
        }
    }

    /// The bytes of the entry `name`, or nil when the archive has no such entry.
    func contents(of name: String) throws(Problem) -> Data? {
        guard let entry = entries[name] else { return nil }
        if entry.flags & 1 != 0 { throw Problem(reason: "'\(name)' is encrypted") }
        let header = entry.localHeaderOffset
        guard header + 30 <= bytes.count, uint32(at: header) == 0x0403_4b50 else { throw Problem(reason: "the entry '\(name)' is damaged") }
        let start = header + 30 + Int(uint16(at: header + 26)) + Int(uint16(at: header + 28))
        guard start + entry.compressedSize <= bytes.count else { throw Problem(reason: "the entry '\(name)' is cut short") }
        guard entry.uncompressedSize <= Self.largestEntry else { throw Problem(reason: "the entry '\(name)' is larger than 2 GiB") }
        // DEFLATE expands at most about 1,032 to 1: a larger declared size is a lie, and would
        // have us allocate it before finding out.
        let mostItCanHold = entry.method == 0 ? entry.compressedSize : entry.compressedSize * 1_032 + 1_024
        guard entry.uncompressedSize <= mostItCanHold else {
            throw Problem(reason: "the entry '\(name)' is damaged (it declares more bytes than its data can hold)")
        }
        let contents: [UInt8]
        switch entry.method {
        case 0: contents = Array(bytes[start..<(start + entry.compressedSize)])
        case 8: contents = try inflate(from: start, count: entry.compressedSize, expected: entry.uncompressedSize, name: name)
        default:
            throw Problem(reason: "the entry '\(name)' uses ZIP compression method \(entry.method); only stored and deflated entries are read")
        }
        let checksum = contents.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
        guard checksum == entry.checksum else { throw Problem(reason: "the entry '\(name)' is damaged (its checksum does not match)") }
        return Data(contents)
    }

    /// Raw DEFLATE data inflated to exactly the size the directory declares.
    private func inflate(from start: Int, count: Int, expected: Int, name: String) throws(Problem) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(expected, 1))
        var stream = z_stream()
        // A negative window size tells zlib the data is raw DEFLATE, without a zlib header.
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Problem(reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + start })
                stream.avail_in = UInt32(count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(expected)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expected else {
            throw Problem(reason: "the entry '\(name)' is damaged (it does not inflate to its declared size)")
        }
        output.removeLast(output.count - expected)
        return output
    }

    private func uint16(at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private func uint32(at offset: Int) -> UInt32 {
        UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16
    }
}
