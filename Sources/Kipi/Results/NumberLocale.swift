/// How numbers are written for people of a locale: the thousands separator and decimal mark, and
/// for CSV the field separator their Excel expects.
public enum NumberLocale: String, Sendable, CaseIterable {
    /// `1,234.56`.
    case en
    /// `1 234,56`; CSV with `;`.
    case ru
    /// `1.234,56`; CSV with `;`.
    case de
    /// `1,234.56`.
    case zh

    var thousandsSeparator: String {
        switch self {
        case .en, .zh: ","
        case .ru: " "
        case .de: "."
        }
    }

    var decimalMark: String {
        switch self {
        case .en, .zh: "."
        case .ru, .de: ","
        }
    }

    /// The CSV field separator: `;` where the decimal mark is a comma, as those Excels open CSV.
    var csvDelimiter: String { decimalMark == "," ? ";" : "," }
}
