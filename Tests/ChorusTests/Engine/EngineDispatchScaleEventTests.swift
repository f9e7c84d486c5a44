import Foundation
import Testing
@testable import Chorus

/// Dispatch from inside a task, large canvases, and the event stream.
@Suite struct EngineDispatchScaleEventTests {
    // MARK: - dispatch from inside a task

    @Test func swiftTaskDispatchingInAOneExecutorPoolDoesNotDeadlock() throws {
        let registry = try EngineHarness.registry()
        try registry.register(name: "fan_out", signature: "json (int64 n)") { args, context in
            let n = args[0].int64Value!
            // A group of n adds, then their sum: a chord, published from inside this task.
            let members = (0..<n).map { #"{"task":"add","args":[\#($0),\#($0)],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}"# }
            let chord = """
                {"task":"celery.chord","args":[],"kwargs":{"kwargs":{},"header":[\(members.joined(separator: ","))],
                 "body":{"task":"tsum","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}},
                 "options":{},"subtask_type":"chord","immutable":false}
                """
            let body = try context.dispatch(canvasJSON: chord)
            let single = try context.dispatch(canvasJSON: #"{"task":"mul","args":[6,7],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}"#)
            return .array([.string(body), .string(single)])
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 1)
        defer { rt.shutdown() }
        let parent = try rt.apply(syntax: "fan_out(5)")
        let ids = try #require(try parent.wait(timeout: 10).arrayValue?.compactMap(\.stringValue))
        #expect(ids.count == 2)
        let body = AsyncResult(handle: .task(id: ids[0]), runtime: rt)
        let single = AsyncResult(handle: .task(id: ids[1]), runtime: rt)
        #expect(try body.wait(timeout: 10) == 20)  // 2 * (0+1+2+3+4)
        #expect(try single.wait(timeout: 10) == 42)
        // Dispatched work belongs to the dispatching task's workflow.
        #expect(single.meta?.parentID == parent.id)
        #expect(try rt.store.attempts(forTask: ids[1]).first?.rootID == parent.id)
    }

    @Test func cTaskDispatchingThroughTheHostAPIInAOneExecutorPool() throws {
        let registry = try EngineHarness.registry()
        try registry.loadPlugin(at: try PluginBuilder.fixture("dispatcher"))
        let rt = try EngineHarness.runtime(registry, concurrency: 1)
        defer { rt.shutdown() }
        let parent = try rt.apply(syntax: "spawn(4)")
        let childID = try #require(try parent.wait(timeout: 10).stringValue)
        let child = AsyncResult(handle: .task(id: childID), runtime: rt)
        #expect(try child.wait(timeout: 10) == 50)  // (4 + 1) * 10
        let workflow = try EngineHarness.settledTasks(rt, root: parent.id, count: 3)
        #expect(workflow.map(\.name) == ["spawn", "add", "mul"])
        #expect(workflow.map(\.meta.state) == [.success, .success, .success])
        #expect(workflow[1].meta.parentID == parent.id)
    }

    // MARK: - scale

    @Test func tenThousandMemberGroup() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry(), concurrency: 2)
        defer { rt.shutdown() }
        let n = 10_000
        let group = Canvas.group(Group((0..<n).map { .task(Signature("identity", args: [.i($0)])) }))
        let result = try rt.apply(group)
        #expect(result.members.count == n)
        #expect(try result.wait(timeout: 60) == .array((0..<n).map { .i($0) }))
    }

