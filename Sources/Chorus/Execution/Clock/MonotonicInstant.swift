import Foundation

/// A point on a clock that never jumps: nanoseconds since an arbitrary origin
/// fixed per clock. Deadlines are kept as instants so that changes to the wall
/// clock (NTP, DST, an operator) never make timers fire early or late.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The instant `seconds` later (earlier when negative), to the nearest
    /// nanosecond, saturating at the ends of the range.
    public func advanced(bySeconds seconds: Double) -> MonotonicInstant {
        guard seconds.isFinite else { return seconds > 0 ? .distantFuture : MonotonicInstant(nanoseconds: 0) }
        let delta = (seconds * 1e9).rounded()
        if delta >= 0 {
            if delta >= Double(UInt64.max - nanoseconds) { return .distantFuture }
            return MonotonicInstant(nanoseconds: nanoseconds + UInt64(delta))
        }
        let back = -delta
        if back >= Double(nanoseconds) { return MonotonicInstant(nanoseconds: 0) }
        return MonotonicInstant(nanoseconds: nanoseconds - UInt64(back))
    }

    /// Seconds from `other` to `self`; negative when `self` is earlier.
    public func seconds(since other: MonotonicInstant) -> Double {
        if nanoseconds >= other.nanoseconds { return Double(nanoseconds - other.nanoseconds) / 1e9 }
        return -Double(other.nanoseconds - nanoseconds) / 1e9
    }

    /// An instant no clock reaches: "never".
    public static let distantFuture = MonotonicInstant(nanoseconds: .max)

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}
