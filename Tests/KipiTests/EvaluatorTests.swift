import Testing

@testable import Kipi

/// Every construct of SPEC section 2 on a small dataset; expected values worked out by hand.
struct EvaluatorTests {
    static let deals = """
        manager,region,status,amount,cost,date,vip
        Ann,EU,won,100,60,2024-01-15,true
        Ann,EU,lost,50,,2024-01-20,false
        Bob,US,won,200,150,2024-02-03,false
        Bob,US,open,,10,2024-02-10,
        Cid,EU,won,300,100,2024-03-31,true
        """

    func value(_ formula: String, csv: String = deals) throws -> String {
        single(try evaluate("k = \(formula)", csv: csv), "k")
    }

    func number(_ formula: String, csv: String = deals) throws -> Double? {
        guard case .single(.value(.number(let number)))? = try evaluate("k = \(formula)", csv: csv)["k"]?.value else { return nil }
        return number
    }

    func grouped(_ formulas: String, _ name: String = "k", csv: String = deals) throws -> [String] {
        groups(try evaluate(formulas, csv: csv), name)
    }

    static let aggregates: [(String, String)] = [
        ("count()", "5"),
        ("count(amount)", "4"),
        ("count(where status == \"won\")", "3"),
        ("count(amount where status != \"won\")", "1"),
        ("sum(amount)", "650"),
        ("sum(amount where status == \"won\")", "600"),
        ("sum(amount where status == \"nobody\")", "0"),
        ("count(where status == \"nobody\")", "0"),
        ("avg(amount)", "162.5"),
        ("average(amount)", "162.5"),
        ("min(amount)", "50"),
        ("max(amount)", "300"),
        ("max(date)", "date(\"2024-03-31\")"),
        ("min(manager)", "\"Ann\""),
        ("count_distinct(manager)", "3"),
        ("count_distinct(cost)", "4"),
        ("percent(status == \"won\")", "0.6"),
        ("percent(vip)", "0.5"),
        ("sum(amount - cost)", "290"),
        ("sum([1, 2, 3.5])", "6.5"),
        ("avg(amount where status == \"nobody\")", "error: average of no values"),
        ("max(amount where amount > 1000)", "error: max of no values"),
    ]

    @Test(arguments: aggregates)
    func reducesAColumn(_ formula: String, _ expected: String) throws {
        #expect(try value(formula) == expected)
    }

    static let nulls: [(String, String)] = [
        ("count(where amount == null)", "1"),
        ("count(where amount != null)", "4"),
        ("count(where amount > 100)", "2"),
        ("count(where not (amount > 100))", "2"),
        ("count(where vip or amount > 250)", "2"),
        ("count(where vip and amount > 0)", "2"),
        ("count(where not vip)", "2"),
        ("count(amount + cost)", "3"),
        ("sum(coalesce(amount, 0))", "650"),
        ("count(coalesce(cost, amount))", "5"),
        ("null + 1", "null"),
        ("sum(if(status == \"won\", amount, 0))", "600"),
        ("count(if(vip, 1, null))", "2"),
    ]

    @Test(arguments: nulls)
    func nullsAreSkippedAndPropagated(_ formula: String, _ expected: String) throws {
        #expect(try value(formula) == expected)
    }

    static let scalars: [(String, String)] = [
        ("1 + 2 * 3", "7"),
        ("7 - 2 - 1", "4"),
        ("2 ^ 10", "1024"),
        ("-2 ^ 2", "-4"),
        ("2 ^ -1", "0.5"),
        ("15%", "0.15"),
        ("50% * 50%", "0.25"),
        ("1_000 + 1e3", "2000"),
        ("10 / 4", "2.5"),
        ("abs(-3.5)", "3.5"),
        ("round(2.5)", "3"),
        ("round(-2.5)", "-3"),
        ("round(2.675, 2)", "2.68"),
        ("round(1.005, 2)", "1.01"),
        ("round(1234.5, -2)", "1200"),
        ("round(avg(amount) / 3, 2)", "54.17"),
        ("\"a\" < \"b\"", "true"),
        ("\"EU\" in [\"EU\", \"US\"]", "true"),
        ("3 in [1, 2]", "false"),
        ("if(1 > 2, \"yes\", \"no\")", "\"no\""),
        ("if(null, 1, 2)", "2"),
        ("coalesce(null, null, 3)", "3"),
        ("year(date(\"2024-03-31\"))", "year(2024)"),
        ("quarter(date(\"2024-03-31\"))", "quarter(\"2024-Q1\")"),
        ("quarter(date(\"2024-10-01\"))", "quarter(\"2024-Q4\")"),
        ("month(date(\"2024-03-31\"))", "month(\"2024-03\")"),
        ("week(date(\"2024-01-01\"))", "week(\"2024-W01\")"),
        ("week(date(\"2021-01-03\"))", "week(\"2020-W53\")"),
        ("week(date(\"2024-12-30\"))", "week(\"2025-W01\")"),
        ("day(date(\"2024-03-31\"))", "31"),
        ("date(\"31.03.2024\") == date(\"2024-03-31\")", "true"),
        ("date(\"2024-03-01\") + 30", "date(\"2024-03-31\")"),
        ("date(\"2024-03-31\") - date(\"2024-01-01\")", "90"),
        ("date(\"2024-03-01\") - 1", "date(\"2024-02-29\")"),
        ("count(where date >= date(\"2024-02-01\"))", "3"),
        ("count(where region in [\"EU\"])", "3"),
        ("date(\"2024-13-01\")", "error: '2024-13-01' is not a date (expected yyyy-mm-dd or dd.mm.yyyy)"),
    ]

