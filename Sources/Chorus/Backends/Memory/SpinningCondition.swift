import CSQLite
import Foundation

/// An `NSCondition` whose `lock` first waits a moment, spinning, while
/// another thread holds it, instead of going to sleep in the kernel at once.
///
/// The memory backend's locks are held for about a microsecond at a time,
/// and executors take them several times per task. With a plain mutex, a
/// thread that found one held slept (a futex wait) and its holder paid a
/// system call to wake it: in a 10,000-member chord, executors spent a sixth
/// of their time doing that. Spinning a few microseconds at most first
/// (a few hundred CPU pause hints) mostly finds the lock free. The flag is only a hint read outside the
/// lock: a wrong read costs a spin or a sleep, never correctness, since the
/// mutex itself still decides.
///
/// Waiting goes through `wait(until:clock:)`, which clears the flag while
/// the condition's mutex is released. (Foundation's `NSCondition` cannot be
/// subclassed from outside it on Linux, hence a wrapper.)
///
/// Thread-safe. `@unchecked Sendable`: `held` is only touched through
/// atomic operations, and `condition` is thread-safe. `held` is only
/// written by the thread holding the mutex, so a plain atomic store keeps it
/// exact: an atomic add or subtract (a locked instruction) per lock and per
/// unlock cost more than the store.
final class SpinningCondition: @unchecked Sendable {
    let condition = NSCondition()
    /// 1 while a thread holds the lock (outside a wait), else 0.
    private let held = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
    /// Spins before sleeping: well over one critical section here.
    private static let spins = 200

    init() { held.initialize(to: 0) }

    deinit { held.deallocate() }

    func lock() {
        var spins = 0
        while chorus_shared_load(held) != 0 && spins < Self.spins {
            chorus_spin_pause()
            spins += 1
        }
        condition.lock()
        chorus_shared_store(held, 1)
    }

    func unlock() {
        chorus_shared_store(held, 0)
        condition.unlock()
    }

    func broadcast() { condition.broadcast() }

    /// `clock.wait(until:on:)` with the lock held, as `NSCondition` waits.
    func wait(until deadline: MonotonicInstant, clock: any RuntimeClock) {
        chorus_shared_store(held, 0)
        clock.wait(until: deadline, on: condition)
        chorus_shared_store(held, 1)
    }
}
