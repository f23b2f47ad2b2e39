import Foundation
import Testing

@testable import Kipi

/// A host's functions break their contract: each violation is an error of the KPI that calls
/// the function, naming it and what it returned — never a trap, an out-of-bounds read or a
/// silent wrong value (SPEC §7).
struct HostContractTests {
    static let data = "amount,name\n1,a\n2,b\n3,c\n"

    func outcome(_ formula: String, _ function: FunctionDefinition) throws -> String {
        var kipi = Kipi()
        try kipi.register(function)
        let table = try table(Self.data)
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "k = \(formula)\n"), schema: table.schema)
        return single(try program.evaluate(table), "k")
    }

    func columnar(_ compute: @escaping @Sendable ([Column], Int) throws -> Column, returns: KipiType = .number) -> FunctionDefinition {
        FunctionDefinition("f", [.init("x", .number)], returns: .exactly(returns), summary: "", implementation: .columnar(compute))
    }

    @Test(arguments: [
        (2, "function 'f' returned 2 values for 3 cells"),
        (0, "function 'f' returned 0 values for 3 cells"),
        (8, "function 'f' returned 8 values for 3 cells"),
    ])
    func aColumnarFunctionReturningTheWrongNumberOfCellsFailsItsKPI(_ cells: Int, _ message: String) throws {
        let function = columnar { _, _ in Column(numbers: [Double](repeating: 1, count: cells)) }
        #expect(try outcome("sum(f(amount))", function) == "error: \(message)")
    }

    @Test func aNullMaskOfTheWrongLengthFailsTheKPI() throws {
        let function = columnar { arguments, count in Column(numbers: arguments[0].numbers, nulls: [true, false]) }
        #expect(try outcome("sum(f(amount))", function) == "error: function 'f' returned a null mask of 2 cells for 3 values")
    }

    @Test func anErrorMaskOutsideTheCellsFailsTheKPI() throws {
        let function = columnar { arguments, _ in
            var column = Column(numbers: arguments[0].numbers)
            column.errors.record("bad", at: 7)
            return column
        }
        #expect(try outcome("sum(f(amount))", function) == "error: function 'f' returned an error for cell 8 of 3")
    }

    @Test func aColumnarFunctionReturningAnotherTypeFailsTheKPI() throws {
        let function = columnar { arguments, count in Column(texts: [String](repeating: "x", count: count)) }
        #expect(try outcome("sum(f(amount))", function) == "error: function 'f' returned text, but it is declared to return a number")
    }

    @Test func aScalarFunctionReturningAnotherTypeFailsItsCells() throws {
        let function = FunctionDefinition(
            "f", [.init("x", .number)], returns: .exactly(.number), summary: "", implementation: .scalar(propagatesNull: true) { _ in .text("x") })
        #expect(try outcome("sum(f(amount))", function) == "error: function 'f' returned text, but it is declared to return a number")
    }

    @Test func anAggregateReturningAnotherTypeFailsTheKPI() throws {
        let function = FunctionDefinition(
            "f", [.collection("x", .number)], returns: .exactly(.number), summary: "", implementation: .aggregate { _ in .text("x") })
        #expect(try outcome("f(amount)", function) == "error: function 'f' returned text, but it is declared to return a number")
    }

    @Test func aWindowReturningAnotherTypeFailsTheKPI() throws {
        let function = FunctionDefinition(
            "f", [.init("x", .number, role: .series)], returns: .exactly(.number), summary: "",
            implementation: .window(alongTime: false) { input in Column(texts: [String](repeating: "x", count: input.values.count)) })
        var kipi = Kipi()
        try kipi.register(function)
        let table = try table(Self.data)
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "k = f(sum(amount)) by name\n"), schema: table.schema)
        #expect(groups(try program.evaluate(table), "k").first == "a=error: function 'f' returned text, but it is declared to return a number")
    }

    /// A host's error is shown by its description when it gives one, else named as the host's.
    @Test func aHostErrorIsNamedByItsFunction() throws {
        struct Boom: Error {}
        struct Explained: Error, CustomStringConvertible { var description: String { "the rate service is down" } }
        #expect(try outcome("sum(f(amount))", columnar { _, _ in throw Boom() }) == "error: function 'f' failed (Boom)")
        #expect(try outcome("sum(f(amount))", columnar { _, _ in throw Explained() }) == "error: the rate service is down")
    }

    @Test func overloadingOrShadowingABuiltInNeedsConsent() throws {
        var kipi = Kipi()
        let two = FunctionDefinition(
            "sum", [.init("a", .number), .init("b", .number)], returns: .exactly(.number), summary: "",
            implementation: .scalar(propagatesNull: true) { _ in .number(42) })
        #expect(throws: FunctionError("'sum' is a built-in function; register it with replacingBuiltIn: true to overload or replace it")) {
            try kipi.register(two)
        }
        #expect(throws: FunctionError("'SUM' is a built-in function; register it with replacingBuiltIn: true to overload or replace it")) {
            try kipi.register(FunctionDefinition("SUM", [.init("a", .number)], returns: .exactly(.number), summary: "", implementation: two.implementation))
        }
        try kipi.register(two, replacingBuiltIn: true)
        let program = try kipi.compile(source: SourceText(name: "t.kpi", text: "k = sum(1, 2)\n"), schema: nil)
        #expect(single(try program.evaluate(.empty), "k") == "42")
    }

    /// The public kernels check that their arguments fit the cells asked for.
    @Test func publicKernelsRefuseColumnsThatDoNotFit() {
        let two = Column(numbers: [1, 2])
        let zipped = Column.zipNumbers(two, Column(numbers: [1, 2, 3]), count: 3, +)
        #expect(zipped.errors.message(at: 0) == "a column of 2 cells does not fit 3 cells")
        let empty = Column.mapNumbers(Column(numbers: []), count: 2) { $0 }
        #expect(empty.errors.message(at: 1) == "a column of 0 cells does not fit 2 cells")
        let masked = Column.mapValues([Column(numbers: [1, 2], nulls: [true])], count: 2, type: .number) { $0[0] }
        #expect(masked.errors.message(at: 0) == "a column of 2 cells and a null mask of 1 does not fit 2 cells")
    }

    @Test func aHostTableWithAMalformedNullMaskIsRefused() {
        #expect(throws: DiagnosticList.self) {
            try DataTable(columns: [("a", Column(numbers: [1, 2], nulls: [true]))], rowCount: 2)
        }
    }
}
