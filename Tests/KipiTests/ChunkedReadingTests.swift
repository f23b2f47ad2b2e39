import Foundation
import Testing

@testable import Kipi

/// A file cut into chunks read on their own, wherever the cuts fall, reads as the rows it was
/// written from: the expected values are the ones each test writes into the file.
struct ChunkedReadingTests {
    /// Chunk sizes from a few bytes (a cut in every record, inside quoted fields and between
    /// a carriage return and its line feed's neighbours) to one chunk for the whole file.
    static let chunkSizes = [1, 7, 64, 1_000, 1 << 20]

    func table(_ text: String, chunkBytes: Int, options: DataOptions = DataOptions()) throws -> DataTable {
        var options = options
        options.chunkBytes = chunkBytes
        return try CSVReader.read(Array(text.utf8), name: "big.csv", options: options)
    }

    /// Quoted fields with line breaks, commas and doubled quotes; CRLF on every other line; empty
    /// amounts; a column of numbers up to row 2,500 whose later rows are text.
    @Test(arguments: chunkSizes) func cutsAnywhereReadTheRowsWritten(chunkBytes: Int) throws {
        let rowCount = 3_000
        var text = "id,note,amount,code\r\n"
        for row in 0..<rowCount {
            let note = row % 7 == 0 ? "\"line \(row)\nnext, \"\"quoted\"\"\"" : "n\(row % 13)"
            let amount = row % 5 == 0 ? "" : "\(row).25"
            let code = row < 2_500 ? "\(row)" : "X\(row)"
            text += "\(row),\(note),\(amount),\(code)" + (row % 2 == 0 ? "\r\n" : "\n")
        }
        let data = try table(text, chunkBytes: chunkBytes)
        #expect(data.rowCount == rowCount)
        let ids: [Value] = (0..<rowCount).map { .number(Double($0)) }
        let notes: [Value] = (0..<rowCount).map { row in .text(row % 7 == 0 ? "line \(row)\nnext, \"quoted\"" : "n\(row % 13)") }
        let amounts: [Value] = (0..<rowCount).map { row in row % 5 == 0 ? .null : .number(Double(row) + 0.25) }
        let codes: [Value] = (0..<rowCount).map { row in .text(row < 2_500 ? "\(row)" : "X\(row)") }
        #expect(data["id"]?.values == ids)
        #expect(data["note"]?.values == notes)
        #expect(data["amount"]?.values == amounts)
        #expect(data["code"]?.values == codes)
        #expect(data["code"]?.typeNote == "line 2860 has 'X2500', which is not a number")
    }

    /// Columns not read are only counted, eight bytes at a time, up to a quote or a line end:
    /// quoted fields with delimiters, quotes and line breaks among them still count as one.
    @Test(arguments: chunkSizes) func columnsNotReadAreCountedRight(chunkBytes: Int) throws {
        var text = "id,note,amount,tail,last\n"
        for row in 0..<500 {
            let note = row % 3 == 0 ? "\"a, \"\"b\"\"\nc,d\"" : "plain text here"
            let last = row % 4 == 0 ? "\"x\ny,z\"" : "5\" screen"
            text += "\(row),\(note),\(row * 2),t\(row),\(last)\n"
        }
        let amounts = try table(text, chunkBytes: chunkBytes, options: DataOptions(columns: ["amount"]))
        #expect(amounts.rowCount == 500)
        #expect(amounts["amount"]?.numbers == (0..<500).map { Double($0 * 2) })
        let ids = try table(text, chunkBytes: chunkBytes, options: DataOptions(columns: ["id"]))
        #expect(ids["id"]?.numbers == (0..<500).map(Double.init))
        let tails = try table(text, chunkBytes: chunkBytes, options: DataOptions(columns: ["tail"]))
        #expect(tails["tail"]?[499] == .text("t499"))
        #expect(try table(text, chunkBytes: chunkBytes, options: DataOptions(columns: [])).rowCount == 500)
        let ragged = text + "1,2,3,4,5,6\n"
        do {
            _ = try table(ragged, chunkBytes: chunkBytes, options: DataOptions(columns: ["id"]))
            Issue.record("read a ragged row")
        } catch {
            #expect("\(error)" == "big.csv:\(text.filter { $0 == "\n" }.count + 1): error: row has 6 fields, but the header has 5")
        }
    }

    @Test(arguments: chunkSizes) func emptyAndOneRowFiles(chunkBytes: Int) throws {
        #expect(try table("a,b\n", chunkBytes: chunkBytes).rowCount == 0)
        #expect(try table("a,b", chunkBytes: chunkBytes).rowCount == 0)
        let one = try table("a,b\r\n1,x", chunkBytes: chunkBytes)
        #expect(one.rowCount == 1)
        #expect(one["a"]?.values == [.number(1)])
        #expect(one["b"]?.values == [.text("x")])
        let blankLines = try table("a\n\n1\r\n\r\n2\n\n", chunkBytes: chunkBytes)
        #expect(blankLines["a"]?.values == [.number(1), .number(2)])
    }

