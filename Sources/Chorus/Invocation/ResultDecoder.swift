import CChorus
import Foundation

/// Turns the raw return value of a native call into JSON, checking what the
/// plugin handed back: valid UTF-8, parseable JSON text, finite doubles.
enum ResultDecoder {
    /// Reads the return buffer of a finished call for `type`. Integral returns
    /// are read as the full `ffi_arg` libffi wrote, then narrowed, which is
    /// correct on either byte order.
    static func decode(_ buffer: UnsafeRawPointer, as type: ValueType, task: String) throws(ChorusError) -> JSON {
        switch type {
        case .void:
            return .null
        case .bool:
            return .bool(UInt8(truncatingIfNeeded: buffer.load(as: UInt64.self)) != 0)
        case .int32:
            return .int(Int64(Int32(truncatingIfNeeded: buffer.load(as: UInt64.self))))
        case .int64:
            return .int(buffer.load(as: Int64.self))
        case .uint64:
            let u = buffer.load(as: UInt64.self)
            return u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
        case .double:
            let d = buffer.load(as: Double.self)
            guard d.isFinite else {
                throw ChorusError(.badResult, "\(task) returned the double \(d), which JSON cannot represent")
            }
            return .double(d)
        case .string:
            guard let p = buffer.load(as: UnsafePointer<CChar>?.self) else { return .null }
            return .string(try text(p, task: task))
        case .json:
            guard let p = buffer.load(as: UnsafePointer<CChar>?.self) else { return .null }
            let t = try text(p, task: task)
            do {
                return try JSON(parsing: t)
            } catch {
                throw ChorusError(.badResult, "\(task) returned invalid JSON text: \(error)")
            }
        case .bytes:
            let b = buffer.load(as: chorus_bytes.self)
            if b.size == 0 { return ["base64": ""] }
            guard let data = b.data else {
                throw ChorusError(.badResult, "\(task) returned chorus_bytes with a NULL pointer and size \(b.size)")
            }
            let encoded = Data(bytes: data, count: b.size).base64EncodedString()
            return ["base64": .string(encoded)]
        }
    }

    /// Checks what a Swift task closure returned against its declared return
    /// type, as `decode` does for a native call, and gives it the same JSON
    /// form: a closure declared `int64` cannot hand a string to the next step.
    /// Whole numbers pass as `double`; a `bytes` result is `{"base64": ...}`.
    static func check(_ value: JSON, as type: ValueType, task: String) throws(ChorusError) -> JSON {
        func refuse(_ what: String) -> ChorusError {
            ChorusError(.badResult, "\(task) is declared to return \(type.name) but returned \(what); return a \(type.name) (see its signature)")
        }
        switch (type, value) {
        case (.void, .null), (.bool, .bool), (.json, _), (.string, .string), (.string, .null):
            return value
        case (.int32, .int(let n)):
            guard Int32(exactly: n) != nil else { throw refuse("\(n), outside the int32 range") }
            return value
        case (.int64, .int):
            return value
        case (.int64, .uint(let u)):
            throw refuse("\(u), above the int64 range")
        case (.uint64, .int(let n)):
            guard n >= 0 else { throw refuse("the negative number \(n)") }
            return value
        case (.uint64, .uint):
            return value
        case (.double, .double(let d)):
            guard d.isFinite else { throw refuse("\(d), which JSON cannot represent") }
            return value
        case (.double, .int(let n)):
            return .double(Double(n))
        case (.double, .uint(let u)):
            return .double(Double(u))
        case (.bytes, .object(let o)):
            guard o.count == 1, case .string(let text)? = o["base64"], Data(base64Encoded: text) != nil else {
                throw refuse("an object that is not {\"base64\": \"<base64 text>\"}")
            }
            return value
        default:
            throw refuse(Self.kind(of: value))
        }
    }

    /// How a JSON value is named in an error message.
    static func kind(of value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "a bool"
        case .int, .uint: "an integer"
        case .double: "a double"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private static func text(_ p: UnsafePointer<CChar>, task: String) throws(ChorusError) -> String {
        let length = strlen(p)
        let bytes = UnsafeRawBufferPointer(start: p, count: length)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ChorusError(.badResult, "\(task) returned a string that is not valid UTF-8")
        }
        return s
    }
}
