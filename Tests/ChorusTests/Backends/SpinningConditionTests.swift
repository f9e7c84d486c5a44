import Foundation
import Testing

@testable import Chorus

/// The memory backend's lock: still a mutex under contention, and a waiter
/// is woken by a broadcast made under it.
@Suite struct SpinningConditionTests {
    final class Counter: @unchecked Sendable {
        let lock = SpinningCondition()
        var value = 0  // only under `lock`
    }

    @Test func contendedIncrementsAreNeverLost() async {
        let counter = Counter()
        let threads = 4, increments = 50_000
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<threads {
                group.addTask {
                    for _ in 0..<increments {
                        counter.lock.lock()
                        counter.value += 1
                        counter.lock.unlock()
                    }
                }
            }
        }
        #expect(counter.value == threads * increments)
    }

    @Test func aWaiterWakesOnABroadcastAndHoldsTheLockAgain() throws {
        let counter = Counter()
        let clock = SystemClock.shared
        let done = DispatchSemaphore(value: 0)
        let seen = LockProtected(-1)
        Thread.detachNewThread {
            counter.lock.lock()
            let giveUp = clock.monotonicNow.advanced(bySeconds: 10)
            while counter.value == 0 && clock.monotonicNow < giveUp {
                counter.lock.wait(until: giveUp, clock: clock)
            }
            let value = counter.value
            counter.value = 2  // still under the lock after the wait
            counter.lock.unlock()
            seen.withLock { $0 = value }
            done.signal()
        }
        usleep(20_000)
        counter.lock.lock()
        counter.value = 1
        counter.lock.broadcast()
        counter.lock.unlock()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(seen.withLock { $0 } == 1)
        counter.lock.lock()
        #expect(counter.value == 2)
        counter.lock.unlock()
    }
}
