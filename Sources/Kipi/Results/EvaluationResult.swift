/// The value of one cell of a result: a value, or the evaluation error that took its place.
public enum Outcome: Sendable, Hashable {
    /// The computed value (null included).
    case value(Value)
    /// The evaluation error, as its message.
    case error(String)

    /// Whether this is an evaluation error.
    public var isError: Bool {
        if case .error = self { return true }
        return false
    }
}

/// One row of a grouped KPI: the group's keys and its value.
public struct GroupRow: Sendable, Hashable {
    /// The group's key values, in the order of the KPI's `by` keys.
    public var keys: [Value]
    /// The group's value, or its error.
    public var outcome: Outcome
    /// Its status and levels, when the KPI declares levels (SPEC v3); nil otherwise.
    public var assessment: Assessment?
    /// For a failed row: the expression where the error arose.
    public var errorSource: SourceSpan?

    /// A row of these keys and outcome, judged by `assessment` when the KPI declares levels.
    public init(keys: [Value], outcome: Outcome, assessment: Assessment? = nil) {
        self.keys = keys
        self.outcome = outcome
        self.assessment = assessment
    }

    /// The group as `key=value, key=value`, values as a CSV cell writes them.
    public func label(keyNames: [String]) -> String {
        zip(keyNames, keys).map { "\($0)=\(CSVFormatter.plain($1))" }.joined(separator: ", ")
    }
}

/// A KPI's result: one value, or one value per group.
public enum KPIValue: Sendable, Hashable {
    /// A KPI without `by`: one value.
    case single(Outcome)
    /// A KPI with `by`: its keys' names and one row per group, sorted by the keys.
    case grouped(keyNames: [String], rows: [GroupRow])
}

/// One reported KPI with its value.
public struct KPIResult: Sendable, Hashable {
    /// The KPI's name.
    public var name: String
    /// The comment lines above its declaration.
    public var description: String
    /// How the table output shows its value.
    public var format: DisplayFormat
    /// Its value, or its values per group.
    public var value: KPIValue
    /// A single-valued KPI's status and levels, when it declares levels (SPEC v3); a grouped
    /// KPI's are in its rows.
    public var assessment: Assessment?
    /// Whether the KPI declares critical, norm or target levels.
    public var isJudged: Bool = false
    /// For a failed single-valued KPI: the expression where the error arose.
    public var errorSource: SourceSpan?

    /// A KPI's result: its name, description, format and value, with its assessment when it declares levels.
    public init(
        name: String, description: String, format: DisplayFormat, value: KPIValue, assessment: Assessment? = nil, isJudged: Bool = false
    ) {
        self.name = name
        self.description = description
        self.format = format
        self.value = value
        self.assessment = assessment
        self.isJudged = isJudged
    }

    /// The worst status of the KPI or of any of its group rows; nil when none has one.
    public var worstStatus: KPIStatus? {
        switch value {
        case .single: assessment?.status
        case .grouped(_, let rows): rows.compactMap { $0.assessment?.status }.min()
        }
    }

    /// Whether this KPI, or any of its group rows, failed.
    public var hasError: Bool {
        switch value {
        case .single(.error): true
        case .single(.value): false
        case .grouped(_, let rows): rows.contains { if case .error = $0.outcome { true } else { false } }
        }
    }
}

/// Every reported KPI of a program, in file order.
public struct EvaluationResult: Sendable, Hashable {
    /// The reported KPIs, in file order.
    public var kpis: [KPIResult]

    /// Results of these KPIs (a service that builds results of its own, or a test).
    public init(kpis: [KPIResult]) {
        self.kpis = kpis
    }

    /// The KPI of this name, if it was reported.
    public subscript(name: String) -> KPIResult? {
        kpis.first { $0.name == name }
    }

    /// Whether any KPI or group row failed.
    public var hasErrors: Bool { kpis.contains(where: \.hasError) }
}

