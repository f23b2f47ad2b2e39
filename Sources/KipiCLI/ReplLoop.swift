/// The REPL's read–print loop over a terminal; the session itself is `ReplSession`.
enum ReplLoop {
    static func run(options: Options, terminal: Terminal) -> Int32 {
        var session = ReplSession()
        for (table, path) in options.data {
            terminal.print(session.handle(":data " + (table.isEmpty ? path : "\(table)=\(path)"), readInput: terminal.readInput))
        }
        for file in options.files {
            terminal.print(session.handle(":load \(file)", readInput: terminal.readInput))
        }
        terminal.print("Kipi \(KipiCommand.version). Type :help for help, :quit to leave.")
        while !session.isFinished {
            terminal.write(session.isContinuing ? " ...> " : "kipi> ")
            guard let line = terminal.readLine() else { break }
            let output = session.handle(line, readInput: terminal.readInput)
            if !output.isEmpty { terminal.print(output) }
        }
        return ExitStatus.success
    }
}
