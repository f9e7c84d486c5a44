import DequeModule
import Foundation

/// Deliveries this process claimed ahead (`Broker.prefetch`) and has not
/// started yet, shared by its executors: whichever executor is free next
/// takes the oldest, so one busy executor never sits on work another could run.
///
/// Each entry remembers when it was buffered, so the runtime can give back
/// what waited too long (`Runtime.releaseStalePrefetched`).
///
/// Thread-safe. `@unchecked Sendable`: `held` and `checkPending` are only
/// touched under `lock`.
final class PrefetchBuffer: @unchecked Sendable {
    private let lock = NSLock()
    /// A deque: executors take from the front one at a time (an array
    /// shifted every remaining entry on each take).
    @exclusivity(unchecked) private var held: Deque<(delivery: Delivery, since: MonotonicInstant)> = []
    @exclusivity(unchecked) private var checkPending = false

    var isEmpty: Bool {
        lock.lock()
        defer { lock.unlock() }
        return held.isEmpty
    }

    /// The oldest held delivery, removed.
    func pop() -> Delivery? {
        lock.lock()
        defer { lock.unlock() }
        return held.popFirst()?.delivery
    }

    /// Adds `deliveries` after those held. True when the caller should
    /// schedule a staleness check (none is pending).
    func append(_ deliveries: [Delivery], at now: MonotonicInstant) -> Bool {
        guard !deliveries.isEmpty else { return false }
        lock.lock()
        defer { lock.unlock() }
        for delivery in deliveries { held.append((delivery, now)) }
        if checkPending { return false }
        checkPending = true
        return true
    }

    /// Puts deliveries taken out back in front, in their order (a write
    /// batch failed, or one was left for the next). True when the caller
    /// should schedule a staleness check (none is pending).
    func putBack(_ deliveries: [Delivery], at now: MonotonicInstant) -> Bool {
        guard !deliveries.isEmpty else { return false }
        lock.lock()
        defer { lock.unlock() }
        held.prepend(contentsOf: deliveries.map { ($0, now) })
        if checkPending { return false }
        checkPending = true
        return true
    }

    /// Everything held, removed.
    func takeAll() -> [Delivery] {
        lock.lock()
        defer { lock.unlock() }
        defer { held.removeAll() }
        return held.map(\.delivery)
    }

    /// Removes what was buffered at or before `cutoff`. Also returns when the
    /// oldest remaining entry was buffered, for the next check; nil (and no
    /// check pending any more) when nothing remains.
    func takeStale(bufferedBy cutoff: MonotonicInstant) -> (stale: [Delivery], oldestLeft: MonotonicInstant?) {
        lock.lock()
        defer { lock.unlock() }
        let count = held.prefix { $0.since <= cutoff }.count
        let stale = held.prefix(count).map(\.delivery)
        held.removeFirst(count)
        let oldest = held.first?.since
        if oldest == nil { checkPending = false }
        return (stale, oldest)
    }
}
