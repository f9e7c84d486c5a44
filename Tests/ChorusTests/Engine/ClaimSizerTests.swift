import Foundation
import Testing

@testable import Chorus

/// `ClaimSizer`: claims grow to about 10 ms of work while tasks drain fast,
/// and fall back to `prefetch` as soon as they do not; long tasks are still
/// shared out between workers.
@Suite struct ClaimSizerTests {
    let ms: UInt64 = 1_000_000

    @Test func theFirstClaimTakesPrefetch() {
        var sizer = ClaimSizer(prefetch: 4, burst: 64)
        #expect(sizer.nextLimit(now: 0) == 4)
    }

    @Test func aFastDrainGrowsTheClaimToAboutTenMillisecondsOfWork() {
        var sizer = ClaimSizer(prefetch: 4, burst: 64)
        sizer.claimed(4, now: 0)
        // 4 tasks in 2 ms: 20 fill 10 ms.
        #expect(sizer.nextLimit(now: 2 * ms) == 20)
        // 4 in 0.1 ms would be 400: capped at the burst.
        #expect(sizer.nextLimit(now: ms / 10) == 64)
        // Worked through at once (no measurable time): the burst.
        #expect(sizer.nextLimit(now: 0) == 64)
    }

    @Test func slowTasksOrAnEmptyClaimFallBackToPrefetch() {
        var sizer = ClaimSizer(prefetch: 4, burst: 64)
        sizer.claimed(64, now: 0)
        // 64 tasks took 1 s: 0.64 fill 10 ms, so the floor.
        #expect(sizer.nextLimit(now: 1_000 * ms) == 4)
        sizer.claimed(0, now: 1_000 * ms)
        #expect(sizer.nextLimit(now: 1_000 * ms + 1) == 4)
    }

    @Test func aBurstNoLargerThanPrefetchTurnsItOff() {
        var sizer = ClaimSizer(prefetch: 8, burst: 8)
        sizer.claimed(8, now: 0)
        #expect(sizer.nextLimit(now: 1) == 8)
        // A burst below prefetch is read as prefetch, never fewer.
        var lower = ClaimSizer(prefetch: 8, burst: 2)
        lower.claimed(8, now: 0)
        #expect(lower.nextLimit(now: 1) == 8)
    }

    @Test func aBadBurstIsRefusedWithOneLine() throws {
        for bad in [0, 1001] {
            #expect {
                try Runtime(registry: TaskRegistry(), configuration: RuntimeConfiguration(concurrency: 1, prefetchBurst: bad))
            } throws: { error in
                (error as? ChorusError)?.message == "prefetch burst must be between 1 and 1000 messages, got \(bad)"
            }
        }
    }

    /// Two workers on one database, each with one executor and prefetch 1.
    /// After a run of fast tasks (claims grown to the burst), slow ones are
    /// still shared: the first slow claim is measured and falls back to one.
    @Test func slowTasksAfterFastOnesAreSharedBetweenWorkers() throws {
        let dir = TemporaryDirectory()
        let registry = try EngineHarness.registry()
        func worker() throws -> (Runtime, Recorder<TaskEvent>) {
            let backend = try SQLiteBackend(path: dir.database)
            let rt = try Runtime(
                registry: registry, configuration: RuntimeConfiguration(concurrency: 1, prefetch: 1, prefetchBurst: 64),
                broker: backend, store: backend, state: backend)
            let events = EngineHarness.events(of: rt)
            rt.start()
            return (rt, events)
        }
        let (first, firstEvents) = try worker()
        defer { first.shutdown() }
        let (second, secondEvents) = try worker()
        defer { second.shutdown() }
        let producerBackend = try SQLiteBackend(path: dir.database)
        let producer = try Runtime(registry: registry, configuration: RuntimeConfiguration(concurrency: 1), broker: producerBackend, store: producerBackend, state: producerBackend)

        let fast = try producer.transaction(namespace: "test") { tx in try (0..<400).map { i in try tx.apply(.task(Signature("identity", args: [.int(Int64(i))]))) } }
        _ = try AsyncResult.waitAll(fast, timeout: 60)
        let slow = try producer.transaction(namespace: "test") { tx in try (0..<6).map { _ in try tx.apply(.task(Signature("sleep_ms", args: [120]))) } }
        _ = try AsyncResult.waitAll(slow, timeout: 60)

        let slowIDs = Set(slow.map(\.id))
        func ran(_ events: Recorder<TaskEvent>) -> Int {
            events.values.filter { $0.kind == .started && slowIDs.contains($0.taskID) }.count
        }
        #expect(ran(firstEvents) + ran(secondEvents) == 6)
        #expect(ran(firstEvents) >= 2 && ran(secondEvents) >= 2, "first ran \(ran(firstEvents)), second \(ran(secondEvents))")
    }
}

/// `chorus worker --prefetch-burst`: a bad value is refused with one line
/// before anything starts.
@Suite struct PrefetchBurstOptionTests {
    let dir = TemporaryDirectory()

    @Test func aBadBurstIsRefusedByTheWorkerCommand() throws {
        let run = try ChorusBinary.run(["worker", "--db", dir.database, "--prefetch-burst", "0"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("prefetch burst must be between 1 and 1000 messages, got 0"), "\(run.stderr)")
        #expect(run.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
