import Foundation

/// A value guarded by an `NSLock`: the whole state of a thread-safe type in one
/// place, read and changed only inside `withLock`.
///
/// Used instead of `Synchronization.Mutex`, which needs macOS 15 while the
/// package supports macOS 14.
final class LockProtected<Value>: @unchecked Sendable {
    // Invariant: `value` is only touched while `lock` is held, so concurrent
    // callers never see it torn or race on it.
    private let lock = NSLock()
    @exclusivity(unchecked) private var value: Value  // only under `lock`

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
