import Foundation
import Testing

@testable import Kipi

/// The same programs in-process and on real engines: every KPI of the cookbook, and a table of
/// formulas covering each built-in, window function, level and two tables.
struct SQLEngineTests {
    /// A cookbook file, compiled against the data its `data` lines name.
    static func cookbook(_ name: String) throws -> (Program, [String: DataTable]) {
        let path = CookbookTests.formulas.appendingPathComponent("\(name).kpi").path
        let source = SourceText(name: path, text: try String(contentsOfFile: path, encoding: .utf8))
        var tables: [String: DataTable] = [:]
        for data in try Kipi().compile(source: source, schema: nil, loadImport: Kipi.readImport).dataSources {
            tables[data.table] = try DataTable.load(contentsOf: data.resolvedPath, format: nil, options: data.options)
        }
        let program = try Kipi().compile(
            source: source, schema: tables[""]?.schema, tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema), loadImport: Kipi.readImport)
        return (program, tables)
    }

    @Test(arguments: CookbookTests.examples.map(\.name), [SQLDialect.duckdb, .postgres, .spark])
    func theCookbookGivesTheSameValuesOnTheEngine(_ name: String, _ dialect: SQLDialect) throws {
        let (program, tables) = try Self.cookbook(name)
        let (expected, actual) = try Engines.bothWays(program, tables: tables, on: dialect)
        #expect(Engines.differences(expected, actual) == [])
    }

    /// Spark's multi-process local-cluster mode, two executor JVMs of one core each: the SQL runs
    /// distributed, its shuffles between processes, and gives the in-process values.
    @Test func aCookbookFileOnASparkLocalCluster() throws {
        let (program, tables) = try Self.cookbook("sales")
        let (expected, actual) = try Engines.bothWays(program, tables: tables, on: .spark, sparkMaster: "local-cluster[2,1,1024]")
        #expect(Engines.differences(expected, actual) == [])
    }

    /// `kipi sql` without a sample file: each column typed by its uses (`columnTypesFromUse`),
    /// the SQL run over the tables as the engine holds them, equal to in-process evaluation with
    /// the data's own types.
    @Test(arguments: CookbookTests.examples.map(\.name), [SQLDialect.duckdb, .postgres])
    func theCookbookWithoutItsDataGivesTheSameValuesOnTheEngine(_ name: String, _ dialect: SQLDialect) throws {
        let (program, tables) = try Self.cookbook(name)
        let path = CookbookTests.formulas.appendingPathComponent("\(name).kpi").path
        let source = SourceText(name: path, text: try String(contentsOfFile: path, encoding: .utf8))
        let fromUse = try Kipi().compile(source: source, schema: nil, loadImport: Kipi.readImport).columnTypesFromUse
        let written = try Kipi().compile(
            source: source, schema: fromUse[""], tables: fromUse.filter { !$0.key.isEmpty }, loadImport: Kipi.readImport)
        let (expected, actual) = try Engines.bothWays(program, tables: tables, on: dialect, engineProgram: written)
        #expect(Engines.differences(expected, actual) == [])
    }
}

