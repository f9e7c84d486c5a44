import CSQLite
import Foundation

/// An `NSCondition` whose `lock` first waits a moment, spinning, while
/// another thread holds it, instead of going to sleep in the kernel at once.
///
/// The memory backend's locks are held for about a microsecond at a time,
/// and executors take them several times per task. A contended pthread mutex
/// puts the caller to sleep at once (a futex wait) and its holder pays a
/// system call to wake it: in a 10,000-member chord, executors spent a sixth
/// of their time doing that, and a core sat idle while they slept.
///
/// So `lock` spins first on `owner`, a hint word in front of the mutex
/// (test and test-and-set): a spinner that finds it 0 claims it with a
/// compare-and-swap and only then takes the mutex, so spinners do not pile
/// onto the mutex together (the ones that lose keep spinning instead of
/// sleeping). After a few hundred CPU pause hints (a few microseconds) a
/// spinner takes the mutex anyway. The hint never decides anything: the
/// mutex does, so a wrong read costs a spin or a sleep, never correctness.
///
/// Waiting goes through `wait(until:clock:)`, which clears the hint while
/// the condition's mutex is released. (Foundation's `NSCondition` cannot be
/// subclassed from outside it on Linux, hence a wrapper.)
///
/// Thread-safe. `@unchecked Sendable`: `owner` is only touched through
/// atomic operations, and `condition` is thread-safe.
final class SpinningCondition: @unchecked Sendable {
    let condition = NSCondition()
    /// 0 while no thread holds the lock (outside a wait), else a token of
    /// the thread that holds it or has claimed it.
    private let owner = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
    /// Spins before sleeping: well over one critical section here.
    private static let spins = 200

    init() { owner.initialize(to: 0) }

    deinit { owner.deallocate() }

    /// A nonzero word that differs between live threads (the low bits of
    /// `pthread_self`, an address): who set `owner`, so that `unlock` only
    /// clears its own claim.
    private static var token: UInt32 {
        #if canImport(Darwin)
        UInt32(truncatingIfNeeded: UInt(bitPattern: pthread_self())) | 1  // a pointer there
        #else
        UInt32(truncatingIfNeeded: pthread_self()) | 1  // an integer on Linux
        #endif
    }

    func lock() {
        let me = Self.token
        var spins = 0
        while spins < Self.spins {
            if chorus_shared_load(owner) == 0 && chorus_shared_cas(owner, 0, me) != 0 { break }
            chorus_spin_pause()
            spins += 1
        }
        condition.lock()
        chorus_shared_store(owner, me)
    }

    func unlock() {
        // The mutex first: a spinner that claims the hint next then finds
        // the mutex free instead of sleeping on it.
        condition.unlock()
        _ = chorus_shared_cas(owner, Self.token, 0)
    }

    /// Wakes every waiter. Safe with the lock held or not: a waiter checks
    /// its condition with the lock held before it waits, and waiting releases
    /// the lock atomically, so a change made under the lock and broadcast
    /// after it is never missed. The hot paths broadcast after unlocking: a
    /// waiter woken while the lock is still held goes back to sleep on the
    /// mutex at once, and its waker pays a second system call to wake it again.
    func broadcast() { condition.broadcast() }

    /// `clock.wait(until:on:)` with the lock held, as `NSCondition` waits.
    func wait(until deadline: MonotonicInstant, clock: any RuntimeClock) {
        let me = Self.token
        _ = chorus_shared_cas(owner, me, 0)
        clock.wait(until: deadline, on: condition)
        chorus_shared_store(owner, me)
    }
}
