import Foundation
import Testing

@testable import Chorus

@Suite struct SQLiteResultStoreTests {
    let dir = TemporaryDirectory()

    @Test func metasRoundTripAndSuccessIsNeverOverwritten() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock)
        #expect(try store.result(for: "t") == nil)
        let started = ResultMeta(taskID: "t", state: .started, result: ["pid": 1, "hostname": "w1"], groupID: "g", name: "proj.add")
        #expect(try store.store(started))
        #expect(try store.result(for: "t") == started)
        let retry = ResultMeta(
            taskID: "t", state: .retry, error: TaskErrorInfo(type: "KeyError", message: "flaky", module: "builtins"),
            traceback: "Traceback ...", children: [[["t", nil], nil]], retries: 1, parentID: "p", worker: "w1", queue: "celery")
        #expect(try store.store(retry))
        #expect(try store.result(for: "t") == retry)
        let success = ResultMeta(taskID: "t", state: .success, result: 5, retries: 1)
        #expect(try store.store(success))
        let stored = try #require(try store.result(for: "t"))
        #expect(stored.state == .success && stored.result == 5 && stored.dateDone == clock.now)
        #expect(try store.store(ResultMeta(taskID: "t", state: .failure, error: TaskErrorInfo(type: "X", message: "late"))) == false)
        // Another backend on the same file is refused too.
        let other = try SQLiteBackend(path: dir.database, clock: clock)
        #expect(try other.store(ResultMeta(taskID: "t", state: .retry)) == false)
        #expect(try other.result(for: "t") == stored)
    }

    @Test func waitForReadyResultSeesAStoreFromAnotherBackend() throws {
        let a = try SQLiteBackend(path: dir.database)
        let b = try SQLiteBackend(path: dir.database)
        #expect(try a.waitForReadyResult(for: "t", timeout: 0.05) == nil)
        try b.store(ResultMeta(taskID: "t", state: .started))
        let got = Recorder<JSON>()
        let done = runOnThread {
            if let meta = try? a.waitForReadyResult(for: "t", timeout: 30) { got.append(meta.result) }
        }
        Thread.sleep(forTimeInterval: 0.05)
        try b.store(ResultMeta(taskID: "t", state: .success, result: "done"))
        #expect(done.wait(seconds: 10))
        #expect(got.values == ["done"])
    }

    @Test func chordCountingFollowsTheContract() throws {
        let store = try SQLiteBackend(path: dir.database, clock: ManualClock())
        let part = { (i: Int) in ChordPart(taskID: "t\(i)", groupIndex: i, state: i == 1 ? .failure : .success, result: .int(Int64(i))) }
        #expect(try store.recordChordPart(part(1), forGroup: "g") == .waiting(ready: 1, size: nil))
        #expect(try store.recordChordPart(part(1), forGroup: "g") == .duplicate(ready: 1, size: nil))
        #expect(try store.setChordSize(3, forGroup: "g") == .waiting(ready: 1, size: 3))
        #expect(try store.recordChordPart(part(2), forGroup: "g") == .waiting(ready: 2, size: 3))
        let done = try store.recordChordPart(part(0), forGroup: "g")
        #expect(done.completedParts?.map(\.taskID) == ["t0", "t1", "t2"])
        #expect(done.completedParts?[1].state == .failure)
        #expect(try store.setChordSize(3, forGroup: "g") == .alreadyCompleted)
        #expect(try store.setChordSize(0, forGroup: "empty") == .completed([]))
        #expect(throws: ChorusError(.invalidInput, "")) { try store.setChordSize(-1, forGroup: "bad") }
    }

    @Test func attemptsByTaskAndByRootInRecordedOrder() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock)
        func record(_ id: String, _ attempt: Int, _ state: TaskState, root: String? = "root") -> AttemptRecord {
            AttemptRecord(
                taskID: id, taskName: "proj.flaky", rootID: root, parentID: "p", groupID: nil, attempt: attempt, state: state,
                startedAt: clock.now, finishedAt: state == .started ? nil : clock.now.addingTimeInterval(0.25),
                errorType: state == .retry ? "KeyError" : nil, errorMessage: state == .retry ? "try again" : nil,
                nextCountdown: state == .retry ? 1.5 : nil)
        }
        try store.recordAttempt(record("b", 1, .started))
        try store.recordAttempt(record("a", 1, .retry))
        try store.recordAttempt(record("b", 1, .success))  // replaces, keeps its place
        try store.recordAttempt(record("a", 2, .success))
        try store.recordAttempt(record("other", 1, .success, root: "elsewhere"))
        #expect(try store.attempts(forTask: "a") == [record("a", 1, .retry), record("a", 2, .success)])
        #expect(try store.attempts(forRoot: "root").map { "\($0.taskID)#\($0.attempt):\($0.state)" } == ["b#1:SUCCESS", "a#1:RETRY", "a#2:SUCCESS"])
        try store.recordAttempt(record("b", 1, .success, root: "elsewhere"))  // moved: last in its new root
        #expect(try store.attempts(forRoot: "elsewhere").map(\.taskID) == ["other", "b"])
        #expect(try store.attempts(forRoot: "root").map(\.taskID) == ["a", "a"])
        #expect(try store.attempts(forTask: "nothing") == [])
    }

    /// The root task's own attempts are not in the root index (a lone task
    /// adds nothing to it), yet list with its workflow's in recorded order.
    @Test func theRootTaskListsWithItsWorkflowInRecordedOrder() throws {
        let store = try SQLiteBackend(path: dir.database, clock: ManualClock())
        func record(_ id: String, _ attempt: Int, _ state: TaskState, root: String = "r") -> AttemptRecord {
            AttemptRecord(taskID: id, taskName: "proj.step", rootID: root, attempt: attempt, state: state)
        }
        try store.recordAttempt(record("r", 1, .started))
        try store.recordAttempt(record("c1", 1, .started))
        try store.recordAttempt(record("r", 1, .retry))  // replaces, keeps its place
        try store.recordAttempt(record("c1", 1, .success))
        try store.recordAttempt(record("r", 2, .success))
        try store.recordAttempt(record("c2", 1, .success))
        try store.recordAttempt(record("lone", 1, .success, root: "lone"))
        #expect(try store.attempts(forRoot: "r").map { "\($0.taskID)#\($0.attempt):\($0.state)" }
            == ["r#1:RETRY", "c1#1:SUCCESS", "r#2:SUCCESS", "c2#1:SUCCESS"])
        #expect(try store.attempts(forRoot: "lone").map(\.taskID) == ["lone"])
        #expect(try store.attempts(forRoot: "c1") == [])
        // A root attempt that moves to another workflow goes last there, and leaves its own.
        try store.recordAttempt(record("r", 2, .success, root: "lone"))
        #expect(try store.attempts(forRoot: "lone").map(\.taskID) == ["lone", "r"])
        #expect(try store.attempts(forRoot: "r").map(\.taskID) == ["r", "c1", "c2"])
    }
}