extension SQLEngineTests {
    /// Deals over two years (weeks across the new year, every quarter, a leap day), with nulls,
    /// text in several scripts, and date-times; and a plans table keyed by manager and month.
    static let dealsCSV: String = {
        var lines = ["date,manager,region,amount,cost,won,opened,note"]
        let managers = ["Anna", "Иванов", "陈伟", "Bob"]
        let regions = ["EU", "RU", "APAC"]
        let notes = ["  big   deal ", "1 234,5", "12%", "$530", "n/a text", "0,25"]
        for index in 0..<64 {
            let day = KipiDate(daysSinceEpoch: Int32(19_700 + index * 13))
            let (year, month, dayOfMonth) = day.components
            let amount = index % 9 == 4 ? "" : String(format: "%.2f", Double((index * 7_919) % 1_000) + 0.25 * Double(index % 4))
            let cost = index % 11 == 3 ? "" : String((index * 37) % 300)
            let opened = String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, dayOfMonth, index % 24, (index * 7) % 60, (index * 13) % 60)
            lines.append(
                String(format: "%04d-%02d-%02d", year, month, dayOfMonth) + ",\(managers[index % 4]),\(regions[index % 3]),\(amount),\(cost),"
                    + "\(index % 3 != 0),\(opened),\"\(notes[index % notes.count])\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static let plansCSV = """
        manager,period,target
        Anna,2024-01,900
        Anna,2024-02,0
        Иванов,2024-01,700
        Bob,2024-03,500
        陈伟,2024-04,650
        Nobody,2024-05,100

        """

    /// Each built-in, window function, level and the two tables, as one program.
    static let formulas = """
        param limit = 500
        let big = amount > limit
        let margin_row = amount - cost
        let steps = [0, 200, 600, 1000]
        let scores = [0%, 50%, 80%, 100%]
        rows = count()
        amounts = count(amount)
        bigs = count(where big)
        total = sum(amount)
        mean = avg(amount)
        mean_alias = average(cost)
        middle = median(amount)
        smallest = min(amount)
        largest_text = max(manager)
        first_day = min(date)
        distinct_managers = count_distinct(manager)
        won_share = percent(won)
        spread = stdev(amount)
        spread_p = stdevp(amount)
        variance = var(cost)
        variance_p = varp(cost)
        p90 = percentile(amount, 0.9)
        p_bad = percentile(amount, 1.5)
        p_exc = percentile_exc(amount, 0.25)
        p_exc_bad = percentile_exc(amount, 0.001)
        q1 = quartile(amount, 1.7)
        rank_present = percentrank(amount, 500.25)
        rank_between = percentrank(amount, 333, 4)
        rank_outside = percentrank(amount, 5000)
        rank_list = percentrank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21], 2)
        rank_exc = percentrank_exc(amount, 250, 2)
        magnitudes = sum(abs(margin_row) + floor(amount / 3) + ceil(cost / 7))
        rounded = round(2.675, 2) + round(-1234.5, -2) + round(avg(amount), 1)
        roots = sum(sqrt(cost))
        root_error = sum(sqrt(cost - 100))
        logs = avg(ln(amount + 1)) + exp(1)
        extremes = sum(max(amount, cost, 100) - min(amount, cost))
        clamped = sum(clamp(amount, 100, 800))
        branches = sum(if(won, amount, -cost))
        caught = sum(iferror(amount / (cost - 111), 0))
        filled = sum(coalesce(amount, cost, 0))
        filled_before_failing = sum(coalesce(-2, 1 / (cost - cost)))
        scored = score(sum(amount), 10000, 40000) + normalize(avg(cost), 0, 300) + normalize_min(avg(cost), 0, 300)
        scaled = avg(interpolate(amount, steps, scores))
        scaled_edge = interpolate(1000, steps, scores) + interpolate(-5, steps, scores) + interpolate(200, steps, scores)
        looked_up = sum(lookup(manager, plans.manager, plans.target where plans.period == "2024-01") where manager in ["Anna", "Иванов"])
        # One region: of rows failing with different messages, an engine gives the least (no row is first).
        lookup_missing = sum(lookup(region, plans.manager, plans.target) where region == "EU")
        weighted = weighted_avg(amount, cost)
        dated = count(where date >= date("2024-03-01") and date < date("01.06.2024") + 7)
        periods = count(where month(date) == "2024-03" or year(date) == 2025 or quarter(date) == quarter("2024-Q4"))
        weeks = count_distinct(week(date))
        days = sum(day(date)) + sum(hour(opened)) + sum(minute(opened))
        spans = avg(opened - date) * 24
        bounds = max(end(month(date))) - min(start(quarter(date)))
        week_bounds = text(start(week(min(date)))) & " " & text(end(week(max(date))))
        texts = max(len(manager) + len(upper(manager)) + len(lower(manager)))
        trimmed = max(trim(note))
        containing = count(where contains(note, "2"))
        numbers = sum(iferror(number(note), 0))
        number_failed = sum(number(note))
        labels = min(manager & ": " & text(amount) & " " & text(won) & " " & text(date) & " " & text(month(date)))
        members = count(where region in ["EU", "APAC"] and cost != null)
        division = sum(amount) / sum(cost where cost < 0)
        powers = sum(amount ^ 0.5) + 2 ^ 10
        by_manager = sum(amount) by manager
        mean_by_manager = avg(amount where won) by manager
        trimmed_mean = avg(amount where amount <= percentile(amount, 0.75)) by manager
        share_of_total = sum(amount) / total by manager
        by_month = sum(amount) by manager, month(date)
        best_month = max(by_month) by manager
        mean_month = avg(by_month)
        month_share = sum(amount) / by_manager by manager, month(date)
        by_week = count() by week(date)
        by_quarter = sum(cost) by region, quarter = quarter(date)
        by_year = count() by year(date)
        by_day = count() by date
        by_text_key = count() by lower(region)
        previous_month = previous(sum(amount)) by month(date)
        previous_two = previous(by_month, 2)
        changes = change(by_week)
        growths = growth(sum(cost)) by quarter(date)
        last_years = last_year(by_quarter)
        week_last_year = last_year(by_week)
        running = running_sum(by_month)
        year_to_date = ytd(by_month)
        quarter_to_date = qtd(by_week)
        rolling = rolling_sum(by_month, 3)
        rolling_mean = rolling_avg(by_month, 2)
        shares = share(by_month)
        ranks = rank(by_manager)
        day_previous = previous(by_day)
        plan_fact = sum(amount where won) / sum(plans.target) by manager, period = month(date)
        planned = sum(plans.target) by manager
        last_call = max(opened)
        first_call_by_manager = min(opened) by manager
        call_text = text(max(opened)) & " / " & text(min(date))
        """

    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func everyFunctionWindowAndLevelGivesTheSameValuesOnTheEngine(_ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let plans = try DataTable.load(Data(Self.plansCSV.utf8), name: "plans.csv", format: .csv, options: DataOptions())
        let program = try Kipi().compile(
            source: SourceText(name: "all.kpi", text: Self.formulas), schema: deals.schema, tables: ["plans": plans.schema])
        let (expected, actual) = try Engines.bothWays(program, tables: ["": deals, "plans": plans], on: dialect, parameters: ["limit": .number(400)])
        #expect(Engines.differences(expected, actual) == [])
        // Errors stay errors, values stay values: the engines are not merely NULL where Kipi fails.
        for name in ["p_bad", "rank_outside", "root_error", "number_failed", "division", "lookup_missing"] {
            if case .single(.error) = actual[name]?.value {} else { Issue.record("\(name) is \(String(describing: actual[name]?.value)) on \(dialect)") }
        }
        #expect(expected.kpis.count == program.kpis.count)
    }
}

extension SQLEngineTests {
    /// Spark SQL starts a JVM per session: one session checks a representative program.
    @Test func percentrankAWindowAndTwoTablesGiveTheSameValuesOnSpark() throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let plans = try DataTable.load(Data(Self.plansCSV.utf8), name: "plans.csv", format: .csv, options: DataOptions())
        let formulas = """
            rank_between = percentrank(amount, 333, 4)
            rank_present = percentrank(amount, 500.25)
            p90 = percentile(amount, 0.9)
            mean = avg(amount where won)
            by_month = sum(amount) by manager, month(date)
            previous_month = previous(by_month)
            plan_fact = sum(amount where won) / sum(plans.target) by manager, period = month(date)
            planned = sum(plans.target) by manager
            judged = sum(amount where won) by manager  critical 0.5 * planned  norm planned  target 1.2 * planned
            cost_share = sum(cost) / sum(amount)  critical 0.4 norm 0.3
            """
        let program = try Kipi().compile(source: SourceText(name: "spark.kpi", text: formulas), schema: deals.schema, tables: ["plans": plans.schema])
        let (expected, actual) = try Engines.bothWays(program, tables: ["": deals, "plans": plans], on: .spark)
        #expect(Engines.differences(expected, actual) == [])
    }
}

extension SQLEngineTests {
    /// `kipi eval --engine` asks the engine for the column types and prints what in-process
    /// evaluation prints: the same table, to the digit shown.
    @Test func evalOnAnEnginePrintsTheInProcessTable() throws {
        let engine = try Engines.engine(.duckdb)
        let database = try #require(engine.connection)
        defer { try? FileManager.default.removeItem(atPath: database) }
        let (_, tables) = try Self.cookbook("sales")
        _ = try engine.run(Engines.loading(try #require(tables[""]), as: "sales", .duckdb) + Engines.loading(try #require(tables["plans"]), as: "plans", .duckdb))
        let arguments = try #require(CookbookTests.examples.first { $0.name == "sales" }?.arguments)
        let inProcess = CapturedRun(["eval"] + arguments)
        let onEngine = CapturedRun(["eval", arguments[0], "--engine", "duckdb", "--table", "sales", "--table", "plans=plans", "--connect", database])
        #expect(onEngine.errors == "")
        #expect(onEngine.status == inProcess.status)
        #expect(onEngine.output == inProcess.output)
    }

    @Test func sqlAndEngineUsageErrors() {
        #expect(CapturedRun(["sql", "formulas/sales.kpi"]).errors.contains("sql needs --dialect duckdb, postgres or spark"))
        #expect(CapturedRun(["sql", "formulas/sales.kpi", "--dialect", "oracle"]).status == 2)
        #expect(CapturedRun(["eval", "formulas/sales.kpi", "--engine", "duckdb"]).errors.contains("--engine needs the SQL tables"))
        #expect(CapturedRun(["eval", "formulas/sales.kpi", "--table", "sales"]).status == 2)
    }
}

extension SQLEngineTests {
    /// Formulas made up from a fixed seed: row-level arithmetic, conditions and functions inside
    /// aggregates, with and without groups, compared in-process and on DuckDB.
    static func generatedFormulas(count: Int, seed: UInt64) -> String {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func pick(_ choices: [String]) -> String { choices[next(choices.count)] }
        func row(_ depth: Int) -> String {
            if depth == 0 { return pick(["amount", "cost", "limit", "3", "0.5", "0", "-2", "amount", "cost"]) }
            let (a, b) = (row(depth - 1), row(depth - 1))
            switch next(12) {
            case 0: return "(\(a) + \(b))"
            case 1: return "(\(a) - \(b))"
            case 2: return "(\(a) * \(b))"
            case 3: return "(\(a) / \(b))"
            case 4: return pick(["abs", "floor", "ceil", "sqrt", "ln"]) + "(\(a))"
            case 5: return "round(\(a), \(pick(["0", "1", "2", "-1"])))"
            case 6: return pick(["min", "max", "coalesce"]) + "(\(a), \(b))"
            case 7: return "if(\(condition(depth - 1)), \(a), \(b))"
            case 8: return "iferror(\(a), \(b))"
            case 9: return "clamp(\(a), \(pick(["0", "-5"])), \(pick(["100", "1000"])))"
            case 10: return "(\(a) ^ \(pick(["2", "0.5"])))"
            default: return a
            }
        }
        func condition(_ depth: Int) -> String {
            switch next(5) {
            case 0: return "\(row(depth)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(row(depth))"
            case 1: return "won"
            case 2: return "\(pick(["amount", "cost"])) \(pick(["==", "!="])) null"
            case 3: return "region in [\"EU\", \"RU\"] \(pick(["and", "or"])) \(row(0)) > 100"
            default: return "not (\(row(depth)) > \(row(0)))"
            }
        }
        var lines = ["param limit = 300", "let won_amount = amount where won"]
        lines.removeLast()
        for index in 0..<count {
            let aggregate = pick(["sum", "avg", "min", "max", "median", "stdev", "count", "percent"])
            let argument = aggregate == "percent" ? condition(2) : row(2 + next(2))
            let filter = next(3) == 0 ? " where \(condition(1))" : ""
            let outer = next(4) == 0 ? " / \(pick(["sum", "avg", "count"]))(\(row(1)))" : ""
            let key = pick(["", "", " by manager", " by region, month(date)", " by week(date)"])
            switch next(4) {
            case 0:
                let window = pick(["previous(", "change(", "growth(", "running_sum(", "ytd(", "qtd(", "share(", "rank(", "last_year("])
                let width = pick(["rolling_sum(", "rolling_avg("])
                let series = "\(aggregate == "percent" ? "sum" : aggregate)(\(row(1))\(filter))"
                let call = next(3) == 0 ? "\(width)\(series), \(pick(["1", "2", "3"])))" : "\(window)\(series))"
                lines.append("k\(index) = \(call) by \(pick(["manager, month(date)", "week(date)", "region, quarter(date)", "date"]))")
            case 1:
                let x = row(1)
                lines.append("k\(index) = avg(\(x) where \(x) <= percentile(\(x), 0.\(1 + next(9))))\(key.isEmpty ? " by manager" : key)")
            default:
                lines.append("k\(index) = \(aggregate)(\(argument)\(filter))\(outer)\(key)")
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test(arguments: [(UInt64(14), SQLDialect.duckdb), (27, .duckdb), (41, .postgres), (58, .postgres), (73, .spark)])
    func generatedFormulasGiveTheSameValuesOnTheEngine(_ seed: UInt64, _ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        // Spark took 17 minutes over 150 generated KPIs in one query, under two over 50.
        let source = Self.generatedFormulas(count: dialect == .spark ? 50 : 150, seed: seed)
        let program = try Kipi().compile(source: SourceText(name: "generated.kpi", text: source), schema: deals.schema)
        let (expected, actual) = try Engines.bothWays(program, tables: ["": deals], on: dialect)
        let differences = Engines.differences(expected, actual)
        // Each differing KPI's formula, to read beside the values.
        let formulas = differences.compactMap { difference in
            source.split(separator: "\n").first { $0.hasPrefix(difference.prefix { $0 != "[" && $0 != ":" } + " =") }
        }
        #expect(differences == [], "\(formulas)")
    }
}

extension SQLEngineTests {
    /// SPEC v3's group rules (GroupsPerKPITests' programs) give the in-process values on the engine:
    /// groups as the union of the tables read, definitions over them with their no-rows values,
    /// aggregates over groups reading the groups' keys, computed columns and dates supplying keys.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func theGroupRulesGiveTheSameValuesOnTheEngine(_ dialect: SQLDialect) throws {
        let rules = GroupsPerKPITests()
        let programs: [(String, [String: String])] = [
            (
                """
                let acts = count(ev.id where ev.kind == "act") by id
                acts_alone = acts
                x = if(count() > 0, 1, 0) + acts by id
                let is_user = count() > 0 by id
                activation = percent(acts > 0 where is_user)
                with_zero = coalesce(acts, 0) + count() by id
                """, ["": GroupsPerKPITests.users, "ev": GroupsPerKPITests.events]
            ),
            (
                """
                monthly = sum(amount) by manager, month(date)
                feb = sum(monthly where month(date) == "2024-02")
                feb_avg = avg(monthly where month(date) == "2024-02")
                named = count(named_monthly where period == "2024-02" and manager != "Ann")
                let named_monthly = sum(amount) by manager, period = month(date)
                best_later = max(monthly where month(date) >= "2024-02") by manager
                """, ["": GroupsPerKPITests.deals]
            ),
            (
                """
                let fact_m = sum(amount) by manager, period = month(date)
                let plan_m = sum(plans.target) by manager, period = month(date)
                split = fact_m / plan_m by manager, period = month(date)
                let plan_by_manager = sum(plans.target) by manager
                share = sum(amount) / plan_by_manager by manager, period = month(date)
                """, ["": GroupsPerKPITests.facts, "plans": GroupsPerKPITests.datedPlans]
            ),
            (GroupsPerKPITests.channelQuarters, GroupsPerKPITests.channelTables),
        ]
        for (formulas, tables) in programs {
            let (program, data) = try rules.compile(formulas, tables)
            let (inProcess, engine) = try Engines.bothWays(program, tables: data, on: dialect)
            #expect(Engines.differences(inProcess, engine) == [], "\(formulas)")
        }
    }

    /// Whether a value can fail follows definitions: a failure two `let`s down is an error on the
    /// engine as in-process (it was a NULL there, as the last step's syntax could not fail).
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func aFailureThroughSeveralDefinitionsIsAnErrorOnTheEngine(_ dialect: SQLDialect) throws {
        let (program, data) = try GroupsPerKPITests().compile(
            "let d = sum(amount) / 0\nlet e = d + 1\nk = e * 2\nlet g = sum(amount) / (count() - count()) by manager\nh = g - 1 by manager\n",
            ["": GroupsPerKPITests.facts])
        let (inProcess, engine) = try Engines.bothWays(program, tables: data, on: dialect)
        #expect(single(inProcess, "k") == "error: division by zero")
        #expect(single(engine, "k") == "error: division by zero")
        #expect(groups(engine, "h").allSatisfy { $0.hasSuffix("=error: division by zero") })
        #expect(groups(engine, "h").count == 3)
    }

    /// The SQL carries why a value failed, so the engine gives the message in-process gives: each
    /// expected here as the function's definition words it, numbers as Kipi writes them (a
    /// number computed in SQL too).
    @Test(arguments: [SQLDialect.duckdb, .postgres, .spark])
    func errorsKeepTheirReasonOnTheEngine(_ dialect: SQLDialect) throws {
        let data = try DataTable.load(
            Data("date,manager,x,y,k,text\n2024-01-15,Ann,1,0,1.5,abc\n2024-02-15,Ann,2,0,1.5,\n2024-01-20,Bob,3,1,1.5,\n2024-02-20,Bob,4,1,1.5,\n".utf8),
            name: "facts.csv", format: .csv, options: DataOptions())
        let source = """
            division = sum(x) / sum(y where manager == "Ann")
            no_values = avg(x where x > 100)
            k_written = percentile(x, 2)
            k_computed = percentile(x, max(k))
            outside = percentrank(x, 7)
            one_value = stdev(x where x == 1)
            missing = lookup("Eve", ["Ann", "Bob"], [1, 2])
            not_a_number = sum(number(text))
            not_a_date = count(where date(text) > date("2024-01-01"))
            root = sqrt(-sum(x))
            clamped = clamp(sum(x), 5, 1)
            twice = interpolate(2, [1, 1, 3], [0, 1, 2])
            weightless = weighted_avg(x, y where manager == "Ann")
            kept = iferror(sum(x) / 0, 5)
            by_manager = sum(x) / sum(y) by manager
            growth_from_zero = growth(sum(y)) by manager, month(date)
            half_a_period = previous(sum(x), 1.5) by month(date)
            contradicting = sum(x) by manager  critical sum(y)  norm sum(y)
            broken_norm = sum(x)  norm 1 / sum(y where manager == "Ann")
            """
        let program = try Kipi().compile(source: SourceText(name: "reasons.kpi", text: source), schema: data.schema)
        let (inProcess, engine) = try Engines.bothWays(program, tables: ["": data], on: dialect)
        let contradiction = { (level: Int) in
            "error: the levels contradict each other (critical \(level), norm \(level)): "
                + "from critical to norm to target they must rise (higher is better) or fall (lower is better), no two equal"
        }
        let expected: [String: [String]] = [
            "division": ["error: division by zero"],
            "no_values": ["error: average of no values"],
            "k_written": ["error: percentile needs k between 0 and 1, got 2"],
            "k_computed": ["error: percentile needs k between 0 and 1, got 1.5"],
            "outside": ["error: percentrank: 7 is outside the values (1 to 4)"],
            "one_value": ["error: stdev needs at least two values, got one"],
            "missing": ["error: \"Eve\" is not among the keys of lookup"],
            "not_a_number": ["error: 'abc' is not a number"],
            "not_a_date": ["error: 'abc' is not a date (expected yyyy-mm-dd or dd.mm.yyyy)"],
            "root": ["error: square root of a negative number"],
            "clamped": ["error: clamp needs lo ≤ hi, got 5 and 1"],
            "twice": ["error: interpolate needs distinct xs, but 1 appears twice"],
            "weightless": ["error: weighted_avg with a total weight of zero"],
            "kept": ["5"],
            "by_manager": ["Ann=error: division by zero", "Bob=3.5"],
            "growth_from_zero": [
                "Ann|2024-01=null", "Ann|2024-02=error: division by zero: the previous value is 0", "Bob|2024-01=null", "Bob|2024-02=0",
            ],
            "half_a_period": Array(
                repeating: "error: previous needs a whole number of periods of at least 0 for 'n', but got 1.5", count: 2
            ).enumerated().map { "2024-0\($0 + 1)=\($1)" },
            "contradicting": ["Ann=\(contradiction(0))", "Bob=\(contradiction(2))"],
            "broken_norm": ["error: the norm level failed: division by zero"],
        ]
        for result in [inProcess, engine] {
            for (name, lines) in expected {
                let shown = single(result, name) == "grouped" ? groups(result, name) : [single(result, name)]
                #expect(shown == lines, "\(name) on \(dialect)")
            }
        }
    }
}

extension SQLEngineTests {
    /// `count` leaves out evaluation errors, as Excel's COUNT skips error cells, on the engine too.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func countSkipsErrorsOnTheEngine(_ dialect: SQLDialect) throws {
        let (program, data) = try GroupsPerKPITests().compile(
            "a = count(100 / (amount - 100))\nb = count([1, 0, 3, 1/0])\nc = count(100 / (amount - 100)) by manager\n",
            ["": GroupsPerKPITests.facts])
        let (inProcess, engine) = try Engines.bothWays(program, tables: data, on: dialect)
        for result in [inProcess, engine] {
            #expect(single(result, "a") == "3")
            #expect(single(result, "b") == "3")
            #expect(groups(result, "c") == ["Ann=1", "Bob=1", "Cat=1"])
        }
    }
}

extension SQLEngineTests {
    /// `only` sends the statements of the KPIs it names, and no other.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func onlyTheNamedKPIsGoToTheEngine(_ dialect: SQLDialect) throws {
        let (program, data) = try GroupsPerKPITests().compile("a = sum(amount)\nb = count() by manager\n", ["": GroupsPerKPITests.facts])
        let (_, engine) = try Engines.bothWays(program, tables: data, on: dialect, only: ["b"])
        #expect(engine.kpis.map(\.name) == ["b"])
        #expect(groups(engine, "b") == ["Ann=2", "Bob=1", "Cat=1"])
    }
}

extension SQLEngineTests {
    /// `&` writes a null as nothing, on the engine too (it failed: the null was a number there).
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func concatenatingANullOnTheEngine(_ dialect: SQLDialect) throws {
        let (program, data) = try GroupsPerKPITests().compile(
            "a = \"a\" & null & \"b\"\nb = max(manager) & null\n", ["": GroupsPerKPITests.facts])
        let (inProcess, engine) = try Engines.bothWays(program, tables: data, on: dialect)
        for result in [inProcess, engine] {
            #expect(single(result, "a") == "\"ab\"")
            #expect(single(result, "b") == "\"Cat\"")
        }
    }
}

extension SQLEngineTests {
    /// Status, level and levels as columns (SPEC v3): fixed and per-row directions, a grouped
    /// plan as the norm, contradicting levels, a failed value, a null level.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func thresholdsGiveTheSameStatusesOnTheEngine(_ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let plans = try DataTable.load(Data(Self.plansCSV.utf8), name: "plans.csv", format: .csv, options: DataOptions())
        let formulas = """
            param goal = 20000
            planned = sum(plans.target) by manager
            revenue = sum(amount)  critical 10000  norm goal  target 1.5 * goal
            by_manager = sum(amount where won) by manager  critical 0.5 * planned  norm planned  target 1.2 * planned
            by_month = sum(amount) by manager, month(date)  norm planned
            cost_share = sum(cost) / sum(amount) by region  critical 0.4 norm 0.3 target 0.2
            rate = percent(won) by region  norm <= 70%
            failed = sum(amount) / 0 by region  norm 1
            missing = max(amount where amount > 10000) by region  norm 1
            """
        let program = try Kipi().compile(source: SourceText(name: "levels.kpi", text: formulas), schema: deals.schema, tables: ["plans": plans.schema])
        let (expected, actual) = try Engines.bothWays(program, tables: ["": deals, "plans": plans], on: dialect)
        #expect(Engines.differences(expected, actual) == [])
        let statuses = Set(expected.kpis.flatMap { kpi -> [KPIStatus?] in
            if case .grouped(_, let rows) = kpi.value { return rows.map { $0.assessment?.status } }
            return [kpi.assessment?.status]
        })
        // The program reaches every status, and rows without one.
        #expect(statuses == [.critical, .below, .met, .exceeded, nil])
    }
}

extension SQLEngineTests {
    /// A KPI the engine refuses is that KPI's error, with the engine's words and the KPI's name;
    /// the other KPIs are still computed (SPEC §6), as in-process. Here the plans table is missing
    /// on the engine: two KPIs read it, so each is sent again alone to tell their messages apart.
    @Test(arguments: [SQLDialect.duckdb, .postgres, .spark])
    func aKPITheEngineRefusesIsThatKPIsError(_ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let plans = try DataTable.load(Data(Self.plansCSV.utf8), name: "plans.csv", format: .csv, options: DataOptions())
        let formulas = "total = sum(amount)\nplanned = sum(plans.target)\nwon = count(won) by region\nplanned_by = sum(plans.target) by manager\n"
        let program = try Kipi().compile(source: SourceText(name: "refused.kpi", text: formulas), schema: deals.schema, tables: ["plans": plans.schema])
        let (inProcess, engine) = try Engines.bothWays(program, tables: ["": deals, "plans": plans], on: dialect, absent: ["plans"])
        #expect(engine.kpis.map(\.name) == ["total", "planned", "won", "planned_by"])
        #expect(single(engine, "total") == single(inProcess, "total"))
        #expect(groups(engine, "won") == groups(inProcess, "won"))
        for name in ["planned", "planned_by"] {
            let message = single(engine, name)
            #expect(message.hasPrefix("error: \(SQLEngine(dialect: dialect).clientName) refused the SQL of KPI '\(name)': "), "\(message)")
            #expect(message.lowercased().contains("_plans"), "the engine's words name the missing table: \(message)")
        }
    }
}

extension SQLEngineTests {
    /// `--table data=FILE.parquet`: the engine reads the file itself (DuckDB's `read_parquet`, a
    /// Spark temporary view over its parquet source), and `kipi eval --engine` prints what
    /// in-process evaluation of the same rows prints. The Parquet file is written by DuckDB from
    /// the deals; the plans stay a CSV file, which the engine reads too.
    @Test(arguments: [SQLDialect.duckdb, .spark])
    func theEngineReadsAParquetFileItself(_ dialect: SQLDialect) throws {
        let deals = try temporaryFile("deals.csv", Self.dealsCSV)
        let folder = URL(fileURLWithPath: deals).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plans = folder.appendingPathComponent("plans.csv").path
        try Self.plansCSV.write(toFile: plans, atomically: true, encoding: .utf8)
        let parquet = folder.appendingPathComponent("deals.parquet").path
        let written = try runProgram(["duckdb", "-c", "COPY (SELECT * FROM read_csv('\(deals)')) TO '\(parquet)' (FORMAT parquet)"])
        #expect(written.status == 0, "\(written.output)")
        let formulas = try temporaryFile(
            "files.kpi",
            """
            total = sum(amount)
            p90 = percentile(amount, 0.9)
            by_month = sum(amount) by manager, month(date)
            won_share = percent(won) by region
            plan_fact = sum(amount where won) / sum(plans.target) by manager
            last_call = max(opened)

