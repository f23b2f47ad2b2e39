import Foundation
import Testing

@testable import Kipi

struct ParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var source: String
        var tree: String
        var testDescription: String { source }
    }

    static let expressions: [Case] = [
        Case(source: "sum(revenue) / count()", tree: "(/ (sum revenue) (count))"),
        Case(source: "1 + 2 * 3", tree: "(+ 1 (* 2 3))"),
        Case(source: "(1 + 2) * 3", tree: "(* (+ 1 2) 3)"),
        Case(source: "10 - 4 - 3", tree: "(- (- 10 4) 3)"),
        Case(source: "2 ^ 3 ^ 2", tree: "(^ 2 (^ 3 2))"),
        Case(source: "-2 ^ 2", tree: "(- (^ 2 2))"),
        Case(source: "2 ^ -1", tree: "(^ 2 (- 1))"),
        Case(source: "15%", tree: "(% 15)"),
        Case(source: "x% * 2", tree: "(* (% x) 2)"),
        Case(source: "a or b and not c", tree: "(or a (and b (not c)))"),
        Case(source: "not a == b", tree: "(not (== a b))"),
        Case(source: "x + 1 >= y * 2", tree: "(>= (+ x 1) (* y 2))"),
        Case(source: "region in [\"EU\", \"US\"]", tree: "(in region [\"EU\" \"US\"])"),
        Case(source: "count()", tree: "(count)"),
        Case(source: "count(where won)", tree: "(count (where won))"),
        Case(source: "sum(amount where status == \"won\")", tree: "(sum amount (where (== status \"won\")))"),
        Case(source: "percentile(x, 0.9 where y > 1)", tree: "(percentile x 0.9 (where (> y 1)))"),
        Case(source: "1_000_000 + 1e6 + 12.5 + .5", tree: "(+ (+ (+ 1000000 1000000) 12.5) 0.5)"),
        Case(source: "`Средний чек` + выручка + 收入", tree: "(+ (+ `Средний чек` выручка) 收入)"),
        Case(source: "\"a \\\"quoted\\\" \\\\ text\\n\"", tree: "\"a \"quoted\" \\ text\n\""),
        Case(source: "[]", tree: "[]"),
        Case(source: "[1, 2, 3,]", tree: "[1 2 3]"),
        Case(source: "true and false or null", tree: "(or (and true false) null)"),
        Case(source: "if(a > 0, b / a, 0)", tree: "(if (> a 0) (/ b a) 0)"),
        Case(source: "date(\"2024-03-31\")", tree: "(date \"2024-03-31\")"),
    ]

    @Test(arguments: expressions)
    func parsesExpression(_ example: Case) {
        let (tree, errors) = Parser.parseExpression(SourceText(name: "e", text: example.source), name: "k")
        #expect(errors.isEmpty, "\(errors)")
        #expect(tree.declarations.map(\.description) == ["(kpi k \(example.tree))"])
    }

    @Test func parsesAFileOfEveryDeclaration() {
        let text = """
            # Shared helpers
            import "common.kpi"

            param critical = 50  # a trailing comment is no description
            param region = "EU"
            let won = status == "won"
            fn level(fact, low, high) = (fact - low) / (high - low)
            # Revenue of won deals
            # (two description lines)
            revenue = sum(amount where won)
            by_month = sum(amount) by month(date), region
            """
        let (tree, errors) = Parser.parseFile(SourceText(name: "f.kpi", text: text))
        #expect(errors.isEmpty, "\(errors)")
        #expect(
            tree.declarations.map(\.description) == [
                "(import \"common.kpi\")",
                "(param critical 50)",
                "(param region \"EU\")",
                "(let won (== status \"won\"))",
                "(fn level (fact low high) (/ (- fact low) (- high low)))",
                "(kpi revenue (sum amount (where won)))",
                "(kpi by_month (sum amount) (by (month date) region))",
            ])
        #expect(
            tree.declarations.map(\.documentation) == [
                "Shared helpers", "", "", "", "", "Revenue of won deals\n(two description lines)", "",
            ])
    }

    @Test func continuesAnExpressionAcrossLines() {
        let text = """
            total = sum(amount
                where won) +
                sum(cost)
            ratio = a /
                b
            """
        let (tree, errors) = Parser.parseFile(SourceText(name: "f.kpi", text: text))
        #expect(errors.isEmpty, "\(errors)")
        #expect(
            tree.declarations.map(\.description) == [
                "(kpi total (+ (sum amount (where won)) (sum cost)))",
                "(kpi ratio (/ a b))",
            ])
    }

    @Test func everyNodeCarriesItsSourceRange() {
        let source = SourceText(name: "f.kpi", text: "k = sum(amount where won) / 2")
        let (tree, _) = Parser.parseFile(source)
        guard case .kpi(_, let value, _) = tree.declarations.first?.kind,
            case .binary(_, let left, let right) = value.kind,
            case .call(_, _, let arguments, let filter) = left.kind
        else {
            Issue.record("unexpected tree")
            return
        }
        #expect(source.text(of: value.range) == "sum(amount where won) / 2")
        #expect(source.text(of: left.range) == "sum(amount where won)")
        #expect(source.text(of: right.range) == "2")
        #expect(source.text(of: arguments[0].range) == "amount")
        #expect(filter.map { source.text(of: $0.range) } == "won")
        #expect(source.text(of: tree.declarations[0].nameRange) == "k")
    }

    @Test func refusesNestingBeyondTheLimit() {
        let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
        let (_, errors) = Parser.parseExpression(SourceText(name: "e", text: deep), name: "k")
        #expect(errors.first?.message == "expression is nested too deeply (more than 128 levels)")
        let negations = String(repeating: "-", count: 5000) + "1"
        let (_, negationErrors) = Parser.parseExpression(SourceText(name: "e", text: negations), name: "k")
        #expect(negationErrors.count == 1)
    }

    @Test func theGrammarExamplesParse() throws {
        let grammar = try String(contentsOf: repositoryRoot.appendingPathComponent("Grammar.md"), encoding: .utf8)
        let blocks = grammar.components(separatedBy: "```kpi\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(!blocks.isEmpty)
        for block in blocks {
            let (tree, errors) = Parser.parseFile(SourceText(name: "Grammar.md", text: block))
            #expect(errors.isEmpty, "\(errors)")
            #expect(tree.declarations.count == block.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("#") }.count)
        }
    }
}

/// One identifier rule for the lexer, a host's function names and the names written without
/// backticks: they once disagreed on combining marks and digits of other scripts.
struct IdentifierRuleTests {
    @Test(arguments: ["cafe\u{301}", "x\u{0967}", "выручка_2024", "收入", "_a"])
    func aNameTheLexerReadsIsPlainAndRegisters(_ name: String) throws {
        let (tree, errors) = Kipi.parse(SourceText(name: "t.kpi", text: "\(name) = 1\n"))
        #expect(errors.isEmpty)
        #expect(tree.declarations.first?.name == name)
        #expect(Kipi.isPlainName(name))
        var registry = FunctionRegistry()
        #expect(throws: Never.self) {
            try registry.register(FunctionDefinition(name, [], returns: .exactly(.number), summary: "test", implementation: .scalar(propagatesNull: false) { _ in .number(1) }))
        }
    }

    @Test(arguments: ["1a", "a-b", "where", "a b"])
    func otherTextIsNot(_ name: String) {
        #expect(!Kipi.isPlainName(name))
    }
}
