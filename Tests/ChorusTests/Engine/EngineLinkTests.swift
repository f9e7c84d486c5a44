import Foundation
import Testing
@testable import Chorus

/// `link` / `link_error` on single tasks (semantics notes §2.1) and what an
/// errback receives (see `Runtime.runErrback`): the failed task's id, plus its
/// error message when the errback task declares two free parameters.
@Suite struct EngineLinkTests {
    /// A registry with recording errbacks of one and two parameters.
    final class Fixture: Sendable {
        let registry: TaskRegistry
        let calls = Recorder<(task: String, args: [JSON])>()

        init() throws {
            registry = try EngineHarness.registry()
            let calls = self.calls
            try registry.register(name: "eb1", signature: "string (string task_id)") { args, _ in
                calls.append(("eb1", args))
                return args[0]
            }
            try registry.register(name: "eb2", signature: "string (string task_id, string error)") { args, _ in
                calls.append(("eb2", args))
                return args[1]
            }
            try registry.register(name: "eb_labelled", signature: "string (string task_id, string label)") { args, _ in
                calls.append(("eb_labelled", args))
                return args[1]
            }
            try registry.register(name: "cb", signature: "json (json value)") { args, _ in
                calls.append(("cb", args))
                return args[0]
            }
        }

        func waitForCalls(_ n: Int) -> [(task: String, args: [JSON])] {
            _ = EngineHarness.eventually { calls.count >= n }
            usleep(100_000)  // room for a wrong extra call to show up
            return calls.values
        }
    }

    @Test func linkInJSONOptionsGetsTheResultAndTheParent() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let json = """
            {"task":"add","args":[2,3],"kwargs":{},"subtask_type":null,"immutable":false,"options":{
              "task_id":"linked-add",
              "link":[{"task":"mul","args":[10],"kwargs":{},"options":{"task_id":"the-callback"},"subtask_type":null,"immutable":false}]}}
            """
        let result = try rt.apply(json: json)
        #expect(result.id == "linked-add")
        #expect(try result.wait(timeout: 10) == 5)
        let callback = AsyncResult(handle: .task(id: "the-callback"), runtime: rt)
        #expect(try callback.wait(timeout: 10) == 50)
        #expect(callback.meta?.parentID == "linked-add")
        #expect(try rt.store.attempts(forTask: "the-callback").first?.rootID == "linked-add")
    }

    @Test func severalLinksAllGetTheResult() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "add(20, 1).on_success(cb()).on_success(mul(2))")
        #expect(try result.wait(timeout: 10) == 21)
        let calls = f.waitForCalls(1)
        #expect(calls.map(\.task) == ["cb"])
        #expect(calls.first?.args == [21])
        let children = try EngineHarness.settledTasks(rt, root: result.id, count: 3).filter { $0.name == "mul" }
        #expect(children.count == 1)
        #expect(children.first?.meta.result == 42)
        #expect(children.first?.meta.parentID == result.id)
    }

    @Test func oneParameterErrbackGetsOnlyTheFailedTaskID() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"fail("boom").on_error(eb1())"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let calls = f.waitForCalls(1)
        #expect(calls.count == 1)
        #expect(calls.first?.task == "eb1")
        #expect(calls.first?.args == [.string(result.id)])
        // The errback is a child of the failed task.
        let errback = try #require(try EngineHarness.settledTasks(rt, root: result.id, count: 2).first { $0.name == "eb1" })
        #expect(errback.meta.parentID == result.id)
        #expect(errback.meta.result == .string(result.id))
    }

    @Test func twoParameterErrbackAlsoGetsTheErrorMessage() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let json = """
            {"task":"fail","args":["disk full"],"kwargs":{},"subtask_type":null,"immutable":false,"options":{
              "link_error":{"task":"eb2","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}}}
            """
        let result = try rt.apply(json: json)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let calls = f.waitForCalls(1)
        #expect(calls.count == 1)
        #expect(calls.first?.task == "eb2")
        #expect(calls.first?.args == [.string(result.id), "disk full"])
    }

    @Test func storedArgsCountAgainstTheErrbackParameters() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        // Two parameters, one filled by a stored arg: only the id is prepended.
        let result = try rt.apply(syntax: #"fail("x").on_error(eb_labelled("nightly"))"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let calls = f.waitForCalls(1)
        #expect(calls.count == 1)
        #expect(calls.first?.args == [.string(result.id), "nightly"])
    }

    @Test func immutableErrbackGetsNothing() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"fail("x").on_error(si:eb2("fixed", "args"))"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let calls = f.waitForCalls(1)
        #expect(calls.map(\.args) == [["fixed", "args"]])
    }

    @Test func errbacksAreNotCalledForRetriesAndCallbacksOnlyOnFinalSuccess() throws {
        let f = try Fixture()
        let runs = Counter()
        try f.registry.register(name: "twice_then_ok", signature: "int64 ()") { _, context in
            runs.increment()
            if context.request.retries < 2 { throw TaskRetry(countdown: 0, message: "again") }
            return 7
        }
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "twice_then_ok().on_success(cb()).on_error(eb1())")
        #expect(try result.wait(timeout: 10) == 7)
        let calls = f.waitForCalls(1)
        #expect(runs.count == 3)
        #expect(calls.map(\.task) == ["cb"])
        #expect(calls.first?.args == [7])
    }

    @Test func errbackRunsOnceAfterRetriesAreExhausted() throws {
        let f = try Fixture()
        let rt = try EngineHarness.runtime(f.registry)
        defer { rt.shutdown() }
        // flaky(10) with max_retries 2 (countdown 0 via backoff off and default delay 0): three runs, then FAILURE.
        let json = """
            {"task":"flaky","args":[10],"kwargs":{},"subtask_type":null,"immutable":false,"options":{
              "max_retries":2,"retry_backoff":false,"default_retry_delay":0,
              "link_error":[{"task":"eb2","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}]}}
            """
        let result = try rt.apply(json: json)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let calls = f.waitForCalls(1)
        #expect(calls.count == 1)
        #expect(calls.first?.args == [.string(result.id), "flaky failure 3 of 10"])
        #expect(try rt.store.attempts(forTask: result.id).map(\.state) == [.retry, .retry, .failure])
    }
}
