import Foundation

@testable import Chorus

/// A thread-safe list the tests append to from scheduler, pool and helper threads.
final class Recorder<Element: Sendable>: Sendable {
    private let items = LockProtected<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var values: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// Runs `body` on a new thread; the returned semaphore is signalled when it returns.
@discardableResult
func runOnThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
        body()
        done.signal()
    }.start()
    return done
}

extension DispatchSemaphore {
    /// Waits up to `seconds` (generous; only a hang should hit it). True if signalled.
    func wait(seconds: Double) -> Bool { wait(timeout: .now() + seconds) == .success }
}
