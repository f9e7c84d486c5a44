import Foundation
import Testing
@testable import Chorus

/// Celery's chain and group behaviours on the engine (semantics notes §2.2, §3.1, §3.2).
@Suite struct EngineChainGroupTests {
    // MARK: - chain

    @Test func chainPassesEachResultToTheNextStep() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "add(2, 3) | mul(10) | add(1)")
        #expect(try result.wait(timeout: 10) == 51)

        // One workflow: three tasks under the first task's id as root, each the parent of the next.
        let steps = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 3)
        #expect(steps.map(\.name) == ["add", "mul", "add"])
        let ids = steps.map(\.id)
        #expect(ids.last == result.id)
        #expect(steps.map(\.meta.state) == [.success, .success, .success])
        #expect(steps.map(\.meta.result) == [5, 50, 51])
        #expect(steps.map(\.meta.parentID) == [nil, ids[0], ids[1]])
        #expect(steps.map(\.record.rootID) == [ids[0], ids[0], ids[0]])
    }

    @Test func immutableStepIgnoresTheParentResult() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        // si:add(10, 20) would fail to bind if 5 were prepended (three args for two parameters).
        let result = try rt.apply(syntax: "add(2, 3) | si:add(10, 20) | mul(2)")
        #expect(try result.wait(timeout: 10) == 60)
        let steps = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 3)
        #expect(steps.map(\.meta.result) == [5, 30, 60])
    }

    @Test func celeryJSONChainWithAnImmutableStep() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let json = """
            {"task":"celery.chain","args":[],"kwargs":{"tasks":[
              {"task":"add","args":[1,2],"kwargs":{},"options":{},"subtask_type":null,"immutable":false},
              {"task":"mul","args":[],"kwargs":{"y":4},"options":{},"subtask_type":null,"immutable":false},
              {"task":"add","args":[100,1],"kwargs":{},"options":{},"subtask_type":null,"immutable":true},
              {"task":"add","args":[1000],"kwargs":{},"options":{"task_id":"chain-last"},"subtask_type":null,"immutable":false}
            ]},"options":{},"subtask_type":"chain","immutable":false}
            """
        let result = try rt.apply(json: json)
        #expect(result.id == "chain-last")
        // add(1,2)=3 -> mul(3, y=4)=12 -> si add(100,1)=101 -> add(101, 1000)=1101
        #expect(try result.wait(timeout: 10) == 1101)
        let steps = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 4)
        #expect(steps.map(\.meta.result) == [3, 12, 101, 1101])
    }

    @Test func failedStepFailsEveryRemainingStepWithoutRunningIt() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        let events = EngineHarness.events(of: rt)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"add(1, 1) | si:fail("boom") | add(1) | mul(2)"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        let steps = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.id), count: 4)
        #expect(steps.map(\.name) == ["add", "fail", "add", "mul"])
        #expect(steps.map(\.meta.state) == [.success, .failure, .failure, .failure])
        #expect(steps.dropFirst().map { $0.meta.error?.message } == ["boom", "boom", "boom"])
        #expect(steps.last?.id == result.id)
        // The last two never started.
        let started = Set(events.values.filter { $0.kind == .started }.map(\.taskID))
        #expect(started == Set(steps.prefix(2).map(\.id)))
    }

    @Test func groupReachedThroughAChainGetsTheResultOnEveryMutableMember() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "add(1, 1) | group(mul(10), mul(100), si:add(7, 7))")
        #expect(try result.wait(timeout: 10) == [20, 200, 14])
        #expect(result.members.count == 3)
    }

    // MARK: - group

    @Test func groupResultsAreInMemberOrderWhateverTheCompletionOrder() throws {
        let registry = try EngineHarness.registry()
        // Member k finishes only after the member before it in `completion` has
        // finished, so completion order is exactly 3, 1, 2, 0.
        let completion = [3, 1, 2, 0]
        let gates = (0..<4).map { _ in DispatchSemaphore(value: 0) }
        let finished = Recorder<Int>()
        let timedOut = Counter()
        try registry.register(name: "ordered", signature: "int64 (int64 tag)") { args, _ in
            let tag = Int(args[0].int64Value!)
            let position = completion.firstIndex(of: tag)!
            if position > 0, gates[completion[position - 1]].wait(timeout: .now() + 10) == .timedOut { timedOut.increment() }
            finished.append(tag)
            gates[tag].signal()
            return .i(tag * 10)
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 4)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "group(ordered(0), ordered(1), ordered(2), ordered(3))")
        #expect(try result.wait(timeout: 15) == [0, 10, 20, 30])
        #expect(finished.values == completion)
        #expect(timedOut.count == 0)
        // Members carry the group id and their index.
        #expect(result.members.map { EngineHarness.meta(rt, $0.id)?.groupID } == Array(repeating: result.id, count: 4))
        #expect(result.members.map { EngineHarness.meta(rt, $0.id)?.result } == [0, 10, 20, 30])
    }

    @Test func groupLinkFiresOnceAfterTheFirstMemberBeforeTheGroupFinishes() throws {
        let registry = try EngineHarness.registry()
        let log = Recorder<String>()
        let callbackArgs = Recorder<[JSON]>()
        let callbackRan = DispatchSemaphore(value: 0)
        let timedOut = Counter()
        try registry.register(name: "member", signature: "int64 (int64 tag)") { args, _ in
            let tag = Int(args[0].int64Value!)
            // Members 1 and 2 cannot finish before the callback has run.
            if tag != 0 {
                if callbackRan.wait(timeout: .now() + 10) == .timedOut { timedOut.increment() }
                callbackRan.signal()  // let the other waiting member through too
            }
            log.append("member \(tag)")
            return .i(tag)
        }
        try registry.register(name: "after", signature: "json (string label)") { args, context in
            callbackArgs.append(args)
            log.append("after")
            callbackRan.signal()
            return .string(context.request.parentID ?? "no parent")
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 4)
        defer { rt.shutdown() }

        var canvas = try Canvas(parsing: "group(member(0), member(1), member(2))")
        try canvas.link(Signature("after", args: ["cb"]))
        // Celery's rule: an immutable clone on member 0 only.
        guard case .group(let g) = canvas else { Issue.record("not a group"); return }
        #expect(g.tasks[0].options.link.map(\.immutable) == [true])
        #expect(g.tasks[1].options.link.isEmpty && g.tasks[2].options.link.isEmpty)

        let result = try rt.apply(canvas)
        #expect(try result.wait(timeout: 15) == [0, 1, 2])
        #expect(timedOut.count == 0)
        #expect(EngineHarness.eventually { log.count == 4 })
        let order = log.values
        #expect(order.first == "member 0")
        #expect(order[1] == "after")
        #expect(Set(order[2...]) == ["member 1", "member 2"])
        // It received only its own argument: no member result, no list of results.
        #expect(callbackArgs.values == [["cb"]])
        // Its parent is member 0.
        let afterRuns = try EngineHarness.settledTasks(rt, root: rootOf(rt, result.members[0].id), count: 4).filter { $0.name == "after" }
        #expect(afterRuns.count == 1)
        #expect(afterRuns.first?.meta.parentID == result.members[0].id)
        #expect(afterRuns.first?.meta.result == .string(result.members[0].id))
    }

    @Test func groupLinkErrorFiresOncePerFailingMember() throws {
        let registry = try EngineHarness.registry()
        let failedIDs = Recorder<String>()
        try registry.register(name: "on_member_error", signature: "void (string task_id)") { args, _ in
            failedIDs.append(args[0].stringValue!)
            return .null
        }
        let rt = try EngineHarness.runtime(registry, concurrency: 2)
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: #"group(fail("a"), add(1, 1), fail("b"), add(2, 2)).on_error(on_member_error())"#)
        #expect(throws: ChorusError.self) { try result.wait(timeout: 10) }
        for member in result.members { _ = try? member.wait(timeout: 10) }
        #expect(result.members.map(\.state) == [.failure, .success, .failure, .success])
        #expect(EngineHarness.eventually { failedIDs.count >= 2 })
        usleep(100_000)  // a (wrong) third errback would have time to show up
        #expect(failedIDs.values.sorted() == [result.members[0].id, result.members[2].id].sorted())
    }

    @Test func groupWithLinkInOptionsIsRefused() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let json = """
            {"task":"celery.group","args":[],"kwargs":{"tasks":[
              {"task":"add","args":[1,2],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}]},
             "options":{"link":[{"task":"noop","args":[],"kwargs":{},"options":{},"subtask_type":null,"immutable":false}]},
             "subtask_type":"group","immutable":false}
            """
        #expect(throws: ChorusError.self) { try rt.apply(json: json) }
    }

    @Test func emptyGroupReturnsAnEmptyList() throws {
        let rt = try EngineHarness.runtime(EngineHarness.registry())
        defer { rt.shutdown() }
        let result = try rt.apply(syntax: "group()")
        #expect(try result.wait(timeout: 5) == [])
    }
}

/// The workflow root of a finished task, from its attempt history.
func rootOf(_ runtime: Runtime, _ taskID: String) throws -> String {
    try #require(try runtime.store.attempts(forTask: taskID).last?.rootID)
}