    /// More distinct texts than a 16-bit code can number.
    @Test func aTextColumnWithSeventyThousandDistinctCells() throws {
        var text = "name,n\n"
        for row in 0..<140_000 { text += "t\(row % 70_000),\(row)\n" }
        let data = try table(text, chunkBytes: 1 << 16)
        let names = try #require(data["name"])
        #expect(names.count == 140_000)
        #expect(names[0] == .text("t0"))
        #expect(names[69_999] == .text("t69999"))
        #expect(names[139_999] == .text("t69999"))
        #expect(Set(names.texts).count == 70_000)
    }

    @Test func quotedLineBreaksAcrossTheCutsAreReadWhole() throws {
        var text = "id,note,amount\n"
        var expectedSum = 0.0
        for row in 0..<20_000 {
            let note = row % 3 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "plain"
            text += "\(row),\(note),\(row % 100)\n"
            expectedSum += Double(row % 100)
        }
        let data = try table(text, chunkBytes: 4_096)
        #expect(data.rowCount == 20_000)
        #expect(data["amount"]?.numbers.reduce(0, +) == expectedSum)
        #expect(data["note"]?[0] == .text("multi\nline, \"quoted\""))
    }

    @Test func aStrayQuoteThatMisleadsTheCutsIsStillReadRight() throws {
        // An unquoted field holding a quote (5" screen) flips a naive quote count, and every
        // line break inside the quoted notes looks like the end of a record.
        var text = "id,item,note,amount\n"
        for row in 0..<25_000 {
            text += row == 10 ? "\(row),5\" screen,\"a\nb\",1\n" : "\(row),item,\"a\nb\",1\n"
        }
        let data = try table(text, chunkBytes: 4_096)
        #expect(data.rowCount == 25_000)
        #expect(data["amount"]?.numbers.reduce(0, +) == 25_000)
        #expect(data["item"]?[10] == .text("5\" screen"))
    }

    @Test func aRaggedRowInALaterChunkNamesItsLine() {
        var text = "a,b\n"
        for row in 0..<30_000 { text += row == 25_000 ? "1\n" : "1,2\n" }
        #expect(throws: DiagnosticList.self) { try table(text, chunkBytes: 4_096) }
        do {
            _ = try table(text, chunkBytes: 4_096)
        } catch {
            #expect("\(error)" == "big.csv:25002: error: row has 1 field, but the header has 2")
        }
    }

    /// A zero byte is a binary file wherever it is, even after text that is not UTF-8.
    @Test func bytesProblemsInLaterChunks() {
        var text = Array("a,b\n".utf8)
        for _ in 0..<2_000 { text += Array("1,2\n".utf8) }
        var invalid = text
        invalid.insert(0xFF, at: 7_000)
        var binary = invalid
        binary.insert(0, at: 7_500)
        let cases: [([UInt8], String)] = [
            (invalid, "big.csv:1751: error: the text is not valid UTF-8"), (binary, "big.csv: error: the file is binary, not CSV text"),
        ]
        for (bytes, message) in cases {
            do {
                var options = DataOptions()
                options.chunkBytes = 1_000
                _ = try CSVReader.read(bytes, name: "big.csv", options: options)
                Issue.record("read a file with a bad byte")
            } catch {
                #expect("\(error)" == message)
            }
        }
    }

    /// A null token that reads as a number is null, as the header of the option says.
    @Test func aNullTokenThatIsANumber() throws {
        let data = try table("a\n1\n-\n0\n2\n", chunkBytes: 1, options: DataOptions(nullValues: ["0", "-"]))
        #expect(data["a"]?.values == [.number(1), .null, .null, .number(2)])
    }

    /// A file read from disk gives back its pages as it reads and reads the same.
    @Test func aMappedFileReadsTheSame() throws {
        var text = "id,name\n"
        for row in 0..<300_000 { text += "\(row),name \(row % 10)\n" }
        let path = try temporaryFile("mapped.csv", text)
        let data = try DataTable.load(contentsOf: path)
        #expect(data.rowCount == 300_000)
        #expect(data["id"]?.numbers.reduce(0, +) == Double(299_999 * 300_000 / 2))
        #expect(data["name"]?[123_457] == .text("name 7"))
    }
}

/// The one-pass reading of plain decimals (`-1234.56`) gives the correctly rounded value, as
/// the standard library's `Double(text)` (the C library's strtod) does.
struct PlainNumberTests {
    @Test func plainDecimalsAreCorrectlyRounded() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...17, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            if Bool.random(using: &generator) { text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 0...digits, using: &generator))) }
            if Int.random(in: 0..<4, using: &generator) == 0 { text = "-" + text }
            let expected = Double(text.hasPrefix(".") || text.hasPrefix("-.") ? text.replacingOccurrences(of: ".", with: "0.") : text)
            #expect(CSVReader.parseNumber(text, decimalComma: false) == expected, "\(text)")
            let comma = text.replacingOccurrences(of: ".", with: ",")
            #expect(CSVReader.parseNumber(comma, decimalComma: true) == expected, "\(comma)")
        }
        #expect(CSVReader.parseNumber("-0", decimalComma: false)?.sign == .minus)
        #expect(CSVReader.parseNumber("0.0000000000000000000000001", decimalComma: false) == 1e-25)
    }
}
