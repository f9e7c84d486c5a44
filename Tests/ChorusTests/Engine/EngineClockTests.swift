import Foundation
import Testing
@testable import Chorus

/// countdown, eta, expires and retry delays under a test clock: nothing runs
/// before the clock reaches its time, and it runs once the clock gets there.
@Suite struct EngineClockTests {
    final class Fixture: Sendable {
        let clock = ManualClock()
        let runs = Recorder<String>()
        let runtime: Runtime

        init(concurrency: Int = 2) throws {
            let registry = try EngineHarness.registry()
            let runs = self.runs
            try registry.register(name: "mark", signature: "string (string label)") { args, _ in
                runs.append(args[0].stringValue!)
                return args[0]
            }
            try registry.register(name: "retry_in_30", signature: "int64 ()", options: TaskOptions(maxRetries: 3)) { _, context in
                runs.append("retry_in_30 #\(context.request.retries)")
                if context.request.retries == 0 { throw TaskRetry(countdown: 30, message: "later") }
                return .i(context.request.retries)
            }
            runtime = try EngineHarness.runtime(registry, concurrency: concurrency, scale: 1, clock: clock)
        }

        /// Advances the clock and gives the executors a moment (real time) to react.
        /// Only used to check that something does NOT happen: a correct engine
        /// never runs early, however long we wait.
        func advanceAndSettle(_ seconds: Double) {
            clock.advance(by: seconds)
            usleep(50_000)
        }

        func apply(_ json: String) throws -> AsyncResult { try runtime.apply(json: json) }

        static func mark(_ label: String, options: String) -> String {
            #"{"task":"mark","args":["\#(label)"],"kwargs":{},"options":{\#(options)},"subtask_type":null,"immutable":false}"#
        }
    }

    @Test func countdownIsHonoured() throws {
        let f = try Fixture()
        defer { f.runtime.shutdown() }
        let result = try f.apply(Fixture.mark("later", options: #""countdown":30"#))
        f.advanceAndSettle(0)
        f.advanceAndSettle(29)
        #expect(f.runs.values == [])
        #expect(result.state == .pending)
        f.clock.advance(by: 1)
        #expect(try result.wait(timeout: 10) == "later")
        #expect(f.runs.values == ["later"])
    }

    @Test func etaIsHonoured() throws {
        let f = try Fixture()
        defer { f.runtime.shutdown() }
        let eta = CeleryDate.format(f.clock.now.addingTimeInterval(45))
        let result = try f.apply(Fixture.mark("at eta", options: #""eta":"\#(eta)""#))
        let now = try f.apply(Fixture.mark("now", options: ""))
        #expect(try now.wait(timeout: 10) == "now")
        f.advanceAndSettle(44)
        #expect(f.runs.values == ["now"])
        #expect(result.state == .pending)
        f.clock.advance(by: 1)
        #expect(try result.wait(timeout: 10) == "at eta")
        #expect(f.runs.values == ["now", "at eta"])
    }

    @Test func waitTimesOutInRealTimeUnderATestClock() throws {
        let f = try Fixture()
        defer { f.runtime.shutdown() }
        let result = try f.apply(Fixture.mark("never now", options: #""countdown":60"#))
        let outcome = LockProtected<String>("still waiting")
        let done = runOnThread {
            do throws(ChorusError) {
                _ = try result.wait(timeout: 0.2)
                outcome.withLock { $0 = "returned" }
            } catch {
                outcome.withLock { $0 = error.code.rawValue }
            }
        }
        // AsyncResult.wait documents its timeout as real seconds; the test clock never moves here.
        #expect(done.wait(seconds: 5))
        #expect(outcome.withLock { $0 } == "timeout")
        #expect(f.runs.values == [])
    }

    @Test func expiredTaskIsRevokedAndNotRun() throws {
        let f = try Fixture()
        let events = EngineHarness.events(of: f.runtime)
        defer { f.runtime.shutdown() }
        // Due in 20 s but expires after 10 s: by the time it is delivered it has expired.
        let expired = try f.apply(Fixture.mark("expired", options: #""countdown":20,"expires":10"#))
        // Due in 20 s and expires after 100 s: runs.
        let fresh = try f.apply(Fixture.mark("fresh", options: #""countdown":20,"expires":100"#))
        f.clock.advance(by: 20)
        #expect(try fresh.wait(timeout: 10) == "fresh")
        do {
            _ = try expired.wait(timeout: 10)
            Issue.record("an expired task returned a result")
        } catch {
            #expect(error.code == .revoked)
        }
        #expect(f.runs.values == ["fresh"])
        let meta = try #require(expired.meta)
        #expect(meta.state == .revoked)
        #expect(meta.error?.type == "TaskRevokedError")
        #expect(meta.error?.message == "expired")
        #expect(try f.runtime.store.attempts(forTask: expired.id).map(\.state) == [.revoked])
        // The event follows the stored meta the waiter saw.
        #expect(EngineHarness.eventually { events.values.contains { $0.taskID == expired.id && $0.kind == .revoked } })
        #expect(events.values.filter { $0.taskID == expired.id }.map(\.kind) == [.sent, .revoked])
    }

    @Test func expiresAsAnAbsoluteTime() throws {
        let f = try Fixture()
        defer { f.runtime.shutdown() }
        let at = CeleryDate.format(f.clock.now.addingTimeInterval(5))
        let result = try f.apply(Fixture.mark("too late", options: #""countdown":6,"expires":"\#(at)""#))
        f.clock.advance(by: 6)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(result.state == .revoked)
        #expect(f.runs.values == [])
    }

    @Test func retryCountdownIsHonoured() throws {
        let f = try Fixture()
        defer { f.runtime.shutdown() }
        let result = try f.apply(#"{"task":"retry_in_30","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}"#)
        #expect(EngineHarness.eventually { f.runs.count == 1 })
        #expect(EngineHarness.eventually { result.state == .retry })
        f.advanceAndSettle(29)
        #expect(f.runs.values == ["retry_in_30 #0"])
        f.clock.advance(by: 1)
        #expect(try result.wait(timeout: 10) == 1)
        #expect(f.runs.values == ["retry_in_30 #0", "retry_in_30 #1"])
        #expect(try f.runtime.store.attempts(forTask: result.id).map(\.nextCountdown) == [30, nil])
    }
}
