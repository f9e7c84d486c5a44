import Foundation
import Testing
@testable import Chorus

/// Celery's chord behaviours and canvas nesting on the engine (semantics notes §3.1, §3.3).
@Suite struct EngineChordTests {
    @Test func chordBodyGetsHeaderResultsInHeaderOrder() throws {
        let registry = try EngineHarness.registry()
        // Completion order forced to 2, 0, 3, 1.
        let completion = [2, 0, 3, 1]
        let gates = (0..<4).map { _ in DispatchSemaphore(value: 0) }
        let finished = Recorder<Int>()
        try registry.register(name: "ordered", signature: "int64 (int64 tag)") { args, _ in
            let tag = Int(args[0].int64Value!)
            let position = completion.firstIndex(of: tag)!
            if position > 0 { _ = gates[completion[position - 1]].wait(timeout: .now() + 10) }
            finished.append(tag)
            gates[tag].signal()
            return .i(tag + 100)
        }
        let bodyArgs = Recorder<[JSON]>()
        try registry.register(name: "collect", signature: "json (json results, string label)") { args, _ in
            bodyArgs.append(args)
            return args[0]
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 4)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"chord(ordered(0), ordered(1), ordered(2), ordered(3)) | collect("body")"#)
        #expect(try result.wait(timeout: 15) == [100, 101, 102, 103])
        #expect(finished.values == completion)
        // The body ran once, with the list prepended to its own args.
        #expect(bodyArgs.values == [[[100, 101, 102, 103], "body"]])
    }

    @Test func failingHeaderFailsTheBodyOnceWithoutRunningIt() throws {
        let registry = try EngineHarness.registry()
        let errbackCalls = Recorder<[JSON]>()
        try registry.register(name: "chord_failed", signature: "void (string task_id, string error)") { args, _ in
            errbackCalls.append(args)
            return .null
        }
        let bodyRuns = Counter()
        try registry.register(name: "body", signature: "int64 (json results)") { _, _ in
            bodyRuns.increment()
            return 0
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 2)
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }

        var canvas = Canvas.chord(Chord(
            [try Canvas(parsing: "add(1, 1)"), try Canvas(parsing: #"fail("header boom")"#), try Canvas(parsing: "add(2, 2)")],
            body: .task(Signature("body"))))
        canvas.linkError(Signature("chord_failed"))
        let result = try rt.apply(canvas)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }

        let rootID = try rootOf(rt, result.id)
        let failedHeader = try #require(try rt.store.attempts(forRoot: rootID).first { $0.taskName == "fail" }?.taskID)
        let expectedMessage = "Dependency \(failedHeader) raised TaskError('header boom')"

        // Body stored FAILURE with a ChordError naming the failed header task.
        let meta = try #require(result.meta)
        #expect(meta.state == .failure)
        #expect(meta.error?.type == "ChordError")
        #expect(meta.error?.message == expectedMessage)

        // The body's errback ran exactly once, with the body's id and the ChordError message.
        #expect(EngineHarness.eventually { errbackCalls.count >= 1 })
        usleep(100_000)
        #expect(errbackCalls.values == [[.string(result.id), .string(expectedMessage)]])

        // The body never ran.
        #expect(bodyRuns.count == 0)
        #expect(!events.values.contains { $0.taskID == result.id && $0.kind == .started })
        #expect(try rt.store.attempts(forTask: result.id).map(\.state) == [.failure])
    }

    @Test func oneParameterChordErrbackGetsTheBodyID() throws {
        let registry = try EngineHarness.registry()
        let calls = Recorder<[JSON]>()
        try registry.register(name: "chord_eb", signature: "void (string task_id)") { args, _ in
            calls.append(args)
            return .null
        }
        let rt = try EngineHarness.runtime(registry)
        defer { rt.shutdown() }
        var canvas = try Canvas(parsing: #"chord(fail("a"), fail("b"), body=tsum())"#)
        canvas.linkError(Signature("chord_eb"))
        let result = try rt.apply(canvas)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(EngineHarness.eventually { calls.count >= 1 })
        usleep(100_000)
        // Two header members failed; the body's errback still runs once.
        #expect(calls.values == [[.string(result.id)]])
    }

    @Test func retryingHeaderMemberIsCountedOnlyWhenItFinishes() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // flaky(2) retries twice (backoff 1 s, 2 s at scale 0.001) and returns 2.
        let result = try rt.apply(syntax: "chord(flaky(2), add(1, 1), flaky(1)) | echo()")
        #expect(try result.wait(timeout: 10) == [2, 2, 1])
    }

