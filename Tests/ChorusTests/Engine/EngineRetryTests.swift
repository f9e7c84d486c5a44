import Foundation
import Testing
@testable import Chorus

/// Retries (semantics notes §4.1–4.3): attempt counts, attempt history, the
/// same id across attempts, per-call overrides, and Celery's backoff bounds.
@Suite struct EngineRetryTests {
    /// Registers `name`, which records the retry count it sees and then fails
    /// (or asks for a retry) every time.
    static func alwaysFailing(
        _ registry: TaskRegistry, name: String, options: TaskOptions, seen: Recorder<Int>,
        _ outcome: @escaping @Sendable (Int) -> any Error
    ) throws {
        try registry.register(name: name, signature: "int64 ()", options: options) { _, context in
            seen.append(context.request.retries)
            throw outcome(context.request.retries)
        }
    }

    @Test func autoretryRunsMaxRetriesPlusOneTimesThenFails() throws {
        let registry = try EngineHarness.registry()
        let seen = Recorder<Int>()
        try Self.alwaysFailing(
            registry, name: "down", options: TaskOptions(maxRetries: 3, autoretry: true, defaultRetryDelay: 5), seen: seen
        ) { TaskFailure("down #\($0 + 1)") }
        let rt = try EngineHarness.runtime(registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "down()")
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }

