import Testing

@testable import Kipi

struct CheckerTests {
    static let schema = Schema(columns: [
        ("amount", .number), ("status", .text), ("date", .date), ("manager", .text), ("vip", .boolean),
    ])

    /// Checks `source` and prints each definition as `name = typed tree`.
    func checked(_ source: String) throws -> [String] {
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: source), schema: Self.schema)
        return program.checked.definitions.map { "\($0.name) = \($0.value)" }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var source: String
        var typed: [String]
        var testDescription: String { source }
    }

    static let cases: [Case] = [
        Case(source: "k = sum(amount) / count()", typed: ["k = (/ (sum amount~number@row)~number (count)~number)~number"]),
        Case(source: "k = 12 + 15%", typed: ["k = (+ 12~number 0.15~number%)~number"]),
        Case(
            source: "k = percent(status == \"won\")",
            typed: ["k = (percent (== status~text@row \"won\"~text)~boolean@row)~number%"]),
        Case(
            source: "k = count(where vip and amount > 10)",
            typed: ["k = (count (where (and vip~boolean@row (> amount~number@row 10~number)~boolean@row)~boolean@row))~number"]),
        Case(source: "k = avg(amount) by manager", typed: ["k = (avg amount~number@row)~number@manager"]),
        Case(source: "k = sum(amount) by month(date)", typed: ["k = (sum amount~number@row)~number@month(date)"]),
        Case(source: "k = max(date)", typed: ["k = (max date~date@row)~date"]),
        Case(
            source: "k = count(where date >= date(\"2024-03-01\"))",
            typed: ["k = (count (where (>= date~date@row date(\"2024-03-01\")~date)~boolean@row))~number"]),
        Case(source: "k = count(where amount == null)", typed: ["k = (count (where (is-null amount~number@row)~boolean@row))~number"]),
        Case(
            source: "k = if(count() > 0, \"some\", null)",
            typed: ["k = (if (> (count)~number 0~number)~boolean \"some\"~text null~null)~text"]),
        Case(source: "k = sum([1, 2, 3])", typed: ["k = (sum [1, 2, 3]~list of number)~number"]),
        Case(
            source: "let m = amount - 1\nk = sum(m)",
            typed: ["m = (- amount~number@row 1~number)~number@row", "k = (sum def:0~number@row)~number"]),
        Case(
            source: "fn twice(x) = x * 2\nk = sum(twice(amount))",
            typed: ["k = (sum (* amount~number@row 2~number)~number@row)~number"]),
        Case(
            source: "a = avg(amount) by manager\nk = max(a)",
            typed: ["a = (avg amount~number@row)~number@manager", "k = (max def:0~number@manager)~number"]),
        Case(source: "param p = 10\nk = sum(amount) * p", typed: ["k = (* (sum amount~number@row)~number param:p~number)~number"]),
        Case(source: "k = date - 1", typed: []),
    ]

    @Test(arguments: cases.filter { !$0.typed.isEmpty })
    func printsTheTypedTree(_ example: Case) throws {
        #expect(try checked(example.source) == example.typed)
    }

    @Test func definitionsMayUseOnesWrittenBelow() throws {
        let typed = try checked("share = won / total\nwon = count(where status == \"won\")\ntotal = count()")
        #expect(typed.map { $0.prefix { $0 != " " } } == ["won", "total", "share"])
    }

    @Test func aGroupedKPIUsedInAGroupedFormulaKeepsItsGroups() throws {
        let typed = try checked("a = sum(amount) by manager\nb = a / count() by manager")
        #expect(typed[1] == "b = (/ def:0~number@manager (count)~number@manager)~number@manager")
    }

    @Test func checksWithoutDataTakeUnknownNamesForColumns() throws {
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "k = sum(anything)"), schema: nil)
        #expect(program.checked.definitions.map { "\($0.value)" } == ["(sum anything~unknown@row)~number"])
        #expect(program.columnsUsed == ["anything"])
    }
}
