import Testing
@testable import Chorus

/// `ReadyQueues` keeps FIFO order per queue, by name, whether it finds a
/// queue by comparing names or (past `linearLimit` queues) by hash.
@Suite struct ReadyQueuesTests {
    static func queued(_ id: String, on queue: String) -> MemoryBackend.Queued {
        MemoryBackend.Queued(message: TaskMessage(headers: TaskHeaders(task: "t", id: id)), queue: queue, deliveries: 0, redelivered: false)
    }

    @Test func keepsOrderPerQueue() {
        var ready = MemoryBackend.ReadyQueues()
        ready.append(Self.queued("a1", on: "a"))
        ready.append(Self.queued("b1", on: "b"))
        ready.append(Self.queued("a2", on: "a"))
        ready.prepend(Self.queued("a0", on: "a"))
        #expect(ready["a"]?.count == 3)
        #expect(ready["c"] == nil)
        #expect(ready.popFirst(of: "a")?.message.id == "a0")
        #expect(ready.popFirst(of: "a")?.message.id == "a1")
        #expect(ready.popFirst(of: "b")?.message.id == "b1")
        #expect(ready.popFirst(of: "b") == nil)
        #expect(ready.popFirst(of: "c") == nil)
        #expect(ready.popFirst(of: "a")?.message.id == "a2")
    }

    @Test func manyQueuesAndLongNames() {
        var ready = MemoryBackend.ReadyQueues()
        let names = (0..<(MemoryBackend.ReadyQueues.linearLimit * 3)).map { "a-queue-name-longer-than-fifteen-bytes-\($0)" }
        for (i, name) in names.enumerated() { ready.append(Self.queued("m\(i)", on: name)) }
        for (i, name) in names.enumerated().reversed() {
            #expect(ready[name]?.count == 1)
            #expect(ready.popFirst(of: name)?.message.id == "m\(i)")
        }
        #expect(names.allSatisfy { ready[$0]?.isEmpty == true })
    }
}
