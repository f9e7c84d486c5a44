import Foundation

/// Wakes this process's pollers when a commit — by this backend object, or,
/// through the `DatabaseWatcher`, by any process — may have ended their wait.
///
/// `@unchecked Sendable`: `counter` is only touched with `condition` locked.
final class WakeSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var counter: UInt64 = 0

    var generation: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return counter
    }

    func notify() {
        condition.lock()
        counter &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps until `deadline` on `clock` unless the generation moved past `seen`.
    func wait(after seen: UInt64, until deadline: MonotonicInstant, clock: any RuntimeClock) {
        condition.lock()
        defer { condition.unlock() }
        if counter == seen { clock.wait(until: deadline, on: condition) }
    }
}
