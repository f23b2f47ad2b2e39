import Foundation
import Testing

@testable import Kipi

/// The function library against values from Excel's documentation and worked out by hand.
struct FunctionLibraryTests {
    /// The value of `k = formula`, as a number, or the error message.
    func evaluated(_ formula: String, csv: String = "x\n1") throws -> Result<Double, FunctionError> {
        switch try evaluate("k = \(formula)", csv: csv)["k"]?.value {
        case .single(.value(.number(let number)))?: return .success(number)
        case .single(.error(let message))?: return .failure(FunctionError(message))
        default: return .failure(FunctionError("not a number"))
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var formula: String
        var expected: Double
        var testDescription: String { "\(formula) = \(expected)" }
    }

    static let documented: [Case] = [
        // Excel's documentation examples.
        Case(formula: "percentile([1, 2, 3, 4], 0.3)", expected: 1.9),
        Case(formula: "percentile_exc([1, 2, 3, 6, 6, 6, 7, 8, 9], 0.25)", expected: 2.5),
        Case(formula: "quartile([1, 2, 4, 7, 8, 9, 10, 12], 1)", expected: 3.5),
        Case(formula: "median([1, 2, 3, 4, 5])", expected: 3),
        Case(formula: "median([1, 2, 3, 4, 5, 6])", expected: 3.5),
        Case(formula: "percentrank([13, 12, 11, 8, 4, 3, 2, 1, 1, 1], 2)", expected: 0.333),
        Case(formula: "percentrank([13, 12, 11, 8, 4, 3, 2, 1, 1, 1], 4)", expected: 0.555),
        Case(formula: "percentrank([13, 12, 11, 8, 4, 3, 2, 1, 1, 1], 8)", expected: 0.666),
        Case(formula: "percentrank([13, 12, 11, 8, 4, 3, 2, 1, 1, 1], 5)", expected: 0.583),
        Case(formula: "percentrank_exc([1, 2, 3, 6, 6, 6, 7, 8, 9], 7)", expected: 0.7),
        Case(formula: "percentrank_exc([1, 2, 3, 6, 6, 6, 7, 8, 9], 5.43)", expected: 0.381),
        Case(formula: "percentrank_exc([1, 2, 3, 6, 6, 6, 7, 8, 9], 5.43, 1)", expected: 0.3),
        Case(formula: "percentrank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4.5)", expected: 0.388),
        Case(formula: "percentrank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4.5, 4)", expected: 0.3888),
        Case(formula: "stdev([1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299])", expected: 27.463915719843),
        Case(formula: "stdevp([1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299])", expected: 26.054558142482),
        Case(formula: "var([1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299])", expected: 754.266666666667),
        Case(formula: "varp([1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299])", expected: 678.84),
        // By hand: ties, single values, k at 0 and 1.
        Case(formula: "percentile([5], 0.5)", expected: 5),
        Case(formula: "percentile([1, null, 3], 0.5)", expected: 2),
        Case(formula: "median([4, null, 1, null])", expected: 2.5),
        Case(formula: "stdevp([2, null, 4])", expected: 1),
        Case(formula: "percentile([3, 1, 2], 0)", expected: 1),
        Case(formula: "percentile([3, 1, 2], 1)", expected: 3),
        Case(formula: "percentile([1, 2, 2, 3], 0.5)", expected: 2),
        Case(formula: "quartile([1, 2, 4, 7, 8, 9, 10, 12], 4.9)", expected: 12),
        Case(formula: "percentrank([5], 5)", expected: 1),
        Case(formula: "percentrank([1, 2, 2, 3], 2)", expected: 0.333),
        Case(formula: "percentrank([1, 2, 2, 3], 2.5)", expected: 0.833),
        Case(formula: "percentrank([1, 2, 3], 1)", expected: 0),
        Case(formula: "percentrank([1, 2, 3], 3)", expected: 1),
        Case(formula: "varp([7])", expected: 0),
        Case(formula: "var([4, 7, 13, 16])", expected: 30),
        Case(formula: "var([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])", expected: 30),
        Case(formula: "score(90, 50, 120)", expected: 40.0 / 70),
        Case(formula: "score(50, 50, 120)", expected: 0),
        Case(formula: "normalize(5, 0, 10)", expected: 0.5),
        Case(formula: "normalize_min(2, 0, 10)", expected: 0.8),
        Case(formula: "clamp(5, 0, 3)", expected: 3),
        Case(formula: "clamp(-1, 0, 3)", expected: 0),
        Case(formula: "clamp(2, 0, 3)", expected: 2),
        Case(formula: "interpolate(0, [1, 2], [10, 20])", expected: 10),
        Case(formula: "interpolate(3, [1, 2], [10, 20])", expected: 20),
        Case(formula: "interpolate(1.25, [2, 1], [20, 10])", expected: 12.5),
        Case(formula: "lookup(\"good\", [\"poor\", \"average\", \"good\", \"excellent\"], [0, 3, 6, 10])", expected: 6),
        Case(formula: "weighted_avg([80, 90, 70], [0.5, 0.3, 0.2])", expected: 81),
        Case(formula: "weighted_avg([80, null, 70], [1, 1, 3])", expected: 72.5),
        Case(formula: "floor(-2.5)", expected: -3),
        Case(formula: "ceil(-2.5)", expected: -2),
        Case(formula: "floor(2.7)", expected: 2),
        Case(formula: "sqrt(16)", expected: 4),
        Case(formula: "ln(exp(2))", expected: 2),
        Case(formula: "exp(0)", expected: 1),
        Case(formula: "round(-1234.5678, -2)", expected: -1200),
        Case(formula: "round(0.5)", expected: 1),
        Case(formula: "round(-0.5)", expected: -1),
        Case(formula: "round(1.45, 1)", expected: 1.5),
        Case(formula: "round(5.015, 2)", expected: 5.02),
        Case(formula: "min(3, 1, 2)", expected: 1),
        Case(formula: "max(3, 1, 2)", expected: 3),
        Case(formula: "min(null, 2)", expected: 2),
        Case(formula: "len(\"收入\")", expected: 2),
        Case(formula: "len(\"Иванов\")", expected: 6),
    ]

    @Test(arguments: documented)
    func computesAsDocumented(_ example: Case) throws {
        let value = try evaluated(example.formula).get()
        #expect(abs(value - example.expected) <= 1e-9 * max(1, abs(example.expected)), "got \(value)")
    }

    static let failures: [(String, String)] = [
        ("median([])", "median of no values"),
        ("percentile([1, 2], 1.5)", "percentile needs k between 0 and 1, got 1.5"),
        ("percentile([1, 2], -0.1)", "percentile needs k between 0 and 1, got -0.1"),
        ("percentile_exc([1, 2, 3], 0.1)", "percentile_exc needs k between 1/(n+1) and n/(n+1) for n = 3 values, got 0.1"),
        ("percentile_exc([1, 2, 3], 0)", "percentile_exc needs k between 1/(n+1) and n/(n+1) for n = 3 values, got 0"),
        ("quartile([1, 2], 5)", "quartile needs q from 0 to 4, got 5"),
        ("quartile([1, 2], -1)", "quartile needs q from 0 to 4, got -1"),
        ("percentrank([1, 2, 3], 4)", "percentrank: 4 is outside the values (1 to 3)"),
        ("percentrank([1, 2, 3], 0.5)", "percentrank: 0.5 is outside the values (1 to 3)"),
        ("percentrank([1, 2, 3], 2, 0)", "percentrank needs a significance of at least 1, got 0"),
        ("stdev([5])", "stdev needs at least two values, got one"),
        ("varp([])", "varp of no values"),
        ("score(80, 50, 50)", "score: division by zero (the two bounds are equal)"),
        ("normalize(1, 2, 2)", "normalize: division by zero (the two bounds are equal)"),
        ("clamp(1, 3, 0)", "clamp needs lo ≤ hi, got 3 and 0"),
        ("interpolate(1, [1, 2, 3], [1, 2])", "interpolate needs lists of one length, got 3 and 2 values"),
        ("interpolate(1, [1, null, 3], [1, 2])", "interpolate needs lists of one length, got 3 and 2 values"),
        ("weighted_avg([1, 2, 3], [1])", "weighted_avg needs lists of one length, got 3 and 1 values"),
        ("interpolate(1, [1, 1], [1, 2])", "interpolate needs distinct xs, but 1 appears twice"),
        ("lookup(\"bad\", [\"poor\", \"good\"], [0, 6])", "\"bad\" is not among the keys of lookup"),
        ("weighted_avg([1, 2], [0, 0])", "weighted_avg with a total weight of zero"),
        ("sqrt(-1)", "square root of a negative number"),
        ("ln(0)", "logarithm of a number that is not positive"),
        ("exp(1000)", "exp of this value is not a finite number"),
    ]

    @Test(arguments: failures)
    func outOfRangeIsAnEvaluationError(_ formula: String, _ message: String) throws {
        #expect(throws: FunctionError(message)) { try evaluated(formula).get() }
    }

    @Test func textFunctions() throws {
        let result = try evaluate(
            "a = lower(\"ИВАНОВ\")\nb = upper(\"straße\")\nc = contains(\"Chen Wei\", \"Wei\")\nd = contains(\"abc\", \"B\")\ne = min(\"b\", \"a\")\nf = max(date(\"2024-01-01\"), date(\"2024-02-01\"))\ng = min(null, null)"
        )
        #expect(single(result, "a") == "\"иванов\"")
        #expect(single(result, "b") == "\"STRASSE\"")
        #expect(single(result, "c") == "true")
        #expect(single(result, "d") == "false")
        #expect(single(result, "e") == "\"a\"")
        #expect(single(result, "f") == "date(\"2024-02-01\")")
        #expect(single(result, "g") == "null")
    }

    @Test func varianceKeepsItsDigitsNearLargeValues() throws {
        // A one-pass Σx² − (Σx)²/n loses every significant digit here.
        let value = try evaluated("stdev([12345678.1, 12345678.2, 12345678.3])").get()
        #expect(abs(value - 0.1) < 1e-8)
        let csv = "x\n" + (0..<1000).map { "\(12_345_678 + $0 % 2)" }.joined(separator: "\n")
        let population = try evaluated("varp(x)", csv: csv).get()
        #expect(abs(population - 0.25) < 1e-12)
    }

    /// The percentile-rank interpolation table of the KPI literature: SLA 5% → 130% bonus,
    /// 10% → 115%, 15% → 100%, 20% → 80%, 25% → 0%, linear in between.
    static let bonusTable: [(sla: Int, bonus: Double)] = Array(
        zip(
            5...25,
            [
                130, 127, 124, 121, 118, 115, 112, 109, 106, 103, 100, 96, 92, 88, 84, 80, 64, 48, 32, 16, 0,
            ]))

    @Test func percentRankInterpolationTableWithLiterals() throws {
        let xs = "[5%, 10%, 15%, 20%, 25%]"
        let ys = "[130%, 115%, 100%, 80%, 0%]"
        for (sla, bonus) in Self.bonusTable {
            let throughRanks = try evaluated("percentile(\(ys), 1 - percentrank(\(xs), \(sla)%))").get()
            let interpolated = try evaluated("interpolate(\(sla)%, \(xs), \(ys))").get()
            #expect(abs(throughRanks * 100 - bonus) < 1e-9, "percentile/percentrank at \(sla)%: \(throughRanks)")
            #expect(abs(interpolated * 100 - bonus) < 1e-9, "interpolate at \(sla)%: \(interpolated)")
        }
    }

    @Test func percentRankInterpolationTableWithColumns() throws {
        let csv = "xs;ys\n5%;130%\n10%;115%\n15%;100%\n20%;80%\n25%;0%\n"
        for (sla, bonus) in Self.bonusTable {
            let result = try evaluate(
                "param s = \(sla)%\nranked = percentile(ys, 1 - percentrank(xs, s))\nlinear = interpolate(s, xs, ys)", csv: csv)
            for name in ["ranked", "linear"] {
                guard case .single(.value(.number(let value)))? = result[name]?.value else {
                    Issue.record("\(name) at \(sla)%: \(single(result, name))")
                    continue
                }
                #expect(abs(value * 100 - bonus) < 1e-9, "\(name) at \(sla)%: \(value)")
            }
        }
    }

    @Test func orderStatisticsTakeColumnsWithWhereAndGroupedKPIs() throws {
        let csv = "manager,amount\nAnn,1\nAnn,9\nBob,4\nBob,6\nCid,100\n"
        let result = try evaluate(
            """
            m = median(amount where amount < 50)
            q = quartile(amount, 2) by manager
            by_manager = sum(amount) by manager
            top = percentile(by_manager, 1)
            rank = percentrank(by_manager, by_manager)
            bonus = interpolate(by_manager, [0, 100], [0, 1])
            """, csv: csv)
        #expect(single(result, "m") == "5")
        #expect(groups(result, "q") == ["Ann=5", "Bob=5", "Cid=100"])
        #expect(single(result, "top") == "100")
        #expect(groups(result, "rank") == ["Ann=0", "Bob=0", "Cid=1"])
        #expect(groups(result, "bonus") == ["Ann=0.1", "Bob=0.1", "Cid=1"])
    }

    @Test func aScaleAppliesRowByRow() throws {
        let csv = "rating\npoor\ngood\nexcellent\ngood\n"
        let result = try evaluate("score = avg(lookup(rating, [\"poor\", \"average\", \"good\", \"excellent\"], [0, 3, 6, 10]))", csv: csv)
        #expect(single(result, "score") == "5.5")
    }

    @Test func ranksLookedUpRowByRowInOneList() throws {
        let csv = "x\n3\n1\n2\n2.5\n"
        #expect(try evaluated("avg(percentrank([1, 2, 3], x))", csv: csv).get() == (1 + 0 + 0.5 + 0.75) / 4)
        #expect(try evaluated("sum(percentile([10, 20, 30], x / 4))", csv: csv).get() == 25 + 15 + 20 + 22.5)
    }

    @Test func anAggregateOverRowsRefusesAPerRowArgument() {
        #expect(
            diagnostics("k = percentile(amount, amount / 100)").hasPrefix(
                "test.kpi:1:24: error: 'percentile' reduces a column to one value, so 'k' must be a single value (or one per group), not one per row")
        )
    }

    @Test func truncationDoesNotLoseADigitToBinaryRounding() throws {
        // (0.06 − 0.05) / (0.10 − 0.05) / 4 is 0.049999999999999996 in binary floating point.
        let raw = ((0.06 - 0.05) / (0.10 - 0.05)) / 4
        #expect(raw < 0.05)
        #expect(OrderStatistics.truncate(raw, digits: 3) == 0.05)
        #expect(OrderStatistics.truncate(0.38888888888888884, digits: 3) == 0.388)
        #expect(OrderStatistics.truncate(0.9999, digits: 3) == 0.999)
        #expect(try evaluated("percentrank([5%, 10%, 15%, 20%, 25%], 6%)").get() == 0.05)
    }
}
