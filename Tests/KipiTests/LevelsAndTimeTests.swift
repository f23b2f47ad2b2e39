import Testing

@testable import Kipi

/// SPEC "Levels" and "Time", each rule on a small table with values worked out by hand.
///
/// Per manager and month the sums are: A 2023-01 10, 2024-01 150, 2024-02 200, (no March),
/// 2024-04 80; B 2023-12 40, 2024-01 300, (no February), 2024-03 120 (and a null amount).
struct LevelsAndTimeTests {
    static let sales = """
        manager,date,amount
        A,2023-01-07,10
        A,2024-01-05,100
        A,2024-01-20,50
        A,2024-02-10,200
        A,2024-04-02,80
        B,2023-12-30,40
        B,2024-01-15,300
        B,2024-03-01,
        B,2024-03-09,120
        """

    static let monthly = "monthly = sum(amount) by manager, month(date)\n"

    func rows(_ formulas: String, _ name: String, csv: String = sales) throws -> [String] {
        groups(try evaluate(formulas, csv: csv), name)
    }

    func value(_ formulas: String, _ name: String = "k", csv: String = sales) throws -> String {
        single(try evaluate(formulas, csv: csv), name)
    }

    // MARK: Levels

    @Test func aGroupedDefinitionWithMoreKeysReducesInsideEachGroup() throws {
        #expect(try rows(Self.monthly + "best = max(monthly) by manager", "best") == ["A=200", "B=300"])
        #expect(try rows(Self.monthly + "months = count(monthly) by manager", "months") == ["A=4", "B=3"])
    }

    @Test func anAggregateOfAGroupedDefinitionWithoutByReducesAllItsGroups() throws {
        // (10 + 150 + 200 + 80 + 40 + 300 + 120) / 7
        #expect(try value(Self.monthly + "k = avg(monthly)") == "128.57142857142858")
    }

    @Test func inlineAggregatesTakeTheKPIsLevelInsideFilters() throws {
        // A: 10 50 80 100 200, median 80, mean of 10 50 80; B: 40 120 300, median 120, mean of 40 120.
        let k = "k = avg(amount where amount <= percentile(amount, 0.5)) by manager"
        #expect(try rows(k, "k") == ["A=46.666666666666664", "B=80"])
    }

    @Test func aCoarserGroupedDefinitionIsRepeatedOverFinerGroups() throws {
        let formulas = "total = sum(amount) by manager\nk = sum(amount) / total by manager, month(date)"
        let result = try rows(formulas, "k")
        #expect(result.first == "A|2023-01=\(10.0 / 440)")
        #expect(result.last == "B|2024-03=\(120.0 / 460)")
        #expect(result.count == 7)
    }

    @Test func aSingleValueIsTheSameForEveryGroup() throws {
        #expect(try rows("revenue = sum(amount)\nk = sum(amount) / revenue by manager", "k") == ["A=\(440.0 / 900)", "B=\(460.0 / 900)"])
    }

    @Test func aWindowOverAGroupedDefinitionHasItsKeys() throws {
        #expect(try rows(Self.monthly + "k = rank(monthly)", "k").count == 7)
    }

    @Test func aKeyIsTheSameKeyHoweverSpelled() throws {
        let formulas = "a = sum(amount) by manager\nlet who = manager\nk = a / count() by `manager`\nj = a by who"
        #expect(try rows(formulas, "k") == ["A=88", "B=115"])
        #expect(try rows(formulas, "j") == ["A=440", "B=460"])
    }

