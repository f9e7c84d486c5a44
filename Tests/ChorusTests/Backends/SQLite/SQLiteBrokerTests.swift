import Foundation
import Testing

@testable import Chorus

@Suite struct SQLiteBrokerTests {
    let dir = TemporaryDirectory()

    func open(_ clock: any RuntimeClock = ManualClock(), scale: TimeScale = .realTime) throws -> SQLiteBackend {
        try SQLiteBackend(path: dir.database, clock: clock, scale: scale)
    }

    @Test func messagesRoundTripExactlyInFIFOOrderAndQueueOrder() throws {
        let broker = try open()
        var kwargs = SQLiteFixtures.message("x").kwargs
        kwargs["z"] = ["nested": [1, 2.5, "ü\u{0}"]]
        var first = SQLiteFixtures.message("a1")
        first.kwargs = kwargs
        first.embed.chain = [["task": "proj.mul", "args": [2]]]
        try broker.publish(first, to: "a")
        try broker.publish(SQLiteFixtures.message("a2"), to: "a")
        try broker.publish(SQLiteFixtures.message("b1"), to: "b")
        let d1 = try #require(try broker.claim(from: ["b", "a"], mode: .removeOnClaim, timeout: 0))
        let d2 = try #require(try broker.claim(from: ["b", "a"], mode: .removeOnClaim, timeout: 0))
        let d3 = try #require(try broker.claim(from: ["b", "a"], mode: .removeOnClaim, timeout: 0))
        #expect([d1, d2, d3].map(\.message.id) == ["b1", "a1", "a2"])
        #expect(d2.message == first && d2.queue == "a" && d2.deliveryCount == 1 && !d2.redelivered)
        #expect(d2.message.bodyText == first.bodyText && d2.message.headers.json == first.headers.json)
        #expect(try broker.claim(from: ["a", "b"], mode: .removeOnClaim, timeout: 0) == nil)
    }

