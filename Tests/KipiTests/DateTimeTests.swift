import Testing

@testable import Kipi

/// SPEC §4 date-times: 1C's `dd.mm.yyyy hh:mm`, `yyyy-mm-dd hh:mm[:ss]` and ISO `T`.
struct DateTimeTests {
    static let tickets = """
        ticket;opened;closed
        1;28.05.2024 15:28;29.05.2024 03:28
        2;2024-05-28 08:00;2024-05-28 09:30
        3;2024-05-29T10:00:00;2024-05-29T10:45
        4;29.05.2024;
        """

    func value(_ formula: String) throws -> String {
        single(try evaluate("k = \(formula)", csv: Self.tickets), "k")
    }

    @Test(arguments: [
        // 12 h, 1.5 h and 0.75 h: a date minus a date is in days with the fraction, as Excel.
        ("avg(closed - opened) * 24", "4.75"),
        ("sum(closed - opened)", "0.59375"),
        ("max(hour(opened))", "15"),
        ("sum(minute(opened))", "28"),
        ("hour(date(\"2024-05-28\"))", "0"),
        ("min(opened)", "date(\"2024-05-28 08:00\")"),
        ("max(closed)", "date(\"2024-05-29 10:45\")"),
        ("count(where opened >= date(\"2024-05-29\"))", "2"),
        ("count(where opened < date(\"28.05.2024 15:28\"))", "1"),
        ("min(opened + 1)", "date(\"2024-05-29 08:00\")"),
        ("count_distinct(opened)", "4"),
    ])
    func dateTimesComputeAsExcelDoes(_ formula: String, _ expected: String) throws {
        #expect(try value(formula) == expected)
    }

    @Test func dateTimeKeysAndPeriodsBehaveLikeTheirDates() throws {
        let result = try evaluate("by_day = count() by opened\nby_month = count() by month(opened)", csv: Self.tickets)
        #expect(groups(result, "by_day") == ["date(\"2024-05-28\")=2", "date(\"2024-05-29\")=2"])
        #expect(groups(result, "by_month") == ["2024-05=4"])
    }

    @Test func dateTimesPrintWithTheirTime() throws {
        let result = try evaluate("k = max(closed)", csv: Self.tickets)
        #expect(JSONFormatter.format(result) == "{\n  \"k\": \"2024-05-29 10:45\"\n}")
        #expect(TableFormatter.format(result) == "k  2024-05-29 10:45")
    }

    @Test(arguments: ["28.05.2024 24:00", "2024-05-28 15:60", "2024-05-28 1528", "2024-05-28T"])
    func anImpossibleTimeIsNoDate(_ text: String) {
        #expect(KipiDate(parsing: text) == nil)
    }
}
