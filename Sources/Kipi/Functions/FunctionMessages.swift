/// Messages of evaluation failures that are not a function's own.
enum FunctionMessages {
    static func wrongCellCount(_ name: String, _ given: Int, _ expected: Int) -> String {
        "function '\(name)' returned \(given) values for \(expected) cells"
    }
    static func notCellByCell(_ name: String) -> String { "'\(name)' cannot be computed cell by cell" }
    static func wrongType(_ name: String, _ given: KipiType, _ declared: KipiType) -> String {
        "function '\(name)' returned \(given.withArticle), but it is declared to return \(declared.withArticle)"
    }
    /// A value that does not read as a period of `grain`, with an example of one.
    static func notAPeriod(_ value: Value, _ grain: PeriodGrain) -> String {
        let shown: String = if case .text(let text) = value { "'\(text)'" } else { value.description }
        return notAPeriod(shown: shown, grain)
    }

    /// The message of `notAPeriod`, with `shown` for the value.
    static func notAPeriod(shown: String, _ grain: PeriodGrain) -> String {
        let example = ["week": "2024-W05", "month": "2024-03", "quarter": "2024-Q1", "year": "2024"][grain.rawValue] ?? ""
        return "\(shown) is not a \(grain); write it as \(example)"
    }
}
