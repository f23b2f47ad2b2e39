import Foundation
import Kipi

/// The REPL's read–print loop over a terminal; the session itself is the library's `ReplSession`.
enum ReplLoop {
    /// At a terminal (`editor` given): prompts, line editing, history. From a pipe: no prompts,
    /// and exit status 1 if any input failed.
    static func run(options: Options, terminal: Terminal, editor: LineEditor? = nil) -> Int32 {
        let dataOptions = options.dataOptions(for: "")
        // The terminal's user names the files: the session may read them.
        var session = ReplSession(dataOptions: dataOptions, readsFiles: true)
        for table in Set(options.columnTypes.keys).union(options.columnDateOrders.keys).union(options.data.map(\.table)) where !table.isEmpty {
            session.tableDataOptions[table] = options.dataOptions(for: table)
        }
        session.readInput = { terminal.readInput(options.maximumInputBytes) }
        var failed = false
        func show(_ output: ReplSession.Output) {
            if output.failed { failed = true }
            guard !output.text.isEmpty else { return }
            if output.failed, editor == nil { terminal.printError(output.text) } else { terminal.print(output.text) }
        }
        for (table, path) in options.data { show(session.loadData(table: table, path: path)) }
        // The files' `data` lines name the other tables, before the files' definitions are checked.
        var named = Set(options.data.map(\.table))
        for file in options.files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                let program = try? Kipi().compile(source: SourceText(name: file, text: text), schema: nil, loadImport: Kipi.readImport)
            else { continue }
            for source in program.dataSources where named.insert(source.table).inserted {
                show(session.loadData(table: source.table, path: source.resolvedPath, options: options.dataOptions(for: source.table, declared: source)))
            }
        }
        for file in options.files { show(session.handle(":load \(file)")) }
        guard var editor else {
            while !session.isFinished, let line = terminal.readLine() { show(session.handle(line)) }
            if let unfinished = session.finish() { show(unfinished) }
            return failed ? ExitStatus.failure : ExitStatus.success
        }
        terminal.print("Kipi \(KipiCommand.version). Type :help for help, :quit or Ctrl-D to leave.")
        let interrupts = Interrupts()
        defer { interrupts.stop() }
        let completing = session
        editor.complete = { completing.completions(of: $0) }
        var entry = ""
        while !session.isFinished {
            switch editor.readLine(prompt: session.isContinuing ? " ...> " : "kipi> ") {
            case .line(let line):
                entry += entry.isEmpty ? line : "\n" + line
                // Ctrl-C while the line is evaluated cancels that evaluation, not the session.
                let cancellation = Cancellation()
                session.cancellation = cancellation
                interrupts.current = cancellation
                show(session.handle(line))
                interrupts.current = nil
                if !session.isContinuing {
                    editor.remember(entry)
                    entry = ""
                    let current = session
                    editor.complete = { current.completions(of: $0) }
                }
            case .interrupted:
                _ = session.finish()
                entry = ""
            case .endOfInput:
                if let unfinished = session.finish() { show(unfinished) }
                return ExitStatus.success
            }
        }
        return ExitStatus.success
    }
}

/// Ctrl-C at the terminal while a line is evaluated (the line editor reads it as a key at the
/// prompt): SIGINT cancels the evaluation running, instead of ending the process.
final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var running: Cancellation?
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.current?.cancel() }
        source.resume()
    }

    /// The evaluation a Ctrl-C cancels now; nil between lines.
    var current: Cancellation? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return running
        }
        set {
            lock.lock()
            running = newValue
            lock.unlock()
        }
    }

    /// Gives SIGINT back its usual meaning.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
