import Testing

@testable import Kipi

/// SPEC "Several tables", on small tables with values worked out by hand.
struct SeveralTablesTests {
    /// Without schemas, a key that many tables supply from columns of unknown type still runs
    /// along time: the key's type comes from the default table's `month(date)` whatever the
    /// order of the tables in a dictionary (it once depended on it, and failed at random).
    @Test func aWindowOverAKeyOtherTablesSupplyChecksWithoutSchemas() {
        let tables = ["a", "b", "c", "d", "e", "f", "g", "h"]
        let plans = tables.map { "sum(\($0).target)" }.joined(separator: " + ")
        let text = "monthly = sum(amount) + \(plans) by period = month(date)\ngrowth_of_monthly = growth(monthly)\n"
        #expect(diagnostics(text, csv: nil) == "no errors")
    }

    static let facts = """
        manager,date,amount,won
        Ann,2024-03-05,100,true
        Ann,2024-03-20,50,false
        Ann,2024-04-02,200,true
        Bob,2024-03-11,80,true
        Cat,2024-04-15,30,true
        """
    /// Plans per manager and month, the month written as text; Dan has a plan and no deals.
    static let plans = """
        manager,period,target
        Ann,2024-03,300
        Ann,2024-04,100
        Bob,2024-03,160
        Dan,2024-03,50
        """
    static let customers = "id,arpu\n1,10\n2,20\n3,30"
    static let spend = "channel,amount\nads,300\nseo,150"

    func tables() throws -> [String: DataTable] {
        ["": try table(Self.facts), "plans": try table(Self.plans), "customers": try table(Self.customers), "spend": try table(Self.spend)]
    }

    func result(_ formulas: String, filters: [String] = []) throws -> EvaluationResult {
        let data = try tables()
        let program = try Kipi().compile(
            source: SourceText(name: "test.kpi", text: formulas), schema: data[""]?.schema,
            tables: data.filter { !$0.key.isEmpty }.mapValues(\.schema),
            definitions: filters.map { SourceText(name: "--where", text: "where " + $0) })
        return try program.evaluate(tables: data)
    }

    /// `channel` is a column of the spend table only: as a key it is that table's column.
    @Test func aBareKeyThatOnlyAnotherTableHasIsThatTablesColumn() throws {
        let evaluated = try result("spent = sum(spend.amount) by channel\n")
        #expect(groups(evaluated, "spent") == ["ads=300", "seo=150"])
        #expect(messages("spent = sum(spend.amount) by chanel\n") == "test.kpi:1:30: error: unknown column 'chanel'")
    }

    func messages(_ formulas: String) -> String {
        do {
            let data = try tables()
            _ = try Kipi().compile(
                source: SourceText(name: "test.kpi", text: formulas), schema: data[""]?.schema,
                tables: data.filter { !$0.key.isEmpty }.mapValues(\.schema))
            return "no errors"
        } catch {
            return "\(error)".split(separator: "\n").first.map(String.init) ?? ""
        }
    }

    @Test func planFactByManagerJoinsOnTheKey() throws {
        // Ann 300 / 400; Bob 80 / 160; Cat has no plan (a division by zero); Dan no deals (0).
        let k = "k = sum(amount where won) / sum(plans.target) by manager"
        #expect(groups(try result(k), "k") == ["Ann=0.75", "Bob=0.5", "Cat=error: division by zero", "Dan=0"])
    }

    @Test func planFactByManagerAndMonthReadsTheMonthFromText() throws {
        let k = "k = sum(amount where won) / sum(plans.target) by manager, period = month(date)"
        let evaluated = try result(k)
        #expect(groups(evaluated, "k") == [
            "Ann|2024-03=\(100.0 / 300)", "Ann|2024-04=2", "Bob|2024-03=0.5", "Cat|2024-04=error: division by zero", "Dan|2024-03=0",
        ])
        #expect(JSONFormatter.format(evaluated).contains("{\"manager\": \"Ann\", \"period\": \"2024-04\", \"value\": 2}"))
    }

    @Test func anAggregateWithNoRowsInAGroupGivesItsValueForNoRows() throws {
        let k = "k = sum(amount) + avg(plans.target) by manager"
        #expect(groups(try result(k), "k") == ["Ann=550", "Bob=240", "Cat=error: average of no values", "Dan=50"])
    }

    @Test func ltvToCacOverTwoOtherTables() throws {
        let formulas = """
            param lifetime = 12
            ltv = avg(customers.arpu) * lifetime
            cac = sum(spend.amount) / count(customers.id)
            ratio = ltv / cac
            """
        let evaluated = try result(formulas)
        #expect(single(evaluated, "ltv") == "240")
        #expect(single(evaluated, "cac") == "150")
        #expect(single(evaluated, "ratio") == "1.6")
    }

    @Test func lookupPairsValuesAcrossTables() throws {
        // The first plan of each manager: Ann 300, Bob 160; Cat has none, and is filtered out.
        let k = "k = sum(amount * lookup(manager, plans.manager, plans.target) where manager != \"Cat\")"
        #expect(single(try result(k), "k") == "117800")
        let perManager = "k = max(lookup(manager, plans.manager, plans.target)) by manager"
        #expect(groups(try result(perManager), "k").prefix(2) == ["Ann=300", "Bob=160"])
    }

    @Test func fileAndCommandLineWheresFilterBeforeAnyKPI() throws {
        let evaluated = try result("where won\nk = sum(amount)\nn = count()", filters: ["amount >= 80"])
        #expect(single(evaluated, "k") == "380")
        #expect(single(evaluated, "n") == "3")
        #expect(single(try result("where plans.target >= 100\nk = sum(plans.target)\nj = sum(amount)"), "k") == "560")
        #expect(single(try result("where plans.target >= 100\nj = sum(amount)"), "j") == "460")
    }

    @Test(arguments: [
        ("k = sum(plan.target)", "test.kpi:1:9: error: unknown table 'plan'; did you mean 'plans'?"),
        ("k = sum(plans.targt)", "test.kpi:1:9: error: table 'plans' has no column 'targt'; did you mean 'target'?"),
        (
            "k = sum(amount * plans.target)",
            "test.kpi:1:9: error: cannot combine rows of the default table with rows of 'plans'; aggregate each table first, such as sum(amount) / sum(plans.target), or pair rows with lookup(…)"
        ),
        (
            "k = sum(amount where plans.target > 1)",
            "test.kpi:1:22: error: 'sum' reads rows of two tables (the default table and 'plans'); aggregate each table first, such as sum(amount) / sum(plans.target), or pair rows with lookup(…)"
        ),
        (
            "k = sum(amount) / sum(spend.amount) by manager",
            "test.kpi:1:40: error: table 'spend' cannot supply the key 'manager': it has no column 'manager', so give it one with let spend.manager = … (from the columns of 'spend')"
        ),
        (
            "where amount > 1 and plans.target > 1",
            "test.kpi:1:7: error: cannot combine rows of the default table with rows of 'plans'; aggregate each table first, such as sum(amount) / sum(plans.target), or pair rows with lookup(…)"
        ),
        (
            "k = sum(amount)\nwhere k > 1",
            "test.kpi:2:7: error: a file's 'where' is a condition on the rows of one table, from its columns, parameters and constants, such as where region == \"EU\""
        ),
    ])
    func refusedUsesOfSeveralTables(_ formulas: String, _ expected: String) {
        #expect(messages(formulas) == expected)
    }
}
