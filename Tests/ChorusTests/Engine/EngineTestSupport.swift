import Foundation
import Testing
@testable import Chorus

/// Shared set-up for the engine tests: a registry with the bundled examples
/// plugin plus Swift tasks a test registers, and a started runtime on the
/// in-memory backend with a small time scale (or a manual clock).
enum EngineHarness {
    /// A fresh registry holding the examples plugin (add, mul, tsum, sleep_ms,
    /// flaky, fail, echo, noop, identity).
    static func registry() throws -> TaskRegistry {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: ChorusBinary.directory + "/libchorus-examples.so")
        return registry
    }

    /// A started runtime. `scale` 0.001 turns a 180 s default retry delay into 0.18 s.
    static func runtime(
        _ registry: TaskRegistry, concurrency: Int = 2, scale: Double = 0.001,
        clock: any RuntimeClock = SystemClock.shared, random: any RandomSource = SystemRandomSource.shared
    ) throws -> Runtime {
        let configuration = RuntimeConfiguration(concurrency: concurrency, timeScale: scale, clock: clock, random: random)
        let runtime = try Runtime(registry: registry, configuration: configuration)
        runtime.start()
        return runtime
    }

    /// Collects every event the runtime emits.
    static func events(of runtime: Runtime) -> Recorder<TaskEvent> {
        let recorder = Recorder<TaskEvent>()
        runtime.observe { recorder.append($0) }
        return recorder
    }

    /// Blocks until `condition` holds or `timeout` real seconds pass; true if it held.
    static func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }

    /// One finished task of a workflow.
    struct SettledTask {
        var name: String
        var id: String
        var meta: ResultMeta
        /// Its last attempt record.
        var record: AttemptRecord
    }

    /// The tasks of workflow `root` in the order each first started, once
    /// `count` of them have started and each has finished. A task publishes its
    /// callbacks and next chain step BEFORE storing its own result (as Celery
    /// does), so when the last step is ready an earlier one may still be storing.
    static func settledTasks(_ runtime: Runtime, root: String, count: Int) throws -> [SettledTask] {
        func ids() -> [String] {
            var seen = Set<String>()
            return ((try? runtime.store.attempts(forRoot: root)) ?? []).map(\.taskID).filter { seen.insert($0).inserted }
        }
        #expect(eventually { ids().count >= count }, "workflow \(root) never reached \(count) tasks")
        return try ids().map { id in
            _ = try? AsyncResult(handle: .task(id: id), runtime: runtime).wait(timeout: 10)
            let meta = try #require(try runtime.store.result(for: id))
            let record = try #require(try runtime.store.attempts(forTask: id).last)
            return SettledTask(name: record.taskName, id: id, meta: meta, record: record)
        }
    }

    /// Waits for task `id` to finish and returns its meta.
    static func settled(_ runtime: Runtime, _ id: String) throws -> ResultMeta {
        _ = try? AsyncResult(handle: .task(id: id), runtime: runtime).wait(timeout: 10)
        return try #require(try runtime.store.result(for: id))
    }

    /// The stored meta of `id`, or nil.
    static func meta(_ runtime: Runtime, _ id: String) -> ResultMeta? {
        try? runtime.store.result(for: id)
    }
}

/// A thread-safe counter for counting invocations from worker threads.
final class Counter: Sendable {
    private let value = LockProtected(0)
    @discardableResult
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

extension JSON {
    /// `.int` from a Swift Int, for building expected values.
    static func i(_ value: Int) -> JSON { .int(Int64(value)) }
}
