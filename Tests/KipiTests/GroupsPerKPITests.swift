import Testing

@testable import Kipi

/// SPEC v3 "One set of groups per KPI, across levels and tables", on small tables with values
/// worked out by hand (the SPEC's two examples exactly).
struct GroupsPerKPITests {
    static let users = "id,name\nA,Ann\nB,Bob\nC,Cat\nD,Dan\n"
    static let events = "id,kind\nA,act\nA,open\nB,open\nT,act\n"
    /// Ann 2024-01 (100, 50), Ann 2024-02 (10), Bob 2024-01 (7), Bob 2024-02 (1, 2, 3).
    static let deals = """
        manager,date,amount,region
        Ann,2024-01-03,100,EU
        Ann,2024-01-20,50,EU
        Ann,2024-02-05,10,US
        Bob,2024-01-07,7,EU
        Bob,2024-02-01,1,EU
        Bob,2024-02-02,2,US
        Bob,2024-02-03,3,US

        """
    /// Plans per manager and month; Dan has a plan and no deals, Cat deals and no plan.
    static let facts = "manager,date,amount\nAnn,2024-03-05,100\nAnn,2024-04-02,200\nBob,2024-03-11,80\nCat,2024-04-15,30\n"
    static let plans = "manager,period,target\nAnn,2024-03,300\nAnn,2024-04,100\nBob,2024-03,160\nDan,2024-03,50\n"
    /// The same plans with the month as Excel stores a typed 2024-03: a date.
    static let datedPlans = "manager,period,target\nAnn,2024-03-01,300\nAnn,2024-04-01,100\nBob,2024-03-01,160\nDan,2024-03-01,50\n"

    func compile(_ formulas: String, _ tables: [String: String]) throws -> (Program, [String: DataTable]) {
        var data: [String: DataTable] = [:]
        for (name, csv) in tables { data[name] = try table(csv) }
        let program = try Kipi().compile(
            source: SourceText(name: "test.kpi", text: formulas), schema: data[""]?.schema,
            tables: data.filter { !$0.key.isEmpty }.mapValues(\.schema))
        return (program, data)
    }

    func result(_ formulas: String, _ tables: [String: String]) throws -> EvaluationResult {
        let (program, data) = try compile(formulas, tables)
        return try program.evaluate(tables: data)
    }

    func messages(_ formulas: String, _ tables: [String: String]) -> String {
        do {
            _ = try compile(formulas, tables)
            return "no errors"
        } catch {
            // The message line, without the source line and caret under it.
            return "\(error)".split(separator: "\n").first.map(String.init) ?? ""
        }
    }

    // MARK: A KPI's groups come from the tables it reads

    @Test func theUsersAndEventsExample() throws {
        let evaluated = try result(
            """
            let acts = count(ev.id where ev.kind == "act") by id
            acts_alone = acts
            x = if(count() > 0, 1, 0) + acts by id
            let is_user = count() > 0 by id
            activation = percent(acts > 0 where is_user)
            """, ["": Self.users, "ev": Self.events])
        #expect(groups(evaluated, "acts_alone") == ["A=1", "B=0", "T=1"])
        #expect(groups(evaluated, "x") == ["A=2", "B=1", "C=1", "D=1", "T=1"])
        #expect(single(evaluated, "activation") == "0.25")
    }

    @Test func coalesceAndIferrorAlwaysApply() throws {
        let evaluated = try result(
            """
            let acts = count(ev.id where ev.kind == "act") by id
            let first_act = min(ev.id where ev.kind == "act") by id
            with_zero = coalesce(acts, 0) + count() by id
            caught = iferror(first_act, "none") by id
            """, ["": Self.users, "ev": Self.events])
        #expect(groups(evaluated, "with_zero") == ["A=2", "B=1", "C=1", "D=1", "T=1"])
        // `caught` reads the events alone, so its groups are theirs; B has no act: `min` of no
        // values is an error, and iferror catches it.
        #expect(groups(evaluated, "caught") == ["A=\"A\"", "B=\"none\"", "T=\"T\""])
    }

