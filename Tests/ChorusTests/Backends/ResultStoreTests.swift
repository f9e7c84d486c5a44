import Foundation
import Testing

@testable import Chorus

@Suite struct ResultStoreTests {
    @Test func successIsNeverOverwritten() throws {
        let store = MemoryBackend(clock: ManualClock())
        #expect(try store.result(for: "t") == nil)  // PENDING
        #expect(try store.store(ResultMeta(taskID: "t", state: .started)))
        #expect(try store.store(ResultMeta(taskID: "t", state: .success, result: 5)))
        #expect(try store.store(ResultMeta(taskID: "t", state: .failure, error: TaskErrorInfo(type: "Boom", message: "late"))) == false)
        #expect(try store.store(ResultMeta(taskID: "t", state: .retry)) == false)
        let meta = try #require(try store.result(for: "t"))
        #expect(meta.state == .success && meta.result == 5 && meta.dateDone != nil)
    }

    @Test func failureCanBeReplacedAndRetryHasNoDateDone() throws {
        let clock = ManualClock()
        let store = MemoryBackend(clock: clock)
        try store.store(ResultMeta(taskID: "t", state: .retry, error: TaskErrorInfo(type: "KeyError", message: "x")))
        #expect(try store.result(for: "t")?.dateDone == nil)
        try store.store(ResultMeta(taskID: "t", state: .failure, error: TaskErrorInfo(type: "KeyError", message: "x")))
        #expect(try store.result(for: "t")?.dateDone == clock.now)
        #expect(try store.store(ResultMeta(taskID: "t", state: .success, result: 1)))
    }

    @Test func metaEncodesWithCeleryKeys() {
        let failure = ResultMeta(
            taskID: "bbbbbbbb-0000-0000-0000-000000000001", state: .failure,
            error: TaskErrorInfo(type: "ValueError", message: "boom 7", module: "builtins"), traceback: "tb",
            dateDone: CeleryDate.parse("2026-11-26T05:04:08.281403+00:00"))
        #expect(failure.celeryJSON().serialized() == #"{"status":"FAILURE","result":{"exc_type":"ValueError","exc_message":["boom 7"],"exc_module":"builtins"},"traceback":"tb","children":[],"date_done":"2026-11-26T05:04:08.281403+00:00","task_id":"bbbbbbbb-0000-0000-0000-000000000001"}"#)
        let extended = ResultMeta(taskID: "e", state: .success, result: 5, parentID: "p", name: "proj.add", worker: "w3@cap", queue: "celery")
        #expect(extended.celeryJSON(extended: true).serialized() == #"{"status":"SUCCESS","result":5,"traceback":null,"children":[],"date_done":null,"parent_id":"p","name":"proj.add","worker":"w3@cap","retries":0,"queue":"celery","task_id":"e"}"#)
    }

    @Test func waitingForAResultWakesWhenItIsStored() throws {
        let store = MemoryBackend()
        let got = Recorder<TaskState>()
        let started = DispatchSemaphore(value: 0)
        let done = runOnThread {
            started.signal()
            if let meta = try? store.waitForReadyResult(for: "t", timeout: 30) { got.append(meta.state) }
        }
        #expect(started.wait(seconds: 10))
        try store.store(ResultMeta(taskID: "t", state: .started))
        try store.store(ResultMeta(taskID: "t", state: .success, result: "ok"))
        #expect(done.wait(seconds: 10))
        #expect(got.values == [.success])
    }

    @Test func waitingTimesOutOnTheStoresClock() throws {
        let clock = ManualClock()
        let store = MemoryBackend(clock: clock)
        let got = Recorder<Bool>()
        let deadlineReached = runOnThread {
            got.append((try? store.waitForReadyResult(for: "t", timeout: 5)) == nil)
        }
        #expect(clock.waitForWaiters(1))
        clock.advance(by: 4)
        #expect(!deadlineReached.wait(seconds: 0.02))
        clock.advance(by: 1)
        #expect(deadlineReached.wait(seconds: 10))
        #expect(got.values == [true])
        try store.store(ResultMeta(taskID: "t", state: .revoked))
        #expect(try store.waitForReadyResult(for: "t", timeout: 0)?.state == .revoked)
    }

