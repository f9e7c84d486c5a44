import Foundation

/// The Swift object behind one C handle: what the handle wraps, plus the
/// handle's last error message.
///
/// `@unchecked Sendable`: the only mutable state of this base class is the
/// message, read and written under `lock`; subclasses document their own.
class HandleBox: @unchecked Sendable {
    /// The C type name, for messages ("chorus_runtime").
    class var kind: String { "handle" }

    private let lock = NSLock()
    /// The most recent failure on this handle, as C text owned by the box.
    private var message: UnsafeMutablePointer<CChar>?

    deinit {
        free(message)
    }

    func setLastError(_ text: String) {
        let copy = strdup(text)
        lock.lock()
        let old = message
        message = copy
        lock.unlock()
        free(old)
    }

    /// The message, borrowed until the next failure on this handle.
    var lastError: UnsafePointer<CChar>? {
        lock.lock()
        defer { lock.unlock() }
        return message.map { UnsafePointer($0) }
    }
}
