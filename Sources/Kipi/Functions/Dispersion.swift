/// `var`, `varp`, `stdev`, `stdevp`: sample and population variance and standard deviation,
/// in two passes around a compensated mean, so values near 12,345,678 keep their digits.
enum Dispersion {
    static var definitions: [FunctionDefinition] {
        [
            spread("var", "Sample variance (VAR.S); fewer than two values is an error.", sample: true, root: false),
            spread("varp", "Population variance (VAR.P); no values is an error.", sample: false, root: false),
            spread("stdev", "Sample standard deviation (STDEV.S); fewer than two values is an error.", sample: true, root: true),
            spread("stdevp", "Population standard deviation (STDEV.P); no values is an error.", sample: false, root: true),
        ]
    }

    private static func spread(_ name: String, _ summary: String, sample: Bool, root: Bool) -> FunctionDefinition {
        FunctionDefinition(
            name, [.collection("x", .number)], returns: .exactly(.number), format: root ? .inheritsArguments : .plain,
            summary: summary,
            implementation: .aggregate { input in
                let values = input.collections[0].numbers
                let needed = sample ? 2 : 1
                guard values.count >= needed else {
                    throw FunctionError(values.isEmpty ? "\(name) of no values" : "\(name) needs at least two values, got one")
                }
                let variance = sumOfSquaredDeviations(values) / Double(values.count - (sample ? 1 : 0))
                return .number(root ? variance.squareRoot() : variance)
            })
    }

    /// Σ(x − mean)², corrected for the rounding error of the mean (Chan, Golub and LeVeque's
    /// two-pass algorithm), with compensated sums.
    static func sumOfSquaredDeviations(_ values: [Double]) -> Double {
        let mean = Aggregates.exactSum(values) / Double(values.count)
        let deviations = values.map { $0 - mean }
        let squares = Aggregates.exactSum(deviations.map { $0 * $0 })
        let drift = Aggregates.exactSum(deviations)
        return max(0, squares - drift * drift / Double(values.count))
    }
}

extension Dispersion {
    /// Their SQL forms, by name, each computing exactly what the implementation does and failing
    /// where it fails (SPEC §10).
    static let sqlForms: [String: SQLForm] = [
        "var": .aggregate { call in SQLValue("var_samp(\(call.collections[0]))", failure: tooFew(call, "var", sample: true)) },
        "varp": .aggregate { call in SQLValue("var_pop(\(call.collections[0]))", failure: tooFew(call, "varp", sample: false)) },
        "stdev": .aggregate { call in SQLValue("stddev_samp(\(call.collections[0]))", failure: tooFew(call, "stdev", sample: true)) },
        "stdevp": .aggregate { call in SQLValue("stddev_pop(\(call.collections[0]))", failure: tooFew(call, "stdevp", sample: false)) },
    ]

    /// Why a spread of too few values fails, as an aggregate expression.
    private static func tooFew(_ call: SQLCall, _ name: String, sample: Bool) -> String {
        let none = "WHEN \(call.fewerThan(1)) THEN '\(name) of no values'"
        return "(CASE \(none)\(sample ? " WHEN \(call.fewerThan(2)) THEN '\(name) needs at least two values, got one'" : "") END)"
    }
}
