import Foundation
import Kipi

#if canImport(Glibc)
    import Glibc
#endif

/// Reads lines at a terminal with editing, history and completion, through the terminal's raw
/// mode: no dependency beyond the C library.
///
/// Keys: ←/→, Home/End, Ctrl-A/E (start, end), Ctrl-K/U (delete to end, to start), Ctrl-W (delete a
/// word), Backspace/Delete, ↑/↓ (history), Tab (complete), Ctrl-C (abandon the input), Ctrl-D
/// (leave, on an empty line).
struct LineEditor {
    enum Result: Equatable {
        case line(String)
        case interrupted
        case endOfInput
    }

    let input: Int32
    let output: Int32
    private(set) var history: [String] = []
    let historyFile: String?
    var complete: (String) -> [String] = { _ in [] }

    static let historyLimit = 1000

    init(input: Int32, output: Int32, historyFile: String?) {
        self.input = input
        self.output = output
        self.historyFile = historyFile
        if let historyFile, let text = try? String(contentsOfFile: historyFile, encoding: .utf8) {
            history = text.split(separator: "\n").map(String.init).suffix(LineEditor.historyLimit)
        }
    }

    /// The history file: `KIPI_HISTORY`, else `~/.kipi_history`.
    static var defaultHistoryFile: String? {
        let environment = ProcessInfo.processInfo.environment
        if let file = environment["KIPI_HISTORY"] { return file }
        return environment["HOME"].map { ($0 as NSString).appendingPathComponent(".kipi_history") }
    }

    /// Keeps an entered line in the history, and in the file, capped at the limit.
    mutating func remember(_ line: String) {
        let entry = line.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard !entry.trimmingCharacters(in: .whitespaces).isEmpty, history.last != entry else { return }
        history.append(entry)
        if history.count > LineEditor.historyLimit { history.removeFirst(history.count - LineEditor.historyLimit) }
        if let historyFile { try? (history.joined(separator: "\n") + "\n").write(toFile: historyFile, atomically: true, encoding: .utf8) }
    }

    mutating func readLine(prompt: String) -> Result {
        var saved = termios()
        let isTerminal = tcgetattr(input, &saved) == 0
        if isTerminal {
            var raw = saved
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
            raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
            withUnsafeMutableBytes(of: &raw.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            // TCSADRAIN, not TCSAFLUSH: what was typed while the last line ran is read, not lost.
            tcsetattr(input, TCSADRAIN, &raw)
        }
        defer { if isTerminal { tcsetattr(input, TCSADRAIN, &saved) } }
        var state = EditState(prompt: prompt, historyCount: history.count)
        write(prompt)
        while true {
            guard let byte = readByte() else { return .endOfInput }
            switch byte {
            case 13, 10:
                write("\r\n")
                return .line(String(state.text))
            case 3:
                write("^C\r\n")
                return .interrupted
            case 4:
                if state.text.isEmpty {
                    write("\r\n")
                    return .endOfInput
                }
                state.deleteForward()
            case 1: state.cursor = 0
            case 5: state.cursor = state.text.count
            case 11: state.text.removeSubrange(state.cursor...)
            case 21:
                state.text.removeSubrange(..<state.cursor)
                state.cursor = 0
            case 23: state.deleteWordBackward()
            case 127, 8: state.deleteBackward()
            case 9: completeWord(&state)
            case 27: escape(&state)
            default:
                guard byte >= 32, let character = readCharacter(startingWith: byte) else { continue }
                state.text.insert(character, at: state.cursor)
                state.cursor += 1
            }
            render(state)
        }
    }

    private func escape(_ state: inout EditState) {
        guard let first = readByte() else { return }
        var code = [first]
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "O") {
            while let next = readByte() {
                code.append(next)
                if next >= 0x40 && next <= 0x7E { break }
            }
        }
        switch String(decoding: code, as: UTF8.self) {
        case "[A", "OA": recall(&state, by: -1)
        case "[B", "OB": recall(&state, by: 1)
        case "[C", "OC": state.cursor = min(state.text.count, state.cursor + 1)
        case "[D", "OD": state.cursor = max(0, state.cursor - 1)
        case "[H", "OH", "[1~", "[7~": state.cursor = 0
        case "[F", "OF", "[4~", "[8~": state.cursor = state.text.count
        case "[3~": state.deleteForward()
        default: break
        }
    }

    private func recall(_ state: inout EditState, by step: Int) {
        let target = state.historyIndex + step
        guard target >= 0, target <= history.count else { return }
        if state.historyIndex == history.count { state.draft = state.text }
        state.historyIndex = target
        state.text = target == history.count ? state.draft : Array(history[target])
        state.cursor = state.text.count
    }

    private func completeWord(_ state: inout EditState) {
        var start = state.cursor
        while start > 0, EditState.isWordCharacter(state.text[start - 1]) { start -= 1 }
        let word = String(state.text[start..<state.cursor])
        guard !word.isEmpty else { return }
        let candidates = complete(word)
        guard let first = candidates.first else { return }
        var common = Array(first)
        for candidate in candidates.dropFirst() {
            let other = Array(candidate)
            var length = 0
            while length < min(common.count, other.count), common[length] == other[length] { length += 1 }
            common = Array(common.prefix(length))
        }
        if common.count > word.count || candidates.count == 1 {
            let replacement = candidates.count == 1 ? Array(first) : common
            state.text.replaceSubrange(start..<state.cursor, with: replacement)
            state.cursor = start + replacement.count
        } else {
            write("\r\n" + candidates.prefix(40).joined(separator: "  ") + "\r\n")
        }
    }

    private func render(_ state: EditState) {
        let after = String(state.text[state.cursor...])
        var line = "\r" + state.prompt + String(state.text) + "\u{1B}[K"
        let back = TableFormatter.displayWidth(after)
        if back > 0 { line += "\u{1B}[\(back)D" }
        write(line)
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(input, &byte, 1)
            if count == 1 { return byte }
            if count < 0, errno == EINTR { continue }
            return nil
        }
    }

    /// One character of UTF-8, whose first byte was read.
    private func readCharacter(startingWith first: UInt8) -> Character? {
        var bytes = [first]
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        while bytes.count < length, let next = readByte() { bytes.append(next) }
        return String(validating: bytes, as: UTF8.self)?.first
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            written += count
        }
    }
}

/// The line being edited.
private struct EditState {
    let prompt: String
    var text: [Character] = []
    var cursor = 0
    var historyIndex: Int
    /// What was typed before walking the history.
    var draft: [Character] = []

    init(prompt: String, historyCount: Int) {
        self.prompt = prompt
        self.historyIndex = historyCount
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "_`:.".contains(character)
    }

    mutating func deleteBackward() {
        guard cursor > 0 else { return }
        text.remove(at: cursor - 1)
        cursor -= 1
    }

    mutating func deleteForward() {
        guard cursor < text.count else { return }
        text.remove(at: cursor)
    }

    mutating func deleteWordBackward() {
        var start = cursor
        while start > 0, text[start - 1] == " " { start -= 1 }
        while start > 0, text[start - 1] != " " { start -= 1 }
        text.removeSubrange(start..<cursor)
        cursor = start
    }
}
