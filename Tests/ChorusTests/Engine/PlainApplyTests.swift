import Foundation
import OrderedCollections
import Testing
@testable import Chorus

/// `Runtime.apply` builds the message of an option-less task directly
/// (`MessageBuilder.plainMessage`) instead of preparing a canvas. Both paths
/// must put exactly the same message on the broker.
@Suite struct PlainApplyTests {
    /// Always hands out the same id, so the general path can be frozen under
    /// the id the fast path drew.
    struct FixedID: TaskIDGenerator {
        let id: String
        mutating func next() -> String { id }
    }

    /// What the general path (freeze + MessageBuilder) publishes for `signature` under `id`.
    func generalMessage(_ signature: Signature, id: String) throws -> (TaskMessage, String) {
        let plan = try Canvas.task(signature).prepare(idGenerator: FixedID(id: id))
        #expect(plan.messages.count == 1)
        return try MessageBuilder.message(for: plan.messages[0], now: Date())
    }

    static let signatures: [Signature] = [
        Signature("noop"),
        Signature("add", args: [1, 2]),
        Signature("echo", args: ["héllo", .null, 2.5, [1, ["x": true]]]),
        Signature("add", args: [1], kwargs: ["y": 2, "z": ["a", "b"]]),
        Signature("noop", immutable: true),
    ]

    @Test(arguments: signatures)
    func theFastPathPublishesWhatTheGeneralPathWould(_ signature: Signature) throws {
        let memory = MemoryBackend()
        let runtime = try Runtime(
            registry: TaskRegistry(), configuration: RuntimeConfiguration(concurrency: 1, validateTaskNames: false),
            broker: memory, store: memory, state: MemoryPluginStateStore())
        defer { runtime.shutdown() }
        let handle = try runtime.apply(.task(signature))
        #expect(handle.rootID == handle.id)
        let delivery = try #require(try memory.claim(from: ["celery"], mode: .removeOnClaim, timeout: 0))
        #expect(delivery.message.id == handle.id)
        let (expected, queue) = try generalMessage(signature, id: handle.id)
        #expect(delivery.queue == queue)
        #expect(delivery.message == expected)
        #expect(delivery.message.headers.json == expected.headers.json)
        #expect(delivery.message.bodyText == expected.bodyText)
    }

    @Test func aSignatureWithOptionsTakesTheGeneralPath() throws {
        let memory = MemoryBackend()
        let runtime = try Runtime(
            registry: TaskRegistry(), configuration: RuntimeConfiguration(concurrency: 1, validateTaskNames: false),
            broker: memory, store: memory, state: MemoryPluginStateStore())
        defer { runtime.shutdown() }
        var options = SignatureOptions()
        options.queue = "reports"
        options["max_retries"] = 7
        _ = try runtime.apply(.task(Signature("add", args: [1, 2], options: options)))
        let delivery = try #require(try memory.claim(from: ["reports"], mode: .removeOnClaim, timeout: 0))
        #expect(delivery.message.headers.extra["max_retries"] == 7)
        // Options given to apply itself also leave the fast path.
        var applyOptions = SignatureOptions()
        applyOptions.queue = "other"
        _ = try runtime.apply(.task(Signature("noop")), options: applyOptions)
        #expect(try memory.claim(from: ["other"], mode: .removeOnClaim, timeout: 0) != nil)
    }
}
