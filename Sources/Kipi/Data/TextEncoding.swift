import Foundation

/// The text encodings offices write data in.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Excel's "Unicode text": UTF-16 with a byte order mark (little-endian without one).
    case utf16 = "utf-16"
    /// 1C and Russian Excel.
    case cp1251
    /// Chinese Excel (a superset of GBK).
    case gb18030

    /// The name messages use.
    public var displayName: String {
        switch self {
        case .utf8: "UTF-8"
        case .utf16: "UTF-16"
        case .cp1251: "Windows-1251"
        case .gb18030: "GB18030"
        }
    }

    private var foundationEncoding: String.Encoding {
        switch self {
        case .utf8: .utf8
        case .utf16: .utf16
        case .cp1251: .windowsCP1251
        // kCFStringEncodingGB_18030_2000, as Foundation numbers CoreFoundation's encodings.
        case .gb18030: String.Encoding(rawValue: 0x8000_0632)
        }
    }

    /// The text as UTF-8 bytes; nil if it is not valid in this encoding.
    func utf8Bytes(of data: Data) -> Data? {
        if self == .utf8 { return data }
        if self == .cp1251 { return Self.cp1251ToUTF8(data) }
        var bytes = data
        if self == .utf16, !(data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])) {
            bytes = Data([0xFF, 0xFE]) + data
        }
        return String(data: bytes, encoding: foundationEncoding).map { Data($0.utf8) }
    }

    /// Windows-1251's upper half as UTF-8 sequences, one per byte value 0x80–0xFF; empty for
    /// 0x98, the one byte the encoding leaves undefined.
    private static let cp1251Table: [[UInt8]] = (0x80...0xFF).map { byte in
        String(data: Data([UInt8(byte)]), encoding: .windowsCP1251).map { Array($0.utf8) } ?? []
    }

    /// Windows-1251 decoded by table: a byte at a time, far faster than a general decoder on a large file.
    private static func cp1251ToUTF8(_ data: Data) -> Data? {
        let table = cp1251Table
        // Every byte becomes at most 3 bytes of UTF-8.
        var output = Data(count: data.count * 3)
        let written = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int? in
                var position = 0
                for byte in input {
                    if byte < 0x80 {
                        out[position] = byte
                        position += 1
                    } else {
                        let sequence = table[Int(byte) - 0x80]
                        if sequence.isEmpty { return nil }
                        for encoded in sequence {
                            out[position] = encoded
                            position += 1
                        }
                    }
                }
                return position
            }
        }
        guard let written else { return nil }
        output.count = written
        return output
    }

    /// The encoding of bytes that start with a UTF-16 byte order mark.
    static func byOrderMark(_ data: Data) -> TextEncoding? {
        data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) ? .utf16 : nil
    }

    /// For text that is not UTF-8: GB18030 when its start decodes as such into mostly Chinese
    /// characters, else Windows-1251 when that decoding gives letters rather than symbols.
    /// Han characters, CJK and full-width punctuation, and what Chinese exports write beside them:
    /// the yuan sign, the middle dot, curly quotes, dashes and the ellipsis.
    private static func chineseText(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3000...0x303F, 0xFF00...0xFFEF, 0x00A5, 0x00B7, 0x2014, 0x2018...0x201D, 0x2026: true
        default: false
        }
    }

    static func detect(_ whole: Data) -> TextEncoding? {
        // The first 64 KiB tell, cut after a line break, which no multi-byte character contains.
        var data = whole.prefix(65_536)
        if data.count < whole.count, let lastBreak = data.lastIndex(of: UInt8(ascii: "\n")) { data = data[..<lastBreak] }
        func share(_ text: String, _ isWanted: (Unicode.Scalar) -> Bool) -> Double {
            let nonASCII = text.unicodeScalars.filter { $0.value >= 0x80 }
            guard !nonASCII.isEmpty else { return 0 }
            return Double(nonASCII.filter(isWanted).count) / Double(nonASCII.count)
        }
        if let text = TextEncoding.gb18030.utf8Bytes(of: data).flatMap({ String(data: $0, encoding: .utf8) }),
            share(text, { Self.chineseText($0) }) > 0.8
        {
            return .gb18030
        }
        if let text = TextEncoding.cp1251.utf8Bytes(of: data).flatMap({ String(data: $0, encoding: .utf8) }),
            share(text, { (0x0400...0x04FF).contains($0.value) || $0 == "№" || $0 == "\u{00A0}" || $0 == "«" || $0 == "»" || $0 == "—" }) > 0.6
        {
            return .cp1251
        }
        return nil
    }
}
