import Foundation
import Testing
@testable import Chorus

/// `Runtime.apply` builds every message of a canvas before publishing any,
/// then hands them to the broker in batches.
@Suite struct PublishBatchTests {
    func runtime() throws -> (Runtime, MemoryBackend) {
        let backend = MemoryBackend()
        let runtime = try Runtime(
            registry: try EngineHarness.registry(), configuration: RuntimeConfiguration(concurrency: 1),
            broker: backend, store: backend, state: MemoryPluginStateStore())
        return (runtime, backend)
    }

    @Test func aMemberThatCannotBeBuiltLeavesNothingPublished() throws {
        let (runtime, backend) = try runtime()
        defer { runtime.shutdown() }
        // 100 good members (more than one batch), then one whose eta is not a time.
        let members = (0..<100).map { _ in Canvas.task(Signature("noop")) }
            + [.task(Signature("noop", options: ["eta": "next tuesday"]))]
        #expect(throws: ChorusError.self) { try runtime.apply(.group(Group(members))) }
        #expect(backend.pendingCount(queue: "celery") == 0)
    }

    @Test func aWideGroupIsPublishedInOrderAndSentEventsComeFirst() throws {
        let (runtime, backend) = try runtime()
        defer { runtime.shutdown() }
        let events = EngineHarness.events(of: runtime)
        let width = 3 * Runtime.publishBatch + 5
        let result = try runtime.apply(.group(Group((0..<width).map { i in .task(Signature("identity", args: [.int(Int64(i))])) })))
        #expect(backend.pendingCount(queue: "celery") == width)
        let queued = try backend.prefetch(from: ["celery"], leaseSeconds: 60, limit: width, timeout: 0)
        #expect(queued.map { $0.message.args } == (0..<width).map { [.int(Int64($0))] })
        let sent = events.values.filter { $0.kind == .sent }.map(\.taskID)
        #expect(sent == queued.map(\.message.id))
        _ = result
    }
}
