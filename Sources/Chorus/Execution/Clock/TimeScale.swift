import Foundation

/// A factor applied to every wait the runtime performs, so a demo or a test
/// suite can run "180 s retry delays" in 1.8 s (factor 0.01).
///
/// What is scaled:
/// - relative delays: countdowns, retry delays, lease/visibility and heartbeat
///   intervals (`interval(_:)`);
/// - absolute wall times (`eta`, `expires`): the distance from the moment the
///   runtime receives the time (when a message is published to the broker, or
///   when an eta is handed to the scheduler) to that time is scaled
///   (`deadline(forWallTime:clock:)`). A retry with countdown 60 therefore
///   carries the Celery-correct header `eta = now + 60 s` and becomes due
///   0.6 s later at factor 0.01. An eta already in the past is due at once.
///
/// What is not scaled: wall timestamps written into results and messages
/// (`date_done`, `eta` itself) and caller-facing timeouts such as "wait 5 s
/// for this result", which are literal.
public struct TimeScale: Sendable, Hashable, CustomStringConvertible {
    /// Real seconds per runtime second. 1 = real time; must be finite and > 0.
    public let factor: Double

    public init(_ factor: Double) {
        precondition(factor.isFinite && factor > 0, "time scale factor must be finite and > 0, got \(factor)")
        self.factor = factor
    }

    /// A factor that came from outside (a command line, a C caller): refused
    /// with a one-line error instead of trapping when it is not a positive number.
    public init(validating factor: Double) throws(ChorusError) {
        guard factor.isFinite && factor > 0 else {
            throw ChorusError(.invalidInput, "time scale must be a positive number such as 0.01 or 1, got \(factor)")
        }
        self.init(factor)
    }

    /// Real time.
    public static let realTime = TimeScale(1)

    /// The real seconds to wait for a runtime interval of `seconds`.
    public func interval(_ seconds: Double) -> Double { seconds * factor }

    /// The monotonic deadline for the wall time `wallTime`, scaled relative to
    /// the clock's current wall time. Past times map to "now".
    public func deadline(forWallTime wallTime: Date, clock: any RuntimeClock) -> MonotonicInstant {
        let (wallNow, monotonicNow) = (clock.now, clock.monotonicNow)
        let remaining = wallTime.timeIntervalSince(wallNow)
        return monotonicNow.advanced(bySeconds: max(0, interval(remaining)))
    }

    /// The monotonic deadline `seconds` of runtime time from now.
    public func deadline(afterSeconds seconds: Double, clock: any RuntimeClock) -> MonotonicInstant {
        clock.monotonicNow.advanced(bySeconds: max(0, interval(seconds)))
    }

    public var description: String { "×\(factor)" }
}
