import Foundation
import Synchronization
import Testing

@testable import Chorus

/// On the durable backend an executor begins several short tasks in one
/// write batch (their commits shared, see `BeginSizer`), and an acks_late
/// task only ever alone.
@Suite struct SQLiteBeginBatchTests {
    let dir = TemporaryDirectory()

    /// Runs 120 no-op tasks (every tenth acks_late) as a group on one
    /// executor; returns how many pairs of attempts overlap (begun before
    /// the other finished: one batch began both), after checking that no
    /// acks_late task was begun with another and every task ran once.
    func overlappingAttempts(beginBatch: Int) throws -> Int {
        let registry = TaskRegistry()
        let runs = Mutex([String: Int]())
        let body: SwiftTaskFunction = { _, context in
            runs.withLock { $0[context.request.taskID, default: 0] += 1 }
            return .int(1)
        }
        try registry.register(name: "quick", signature: "int64 ()", function: body)
        try registry.register(name: "late", signature: "int64 ()", options: TaskOptions(acksLate: true), function: body)
        let backend = try SQLiteBackend(path: dir.database)
        let rt = try Runtime(
            registry: registry, configuration: RuntimeConfiguration(concurrency: 1, timeScale: 1, beginBatch: beginBatch),
            broker: backend, store: backend, state: backend)
        rt.start()
        defer { rt.shutdown() }
        let members = (0..<120).map { $0 % 10 == 9 ? "late()" : "quick()" }
        let group = try rt.apply(syntax: "group(\(members.joined(separator: ", ")))")
        #expect(try group.wait(timeout: 30) == JSON.array(Array(repeating: 1, count: 120)))

        // One executor runs one task at a time, so two attempts overlap
        // (begun before the other finished) only when one batch began both.
        let attempts = try backend.attempts(forRoot: group.rootID ?? group.id)
        #expect(attempts.count == 120)
        #expect(runs.withLock { $0.count == 120 && $0.values.allSatisfy { $0 == 1 } })
        var overlaps = 0
        for (i, a) in attempts.enumerated() {
            let aStart = try #require(a.startedAt), aEnd = try #require(a.finishedAt)
            for b in attempts[(i + 1)...] {
                let bStart = try #require(b.startedAt), bEnd = try #require(b.finishedAt)
                guard aStart < bEnd && bStart < aEnd else { continue }
                overlaps += 1
                #expect(a.taskName == "quick" && b.taskName == "quick", "\(a.taskName) and \(b.taskName) were begun together")
            }
        }
        return overlaps
    }

    @Test func shortTasksShareBatchesAndAcksLateOnesAreBegunAlone() throws {
        #expect(try overlappingAttempts(beginBatch: 32) > 0, "no two quick tasks were begun in one batch")
    }

    @Test func aBeginBatchOfOneBeginsEveryTaskInACommitOfItsOwn() throws {
        #expect(try overlappingAttempts(beginBatch: 1) == 0)
    }

    @Test func aBadBeginBatchIsRefusedWithOneLine() throws {
        for bad in [0, 1001] {
            #expect {
                try Runtime(registry: TaskRegistry(), configuration: RuntimeConfiguration(concurrency: 1, beginBatch: bad))
            } throws: { error in
                (error as? ChorusError)?.message == "begin batch must be between 1 and 1000 tasks, got \(bad)"
            }
        }
        let run = try ChorusBinary.run(["worker", "--db", dir.database, "--begin-batch", "0"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("begin batch must be between 1 and 1000 tasks, got 0"), "\(run.stderr)")
        #expect(run.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test func theSizerBeginsManyOnlyWhileTasksAreShort() {
        var sizer = BeginSizer(limit: 32)
        #expect(sizer.nextLimit == 1)  // nothing measured yet
        sizer.ran(10, nanoseconds: 10 * 5_000)  // 5 µs each
        #expect(sizer.nextLimit == 32)
        sizer.ran(4, nanoseconds: 4 * 250_000)  // 250 µs each: 2 ms holds 8
        #expect(sizer.nextLimit == 8)
        sizer.ran(1, nanoseconds: 50_000_000)  // one slow task: back to one at once
        #expect(sizer.nextLimit == 1)
        sizer.ran(3, nanoseconds: 0)
        #expect(sizer.nextLimit == 32)
        sizer.ran(0, nanoseconds: 1)  // nothing ran: nothing learnt
        #expect(sizer.nextLimit == 32)
        var one = BeginSizer(limit: 1)
        one.ran(10, nanoseconds: 10)
        #expect(one.nextLimit == 1)
    }
}