    @Test func attemptHistoryIsQueryableByTaskAndByRoot() throws {
        let store = MemoryBackend(clock: ManualClock())
        func record(_ task: String, _ attempt: Int, _ state: TaskState, root: String? = "root", countdown: Double? = nil) throws {
            try store.recordAttempt(AttemptRecord(
                taskID: task, taskName: "proj.\(task)", rootID: root, attempt: attempt, state: state,
                errorMessage: state == .retry ? "flaky" : nil, nextCountdown: countdown))
        }
        try record("a", 1, .started)
        try record("b", 1, .started)
        try record("a", 1, .retry, countdown: 2)  // update in place, keeps its position
        try record("a", 2, .success)
        try record("b", 1, .success)
        try record("other", 1, .success, root: "elsewhere")

        let a = try store.attempts(forTask: "a")
        #expect(a.map(\.attempt) == [1, 2] && a.map(\.state) == [.retry, .success])
        #expect(a[0].nextCountdown == 2 && a[0].errorMessage == "flaky")
        let workflow = try store.attempts(forRoot: "root")
        #expect(workflow.map { "\($0.taskID)#\($0.attempt):\($0.state)" } == ["a#1:RETRY", "b#1:SUCCESS", "a#2:SUCCESS"])
        #expect(try store.attempts(forRoot: "elsewhere").map(\.taskID) == ["other"])
        #expect(try store.attempts(forTask: "missing").isEmpty)
    }
}

@Suite struct AsyncResultWaitTests {
    @Test func aRootTasksOwnAttemptsInterleaveWithItsWorkflowInRecordedOrder() throws {
        // A group's root is its first member: the other members may record
        // before, between and after the root's own attempts.
        let store = MemoryBackend(clock: ManualClock())
        func record(_ task: String, _ attempt: Int, _ state: TaskState, root: String?) throws {
            try store.recordAttempt(AttemptRecord(taskID: task, taskName: "proj.\(task)", rootID: root, attempt: attempt, state: state))
        }
        try record("m2", 1, .started, root: "r")
        try record("r", 1, .started, root: "r")
        try record("m3", 1, .success, root: "r")
        try record("r", 1, .retry, root: "r")  // in place: keeps its position
        try record("m2", 1, .success, root: "r")
        try record("r", 2, .success, root: "r")
        func workflow(_ root: String) throws -> [String] {
            try store.attempts(forRoot: root).map { "\($0.taskID)#\($0.attempt):\($0.state)" }
        }
        #expect(try workflow("r") == ["m2#1:SUCCESS", "r#1:RETRY", "m3#1:SUCCESS", "r#2:SUCCESS"])
        // A record that moves to another root goes last there, in either direction.
        try record("m2", 1, .success, root: "m2")
        try record("r", 1, .retry, root: "m3")
        #expect(try workflow("r") == ["m3#1:SUCCESS", "r#2:SUCCESS"])
        #expect(try workflow("m2") == ["m2#1:SUCCESS"])
        #expect(try workflow("m3") == ["r#1:RETRY"])
        try record("r", 1, .failure, root: "r")
        #expect(try workflow("r") == ["m3#1:SUCCESS", "r#2:SUCCESS", "r#1:FAILURE"])
        #expect(try workflow("m3").isEmpty)
    }

    @Test func anAsyncWaiterIsResumedByStore() async throws {
        let store = MemoryBackend()
        async let meta = store.readyResult(for: "t")
        try store.store(ResultMeta(taskID: "t", state: .started))
        try store.store(ResultMeta(taskID: "t", state: .success, result: 42))
        #expect(try await meta.result == 42)
        #expect(try await store.readyResult(for: "t").state == .success)  // already ready: returns at once
    }

    @Test func cancellingAnAsyncWaiterThrows() async {
        let store = MemoryBackend()
        let waiter = Task { try await store.readyResult(for: "never") }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}
