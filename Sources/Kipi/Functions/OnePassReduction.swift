import Synchronization
/// How an aggregate computes itself in one pass over its values, without gathering them: a
/// state per part (per group), a step for each value and the result. A function declares it
/// with `FunctionDefinition.reducing(_:)`, a host's aggregate as a built-in; the evaluator then
/// reduces the rows its filter keeps a chunk at a time, every group at once. It must give what
/// the function's implementation gives on the same values, which still answers for lists, for
/// values of other types and for a part with no values (an error, or a sum's 0).
public protocol OnePassReduction: Sendable {
    /// What a part has accumulated.
    associatedtype State
    /// The values it reads.
    var reads: ReducedValues { get }
    /// A part's state before any value.
    var initial: State { get }
    /// Adds one value (kept by the filter, not null; a boolean as 1 or 0) to a part's state.
    func add(_ value: Double, to state: inout State)
    /// The result of a part into which `count` (at least one) values were added.
    func result(_ state: State, count: Int) -> Double
    /// Reduces the runs of values `feed` passes to its sink into `partCount` parts; nil when
    /// `feed` gives up. Kipi's own, specialised for each reduction so that its loop calls nothing:
    /// a reduction does not implement it.
    func reduce(partCount: Int, _ feed: (_ sink: (ReductionRun) -> Void) -> Bool) -> [ReducedPart]?
}

/// The values a one-pass reduction reads.
public enum ReducedValues: Sendable, Hashable {
    /// Numbers.
    case numbers
    /// Booleans, each added as 1 or 0.
    case booleans
    /// Values of any type, which it only counts: nothing is added.
    case any
}

/// A run of elements for a one-pass reduction: for each, its part, whether the filter keeps
/// it, and its value.
public struct ReductionRun {
    /// The values of a reduction that reads numbers; empty otherwise.
    public var numbers: UnsafeBufferPointer<Double>
    /// The values of a reduction that reads booleans; empty otherwise.
    public var flags: UnsafeBufferPointer<Bool>
    /// Which values are null; nil when none is.
    public var nulls: [Bool]?
    /// Which elements the filter keeps (a null condition keeps none); nil when all are kept.
    public var kept: [Bool]?
    /// Which conditions are null; nil when none is.
    public var keptNulls: [Bool]?
    /// Each element's part (negative: none); nil when every element is in part 0.
    public var partOf: ArraySlice<Int32>?
    /// The number of elements.
    public var count: Int
    /// Memory the next run will read (the columns of the next rows), touched a cache line at a
    /// time while this run's values are added, so that it arrives while the additions wait on
    /// each other; nil for none.
    var upcoming: (UnsafeRawPointer, UnsafeRawPointer?, bytes: Int)? = nil
}

/// Where the bytes touched ahead of a run end up, so that the reads are not left out.
let touchedAhead = Atomic<UInt8>(0)

/// What one part of a one-pass reduction came to.
public struct ReducedPart: Sendable {
    /// Elements the filter kept, nulls included (what `count()` counts).
    public var rows = 0
    /// Of those, the ones with a value.
    public var count = 0
    /// The reduction's result; meaningless when `count` is 0.
    public var value = 0.0
}

extension OnePassReduction {
    /// Kipi's loop over the runs `feed` passes: each kept, present value added to its part's state.
    public func reduce(partCount: Int, _ feed: (_ sink: (ReductionRun) -> Void) -> Bool) -> [ReducedPart]? {
        var states = [State](repeating: initial, count: partCount)
        var parts = [ReducedPart](repeating: ReducedPart(), count: partCount)
        let finished = feed { run in
            states.withUnsafeMutableBufferPointer { states in
                parts.withUnsafeMutableBufferPointer { parts in accumulate(run, into: states, parts) }
            }
        }
        guard finished else { return nil }
        for part in parts.indices where parts[part].count > 0 { parts[part].value = result(states[part], count: parts[part].count) }
        return parts
    }

