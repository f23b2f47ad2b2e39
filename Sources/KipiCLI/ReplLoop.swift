/// The REPL's read–print loop over a terminal; the session itself is `ReplSession`.
enum ReplLoop {
    static func run(options: Options, terminal: Terminal) -> Int32 {
        var session = ReplSession()
        if let data = options.data {
            terminal.print(session.handle(":data \(data)", readInput: terminal.readInput))
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
