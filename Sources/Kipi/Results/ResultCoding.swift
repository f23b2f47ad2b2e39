import Foundation

// Results and values as `Codable` (SPEC v3, serving many users): encoding an `EvaluationResult`
// with `JSONEncoder` gives §5's JSON object, the same object as `kipi eval --format json` (the
// members in the encoder's order: Foundation's JSONEncoder keeps no insertion order on Linux, so
// a service that wants a fixed order sets `.sortedKeys`; `JSONFormatter` writes file order).

/// A coding key of any name: KPI names, key names and result fields.
struct NamedKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Value: Codable {
    /// A number (null when not finite), text, a boolean, null, an array; a date as its text
    /// (`2024-03-31`), a period as its text (`2024-03`) and a year as its number, as §5 writes them.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .number(let number):
            var container = encoder.singleValueContainer()
            if number.isFinite { try container.encode(number) } else { try container.encodeNil() }
        case .text(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .boolean(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .date(let date):
            var container = encoder.singleValueContainer()
            try container.encode(date.description)
        case .period(let period):
            var container = encoder.singleValueContainer()
            if period.grain == .year { try container.encode(Int(period.index)) } else { try container.encode(period.description) }
        case .list(let elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }

    /// What JSON can say: a number, text, a boolean, null or an array (dates and periods come back as their text).
    public init(from decoder: Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var elements: [Value] = []
            while !array.isAtEnd { elements.append(try array.decode(Value.self)) }
            self = .list(elements)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .boolean(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}

extension Outcome: Codable {
    /// The value, or `{"error": message}`.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .value(let value): try value.encode(to: encoder)
        case .error(let message):
            var container = encoder.container(keyedBy: NamedKey.self)
            try container.encode(message, forKey: NamedKey("error"))
        }
    }

    /// `{"error": message}` is an error; anything else a value.
    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: NamedKey.self), let message = try? object.decode(String.self, forKey: NamedKey("error")) {
            self = .error(message)
        } else {
            self = .value(try Value(from: decoder))
        }
    }
}

extension KPIResult: Encodable {
    /// One KPI as §5's JSON gives it: a value, `{"error": …}`, `{"value", "status", "level", …}`
    /// for a KPI with levels, or an array of group rows.
    public func encode(to encoder: Encoder) throws {
        switch value {
        case .single(let outcome):
            guard isJudged, case .value = outcome else { return try outcome.encode(to: encoder) }
            var container = encoder.container(keyedBy: NamedKey.self)
            try KPIResult.encodeMembers(outcome, assessment, into: &container)
        case .grouped(let keyNames, let rows):
            var array = encoder.unkeyedContainer()
            for row in rows {
                var object = array.nestedContainer(keyedBy: NamedKey.self)
                for (name, key) in zip(keyNames, row.keys) { try object.encode(key, forKey: NamedKey(name)) }
                try KPIResult.encodeMembers(row.outcome, row.assessment, into: &object)
            }
        }
    }

    private static func encodeMembers(_ outcome: Outcome, _ assessment: Assessment?, into container: inout KeyedEncodingContainer<NamedKey>) throws {
        try container.encode(outcome, forKey: NamedKey("value"))
        guard let assessment else { return }
        if let status = assessment.status { try container.encode(status.rawValue, forKey: NamedKey("status")) }
        if let level = assessment.level { try container.encode(level, forKey: NamedKey("level")) }
        for level in ThresholdLevel.allCases {
            if let declared = assessment[level] { try container.encode(declared, forKey: NamedKey(level.rawValue)) }
        }
    }
}

extension EvaluationResult: Codable {
    /// One object, the KPIs by name in file order (§5).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: NamedKey.self)
        for kpi in kpis { try container.encode(kpi, forKey: NamedKey(kpi.name)) }
    }

    /// Results read back from §5's JSON: an array is a grouped KPI (its rows' keys are the members
    /// other than `value` and the judgement's), `{"value": …}` a KPI with levels, anything else one value.
    /// Descriptions and formats are not in the JSON: they come back empty and plain; the KPIs in
    /// the order of their names (a JSON object keeps none a decoder could read).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        var kpis: [KPIResult] = []
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            kpis.append(try KPIResult.decoded(from: container.superDecoder(forKey: key), name: key.stringValue))
        }
        self.init(kpis: kpis)
    }
}

