import Foundation

/// LSP positions (a line and a character counted in UTF-16 units, as LSP and web editors count)
/// to and from byte offsets of the text, which Kipi's ranges are.
struct Positions {
    private let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// The byte offset of an LSP position; a character past the line's end is its end, a line past
    /// the text's end is the end; nil for a position that is not one.
    func byteOffset(_ position: [String: Any]) -> Int? {
        guard let line = (position["line"] as? NSNumber)?.intValue, let character = (position["character"] as? NSNumber)?.intValue,
            line >= 0, character >= 0
        else { return nil }
        guard line < lineStarts.count else { return bytes.count }
        let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        var offset = lineStarts[line]
        var units = 0
        while offset < end, units < character {
            let length = Self.sequenceLength(bytes[offset])
            units += length == 4 ? 2 : 1
            offset = min(end, offset + length)
        }
        return offset
    }

    /// The byte range of an LSP range `{start, end}`, start before end.
    func byteRange(_ range: [String: Any]) -> (Int, Int)? {
        guard let start = (range["start"] as? [String: Any]).flatMap(byteOffset), let end = (range["end"] as? [String: Any]).flatMap(byteOffset) else {
            return nil
        }
        return (min(start, end), max(start, end))
    }

    /// The LSP position of a byte offset.
    func position(_ offset: Int) -> [String: Int] {
        let clamped = min(max(0, offset), bytes.count)
        var line = 0
        var low = 0
        var high = lineStarts.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if lineStarts[middle] <= clamped {
                line = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        var units = 0
        var cursor = lineStarts[line]
        while cursor < clamped {
            let length = Self.sequenceLength(bytes[cursor])
            units += length == 4 ? 2 : 1
            cursor += length
        }
        return ["line": line, "character": units]
    }

    /// The LSP range of a byte range.
    func range(_ start: Int, _ end: Int) -> [String: Any] {
        ["start": position(start), "end": position(end)]
    }

    /// The bytes of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...0xF7: 4
        case 0xE0...0xEF: 3
        case 0xC0...0xDF: 2
        default: 1
        }
    }
}