    @Test(arguments: scalars)
    func operatorsAndScalarFunctions(_ formula: String, _ expected: String) throws {
        #expect(try value(formula) == expected)
    }

    @Test func ifCountsOnlyTheBranchItTakes() throws {
        // The division fails in no row the condition sends to it.
        #expect(try value("sum(if(amount > 1000, amount / 0, 1))") == "5")
        #expect(try value("if(count() > 100, 1 / 0, 7)") == "7")
        let ratio = try number("sum(if(cost > 0, amount / cost, 0))")
        #expect(abs((ratio ?? 0) - 6.0) < 1e-12)
    }

    @Test func anEmptyConditionColumnTakesTheElseBranch() throws {
        // The column has no values, so it is stored as numbers: its flags are read once, not per row.
        let csv = "flag,x\n" + String(repeating: ",1\n", count: 20_000)
        #expect(try value("sum(if(flag, x, 2))", csv: csv) == "40000")
    }

    @Test func divisionByZeroFailsOnlyItsKPI() throws {
        let result = try evaluate("a = sum(amount) / 0\nb = count()\nc = a + 1", csv: Self.deals)
        #expect(single(result, "a") == "error: division by zero")
        #expect(single(result, "b") == "5")
        #expect(single(result, "c") == "error: division by zero")
    }

    @Test func aFailedRowFailsTheAggregateUnlessFilteredOut() throws {
        #expect(try value("sum(amount / (cost - 60))") == "error: division by zero")
        let filtered = try number("sum(amount / (cost - 60) where cost != 60)")
        #expect(abs((filtered ?? 0) - (200.0 / 90 + 300.0 / 40)) < 1e-12)
    }

    @Test func groupsByOneKeySortedByKey() throws {
        #expect(try grouped("k = avg(amount) by manager") == ["Ann=75", "Bob=200", "Cid=300"])
        #expect(try grouped("k = count() by region") == ["EU=3", "US=2"])
    }

