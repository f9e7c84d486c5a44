import Foundation
import Testing

@testable import Chorus

/// `AsyncResult.waitAll` (and a group's wait, which works the same way):
/// values in order, the first failure in order thrown, ready ones read in bulk.
@Suite struct WaitAllTests {
    func runtime(_ backend: (any Broker & ResultStore & PluginStateStore)? = nil) throws -> Runtime {
        let registry = try EngineHarness.registry()
        let rt: Runtime
        if let backend {
            rt = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2), broker: backend, store: backend, state: backend)
        } else {
            rt = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2))
        }
        rt.start()
        return rt
    }

    @Test func valuesComeBackInApplyOrderWhateverFinishesFirst() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        // Later ones finish first: the first sleeps.
        let handles = try [rt.apply(syntax: "sleep_ms(30)")] + (1...300).map { i in try rt.apply(syntax: "identity(\(i))") }
        let values = try AsyncResult.waitAll(handles, timeout: 30)
        #expect(values == [30] + (1...300).map { JSON.int(Int64($0)) })
        #expect(try AsyncResult.waitAll([], timeout: 1) == [])
    }

    @Test func theFirstFailureInOrderIsThrown() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let handles = try [rt.apply(syntax: "identity(1)"), rt.apply(syntax: #"fail("first")"#), rt.apply(syntax: #"fail("second")"#)]
        #expect { try AsyncResult.waitAll(handles, timeout: 30) } throws: { error in
            (error as? ChorusError)?.code == .taskFailed && "\(error)".contains("first")
        }
    }

    @Test func aTaskThatDoesNotFinishTimesOut() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let handles = try [rt.apply(syntax: "identity(1)"), rt.apply(syntax: "sleep_ms(800)")]
        #expect { try AsyncResult.waitAll(handles, timeout: 0.2) } throws: { error in (error as? ChorusError)?.code == .timeout }
    }

    /// On SQLite the ready ones are read in bulk: more than one query's worth,
    /// with states that are not ready left out.
    @Test func sqliteReadsReadyResultsInBulk() throws {
        let dir = TemporaryDirectory()
        let backend = try SQLiteBackend(path: dir.database)
        let ids = (0..<(2 * SQLiteBackend.readyBatch + 10)).map { "t\($0)" }
        for (i, id) in ids.enumerated() {
            let state: TaskState = [.success, .failure, .started, .retry, .revoked][i % 5]
            try backend.store(ResultMeta(taskID: id, state: state, result: .int(Int64(i))))
        }
        let found = try backend.readyResults(for: ids + ["missing"])
        let expected = ids.enumerated().filter { [0, 1, 4].contains($0.offset % 5) }.map(\.element)
        #expect(Set(found.keys) == Set(expected))
        #expect(found["t0"]?.result == 0 && found["t1"]?.state == .failure && found["t4"]?.state == .revoked)
        // The memory backend's (the protocol default) agrees.
        let memory = MemoryBackend()
        for id in ids { try memory.store(try #require(try backend.result(for: id))) }
        #expect(Set(try memory.readyResults(for: ids + ["missing"]).keys) == Set(expected))

        let rt = try runtime(backend)
        defer { rt.shutdown() }
        let handles = try (0..<600).map { i in try rt.apply(syntax: "identity(\(i))") }
        #expect(try AsyncResult.waitAll(handles, timeout: 60) == (0..<600).map { JSON.int(Int64($0)) })
    }
}