extension KPIResult {
    private static let judgementKeys: Set<String> = ["value", "status", "level", "critical", "norm", "target"]

    static func decoded(from decoder: Decoder, name: String) throws -> KPIResult {
        if var array = try? decoder.unkeyedContainer() {
            var rows: [GroupRow] = []
            var keyNames: [String] = []
            while !array.isAtEnd {
                let object = try array.nestedContainer(keyedBy: NamedKey.self)
                let names = object.allKeys.map(\.stringValue).filter { !judgementKeys.contains($0) }.sorted()
                if keyNames.isEmpty { keyNames = names }
                let keys = try keyNames.map { try object.decodeIfPresent(Value.self, forKey: NamedKey($0)) ?? .null }
                let outcome = try object.decode(Outcome.self, forKey: NamedKey("value"))
                rows.append(GroupRow(keys: keys, outcome: outcome, assessment: try assessment(object)))
            }
            let judged = rows.contains { $0.assessment != nil }
            return KPIResult(name: name, description: "", format: .plain, value: .grouped(keyNames: keyNames, rows: rows), isJudged: judged)
        }
        if let object = try? decoder.container(keyedBy: NamedKey.self), object.contains(NamedKey("value")) {
            let outcome = try object.decode(Outcome.self, forKey: NamedKey("value"))
            return KPIResult(name: name, description: "", format: .plain, value: .single(outcome), assessment: try assessment(object), isJudged: true)
        }
        return KPIResult(name: name, description: "", format: .plain, value: .single(try Outcome(from: decoder)))
    }

    private static func assessment(_ object: KeyedDecodingContainer<NamedKey>) throws -> Assessment? {
        let levels = ThresholdLevel.allCases.filter { object.contains(NamedKey($0.rawValue)) }
        guard object.contains(NamedKey("status")) || !levels.isEmpty else { return nil }
        var assessment = Assessment(
            status: try object.decodeIfPresent(String.self, forKey: NamedKey("status")).flatMap(KPIStatus.init(rawValue:)),
            level: try object.decodeIfPresent(Double.self, forKey: NamedKey("level")))
        for level in levels { assessment[level] = try object.decode(Value.self, forKey: NamedKey(level.rawValue)) }
        return assessment
    }
}

// MARK: Typed accessors

extension Outcome {
    /// The value when it is a number.
    public var number: Double? {
        if case .value(.number(let number)) = self { return number }
        return nil
    }

    /// The value when it is text.
    public var text: String? {
        if case .value(.text(let text)) = self { return text }
        return nil
    }

    /// The error's message, when this is one.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

extension KPIResult {
    /// A single-valued KPI's value or error; nil for a grouped KPI.
    public var outcome: Outcome? {
        if case .single(let outcome) = value { return outcome }
        return nil
    }

    /// A single-valued KPI's number: `result["revenue"]?.number`.
    public var number: Double? { outcome?.number }

    /// A single-valued KPI's text.
    public var text: String? { outcome?.text }

    /// A single-valued KPI's error message.
    public var errorMessage: String? { outcome?.errorMessage }

    /// A grouped KPI's key names; empty for a single value.
    public var keyNames: [String] {
        if case .grouped(let names, _) = value { return names }
        return []
    }

    /// A grouped KPI's rows, sorted by their keys; empty for a single value.
    public var rows: [GroupRow] {
        if case .grouped(_, let rows) = value { return rows }
        return []
    }

    /// The row of a grouped KPI whose keys are `keys`, by key name: `kpi.row(["manager": .text("Ann")])`.
    public func row(_ keys: [String: Value]) -> GroupRow? {
        let names = keyNames
        return rows.first { row in keys.allSatisfy { name, value in names.firstIndex(of: name).map { row.keys[$0] == value } ?? false } }
    }
}

extension GroupRow {
    /// The row's number, when its value is one.
    public var number: Double? { outcome.number }
}
