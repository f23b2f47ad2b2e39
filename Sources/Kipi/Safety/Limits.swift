import Foundation
import Synchronization

/// Bounds on what compiling and evaluating may take, for formulas and data that come from
/// strangers. A limit that is reached ends in an error naming it, never a crash or a hang.
///
/// ```swift
/// var kipi = Kipi()
/// kipi.limits = Limits(rows: 1_000_000, timeLimit: .seconds(2))
/// ```
public struct Limits: Sendable, Hashable {
    /// Bytes of formula text in one compile, imports included.
    public var sourceSize: Int
    /// How deeply expressions may nest; at most 128, the parser's own bound.
    public var nesting: Int
    /// Calls of user-defined functions one compile may expand.
    public var expansions: Int
    /// Elements of one list literal.
    public var listLength: Int
    /// Columns of one table.
    public var columns: Int
    /// Rows of one table.
    public var rows: Int
    /// Groups of one KPI's `by`.
    public var groups: Int
    /// Bytes an evaluation is estimated to need for its columns.
    public var memory: Int
    /// Cells of the results: a single value is one, a grouped row its keys and value.
    public var outputCells: Int
    /// How long one evaluation may take; nil for no limit.
    public var timeLimit: Duration?

    /// Limits of these sizes; the defaults are generous.
    public init(
        sourceSize: Int = 4 << 20, nesting: Int = 128, expansions: Int = 10_000, listLength: Int = 100_000, columns: Int = 100_000,
        rows: Int = 500_000_000, groups: Int = 50_000_000, memory: Int = 64 << 30, outputCells: Int = 200_000_000,
        timeLimit: Duration? = nil
    ) {
        self.sourceSize = sourceSize
        self.nesting = nesting
        self.expansions = expansions
        self.listLength = listLength
        self.columns = columns
        self.rows = rows
        self.groups = groups
        self.memory = memory
        self.outputCells = outputCells
        self.timeLimit = timeLimit
    }

    /// Generous bounds that only a hostile input reaches: what `Kipi()` starts with.
    public static let standard = Limits()

    /// The stricter of these limits and `other`, each on its own: an evaluation's limits narrow
    /// the program's and never widen or drop them.
    public func narrowed(by other: Limits) -> Limits {
        var limits = Limits(
            sourceSize: min(sourceSize, other.sourceSize), nesting: min(nesting, other.nesting), expansions: min(expansions, other.expansions),
            listLength: min(listLength, other.listLength), columns: min(columns, other.columns), rows: min(rows, other.rows),
            groups: min(groups, other.groups), memory: min(memory, other.memory), outputCells: min(outputCells, other.outputCells))
        limits.timeLimit = [timeLimit, other.timeLimit].compactMap { $0 }.min()
        return limits
    }

    /// A size in bytes as a message shows it: `512 bytes`, `100 KB`, `64 MB`.
    static func shown(bytes: Int) -> String {
        if bytes < 1 << 10 { return "\(bytes) bytes" }
        if bytes < 1 << 20 { return "\(bytes >> 10) KB" }
        return "\(bytes >> 20) MB"
    }
}

/// Stops an evaluation from another thread or task: call `cancel()`, and the evaluation ends
/// within about one column operation with an error saying it was cancelled. A task's own
/// cancellation (`Task.cancel()`) stops it too.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    /// A cancellation this one follows: cancelling it cancels this one too.
    private let parent: Cancellation?

    /// A cancellation not yet cancelled.
    public init() { parent = nil }

    /// A cancellation cancelled by `cancel()` or by `parent`'s.
    init(following parent: Cancellation?) { self.parent = parent }

    /// Stops the evaluations this is given to, from any thread.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether `cancel()` was called (here, or on the cancellation this one follows).
    public var isCancelled: Bool { flag.load(ordering: .relaxed) || parent?.isCancelled == true }
}

/// Whether the evaluation running a host function has been stopped (a time limit, a
/// `Cancellation`, a cancelled task, a limit reached): a host function with a long loop of its
/// own reads `StopSignal.current?.isStopped` in it and returns early. Kipi checks it too, before
/// each call of a function cell by cell and between the groups of an aggregate.
public final class StopSignal: Sendable {
    private let deadline: ContinuousClock.Instant?
    private let cancellations: [Cancellation]

    init(deadline: ContinuousClock.Instant?, cancellations: [Cancellation]) {
        self.deadline = deadline
        self.cancellations = cancellations
    }

    /// Whether the evaluation must stop now.
    public var isStopped: Bool {
        cancellations.contains { $0.isCancelled } || deadline.map { ContinuousClock.now >= $0 } ?? false
    }

    /// Whether a cancellation stopped it: cheaper than `isStopped`, as it reads no clock.
    var isCancelled: Bool { cancellations.contains { $0.isCancelled } }

    /// The stop of the evaluation that is calling the current host function; nil outside one.
    @TaskLocal public static var current: StopSignal?
}

/// What stops one evaluation early, checked between column operations and in long loops.
struct StopConditions {
    let limits: Limits
    let deadline: ContinuousClock.Instant?
    let cancellation: Cancellation?
    /// Shared by evaluations that run side by side on several threads: when one of them sees
    /// its task cancelled (which only the calling thread can see) or reaches a limit, the others stop too.
    var together = Cancellation()
    /// Why the evaluation stopped, once it has.
    private(set) var reason: String?

    init(limits: Limits, cancellation: Cancellation?) {
        self.limits = limits
        self.deadline = limits.timeLimit.map { ContinuousClock.now.advanced(by: $0) }
        self.cancellation = cancellation
    }

    /// The stop as host functions and cell loops read it.
    var signal: StopSignal { StopSignal(deadline: deadline, cancellations: [cancellation, together].compactMap { $0 }) }

    /// Stops the evaluation for `reason` (a limit reached on the way, such as the groups'), unless it already stopped.
    mutating func stop(because reason: String) {
        if self.reason == nil { self.reason = reason }
        together.cancel()
    }

    /// Why to stop now, if the evaluation must.
    mutating func check() -> String? {
        if reason == nil {
            if cancellation?.isCancelled == true || together.isCancelled || Task.isCancelled {
                reason = "the evaluation was cancelled"
                together.cancel()
            } else if let deadline, ContinuousClock.now >= deadline, let limit = limits.timeLimit {
                reason = "the evaluation took longer than its time limit of \(limit)"
            }
        }
        return reason
    }
}
