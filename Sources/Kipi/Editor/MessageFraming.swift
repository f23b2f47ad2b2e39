/// The base protocol of LSP: messages as `Content-Length: N` headers, a blank line, then N bytes
/// of JSON. Bytes come in as they arrive; whole message bodies come out.
public struct MessageFraming: Sendable {
    /// What framing cannot read: the connection is then beyond repair.
    public struct Broken: Error, Sendable, CustomStringConvertible {
        /// Why, in words.
        public var description: String
    }

    /// The largest body accepted: a bound against a header that asks for gigabytes.
    public static let largestBody = 64 << 20
    private var buffer: [UInt8] = []

    /// An empty reader.
    public init() {}

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message body, or nil until more bytes arrive.
    public mutating func next() throws(Broken) -> [UInt8]? {
        guard let headerEnd = Self.find([13, 10, 13, 10], in: buffer) else {
            if buffer.count > 8192 { throw Broken(description: "a header longer than 8 KB without its end") }
            return nil
        }
        var length: Int?
        for line in String(decoding: buffer[..<headerEnd], as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { throw Broken(description: "a header line without ':'") }
            if parts[0].lowercased() == "content-length" {
                guard let value = Int(String(parts[1]).trimmingWhitespace()), value >= 0, value <= Self.largestBody else {
                    throw Broken(description: "Content-Length is not a length up to \(Self.largestBody) bytes")
                }
                length = value
            }
        }
        guard let length else { throw Broken(description: "a message without Content-Length") }
        let start = headerEnd + 4
        guard buffer.count - start >= length else { return nil }
        let body = Array(buffer[start..<(start + length)])
        buffer.removeFirst(start + length)
        return body
    }

    /// A body framed for sending.
    public static func frame(_ body: String) -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("Content-Length: \(bytes.count)\r\n\r\n".utf8) + bytes
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if Array(bytes[start..<(start + pattern.count)]) == pattern { return start }
        }
        return nil
    }
}
