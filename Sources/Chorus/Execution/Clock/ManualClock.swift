import Foundation

/// A clock that only moves when a test calls `advance`: the "test clock".
///
/// Waiters blocked in `wait(until:on:)` are woken synchronously by `advance`
/// (every registered condition is broadcast before `advance` returns), so a
/// test that advances past a deadline knows the waiting thread has been told.
/// Pair it with `Scheduler.waitUntilNoDueWork()` to know the due work has run.
public final class ManualClock: RuntimeClock, @unchecked Sendable {
    private struct State {
        var wall: Date
        var monotonic: MonotonicInstant
        /// Conditions of threads currently waiting, with how many wait on each.
        var waiters: [ObjectIdentifier: (condition: NSCondition, count: Int)] = [:]
    }

    // Invariant: `state` is only touched with `lock` held. `lock` is also
    // broadcast whenever a waiter registers, for `waitForWaiters`.
    private let lock = NSCondition()
    private var state: State

    /// Starts at `start` wall time (default 2026-01-01T00:00:00Z) and an
    /// arbitrary non-zero monotonic instant.
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        state = State(wall: start, monotonic: MonotonicInstant(nanoseconds: 1_000_000_000_000))
    }

    public var now: Date { withState { $0.wall } }

    public var monotonicNow: MonotonicInstant { withState { $0.monotonic } }

    /// Threads currently blocked in `wait(until:on:)` on this clock.
    public var waiterCount: Int { withState { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    /// Blocks until at least `count` threads wait on this clock, or `timeout`
    /// real seconds pass (false). Lets a test advance time only once the
    /// thread it is testing has computed its deadline and gone to sleep.
    @discardableResult
    public func waitForWaiters(_ count: Int = 1, timeout: Double = 10) -> Bool {
        let limit = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while state.waiters.values.reduce(0, { $0 + $1.count }) < count {
            if !lock.wait(until: limit) { return false }
        }
        return true
    }

    private func withState<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    /// Moves both wall and monotonic time forward by `seconds` (must be >= 0)
    /// and wakes every waiter.
    public func advance(by seconds: Double) {
        precondition(seconds >= 0, "ManualClock cannot go backwards")
        let conditions = withState { s -> [NSCondition] in
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
        let alreadyDue = withState { s -> Bool in
            if s.monotonic >= deadline { return true }
            s.waiters[key, default: (condition, 0)].count += 1
            lock.broadcast()
            return false
        }
        if alreadyDue { return }
        condition.wait()
        withState { s in
            guard let entry = s.waiters[key] else { return }
            if entry.count <= 1 { s.waiters[key] = nil } else { s.waiters[key]!.count -= 1 }
        }
    }
}
