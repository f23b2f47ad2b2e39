import Testing

@testable import Kipi

/// Diagnostics compared by their exact rendered text: header, source line and caret.
struct DiagnosticTests {
    @Test func misspelledColumnSuggestsTheRealOne() {
        #expect(
            diagnostics("revenue = sum(amout)") == """
                test.kpi:1:15: error: unknown column 'amout'; did you mean 'amount'?
                revenue = sum(amout)
                              ^~~~~
                """)
    }

    @Test func wrongArgumentCount() {
        #expect(
            diagnostics("r = round(amount, 1, 2)") == """
                test.kpi:1:5: error: 'round' takes 1 to 2 arguments, but 3 were given
                r = round(amount, 1, 2)
                    ^~~~~~~~~~~~~~~~~~~
                """)
        #expect(
            diagnostics("n = abs()") == """
                test.kpi:1:5: error: 'abs' takes 1 argument, but 0 were given
                n = abs()
                    ^~~~~
                """)
    }

    @Test func sumOfATextColumnIsATypeError() {
        #expect(
            diagnostics("total = sum(manager)") == """
                test.kpi:1:13: error: 'sum' expects a number column for 'x', but got text
                total = sum(manager)
                            ^~~~~~~
                """)
    }

    @Test func referenceCycleNamesTheCycle() {
        #expect(
            diagnostics("a = b + 1\nb = c * 2\nc = a") == """
                test.kpi:3:5: error: reference cycle: a → b → c → a
                c = a
                    ^
                """)
    }

    @Test func reportsEveryErrorOfAFile() {
        #expect(
            diagnostics(
                """
                revenue = sum(amout)
                share = percent(manager)
                late = count(where date > 5)
                ok = count()
                """) == """
                    test.kpi:1:15: error: unknown column 'amout'; did you mean 'amount'?
                    revenue = sum(amout)
                                  ^~~~~
                    test.kpi:2:17: error: 'percent' expects a boolean column for 'condition', but got text
                    share = percent(manager)
                                    ^~~~~~~
                    test.kpi:3:20: error: cannot compare a date with a number using '>'
                    late = count(where date > 5)
                                       ^~~~~~~~
                    """)
    }

    @Test func syntaxErrorsOfSeveralLinesAreAllReported() {
        #expect(
            diagnostics("a = (1 +\nb = 2 +* 3\nc = sum(amount") == """
                test.kpi:1:9: error: expected an expression, found end of line
                a = (1 +
                        ^
                test.kpi:2:8: error: expected an expression, found '*'
                b = 2 +* 3
                       ^
                test.kpi:3:15: error: expected ',', 'where' or ')' in the call to 'sum', found end of file
                c = sum(amount
                              ^
                """)
        #expect(
            diagnostics("a = 1 +* 2\nb = )\nc = 3") == """
                test.kpi:1:8: error: expected an expression, found '*'
                a = 1 +* 2
                       ^
                test.kpi:2:5: error: expected an expression, found ')'
                b = )
                    ^
                """)
    }

    static let moreCases: [(String, String)] = [
        (
            "k = amount",
            "test.kpi:1:5: error: 'k' would be a whole column, one value per row; wrap it in an aggregate such as sum(…) or count(…), or define it with 'let'"
        ),
        ("k = sum(amount) where 1", "test.kpi:1:17: error: expected end of line after the definition, found 'where'"),
        (
            "k = abs(amount where amount > 0)",
            "test.kpi:1:22: error: 'where' filters the rows of an aggregate such as sum or count; 'abs' is not an aggregate"
        ),
        ("k = summ(amount)", "test.kpi:1:5: error: unknown function 'summ'; did you mean 'sum'?"),
        (
            "k = sum(amount) by 5",
            "test.kpi:1:20: error: a 'by' key must have one value per row: a column, or an expression of columns such as month(date)"
        ),
        (
            "k = count(where date > \"2024-01-01\")",
            "test.kpi:1:17: error: cannot compare a date with text using '>'; write a date as date(\"yyyy-mm-dd\")"
        ),
        ("param since = date(\"2024-13-01\")", "test.kpi:1:15: error: '2024-13-01' is not a date (expected yyyy-mm-dd or dd.mm.yyyy)"),
        (
            "param p = amount\nk = p",
            "test.kpi:1:11: error: the default of parameter 'p' must be a constant, such as 50, 15%, \"EU\" or date(\"2024-01-01\")"
        ),
        ("fn f(x) = f(x)\nk = f(1)", "test.kpi:1:11: error: function 'f' calls itself; recursion is not allowed"),
        ("k = 1\nk = 2", "test.kpi:2:1: error: 'k' is already defined (test.kpi:1)"),
        (
            "k = amount + sum(amount) by manager",
            "test.kpi:1:5: error: 'k' would be a whole column, one value per row; wrap it in an aggregate such as sum(…) or count(…), or define it with 'let'"
        ),
        (
            "a = sum(amount) by manager\nb = sum(amount) by date\nk = a + b",
            "test.kpi:3:5: error: cannot combine one value per manager with one value per date; aggregate one of them first"
        ),
        ("k = 1 < 2 < 3", "test.kpi:1:11: error: comparisons do not chain; combine them with 'and'"),
        ("k = \"open", "test.kpi:1:5: error: unterminated string"),
        ("k = 1 | 2", "test.kpi:1:7: error: unexpected character '|'; write 'or'"),
        (
            "k = count(where 5 - date > 0)",
            "test.kpi:1:17: error: cannot subtract a date from a number; a date minus a number of days is written date - days"
        ),
        ("fn sum(x) = x", "test.kpi:1:4: error: 'sum' is a built-in function; choose another name"),
        ("k = [1, \"a\"]", "test.kpi:1:9: error: the list mixes a number and text"),
        ("k = count(where manager in [1, 2])", "test.kpi:1:17: error: cannot compare text with a number using 'in'"),
    ]

    @Test(arguments: moreCases)
    func reportsAClearMessage(_ source: String, _ expected: String) {
        let rendered = diagnostics(source)
        #expect(rendered.split(separator: "\n").first.map(String.init) == expected, "\(rendered)")
    }

    @Test func caretsCountCharactersNotBytes() {
        #expect(
            diagnostics("выручка = sum(сумма)") == """
                test.kpi:1:15: error: unknown column 'сумма'
                выручка = sum(сумма)
                              ^~~~~
                """)
    }
}
