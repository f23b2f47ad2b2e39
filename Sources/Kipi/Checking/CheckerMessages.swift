/// Every message the checker reports, in one place so the wording stays consistent.
enum CheckerMessages {
    static func aggregateFilterOnScalar(_ name: String) -> String {
        "'where' filters the rows of an aggregate such as sum or count; '\(name)' is not an aggregate"
    }
    static func argumentCount(_ name: String, accepted: [ClosedRange<Int>], given: Int) -> String {
        func plural(_ count: Int) -> String { count == 1 ? "argument" : "arguments" }
        let options = accepted.map { range in
            if range.upperBound == Int.max { return "at least \(range.lowerBound) \(plural(range.lowerBound))" }
            if range.lowerBound == range.upperBound { return "\(range.lowerBound) \(plural(range.lowerBound))" }
            return "\(range.lowerBound) to \(range.upperBound) arguments"
        }
        return "'\(name)' takes \(options.joined(separator: " or ")), but \(given) \(given == 1 ? "was" : "were") given"
    }
    static func argumentType(_ name: String, parameter: String, expected: String, found: KipiType) -> String {
        "'\(name)' expects \(expected) for '\(parameter)', but got \(article(found))"
    }
    static func columnKPI(_ name: String) -> String {
        "'\(name)' would be a whole column, one value per row; wrap it in an aggregate such as sum(…) or count(…), or define it with 'let'"
    }
    static func columnTypeNote(_ column: String, type: KipiType, note: String) -> String {
        "; column '\(column)' is \(type) because \(note)"
    }
    static func conditionalAggregate(_ name: String, _ base: String) -> String {
        "unknown function '\(name)'; Kipi filters inside the aggregate: write \(base)(x where condition), "
            + "as \(base)(amount where status == \"won\")"
    }
    static func excelLookup(_ name: String) -> String {
        "unknown function '\(name)'; Kipi pairs values with lookup(value, keys, values), "
            + "as lookup(manager, plans.manager, plans.target) or lookup(rating, [\"poor\", \"good\"], [0, 10])"
    }
    static func cycle(_ names: [String]) -> String {
        "reference cycle: " + names.joined(separator: " → ")
    }
    static func duplicateDefinition(_ name: String, previous: String) -> String {
        "'\(name)' is already defined (\(previous))"
    }
    static func functionAsValue(_ name: String) -> String { "'\(name)' is a function; call it with parentheses: \(name)(…)" }
    static func cannotReduce(_ function: String, _ level: Level, inside context: Level) -> String {
        "cannot reduce one value per \(level) inside each group of \(context) with '\(function)': "
            + "the groups of \(level) do not lie inside those of \(context); aggregate at a level that has every key of \(context)"
    }
    static func groupingMismatch(_ name: String, has: Level, wanted: Level) -> String {
        "'\(name)' is by \(wanted), but its value has one value per \(has); "
            + "aggregate it to \(wanted) first, such as max(…), or give '\(name)' the keys \(has)"
    }
    static func importUnreadable(_ path: String, _ reason: String) -> String { "cannot import '\(path)': \(reason)" }
    static let keyNotColumn = "a 'by' key must have one value per row: a column, or an expression of columns such as month(date)"
    static let listElementNotScalar = "a list element must be a single value, not a column"
    static let listKPI = "a KPI's value cannot be a list"
    static func mixedShapes(_ left: Shape, _ right: Shape) -> String {
        if let first = left.table, let second = right.table, first != second {
            return "cannot combine rows of \(tableName(first)) with rows of \(tableName(second)); "
                + "aggregate each table first, such as sum(amount) / sum(plans.target), or pair rows with lookup(…)"
        }
        if let a = left.level, let b = right.level, let clash = a.keys.first(where: { key in b.keys.contains { $0.description == key.description && $0 != key } }) {
            return "cannot combine \(describe(left)) with \(describe(right)): the key '\(clash.description)' is computed differently; "
                + "let each table supply it under one name, as let TABLE.\(clash.description) = … (a column of that table), and group by \(clash.description)"
        }
        return "cannot combine \(describe(left)) with \(describe(right)); aggregate one of them first"
    }
    static func mixedTypes(_ what: String, _ left: KipiType, _ right: KipiType) -> String {
        "\(what) mixes \(article(left)) and \(article(right))"
    }
    static let filterNotPerRow =
        "a file's 'where' is a condition on the rows of one table, from its columns, parameters and constants, such as where region == \"EU\""
    static func keyColumnType(_ table: String, _ key: String, _ column: KipiType, _ type: KipiType) -> String {
        "table '\(table)' supplies the key '\(key)' from its column '\(key)', which is \(article(column)), but the key is \(article(type))"
    }
    static func keyNotSupplied(_ table: String, _ key: GroupKey) -> String {
        let name = key.description
        let computedFrom = key.expressionText.isEmpty || key.expressionText == name ? "" : " nor the columns of \(key.expressionText),"
        let fix = table.isEmpty ? "give the default table a column '\(name)'" : "give it one with let \(table).\(name) = … (from the columns of '\(table)')"
        return "\(table.isEmpty ? "the default table" : "table '\(table)'") cannot supply the key '\(name)': it has no column '\(name)',\(computedFrom) so \(fix)"
    }
    static func computedColumnNotPerRow(_ name: String, table: String) -> String {
        "'\(name)' is a column of '\(table)': compute it row by row from that table's columns, such as let \(table).month = month(\(table).date)"
    }
    static func notAKeyOfGroups(_ column: String, owner: String?, _ level: Level) -> String {
        let groups = owner.map { "the groups of '\($0)' (by \(level))" } ?? "the groups (by \(level))"
        let fix = owner.map { "group '\($0)' by \(column) too, or filter inside it" } ?? "group the value by \(column) too, or filter inside it"
        return "\(groups) have no column '\(column)'; \(fix)"
    }
    static func twoTables(_ function: String, _ first: String, _ second: String) -> String {
        "'\(function)' reads rows of two tables (\(tableName(first)) and \(tableName(second))); "
            + "aggregate each table first, such as sum(amount) / sum(plans.target), or pair rows with lookup(…)"
    }
    static func tableName(_ table: String) -> String { table.isEmpty ? "the default table" : "'\(table)'" }
    static func unknownColumn(_ name: String, of table: String, suggestion: String?) -> String {
        "table '\(table)' has no column '\(name)'" + didYouMean(suggestion)
    }
    static func unknownTable(_ name: String, suggestion: String?) -> String {
        "unknown table '\(name)'" + didYouMean(suggestion)
            + (suggestion == nil ? "; give it with --data \(name)=FILE (on an engine, --table \(name)=TABLE)" : "")
    }
    static let numberMinusPeriod = "cannot subtract a period from a number; a period minus a number of periods is written period - n"
    static func periodGrains(_ left: PeriodGrain, _ right: PeriodGrain) -> String {
        "cannot subtract a \(right) from a \(left); convert one of them first, such as year(p) or quarter(p)"
    }
    static func periodListNotConstant(_ grain: PeriodGrain) -> String {
        "a \(grain) can be tested against a list of constant texts, such as [\"2024-01\", \"2024-02\"]"
    }
    static func repeatedKey(_ key: String) -> String { "'\(key)' is already a key of this 'by'" }
    static func windowArgumentNotSingle(_ name: String) -> String {
        "'\(name)' needs a single value here, such as 3, not one per row or group"
    }
    static func windowNeedsGroups(_ name: String, _ shape: Shape) -> String {
        "'\(name)' reads a grouped value, such as sum(amount) by manager, month(date) or a grouped definition, but got \(describe(shape))"
    }
    static func windowNeedsPeriod(_ name: String, _ level: Level) -> String {
        "'\(name)' runs along time, but the value is by \(level), which has no period or date key; group it by one, such as month(date)"
    }
    static let numberMinusDate = "cannot subtract a date from a number; a date minus a number of days is written date - days"
    static func notConstant(_ name: String) -> String {
        "the default of parameter '\(name)' must be a constant, such as 50, 15%, \"EU\" or date(\"2024-01-01\")"
    }
    static func operandType(_ op: String, expected: String, found: KipiType) -> String {
        "'\(op)' expects \(expected), but got \(article(found))"
    }
    static func comparison(_ op: String, _ left: KipiType, _ right: KipiType) -> String {
        var message = "cannot compare \(article(left)) with \(article(right)) using '\(op)'"
        if (left == .date && right == .text) || (left == .text && right == .date) {
            message += "; write a date as date(\"yyyy-mm-dd\")"
        }
        return message
    }
    static func perRowArgumentOfAggregate(_ name: String, parameter: String) -> String {
        "'\(name)' reduces a column to one value, so '\(parameter)' must be a single value (or one per group), not one per row"
    }
    static func recursion(_ name: String) -> String {
        "function '\(name)' calls itself; recursion is not allowed"
    }
    static func unknownFunction(_ name: String, suggestion: String?) -> String {
        "unknown function '\(name)'" + didYouMean(suggestion)
    }
    static func unknownName(_ name: String, suggestion: String?, suggestionIsColumn: Bool) -> String {
        (suggestion == nil || suggestionIsColumn ? "unknown column '\(name)'" : "unknown name '\(name)'") + didYouMean(suggestion)
    }
    static func shadowsBuiltIn(_ name: String) -> String { "'\(name)' is a built-in function; choose another name" }
    static let tooDeep = "the formula is nested too deeply once its functions are expanded (more than \(Checker.maximumHeight) levels)"
    static func tooManyExpansions(_ limit: Int) -> String {
        "the formula's functions expand to too large a formula (more than \(limit) calls)"
    }
    static func whereNotBoolean(_ type: KipiType) -> String { "'where' needs a condition (true or false), but got \(article(type))" }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    static func article(_ type: KipiType) -> String { type.withArticle }

