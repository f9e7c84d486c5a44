import Foundation
import Testing
@testable import Chorus

/// `Runtime.apply` hands a canvas's messages to the broker in batches, and
/// publishes nothing of a canvas it refuses (see also `StreamedApplyTests`).
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

    /// On the SQLite backend a canvas is one transaction: a full disk midway
    /// leaves no member queued and no chord counter registered.
    @Test func aCanvasThatDoesNotFitOnDiskLeavesNothingBehind() throws {
        let dir = TemporaryDirectory()
        let backend = try SQLiteBackend(path: dir.database, options: .init(maximumSizeBytes: 160 * 1024))
        let runtime = try Runtime(
            registry: try EngineHarness.registry(), configuration: RuntimeConfiguration(concurrency: 1),
            broker: backend, store: backend, state: backend)
        defer { runtime.shutdown() }
        // Small members: published in batches, the first few batches fit.
        let payload = JSON.string(String(repeating: "p", count: 500))
        let members = (0..<400).map { _ in Canvas.task(Signature("identity", args: [payload])) }
        func queued() throws -> Int { try backend.inspect().queues.reduce(0) { $0 + $1.queued + $1.scheduled } }

        #expect { try runtime.apply(.group(Group(members))) } throws: { error in
            (error as? ChorusError)?.code == .backend && "\(error)".contains("full")
        }
        #expect(try queued() == 0)

        let chord = Canvas.chord(Chord(header: Group(members, options: ["task_id": "big-chord"]), body: .task(Signature("tsum"))))
        #expect(throws: ChorusError.self) { try runtime.apply(chord) }
        #expect(try queued() == 0)
        // No counter was left registered for the chord's group.
        let part = ChordPart(taskID: "probe", groupIndex: 0, state: .success, result: 1)
        #expect(try backend.recordChordPart(part, forGroup: "big-chord") == .waiting(ready: 1, size: nil))

        // What fits is published whole, in order.
        let small = (0..<70).map { i in Canvas.task(Signature("identity", args: [.int(Int64(i))])) }
        try runtime.apply(.group(Group(small)))
        #expect(try queued() == 70)
    }
}
