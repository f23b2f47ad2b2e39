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
        Case(source: "k = sum(amount) / count()", typed: ["k = (/ (sum amount~number@row |rows)~number (count |rows)~number)~number"]),
        Case(source: "k = 12 + 15%", typed: ["k = (+ 12~number (% 15~number)~number%=0.15)~number"]),
        Case(
            source: "k = percent(status == \"won\")",
            typed: ["k = (percent (== status~text@row \"won\"~text)~boolean@row |rows)~number%"]),
        Case(
            source: "k = count(where vip and amount > 10)",
            typed: ["k = (count (where (and vip~boolean@row (> amount~number@row 10~number)~boolean@row)~boolean@row) |rows)~number"]),
        Case(source: "k = avg(amount) by manager", typed: ["k = (avg amount~number@row |rows per manager)~number@manager"]),
        Case(
            source: "k = sum(amount) by month(date)",
            typed: ["k = (sum amount~number@row |rows per month(date))~number@month(date)"]),
        Case(source: "k = max(date)", typed: ["k = (max date~date@row |rows)~date"]),
        Case(
            source: "k = count(where date >= date(\"2024-03-01\"))",
            typed: [
                "k = (count (where (>= date~date@row (date \"2024-03-01\"~text)~date=date(\"2024-03-01\"))~boolean@row) |rows)~number"
            ]),
        Case(
            source: "k = count(where amount == null)",
            typed: ["k = (count (where (is-null amount~number@row)~boolean@row) |rows)~number"]),
        Case(
            source: "k = if(count() > 0, \"some\", null)",
            typed: ["k = (if (> (count |rows)~number 0~number)~boolean \"some\"~text null~null)~text"]),
        Case(
            source: "k = sum([1, 2, 3])",
            typed: ["k = (sum [1~number 2~number 3~number]~list of number=[1, 2, 3] |list)~number"]),
        Case(
            source: "let m = amount - 1\nk = sum(m)",
            typed: ["m = (- amount~number@row 1~number)~number@row", "k = (sum def:0~number@row |rows)~number"]),
        Case(
            source: "fn twice(x) = x * 2\nk = sum(twice(amount))",
            typed: ["k = (sum (twice amount~number@row => (* amount~number@row 2~number)~number@row)~number@row |rows)~number"]),
        Case(
            source: "a = avg(amount) by manager\nk = max(a)",
            typed: ["a = (avg amount~number@row |rows per manager)~number@manager", "k = (max def:0~number@manager |groups of manager)~number"]),
        Case(
            source: "param p = 10\nk = sum(amount) * p",
            typed: ["k = (* (sum amount~number@row |rows)~number param:p~number)~number"]),
        Case(source: "k = max(date - 1)", typed: ["k = (max (-days date~date@row 1~number)~date@row |rows)~date"]),
        Case(
            source: "k = count(where month(date) == \"2024-03\")",
            typed: [
                "k = (count (where (== (month date~date@row)~month@row (as-month \"2024-03\"~text)~month=month(\"2024-03\"))~boolean@row) |rows)~number"
            ]),
        // Levels: an inline aggregate in a filter takes the KPI's level, and is repeated over the group's rows.
        Case(
            source: "k = avg(amount where amount <= percentile(amount, 0.95)) by manager",
            typed: [
                "k = (avg amount~number@row (where (<= amount~number@row (broadcast (percentile amount~number@row 0.95~number |rows per manager)~number@manager)~number@row)~boolean@row) |rows per manager)~number@manager"
            ]),
        // A grouped definition with more keys reduces inside each of the KPI's groups.
        Case(
            source: "monthly = sum(amount) by manager, month(date)\nbest = max(monthly) by manager",
            typed: [
                "monthly = (sum amount~number@row |rows per manager, month(date))~number@manager, month(date)",
                "best = (max def:0~number@manager, month(date) |groups of manager, month(date) per manager)~number@manager",
            ]),
        // A coarser grouped definition is repeated over the finer groups.
        Case(
            source: "total = sum(amount) by manager\nshare = sum(amount) / total by manager, month(date)",
            typed: [
                "total = (sum amount~number@row |rows per manager)~number@manager",
                "share = (/ (sum amount~number@row |rows per manager, month(date))~number@manager, month(date) (broadcast def:0~number@manager)~number@manager, month(date))~number@manager, month(date)",
            ]),
        // A window runs along the period key of its value's level.
        Case(
            source: "mom = growth(sum(amount)) by manager, month(date)",
            typed: [
                "mom = (growth (sum amount~number@row |rows per manager, month(date))~number@manager, month(date) |along month(date))~number@manager, month(date)%"
            ]),
        Case(
            source: "r = rank(sum(amount)) by manager",
            typed: ["r = (rank (sum amount~number@row |rows per manager)~number@manager |across)~number@manager"]),
    ]

    @Test(arguments: cases)
    func printsTheTypedTree(_ example: Case) throws {
        #expect(try checked(example.source) == example.typed)
    }

    @Test func keysAreTheSameKeyHoweverSpelled() throws {
        let typed = try checked("a = sum(amount) by manager\nlet who = manager\nb = a / count() by `manager`\nc = a * 2 by who")
        #expect(typed.last == "c = (* def:0~number@manager 2~number)~number@manager")
        #expect(typed.contains("b = (/ def:0~number@manager (count |rows per manager)~number@manager)~number@manager"))
    }

    @Test func definitionsMayUseOnesWrittenBelow() throws {
        let typed = try checked("share = won / total\nwon = count(where status == \"won\")\ntotal = count()")
        #expect(typed.map { $0.prefix { $0 != " " } } == ["won", "total", "share"])
    }

    @Test func aGroupedKPIUsedInAGroupedFormulaKeepsItsGroups() throws {
        let typed = try checked("a = sum(amount) by manager\nb = a / count() by manager")
        #expect(typed[1] == "b = (/ def:0~number@manager (count |rows per manager)~number@manager)~number@manager")
    }

    @Test func checksWithoutDataTakeUnknownNamesForColumns() throws {
        let program = try Kipi().compile(source: SourceText(name: "t.kpi", text: "k = sum(anything)"), schema: nil)
        #expect(program.checked.definitions.map { "\($0.value)" } == ["(sum anything~unknown@row |rows)~number"])
        #expect(program.columnsUsed == ["anything"])
    }
}
