import Foundation

/// Where the command line reads and writes: the real streams, or buffers in tests.
struct Terminal {
    var readInput: () -> [UInt8]
    var readLine: () -> String?
    var write: (String) -> Void
    var writeError: (String) -> Void

    static var standard: Terminal {
        Terminal(
            readInput: { Array(FileHandle.standardInput.readDataToEndOfFile()) },
            readLine: { Swift.readLine(strippingNewline: true) },
            write: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            writeError: { text in FileHandle.standardError.write(Data(text.utf8)) })
    }

    func print(_ text: String) { write(text + "\n") }
    func printError(_ text: String) { writeError(text + "\n") }
}

/// Exit statuses, as SPEC section 5 pins them.
enum ExitStatus {
    static let success: Int32 = 0
    /// A formula, data or evaluation error.
    static let failure: Int32 = 1
    /// Wrong usage of the command line.
    static let usage: Int32 = 2
}
