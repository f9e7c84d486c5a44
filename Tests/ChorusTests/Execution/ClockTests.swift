import Foundation
import Testing

@testable import Chorus

@Suite struct ClockTests {
    @Test func manualClockMovesWallAndMonotonicTimeTogether() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1000))
        let start = clock.monotonicNow
        clock.advance(by: 2.5)
        #expect(clock.now == Date(timeIntervalSince1970: 1002.5))
        #expect(clock.monotonicNow.seconds(since: start) == 2.5)
        clock.advance(to: start.advanced(bySeconds: 1))  // already past: no-op
        #expect(clock.monotonicNow.seconds(since: start) == 2.5)
    }

    @Test func manualClockWakesABlockedSleeper() {
        let clock = ManualClock()
        let woke = Recorder<Bool>()
        let deadline = clock.monotonicNow.advanced(bySeconds: 30)
        let done = runOnThread {
            let condition = NSCondition()
            condition.lock()
            while clock.monotonicNow < deadline { clock.wait(until: deadline, on: condition) }
            condition.unlock()
            woke.append(true)
        }
        #expect(clock.waitForWaiters(1))
        clock.advance(by: 10)
        #expect(!done.wait(seconds: 0.05))
        clock.advance(by: 20)
        #expect(done.wait(seconds: 10))
        #expect(woke.values == [true])
    }

    @Test func timeScaleShrinksIntervalsAndEtas() {
        let clock = ManualClock()
        let scale = TimeScale(0.01)
        #expect(scale.interval(180) == 1.8)
        let base = clock.monotonicNow
        #expect(scale.deadline(forWallTime: clock.now.addingTimeInterval(100), clock: clock).seconds(since: base) == 1)
        #expect(scale.deadline(forWallTime: clock.now.addingTimeInterval(-100), clock: clock) == base)
        #expect(scale.deadline(afterSeconds: 50, clock: clock).seconds(since: base) == 0.5)
    }

    @Test func monotonicInstantArithmeticSaturates() {
        let t = MonotonicInstant(nanoseconds: 5_000_000_000)
        #expect(t.advanced(bySeconds: -10).nanoseconds == 0)
        #expect(t.advanced(bySeconds: .infinity) == .distantFuture)
        #expect(t.advanced(bySeconds: 1e30) == .distantFuture)
        #expect(t.advanced(bySeconds: 1).seconds(since: t) == 1)
        #expect(t.seconds(since: t.advanced(bySeconds: 2)) == -2)
    }
}
