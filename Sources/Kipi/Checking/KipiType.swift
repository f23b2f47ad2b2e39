/// The type of a Kipi value, as the checker knows it before any row is read.
public indirect enum KipiType: Sendable, Hashable, CustomStringConvertible {
    case number
    case text
    case boolean
    case date
    /// The type of the literal `null`; it fits wherever any other type is expected.
    case null
    case list(KipiType)
    /// Not known before the data is loaded (`kipi check` without `--data`); fits anything.
    case unknown

    public var description: String {
        switch self {
        case .number: "number"
        case .text: "text"
        case .boolean: "boolean"
        case .date: "date"
        case .null: "null"
        case .list(let element): "list of \(element)"
        case .unknown: "unknown"
        }
    }

    /// The common type of two values that meet (branches of `if`, elements of a list), if any.
    func unified(with other: KipiType) -> KipiType? {
        switch (self, other) {
        case (.null, _), (.unknown, .null): return other
        case (_, .null): return self
        case (.unknown, _): return self
        case (_, .unknown): return other
        case (.list(let a), .list(let b)): return a.unified(with: b).map(KipiType.list)
        default: return self == other ? self : nil
        }
    }

    /// True for `null` and `unknown`, which fit any expected type.
    var isWildcard: Bool {
        switch self {
        case .null, .unknown: true
        case .number, .text, .boolean, .date, .list: false
        }
    }
}

/// How a number is shown to people; JSON and CSV output never change the value.
public enum DisplayFormat: Sendable, Hashable {
    case plain
    /// Shown as a percentage: 0.452 is `45.2%`.
    case percent
}