        #expect(seen.values == [0, 1, 2, 3])
        let meta = try #require(result.meta)
        #expect(meta.state == .failure)
        #expect(meta.error?.message == "down #4")
        #expect(meta.retries == 3)
        let attempts = try rt.store.attempts(forTask: result.id)
        #expect(attempts.map(\.state) == [.retry, .retry, .retry, .failure])
        #expect(attempts.map(\.attempt) == [1, 2, 3, 4])
        #expect(attempts.map(\.nextCountdown) == [5, 5, 5, nil])
        #expect(attempts.map(\.errorMessage) == ["down #1", "down #2", "down #3", "down #4"])
        #expect(Set(attempts.map(\.taskID)) == [result.id])
        // Every retry is sent by the attempt before it (Celery: parent_id = the task's own id).
        #expect(attempts.map(\.parentID) == [nil, result.id, result.id, result.id])
    }

    @Test func explicitRetryHonoursMaxRetriesAndItsCountdown() throws {
        let registry = try EngineHarness.registry()
        let seen = Recorder<Int>()
        try Self.alwaysFailing(registry, name: "again", options: TaskOptions(maxRetries: 2), seen: seen) { _ in
            TaskRetry(countdown: 7, message: "not yet")
        }
        let rt = try EngineHarness.runtime(registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "again()")
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(seen.values == [0, 1, 2])
        let attempts = try rt.store.attempts(forTask: result.id)
        #expect(attempts.map(\.state) == [.retry, .retry, .failure])
        #expect(attempts.map(\.attempt) == [1, 2, 3])
        #expect(attempts.map(\.nextCountdown) == [7, 7, nil])
        #expect(result.meta?.error?.message == "not yet")
    }

    @Test func explicitRetryWithoutAReasonEndsInMaxRetriesExceeded() throws {
        let registry = try EngineHarness.registry()
        let seen = Recorder<Int>()
        try Self.alwaysFailing(registry, name: "again", options: TaskOptions(maxRetries: 1), seen: seen) { _ in TaskRetry(countdown: 0) }
        let rt = try EngineHarness.runtime(registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "again()")
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(seen.values == [0, 1])
        #expect(result.meta?.error?.type == "MaxRetriesExceededError")
    }

    @Test func permanentFailureAndDisabledAutoretrySkipRetries() throws {
        let registry = try EngineHarness.registry()
        let permanentSeen = Recorder<Int>()
        try Self.alwaysFailing(registry, name: "broken", options: TaskOptions(maxRetries: 5, autoretry: true), seen: permanentSeen) { _ in
            TaskFailure("bad input", retryable: false)
        }
        let plainSeen = Recorder<Int>()
        try Self.alwaysFailing(registry, name: "plain", options: TaskOptions(maxRetries: 5, autoretry: false), seen: plainSeen) { _ in
            TaskFailure("transient")
        }
        let rt = try EngineHarness.runtime(registry)
        defer { rt.shutdown() }
        let broken = try rt.apply(syntax: "broken()")
        let plain = try rt.apply(syntax: "plain()")
        #expect(throws: ChorusError.self) { try broken.wait(timeout: 10) }
        #expect(throws: ChorusError.self) { try plain.wait(timeout: 10) }
        #expect(permanentSeen.values == [0])
        #expect(plainSeen.values == [0])
        #expect(try rt.store.attempts(forTask: broken.id).map(\.state) == [.failure])
        #expect(try rt.store.attempts(forTask: plain.id).map(\.state) == [.failure])
        // A C task failing with fail_permanent: one run too.
        let native = try rt.apply(syntax: "add(9223372036854775807, 1)")
        #expect(throws: ChorusError.self) { try native.wait(timeout: 10) }
        #expect(try rt.store.attempts(forTask: native.id).map(\.state) == [.failure])
    }

    @Test func perSignatureOverridesOfMaxRetriesAndAutoretry() throws {
        let registry = try EngineHarness.registry()
        let seen = Recorder<Int>()
        try Self.alwaysFailing(
            registry, name: "down", options: TaskOptions(maxRetries: 5, autoretry: true, defaultRetryDelay: 1), seen: seen
        ) { _ in TaskFailure("down") }
        let rt = try EngineHarness.runtime(registry, concurrency: 1)
        defer { rt.shutdown() }

        let fewer = try rt.apply(json: #"{"task":"down","args":[],"kwargs":{},"options":{"max_retries":1},"subtask_type":null,"immutable":false}"#)
        #expect(throws: ChorusError.self) { try fewer.wait(timeout: 10) }
        #expect(try rt.store.attempts(forTask: fewer.id).map(\.state) == [.retry, .failure])

        let off = try rt.apply(json: #"{"task":"down","args":[],"kwargs":{},"options":{"autoretry":false},"subtask_type":null,"immutable":false}"#)
        #expect(throws: ChorusError.self) { try off.wait(timeout: 10) }
        #expect(try rt.store.attempts(forTask: off.id).map(\.state) == [.failure])

        // flaky (max_retries 5 in its descriptor) allowed only 1 retry: flaky(3) cannot make it.
        let flaky = try rt.apply(json: #"{"task":"flaky","args":[3],"kwargs":{},"options":{"max_retries":1},"subtask_type":null,"immutable":false}"#)
        #expect(throws: ChorusError.self) { try flaky.wait(timeout: 10) }
        #expect(try rt.store.attempts(forTask: flaky.id).map(\.state) == [.retry, .failure])
        #expect(flaky.meta?.error?.message == "flaky failure 2 of 3")

        // Unlimited (JSON null) on a task that allows none by default.
        let noneByDefault = Recorder<Int>()
        try registry.register(name: "needs_three", signature: "int64 ()", options: TaskOptions(maxRetries: 0, autoretry: true, defaultRetryDelay: 1)) { _, context in
            noneByDefault.append(context.request.retries)
            if context.request.retries < 3 { throw TaskFailure("not yet") }
            return .i(context.request.retries)
        }
        let unlimited = try rt.apply(json: #"{"task":"needs_three","args":[],"kwargs":{},"options":{"max_retries":null},"subtask_type":null,"immutable":false}"#)
        #expect(try unlimited.wait(timeout: 10) == 3)
        #expect(noneByDefault.values == [0, 1, 2, 3])
    }

    @Test func backoffWithoutJitterIsExact() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // flaky: backoff factor 1, cap 60, jitter on in its descriptor; jitter turned off per call.
        let plain = try rt.apply(json: #"{"task":"flaky","args":[5],"kwargs":{},"options":{"retry_jitter":false},"subtask_type":null,"immutable":false}"#)
        #expect(try plain.wait(timeout: 10) == 5)
        #expect(try rt.store.attempts(forTask: plain.id).map(\.nextCountdown) == [1, 2, 4, 8, 16, nil])

        // Factor 3 (a float is truncated), cap 10.
        let capped = try rt.apply(json: #"{"task":"flaky","args":[4],"kwargs":{},"options":{"retry_jitter":false,"retry_backoff":3.9,"retry_backoff_max":10},"subtask_type":null,"immutable":false}"#)
        #expect(try capped.wait(timeout: 10) == 4)
        #expect(try rt.store.attempts(forTask: capped.id).map(\.nextCountdown) == [3, 6, 10, 10, nil])
        #expect(try rt.store.attempts(forTask: capped.id).map(\.state) == [.retry, .retry, .retry, .retry, .success])
    }

    @Test func jitteredBackoffStaysWithinCeleryBoundsAndFollowsTheSeed() throws {
        func countdowns(seed: UInt64) throws -> [Double] {
            let rt = try EngineHarness.runtime(EngineHarness.registry(), concurrency: 1, random: SeededRandomSource(seed: seed))
            defer { rt.shutdown() }
            let result = try rt.apply(json: #"{"task":"flaky","args":[5],"kwargs":{},"options":{"retry_backoff":4,"retry_backoff_max":40},"subtask_type":null,"immutable":false}"#)
            #expect(try result.wait(timeout: 10) == 5)
            let attempts = try rt.store.attempts(forTask: result.id)
            #expect(attempts.map(\.state) == [.retry, .retry, .retry, .retry, .retry, .success])
            return attempts.dropLast().map { $0.nextCountdown ?? -1 }
        }
        let first = try countdowns(seed: 2026)
        #expect(first.count == 5)
        for (r, countdown) in first.enumerated() {
            let bound = Double(min(40, 4 << r))
            #expect(countdown >= 0 && countdown <= bound, "retry \(r): \(countdown) not in [0, \(bound)]")
            #expect(countdown == countdown.rounded(), "retry \(r): \(countdown) is not a whole number")
        }
        // Exactly what the policy draws from the same seed, and the same on a second run.
        let policy = RetryPolicy(autoretry: true, maxRetries: 5, retryBackoff: 4, retryBackoffMax: 40, retryJitter: true)
        let random = SeededRandomSource(seed: 2026)
        #expect(first == (0..<5).map { policy.countdown(forRetries: $0, random: random) })
        #expect(try countdowns(seed: 2026) == first)
    }
}
