import Foundation
import Testing
@testable import Chorus

/// Worker processes on one SQLite database: exactly-once claiming, crashes,
/// restarts, shutdowns and chords across processes — real processes, real SQLite.
@Suite(.serialized) struct DurableWorkerTests {
    @Test func twoWorkersDrainTenThousandTasksEachOnce() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        let total = 10_000
        // One transaction publishes all of them at once.
        try producer.transaction(namespace: "durable") { tx in
            for i in 0..<total { try tx.apply(.task(Signature("durable.record", args: [.string("t\(i)")]))) }
        }
        _ = try cluster.startWorker(concurrency: 2)
        _ = try cluster.startWorker(concurrency: 2)
        #expect(try cluster.eventually(timeout: 240) { try cluster.runs(backend).count == total })
        let runs = try cluster.runs(backend)
        #expect(runs.count == total)
        #expect(runs.values.allSatisfy { $0 == 1 }, "ran more than once: \(runs.filter { $0.value != 1 }.prefix(5))")
    }

    @Test func aKilledWorkersAcksLateTaskRunsElsewhereAndAnEarlyAckedOneIsLost() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        let first = try cluster.startWorker(concurrency: 2, extra: ["--lease", "1"])
        try producer.apply(.task(Signature("durable.slow_late", args: ["late", 4000])))
        try producer.apply(.task(Signature("durable.slow_early", args: ["early", 4000])))
        #expect(try cluster.eventually { try cluster.runs(backend, prefix: "started:").count == 2 })
        first.signal(SIGKILL)
        _ = first.wait(timeout: 10)
        _ = try cluster.startWorker(concurrency: 2, extra: ["--lease", "1"])
        #expect(try cluster.eventually(timeout: 30) { try cluster.runs(backend)["late"] == 1 })
        #expect(try cluster.runs(backend, prefix: "started:")["late"] == 2)
        // The early-acked task was removed when it started: the crash lost it (as in Celery).
        usleep(1_500_000)
        #expect(try cluster.runs(backend)["early"] == nil)
        #expect(try cluster.runs(backend, prefix: "started:")["early"] == 1)
    }

    @Test func countdownsAndRetriesSurviveAFullShutdown() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        let sentAt = Date()
        let countdown = try producer.apply(.task(Signature("durable.record", args: ["later"], options: ["countdown": 3])))
        let retried = try producer.apply(.task(Signature("durable.third_time", args: ["retried"])))
        let worker = try cluster.startWorker()
        #expect(try cluster.eventually { try backend.get(namespace: "durable", key: "attempt:retried:1") != nil })
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0, "the worker did not exit after SIGTERM: \(worker.stderr)")
        #expect(try cluster.runs(backend)["later"] == nil)
        _ = try cluster.startWorker()
        #expect(try cluster.eventually(timeout: 30) { try cluster.runs(backend)["later"] == 1 && cluster.runs(backend)["retried"] == 1 })
        let done = try #require(try backend.result(for: countdown.id)?.dateDone)
        #expect(done.timeIntervalSince(sentAt) >= 2.9)
        let attempts = try backend.attempts(forTask: retried.id)
        #expect(attempts.map(\.attempt) == [1, 2, 3])
        #expect(attempts.map(\.state) == [.retry, .retry, .success])
    }

    @Test func aChordAcrossTwoProcessesFiresItsBodyOnceAHundredTimesInARow() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        _ = try cluster.startWorker(concurrency: 2)
        _ = try cluster.startWorker(concurrency: 2)
        var handles: [AsyncResult] = []
        for i in 0..<100 {
            let header: [Canvas] = (1...4).map { .task(Signature("add", args: [.int(Int64(i)), .int(Int64($0))])) }
            let body = Canvas.task(Signature("durable.record", args: [.string("chord\(i)")], immutable: true))
            handles.append(try producer.apply(.chord(Chord(header, body: body))))
        }
        for handle in handles { #expect(try handle.wait(timeout: 60) == 1) }
        let runs = try cluster.runs(backend)
        #expect((0..<100).allSatisfy { runs["chord\($0)"] == 1 })
    }

    @Test func sigtermFinishesRunningTasksAndLeavesTheRestQueued() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        for i in 0..<5 { try producer.apply(.task(Signature("durable.slow_late", args: [.string("s\(i)"), 1500]))) }
        let worker = try cluster.startWorker(concurrency: 1)
        #expect(try cluster.eventually { try cluster.runs(backend, prefix: "started:").count == 1 })
        worker.signal(SIGTERM)
        #expect(worker.wait(timeout: 30) == 0, "the worker did not exit after SIGTERM: \(worker.stderr)")
        #expect(worker.stderr.contains("warm shutdown"))
        // The running task finished; the four others are still queued, none lost.
        #expect(try cluster.runs(backend).count == 1)
        let queued = try backend.inspect().queues.reduce(0) { $0 + $1.queued }
        #expect(queued == 4)
        _ = try cluster.startWorker(concurrency: 2)
        #expect(try cluster.eventually(timeout: 30) { try cluster.runs(backend).count == 5 })
        #expect(try cluster.runs(backend).values.allSatisfy { $0 == 1 })
    }

    @Test func aTaskThatKeepsKillingItsWorkerFailsAfterTheDeliveryLimit() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        let poison = try producer.apply(.task(Signature("durable.crash", args: ["poison"])))
        var restarts = 0
        while try backend.result(for: poison.id)?.state != .failure && restarts < 8 {
            let worker = try cluster.startWorker(concurrency: 1, extra: ["--lease", "0.3", "--max-deliveries", "3"])
            restarts += 1
            // The worker dies running the task, or lives on once the task failed for good.
            _ = worker.wait(timeout: 5)
            worker.stop()
        }
        let meta = try #require(try backend.result(for: poison.id))
        #expect(meta.state == .failure)
        #expect(meta.error?.type == "WorkerLostError")
        #expect(meta.error?.message.contains("delivery limit 3") == true)
        #expect(try cluster.runs(backend, prefix: "started:")["poison"] == 3)
    }

    @Test func poisonTasksDoNotCountAgainstATaskPrefetchedWithThem() throws {
        let cluster = try DurableCluster()
        let backend = try cluster.backend()
        let producer = try cluster.producer(backend)
        // Three poison tasks, then a good one: each worker prefetches all four
        // (--prefetch 4) and dies on the first. A lapsed lease of a message its
        // worker never started is redelivered uncounted, so the good task — held
        // by three dead workers before its turn comes — runs, not WorkerLostError.
        let (poisons, good) = try producer.transaction(namespace: "durable") { tx in
            let poisons = try (1...3).map { i in try tx.apply(.task(Signature("durable.crash", args: [.string("p\(i)")]))) }
            return (poisons, try tx.apply(.task(Signature("durable.record", args: ["good"]))))
        }
        var restarts = 0
        func allFailed() throws -> Bool { try poisons.allSatisfy { try backend.result(for: $0.id)?.state == .failure } }
        while try !allFailed() && restarts < 20 {
            let worker = try cluster.startWorker(concurrency: 1, extra: ["--lease", "0.3", "--max-deliveries", "3", "--prefetch", "4"])
            restarts += 1
            _ = worker.wait(timeout: 5)
            worker.stop()
        }
        #expect(try allFailed())
        #expect(try poisons.allSatisfy { try backend.result(for: $0.id)?.error?.type == "WorkerLostError" })
        #expect(try cluster.runs(backend, prefix: "started:") == ["p1": 3, "p2": 3, "p3": 3])
        #expect(try backend.result(for: good.id)?.state == .success)
        #expect(try cluster.runs(backend) == ["good": 1])
    }
}
