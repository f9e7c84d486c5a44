import Foundation

/// One argument converted from JSON to the exact C representation its
/// declared type needs, checked before anything reaches `ffi_call`.
enum NativeValue: Sendable {
    case bool(UInt8)
    case int32(Int32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    /// UTF-8 bytes without the terminating NUL (added when the frame is built).
    case cString([UInt8])
    case bytes([UInt8])

    /// Converts `value` for parameter `parameter` of `task`, strictly: no
    /// silent truncation, no float→int, integers above 2^53 refused for
    /// double, no interior NUL in strings.
    static func convert(_ value: JSON, to parameter: TaskSignature.Parameter, task: String) throws(ChorusError) -> NativeValue {
        func mismatch(_ detail: String? = nil) -> ChorusError {
            let got = detail ?? "got \(value.kindName) \(preview(value))"
            return ChorusError(.badArguments, "\(task): argument \(parameter.name): expected \(parameter.type.name), \(got)")
        }
        switch parameter.type {
        case .void:
            throw mismatch("but void is not a parameter type")
        case .bool:
            guard case .bool(let b) = value else { throw mismatch() }
            return .bool(b ? 1 : 0)
        case .int32:
            switch value {
            case .int(let i):
                guard let v = Int32(exactly: i) else { throw mismatch("got \(i), which is out of range for int32 [\(Int32.min), \(Int32.max)]") }
                return .int32(v)
            case .uint(let u): throw mismatch("got \(u), which is out of range for int32 [\(Int32.min), \(Int32.max)]")
            default: throw mismatch()
            }
        case .int64:
            switch value {
            case .int(let i): return .int64(i)
            case .uint(let u): throw mismatch("got \(u), which is out of range for int64 [\(Int64.min), \(Int64.max)]")
            default: throw mismatch()
            }
        case .uint64:
            switch value {
            case .int(let i):
                guard i >= 0 else { throw mismatch("got \(i), which is out of range for uint64 [0, \(UInt64.max)]") }
                return .uint64(UInt64(i))
            case .uint(let u): return .uint64(u)
            default: throw mismatch()
            }
        case .double:
            let limit: Int64 = 1 << 53
            switch value {
            case .double(let d): return .double(d)
            case .int(let i):
                guard i >= -limit && i <= limit else { throw mismatch("got \(i), an integer beyond 2^53 that a double cannot hold exactly") }
                return .double(Double(i))
            case .uint(let u): throw mismatch("got \(u), an integer beyond 2^53 that a double cannot hold exactly")
            default: throw mismatch()
            }
        case .string:
            guard case .string(let s) = value else { throw mismatch() }
            let utf8 = Array(s.utf8)
            if let nul = utf8.firstIndex(of: 0) {
                throw mismatch("got a string with a NUL character at byte \(nul); C strings cannot contain NUL")
            }
            return .cString(utf8)
        case .json:
            let text = Array(value.serialized().utf8)
            if text.contains(0) {
                throw mismatch("got JSON whose text contains a NUL character; C strings cannot contain NUL")
            }
            return .cString(text)
        case .bytes:
            switch value {
            case .string(let s): return .bytes(Array(s.utf8))
            case .object(let o) where o.count == 1:
                guard case .string(let encoded)? = o["base64"] else { throw mismatch() }
                guard let data = Data(base64Encoded: encoded) else {
                    throw mismatch("got an invalid base64 string in {\"base64\": ...}")
                }
                return .bytes(Array(data))
            default:
                throw mismatch("got \(value.kindName) \(preview(value)) (pass a string or {\"base64\": \"...\"})")
            }
        }
    }

    /// A short rendering of a value for error messages.
    static func preview(_ value: JSON) -> String {
        let text = value.serialized()
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }
}
