import Foundation
import Testing
@testable import Chorus

/// Transactional dispatch: state and dispatched work commit together or not at all.
@Suite struct TransactionTests {
    static let plugin = Result { try PluginBuilder.fixture("transactions") }

    func runtime() throws -> Runtime {
        let registry = TaskRegistry()
        try registry.loadPlugin(at: Self.plugin.get())
        let runtime = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 2))
        runtime.start()
        return runtime
    }

    @Test func committedRecordAndItsWorkAppearTogether() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let id = try rt.apply(syntax: "tx.create(true)").wait(timeout: 10)
        #expect(id == 1)
        #expect(try rt.state.get(namespace: "tx", key: "record:1") == "saved")
        let echoed = AsyncResult(handle: .task(id: "echo-1-1"), runtime: rt)
        #expect(try echoed.wait(timeout: 10) == 1)
    }

    @Test func rolledBackRecordEnqueuesNothing() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "tx.create(false)").wait(timeout: 10) == 1)
        #expect(try rt.state.get(namespace: "tx", key: "record:1") == nil)
        #expect(try rt.state.get(namespace: "tx", key: "seq") == nil)
        // Give any wrongly enqueued echo a chance to run, then check it never did.
        _ = try rt.apply(syntax: "echo(0)").wait(timeout: 10)
        #expect(try rt.store.result(for: "echo-1-0") == nil)
    }

    @Test func aTransactionLeftOpenIsRolledBack() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        #expect(try rt.apply(syntax: "tx.leave_open()").wait(timeout: 10) == 1)
        #expect(try rt.state.get(namespace: "tx", key: "left-open") == nil)
        // The store is usable again: the writer lock was released.
        #expect(try rt.apply(syntax: "tx.create(true)").wait(timeout: 10) == 1)
    }

    @Test func swiftCallersGetTheSameGuarantee() throws {
        let rt = try runtime()
        defer { rt.shutdown() }
        let handle = try rt.transaction(namespace: "app") { tx in
            let id = try tx.increment("seq")
            try tx.set("report:\(id)", "processing")
            return try tx.apply(.task(Signature("echo", args: [.int(id)])))
        }
        #expect(try handle.wait(timeout: 10) == 1)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try rt.transaction(namespace: "app") { tx in
                try tx.set("report:2", "processing")
                _ = try tx.apply(.task(Signature("echo", args: [2], options: ["task_id": "never"])))
                throw Abort()
            }
        }
        #expect(try rt.state.get(namespace: "app", key: "report:2") == nil)
        _ = try rt.apply(syntax: "echo(0)").wait(timeout: 10)
        #expect(try rt.store.result(for: "never") == nil)
    }
}
