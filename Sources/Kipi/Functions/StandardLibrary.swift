/// Kipi's built-in functions, declared exactly as a host declares a plugin and registered
/// through `FunctionRegistry.register`.
enum StandardLibrary {
    static var definitions: [FunctionDefinition] {
        let own =
            Aggregates.definitions + OrderStatistics.definitions + Dispersion.definitions + Conditionals.definitions
            + Arithmetic.definitions + Scorecard.definitions + Dates.definitions + Text.definitions + Windows.definitions
        let written = own.map { definition in BuiltInSQL.form(for: definition).map(definition.writtenInSQL) ?? definition }
        return written + russianExcelNames.flatMap { alias, target in written.filter { $0.name == target }.map { Self.alias(alias, of: $0) } }
    }

    /// Russian Excel's names of the functions Kipi has, as aliases of them.
    static let russianExcelNames: [(String, String)] = [
        ("СУММ", "sum"), ("СРЗНАЧ", "avg"), ("МЕДИАНА", "median"), ("СЧЁТ", "count"), ("СЧЕТ", "count"), ("СЧЁТЗ", "count"),
        ("СЧЕТЗ", "count"), ("МИН", "min"), ("МАКС", "max"), ("ЕСЛИ", "if"), ("ЕСЛИОШИБКА", "iferror"), ("ОКРУГЛ", "round"),
        ("ПРОЦЕНТРАНГ", "percentrank"), ("ПРОЦЕНТРАНГ.ВКЛ", "percentrank"), ("ПРОЦЕНТРАНГ.ИСКЛ", "percentrank_exc"),
        ("ПЕРСЕНТИЛЬ", "percentile"), ("ПЕРСЕНТИЛЬ.ВКЛ", "percentile"), ("ПЕРСЕНТИЛЬ.ИСКЛ", "percentile_exc"),
        ("КВАРТИЛЬ", "quartile"), ("КВАРТИЛЬ.ВКЛ", "quartile"), ("СТАНДОТКЛОН", "stdev"), ("СТАНДОТКЛОН.В", "stdev"),
        ("СТАНДОТКЛОН.Г", "stdevp"), ("ДИСП", "var"), ("ДИСП.В", "var"), ("ДИСП.Г", "varp"), ("КОРЕНЬ", "sqrt"),
        ("ДЛСТР", "len"), ("СЖПРОБЕЛЫ", "trim"), ("СТРОЧН", "lower"), ("ПРОПИСН", "upper"), ("ЗНАЧЕН", "number"),
        ("ТЕКСТ", "text"), ("ГОД", "year"), ("МЕСЯЦ", "month"), ("ДЕНЬ", "day"), ("ДАТАЗНАЧ", "date"), ("ОКРВНИЗ", "floor"),
        ("ОКРВВЕРХ", "ceil"),
    ]

    /// A copy of `definition` under another name, such as `average` for `avg`.
    static func alias(_ name: String, of definition: FunctionDefinition) -> FunctionDefinition {
        var copy = definition
        copy.name = name
        copy.summary = "Same as \(definition.name): " + definition.summary.prefix(1).lowercased() + definition.summary.dropFirst()
        return copy
    }
}

/// The types whose values have an order: what `min`, `max` and comparisons accept.
let orderedTypes: [KipiType] = [.number, .date, .text] + PeriodGrain.allCases.map(KipiType.period)
