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

    private static func text(_ p: UnsafePointer<CChar>, task: String) throws(ChorusError) -> String {
        let length = strlen(p)
        let bytes = UnsafeRawBufferPointer(start: p, count: length)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ChorusError(.badResult, "\(task) returned a string that is not valid UTF-8")
        }
        return s
    }
}
