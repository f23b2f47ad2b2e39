/// A collection's numbers, read in ascending order without sorting them when one question is
/// asked: the k-th smallest by selection, a value's place by counting. Once sorted (because
/// several calls share the collection), both are read from the sorted copy.
public struct OrderedValues: Sendable {
    private let values: [Double]
    private let isSorted: Bool

    init(values: [Double], isSorted: Bool) {
        self.values = values
        self.isSorted = isSorted
    }

    /// How many values.
    public var count: Int { values.count }

    /// The k-th smallest value (0-based), and the next one if there is one.
    public func smallest(_ k: Int) -> (value: Double, next: Double?) {
        if isSorted { return (values[k], k + 1 < values.count ? values[k + 1] : nil) }
        var scratch = values
        return scratch.withUnsafeMutableBufferPointer { buffer in
            OrderedValues.select(k, in: buffer)
            let value = buffer[k]
            // Everything after position k is at least as large: the next is their minimum.
            var next: Double?
            for position in (k + 1)..<buffer.count where next.map({ buffer[position] < $0 }) ?? true { next = buffer[position] }
            return (value, next)
        }
    }

    /// Where `value` falls among the values: how many are smaller, whether it is one of them,
    /// the nearest values below and above it, and the smallest and largest.
    public func place(of value: Double) -> Place {
        guard let first = values.first else { return Place(smaller: 0, isPresent: false, below: 0, above: 0, minimum: 0, maximum: 0) }
        if isSorted {
            var smaller = 0
            var upper = values.count
            while smaller < upper {
                let middle = (smaller + upper) / 2
                if values[middle] < value { smaller = middle + 1 } else { upper = middle }
            }
            let isPresent = smaller < values.count && values[smaller] == value
            return Place(
                smaller: smaller, isPresent: isPresent, below: smaller > 0 ? values[smaller - 1] : first,
                above: smaller < values.count ? values[smaller] : first, minimum: first, maximum: values[values.count - 1])
        }
        var smaller = 0
        var isPresent = false
        var below = -Double.infinity
        var above = Double.infinity
        var minimum = first
        var maximum = first
        for element in values {
            minimum = Swift.min(minimum, element)
            maximum = Swift.max(maximum, element)
            if element < value {
                smaller += 1
                below = Swift.max(below, element)
            } else if element == value {
                isPresent = true
            } else {
                above = Swift.min(above, element)
            }
        }
        return Place(smaller: smaller, isPresent: isPresent, below: below, above: above, minimum: minimum, maximum: maximum)
    }

    /// Where a value lies among the values.
    public struct Place: Sendable {
        /// How many values are smaller.
        public var smaller: Int
        /// Whether the value is one of them.
        public var isPresent: Bool
        /// The largest value smaller (meaningful when there is one).
        public var below: Double
        /// The smallest value larger (meaningful when there is one).
        public var above: Double
        /// The smallest of the values.
        public var minimum: Double
        /// The largest of the values.
        public var maximum: Double
    }

    /// Rearranges `buffer` so that position k holds the k-th smallest value, smaller or equal
    /// ones before it and larger or equal ones after (Hoare's selection, median-of-three pivots;
    /// after too many rounds the rest is sorted, so the worst case stays O(n log n)).
    static func select(_ k: Int, in buffer: UnsafeMutableBufferPointer<Double>) {
        var low = 0
        var high = buffer.count - 1
        var rounds = 0
        while high > low {
            rounds += 1
            if rounds > 64 || high - low < 16 {
                var rest = Array(buffer[low...high])
                rest.sort()
                for (offset, element) in rest.enumerated() { buffer[low + offset] = element }
                return
            }
            let middle = low + (high - low) / 2
            let pivot = medianOfThree(buffer[low], buffer[middle], buffer[high])
            var left = low
            var right = high
            while left <= right {
                while buffer[left] < pivot { left += 1 }
                while buffer[right] > pivot { right -= 1 }
                if left <= right {
                    buffer.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            // Now [low, right] ≤ pivot ≤ [left, high], and between them equals the pivot.
            if k <= right {
                high = right
            } else if k >= left {
                low = left
            } else {
                return
            }
        }
    }

    private static func medianOfThree(_ a: Double, _ b: Double, _ c: Double) -> Double {
        Swift.max(Swift.min(a, b), Swift.min(Swift.max(a, b), c))
    }
}
