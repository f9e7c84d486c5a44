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
