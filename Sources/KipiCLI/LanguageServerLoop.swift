import Foundation
import Kipi

/// `kipi lsp`: reads framed messages from standard input as they arrive, answers each in turn
/// on standard output, and ends on `exit` or when the editor closes the connection.
enum LanguageServerLoop {
    static func run(input: Int32, output: Int32) -> Int32 {
        let server = LanguageServer()
        var framing = MessageFraming()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return server.exitStatus ?? 0 }
            framing.append(chunk[0..<count])
            do {
                while let body = try framing.next() {
                    for answer in server.handle(body) { write(MessageFraming.frame(answer), to: output) }
                    if let status = server.exitStatus { return status }
                }
            } catch {
                FileHandle.standardError.write(Data("kipi lsp: \(error); the connection cannot go on\n".utf8))
                return ExitStatus.failure
            }
        }
    }

    private static func write(_ bytes: [UInt8], to output: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(output, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
