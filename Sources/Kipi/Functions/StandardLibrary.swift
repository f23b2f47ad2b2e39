/// Kipi's built-in functions, declared exactly as a host declares a plugin and registered
/// through `FunctionRegistry.register`.
enum StandardLibrary {
    static var definitions: [FunctionDefinition] {
        // Each family declares its functions and, in the same file, their SQL forms.
        let families: [(definitions: [FunctionDefinition], sqlForms: [String: SQLForm])] = [
            (Aggregates.definitions, Aggregates.sqlForms), (OrderStatistics.definitions, OrderStatistics.sqlForms),
            (Dispersion.definitions, Dispersion.sqlForms), (Conditionals.definitions, Conditionals.sqlForms),
            (Arithmetic.definitions, Arithmetic.sqlForms), (Scorecard.definitions, Scorecard.sqlForms), (Dates.definitions, Dates.sqlForms),
            (Text.definitions, Text.sqlForms), (Windows.definitions, Windows.sqlForms),
        ]
        let written = families.flatMap { family in
            family.definitions.map { definition in family.sqlForms[definition.name].map(definition.writtenInSQL) ?? definition }
        }
        // Aliases copy their function once it has its SQL form: nothing is declared twice.
        return written + ([("average", "avg")] + excelNames + russianExcelNames).flatMap { alias, target in
            written.filter { $0.name == target }.map { Self.alias(alias, of: $0) }
        }
    }

    /// Excel's dotted English names of the functions Kipi has (Chinese and Japanese Excel write
    /// these too), as aliases of them.
    static let excelNames: [(String, String)] = [
        ("PERCENTILE.INC", "percentile"), ("PERCENTILE.EXC", "percentile_exc"), ("PERCENTRANK.INC", "percentrank"),
        ("PERCENTRANK.EXC", "percentrank_exc"), ("QUARTILE.INC", "quartile"), ("STDEV.S", "stdev"), ("STDEV.P", "stdevp"),
        ("VAR.S", "var"), ("VAR.P", "varp"), ("COUNTA", "count"),
    ]

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
        copy.aliasOf = definition.name
        copy.summary = "Same as \(definition.name). " + definition.summary
        return copy
    }

    /// Excel's conditional aggregates, in Russian too, and the aggregate Kipi filters instead.
    static let conditionalAggregates: [String: String] = [
        "суммесли": "sum", "суммеслимн": "sum", "счётесли": "count", "счетесли": "count", "счётеслимн": "count", "счетеслимн": "count",
        "срзначесли": "avg", "срзначеслимн": "avg", "максеслимн": "max", "минеслимн": "min",
    ]

    /// Excel's lookup functions, in English and Russian: Kipi's is `lookup`.
    static let lookupNames: Set<String> = ["vlookup", "hlookup", "xlookup", "впр", "гпр", "просмотрx", "просмотрх", "index", "индекс", "match", "поискпоз"]
}

/// The types whose values have an order: what `min`, `max` and comparisons accept.
let orderedTypes: [KipiType] = [.number, .date, .text] + PeriodGrain.allCases.map(KipiType.period)
