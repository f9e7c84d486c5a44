/// The closed set of value types a task signature may use (see "Signatures" in
/// `include/chorus.h`). Anything else is refused when a plugin loads.
public enum ValueType: String, Sendable, Hashable, CaseIterable {
    /// Return only: the task returns nothing; its result is JSON `null`.
    case void
    /// C `bool`.
    case bool
    /// C `int32_t`.
    case int32
    /// C `int64_t`.
    case int64
    /// C `uint64_t`.
    case uint64
    /// C `double`.
    case double
    /// C `const char *`: UTF-8, NUL-terminated, no interior NUL.
    case string
    /// C `const char *` holding UTF-8 JSON text.
    case json
    /// `chorus_bytes` by value: a pointer and a length.
    case bytes

    /// The keyword used in signature text.
    public var name: String { rawValue }

    /// The exact C type a plugin function uses for this type.
    public var cType: String {
        switch self {
        case .void: "void"
        case .bool: "bool"
        case .int32: "int32_t"
        case .int64: "int64_t"
        case .uint64: "uint64_t"
        case .double: "double"
        case .string, .json: "const char *"
        case .bytes: "chorus_bytes"
        }
    }

    /// Whether the type may appear as a parameter (`void` may not).
    public var isValidParameter: Bool { self != .void }
}
