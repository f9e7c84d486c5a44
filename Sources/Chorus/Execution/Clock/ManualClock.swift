import Foundation

/// A clock that only moves when a test calls `advance`: the "test clock".
///
/// Waiters blocked in `wait(until:on:)` are woken synchronously by `advance`
/// (every registered condition is broadcast before `advance` returns), so a
/// test that advances past a deadline knows the waiting thread has been told.
/// Pair it with `Scheduler.waitUntilNoDueWork()` to know the due work has run.
public final class ManualClock: RuntimeClock {
    private struct State {
        var wall: Date
        var monotonic: MonotonicInstant
        /// Conditions of threads currently waiting, with how many wait on each.
        var waiters: [ObjectIdentifier: (condition: NSCondition, count: Int)] = [:]
    }

    private let state: LockProtected<State>

    /// Starts at `start` wall time (default 2026-01-01T00:00:00Z) and an
    /// arbitrary non-zero monotonic instant.
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        state = LockProtected(State(wall: start, monotonic: MonotonicInstant(nanoseconds: 1_000_000_000_000)))
    }

    public var now: Date { state.withLock { $0.wall } }

    public var monotonicNow: MonotonicInstant { state.withLock { $0.monotonic } }

    /// Moves both wall and monotonic time forward by `seconds` (must be >= 0)
    /// and wakes every waiter.
    public func advance(by seconds: Double) {
        precondition(seconds >= 0, "ManualClock cannot go backwards")
        let conditions = state.withLock { s -> [NSCondition] in
            s.wall = s.wall.addingTimeInterval(seconds)
            s.monotonic = s.monotonic.advanced(bySeconds: seconds)
            return s.waiters.values.map(\.condition)
        }
        for condition in conditions {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Moves time forward to the monotonic `instant` (no-op if already past it).
    public func advance(to instant: MonotonicInstant) {
        let delta = instant.seconds(since: monotonicNow)
        if delta > 0 { advance(by: delta) }
    }

    public func wait(until deadline: MonotonicInstant, on condition: NSCondition) {
        // Register under the clock's lock and re-check the time there: an
        // `advance` either happened before (we return) or will see us
        // registered and broadcast `condition`, which it can only lock once we
        // are inside `condition.wait()`, so no wake-up is lost.
        let key = ObjectIdentifier(condition)
        let alreadyDue = state.withLock { s -> Bool in
            if s.monotonic >= deadline { return true }
            s.waiters[key, default: (condition, 0)].count += 1
            return false
        }
        if alreadyDue { return }
        condition.wait()
        state.withLock { s in
            guard let entry = s.waiters[key] else { return }
            if entry.count <= 1 { s.waiters[key] = nil } else { s.waiters[key]!.count -= 1 }
        }
    }
}
