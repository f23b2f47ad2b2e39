import Foundation
import Kipi

/// Where the command line reads and writes: the real streams, or buffers in tests.
struct Terminal {
    /// All of standard input, or nil when it is more than the limit (in bytes) or cannot be read.
    var readInput: (_ limit: Int) -> [UInt8]?
    var readLine: () -> String?
    var write: (String) -> Void
    var writeError: (String) -> Void

    static var standard: Terminal {
        Terminal(
            readInput: { limit in (try? FileAccess.read(FileHandle.standardInput, atMost: limit))?.map { Array($0) } },
            readLine: { Swift.readLine(strippingNewline: true) },
            write: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            writeError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            colorsErrors: isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                && ProcessInfo.processInfo.environment["TERM"] != "dumb", isInteractive: true)
    }

    /// Whether standard error is a terminal that shows colour (and `NO_COLOR` is not set).
    var colorsErrors = false
    /// Whether these are the process's own streams, which may be a terminal (not a test's buffers).
    var isInteractive = false

    func print(_ text: String) { write(text + "\n") }

    /// Writes a diagnostic to standard error, its `error:` in bold red on a colour terminal.
    func printError(_ text: String) {
        guard colorsErrors, let marker = text.range(of: "error:") else {
            writeError(text + "\n")
            return
        }
        writeError(text.replacingCharacters(in: marker, with: "\u{1B}[1;31merror:\u{1B}[0m") + "\n")
    }
}

/// Exit statuses, as SPEC section 5 pins them.
enum ExitStatus {
    static let success: Int32 = 0
    /// A formula, data or evaluation error.
    static let failure: Int32 = 1
    /// Wrong usage of the command line.
    static let usage: Int32 = 2
    /// `--fail-on`: a KPI or group row has that status or a worse one.
    static let statusReached: Int32 = 3
}
