import Foundation
import Testing

@testable import Chorus

/// A rough throughput figure, not a timed test: runs only with
/// `CHORUS_SQLITE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SQLiteThroughput`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["CHORUS_SQLITE_BENCH"] != nil))
struct SQLiteThroughputBenchmark {
    let dir = TemporaryDirectory()

    /// What the engine does per no-op task: claim with a lease, ack, STARTED
    /// meta and attempt, SUCCESS meta and attempt — on two backends (two
    /// "processes") with two threads each.
    @Test(arguments: [1, 2]) func durableNoOpTaskCycle(processes: Int) throws {
        let count = 10_000
        let path = dir.file("bench\(processes).db")
        let backends = try (0..<2).map { n in n < processes ? try SQLiteBackend(path: path) : nil }.compactMap { $0 }
        var start = Date()
        let tx = try backends[0].beginTransaction(broker: backends[0])
        for i in 0..<count { try tx.publish(SQLiteFixtures.message("m\(i)"), to: "celery") }
        try tx.commit()
        print("SQLite bench: published \(count) in one transaction at \(Int(Double(count) / Date().timeIntervalSince(start)))/s")
        start = Date()
        for i in 0..<1000 { try backends[backends.count - 1].publish(SQLiteFixtures.message("single\(i)"), to: "other") }
        print("SQLite bench: 1000 single publishes at \(Int(1000 / Date().timeIntervalSince(start)))/s")
        start = Date()
        let done = Recorder<Int>()
        let threads = (0..<4).map { n in
            runOnThread {
                let b = backends[n % backends.count]
                var handled = 0
                while let d = try? b.claim(from: ["celery"], mode: .lease(seconds: 60), timeout: 0) {
                    _ = try? b.ack(d)
                    let id = d.message.id
                    _ = try? b.recordAttempt(AttemptRecord(taskID: id, taskName: "noop", rootID: id, attempt: 1, state: .started))
                    _ = try? b.store(ResultMeta(taskID: id, state: .started))
                    _ = try? b.store(ResultMeta(taskID: id, state: .success, result: .null))
                    _ = try? b.recordAttempt(AttemptRecord(taskID: id, taskName: "noop", rootID: id, attempt: 1, state: .success))
                    handled += 1
                }
                done.append(handled)
            }
        }
        for t in threads { _ = t.wait(seconds: 600) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(done.values.reduce(0, +) == count)
        print("SQLite bench: \(count) task cycles (claim, ack, 2 metas, 2 attempts) by 4 threads on \(processes) backend(s) in \(String(format: "%.2f", elapsed)) s = \(Int(Double(count) / elapsed)) tasks/s")
        start = Date()
        var claims = 0
        while let d = try backends[backends.count - 1].claim(from: ["other"], mode: .removeOnClaim, timeout: 0) { _ = d; claims += 1 }
        print("SQLite bench: \(claims) removeOnClaim claims on one thread at \(Int(Double(claims) / Date().timeIntervalSince(start)))/s")
    }
}
