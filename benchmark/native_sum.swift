// The benchmark's "native Swift loop" peer: what a developer would write by hand to sum one
// CSV column — read the file, walk the bytes once (quote-aware), parse the field with Double().
// Built by run.py with `swiftc -O`; not part of the package.
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3, let column = Int(arguments[2]), let data = FileManager.default.contents(atPath: arguments[1]) else {
    print("usage: native_sum FILE COLUMN")
    exit(2)
}
var total = 0.0
data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
    let bytes = raw.bindMemory(to: UInt8.self)
    var position = 0
    // Skip the header line.
    while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
    position += 1
    var field = 0
    var fieldStart = position
    var quoted = false
    while position <= bytes.count {
        let byte = position < bytes.count ? bytes[position] : UInt8(ascii: "\n")
        if byte == UInt8(ascii: "\"") {
            quoted.toggle()
        } else if !quoted, byte == UInt8(ascii: ",") {
            if field == column, let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<position]), as: UTF8.self)) {
                total += value
            }
            field += 1
            fieldStart = position + 1
        } else if !quoted, byte == UInt8(ascii: "\n") {
            if field == column, let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<position]), as: UTF8.self)) {
                total += value
            }
            field = 0
            fieldStart = position + 1
        }
        position += 1
    }
}
print(total)
