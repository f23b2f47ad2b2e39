/// Kipi's built-in functions, declared exactly as a host declares a plugin and registered
/// through `FunctionRegistry.register`.
enum StandardLibrary {
    static var definitions: [FunctionDefinition] {
        Aggregates.definitions + OrderStatistics.definitions + Dispersion.definitions + Conditionals.definitions
            + Arithmetic.definitions + Scorecard.definitions + Dates.definitions + Text.definitions + Windows.definitions
    }

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
