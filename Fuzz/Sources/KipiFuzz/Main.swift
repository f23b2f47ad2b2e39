import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's entry: one input, to the harness `KIPI_FUZZ_TARGET` names.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Harness.selected.run(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@main
enum KipiFuzz {
    static func main() {
        guard ProcessInfo.processInfo.environment["KIPI_FUZZ_TARGET"].flatMap(Harness.init(rawValue:)) != nil else {
            FileHandle.standardError.write(Data("set KIPI_FUZZ_TARGET to one of: \(Harness.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}
