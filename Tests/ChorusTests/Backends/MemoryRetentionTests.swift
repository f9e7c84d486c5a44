import Foundation
import Testing

@testable import Chorus

/// The memory backend drops results, chord counters and attempt history on
/// the SQLite backend's schedule, so a long-lived embedded runtime does not
/// grow without bound.
@Suite struct MemoryRetentionTests {
    let clock = ManualClock()

    func backend(results: Double = 10, attempts: Double = 20) throws -> MemoryBackend {
        MemoryBackend(clock: clock, retention: try MemoryBackend.Retention(resultExpires: results, attemptExpires: attempts))
    }

    func attempt(_ task: String, root: String? = nil, _ number: Int = 1, _ state: TaskState = .success) -> AttemptRecord {
        AttemptRecord(taskID: task, taskName: "proj.\(task)", rootID: root ?? task, attempt: number, state: state)
    }

    /// Expiry happens at a write: this one touches an unrelated task.
    func tick(_ store: MemoryBackend) throws {
        try store.recordAttempt(attempt("tick-\(UUID().uuidString)"))
    }

    @Test func aResultIsDroppedItsExpiryAfterItsLastWriteAndHistoryLivesLonger() throws {
        let store = try backend()
        try store.record(attempt("a"), storing: ResultMeta(taskID: "a", state: .success, result: 1))
        try store.store(ResultMeta(taskID: "b", state: .started))
        clock.advance(by: 6)
        try store.store(ResultMeta(taskID: "b", state: .success, result: 2))  // written again: its clock restarts
        clock.advance(by: 5)  // a: 11 s old, b: 5 s
        try tick(store)
        #expect(try store.result(for: "a") == nil)
        #expect(try store.result(for: "b")?.result == 2)
        #expect(try store.attempts(forTask: "a").count == 1)  // history is kept for 20 s
        clock.advance(by: 10)
        try tick(store)
        #expect(try store.result(for: "b") == nil)
        #expect(try store.attempts(forTask: "a").isEmpty)
    }

    @Test func aWorkflowsHistoryAndItsIndexGoAway() throws {
        let store = try backend()
        for i in 0..<100 { try store.recordAttempt(attempt("member\(i)", root: "root")) }
        try store.recordAttempt(attempt("root"))
        #expect(try store.attempts(forRoot: "root").count == 101)
        clock.advance(by: 21)
        try tick(store)
        #expect(try store.attempts(forRoot: "root").isEmpty)
        let (tasks, indexed) = try store.withResults { ($0.tasks.count, $0.attemptsByRoot.count) }
        #expect(tasks == 1 && indexed == 0)  // only the tick is left
    }

    @Test func aRecordWrittenAgainKeepsItsNewDeadline() throws {
        let store = try backend()
        try store.recordAttempt(attempt("r", 1, .retry))
        clock.advance(by: 15)
        try store.recordAttempt(attempt("r", 1, .failure))
        clock.advance(by: 15)  // 30 s after the first write, 15 after the second
        try tick(store)
        #expect(try store.attempts(forTask: "r").map(\.state) == [.failure])
        clock.advance(by: 6)
        try tick(store)
        #expect(try store.attempts(forTask: "r").isEmpty)
    }

    @Test func workUnderWayDoesNotExpire() throws {
        let store = try backend()
        try store.record(attempt("long", 1, .started), storing: ResultMeta(taskID: "long", state: .started))
        clock.advance(by: 1_000)
        try tick(store)
        #expect(try store.result(for: "long")?.state == .started)
        #expect(try store.attempts(forTask: "long").map(\.state) == [.started])
        try store.record(attempt("long"), storing: ResultMeta(taskID: "long", state: .success, result: 1))
        clock.advance(by: 21)
        try tick(store)
        #expect(try store.result(for: "long") == nil)
        #expect(try store.attempts(forTask: "long").isEmpty)
    }

    @Test func chordCountersAndTheirDoneMarkExpire() throws {
        let store = try backend()
        #expect(try store.setChordSize(1, forGroup: "g") == .waiting(ready: 0, size: 1))
        guard case .completed = try store.recordChordPart(ChordPart(taskID: "t", groupIndex: 0, state: .success, result: 1), forGroup: "g") else {
            Issue.record("the chord did not complete")
            return
        }
        #expect(try store.recordChordPart(ChordPart(taskID: "t", groupIndex: 0, state: .success, result: 1), forGroup: "g") == .alreadyCompleted)
        _ = try store.recordChordPart(ChordPart(taskID: "u", groupIndex: 0, state: .success, result: 1), forGroup: "stuck")
        clock.advance(by: 11)
        try tick(store)
        let (counters, done) = try store.withResults { ($0.chords.count, $0.completedChords.count) }
        #expect(counters == 0 && done == 0)
    }

