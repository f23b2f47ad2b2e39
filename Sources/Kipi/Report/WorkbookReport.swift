/// Placeholder replaced below.
public enum WorkbookReport {
    /// The workbook's bytes.
    public static func workbook(_ result: EvaluationResult, context: ReportContext) -> [UInt8] { [] }
}
