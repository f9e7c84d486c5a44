import Foundation
import Synchronization
import Testing
@testable import Chorus

/// An acks_late task whose outcome cannot be stored is delivered again
/// rather than acknowledged and lost.
@Suite struct UnstoredOutcomeTests {
    /// A result store that refuses the first SUCCESS it is given, like a full disk.
    final class FlakyStore: ForwardingResultStore, @unchecked Sendable {
        // `refused` lives behind a mutex.
        let refused = Mutex(false)

        override func store(_ meta: ResultMeta) throws(ChorusError) -> Bool {
            if meta.state == .success {
                let refuse = refused.withLock { was in defer { was = true }; return !was }
                if refuse { throw ChorusError(.backend, "database or disk is full") }
            }
            return try inner.store(meta)
        }
    }

    @Test func anAcksLateTaskRunsAgainWhenItsResultCannotBeStored() throws {
        let registry = TaskRegistry()
        let runs = Mutex(0)
        try registry.register(name: "late", signature: "int64 ()", options: TaskOptions(acksLate: true)) { _, _ in
            .int(Int64(runs.withLock { $0 += 1; return $0 }))
        }
        let configuration = RuntimeConfiguration(concurrency: 1, timeScale: 0.01, leaseSeconds: 5)
        let memory = MemoryBackend(scale: TimeScale(0.01))
        let runtime = try Runtime(registry: registry, configuration: configuration, broker: memory, store: FlakyStore(memory), state: MemoryPluginStateStore())
        runtime.start()
        defer { runtime.shutdown() }
        #expect(try runtime.apply(syntax: "late()").wait(timeout: 10) == 2)
        #expect(runs.withLock { $0 } == 2)
    }
}
