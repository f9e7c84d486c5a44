import Foundation
import Testing

@testable import Chorus

/// The memory backend keeps an attempt under way as its message
/// (`recordStarted`) and builds its STARTED meta and record when read. Every
/// read must match what storing them in full (the protocol's default, which
/// the SQLite backend uses) gives, at every step of a task's life.
@Suite struct MemoryRunningAttemptTests {
    let clock = ManualClock()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func message(_ id: String, root: String, retries: Int = 0) -> TaskMessage {
        var headers = TaskHeaders(task: "proj.\(id)", id: id, retries: retries, rootID: root)
        headers.parentID = root == id ? nil : root
        return TaskMessage(headers: headers)
    }

    func ended(_ m: TaskMessage, _ state: TaskState, at seconds: Double) -> (AttemptRecord, ResultMeta) {
        var record = AttemptRecord.started(m, at: start)
        record.state = state
        record.finishedAt = start.addingTimeInterval(seconds)
        var meta = ResultMeta.started(m, queue: "q")
        meta.state = state
        if state.isReady { meta.dateDone = record.finishedAt }
        return (record, meta)
    }

    /// Applies `steps` to both stores and compares every read after each.
    func expectSameReads(ids: [String], roots: [String], _ steps: [(any ResultStore) throws -> Void]) throws {
        let fast = MemoryBackend(clock: clock)
        // The protocol's default `recordStarted`: meta and record built up front.
        let full = ForwardingResultStore(MemoryBackend(clock: clock))
        for (n, step) in steps.enumerated() {
            try step(fast)
            try step(full)
            for id in ids {
                #expect(try fast.result(for: id) == full.result(for: id), "step \(n): result of \(id)")
                #expect(try fast.attempts(forTask: id) == full.attempts(forTask: id), "step \(n): attempts of \(id)")
            }
            for root in roots {
                #expect(try fast.attempts(forRoot: root) == full.attempts(forRoot: root), "step \(n): workflow \(root)")
            }
        }
    }

    @Test func aWorkflowsStartsAndEndsReadTheSame() throws {
        let root = message("r", root: "r")
        let child = message("c", root: "r")
        let retried = message("c", root: "r", retries: 1)
        try expectSameReads(ids: ["r", "c"], roots: ["r"], [
            { try $0.recordStarted(root, queue: "q", startedAt: self.start) },
            { try $0.recordStarted(child, queue: "q", startedAt: self.start) },
            { let (a, m) = self.ended(child, .retry, at: 1); try $0.record(a, storing: m) },
            { try $0.recordStarted(retried, queue: "q", startedAt: self.start) },
            // The same attempt delivered again (a lapsed lease) keeps its place.
            { try $0.recordStarted(retried, queue: "q2", startedAt: self.start.addingTimeInterval(5)) },
            { let (a, m) = self.ended(retried, .success, at: 6); try $0.record(a, storing: m) },
            { let (a, m) = self.ended(root, .success, at: 7); try $0.record(a, storing: m) },
        ])
    }

    @Test func otherWritesDuringAnAttemptReadTheSame() throws {
        let task = message("t", root: "t")
        let again = message("t", root: "t", retries: 1)
        try expectSameReads(ids: ["t"], roots: ["t"], [
            { try $0.recordStarted(task, queue: "q", startedAt: self.start) },
            // A meta alone while it runs, then a record of another attempt.
            { _ = try $0.store(ResultMeta(taskID: "t", state: .retry, retries: 0)) },
            { try $0.recordStarted(again, queue: "q", startedAt: self.start) },
            { try $0.recordAttempt(AttemptRecord(taskID: "t", taskName: "proj.t", rootID: "t", attempt: 5, state: .failure)) },
            { let (a, m) = self.ended(again, .success, at: 2); try $0.record(a, storing: m) },
            // A start after SUCCESS: stored in full; the result stays SUCCESS.
            { try $0.recordStarted(again, queue: "q", startedAt: self.start) },
        ])
    }

    @Test func aRunningAttemptOutlivesItsEarlierHistorysExpiry() throws {
        let store = MemoryBackend(clock: clock, retention: try MemoryBackend.Retention(resultExpires: 10, attemptExpires: 20))
        let first = message("t", root: "t")
        let (record, meta) = ended(first, .retry, at: 0)
        try store.record(record, storing: meta)
        try store.recordStarted(message("t", root: "t", retries: 1), queue: "q", startedAt: start)
        clock.advance(by: 21)
        try store.recordAttempt(AttemptRecord(taskID: "tick", taskName: "proj.tick", attempt: 1, state: .success))
        #expect(try store.result(for: "t")?.state == .started)
        #expect(try store.attempts(forTask: "t").map(\.attempt) == [2])
    }
}
