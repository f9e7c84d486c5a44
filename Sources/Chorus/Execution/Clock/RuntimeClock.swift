import Foundation

/// Where the runtime gets "now" and how its threads wait for a deadline.
///
/// Named `RuntimeClock` so it does not shadow the standard library's `Clock`.
/// Everything that waits (the scheduler, the broker's blocking claim, result
/// waits) goes through `wait(until:on:)`, so a `ManualClock` can drive all of
/// them deterministically in tests.
///
/// Implementations are safe to call from any thread.
public protocol RuntimeClock: AnyObject, Sendable {
    /// Wall-clock time: what `eta`, `expires` and `date_done` are expressed in.
    var now: Date { get }

    /// Monotonic time: what deadlines are measured in.
    var monotonicNow: MonotonicInstant { get }

    /// Blocks the calling thread until `deadline` has passed on this clock or
    /// `condition` is signalled, whichever comes first.
    ///
    /// The caller must hold `condition`'s lock; it is released while waiting and
    /// held again on return. Like any condition wait this may return early, so
    /// callers re-check their predicate and the clock in a loop. Wakers change
    /// the predicate with the lock held and signal the same `condition`,
    /// with the lock held or just after releasing it: so a waiting clock must
    /// release the lock atomically with beginning to wait, as
    /// `NSCondition.wait` does.
    func wait(until deadline: MonotonicInstant, on condition: NSCondition)
}

extension RuntimeClock {
    /// Seconds since the Unix epoch, as Celery's events and timestamps use.
    public var secondsSinceEpoch: Double { now.timeIntervalSince1970 }

    /// Blocks the calling thread until `seconds` have passed on this clock.
    /// The seconds are taken literally; apply a `TimeScale` before calling.
    public func sleep(seconds: Double) {
        let deadline = monotonicNow.advanced(bySeconds: seconds)
        let condition = NSCondition()
        condition.lock()
        defer { condition.unlock() }
        while monotonicNow < deadline {
            wait(until: deadline, on: condition)
        }
    }
}