    @Test func aPlanFactSplitIntoTwoDefinitionsIsTheOneFormula() throws {
        let formulas = """
            let fact_m = sum(amount) by manager, period = month(date)
            let plan_m = sum(plans.target) by manager, period = month(date)
            split = fact_m / plan_m by manager, period = month(date)
            one = sum(amount) / sum(plans.target) by manager, period = month(date)
            inferred = fact_m / plan_m
            """
        let expected = ["Ann|2024-03=0.3333333333333333", "Ann|2024-04=2", "Bob|2024-03=0.5", "Cat|2024-04=error: division by zero", "Dan|2024-03=0"]
        for plans in [Self.plans, Self.datedPlans] {
            let evaluated = try result(formulas, ["": Self.facts, "plans": plans])
            #expect(groups(evaluated, "split") == expected)
            #expect(groups(evaluated, "one") == expected)
            #expect(groups(evaluated, "inferred") == expected)
        }
    }

    @Test func aCoarserDefinitionIsReadOverEveryGroupOfTheKPI() throws {
        let evaluated = try result(
            """
            let plan_by_manager = sum(plans.target) by manager
            share = sum(amount) / plan_by_manager by manager, period = month(date)
            """, ["": Self.facts, "plans": Self.plans])
        #expect(
            groups(evaluated, "share") == [
                "Ann|2024-03=0.25", "Ann|2024-04=0.5", "Bob|2024-03=0.5", "Cat|2024-04=error: division by zero", "Dan|2024-03=0",
            ])
    }

    /// A channel with no spend rows has a cost of 0, so its LTV:CAC is an error, not a blank.
    @Test func aChannelWithoutSpendIsADivisionByZero() throws {
        let evaluated = try result(
            """
            let revenue = sum(orders.amount) by channel
            let customers = count() by channel
            let cost = sum(spend.cost) by channel
            ltv_cac = (revenue / customers) / (cost / customers) by channel
            """,
            [
                "": "id,channel\n1,ads\n2,ads\n3,seo\n4,ref\n", "orders": "channel,amount\nads,150\nseo,70\nref,30\n",
                "spend": "channel,cost\nads,100\nseo,35\n",
            ])
        #expect(groups(evaluated, "ltv_cac") == ["ads=1.5", "ref=error: division by zero", "seo=2"])
    }

    // MARK: Aggregates over groups see the groups

    @Test func theFebruaryExample() throws {
        let evaluated = try result(
            """
            monthly = sum(amount) by manager, month(date)
            feb = sum(monthly where month(date) == "2024-02")
            feb_avg = avg(monthly where month(date) == "2024-02")
            feb_count = count(monthly where month(date) == "2024-02")
            named = sum(named_monthly where period == "2024-02")
            let named_monthly = sum(amount) by manager, period = month(date)
            ann = max(monthly where manager == "Ann")
            best_later = max(monthly where month(date) >= "2024-02") by manager
            """, ["": Self.deals])
        #expect(single(evaluated, "feb") == "16")
        #expect(single(evaluated, "feb_avg") == "8")
        #expect(single(evaluated, "feb_count") == "2")
        #expect(single(evaluated, "named") == "16")
        #expect(single(evaluated, "ann") == "150")
        #expect(groups(evaluated, "best_later") == ["Ann=10", "Bob=6"])
    }

    @Test func rowLevelAggregatesOfACoarserValueAreUnchanged() throws {
        let evaluated = try result(
            """
            let avg_by_manager = avg(amount) by manager
            spread = sum(amount - avg_by_manager)
            """, ["": Self.deals])
        #expect(single(evaluated, "spread").hasPrefix("0") || single(evaluated, "spread").hasPrefix("-0") || single(evaluated, "spread").contains("e-"))
    }

    // MARK: A table supplies a key under another name

    /// Customers with a sign-up date, orders with an invoice date, spend with a payment date.
    static let channelTables = [
        "": "id,channel,signup_date\n1,ads,2024-01-10\n2,ads,2024-02-11\n3,seo,2024-04-01\n4,ref,2024-05-01\n",
        "orders": "channel,invoice_date,amount\nads,2024-01-15,100\nads,2024-03-01,50\nseo,2024-04-20,70\nref,2024-05-02,30\n",
        "spend": "channel,paid_at,cost\nads,2024-01-01,60\nads,2024-02-01,40\nseo,2024-04-01,35\n",
    ]
    /// LTV : CAC by channel and quarter, each table supplying the quarter from its own date.
    static let channelQuarters = """
        let q = quarter(signup_date)
        let orders.q = quarter(orders.invoice_date)
        let spend.q = quarter(spend.paid_at)
        let revenue = sum(orders.amount) by channel, q
        let customers = count() by channel, q
        let cost = sum(spend.cost) by channel, q
        ltv_cac = (revenue / customers) / (cost / customers) by channel, q

        """

    @Test func aComputedColumnSuppliesAKey() throws {
        let evaluated = try result(Self.channelQuarters + "spend_quarters = count(spend.q)\n", Self.channelTables)
        #expect(groups(evaluated, "ltv_cac") == ["ads|2024-Q1=1.5", "ref|2024-Q2=error: division by zero", "seo|2024-Q2=2"])
        #expect(single(evaluated, "spend_quarters") == "3")
    }

    // MARK: Refused combinations, each reported at the definition that causes it

    static let refused: [(String, String)] = [
        (
            "monthly = sum(amount) by manager, month(date)\nk = sum(monthly where region == \"EU\")",
            "test.kpi:2:23: error: the groups of 'monthly' (by manager, month(date)) have no column 'region'; group 'monthly' by region too, or filter inside it"
        ),
        (
            "monthly = sum(amount) by manager, period = month(date)\nk = avg(monthly where amount > 5)",
            "test.kpi:2:23: error: the groups of 'monthly' (by manager, month(date)) have no column 'amount'; group 'monthly' by amount too, or filter inside it"
        ),
        (
            "monthly = sum(amount) by manager, month(date)\nk = sum(monthly where period == \"2024-02\")",
            "test.kpi:2:23: error: unknown column 'period'"
        ),
        (
            "a = sum(amount) by manager, period = month(date)\nb = sum(ads.cost) by manager, period = month(date)",
            "test.kpi:2:22: error: table 'ads' cannot supply the key 'manager': it has no column 'manager', so give it one with let ads.manager = … (from the columns of 'ads')"
        ),
        (
            "let r = sum(amount) by manager, q = quarter(date)\nlet c = sum(spend.cost) by manager, q = quarter(spend.paid_at)\nk = r / c",
            "test.kpi:3:5: error: cannot combine one value per manager, quarter(date) with one value per manager, quarter(spend.paid_at): the key 'q' is computed differently; let each table supply it under one name, as let TABLE.q = … (a column of that table), and group by q"
        ),
        (
            "let spend.month = sum(spend.cost)\nk = count()",
            "test.kpi:1:19: error: 'spend.month' is a column of 'spend': compute it row by row from that table's columns, such as let spend.month = month(spend.date)"
        ),
        (
            "let spnd.month = month(spnd.paid_at)\nk = count()",
            "test.kpi:1:5: error: unknown table 'spnd'; did you mean 'spend'?"
        ),
    ]

    @Test(arguments: refused)
    func refusedCombinationsSayWhy(_ formulas: String, _ expected: String) {
        let tables = ["": Self.deals, "spend": "manager,paid_at,cost\nAnn,2024-01-05,10\n", "ads": "paid_at,cost\n2024-01-05,10\n"]
        #expect(messages(formulas, tables) == expected)
    }

    // MARK: explain

    @Test func explainSaysWhichTablesGaveTheGroups() throws {
        let (program, data) = try compile(
            """
            let acts = count(ev.id where ev.kind == "act") by id
            x = if(count() > 0, 1, 0) + acts by id
            """, ["": Self.users, "ev": Self.events])
        let explanation = try program.explain("x", tables: data, group: ["id": "C"])
        let text = ExplanationFormatter.text(explanation)
        #expect(text.contains("(5 groups, from data and ev)"))
        #expect(text.contains("acts  =  0   [let acts; no rows in ev]"))
    }
}