    @Test func emptyChordRunsTheBodyWithAnEmptyList() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let echoed = try rt.apply(.chord(Chord([], body: .task(Signature("echo")))))
        #expect(try echoed.wait(timeout: 10) == [])
        let summed = try rt.apply(.chord(Chord([], body: .task(Signature("tsum")))))
        #expect(try summed.wait(timeout: 10) == 0)
    }

    // MARK: - nesting

    @Test func groupFollowedByATaskInAChainBecomesAChord() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let canvas = try Canvas(parsing: "group(add(1, 1), add(2, 2), add(3, 3)) | echo()")
        guard case .chord = try canvas.normalized() else {
            Issue.record("group | task did not normalise to a chord")
            return
        }
        let result = try rt.apply(canvas)
        #expect(try result.wait(timeout: 10) == [2, 4, 6])
    }

    @Test func chordInsideAChain() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // add -> 3; header mul(3,10), mul(3,100) -> [30, 300]; tsum -> 330; mul(330, 2) -> 660.
        let result = try rt.apply(syntax: "add(1, 2) | chord(mul(10), mul(100), body=tsum()) | mul(2)")
        #expect(try result.wait(timeout: 10) == 660)
        let steps = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 5)
        #expect(steps.map(\.name).sorted() == ["add", "mul", "mul", "mul", "tsum"])
        #expect(steps.allSatisfy { $0.meta.state == .success })
    }

    @Test func failureInsideAChordInsideAChainFailsTheRestWithoutHanging() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"add(1, 2) | chord(mul(10), si:fail("inner"), body=tsum()) | mul(2)"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(result.meta?.state == .failure)
        #expect(result.meta?.error?.type == "ChordError")
    }

    @Test func failedChordFailsAGroupStepAfterIt() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // The group after the chord can never run: each member must be FAILURE, not left PENDING.
        let result = try rt.apply(syntax: #"chord(si:fail("x"), add(1, 1), body=tsum()) | group(mul(2), mul(3))"#)
        do {
            _ = try result.wait(timeout: 10)
            Issue.record("the group after a failed chord returned a result")
        } catch {
            #expect(error.code == .taskFailed)
        }
        #expect(result.members.count == 2)
        for member in result.members { _ = try? member.wait(timeout: 10) }
        #expect(result.members.map(\.state) == [.failure, .failure])
        #expect(result.members.map { $0.meta?.error?.type } == ["ChordError", "ChordError"])
    }

    @Test func failedChainStepFailsALaterChordAndItsBody() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"si:fail("early") | chord(add(1, 1), add(2, 2), body=tsum()) | mul(2)"#)
        do {
            _ = try result.wait(timeout: 10)
            Issue.record("returned a result")
        } catch {
            #expect(error.code == .taskFailed)
        }
        #expect(result.meta?.error?.message == "early")
    }

    @Test func chainAsAGroupMember() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "group(add(1, 1) | mul(3) | add(1), add(5, 5))")
        #expect(try result.wait(timeout: 10) == [7, 10])
        // The group's first handle is the chain's last task.
        #expect(try rt.store.attempts(forTask: result.members[0].id).last?.taskName == "add")
        #expect(EngineHarness.meta(rt, result.members[0].id)?.groupID == result.id)
    }

    @Test func chainAsAChordHeaderMember() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "chord(add(1, 1) | mul(3), add(5, 5)) | echo()")
        #expect(try result.wait(timeout: 10) == [6, 10])
    }

    @Test func chordInsideAChordHeader() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // Inner chord: [2, 4] -> 6. Outer header: [6, 20] -> echo.
        let result = try rt.apply(syntax: "chord(chord(add(1, 1), add(2, 2), body=tsum()), add(10, 10)) | echo()")
        #expect(try result.wait(timeout: 10) == [6, 20])
    }

    @Test func failingChordInsideAChordHeaderFailsTheOuterBody() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"chord(chord(add(1, 1), fail("deep"), body=tsum()), add(10, 10)) | echo()"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(result.meta?.error?.type == "ChordError")
    }

    @Test func groupInsideAChordHeaderIsFlattened() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "chord(group(add(1, 1), add(2, 2)), add(3, 3)) | echo()")
        #expect(try result.wait(timeout: 10) == [2, 4, 6])
    }

    @Test func chordOfChordsThenAChain() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // group | group | task: chord(g1, chord(g2, task)); g2's members get g1's results list.
        let result = try rt.apply(syntax: "group(add(1, 1), add(2, 2)) | tsum() | group(mul(2), mul(3)) | echo()")
        #expect(try result.wait(timeout: 10) == [12, 18])
    }
}