            """)
        var arguments = ["eval", formulas, "--engine", dialect.rawValue, "--table", "data=\(parquet)", "--table", "plans=\(plans)"]
        if dialect == .spark {
            let home = folder.appendingPathComponent("spark").path
            arguments += ["--connect", "--driver-java-options -Dderby.system.home=\(home) --conf spark.sql.warehouse.dir=\(home)/warehouse"]
        }
        let onEngine = CapturedRun(arguments)
        let inProcess = CapturedRun(["eval", formulas, "--data", deals, "--data", "plans=\(plans)"])
        #expect(onEngine.errors == "")
        #expect(onEngine.status == 0)
        #expect(onEngine.output == inProcess.output)
        #expect(inProcess.output.contains("by_month"))
    }
}

extension SQLEngineTests {
    /// A data file as a table: Spark reads it through a temporary view made first, PostgreSQL
    /// cannot read it (a clear error), and a file that is not there is named.
    @Test func dataFilesAsTablesInTheSQL() throws {
        let formulas = try temporaryFile("total.kpi", "total = sum(amount)\n")
        let folder = URL(fileURLWithPath: formulas).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parquet = folder.appendingPathComponent("deals.parquet").path
        _ = FileManager.default.createFile(atPath: parquet, contents: Data())
        let spark = CapturedRun(["sql", formulas, "--dialect", "spark", "--table", "data=\(parquet)"])
        #expect(spark.output.hasPrefix("CREATE OR REPLACE TEMPORARY VIEW `kipi file data` USING parquet OPTIONS (path '\(parquet)');\n"))
        #expect(spark.output.contains("FROM `kipi file data` r"))
        let duckdb = CapturedRun(["sql", formulas, "--dialect", "duckdb", "--table", "data=\(parquet)"])
        #expect(duckdb.output.contains("FROM read_parquet('\(parquet)') r"))
        let postgres = CapturedRun(["sql", formulas, "--dialect", "postgres", "--table", "data=\(parquet)"])
        #expect(postgres.errors == "kipi: error: postgres does not read the file '\(parquet)' itself: load it into a table and give the table with --table\n")
        #expect(postgres.status == 1)
        let missing = CapturedRun(["sql", formulas, "--dialect", "duckdb", "--table", "data=nowhere/deals.parquet"])
        #expect(missing.errors == "kipi: error: no file 'nowhere/deals.parquet' for --table nowhere/deals.parquet\n")
        #expect(missing.status == 1)
    }
}

extension SQLEngineTests {
    /// `kipi sql --connect` asks the engine for the column types, as `--engine` does; `--type`
    /// sets one without data; with neither, a column no use decides is text (read as it is).
    @Test func sqlTakesColumnTypesFromTheEngineOrFromType() throws {
        let engine = try Engines.engine(.duckdb)
        let database = try #require(engine.connection)
        defer { try? FileManager.default.removeItem(atPath: database) }
        _ = try engine.run("CREATE TABLE sales AS SELECT 'EU' AS region, 5 AS code, DATE '2024-01-02' AS closed;")
        let formulas = try temporaryFile("types.kpi", "top = max(code) by region\nlast = max(closed)\n")
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: formulas).deletingLastPathComponent()) }
        let asked = CapturedRun(["sql", formulas, "--dialect", "duckdb", "--table", "sales", "--connect", database])
        #expect(asked.errors == "")
        #expect(asked.output.contains("CAST(r.\"code\" AS DOUBLE)"))
        #expect(asked.output.contains("CAST(r.\"closed\" AS TIMESTAMP)"))
        let typed = CapturedRun(["sql", formulas, "--dialect", "duckdb", "--table", "sales", "--type", "code=number"])
        #expect(typed.output.contains("CAST(r.\"code\" AS DOUBLE)"))
        #expect(!typed.output.contains("TIMESTAMP"))
        let untyped = CapturedRun(["sql", formulas, "--dialect", "duckdb", "--table", "sales"])
        #expect(untyped.errors == "")
        #expect(!untyped.output.contains("CAST(r.\"code\""))
    }
}

extension SQLEngineTests {
    /// Levels known as the SQL is written (numbers and parameters) are judged as it is written:
    /// levels that agree need no check in each row, and levels a parameter makes contradict fail
    /// every row with the evaluation's message, on the engine too.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func levelsKnownAsTheSQLIsWrittenAreJudgedThere(_ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let formulas = """
            param goal = 2000
            param stretch = 3000
            revenue = sum(amount)  critical 1000  norm goal  target stretch
            by_region = sum(amount) by region  norm goal  target stretch
            """
        let program = try Kipi().compile(source: SourceText(name: "levels.kpi", text: formulas), schema: deals.schema)
        let agreeing = try program.sql(dialect: dialect, tables: ["": "deals"])
        #expect(!agreeing.text.contains("contradict"))
        let contradicting = try program.sql(dialect: dialect, tables: ["": "deals"], parameters: ["goal": .number(4000)])
        #expect(contradicting.text.contains("the levels contradict each other"))
        for parameters: [String: Value] in [[:], ["goal": .number(4000)]] {
            let (expected, actual) = try Engines.bothWays(program, tables: ["": deals], on: dialect, parameters: parameters)
            #expect(Engines.differences(expected, actual) == [])
        }
        let (_, actual) = try Engines.bothWays(program, tables: ["": deals], on: dialect, parameters: ["goal": .number(4000)])
        #expect(
            single(actual, "revenue") == "error: the levels contradict each other (critical 1000, norm 4000, target 3000): "
                + "from critical to norm to target they must rise (higher is better) or fall (lower is better), no two equal")
    }
}

extension SQLEngineTests {
    /// A lookup in keys known as the SQL is written is a CASE over them: the first key equal to
    /// the value gives its value, as in-process (XLOOKUP), where a database table has no first row.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func aLookupInKnownKeysTakesTheFirstOnTheEngine(_ dialect: SQLDialect) throws {
        let deals = try DataTable.load(Data(Self.dealsCSV.utf8), name: "deals.csv", format: .csv, options: DataOptions())
        let formulas = """
            let points = lookup(region, ["EU", "APAC", "EU", "RU"], [1, 2, 3, 4])
            first_key_wins = sum(points)
            missing = sum(lookup(region, ["EU", "APAC"], [1, 2]))
            named = max(lookup(lower(region), ["eu", "ru", "apac"], ["west", "east", "asia"])) by region
            """
        let program = try Kipi().compile(source: SourceText(name: "lookup.kpi", text: formulas), schema: deals.schema)
        #expect(try !program.sql(dialect: dialect, tables: ["": "deals"]).text.contains("VALUES"))
        let (inProcess, engine) = try Engines.bothWays(program, tables: ["": deals], on: dialect)
        #expect(Engines.differences(inProcess, engine) == [])
        for result in [inProcess, engine] {
            // 22 rows of EU at 1 (its first key), 21 of APAC at 2, 21 of RU at 4.
            #expect(single(result, "first_key_wins") == "148")
            #expect(single(result, "missing") == "error: \"RU\" is not among the keys of lookup")
            #expect(groups(result, "named") == ["APAC=\"asia\"", "EU=\"west\"", "RU=\"east\""])
        }
    }
}

extension SQLEngineTests {
    /// Text read as a period fails where it is none, row by row, with the evaluation's message
    /// (the engine refused the whole KPI on the cast before): a month 13, a quarter 5, week 53 of
    /// a year with 52, year 0, and a year as a number that is not whole; compared with a period,
    /// and given to `month` and `year`.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func textThatIsNoPeriodFailsAsInProcess(_ dialect: SQLDialect) throws {
        func table(_ name: String, _ csv: String, text: String) throws -> DataTable {
            try DataTable.load(Data(csv.utf8), name: "\(name).csv", format: .csv, options: DataOptions(columnTypes: [text: .text]))
        }
        let tables: [String: DataTable] = [
            "": try table("months", "date,period\n2024-03-05,2024-03\n2024-04-01,2024-03\n2024-03-09,\n", text: "period"),
            "bad_month": try table("bad_month", "date,period\n2024-03-05,2024-03\n2024-03-06,2024-13\n", text: "period"),
            "quarters": try table("quarters", "date,period\n2024-12-31,2024-Q4\n2024-01-01,2024-q1\n2024-05-01,2024-Q1\n", text: "period"),
            "bad_quarter": try table("bad_quarter", "date,period\n2024-12-31,2024-Q5\n", text: "period"),
            "weeks": try table("weeks", "date,period\n2020-12-31,2020-W53\n2024-01-01,2024-w01\n", text: "period"),
            "bad_week": try table("bad_week", "date,period\n2021-12-31,2021-W53\n", text: "period"),
            "bad_year": try table("bad_year", "date,period\n2024-12-31,0000\n", text: "period"),
            "numbers": try DataTable.load(Data("date,year\n2024-12-31,2024\n2024-06-30,2024.5\n".utf8), name: "numbers.csv", format: .csv, options: DataOptions()),
        ]
        let formulas = """
            months = count(where month(date) == period)
            bad_month = count(where month(bad_month.date) == bad_month.period)
            quarters = count(where quarter(quarters.date) == quarters.period)
            bad_quarter = count(where quarter(bad_quarter.date) == bad_quarter.period)
            weeks = count(where week(weeks.date) == weeks.period)
            bad_week = count(where week(bad_week.date) == bad_week.period)
            bad_year = count(where year(bad_year.date) == bad_year.period)
            bad_number = count(where year(numbers.date) == numbers.year)
            month_of_text = count(where month(bad_month.period) == month(bad_month.date))
            year_of_number = count(where year(numbers.year) == year(numbers.date))
            """
        let program = try Kipi().compile(
            source: SourceText(name: "periods.kpi", text: formulas), schema: try #require(tables[""]).schema,
            tables: tables.filter { !$0.key.isEmpty }.mapValues(\.schema))
        let (inProcess, engine) = try Engines.bothWays(program, tables: tables, on: dialect)
        #expect(Engines.differences(inProcess, engine) == [])
        for result in [inProcess, engine] {
            #expect(single(result, "months") == "1")
            #expect(single(result, "bad_month") == "error: '2024-13' is not a month; write it as 2024-03")
            #expect(single(result, "quarters") == "2")
            #expect(single(result, "bad_quarter") == "error: '2024-Q5' is not a quarter; write it as 2024-Q1")
            #expect(single(result, "weeks") == "2")
            #expect(single(result, "bad_week") == "error: '2021-W53' is not a week; write it as 2024-W05")
            #expect(single(result, "bad_year") == "error: '0000' is not a year; write it as 2024")
            #expect(single(result, "bad_number") == "error: 2024.5 is not a year; write it as 2024")
            #expect(single(result, "month_of_text") == "error: '2024-13' is not a month; write it as 2024-03")
            #expect(single(result, "year_of_number") == "error: 2024.5 is not a year; write it as 2024")
        }
    }
}

extension SQLEngineTests {
    /// A key read as a period from text that is none fails the whole KPI in-process; the engine
    /// stops the query with the same words, where it gave the row a group of NULL (or, for
    /// "2024-13", the next January) before.
    @Test(arguments: [SQLDialect.duckdb, .postgres])
    func aKeyThatIsNoPeriodStopsTheKPIOnTheEngine(_ dialect: SQLDialect) throws {
        let sales = try DataTable.load(Data("date,amount\n2024-03-05,10\n2024-04-05,20\n".utf8), name: "sales.csv", format: .csv, options: DataOptions())
        let plans = try DataTable.load(
            Data("period,target\n2024-03,100\n2024-13,50\n".utf8), name: "plans.csv", format: .csv, options: DataOptions(columnTypes: ["period": .text]))
        let program = try Kipi().compile(
            source: SourceText(name: "keys.kpi", text: "plan_fact = sum(amount) / sum(plans.target) by period = month(date)\n"),
            schema: sales.schema, tables: ["plans": plans.schema])
        let (inProcess, engine) = try Engines.bothWays(program, tables: ["": sales, "plans": plans], on: dialect)
        let reason = "a 'by' key could not be computed: '2024-13' is not a month; write it as 2024-03"
        #expect(single(inProcess, "plan_fact") == "error: \(reason)")
        let message = single(engine, "plan_fact")
        #expect(message.hasPrefix("error: \(SQLEngine(dialect: dialect).clientName) refused the SQL of KPI 'plan_fact': "), "\(message)")
        #expect(message.contains(reason), "\(message)")
    }
}