/// Where a value lands against its KPI's levels (SPEC v3), worst first.
public enum KPIStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Worse than the critical level.
    case critical
    /// Worse than the norm (or than the target, when no norm is declared).
    case below
    /// The norm reached.
    case met
    /// The target reached.
    case exceeded

    /// Worse statuses sort first.
    public static func < (lhs: KPIStatus, rhs: KPIStatus) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A value judged against its KPI's levels: the status, the methods' "result %", and the levels.
public struct Assessment: Sendable, Hashable {
    /// Where the value lands; nil when the value or a declared level is null or not a number.
    public var status: KPIStatus?
    /// (fact − critical) ÷ (norm − critical), when both levels are declared and there is a status.
    public var level: Double?
    /// The critical level's value for this row; nil when not declared.
    public var critical: Value?
    /// The norm's value for this row; nil when not declared.
    public var norm: Value?
    /// The target's value for this row; nil when not declared.
    public var target: Value?

    /// An assessment with these fields.
    public init(status: KPIStatus?, level: Double?, critical: Value? = nil, norm: Value? = nil, target: Value? = nil) {
        self.status = status
        self.level = level
        self.critical = critical
        self.norm = norm
        self.target = target
    }

    /// The declared level of this kind's value, if declared.
    public subscript(level: ThresholdLevel) -> Value? {
        get {
            switch level {
            case .critical: critical
            case .norm: norm
            case .target: target
            }
        }
        set {
            switch level {
            case .critical: critical = newValue
            case .norm: norm = newValue
            case .target: target = newValue
            }
        }
    }

    /// Judges `value` against the values of its declared `levels` (SPEC v3): the status, and the
    /// level when critical and norm are both declared. `direction` is the one a sign or a single
    /// level fixes; otherwise it comes from the levels' order. Fails when the levels contradict
    /// each other.
    static func judging(
        _ value: Value, levels: [(level: ThresholdLevel, value: Value)], direction: ThresholdDirection?
    ) -> Result<Assessment, FunctionError> {
        var assessment = Assessment(status: nil, level: nil)
        var numbers: [ThresholdLevel: Double] = [:]
        for (level, levelValue) in levels {
            assessment[level] = levelValue
            if case .number(let number) = levelValue { numbers[level] = number }
        }
        guard case .number(let fact) = value, numbers.count == levels.count else { return .success(assessment) }
        let ordered = ThresholdLevel.allCases.compactMap { numbers[$0] }
        guard let way = ThresholdDirection.implied(by: ordered, fixed: direction) else {
            let written = ThresholdLevel.allCases.compactMap { level in numbers[level].map { "\(level.rawValue) \(JSONFormatter.value(.number($0)))" } }
            return .failure(FunctionError(CheckerMessages.thresholdsContradict(written, sign: direction)))
        }
        // Worse than a level: below it when higher is better, above it when lower is.
        func worse(_ level: ThresholdLevel) -> Bool? {
            numbers[level].map { way == .higherIsBetter ? fact < $0 : fact > $0 }
        }
        if worse(.critical) == true {
            assessment.status = .critical
        } else if worse(.target) == false {
            assessment.status = .exceeded
        } else if let belowNorm = worse(.norm) {
            assessment.status = belowNorm ? .below : .met
        } else {
            assessment.status = numbers[.target] == nil ? .met : .below
        }
        if let critical = numbers[.critical], let norm = numbers[.norm] {
            let level = (fact - critical) / (norm - critical)
            // At the critical level of a lower-is-better KPI the quotient is −0, which shows as "-0".
            assessment.level = level == 0 ? 0 : level
        }
        return .success(assessment)
    }
}

/// A stretch of formula text: the file, and where it starts and ends (lines and columns, in
/// characters and UTF-16 units, as `Diagnostic.start` counts them).
public struct SourceSpan: Sendable, Hashable, Codable {
    /// The file's name.
    public var file: String
    /// Where the stretch starts.
    public var start: SourceText.Location
    /// Just past its end.
    public var end: SourceText.Location

    /// A stretch of `file` from `start` to `end`.
    public init(file: String, start: SourceText.Location, end: SourceText.Location) {
        self.file = file
        self.start = start
        self.end = end
    }
}
