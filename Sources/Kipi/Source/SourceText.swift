import Foundation

/// The text of one formula file (or `-e` expression), with the index that maps byte
/// offsets to lines and columns.
public struct SourceText: Sendable {
    /// The name shown in diagnostics: a path, or `<expr>` for `-e`.
    public let name: String
    /// The text, without the byte order mark a Windows editor may put before it.
    public let text: String
    let bytes: [UInt8]
    /// UTF-8 offset at which each line starts; line `i` (0-based) starts at `lineStarts[i]`.
    let lineStarts: [Int]

    /// A text and the name its diagnostics show.
    public init(name: String, text: String) {
        self.name = name
        // A byte order mark, as Windows editors write, is no part of the formulas.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.text = text
        let bytes = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.bytes = bytes
        self.lineStarts = starts
    }

    /// A position as people count it: both 1-based, the column in characters, and again in
    /// UTF-16 units as web editors (and LSP) count them.
    public struct Location: Sendable, Hashable, Codable {
        /// The line, from 1.
        public var line: Int
        /// The column in characters, from 1.
        public var column: Int
        /// The column in UTF-16 units, from 1: past a character outside the Basic Multilingual Plane (an emoji) it is one more than `column`.
        public var utf16Column: Int
    }

    /// The 0-based index of the line holding `offset`.
    func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The line and column of a UTF-8 offset.
    public func location(of offset: Int) -> Location {
        let clamped = min(max(0, offset), bytes.count)
        let line = lineIndex(of: clamped)
        let prefix = bytes[lineStarts[line]..<clamped]
        return Location(line: line + 1, column: characterCount(prefix) + 1, utf16Column: String(decoding: prefix, as: UTF8.self).utf16.count + 1)
    }

    /// The text of the 0-based line `index`, without its line break.
    func line(at index: Int) -> Substring {
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        return Substring(decoding(bytes[start..<end]))
    }

    /// The text a range covers, exactly as written.
    public func text(of range: SourceRange) -> String {
        let start = min(max(0, range.start), bytes.count)
        let end = min(max(start, range.end), bytes.count)
        return decoding(bytes[start..<end])
    }

    private func decoding(_ slice: ArraySlice<UInt8>) -> String {
        String(decoding: slice, as: UTF8.self)
    }

    private func characterCount(_ slice: ArraySlice<UInt8>) -> Int {
        decoding(slice).count
    }
}

extension String {
    /// The text without the whitespace (spaces, tabs, line breaks) at either end.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

extension SourceText {
    /// `path` as a file written in `file` means it: relative to that file's folder, unless absolute.
    static func path(_ path: String, writtenIn file: String) -> String {
        let folder = (file as NSString).deletingLastPathComponent
        return path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }
}
