import CChorus
import Chorus
import Foundation

/// Status names, the last error, memory and the host table.

@_cdecl("chorus_status_name")
public func cStatusName(_ status: chorus_status) -> UnsafePointer<CChar> {
    let name: StaticString = switch status {
    case CHORUS_OK: "CHORUS_OK"
    case CHORUS_E_CONTEXT: "CHORUS_E_CONTEXT"
    case CHORUS_E_ARGUMENT: "CHORUS_E_ARGUMENT"
    case CHORUS_E_NOMEM: "CHORUS_E_NOMEM"
    case CHORUS_E_UNSUPPORTED: "CHORUS_E_UNSUPPORTED"
    case CHORUS_E_STATE: "CHORUS_E_STATE"
    case CHORUS_E_BUFFER: "CHORUS_E_BUFFER"
    case CHORUS_E_NOT_FOUND: "CHORUS_E_NOT_FOUND"
    case CHORUS_E_UNKNOWN_TASK: "CHORUS_E_UNKNOWN_TASK"
    case CHORUS_E_BACKEND: "CHORUS_E_BACKEND"
    case CHORUS_E_TIMEOUT: "CHORUS_E_TIMEOUT"
    case CHORUS_E_TASK_FAILED: "CHORUS_E_TASK_FAILED"
    case CHORUS_E_INTERNAL: "CHORUS_E_INTERNAL"
    default: "unknown status"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("chorus_last_error")
public func cLastError(_ handle: UnsafeRawPointer?) -> UnsafePointer<CChar> {
    if let handle, let box = HandleTable.shared.any(handle) {
        return box.lastError ?? Empty.text
    }
    return ThreadError.current ?? Empty.text
}

@_cdecl("chorus_free")
public func cFree(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

@_cdecl("chorus_host_api")
public func cHostAPI() -> UnsafePointer<chorus_host> {
    TaskRegistry.hostTable
}

enum Empty {
    nonisolated(unsafe) static let text: UnsafePointer<CChar> = {
        let s: StaticString = ""
        return UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }()
}

/// Hands `text` to C as a string the caller frees with `chorus_free`.
func ownedCString(_ text: String, into out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws(APIError) {
    guard let copy = strdup(text) else { throw APIError(CHORUS_E_NOMEM, "out of memory copying \(text.utf8.count) bytes") }
    out.pointee = copy
}
