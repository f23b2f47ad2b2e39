import Dispatch

/// How a program's KPIs are split between the machine's two cores when the data is large:
/// two sets of KPIs, each with every definition it reads, and KPIs that group by one level in
/// one set, so that a level's groups are built once. Decided when the program is compiled.
struct EvaluationPlan: Sendable {
    /// For each core, the definitions it computes; empty when the program is not split.
    let parts: [Set<Int>]

    /// Rows below which one core evaluates everything: waking another costs more.
    static let parallelRows = 100_000

    init(_ program: CheckedProgram) {
        guard program.kpis.count > 1 else {
            parts = []
            return
        }
        // Definitions a key expression reads are computed by every part.
        var shared: Set<Int> = []
        for expressions in program.keyExpressions.values {
            for expression in expressions.values { EvaluationPlan.definitions(read: expression, in: program, into: &shared) }
        }
        var closures: [(kpi: Int, reads: Set<Int>, levels: Set<Level>, cost: Int)] = program.kpis.map { kpi in
            var reads: Set<Int> = [kpi]
            EvaluationPlan.definitions(read: program.definitions[kpi].value, in: program, into: &reads)
            var levels: Set<Level> = []
            var cost = 0
            for index in reads {
                if let grouping = program.definitions[index].grouping { levels.insert(grouping.level) }
                program.definitions[index].value.forEachNode { node in
                    if case .aggregate(let call) = node.kind {
                        cost += 2
                        if let partition = call.partition { levels.insert(partition) }
                    } else if case .rows = node.shape {
                        cost += 1
                    }
                }
            }
            return (kpi, reads, levels, cost)
        }
        closures.sort { $0.cost > $1.cost }
        var split: [(definitions: Set<Int>, levels: Set<Level>, cost: Int)] = [(shared, [], 0), (shared, [], 0)]
        for closure in closures {
            let sharing = split.indices.first { !split[$0].levels.isDisjoint(with: closure.levels) }
            let part = sharing ?? (split[0].cost <= split[1].cost ? 0 : 1)
            split[part].definitions.formUnion(closure.reads)
            split[part].levels.formUnion(closure.levels)
            split[part].cost += closure.cost
        }
        parts = split.allSatisfy({ $0.cost > 0 }) ? split.map(\.definitions) : []
    }

    /// Adds the definitions an expression reads, and those they read.
    private static func definitions(read expression: TypedExpression, in program: CheckedProgram, into found: inout Set<Int>) {
        var pending = [expression]
        while let next = pending.popLast() {
            next.forEachNode { node in
                if case .definition(let index) = node.kind, found.insert(index).inserted { pending.append(program.definitions[index].value) }
            }
        }
    }
}