    /// A counter keeps one expiry entry; a part recorded later moves its
    /// deadline, and the counter lives until then, not until the first one.
    @Test func aChordCounterWrittenAgainLivesUntilItsLastWritesDeadline() throws {
        let store = try backend()
        #expect(try store.setChordSize(3, forGroup: "slow") == .waiting(ready: 0, size: 3))
        clock.advance(by: 8)
        #expect(try store.recordChordPart(ChordPart(taskID: "a", groupIndex: 0, state: .success, result: 1), forGroup: "slow") == .waiting(ready: 1, size: 3))
        clock.advance(by: 8)  // 16 s: past the first deadline (10), before the second (18)
        try tick(store)
        #expect(try store.withResults { $0.chords["slow"]?.parts.count } == 1)
        #expect(try store.recordChordPart(ChordPart(taskID: "b", groupIndex: 1, state: .success, result: 2), forGroup: "slow") == .waiting(ready: 2, size: 3))
        clock.advance(by: 9)  // 25 s: before the third deadline (26)
        try tick(store)
        #expect(try store.withResults { $0.chords["slow"]?.parts.count } == 2)
        clock.advance(by: 2)  // 27 s: ten seconds after the last write
        try tick(store)
        #expect(try store.withResults { ($0.chords.count, $0.expiry.chords.count) } == (0, 0))
        // A late part starts a new counter (as on SQLite once the old one expired).
        #expect(try store.recordChordPart(ChordPart(taskID: "c", groupIndex: 2, state: .success, result: 3), forGroup: "slow") == .waiting(ready: 1, size: nil))
    }

    @Test func memoryStaysBoundedUnderSteadyLoad() throws {
        let store = try backend(results: 1, attempts: 1)
        for i in 0..<10_000 {
            let id = "task\(i)"
            try store.record(attempt(id, 1, .started), storing: ResultMeta(taskID: id, state: .started))
            try store.record(attempt(id), storing: ResultMeta(taskID: id, state: .success, result: .int(Int64(i))))
            clock.advance(by: 0.01)
        }
        let (tasks, queued) = try store.withResults { ($0.tasks.count, $0.expiry.ended.count) }
        #expect(tasks <= 101)  // about one second's worth
        #expect(queued <= 4 * 101)
    }

    /// One queue serves both kinds: whichever expiry is longer, each kind
    /// goes at its own time and the queue holds only the longer one's worth.
    @Test func resultsAndHistoryExpireOnTheirOwnClocksFromOneQueue() throws {
        for (results, attempts) in [(1.0, 3.0), (3.0, 1.0)] {
            let store = try backend(results: results, attempts: attempts)
            for i in 0..<1_000 {
                try store.record(attempt("t\(i)"), storing: ResultMeta(taskID: "t\(i)", state: .success, result: .int(Int64(i))))
                clock.advance(by: 0.01)
            }
            // 10 s in: the last 100 (1 s) or 300 (3 s) of each kind remain.
            let kept = try (0..<1_000).map { i in (try store.result(for: "t\(i)") != nil, try !store.attempts(forTask: "t\(i)").isEmpty) }
            #expect(kept.filter(\.0).count == Int(results * 100), "results kept \(results) s")
            #expect(kept.filter(\.1).count == Int(attempts * 100), "history kept \(attempts) s")
            #expect(kept.suffix(Int(min(results, attempts) * 100)).allSatisfy { $0.0 && $0.1 })
            #expect(try store.withResults { $0.expiry.ended.count } <= Int(max(results, attempts) * 100) + 1)
        }
    }

    @Test func badRetentionIsRefusedWithAClearError() {
        for (results, attempts, word) in [(0.0, 1.0, "result"), (-1, 1, "result"), (.nan, 1, "result"), (1, .infinity, "attempt"), (1, 0, "attempt")] {
            #expect(throws: ChorusError.self) { try MemoryBackend.Retention(resultExpires: results, attemptExpires: attempts) }
            do {
                _ = try MemoryBackend.Retention(resultExpires: results, attemptExpires: attempts)
            } catch {
                #expect(error.message.contains("\(word) expiry must be a positive number of seconds"))
            }
        }
        let defaults = MemoryBackend.Retention()
        #expect(defaults.resultExpires == 86_400 && defaults.attemptExpires == 7 * 86_400)
    }
}
