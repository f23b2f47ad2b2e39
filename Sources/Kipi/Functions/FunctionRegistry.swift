/// The functions formulas can call: the standard library plus whatever a host registers.
///
/// A name may have several definitions (overloads) if they take different numbers of
/// arguments, as `min(x)` reduces a column and `min(a, b, …)` compares values row by row.
public struct FunctionRegistry: Sendable {
    private var byName: [String: [FunctionDefinition]] = [:]
    /// Names by their lower-case form: function names are found in any case (`SUM` is `sum`).
    private var byFoldedName: [String: String] = [:]
    /// Names in registration order, for listings.
    public private(set) var names: [String] = []
    /// The standard library's names, lower-cased: a host overloads or replaces them only when it says so.
    private var builtInNames: Set<String> = []

    /// A registry with no functions at all.
    public init() {}

    /// A registry holding Kipi's standard library: built once per process, so that `Kipi()` is cheap.
    public static var standard: FunctionRegistry { builtOnce }

    private static let builtOnce: FunctionRegistry = {
        var registry = FunctionRegistry()
        for definition in StandardLibrary.definitions {
            do {
                try registry.register(definition)
            } catch {
                preconditionFailure("the standard library is well-formed: \(error)")
            }
        }
        registry.builtInNames = Set(registry.names.map { $0.lowercased() })
        return registry
    }()

    /// Adds a function. Fails if the name is not a valid identifier, if a definition of that
    /// name already accepts some of the same argument counts, or if the signature is malformed
    /// (an optional parameter before a required one, a variadic parameter that is not last).
    /// A built-in's name (in any case) is taken only with `replacingBuiltIn`: the definition is
    /// then an overload of the built-in, or replaces its overloads for the same argument counts.
    public mutating func register(_ definition: FunctionDefinition, replacingBuiltIn: Bool = false) throws(FunctionError) {
        let name = definition.name
        guard isIdentifier(name) else { throw FunctionError("'\(name)' is not a valid function name") }
        if builtInNames.contains(name.lowercased()) {
            guard replacingBuiltIn else {
                throw FunctionError("'\(name)' is a built-in function; register it with replacingBuiltIn: true to overload or replace it")
            }
            byName[name]?.removeAll { $0.arity.overlaps(definition.arity) }
        }
        if let existing = byName[name], existing.contains(where: { $0.arity.overlaps(definition.arity) }) {
            throw FunctionError("a function named '\(name)' is already registered")
        }
        var sawOptional = false
        for (position, parameter) in definition.parameters.enumerated() {
            if parameter.isOptional {
                sawOptional = true
            } else if sawOptional {
                throw FunctionError("\(name): required parameter '\(parameter.name)' follows an optional one")
            }
            if parameter.isVariadic, position != definition.parameters.count - 1 {
                throw FunctionError("\(name): only the last parameter may be variadic")
            }
        }
        if case .aggregate = definition.implementation {
        } else if definition.isAggregate {
            throw FunctionError("\(name): a function with a collection parameter needs an aggregate implementation")
        }
        let seriesPositions = definition.parameters.indices.filter { definition.parameters[$0].role == .series }
        if definition.isWindow != (seriesPositions == [0]) {
            throw FunctionError("\(name): a window function has exactly one series parameter, its first, and only it has one")
        }
        if byName[name] == nil { names.append(name) }
        if byFoldedName[name.lowercased()] == nil { byFoldedName[name.lowercased()] = name }
        byName[name, default: []].append(definition)
    }

    /// The definition of `name`, or its first overload.
    public subscript(name: String) -> FunctionDefinition? { overloads(of: name).first }

    /// Every definition of `name` (written in any case), in registration order.
    public func overloads(of name: String) -> [FunctionDefinition] {
        byName[name] ?? byFoldedName[name.lowercased()].flatMap { byName[$0] } ?? []
    }

    /// Every function and overload, in registration order.
    public var definitions: [FunctionDefinition] { names.flatMap { byName[$0] ?? [] } }

    /// Each function with its signature and help, and its other names (Excel's, Russian Excel's)
    /// under it rather than as functions of their own: what `kipi functions` and the REPL's
    /// `:functions` print.
    public var listing: String {
        var aliases: [String: [String]] = [:]
        for definition in definitions {
            if let target = definition.aliasOf, !(aliases[target] ?? []).contains(definition.name) {
                aliases[target, default: []].append(definition.name)
            }
        }
        return definitions.filter { $0.aliasOf == nil }.map { definition in
            let also = aliases[definition.name].map { "\n    Also: " + $0.joined(separator: ", ") } ?? ""
            return "\(definition.signature)\n    \(definition.summary)" + also
        }.joined(separator: "\n")
    }

    /// An identifier, or identifiers joined by dots, as Excel names `PERCENTRANK.INC`.
    private func isIdentifier(_ name: String) -> Bool {
        Keyword(rawValue: name) == nil && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(Identifier.isWord)
    }
}