    /// Adds a run's kept, present values to their parts. Without parts the state is a local, so
    /// that a sum's chain stays in registers.
    @inline(__always)
    private func accumulate(_ run: ReductionRun, into states: UnsafeMutableBufferPointer<State>, _ parts: UnsafeMutableBufferPointer<ReducedPart>) {
        let (numbers, flags, nulls, kept, keptNulls, count) = (run.numbers, run.flags, run.nulls, run.kept, run.keptNulls, run.count)
        let reads = reads
        @inline(__always) func addElement(_ row: Int, to state: inout State) {
            switch reads {
            case .numbers: add(numbers[row], to: &state)
            case .booleans: add(flags[row] ? 1 : 0, to: &state)
            case .any: break
            }
        }
        guard let partOf = run.partOf else {
            guard !states.isEmpty else { return }
            var state = states[0]
            var (rows, present) = (0, 0)
            if kept == nil, nulls == nil {
                // Every element kept and present: only the step is left in the loop.
                (rows, present) = (count, count)
                if let (first, second, bytes) = run.upcoming {
                    // One cache line of each upcoming range every eight elements.
                    var touched: UInt8 = 0
                    let lines = bytes / 64
                    for row in 0..<count {
                        addElement(row, to: &state)
                        if row & 7 == 0, row >> 3 < lines {
                            touched |= first.load(fromByteOffset: (row >> 3) * 64, as: UInt8.self)
                            if let second { touched |= second.load(fromByteOffset: (row >> 3) * 64, as: UInt8.self) }
                        }
                    }
                    touchedAhead.store(touched, ordering: .relaxed)
                } else {
                    for row in 0..<count { addElement(row, to: &state) }
                }
            } else {
                for row in 0..<count {
                    if let kept, !kept[row] || (keptNulls?[row] ?? false) { continue }
                    rows += 1
                    if let nulls, nulls[row] { continue }
                    present += 1
                    addElement(row, to: &state)
                }
            }
            states[0] = state
            parts[0].rows += rows
            parts[0].count += present
            return
        }
        let base = partOf.startIndex
        for row in 0..<count {
            let part = Int(partOf[base + row])
            if part < 0 || part >= states.count { continue }
            if let kept, !kept[row] || (keptNulls?[row] ?? false) { continue }
            parts[part].rows += 1
            if let nulls, nulls[row] { continue }
            parts[part].count += 1
            addElement(row, to: &states[part])
        }
    }
}

/// Kipi's one-pass reductions, which its aggregates declare.
enum Reductions {
    /// The number of values (of any type), or of rows without a collection.
    struct Count: OnePassReduction {
        var reads: ReducedValues { .any }
        var initial: Void { () }
        func add(_ value: Double, to state: inout Void) {}
        func result(_ state: Void, count: Int) -> Double { Double(count) }
    }

    /// The compensated sum of numbers, the step `Aggregates.exactSum` takes: the same sum to the bit.
    struct Sum: OnePassReduction {
        var reads: ReducedValues { .numbers }
        var initial: CompensatedSum { CompensatedSum() }
        @inline(__always) func add(_ value: Double, to state: inout CompensatedSum) { state.add(value) }
        func result(_ state: CompensatedSum, count: Int) -> Double { state.total }
    }

    /// The compensated sum of numbers divided by their number.
    struct Mean: OnePassReduction {
        var reads: ReducedValues { .numbers }
        var initial: CompensatedSum { CompensatedSum() }
        @inline(__always) func add(_ value: Double, to state: inout CompensatedSum) { state.add(value) }
        func result(_ state: CompensatedSum, count: Int) -> Double { state.total / Double(count) }
    }

    /// The share of true among booleans.
    struct Share: OnePassReduction {
        var reads: ReducedValues { .booleans }
        var initial: Int { 0 }
        @inline(__always) func add(_ value: Double, to state: inout Int) { state += value == 1 ? 1 : 0 }
        func result(_ state: Int, count: Int) -> Double { Double(state) / Double(count) }
    }

    /// The smallest number (the first of equal ones), or the largest (the last of equal ones),
    /// as `min` and `max` keep them: 0 and −0 differ in their bits.
    struct Extreme: OnePassReduction {
        var keepsSmallest: Bool
        var reads: ReducedValues { .numbers }
        var initial: Double? { nil }
        @inline(__always) func add(_ value: Double, to state: inout Double?) {
            guard let kept = state else {
                state = value
                return
            }
            if keepsSmallest ? value < kept : value >= kept { state = value }
        }
        func result(_ state: Double?, count: Int) -> Double { state ?? 0 }
    }
}
