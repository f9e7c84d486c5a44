import Foundation
import Testing

@testable import Chorus

@Suite struct SchedulerTests {
    @Test func dueWorkFiresInDeadlineOrderFIFOOnTies() {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = Recorder<String>()
        scheduler.schedule(afterSeconds: 3) { fired.append("a@3") }
        scheduler.schedule(afterSeconds: 1) { fired.append("b@1") }
        scheduler.schedule(afterSeconds: 2) { fired.append("c@2") }
        scheduler.schedule(afterSeconds: 1) { fired.append("d@1") }
        scheduler.schedule(afterSeconds: 10) { fired.append("e@10") }

        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values.isEmpty)
        clock.advance(by: 2)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["b@1", "d@1", "c@2"])
        clock.advance(by: 5)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["b@1", "d@1", "c@2", "a@3"])
        #expect(scheduler.pendingCount == 1)
    }

    @Test func cancelledWorkNeverFires() throws {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = Recorder<Int>()
        let keep = try #require(scheduler.schedule(afterSeconds: 1) { fired.append(1) })
        let drop = try #require(scheduler.schedule(afterSeconds: 1) { fired.append(2) })
        #expect(scheduler.cancel(drop))
        #expect(!scheduler.cancel(drop))
        clock.advance(by: 1)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == [1])
        #expect(!scheduler.cancel(keep))  // already ran
    }

    @Test func manyCancellationsCompactTheHeap() {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = Recorder<Int>()
        let tokens = (0..<200).compactMap { i in scheduler.schedule(afterSeconds: Double(i + 1)) { fired.append(i) } }
        for token in tokens where token.rawValue % 10 != 0 { scheduler.cancel(token) }
        #expect(scheduler.pendingCount == 20)
        clock.advance(by: 500)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == Array(stride(from: 0, to: 200, by: 10)))
    }

    @Test func workCanScheduleMoreWork() {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock)
        defer { scheduler.shutdown() }
        let fired = Recorder<String>()
        scheduler.schedule(afterSeconds: 1) {
            fired.append("first")
            scheduler.schedule(afterSeconds: 0) { fired.append("immediate") }
            scheduler.schedule(afterSeconds: 1) { fired.append("later") }
        }
        clock.advance(by: 1)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["first", "immediate"])
        clock.advance(by: 1)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["first", "immediate", "later"])
    }

    @Test func wallTimeEtaIsScaledFromNow() {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock, scale: TimeScale(0.01))
        defer { scheduler.shutdown() }
        let fired = Recorder<String>()
        scheduler.schedule(atWallTime: clock.now.addingTimeInterval(100)) { fired.append("eta+100") }
        scheduler.schedule(atWallTime: clock.now.addingTimeInterval(-5)) { fired.append("past") }
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["past"])
        clock.advance(by: 0.5)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["past"])
        clock.advance(by: 0.5)
        #expect(scheduler.waitUntilNoDueWork())
        #expect(fired.values == ["past", "eta+100"])
    }

    @Test func shutdownDropsPendingAndRefusesNewWork() {
        let scheduler = Scheduler(clock: ManualClock())
        scheduler.schedule(afterSeconds: 1) {}
        scheduler.schedule(afterSeconds: 2) {}
        #expect(scheduler.shutdown() == 2)
        #expect(scheduler.schedule(afterSeconds: 1) {} == nil)
        #expect(scheduler.shutdown() == 0)
    }

    @Test func workCanShutTheSchedulerDownWithoutDeadlock() {
        let clock = ManualClock()
        let scheduler = Scheduler(clock: clock)
        let result = LockProtected(-1)
        scheduler.schedule(afterSeconds: 1) { result.withLock { $0 = scheduler.shutdown() } }
        scheduler.schedule(afterSeconds: 2) {}
        clock.advance(by: 1)
        #expect(scheduler.waitUntilNoDueWork())  // returns once the item has begun shutting down
        scheduler.shutdown()  // waits for the thread, which exits after the item returns
        #expect(result.withLock { $0 } == 1)
    }

    @Test func systemClockWithScaleFiresAOneSecondTimerEarly() {
        let clock = SystemClock()
        let scheduler = Scheduler(clock: clock, scale: TimeScale(0.01))
        defer { scheduler.shutdown() }
        let fired = Recorder<String>()
        let done = DispatchSemaphore(value: 0)
        // An unscaled half-second deadline: the scaled 1 s timer (10 ms) is ordered before it.
        scheduler.schedule(at: clock.monotonicNow.advanced(bySeconds: 0.5)) {
            fired.append("real 0.5 s")
            done.signal()
        }
        scheduler.schedule(afterSeconds: 1) { fired.append("scaled 1 s") }
        #expect(done.wait(seconds: 10))
        #expect(fired.values == ["scaled 1 s", "real 0.5 s"])
    }
}
