import Foundation
import Testing

@testable import Kipi

/// `kipi fmt` (SPEC v3): one canonical layout, comments and descriptions kept, idempotent.
struct FormatterTests {
    func formatted(_ text: String) throws -> String {
        try Kipi().format(SourceText(name: "f.kpi", text: text))
    }

    @Test(arguments: [
        ("revenue=sum( amount where won )by manager,month( date )as percent( 1 )critical 5   norm goal*2\n",
         "revenue = sum(amount where won) by manager, month(date) as percent(1)  critical 5  norm goal * 2\n"),
        ("cost = -sum(x)-  -3 + f(-2,[1,2 ,3])\n    # the levels\n    target   -5\n",
         "cost = -sum(x) - -3 + f(-2, [1, 2, 3])\n    # the levels\n    target -5\n"),
        ("x = a in [ \"a\",\"b\" ] and not(b)or c^2&\"t\"   #  why  \n", "x = a in [\"a\", \"b\"] and not (b) or c ^ 2 & \"t\"  #  why\n"),
        ("data   plans=\"plans.csv\"   sheet  \"P\"\nparam   goal=10%\nfn double(v)=v*2\nwhere amount>0\n",
         "data plans = \"plans.csv\" sheet \"P\"\nparam goal = 10%\nfn double(v) = v * 2\nwhere amount > 0\n"),
        ("\n\n# description\nlet won=status==\"won\"\n\n\n\ny = plans.target% + .5 + 1_000_000\n\n",
         "# description\nlet won = status == \"won\"\n\ny = plans.target% + .5 + 1_000_000\n"),
        ("p = if(a,\nb,\n      if(c,\n  d, e))\n", "p = if(a,\n    b,\n    if(c,\n        d, e))\n"),
        ("`Средний чек`=avg(`Сумма сделки`)by 部门 as number(2)\n", "`Средний чек` = avg(`Сумма сделки`) by 部门 as number(2)\n"),
    ])
    func writesTheCanonicalLayout(_ before: String, _ after: String) throws {
        #expect(try formatted(before) == after)
        #expect(try formatted(after) == after)
    }

    @Test func aFileWithSyntaxErrorsIsNotFormatted() {
        #expect(throws: DiagnosticList.self) { try formatted("x = (1 +\n") }
    }

    /// Every shipped `.kpi` file is formatted; each, with its code lines' spacing undone, formats back to itself.
    @Test(arguments: try FileManager.default.contentsOfDirectory(atPath: CookbookTests.formulas.path).filter { $0.hasSuffix(".kpi") }.sorted())
    func everyCookbookFileIsFormattedAndComesBack(_ file: String) throws {
        let text = try String(contentsOf: CookbookTests.formulas.appendingPathComponent(file), encoding: .utf8)
        #expect(try formatted(text) == text)
        let squeezed = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard !line.contains("\""), !line.contains("#"), !line.contains("`") else { return String(line) }
            let indentation = line.prefix { $0 == " " }
            var code = String(line.dropFirst(indentation.count))
            for op in [" = ", " + ", " * ", " / ", " == ", " >= ", " <= ", " & "] { code = code.replacingOccurrences(of: op, with: op.trimmingCharacters(in: .whitespaces)) }
            code = code.replacingOccurrences(of: ", ", with: ",").replacingOccurrences(of: "  ", with: "     ")
            return String(indentation) + "  " + code
        }.joined(separator: "\n")
        #expect(try formatted(squeezed) == text)
    }

    @Test func fmtCheckNamesTheFilesThatWouldChange() throws {
        let good = try temporaryFile("good.kpi", "x = 1\n")
        let bad = try temporaryFile("bad.kpi", "x=1\n")
        let check = CapturedRun(["fmt", "--check", good, bad])
        #expect(check.status == 1)
        #expect(check.errors == "\(bad): would be reformatted\n")
        #expect(try String(contentsOfFile: bad, encoding: .utf8) == "x=1\n")
        #expect(CapturedRun(["fmt", good, bad]).status == 0)
        #expect(try String(contentsOfFile: bad, encoding: .utf8) == "x = 1\n")
        #expect(CapturedRun(["fmt", "--check", bad]).status == 0)
        let broken = try temporaryFile("broken.kpi", "x = (1\n")
        #expect(CapturedRun(["fmt", broken]).status == 1)
        #expect(CapturedRun(["fmt"]).status == 2)
    }
}
