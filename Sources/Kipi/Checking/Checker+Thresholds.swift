/// Which way a KPI improves: decided from a written sign, a single level, or the levels' order.
public enum ThresholdDirection: String, Sendable, Hashable {
    /// More is better: critical below norm below target.
    case higherIsBetter
    /// Less is better: critical above norm above target.
    case lowerIsBetter

    /// The direction the declared levels' values imply, in the order critical, norm, target:
    /// strictly rising is higher-is-better, strictly falling lower-is-better; nil when two
    /// neighbours are equal or the steps disagree. `fixed` (a written sign, or one level) must be
    /// what two or more levels say.
    static func implied(by levels: [Double], fixed: ThresholdDirection?) -> ThresholdDirection? {
        guard levels.count > 1 else { return fixed ?? .higherIsBetter }
        let steps = zip(levels, levels.dropFirst())
        let direction: ThresholdDirection
        if steps.allSatisfy({ $0 < $1 }) {
            direction = .higherIsBetter
        } else if steps.allSatisfy({ $0 > $1 }) {
            direction = .lowerIsBetter
        } else {
            return nil
        }
        if let fixed, fixed != direction { return nil }
        return direction
    }
}

/// A KPI's declared levels after checking (SPEC v3, thresholds and status).
struct Thresholds: Sendable {
    /// The definition computing each declared level, at the KPI's level (one value per group of
    /// its groups, or one value), in the order critical, norm, target.
    var levels: [(level: ThresholdLevel, definition: Int)]
    /// The direction a sign or a single level fixes; nil when it comes from the levels' values.
    var direction: ThresholdDirection?

    /// The definition of `level`, if it was declared.
    func definition(of level: ThresholdLevel) -> Int? {
        levels.first { $0.level == level }?.definition
    }
}

extension Checker {
    /// Checks a KPI's `critical`/`norm`/`target` clauses against its checked value: each a
    /// number at the KPI's level or a coarser one, declared once, in an order that does not
    /// contradict itself. Returns each level's tree lifted to the KPI's shape, and the direction
    /// fixed at check time; nil (reported) when a clause is wrong.
    mutating func checkThresholds(
        _ clauses: [ThresholdClause], of name: String, value: TypedExpression, scope: Scope
    ) -> (levels: [(ThresholdLevel, TypedExpression)], direction: ThresholdDirection?)? {
        var ok = true
        if !(value.type == .number || value.type.isWildcard) {
            report(code: "thresholds-on-non-number", CheckerMessages.thresholdsOnNonNumber(name, value.type), clauses[0].range, in: scope.source)
            ok = false
        }
        var checked: [ThresholdLevel: TypedExpression] = [:]
        var sign: (BinaryOperator, SourceRange)?
        for clause in clauses {
            if checked[clause.level] != nil {
                report(code: "threshold-twice", CheckerMessages.thresholdTwice(clause.level), clause.range, in: scope.source)
                ok = false
                continue
            }
            if let written = clause.sign {
                if let (earlier, _) = sign, earlier != written {
                    report(code: "threshold-signs-disagree", CheckerMessages.thresholdSignsDisagree, clause.range, in: scope.source)
                    ok = false
                }
                sign = (written, clause.range)
            }
            guard let level = checkExpression(clause.expression, scope) else {
                ok = false
                continue
            }
            if !(level.type == .number || level.type.isWildcard) {
                report(code: "threshold-not-number", CheckerMessages.thresholdNotNumber(clause.level, level.type) + typeNote(of: level), clause.expression.range, in: scope.source)
                ok = false
                continue
            }
            guard let joined = value.shape.joined(with: level.shape), joined.level?.keys == value.shape.level?.keys,
                joined.table == nil
            else {
                report(code: "threshold-finer", CheckerMessages.thresholdFiner(clause.level, name, level.shape, value.shape), clause.expression.range, in: scope.source)
                ok = false
                continue
            }
            checked[clause.level] = level.shape == value.shape ? level : lifted(level, to: value.shape)
        }
        guard ok else { return nil }
        let fixed: ThresholdDirection? = sign.map { $0.0 == .lessOrEqual ? .lowerIsBetter : .higherIsBetter }
        let ordered = ThresholdLevel.allCases.compactMap { level in checked[level].map { (level, $0) } }
        let constants = ordered.compactMap { $0.1.constantNumber }
        guard constants.count == ordered.count else { return (ordered, ordered.count == 1 ? fixed ?? .higherIsBetter : fixed) }
        // Constant levels settle the direction now, or contradict each other for every value.
        guard let direction = ThresholdDirection.implied(by: constants, fixed: fixed) else {
            let written = clauses.map { source(of: $0, in: scope) }
            report(code: "thresholds-contradict", CheckerMessages.thresholdsContradict(written, sign: fixed), clauses[0].range.union(clauses[clauses.count - 1].range), in: scope.source)
            return nil
        }
        return (ordered, direction)
    }

    private func source(of clause: ThresholdClause, in scope: Scope) -> String {
        scope.source.text(of: clause.range)
    }
}

extension TypedExpression {
    /// The number known at check time, through a broadcast of one.
    var constantNumber: Double? {
        if case .broadcast(let operand) = kind { return operand.constantNumber }
        if case .number(let number)? = constantValue { return number }
        return nil
    }
}
