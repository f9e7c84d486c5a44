import Foundation

/// How many messages an executor's next claim takes: `prefetch`, or more
/// while tasks drain fast — enough for about `window` seconds of work at the
/// pace the last claim was worked through, up to `burst`.
///
/// Each claim from a SQLite database is a write transaction of its own, and
/// with tasks of microseconds every fourth task paid one (a quarter more
/// write-lock turns). Claiming more only while tasks are that short keeps the
/// hoard to a few milliseconds of work: one slow claim (long tasks) falls
/// back to `prefetch` at once, so long tasks are shared out as before.
///
/// Real time (not the runtime's clock): it measures how fast this machine
/// works through messages, and a test's manual clock would stand still.
/// One per executor; a value type, not shared.
struct ClaimSizer {
    let prefetch: Int
    let burst: Int
    /// Seconds of work a burst claim aims to hold.
    static let window = 0.01

    private var last: (count: Int, at: UInt64)?

    init(prefetch: Int, burst: Int) {
        self.prefetch = prefetch
        self.burst = max(prefetch, burst)
    }

    /// The limit for a claim made now; `claimed` reports what it got.
    mutating func nextLimit(now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int {
        guard burst > prefetch, let last, last.count > 0 else { return prefetch }
        let elapsed = Double(now &- last.at) / 1e9
        // Worked through `last.count` in `elapsed`: how many fill the window?
        let wanted = elapsed > 0 ? Double(last.count) * Self.window / elapsed : Double(burst)
        return Int(min(Double(burst), max(Double(prefetch), wanted.rounded(.down))))
    }

    /// Records a claim that took `count` messages at `now`.
    mutating func claimed(_ count: Int, now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        last = (count, now)
    }
}