    @Test func emptyGroupsGiveZeroSumsAndFailedAverages() throws {
        #expect(try grouped("k = sum(amount where status == \"lost\") by manager") == ["Ann=50", "Bob=0", "Cid=0"])
        #expect(
            try grouped("k = avg(amount where status == \"lost\") by manager") == [
                "Ann=50", "Bob=error: average of no values", "Cid=error: average of no values",
            ])
    }

    @Test func aFailedRowFailsOnlyItsGroup() throws {
        let rows = try grouped("k = sum(amount / (cost - 60)) by manager")
        #expect(rows.first == "Ann=error: division by zero")
        #expect(rows.dropFirst().map { $0.prefix(4) } == ["Bob=", "Cid="])
    }

    @Test func groupsByExpressionsAndSeveralKeys() throws {
        #expect(try grouped("k = sum(amount) by month(date)") == ["2024-01=150", "2024-02=200", "2024-03=300"])
        #expect(try grouped("k = count() by region, month(date)") == ["EU|2024-01=2", "EU|2024-03=1", "US|2024-02=2"])
        #expect(try grouped("k = count() by vip") == ["false=2", "true=2", "null=1"])
    }

    @Test func manyKeyCombinationsGroupLikeFew() throws {
        // 3,000 × 3,000 possible pairs: past the direct table, grouped through a dictionary.
        let csv = "a,b,x\n" + (0..<3000).map { "\($0),\(2999 - $0),\($0 % 2)" }.joined(separator: "\n") + "\n0,2999,5"
        let rows = try grouped("k = sum(x) by a, b", csv: csv)
        #expect(rows.count == 3000)
        #expect(rows.first == "0|2999=5")
        #expect(rows.last == "2999|0=1")
    }

    @Test func groupsByAHelperColumn() throws {
        let rows = try grouped("let size = if(amount >= 200, \"big\", \"small\")\nk = count() by size")
        #expect(rows == ["big=2", "small=3"])
    }

    @Test func groupKeysAreNamedAsWritten() throws {
        let result = try evaluate("k = count() by region, month( date )", csv: Self.deals)
        guard case .grouped(let keyNames, _)? = result["k"]?.value else {
            Issue.record("not grouped")
            return
        }
        #expect(keyNames == ["region", "month( date )"])
    }

    @Test func aGroupedKPIActsAsAColumnOfItsGroups() throws {
        let formulas = "a = avg(amount) by manager\nk = max(a)\nn = count(a where a > 100)\nb = a * 2"
        let result = try evaluate(formulas, csv: Self.deals)
        #expect(single(result, "k") == "300")
        #expect(single(result, "n") == "2")
        #expect(groups(result, "b") == ["Ann=150", "Bob=400", "Cid=600"])
    }

    @Test func aScalarInsideAGroupedKPIIsTheWholeTable() throws {
        let rows = try grouped("total = sum(amount)\nk = sum(amount) / total by manager")
        #expect(rows == ["Ann=\(150.0 / 650)", "Bob=\(200.0 / 650)", "Cid=\(300.0 / 650)"])
        #expect(try grouped("k = 1 by manager") == ["Ann=1", "Bob=1", "Cid=1"])
    }

    @Test func helpersParametersAndFunctions() throws {
        let formulas = """
            param rate = 10%
            let margin_row = amount - cost
            fn level(fact, low, high) = (fact - low) / (high - low)
            margin = sum(margin_row)
            fee = sum(amount) * rate
            lvl = level(150, 100, 200)
            per_manager = level(sum(amount), 100, 300) by manager
            """
        let result = try evaluate(formulas, csv: Self.deals)
        #expect(single(result, "margin") == "290")
        #expect(single(result, "fee") == "65")
        #expect(single(result, "lvl") == "0.5")
        #expect(groups(result, "per_manager") == ["Ann=0.25", "Bob=0.5", "Cid=1"])
        #expect(result.kpis.map(\.name) == ["margin", "fee", "lvl", "per_manager"])
        let computed = try evaluate("param half = 1 / 2\nparam day = date(\"2024-01-31\") + 1\nk = half\nd = day", csv: Self.deals)
        #expect(single(computed, "k") == "0.5")
        #expect(single(computed, "d") == "date(\"2024-02-01\")")
        let overridden = try evaluate(formulas, csv: Self.deals, parameters: ["rate": .number(0.2)])
        #expect(single(overridden, "fee") == "130")
    }

    @Test func unicodeAndBacktickNames() throws {
        let csv = "Менеджер,Сумма сделки,收入\nАнна,10,1\nАнна,5,2\nБорис,7,3"
        let result = try evaluate("выручка = sum(`Сумма сделки`) by Менеджер\n总收入 = sum(收入)", csv: csv)
        #expect(groups(result, "выручка") == ["Анна=15", "Борис=7"])
        #expect(single(result, "总收入") == "6")
    }

    @Test func aHeaderOnlyFileHasNoRows() throws {
        let csv = "manager,amount"
        let result = try evaluate("n = count()\ns = sum(amount)\na = avg(amount)\ng = sum(amount) by manager", csv: csv)
        #expect(single(result, "n") == "0")
        #expect(single(result, "s") == "0")
        #expect(single(result, "a") == "error: average of no values")
        #expect(groups(result, "g") == [])
    }

    @Test func sumsAreCompensated() throws {
        // 0.1 ten times: a naive running sum gives 0.9999999999999999.
        let csv = "x\n" + String(repeating: "0.1\n", count: 10)
        #expect(try value("sum(x)", csv: csv) == "1")
    }

    @Test func aDefinitionIsComputedOnceAndShared() throws {
        let result = try evaluate("let won = status == \"won\"\na = count(where won)\nb = percent(won)", csv: Self.deals)
        #expect(single(result, "a") == "3")
        #expect(single(result, "b") == "0.6")
    }
}

struct TextComparisonTests {
    @Test func textComparesInUnicodeOrderAfterNormalization() throws {
        let csv = "name\n\u{E9}t\u{E9}\ne\u{301}te\u{301}\nzebra\nApple\n"
        let result = try evaluate(
            "same = count(where name == \"\u{E9}t\u{E9}\")\nbefore = count(where name < \"b\")\nfirst = min(name)\nlast = max(name)", csv: csv)
        #expect(single(result, "same") == "2")
        #expect(single(result, "before") == "1")
        #expect(single(result, "first") == "\"Apple\"")
        #expect(single(result, "last") == "\"\u{E9}t\u{E9}\"")
    }
}
