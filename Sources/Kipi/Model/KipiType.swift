/// The type of a Kipi value, as the checker knows it before any row is read.
public indirect enum KipiType: Sendable, Hashable, CustomStringConvertible {
    case number
    case text
    case boolean
    case date
    /// A calendar period of one grain (`month(date)`).
    case period(PeriodGrain)
    /// The type of the literal `null`; it fits wherever any other type is expected.
    case null
    case list(KipiType)
    /// Not known before the data is loaded (`kipi check` without `--data`); fits anything.
    case unknown

    /// The type's name, as messages and signatures show it.
    public var description: String {
        switch self {
        case .number: "number"
        case .text: "text"
        case .boolean: "boolean"
        case .date: "date"
        case .period(let grain): grain.rawValue
        case .null: "null"
        case .list(let element): "list of \(element)"
        case .unknown: "unknown"
        }
    }

    /// The type as a message names a value of it: `a number`, `text`, `a month`.
    var withArticle: String {
        switch self {
        case .number: "a number"
        case .text: "text"
        case .boolean: "a boolean"
        case .date: "a date"
        case .period(let grain): "a \(grain)"
        case .null: "null"
        case .list(let element): "a list of \(element)"
        case .unknown: "a value of unknown type"
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
        case .number, .text, .boolean, .date, .period, .list: false
        }
    }
}

/// How a number is shown to people; JSON and CSV output never change the value.
public struct DisplayFormat: Sendable, Hashable, CustomStringConvertible {
    /// How a number is shown.
    public enum Style: String, Sendable, Hashable {
        /// Thousands separated, with as many decimals as suit the number (or `decimals`).
        case number
        /// Times 100 with a `%` sign: 0.452 is `45.2%`.
        case percent
    }

    /// Number or percent.
    public var style: Style
    /// Decimals to show; nil for the style's default (one for percent, two or more for numbers).
    public var decimals: Int?

    /// A format of this style and decimals.
    public init(style: Style, decimals: Int? = nil) {
        self.style = style
        self.decimals = decimals
    }

    /// A number as it comes.
    public static let plain = DisplayFormat(style: .number)
    /// A percentage with one decimal.
    public static let percent = DisplayFormat(style: .percent)
    /// A whole number (`as integer`).
    public static let integer = DisplayFormat(style: .number, decimals: 0)

    /// As an `as` clause writes it: `percent`, `percent(1)`, `number`, `integer`.
    public var description: String {
        switch (style, decimals) {
        case (.number, 0?): "integer"
        case (_, let decimals?): "\(style.rawValue)(\(decimals))"
        case (_, nil): style.rawValue
        }
    }
}

extension KipiType {
    /// Whether it is a list's type.
    var isList: Bool {
        if case .list = self { return true }
        return false
    }
}