    @Test func tenThousandTaskChord() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry(), concurrency: 2)
        defer { rt.shutdown() }
        let n = 10_000
        // chord(header, echo | tsum) runs as chord(header, echo) | tsum: echo's
        // result shows the exact ordered list, tsum that a C task can take it.
        let header: [Canvas] = (0..<n).map { .task(Signature("identity", args: [.i($0)])) }
        let result = try rt.apply(.chord(Chord(header, body: try Canvas(parsing: "echo() | tsum()"))))
        #expect(try result.wait(timeout: 60) == .i(n * (n - 1) / 2))
        let echo = try #require(try rt.store.attempts(forRoot: rootOf(rt, result.id)).first { $0.taskName == "echo" })
        #expect(try EngineHarness.settled(rt, echo.taskID).result == .array((0..<n).map { .i($0) }))
    }

    @Test func thousandStepChain() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry(), concurrency: 2)
        defer { rt.shutdown() }
        let steps: [Canvas] = [.task(Signature("identity", args: [0]))] + (1..<1_000).map { _ in .task(Signature("add", args: [1])) }
        let result = try rt.apply(.chain(Chain(steps)))
        #expect(try result.wait(timeout: 60) == 999)
        let ran = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 1_000)
        #expect(ran.count == 1_000)
        #expect(ran.map(\.meta.result) == (0..<1_000).map { JSON.i($0) })
    }

    // MARK: - events

    static func kinds(_ events: Recorder<TaskEvent>, _ id: String) -> [TaskEvent.Kind] {
        events.values.filter { $0.taskID == id }.map(\.kind)
    }

    @Test func eventsOfOneSucceedingTask() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "add(1, 2)")
        #expect(try result.wait(timeout: 10) == 3)
        #expect(EngineHarness.eventually { Self.kinds(events, result.id).count == 3 })
        let mine = events.values.filter { $0.taskID == result.id }
        #expect(mine.map(\.kind) == [.sent, .started, .succeeded])
        #expect(mine.map(\.attempt) == [1, 1, 1])
        #expect(mine.map(\.taskName) == ["add", "add", "add"])
        #expect(mine.last?.result == 3)
        #expect(mine.allSatisfy { $0.rootID == result.id })
    }

    @Test func eventsOfARetriedThenSucceedingTask() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }
        let result = try rt.apply(json: #"{"task":"flaky","args":[2],"kwargs":{},"options":{"retry_jitter":false},"subtask_type":null,"immutable":false}"#)
        #expect(try result.wait(timeout: 10) == 2)
        #expect(EngineHarness.eventually { Self.kinds(events, result.id).count == 7 })
        let mine = events.values.filter { $0.taskID == result.id }
        #expect(mine.map(\.kind) == [.sent, .started, .retried, .started, .retried, .started, .succeeded])
        #expect(mine.map(\.attempt) == [1, 1, 1, 2, 2, 3, 3])
        #expect(mine.filter { $0.kind == .retried }.map(\.countdown) == [1, 2])
        #expect(mine.filter { $0.kind == .retried }.map(\.error) == ["flaky failure 1 of 2", "flaky failure 2 of 2"])
    }

    @Test func eventsOfAFailingTask() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"fail("nope")"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        #expect(EngineHarness.eventually { Self.kinds(events, result.id).count == 3 })
        let mine = events.values.filter { $0.taskID == result.id }
        #expect(mine.map(\.kind) == [.sent, .started, .failed])
        #expect(mine.last?.error == "nope")
    }

    /// With no retry delay, the next attempt is claimable at once by another
    /// executor; the RETRY must still be reported (and stored) before that
    /// attempt starts, and must never overwrite the later attempt's outcome.
    @Test func immediateRetriesAreReportedBeforeTheNextAttemptStarts() throws {
        let registry = try EngineHarness.registry()
        try registry.register(name: "bounce", signature: "int64 (int64 ok)", options: TaskOptions(maxRetries: 2, autoretry: true, defaultRetryDelay: 0)) { args, context in
            if context.request.retries < 2 { throw TaskFailure("bounce \(context.request.retries)") }
            if args[0].int64Value == 0 { throw TaskFailure("final") }
            return .i(context.request.retries)
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 4)
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }
        let results = try (0..<40).map { i in try rt.apply(syntax: "bounce(\(i % 2))") }
        for (i, result) in results.enumerated() {
            if i % 2 == 1 {
                #expect(try result.wait(timeout: 20) == 2)
            } else {
                #expect(throws: ChorusError.self) { try result.wait(timeout: 20) }
            }
        }
        #expect(EngineHarness.eventually { results.allSatisfy { Self.kinds(events, $0.id).count == 7 } })
        for (i, result) in results.enumerated() {
            let last: TaskEvent.Kind = i % 2 == 1 ? .succeeded : .failed
            #expect(Self.kinds(events, result.id) == [.sent, .started, .retried, .started, .retried, .started, last])
            #expect(result.meta?.state == (i % 2 == 1 ? .success : .failure))
            #expect(try rt.store.attempts(forTask: result.id).map(\.state) == [.retry, .retry, i % 2 == 1 ? .success : .failure])
        }
    }
}
