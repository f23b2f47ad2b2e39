import Foundation

/// What a report says around the results (SPEC v3, reports people look at): the file's title
/// and description, the data it read, when, and the locale its numbers use.
public struct ReportContext: Sendable, Hashable {
    /// One table the results were computed from.
    public struct Source: Sendable, Hashable {
        /// The table's name in formulas ("" is the default table).
        public var table: String
        /// The file it was read from, as given.
        public var file: String
        /// Its rows, after reading (before any `where`).
        public var rows: Int

        /// A table read from `file` with `rows` rows.
        public init(table: String, file: String, rows: Int) {
            self.table = table
            self.file = file
            self.rows = rows
        }
    }

    /// The report's heading.
    public var title: String
    /// Paragraphs under the heading.
    public var description: String
    /// The tables read, in the order given.
    public var sources: [Source]
    /// When the results were computed, as shown (`2026-12-05 14:50 UTC`).
    public var computedAt: String
    /// How numbers are written.
    public var locale: NumberLocale

    /// A context with these parts.
    public init(title: String, description: String, sources: [Source], computedAt: String, locale: NumberLocale = .en) {
        self.title = title
        self.description = description
        self.sources = sources
        self.computedAt = computedAt
        self.locale = locale
    }

    /// The title and description a `.kpi` file gives itself: the comment lines at its top, when a
    /// blank line parts them from the first definition (else they describe that definition). The
    /// first line is the title, without a leading `name.kpi — `; the rest is the description.
    /// `fallback` is the title of a file without such lines.
    public static func heading(of text: String, fallback: String) -> (title: String, description: String) {
        var block: [String] = []
        var endsWithBlank = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") {
                block.append(String(trimmed.dropFirst()))
                continue
            }
            endsWithBlank = trimmed.isEmpty
            break
        }
        guard endsWithBlank, let first = block.first else { return (fallback, "") }
        var title = first.trimmingCharacters(in: .whitespaces)
        for dash in [" — ", " - ", " – "] {
            if let range = title.range(of: dash), title[..<range.lowerBound].hasSuffix(".kpi") {
                title = String(title[range.upperBound...])
                break
            }
        }
        let rest = block.dropFirst().map { $0.hasPrefix(" ") ? String($0.dropFirst()) : $0 }
        return (title.isEmpty ? fallback : title, rest.joined(separator: "\n").trimmingCharacters(in: .newlines))
    }
}
