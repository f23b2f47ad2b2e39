import Testing

@testable import Kipi
@testable import KipiCLI

struct CSVReaderTests {
    func read(_ text: String, _ options: DataOptions = DataOptions()) throws -> DataTable {
        try CSVReader.read(Array(text.utf8), name: "d.csv", options: options)
    }

    func errors(_ text: String) -> String {
        do {
            _ = try read(text)
            return "no errors"
        } catch {
            return "\(error)"
        }
    }

    @Test func infersEachColumnsType() throws {
        let data = try read("n,flag,day,name\n1.5,true,2024-01-31,a\n-2e3,FALSE,31.01.2024,b\n,,,\n")
        #expect(data.schema.columns.map { "\($0.name):\($0.type)" } == ["n:number", "flag:boolean", "day:date", "name:text"])
        #expect(data["n"]?.values == [.number(1.5), .number(-2000), .null])
        #expect(data["flag"]?.values == [.boolean(true), .boolean(false), .null])
        #expect(data["day"]?.values.first == KipiDate(year: 2024, month: 1, day: 31).map(Value.date))
        #expect(data["day"]?[1] == data["day"]?[0])
        #expect(data.rowCount == 3)
    }

    @Test func aColumnWithOneNonNumberIsText() throws {
        let data = try read("code\n12\n12a\n")
        #expect(data["code"]?.values == [.text("12"), .text("12a")])
    }

    @Test func semicolonsBOMCRLFAndDecimalCommas() throws {
        let data = try read("\u{FEFF}Менеджер;Сумма\r\nАнна;1 234,56\r\nБорис;1\u{00A0}000,5\r\nВера;7%\r\n")
        #expect(data.columnNames == ["Менеджер", "Сумма"])
        #expect(data["Сумма"]?.values == [.number(1234.56), .number(1000.5), .number(0.07)])
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndNewlines() throws {
        let data = try read("name,amount\n\"Smith, John\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3")
        #expect(data["name"]?.values == [.text("Smith, John"), .text("say \"hi\""), .text("two\nlines")])
        #expect(data["amount"]?.values == [.number(1), .number(2), .number(3)])
    }

    @Test func detectsTabsAndHonoursAForcedDelimiter() throws {
        #expect(try read("a\tb\n1\t2\n").columnNames == ["a", "b"])
        #expect(try read("a;b,c\n1;2,5\n", DataOptions(delimiter: UInt8(ascii: ","))).columnNames == ["a;b", "c"])
    }

    @Test func malformedFilesAreRefusedWithTheLine() {
        #expect(errors("a,b\n1,2\n3\n") == "d.csv:3: error: row has 1 field, but the header has 2")
        #expect(errors("a,b\n1,\"open\n") == "d.csv:2: error: a quoted field is never closed (missing \")")
        #expect(errors("") == "d.csv: error: the file is empty; expected a header row")
        #expect(
            errors("a,,a\n1,2,3\n") == "d.csv:1: error: column 2 has an empty name in the header\nd.csv:1: error: columns 1 and 3 are both named 'a'")
        #expect(errors("a\n\u{0}\u{1}\n") == "d.csv: error: the file is binary, not CSV text")
    }

    @Test func invalidUTF8NamesItsLine() throws {
        let bytes: [UInt8] = Array("a\nok\n".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        #expect(throws: DiagnosticList.self) { try CSVReader.read(bytes, name: "d.csv") }
        do {
            _ = try CSVReader.read(bytes, name: "d.csv")
        } catch {
            #expect(error.description == "d.csv:3: error: the text is not valid UTF-8")
        }
    }

    @Test func aHeaderOnlyFileIsValidWithZeroRows() throws {
        let data = try read("a,b\n")
        #expect(data.rowCount == 0)
        #expect(data.schema.columns.map(\.type) == [.null, .null])
    }
}
