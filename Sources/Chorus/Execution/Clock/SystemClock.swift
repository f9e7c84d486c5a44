import Foundation

/// The real clock: `Date()` for wall time and the system's monotonic clock
/// (`DispatchTime`, i.e. `CLOCK_MONOTONIC` / `mach_absolute_time`) for deadlines.
public final class SystemClock: RuntimeClock {
    /// Longest single condition wait. `NSCondition.wait(until:)` takes a wall
    /// `Date`, so a wall-clock jump could stretch one wait; capping it bounds
    /// that error. Callers loop on the monotonic deadline anyway.
    static let maximumSingleWait: Double = 1.0

    public init() {}

    /// One shared instance; the type has no state.
    public static let shared = SystemClock()

    public var now: Date { Date() }

    public var monotonicNow: MonotonicInstant {
        MonotonicInstant(nanoseconds: DispatchTime.now().uptimeNanoseconds)
    }

    public func wait(until deadline: MonotonicInstant, on condition: NSCondition) {
        if deadline == .distantFuture {
            condition.wait()
            return
        }
        let remaining = deadline.seconds(since: monotonicNow)
        guard remaining > 0 else { return }
        _ = condition.wait(until: Date().addingTimeInterval(min(remaining, Self.maximumSingleWait)))
    }
}
