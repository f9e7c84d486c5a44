import Foundation
import Testing

@testable import Chorus

/// The engine end to end on the durable backend, with the bundled examples plugin.
@Suite struct SQLiteRuntimeTests {
    let dir = TemporaryDirectory()

    func runtime(on backend: SQLiteBackend, concurrency: Int = 2) throws -> Runtime {
        let rt = try Runtime(
            registry: try EngineSmokeTests.examplesRegistry(),
            configuration: RuntimeConfiguration(concurrency: concurrency, timeScale: backend.scale.factor),
            broker: backend, store: backend, state: backend)
        rt.start()
        return rt
    }

    @Test func chainGroupChordAndRetriesRunOnSQLite() throws {
        let backend = try SQLiteBackend(path: dir.database, scale: TimeScale(0.001))
        let rt = try runtime(on: backend)
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "add(2, 3)").wait(timeout: 20) == 5)
        #expect(try rt.apply(syntax: "add(2, 3) | mul(10) | add(1)").wait(timeout: 20) == 51)
        #expect(try rt.apply(syntax: "group(add(1, 1), add(2, 2), add(3, 3))").wait(timeout: 20) == [2, 4, 6])
        #expect(try rt.apply(syntax: "chord(add(1, 1), add(2, 2), add(3, 3)) | tsum()").wait(timeout: 20) == 12)
        #expect(try rt.apply(syntax: "group(add(1, 1), add(2, 2)) | tsum() | mul(3)").wait(timeout: 20) == 18)
        let flaky = try rt.apply(syntax: "flaky(2)")
        #expect(try flaky.wait(timeout: 20) == 2)
        // The engine stores the result before it records the attempt, and
        // publishes a retry before recording the RETRY: give it a moment.
        var states: [TaskState] = []
        for _ in 0..<200 {
            states = try backend.attempts(forTask: flaky.id).map(\.state)
            if states.count == 3 && !states.contains(.started) { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(states == [.retry, .retry, .success])
        let chord = try rt.apply(syntax: #"chord(add(1, 1), fail("x")) | tsum()"#)
        #expect(throws: ChorusError(.taskFailed, "")) { try chord.wait(timeout: 20) }
        #expect(try backend.inspect().queues.allSatisfy { $0.queued + $0.scheduled + $0.running == 0 })
    }

    /// A task's latest attempt is kept in its result row: a task that ran
    /// once writes no `attempts` row, a retried one a row per earlier attempt,
    /// and the history reads the same either way.
    @Test func onlyEarlierAttemptsOfRetriedTasksTakeAttemptsRows() throws {
        let backend = try SQLiteBackend(path: dir.database, scale: TimeScale(0.001))
        let rt = try runtime(on: backend)
        defer { rt.shutdown() }
        let chain = try rt.apply(syntax: "add(1, 2) | add(3) | add(4)")
        #expect(try chain.wait(timeout: 20) == 10)
        let raw = try SQLiteFixtures.rawConnection(dir.database)
        #expect(try raw.queryFirst("SELECT count(*) FROM attempts") { $0.int(0) } == 0)
        let steps = try backend.attempts(forRoot: chain.rootID ?? chain.id)
        #expect(steps.map(\.state) == [.success, .success, .success])
        #expect(steps.allSatisfy { $0.startedAt != nil && $0.finishedAt != nil && $0.attempt == 1 })
        let flaky = try rt.apply(syntax: "flaky(2)")
        #expect(try flaky.wait(timeout: 20) == 2)
        var states: [TaskState] = []
        for _ in 0..<200 {
            states = try backend.attempts(forTask: flaky.id).map(\.state)
            if states == [.retry, .retry, .success] { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(states == [.retry, .retry, .success])
        #expect(try raw.queryFirst("SELECT count(*) FROM attempts") { $0.int(0) } == 2)
    }

    @Test func aChordSplitAcrossTwoRuntimesOnOneFileFiresItsBodyOnce() throws {
        let a = try SQLiteBackend(path: dir.database, scale: TimeScale(0.001))
        let b = try SQLiteBackend(path: dir.database, scale: TimeScale(0.001))
        let workers = [try runtime(on: a), try runtime(on: b)]
        defer { for rt in workers { rt.shutdown() } }
        let producer = try Runtime(
            registry: try EngineSmokeTests.examplesRegistry(),
            configuration: RuntimeConfiguration(concurrency: 1, timeScale: 0.001), broker: a, store: a, state: a)
        for _ in 0..<5 {
            let result = try producer.apply(syntax: "chord(add(1, 1), add(2, 2), add(3, 3), add(4, 4)) | tsum()")
            #expect(try result.wait(timeout: 20) == 20)
            #expect(try a.attempts(forTask: result.id).count == 1)
        }
    }

    @Test func runtimeTransactionsCommitRecordsAndWorkflowsTogether() throws {
        let backend = try SQLiteBackend(path: dir.database, scale: TimeScale(0.001))
        let rt = try runtime(on: backend)
        defer { rt.shutdown() }
        // The chord's counter (set through the store on this thread) joins the transaction too.
        let result = try rt.transaction(namespace: "shop") { tx in
            try tx.set("order:1", "saved")
            return try tx.apply(Canvas(parsing: "chord(add(1, 1), add(2, 2)) | tsum()"))
        }
        #expect(try result.wait(timeout: 20) == 6)
        #expect(try backend.get(namespace: "shop", key: "order:1") == "saved")
        struct Abort: Error {}
        var unsent: AsyncResult?
        #expect(throws: Abort.self) {
            try rt.transaction(namespace: "shop") { tx in
                try tx.set("order:2", "saved")
                unsent = try tx.apply(Canvas(parsing: "chord(add(1, 1), add(2, 2)) | tsum()"))
                throw Abort()
            }
        }
        #expect(try backend.get(namespace: "shop", key: "order:2") == nil)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(try backend.result(for: try #require(unsent).id) == nil)
        #expect(try backend.inspect().queues.allSatisfy { $0.queued + $0.scheduled + $0.running == 0 })
    }
}
