import Foundation

/// How a program's KPIs are split between the machine's cores when the data is large: a set
/// of KPIs per core (at most one per KPI), each with every definition it reads, and KPIs that
/// group by one level in one set, so that a level's groups are built once.
struct CoreSplit: Sendable {
    /// For each core, the definitions it computes; empty when the program is not split.
    let parts: [Set<Int>]

    /// Rows below which one core evaluates everything: waking another costs more.
    static let parallelRows = 100_000

    init(_ program: CheckedProgram, cores: Int) {
        guard program.kpis.count > 1, cores > 1 else {
            parts = []
            return
        }
        var closures: [(kpi: Int, reads: Set<Int>, levels: Set<Level>, cost: Int)] = program.kpis.map { kpi in
            let reads = program.dependencies(of: kpi)
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
        var split = [(definitions: Set<Int>, levels: Set<Level>, cost: Int)](repeating: ([], [], 0), count: min(cores, closures.count))
        for closure in closures {
            // With a part that builds the same groups, else the least loaded.
            let sharing = split.indices.first { !split[$0].levels.isDisjoint(with: closure.levels) }
            let part = sharing ?? split.indices.min { split[$0].cost < split[$1].cost } ?? 0
            split[part].definitions.formUnion(closure.reads)
            split[part].levels.formUnion(closure.levels)
            split[part].cost += closure.cost
        }
        let working = split.filter { $0.cost > 0 }
        parts = working.count > 1 ? working.map(\.definitions) : []
    }
}
