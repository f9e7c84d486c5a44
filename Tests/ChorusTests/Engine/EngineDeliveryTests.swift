import Foundation
import Testing
@testable import Chorus

/// Delivery: an early-ack task (Celery's default, at most once) must not run
/// twice when its lease lapsed between the claim and the ack — e.g. a stalled
/// executor on a loaded machine, with a lease scaled down by the time scale.
@Suite struct EngineDeliveryTests {
    /// A memory broker that, on the first claim of `stallOn`, lets the lease
    /// lapse and waits until another executor has claimed the redelivered
    /// copy before handing the (now stale) delivery out.
    final class StallingBroker: Broker, @unchecked Sendable {
        let inner: MemoryBackend
        let clock: ManualClock
        let stallOn: String
        private let lock = NSCondition()
        private var claims: [String: Int] = [:]
        private var stalled = false

        init(inner: MemoryBackend, clock: ManualClock, stallOn: String) {
            self.inner = inner
            self.clock = clock
            self.stallOn = stallOn
        }

        func publish(_ message: TaskMessage, to queue: String) throws(ChorusError) { try inner.publish(message, to: queue) }

        func claim(from queues: [String], mode: ClaimMode, timeout: Double) throws(ChorusError) -> Delivery? {
            guard let delivery = try inner.claim(from: queues, mode: mode, timeout: timeout) else { return nil }
            lock.lock()
            claims[delivery.message.id, default: 0] += 1
            lock.broadcast()
            let stallHere = delivery.message.headers.task == stallOn && !stalled
            if stallHere { stalled = true }
            lock.unlock()
            if stallHere, case .lease(let seconds) = mode {
                clock.advance(by: seconds + 1)  // the lease lapses while this executor is "stalled"
                lock.lock()
                let limit = Date().addingTimeInterval(5)
                while claims[delivery.message.id, default: 0] < 2, lock.wait(until: limit) {}
                lock.unlock()
            }
            return delivery
        }

        func ack(_ delivery: Delivery) throws(ChorusError) -> Bool { try inner.ack(delivery) }
        func reject(_ delivery: Delivery, requeue: Bool) throws(ChorusError) -> Bool { try inner.reject(delivery, requeue: requeue) }
        func extendLease(_ delivery: Delivery, seconds: Double) throws(ChorusError) -> Bool { try inner.extendLease(delivery, seconds: seconds) }

        func claimCount(_ id: String) -> Int { lock.lock(); defer { lock.unlock() }; return claims[id, default: 0] }
    }

    @Test func earlyAckTaskWhoseLeaseLapsedBeforeTheAckRunsOnce() throws {
        let registry = try EngineHarness.registry()
        let runs = Counter()
        try registry.register(name: "once", signature: "int64 ()") { _, _ in .i(runs.increment()) }
        let clock = ManualClock()
        let memory = MemoryBackend(clock: clock)
        let broker = StallingBroker(inner: memory, clock: clock, stallOn: "once")
        let rt = try Runtime(
            registry: registry, configuration: RuntimeConfiguration(concurrency: 2, clock: clock), broker: broker, store: memory,
            state: MemoryPluginStateStore())
        rt.start()
        defer {
            memory.closeBroker()
            rt.shutdown()
        }
        let result = try rt.apply(syntax: "once()")
        #expect(try result.wait(timeout: 10) == 1)
        #expect(broker.claimCount(result.id) == 2)  // the scenario happened: claimed, lapsed, claimed again
        usleep(100_000)  // the stale executor has long finished deciding by now
        #expect(runs.count == 1)
        #expect(try rt.store.attempts(forTask: result.id).map(\.state) == [.success])
    }
}
