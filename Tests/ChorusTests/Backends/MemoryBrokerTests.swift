import Foundation
import Testing

@testable import Chorus

@Suite struct MemoryBrokerTests {
    func message(_ id: String, eta: Date? = nil) -> TaskMessage {
        TaskMessage(headers: TaskHeaders(task: "proj.add", id: id, eta: eta), args: [1, 2])
    }

    @Test func queuesAreFIFOAndCheckedInTheGivenOrder() throws {
        let broker = MemoryBackend(clock: ManualClock())
        for id in ["a1", "a2"] { try broker.publish(message(id), to: "a") }
        try broker.publish(message("b1"), to: "b")
        let ids = try (0..<3).map { _ in try broker.claim(from: ["b", "a"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(ids == ["b1", "a1", "a2"])
        #expect(try broker.claim(from: ["a", "b"], mode: .removeOnClaim, timeout: 0) == nil)
    }

    @Test func etaMessagesStayInvisibleUntilDueScaledFromPublishTime() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock, scale: TimeScale(0.01))
        try broker.publish(message("later", eta: clock.now.addingTimeInterval(60)), to: "q")
        try broker.publish(message("now"), to: "q")
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "now")
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
        #expect(broker.pendingCount(queue: "q") == 1)
        clock.advance(by: 0.6)  // 60 s at ×0.01
        let delivery = try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)
        #expect(delivery?.message.id == "later" && delivery?.message.headers.eta != nil)
    }

    @Test func aBlockedClaimWakesWhenTheManualClockReachesTheEta() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        try broker.publish(message("eta", eta: clock.now.addingTimeInterval(30)), to: "q")
        let got = Recorder<String>()
        let done = runOnThread {
            if let d = try? broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 3600) { got.append(d.message.id) }
        }
        #expect(clock.waitForWaiters(1))
        clock.advance(by: 29)
        #expect(!done.wait(seconds: 0.02))
        clock.advance(by: 1)
        #expect(done.wait(seconds: 10))
        #expect(got.values == ["eta"])
    }

    @Test func aBlockedClaimWakesOnPublish() throws {
        let broker = MemoryBackend()
        let got = Recorder<String>()
        let started = DispatchSemaphore(value: 0)
        let done = runOnThread {
            started.signal()
            if let d = try? broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 30) { got.append(d.message.id) }
        }
        #expect(started.wait(seconds: 10))
        try broker.publish(message("m"), to: "q")
        #expect(done.wait(seconds: 10))
        #expect(got.values == ["m"])
    }

    @Test func aLapsedLeaseRedeliversAtTheFrontWithAHigherCount() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        try broker.publish(message("m1"), to: "q")
        try broker.publish(message("m2"), to: "q")
        let first = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0))
        #expect(first.message.id == "m1" && first.deliveryCount == 1 && !first.redelivered)
        clock.advance(by: 31)  // the worker holding m1 is presumed lost
        let again = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0))
        #expect(again.message.id == "m1" && again.deliveryCount == 2 && again.redelivered && again.tag != first.tag)
        #expect(try broker.ack(first) == false)  // the old lease is gone
        #expect(try broker.ack(again))
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0)?.message.id == "m2")
    }

    @Test func settledLeasesDoNotPileUpAndLiveOnesStillLapse() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        for i in 0..<5_000 { try broker.publish(message("m\(i)"), to: "q") }
        var held: [Delivery] = []
        for _ in 0..<5_000 { held.append(try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 60), timeout: 0))) }
        // Settle all but ten (acks, a reject, extensions): dead heap entries are dropped along the way.
        for d in held[10..<4_000] { #expect(try broker.ack(d)) }
        #expect(try broker.reject(held[4_000], requeue: false))
        for d in held[4_001...] { #expect(try broker.extendLease(d, seconds: 60)); #expect(try broker.ack(d)) }
        let (heapSize, live) = try broker.withBroker { ($0.leases.count, $0.inFlight.count) }
        #expect(live == 10)
        #expect(heapSize <= 2 * live + 1_024)
        // The ten unsettled leases still lapse and are redelivered, in claim order.
        clock.advance(by: 61)
        let again = try (0..<10).map { _ in try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(again == (0..<10).map { "m\($0)" })
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
    }

    @Test func extendingALeaseKeepsTheMessageInvisible() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        try broker.publish(message("long"), to: "q")
        let d = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        clock.advance(by: 8)
        #expect(try broker.extendLease(d, seconds: 10))
        clock.advance(by: 8)
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0) == nil)
        clock.advance(by: 3)
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0)?.deliveryCount == 2)
    }

    @Test func aDeliveryRebuiltFromItsTagSettlesAndAForeignTagSettlesNothing() throws {
        let broker = MemoryBackend(clock: ManualClock())
        for id in ["m1", "m2"] { try broker.publish(message(id), to: "q") }
        let d1 = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        let d2 = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        #expect(d1.tag != d2.tag)
        func rebuilt(_ d: Delivery, tag: String) -> Delivery {
            Delivery(tag: tag, message: d.message, queue: d.queue, deliveryCount: d.deliveryCount,
                     redelivered: d.redelivered, leaseDeadline: d.leaseDeadline)
        }
        for foreign in ["", "d", "x1", "d-1", "d18446744073709551616", UUID().uuidString] {
            #expect(try broker.ack(rebuilt(d1, tag: foreign)) == false, "tag \(foreign)")
        }
        #expect(try broker.ack(rebuilt(d1, tag: d1.tag)))
        #expect(try broker.ack(d1) == false)
        #expect(try broker.extendLease(rebuilt(d2, tag: d2.tag), seconds: 10))
        #expect(try broker.ack(d2))
    }

    @Test func rejectDropsOrRequeuesAtTheBack() throws {
        let broker = MemoryBackend(clock: ManualClock())
        for id in ["m1", "m2", "m3"] { try broker.publish(message(id), to: "q") }
        let d1 = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        let d2 = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        #expect(try broker.reject(d1, requeue: true))
        #expect(try broker.reject(d2, requeue: false))
        #expect(try broker.reject(d2, requeue: true) == false)
        let rest = try (0..<3).map { _ in try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(rest == ["m3", "m1", nil])
    }

    @Test func aPrefetchTakesSeveralUncountedUntilBegun() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        for id in ["m1", "m2", "m3"] { try broker.publish(message(id), to: "q") }
        let batch = try broker.prefetch(from: ["q"], leaseSeconds: 30, limit: 2, timeout: 0)
        #expect(batch.map(\.message.id) == ["m1", "m2"])
        #expect(batch.allSatisfy { $0.deliveryCount == 1 && !$0.redelivered && $0.leaseDeadline != nil })
        #expect(try broker.begin(batch[0], leaseSeconds: 30))
        // m2 was never begun: when its holder is lost it comes back with its
        // count unchanged, and the old holder can no longer begin it.
        clock.advance(by: 31)
        let again = try broker.prefetch(from: ["q"], leaseSeconds: 30, limit: 5, timeout: 0)
        #expect(try broker.begin(batch[1], leaseSeconds: 30) == false)
        #expect(again.map(\.message.id) == ["m1", "m2", "m3"])
        #expect(again.map(\.deliveryCount) == [2, 1, 1])
        #expect(again.map(\.redelivered) == [true, true, false])
    }

    @Test func releasedPrefetchesGoBackToTheFrontInOrder() throws {
        let broker = MemoryBackend(clock: ManualClock())
        for id in ["m1", "m2", "m3", "m4"] { try broker.publish(message(id), to: "q") }
        let batch = try broker.prefetch(from: ["q"], leaseSeconds: 30, limit: 3, timeout: 0)
        #expect(try broker.ack(batch[0]))
        try broker.release(Array(batch[1...]) + [batch[0]])  // an acked one is skipped
        let rest = try broker.prefetch(from: ["q"], leaseSeconds: 30, limit: 10, timeout: 0)
        #expect(rest.map(\.message.id) == ["m2", "m3", "m4"])
        #expect(rest.map(\.deliveryCount) == [1, 1, 1])
        #expect(try broker.withBroker { $0.inFlight.count } == 3)
    }

    @Test func aBatchIsPublishedInOrderWithItsEtas() throws {
        let clock = ManualClock()
        let broker = MemoryBackend(clock: clock)
        try broker.publish([
            (message("a1"), "a"), (message("later", eta: clock.now.addingTimeInterval(5)), "a"), (message("b1"), "b"),
            (message("a2"), "a"),
        ])
        let now = try broker.prefetch(from: ["a", "b"], leaseSeconds: 30, limit: 10, timeout: 0)
        #expect(now.map(\.message.id) == ["a1", "a2", "b1"])
        clock.advance(by: 5)
        #expect(try broker.claim(from: ["a"], mode: .removeOnClaim, timeout: 0)?.message.id == "later")
        try broker.publish([])  // nothing to do, not an error
        broker.closeBroker()
        #expect(throws: ChorusError.self) { try broker.publish([(message("late"), "a")]) }
    }

    @Test func closingWakesClaimersAndRefusesPublishes() throws {
        let broker = MemoryBackend()
        let started = DispatchSemaphore(value: 0)
        let done = runOnThread {
            started.signal()
            _ = try? broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 60)
        }
        #expect(started.wait(seconds: 10))
        broker.closeBroker()
        #expect(done.wait(seconds: 10))
        #expect(throws: ChorusError(.invalidState, "")) { try broker.publish(message("x"), to: "q") }
    }
}
