/// A half-open range of UTF-8 byte offsets into one source text.
///
/// Line and column are not stored: `SourceText.location(of:)` computes them when a
/// diagnostic is rendered.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    /// UTF-8 offset of the first byte.
    public var start: Int
    /// UTF-8 offset one past the last byte.
    public var end: Int

    /// The bytes from `start` up to `end` (an end before the start is the start).
    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// The range as `start..<end`.
    public var description: String { "\(start)..<\(end)" }
}
