import Foundation
import Testing

@testable import Chorus

@Suite struct SQLiteRetentionTests {
    let dir = TemporaryDirectory()

    @Test func resultsExpireAfterADayAndAttemptsAfterAWeekInBatches() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock)
        for i in 0..<25 {
            try store.store(ResultMeta(taskID: "r\(i)", state: .success, result: .int(Int64(i))))
            try store.recordAttempt(AttemptRecord(taskID: "r\(i)", taskName: "t", rootID: "root", attempt: 1, state: .success))
        }
        _ = try store.setChordSize(2, forGroup: "g")
        _ = try store.recordChordPart(ChordPart(taskID: "a", groupIndex: 0, state: .success, result: 1), forGroup: "g")
        try store.publish(SQLiteFixtures.message("queued"), to: "q")
        try store.registerWorker(WorkerRegistration(id: "w", hostname: "h", pid: 1, queues: ["q"], concurrency: 1, startedAt: clock.now))

        #expect(try store.purgeExpired(batchSize: 10) == PurgeReport())
        clock.advance(by: 86_400 - 1)
        #expect(try store.purgeExpired(batchSize: 10).results == 0)
        clock.advance(by: 1)
        let day = try store.purgeExpired(batchSize: 10)
        #expect(day.results == 25 && day.chords == 1 && day.attempts == 0 && day.workers == 0)
        #expect(try store.result(for: "r0") == nil)
        #expect(try store.attempts(forRoot: "root").count == 25)
        clock.advance(by: 6 * 86_400 + 1)
        let week = try store.purgeExpired(batchSize: 10)
        #expect(week.attempts == 25 && week.workers == 1)
        #expect(try store.attempts(forRoot: "root").isEmpty)
        // Queued work is never cleaned away.
        #expect(try store.claim(from: ["q"], mode: .removeOnClaim, timeout: 0)?.message.id == "queued")
    }

    @Test func expiryIsConfigurableAndRefreshedOnRewrite() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 60))
        try store.store(ResultMeta(taskID: "t", state: .started))
        clock.advance(by: 50)
        try store.store(ResultMeta(taskID: "t", state: .success, result: 1))
        clock.advance(by: 50)
        #expect(try store.purgeExpired().results == 0)
        #expect(try store.purgeExpired(now: clock.now.addingTimeInterval(10)).results == 1)
    }

    /// A result and the task's latest attempt share a row but expire apart:
    /// whichever expires first is cleared, and the row goes with the other.
    @Test func aResultAndItsLatestAttemptExpireApart() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 100, attemptExpires: 10))
        let attempt = { (n: Int) in AttemptRecord(taskID: "t", taskName: "proj.add", rootID: "t", attempt: n, state: .success) }
        try store.record(attempt(1), storing: ResultMeta(taskID: "t", state: .success, result: 5))
        clock.advance(by: 11)
        let first = try store.purgeExpired()
        #expect(first.attempts == 1 && first.results == 0)
        #expect(try store.attempts(forTask: "t").isEmpty)
        #expect(try store.result(for: "t")?.result == 5)
        clock.advance(by: 90)  // 101 s
        let second = try store.purgeExpired()
        #expect(second.results == 1 && second.attempts == 0)
        #expect(try store.result(for: "t") == nil)
        let raw = try SQLiteFixtures.rawConnection(dir.database)
        #expect(try raw.queryFirst("SELECT count(*) FROM results") { $0.int(0) } == 0)

        // The other way round: the attempt outlives the result.
        let longer = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 10, attemptExpires: 100))
        try longer.record(attempt(1), storing: ResultMeta(taskID: "t", state: .success, result: 6))
        clock.advance(by: 11)
        #expect(try longer.purgeExpired().results == 1)
        #expect(try longer.result(for: "t") == nil)
        #expect(try longer.attempts(forTask: "t").map(\.attempt) == [1])
        clock.advance(by: 90)
        #expect(try longer.purgeExpired().attempts == 1)
        #expect(try raw.queryFirst("SELECT count(*) FROM results") { $0.int(0) } == 0)
    }

    /// A new attempt recorded on its own moves the row last (in the listing
    /// order and the sweep's walk): a result in it is then kept at least as
    /// long as one written at that moment, and still expires.
    @Test func aRowMovedByANewAttemptStillExpires() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 100, attemptExpires: 100))
        try store.store(ResultMeta(taskID: "t", state: .retry))
        clock.advance(by: 50)
        try store.store(ResultMeta(taskID: "later", state: .success, result: 1))
        try store.recordAttempt(AttemptRecord(taskID: "t", taskName: "proj.add", rootID: "t", attempt: 1, state: .started))
        clock.advance(by: 51)  // 101 s: t's result was due at 100 s, but the move at 50 s rewrote it
        #expect(try store.purgeExpired().results == 0)
        #expect(try store.result(for: "t")?.state == .retry)
        clock.advance(by: 50)
        let report = try store.purgeExpired()
        #expect(report.results == 2 && report.attempts == 1)
        #expect(try store.result(for: "t") == nil && store.attempts(forTask: "t").isEmpty)
    }

    /// The sweep walks rows oldest first: one kept because it was rewritten
    /// later does not keep the expired ones after it, in batches or not.
    @Test func aRewrittenResultIsKeptWhileLaterOnesExpire() throws {
        let clock = ManualClock()
        let store = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 60, attemptExpires: 60))
        try store.store(ResultMeta(taskID: "long", state: .started))
        try store.recordAttempt(AttemptRecord(taskID: "long", taskName: "t", rootID: "long", attempt: 1, state: .started))
        for i in 0..<5 {
            clock.advance(by: 1)
            try store.store(ResultMeta(taskID: "r\(i)", state: .success, result: 1))
            try store.recordAttempt(AttemptRecord(taskID: "r\(i)", taskName: "t", rootID: "long", attempt: 1, state: .success))
        }
        clock.advance(by: 40)  // 45 s after the first write
        try store.store(ResultMeta(taskID: "long", state: .success, result: 2))
        try store.recordAttempt(AttemptRecord(taskID: "long", taskName: "t", rootID: "long", attempt: 1, state: .success))
        clock.advance(by: 18)  // r0..r2 expired, r3 and r4 not yet
        let first = try store.purgeExpired(batchSize: 2)
        #expect(first.results == 3 && first.attempts == 3)
        #expect(try store.result(for: "long")?.result == 2)
        #expect(try store.result(for: "r3") != nil)
        #expect(try store.attempts(forRoot: "long").map(\.taskID) == ["long", "r3", "r4"])
        clock.advance(by: 2)
        #expect(try store.purgeExpired(batchSize: 2).results == 2)
        clock.advance(by: 45)  // more than 60 s after "long" was rewritten
        let last = try store.purgeExpired()
        #expect(last.results == 1 && last.attempts == 1)
        #expect(try store.result(for: "long") == nil)
        #expect(try store.attempts(forRoot: "long").isEmpty)
    }

    /// Rows of a process that keeps results longer are passed over (and
    /// not walked again) while the sweeping one's own expire around them;
    /// they go once their own expiry comes.
    @Test func rowsKeptLongerByAnotherProcessExpireOnTheirOwnTime() throws {
        let clock = ManualClock()
        let keeper = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 600))
        let sweeper = try SQLiteBackend(path: dir.database, clock: clock, options: .init(resultExpires: 60))
        try keeper.store(ResultMeta(taskID: "kept", state: .success, result: 1))
        clock.advance(by: 1)
        try sweeper.store(ResultMeta(taskID: "s1", state: .success, result: 1))
        clock.advance(by: 1)
        try sweeper.store(ResultMeta(taskID: "s2", state: .success, result: 1))
        clock.advance(by: 70)
        try sweeper.store(ResultMeta(taskID: "s3", state: .success, result: 1))
        #expect(try sweeper.purgeExpired(batchSize: 1).results == 2)  // s1, s2; the walk stops at s3
        clock.advance(by: 70)
        try keeper.store(ResultMeta(taskID: "kept2", state: .success, result: 1))
        #expect(try sweeper.purgeExpired(batchSize: 1).results == 1)  // s3, resuming after s2
        #expect(try sweeper.result(for: "kept") != nil)
        // Everything gone: row ids may start over, and new rows still expire.
        clock.advance(by: 600)
        #expect(try sweeper.purgeExpired(batchSize: 1).results == 2)
        try sweeper.store(ResultMeta(taskID: "s4", state: .success, result: 1))
        clock.advance(by: 60)
        #expect(try sweeper.purgeExpired().results == 1)
        #expect(try sweeper.result(for: "s4") == nil)
    }

    @Test func inspectCountsQueuesAndShowsStaleWorkers() throws {
        let clock = ManualClock()
        let backend = try SQLiteBackend(path: dir.database, clock: clock)
        for i in 0..<3 { try backend.publish(SQLiteFixtures.message("c\(i)"), to: "celery") }
        try backend.publish(SQLiteFixtures.message("later", eta: clock.now.addingTimeInterval(100)), to: "celery")
        try backend.publish(SQLiteFixtures.message("v"), to: "video")
        _ = try backend.claim(from: ["celery"], mode: .lease(seconds: 60), timeout: 0)
        let started = clock.now
        try backend.registerWorker(WorkerRegistration(id: "w1", hostname: "host", pid: 11, queues: ["celery", "video"], concurrency: 4, startedAt: started))
        try backend.registerWorker(WorkerRegistration(id: "w2", hostname: "host", pid: 12, queues: ["celery"], concurrency: 2, startedAt: started))
        clock.advance(by: 40)
        #expect(try backend.heartbeat(workerID: "w1"))
        #expect(try backend.heartbeat(workerID: "ghost") == false)
        let report = try backend.inspect(staleAfter: 30)
        #expect(report.queues == [
            .init(queue: "celery", queued: 2, scheduled: 1, running: 1),
            .init(queue: "video", queued: 1, scheduled: 0, running: 0),
        ])
        #expect(report.workers.map(\.registration.id) == ["w1", "w2"])
        #expect(report.workers.map(\.isStale) == [false, true])
        #expect(report.workers[0].registration.queues == ["celery", "video"] && report.workers[0].lastHeartbeat == clock.now)
        #expect(try backend.unregisterWorker(id: "w2"))
        #expect(try backend.inspect().workers.count == 1)
        // A lapsed lease counts as queued again.
        clock.advance(by: 30)
        #expect(try backend.inspect().queues.first == .init(queue: "celery", queued: 3, scheduled: 1, running: 0))
    }
}
