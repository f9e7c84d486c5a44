import Foundation
import Testing

@testable import Chorus

/// A full disk and a locked database: a clear `.backend` line, and nothing lost.
@Suite struct SQLiteBadConditionTests {
    let dir = TemporaryDirectory()

    @Test func aFullDiskFailsCleanlyAndKeepsEverythingWrittenBefore() throws {
        let clock = ManualClock()
        let backend = try SQLiteBackend(path: dir.database, clock: clock, options: .init(maximumSizeBytes: 160 * 1024))
        let payload = JSON.string(String(repeating: "p", count: 2000))
        var published: [String] = []
        var failure: ChorusError?
        for i in 0..<1000 {
            do {
                try backend.publish(SQLiteFixtures.message("m\(i)", args: [payload]), to: "q")
                published.append("m\(i)")
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .backend)
        #expect(error.message.contains(dir.database) && error.message.contains("full") && error.message.contains("publishing"))
        #expect(published.count > 5)
        // A claimed message whose result cannot be stored stays leased and comes back.
        let delivery = try #require(try backend.claim(from: ["q"], mode: .lease(seconds: 30), timeout: 0))
        let big = ResultMeta(taskID: delivery.message.id, state: .success, result: .string(String(repeating: "r", count: 400_000)))
        #expect(throws: ChorusError(.backend, "")) { try backend.store(big) }
        #expect(try backend.result(for: delivery.message.id) == nil)
        clock.advance(by: 31)
        let again = try #require(try backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 0))
        #expect(again.message.id == delivery.message.id && again.deliveryCount == 2 && again.redelivered)
        // A transaction that does not fit commits nothing.
        let tx = try backend.beginTransaction(broker: backend)
        try tx.set(namespace: "s", key: "k", value: "v")
        #expect(throws: ChorusError(.backend, "")) {
            for i in 0..<200 { try tx.publish(SQLiteFixtures.message("tx\(i)", args: [payload]), to: "q") }
        }
        tx.rollback()
        #expect(try backend.get(namespace: "s", key: "k") == nil)
        // Everything published before the failure is intact, in order.
        var drained = [again.message.id]
        while let d = try backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 0) { drained.append(d.message.id) }
        #expect(drained.sorted() == published.sorted())
        #expect(!drained.contains { $0.hasPrefix("tx") })
        // With space again, writes work.
        try backend.publish(SQLiteFixtures.message("after"), to: "q")
    }

    @Test func aLockedDatabaseFailsWithAClearErrorThenRecovers() throws {
        let backend = try SQLiteBackend(path: dir.database, options: .init(busyTimeout: 0.05))
        try backend.publish(SQLiteFixtures.message("before"), to: "q")
        let holder = try SQLiteFixtures.rawConnection(dir.database)
        try holder.execute("BEGIN EXCLUSIVE; INSERT INTO plugin_state VALUES ('x', 'y', 'z');")
        let start = Date()
        #expect { try backend.publish(SQLiteFixtures.message("blocked"), to: "q") } throws: { error in
            let e = error as? ChorusError
            return e?.code == .backend && e!.message.contains(dir.database) && e!.message.contains("locked")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        // Reads still work in WAL mode while another process writes.
        #expect(try backend.inspect().queues.first?.queued == 1)
        try holder.execute("COMMIT")
        try backend.publish(SQLiteFixtures.message("after"), to: "q")
        let ids = try (0..<3).map { _ in try backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id }
        #expect(ids == ["before", "after", nil])
        #expect(try backend.get(namespace: "x", key: "y") == "z")
    }

    @Test func aClosedBackendRefusesCallsAndReleasesBlockedClaims() throws {
        let backend = try SQLiteBackend(path: dir.database)
        let done = runOnThread { _ = try? backend.claim(from: ["q"], mode: .removeOnClaim, timeout: 60) }
        Thread.sleep(forTimeInterval: 0.05)
        backend.close()
        #expect(done.wait(seconds: 5))
        #expect(throws: ChorusError(.invalidState, "")) { try backend.publish(SQLiteFixtures.message("x"), to: "q") }
    }
}
