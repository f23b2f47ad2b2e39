import Foundation

/// An error of a function for one value or group: shown as the KPI's (or group row's) error.
public struct FunctionError: Error, Sendable, Hashable {
    /// What went wrong, as the KPI's error shows it.
    public var message: String

    /// An error with this message.
    public init(_ message: String) {
        self.message = message
    }
}

/// The message shown for an error thrown by a function: a `FunctionError`'s own message.
func failureMessage(_ error: any Error, in function: String? = nil) -> String {
    if let error = error as? FunctionError { return error.message }
    if let error = error as? any LocalizedError, let description = error.errorDescription { return description }
    // Asked of the type: every error value converts to CustomStringConvertible on Linux.
    if type(of: error) is any CustomStringConvertible.Type { return "\(error)" }
    // A bare Swift error prints as `Boom()`: say whose it is instead.
    let kind = String(describing: type(of: error))
    return function.map { "function '\($0)' failed (\(kind))" } ?? "failed (\(kind))"
}