    @Test func namedKeysNameTheOutputColumns() throws {
        let result = try evaluate("k = count() by who = manager, period = year(date)", csv: Self.sales)
        guard case .grouped(let names, let groupRows)? = result["k"]?.value else {
            Issue.record("not grouped")
            return
        }
        #expect(names == ["who", "period"])
        #expect(groupRows.map(\.keys.description) == [
            "[\"A\", year(2023)]", "[\"A\", year(2024)]", "[\"B\", year(2023)]", "[\"B\", year(2024)]",
        ])
        #expect(JSONFormatter.format(result).contains("{\"who\": \"A\", \"period\": 2023, \"value\": 1}"))
        #expect(TableFormatter.format(result).contains("A    2023        1"))
    }

    @Test func keysPrintInTheOrderWritten() throws {
        #expect(try rows("k = count() by month(date), manager", "k").prefix(3) == ["2023-01|A=1", "2023-12|B=1", "2024-01|A=2"])
    }

    @Test func aGroupedLetIsUsedLikeAGroupedKPI() throws {
        #expect(try rows("let m = sum(amount) by manager\nk = m * 2 by manager", "k") == ["A=880", "B=920"])
    }

    @Test func emptyGroupsAndNulls() throws {
        // B's only March values: one null and 120; a filter that keeps nothing gives sum 0, avg an error.
        #expect(try rows("k = sum(amount where amount > 250) by manager", "k") == ["A=0", "B=300"])
        #expect(try rows("k = avg(amount where amount > 250) by manager", "k") == ["A=error: average of no values", "B=300"])
        #expect(try rows("k = count(amount) by manager, month(date)", "k").last == "B|2024-03=1")
    }

    // MARK: Time

    @Test func periodsComputeAndCompare() throws {
        let cases: [(String, String)] = [
            ("k = count(where year(date) == 2024)", "7"),
            ("k = count(where month(date) == \"2024-03\")", "2"),
            ("k = count(where month(date) in [\"2024-01\", \"2024-02\"])", "4"),
            ("k = count(where quarter(date) >= \"2024-Q1\")", "7"),
            ("k = month(\"2024-03\") + 1", "month(\"2024-04\")"),
            ("k = month(\"2024-01\") - 1", "month(\"2023-12\")"),
            ("k = month(\"2024-03\") - month(\"2023-12\")", "3"),
            ("k = quarter(month(\"2024-11\"))", "quarter(\"2024-Q4\")"),
            ("k = year(week(\"2020-W53\"))", "year(2020)"),
            ("k = start(quarter(date(\"2024-05-10\")))", "date(\"2024-04-01\")"),
            ("k = end(month(\"2024-02\"))", "date(\"2024-02-29\")"),
            ("k = start(week(\"2024-W05\"))", "date(\"2024-01-29\")"),
            ("k = end(year(2024))", "date(\"2024-12-31\")"),
            ("k = max(month(date))", "month(\"2024-04\")"),
            ("k = week(date(\"2024-12-30\")) - week(date(\"2024-01-01\"))", "52"),
        ]
        for (formula, expected) in cases {
            #expect(try value(formula) == expected, "\(formula)")
        }
    }

    @Test func periodsSortChronologically() throws {
        let csv = "d,x\n2024-10-01,1\n2024-02-01,2\n2023-12-31,3"
        #expect(try rows("k = sum(x) by month(d)", "k", csv: csv) == ["2023-12=3", "2024-02=2", "2024-10=1"])
        #expect(try rows("k = sum(x) by quarter(d)", "k", csv: csv) == ["2023-Q4=3", "2024-Q1=2", "2024-Q4=1"])
    }

    @Test func previousChangeAndGrowthAreCalendarAware() throws {
        // A March gap and a February gap give null; B's January reads December across the year boundary.
        #expect(try rows(Self.monthly + "k = previous(monthly)", "k") == [
            "A|2023-01=null", "A|2024-01=null", "A|2024-02=150", "A|2024-04=null", "B|2023-12=null", "B|2024-01=40", "B|2024-03=null",
        ])
        #expect(try rows(Self.monthly + "k = change(monthly)", "k").filter { !$0.hasSuffix("null") } == ["A|2024-02=50", "B|2024-01=260"])
        #expect(try rows("k = growth(sum(amount)) by manager, month(date)", "k").filter { !$0.hasSuffix("null") } == [
            "A|2024-02=\(200.0 / 150 - 1)", "B|2024-01=6.5",
        ])
        #expect(try rows(Self.monthly + "k = previous(monthly, 2)", "k").filter { !$0.hasSuffix("null") } == ["A|2024-04=200", "B|2024-03=300"])
    }

    @Test func growthFromZeroIsAnError() throws {
        let csv = "m,x\n2024-01-01,0\n2024-02-01,5"
        #expect(try rows("k = growth(sum(x)) by month(m)", "k", csv: csv) == ["2024-01=null", "2024-02=error: division by zero: the previous value is 0"])
    }

    @Test func runningSumsRestartAtTheYear() throws {
        #expect(try rows(Self.monthly + "k = ytd(monthly)", "k") == [
            "A|2023-01=10", "A|2024-01=150", "A|2024-02=350", "A|2024-04=430", "B|2023-12=40", "B|2024-01=300", "B|2024-03=420",
        ])
        #expect(try rows(Self.monthly + "k = running_sum(monthly)", "k").map { $0.split(separator: "=")[1] } == [
            "10", "160", "360", "440", "40", "340", "460",
        ])
        #expect(try rows(Self.monthly + "k = qtd(monthly)", "k").map { $0.split(separator: "=")[1] } == [
            "10", "150", "350", "80", "40", "300", "420",
        ])
    }

    @Test func rollingWindowsCountTheGapsAsNothing() throws {
        #expect(try rows(Self.monthly + "k = rolling_sum(monthly, 2)", "k").map { $0.split(separator: "=")[1] } == [
            "10", "150", "350", "80", "40", "340", "120",
        ])
        #expect(try rows(Self.monthly + "k = rolling_avg(monthly, 3)", "k").map { $0.split(separator: "=")[1] } == [
            "10", "150", "175", "140", "40", "170", "210",
        ])
    }

    @Test func lastYearIsTheSamePeriodAYearEarlier() throws {
        #expect(try rows(Self.monthly + "k = last_year(monthly)", "k").filter { !$0.hasSuffix("null") } == ["A|2024-01=10"])
        let weeks = "d,x\n2020-12-28,5\n2021-12-27,7\n2019-12-23,3"
        // 2020-W53 has no week 53 in 2019; 2021-W52 reads 2020-W52 (absent); 2019-W52 is the first.
        #expect(try rows("k = last_year(sum(x)) by week(d)", "k", csv: weeks) == ["2019-W52=null", "2020-W53=null", "2021-W52=null"])
        let days = "d,x\n2024-02-29,5\n2023-02-28,2"
        #expect(try rows("k = last_year(sum(x)) by d", "k", csv: days) == ["date(\"2023-02-28\")=null", "date(\"2024-02-29\")=2"])
    }

    @Test func shareAndRankRunAcrossTheGroupsOfAPeriod() throws {
        let share = try rows(Self.monthly + "k = share(monthly)", "k")
        #expect(share.contains("A|2024-01=\(150.0 / 450)"))
        #expect(share.contains("B|2024-01=\(300.0 / 450)"))
        #expect(share.contains("A|2024-02=1"))
        #expect(try rows(Self.monthly + "k = rank(monthly)", "k").filter { $0.contains("2024-01") } == ["A|2024-01=2", "B|2024-01=1"])
        #expect(try rows("k = rank(sum(amount)) by manager", "k") == ["A=2", "B=1"])
        let ties = "k,x\na,10\nb,20\nc,20\nd,5"
        #expect(try rows("r = rank(sum(x)) by k", "r", csv: ties) == ["a=3", "b=1", "c=1", "d=4"])
        #expect(try rows("s = share(sum(x)) by k", "s", csv: ties) == ["a=0.18181818181818182", "b=0.36363636363636365", "c=0.36363636363636365", "d=0.09090909090909091"])
    }

    @Test func aWindowOverADefinitionWithoutByHasItsKeys() throws {
        let formulas = "revenue_by_month = sum(amount) by month(date)\nrevenue_ytd = ytd(revenue_by_month)"
        #expect(try rows(formulas, "revenue_ytd") == ["2023-01=10", "2023-12=50", "2024-01=450", "2024-02=650", "2024-03=770", "2024-04=850"])
    }

    // MARK: Display

    @Test func asChangesOnlyTheDisplay() throws {
        let result = try evaluate(
            "p = sum(amount) / 1000 as percent(1)\nn = growth(sum(amount)) by month(date) as number\ni = 1234.5 as integer", csv: Self.sales)
        #expect(single(result, "p") == "0.9")
        #expect(TableFormatter.format(result).contains("p  90.0%"))
        #expect(TableFormatter.format(result).contains("i  1,235"))
        #expect(result["n"]?.format == .plain)
    }

    // MARK: Errors inside lists

    @Test(arguments: [
        ("k = sum([1/0])", "error: division by zero"),
        ("k = min([1/0, 1])", "error: division by zero"),
        ("k = median([1, sqrt(-1), 3, 5])", "error: square root of a negative number"),
        ("k = stdev([1, 2, 1/0])", "error: division by zero"),
        ("k = 2 in [1, 1/0]", "error: division by zero"),
    ])
    func anErrorInsideAListFailsWhatReadsIt(_ formula: String, _ expected: String) throws {
        #expect(try value(formula) == expected)
    }

    // MARK: Refused combinations

    @Test(arguments: [
        (
            "r = sum(amount) by date\nk = max(r) by manager",
            "test.kpi:2:5: error: cannot reduce one value per date inside each group of manager with 'max': the groups of date do not lie inside those of manager; aggregate at a level that has every key of manager"
        ),
        (
            "monthly = sum(amount) by manager, month(date)\nk = monthly by manager",
            "test.kpi:2:5: error: 'k' is by manager, but its value has one value per manager, month(date); aggregate it to manager first, such as max(…), or give 'k' the keys manager, month(date)"
        ),
        (
            "k = previous(sum(amount)) by manager",
            "test.kpi:1:14: error: 'previous' runs along time, but the value is by manager, which has no period or date key; group it by one, such as month(date)"
        ),
        (
            "k = previous(amount)",
            "test.kpi:1:14: error: 'previous' reads a grouped value, such as sum(amount) by manager, month(date) or a grouped definition, but got one value per row"
        ),
        (
            "k = count(where month(date) == \"2024-13\")",
            "test.kpi:1:32: error: '2024-13' is not a month; write it as 2024-03"
        ),
        (
            "k = month(date(\"2024-01-01\")) - year(date(\"2024-01-01\"))",
            "test.kpi:1:5: error: cannot subtract a year from a month; convert one of them first, such as year(p) or quarter(p)"
        ),
        (
            "k = sum(amount) by manager, `manager`",
            "test.kpi:1:29: error: 'manager' is already a key of this 'by'"
        ),
        ("k = sum(amount) as percentage", "test.kpi:1:20: error: expected percent, number or integer after 'as', found 'percentage'"),
    ])
    func refusedCombinationsNameBothGroupings(_ source: String, _ expected: String) {
        let rendered = diagnostics(source)
        #expect(rendered.split(separator: "\n").first.map(String.init) == expected)
    }
}

/// Periods shifted or read far outside the calendar end in an error, never a trap.
struct PeriodLimitTests {
    @Test(arguments: [
        "k = week(\"2024-W05\") + 900000000",
        "k = month(\"2024-03\") - 2000000000",
        "k = year(2024) + 1e300",
        "k = end(week(\"2024-W05\") + 100000000)",
    ])
    func farShiftsFailTheirCell(_ formula: String) throws {
        #expect(single(try evaluate(formula), "k").hasPrefix("error: "))
    }
}
