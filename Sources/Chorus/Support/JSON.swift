import Collections

/// A JSON value that keeps what Chorus must not lose: integers stay exact
/// (`Int64`, or `UInt64` above `Int64.max`), numbers written with a fraction or
/// exponent stay `double`, and object keys keep the order they arrived in.
///
/// Celery's signature dicts, task arguments and results all travel as `JSON`.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer literal that fits in `Int64`.
    case int(Int64)
    /// An integer literal above `Int64.max` that fits in `UInt64`.
    case uint(UInt64)
    /// A number written with a fraction or exponent, or too large for an integer type.
    case double(Double)
    case string(String)
    case array([JSON])
    case object(OrderedDictionary<String, JSON>)
}

extension JSON {
    /// An empty object.
    public static var emptyObject: JSON { .object([:]) }

    /// The name of this value's JSON kind, for error messages ("string", "integer", ...).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .uint: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: OrderedDictionary<String, JSON>? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value as `Int64` when it is an integer literal in range.
    public var int64Value: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The value as a `Double` when it is any number (integers convert exactly
    /// only up to 2^53; callers that care check the case first).
    public var numberValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .uint(let u): Double(u)
        case .double(let d): d
        default: nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Member access for objects; `nil` for other kinds or a missing key.
    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = OrderedDictionary<String, JSON>()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }
}
