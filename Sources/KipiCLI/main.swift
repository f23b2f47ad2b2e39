import Foundation

var terminal = Terminal.standard
exit(KipiCommand.run(Array(CommandLine.arguments.dropFirst()), terminal: terminal))
