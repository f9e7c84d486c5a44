import Foundation
import Testing

@testable import Chorus

@Suite struct SQLitePluginStateTests {
    let dir = TemporaryDirectory()

    @Test func keyValueOperationsAreNamespacedAndDurable() throws {
        do {
            let state = try SQLiteBackend(path: dir.database)
            try state.set(namespace: "a", key: "k", value: "v")
            try state.set(namespace: "b", key: "k", value: "other")
            #expect(try state.get(namespace: "a", key: "k") == "v")
            #expect(try state.increment(namespace: "a", key: "n", by: 5) == 5)
            #expect(try state.increment(namespace: "a", key: "n", by: -7) == -2)
            #expect(throws: ChorusError(.invalidState, "")) { try state.increment(namespace: "a", key: "k", by: 1) }
            try state.set(namespace: "a", key: "max", value: String(Int64.max))
            #expect(throws: ChorusError(.badArguments, "")) { try state.increment(namespace: "a", key: "max", by: 1) }
            for key in ["user:2", "user:10", "user:1", "usex", "use"] { try state.set(namespace: "a", key: key, value: key.uppercased()) }
            #expect(try state.list(namespace: "a", prefix: "user:").map(\.key) == ["user:1", "user:10", "user:2"])
            #expect(try state.list(namespace: "a", prefix: "user:").map(\.value) == ["USER:1", "USER:10", "USER:2"])
            #expect(try state.list(namespace: "b", prefix: "").map(\.key) == ["k"])
            #expect(try state.delete(namespace: "a", key: "k"))
            #expect(try state.delete(namespace: "a", key: "k") == false)
        }
        let reopened = try SQLiteBackend(path: dir.database)
        #expect(try reopened.get(namespace: "a", key: "n") == "-2")
        #expect(try reopened.get(namespace: "b", key: "k") == "other")
    }

    @Test func incrementIsAtomicAcrossThreadsAndBackends() throws {
        let backends = try (0..<2).map { _ in try SQLiteBackend(path: dir.database) }
        let threads = (0..<6).map { n in
            runOnThread { for _ in 0..<50 { _ = try? backends[n % 2].increment(namespace: "c", key: "n", by: 1) } }
        }
        for thread in threads { #expect(thread.wait(seconds: 60)) }
        #expect(try backends[0].get(namespace: "c", key: "n") == "300")
    }

    @Test func aTransactionCommitsStateAndMessagesTogether() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let observer = try SQLiteBackend(path: dir.database)
        let tx = try backend.beginTransaction(broker: backend)
        #expect(try tx.increment(namespace: "app", key: "seq", by: 1) == 1)
        try tx.set(namespace: "app", key: "record:1", value: "saved")
        #expect(try tx.get(namespace: "app", key: "record:1") == "saved")
        #expect(try tx.list(namespace: "app", prefix: "record:").map(\.key) == ["record:1"])
        try tx.publish(SQLiteFixtures.message("work-1"), to: "q")
        // Invisible to everyone else until commit.
        #expect(try observer.get(namespace: "app", key: "record:1") == nil)
        #expect(try observer.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
        // The same thread's calls join the transaction.
        #expect(try backend.get(namespace: "app", key: "seq") == "1")
        try tx.commit()
        #expect(try observer.get(namespace: "app", key: "record:1") == "saved")
        #expect(try observer.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "work-1")
        #expect(throws: ChorusError(.invalidState, "")) { try tx.commit() }
        tx.rollback()  // harmless after commit
    }

    @Test func aRollbackOrADroppedTransactionLeavesNeitherRecordNorWork() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let tx = try backend.beginTransaction(broker: backend)
        try tx.set(namespace: "app", key: "record:1", value: "saved")
        try tx.publish(SQLiteFixtures.message("work-1"), to: "q")
        tx.rollback()
        do {
            // A crash-like end: the transaction is simply dropped.
            let dropped = try backend.beginTransaction(broker: backend)
            try dropped.set(namespace: "app", key: "record:2", value: "saved")
            try dropped.publish(SQLiteFixtures.message("work-2"), to: "q")
        }
        #expect(try backend.list(namespace: "app", prefix: "").isEmpty)
        #expect(try backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) == nil)
        // The write permit came back: plain writes work again.
        try backend.set(namespace: "app", key: "after", value: "1")
    }

    @Test func anUncommittedTransactionDiesWithItsProcess() throws {
        let path = dir.database
        _ = try SQLiteBackend(path: path)
        // Another "process": a raw connection that begins, writes both, and closes without COMMIT.
        do {
            let raw = try SQLiteFixtures.rawConnection(path)
            try raw.execute("""
                BEGIN IMMEDIATE;
                INSERT INTO plugin_state VALUES ('app', 'record:1', 'saved');
                INSERT INTO messages (queue, task_id, task_name, headers, body, visible_at, published_at)
                    VALUES ('q', 'w', 'proj.add', '{}', '[]', 0, 0);
                """)
        }
        let backend = try SQLiteBackend(path: path)
        #expect(try backend.get(namespace: "app", key: "record:1") == nil)
        #expect(try backend.inspect().queues.isEmpty)
    }

    @Test func anotherBrokerGetsTheMessagesOnlyAfterCommit() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let memory = MemoryBackend(clock: ManualClock())
        let tx = try backend.beginTransaction(broker: memory)
        try tx.set(namespace: "app", key: "x", value: "1")
        try tx.publish(SQLiteFixtures.message("m"), to: "q")
        #expect(memory.pendingCount(queue: "q") == 0)
        try tx.commit()
        #expect(memory.pendingCount(queue: "q") == 1)
        #expect(try backend.inspect().queues.isEmpty)
        let none = try backend.beginTransaction(broker: nil)
        #expect(throws: ChorusError(.invalidState, "")) { try none.publish(SQLiteFixtures.message("n"), to: "q") }
        none.rollback()
    }

    @Test func aNestedTransactionIsASavepoint() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let outer = try backend.beginTransaction(broker: backend)
        try outer.set(namespace: "n", key: "outer", value: "1")
        let inner = try backend.beginTransaction(broker: backend)
        try inner.set(namespace: "n", key: "inner", value: "1")
        inner.rollback()
        let kept = try backend.beginTransaction(broker: backend)
        try kept.set(namespace: "n", key: "kept", value: "1")
        try kept.commit()
        try outer.commit()
        #expect(try backend.list(namespace: "n", prefix: "").map(\.key) == ["kept", "outer"])
    }

    @Test func otherWritersWaitForAnOpenTransactionThenProceed() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let other = try SQLiteBackend(path: dir.database)
        let tx = try backend.beginTransaction(broker: backend)
        try tx.set(namespace: "w", key: "first", value: "1")
        let done = runOnThread { try? other.set(namespace: "w", key: "second", value: "2") }
        #expect(!done.wait(seconds: 0.1))
        try tx.commit()
        #expect(done.wait(seconds: 10))
        #expect(try backend.list(namespace: "w", prefix: "").count == 2)
    }
}