    static func thresholdsOnNonNumber(_ name: String, _ type: KipiType) -> String {
        "'\(name)' is \(article(type)); only a number KPI is judged against critical, norm and target levels"
    }
    static func thresholdTwice(_ level: ThresholdLevel) -> String { "the \(level.rawValue) level is given twice" }
    static let thresholdSignsDisagree = "one level says lower is better (<=) and another higher is better (>=); write the sign once"
    static func thresholdNotNumber(_ level: ThresholdLevel, _ type: KipiType) -> String {
        "the \(level.rawValue) level must be a number, but is \(article(type))"
    }
    static func thresholdFiner(_ level: ThresholdLevel, _ name: String, _ has: Shape, _ kpi: Shape) -> String {
        "the \(level.rawValue) level has \(describe(has)), but '\(name)' has \(describe(kpi)); "
            + "a level must be a single value or have the KPI's keys or fewer, such as a plan per manager for a KPI by manager"
    }
    static func thresholdsContradict(_ written: [String], sign: ThresholdDirection?) -> String {
        let rule: String
        switch sign {
        case .higherIsBetter?: rule = "with >= they must rise from critical to norm to target"
        case .lowerIsBetter?: rule = "with <= they must fall from critical to norm to target"
        case nil: rule = "from critical to norm to target they must rise (higher is better) or fall (lower is better)"
        }
        return "the levels contradict each other (\(written.joined(separator: ", "))): \(rule), no two equal"
    }
    static func describe(_ shape: Shape) -> String {
        switch shape {
        case .scalar: "a single value"
        case .rows(let table): table.isEmpty ? "one value per row" : "one value per row of '\(table)'"
        case .groups(let level): "one value per \(level)"
        }
    }
}