    @Test func aBatchIsQueuedInOrderAndAllOrNothing() throws {
        let broker = try open()
        try broker.publish([(SQLiteFixtures.message("a1"), "a"), (SQLiteFixtures.message("b1"), "b"), (SQLiteFixtures.message("a2"), "a")])
        #expect(throws: ChorusError.self) {
            try broker.publish([(SQLiteFixtures.message("a3"), "a"), (SQLiteFixtures.message("bad"), "")])
        }
        try broker.publish([])
        let ids = try (0..<4).map { _ in try broker.claim(from: ["a", "b"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(ids == ["a1", "a2", "b1", nil])  // nothing of the refused batch
    }

    @Test func messagesSurviveReopening() throws {
        do {
            let broker = try open()
            try broker.publish(SQLiteFixtures.message("kept"), to: "q")
            broker.close()
        }
        let again = try open()
        #expect(try again.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "kept")
    }

    @Test func etaMessagesStayInvisibleUntilTheirScaledDueTime() throws {
        let clock = ManualClock()
        let broker = try open(clock, scale: TimeScale(0.01))
        try broker.publish(SQLiteFixtures.message("later", eta: clock.now.addingTimeInterval(60)), to: "q")
        try broker.publish(SQLiteFixtures.message("now"), to: "q")
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "now")
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 1), timeout: 0) == nil)
        let counts = try broker.inspect().queues
        #expect(counts == [InspectReport.QueueCounts(queue: "q", queued: 0, scheduled: 1, running: 0)])
        clock.advance(by: 0.59)  // 59 s of the 60 s countdown at ×0.01
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
        clock.advance(by: 0.01)
        let delivery = try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)
        #expect(delivery?.message.id == "later" && delivery?.message.headers.eta != nil)
    }

    @Test func theDueTimeIsFixedByThePublisherSoAnotherProcessAgrees() throws {
        let clock = ManualClock()
        let publisher = try open(clock, scale: TimeScale(0.5))
        // The consumer has another scale; the stored absolute due time decides.
        let consumer = try SQLiteBackend(path: dir.database, clock: clock, scale: .realTime)
        try publisher.publish(SQLiteFixtures.message("eta", eta: clock.now.addingTimeInterval(10)), to: "q")
        clock.advance(by: 4.9)
        #expect(try consumer.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
        clock.advance(by: 0.1)
        #expect(try consumer.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "eta")
    }

    @Test func aLongCountdownIsNeverLeasedSoItNeverRunsTwice() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        try broker.publish(SQLiteFixtures.message("far", eta: clock.now.addingTimeInterval(3 * 3600)), to: "q")
        // Many short lease periods pass while it waits: nothing is delivered.
        for _ in 0..<10 {
            clock.advance(by: 600)
            #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 60), timeout: 0) == nil)
        }
        clock.advance(by: 3 * 3600)
        let delivery = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 60), timeout: 0))
        #expect(delivery.deliveryCount == 1 && !delivery.redelivered)
        #expect(try broker.ack(delivery))
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 60), timeout: 0) == nil)
    }

    @Test func aLapsedLeaseRedeliversAheadOfTheQueueAndTheOldTagIsDead() throws {
        let clock = ManualClock()
        let broker = try open(clock, scale: TimeScale(0.1))
        try broker.publish(SQLiteFixtures.message("m"), to: "q")
        let first = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0))
        #expect(first.deliveryCount == 1 && !first.redelivered && first.leaseDeadline != nil)
        try broker.publish(SQLiteFixtures.message("behind"), to: "q")
        clock.advance(by: 2.9)  // 29 s at ×0.1: still leased
        #expect(try broker.inspect().queues.first?.running == 1)
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0)?.message.id == "behind")
        clock.advance(by: 0.2)
        let second = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0))
        #expect(second.message.id == "m" && second.deliveryCount == 2 && second.redelivered && second.tag != first.tag)
        #expect(try broker.ack(first) == false)
        #expect(try broker.extendLease(first, seconds: 30) == false)
        #expect(try broker.reject(first, requeue: true) == false)
        #expect(try broker.ack(second))
        #expect(try broker.ack(second) == false)
    }

    @Test func extendLeaseKeepsTheMessageAndRejectRequeuesAtTheBack() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        try broker.publish(SQLiteFixtures.message("m"), to: "q")
        let d = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0))
        clock.advance(by: 8)
        #expect(try broker.extendLease(d, seconds: 10))
        clock.advance(by: 8)
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 10), timeout: 0) == nil)
        try broker.publish(SQLiteFixtures.message("other"), to: "q")
        #expect(try broker.reject(d, requeue: true))
        let ids = try (0..<2).map { _ in try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(ids == ["other", "m"])
    }

    @Test func rejectWithoutRequeueDropsAndRemoveOnClaimDeletes() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        try broker.publish(SQLiteFixtures.message("dropped"), to: "q")
        try broker.publish(SQLiteFixtures.message("removed"), to: "q")
        let d = try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 1), timeout: 0))
        #expect(try broker.reject(d, requeue: false))
        let removed = try #require(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0))
        #expect(removed.leaseDeadline == nil && removed.message.id == "removed")
        #expect(try broker.ack(removed) == false)  // nothing left to settle
        clock.advance(by: 3600)
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 1), timeout: 0) == nil)
        #expect(try broker.inspect().queues.isEmpty)
    }

    @Test func aBlockedClaimWakesOnPublishAndOnTheManualClock() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        try broker.publish(SQLiteFixtures.message("eta", eta: clock.now.addingTimeInterval(30)), to: "q")
        let got = Recorder<String>()
        let done = runOnThread {
            if let d = try? broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 3600) { got.append(d.message.id) }
        }
        #expect(clock.waitForWaiters(1))
        clock.advance(by: 30)
        #expect(done.wait(seconds: 10))
        #expect(got.values == ["eta"])

        let real = try SQLiteBackend(path: dir.file("real.db"))
        let done2 = runOnThread {
            if let d = try? real.claim(from: ["q"], mode: .removeOnClaim, timeout: 30) { got.append(d.message.id) }
        }
        Thread.sleep(forTimeInterval: 0.05)
        try real.publish(SQLiteFixtures.message("pub"), to: "q")
        #expect(done2.wait(seconds: 10))
        #expect(got.values == ["eta", "pub"])
    }

    @Test func aClaimOnAnEmptyQueueWaitsItsTimeoutWithoutSpinning() throws {
        let broker = try SQLiteBackend(path: dir.database)
        let start = Date()
        #expect(try broker.claim(from: ["q"], mode: .removeOnClaim, timeout: 0.3) == nil)
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.29 && waited < 2)
    }

    @Test func anotherBackendOnTheFileSeesPublishesByPolling() throws {
        let a = try SQLiteBackend(path: dir.database)
        let b = try SQLiteBackend(path: dir.database)
        let got = Recorder<String>()
        let done = runOnThread {
            if let d = try? b.claim(from: ["q"], mode: .removeOnClaim, timeout: 30) { got.append(d.message.id) }
        }
        Thread.sleep(forTimeInterval: 0.1)
        let sent = Date()
        try a.publish(SQLiteFixtures.message("x"), to: "q")
        #expect(done.wait(seconds: 10))
        #expect(Date().timeIntervalSince(sent) < 1)
        #expect(got.values == ["x"])
    }

    @Test func aPrefetchTakesSeveralInClaimOrderAcrossQueues() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        for id in ["a1", "a2"] { try broker.publish(SQLiteFixtures.message(id), to: "a") }
        for id in ["b1", "b2"] { try broker.publish(SQLiteFixtures.message(id), to: "b") }
        let lapsing = try #require(try broker.claim(from: ["b"], mode: .lease(seconds: 5), timeout: 0))
        clock.advance(by: 6)
        let batch = try broker.prefetch(from: ["b", "a"], leaseSeconds: 30, limit: 3, timeout: 0)
        // The lapsed lease first, then its queue's waiting message, then the next queue.
        #expect(batch.map(\.message.id) == ["b1", "b2", "a1"])
        #expect(batch.map(\.queue) == ["b", "b", "a"])
        #expect(batch[0].redelivered && batch[0].deliveryCount == 2 && batch[0].tag != lapsing.tag)
        #expect(batch.allSatisfy { $0.leaseDeadline != nil })
        #expect(try broker.inspect().queues.map(\.running) == [1, 2])
        #expect(try broker.prefetch(from: ["a"], leaseSeconds: 30, limit: 5, timeout: 0).map(\.message.id) == ["a2"])
        #expect(try broker.prefetch(from: ["a", "b"], leaseSeconds: 30, limit: 5, timeout: 0).isEmpty)
    }

    @Test func aPrefetchedMessageCountsAsADeliveryOnlyOnceBegun() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        try broker.publish(SQLiteFixtures.message("m"), to: "q")
        let held = try #require(try broker.prefetch(from: ["q"], leaseSeconds: 10, limit: 4, timeout: 0).first)
        #expect(held.deliveryCount == 1 && !held.redelivered)
        // Its holder dies before starting it: the lease lapses, the count stays.
        clock.advance(by: 11)
        let again = try #require(try broker.prefetch(from: ["q"], leaseSeconds: 10, limit: 4, timeout: 0).first)
        #expect(again.deliveryCount == 1 && again.redelivered)
        #expect(try broker.begin(held, leaseSeconds: 10) == false)  // its lease went to `again`
        // Begun, then lost: now it counts.
        #expect(try broker.begin(again, leaseSeconds: 10))
        clock.advance(by: 11)
        let third = try #require(try broker.prefetch(from: ["q"], leaseSeconds: 10, limit: 4, timeout: 0).first)
        #expect(third.deliveryCount == 2)
        // `begin` renews the lease like `extendLease`.
        #expect(try broker.begin(third, leaseSeconds: 10))
        clock.advance(by: 8)
        #expect(try broker.begin(third, leaseSeconds: 10))
        clock.advance(by: 8)
        #expect(try broker.prefetch(from: ["q"], leaseSeconds: 10, limit: 4, timeout: 0).isEmpty)
        #expect(try broker.ack(third))
    }

    @Test func releaseGivesUnstartedMessagesBackAtTheFrontUncounted() throws {
        let clock = ManualClock()
        let broker = try open(clock)
        for id in ["a", "b", "c"] { try broker.publish(SQLiteFixtures.message(id), to: "q") }
        let held = try broker.prefetch(from: ["q"], leaseSeconds: 60, limit: 2, timeout: 0)
        #expect(held.map(\.message.id) == ["a", "b"])
        try broker.publish(SQLiteFixtures.message("d"), to: "q")
        try broker.release(held)
        #expect(try broker.inspect().queues == [InspectReport.QueueCounts(queue: "q", queued: 4, scheduled: 0, running: 0)])
        #expect(try broker.ack(held[0]) == false)  // no longer leased
        let order = try (0..<4).map { _ in try #require(try broker.claim(from: ["q"], mode: .lease(seconds: 60), timeout: 0)) }
        #expect(order.map(\.message.id) == ["a", "b", "c", "d"])
        #expect(order.map(\.deliveryCount) == [1, 1, 1, 1])
        try broker.release([held[1]])  // a stale delivery: nothing happens
        #expect(try broker.inspect().queues.first?.running == 4)
    }

    @Test func anUnreadableMessageIsSetAsideAndTheQueueGoesOn() throws {
        let broker = try open()
        try SQLiteFixtures.rawSQL(dir.database, """
            INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at)
            VALUES ('q', 'bad', 'proj.add', '{"task": 1}', '[[], {}]', 0, 0)
            """)
        try broker.publish(SQLiteFixtures.message("good"), to: "q")
        #expect { try broker.claim(from: ["q"], mode: .lease(seconds: 5), timeout: 0) } throws: { error in
            let e = error as? ChorusError
            return e?.code == .backend && e!.message.contains("set aside") && e!.message.contains(dir.database)
        }
        #expect(try broker.claim(from: ["q"], mode: .lease(seconds: 5), timeout: 0)?.message.id == "good")
        #expect(try broker.inspect().queues == [.init(queue: "q", queued: 0, scheduled: 0, running: 1, dead: 1)])
    }

    @Test func anUnreadableMessageInAPrefetchIsSetAsideAndTheOthersGoBack() throws {
        let broker = try open()
        try broker.publish(SQLiteFixtures.message("before"), to: "p")
        try SQLiteFixtures.rawSQL(dir.database, """
            INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at)
            VALUES ('p', 'bad', 'proj.add', '[', '[[], {}]', 0, 0)
            """)
        try broker.publish(SQLiteFixtures.message("after"), to: "p")
        #expect { try broker.prefetch(from: ["p"], leaseSeconds: 5, limit: 3, timeout: 0) } throws: { error in
            (error as? ChorusError)?.message.contains("set aside") == true
        }
        let rest = try broker.prefetch(from: ["p"], leaseSeconds: 5, limit: 3, timeout: 0)
        #expect(rest.map(\.message.id) == ["before", "after"])
        #expect(rest.map(\.deliveryCount) == [1, 1])
        #expect(try broker.inspect().queues == [.init(queue: "p", queued: 0, scheduled: 0, running: 2, dead: 1)])
    }
}
