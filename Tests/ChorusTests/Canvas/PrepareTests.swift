import Testing
@testable import Chorus

/// Freezing and the publish plan (Celery's freeze + prepare_steps + _chord.run).
@Suite struct PrepareTests {
    func plan(_ text: String, _ args: [JSON] = []) throws -> PublishPlan {
        try canvas(text).prepare(partialArgs: args, idGenerator: SequentialTaskIDs(prefix: "t"))
    }

    @Test func singleTask() throws {
        let p = try plan("add(2, 3)")
        #expect(p.messages == [Signature("add", args: [2, 3], options: ["task_id": "t1", "root_id": "t1"])])
        #expect(p.result == .task(id: "t1"))
        #expect(p.chordRegistrations.isEmpty)
        #expect(p.messages[0].options.parentId == nil)
    }

    @Test func chainPublishesTheFirstStepWithTheRestReversed() throws {
        let p = try plan("add(1, 2) | add(3) | si:add(10, 10)")
        #expect(p.messages.count == 1)
        let first = p.messages[0]
        #expect(first.args == [1, 2])
        #expect(first.options.taskId == "t1")
        #expect(first.options.rootId == "t1")
        #expect(first.options.chain == [
            Signature("add", args: [10, 10], options: ["task_id": "t3", "root_id": "t1"], immutable: true),
            Signature("add", args: [3], options: ["task_id": "t2", "root_id": "t1"]),
        ])
        #expect(p.result == .task(id: "t3"))
    }

    @Test func groupMembersCarryGroupIdAndIndex() throws {
        let p = try plan("group(add(1, 1), add(2, 2))")
        #expect(p.messages.map(\.options.taskId) == ["t2", "t3"])
        #expect(p.messages.map(\.options.groupId) == ["t1", "t1"])
        #expect(p.messages.map(\.options.groupIndex) == [0, 1])
        #expect(p.messages.map(\.options.rootId) == ["t2", "t2"])
        #expect(p.result == .group(id: "t1", members: [.task(id: "t2"), .task(id: "t3")]))
        #expect(p.chordRegistrations.isEmpty)
    }

    @Test func emptyGroupPublishesNothing() throws {
        let p = try plan("group()")
        #expect(p.messages.isEmpty)
        #expect(p.result == .group(id: "t1", members: []))
    }

    @Test func chordRegistersItsSizeAndEmbedsTheBody() throws {
        let p = try plan("chord(add(1, 1), add(2, 2)) | tsum()")
        let body = Signature("tsum", options: ["task_id": "t4", "root_id": "t2", "group_id": "t1"])
        #expect(p.chordRegistrations == [ChordRegistration(groupId: "t1", size: 2, body: body)])
        #expect(p.messages.map(\.options.taskId) == ["t2", "t3"])
        #expect(p.messages.allSatisfy { $0.options.chord == body && $0.options.groupId == "t1" && $0.options.rootId == "t2" })
        #expect(p.messages.map(\.options.groupIndex) == [0, 1])
        #expect(p.result == .task(id: "t4"))
        guard case .chord(let frozen) = p.canvas else { Issue.record("not a chord"); return }
        #expect(frozen.options.taskId == "t1")
        #expect(frozen.header.options.taskId == "t1")
    }

    @Test func emptyHeaderRunsTheBodyAtOnceWithAnEmptyList() throws {
        let p = try plan("chord(body=tsum(5))")
        #expect(p.chordRegistrations.isEmpty)
        #expect(p.messages.map(\.args) == [[[], 5]])
        #expect(p.messages[0].options.taskId == "t2")
        #expect(p.result == .task(id: "t2"))
    }

    @Test func chordAsAChainStepIsRegisteredWhenTheEngineReachesIt() throws {
        let p = try plan("add(1, 1) | chord(add(1), add(2), body=tsum()) | add(5)")
        #expect(p.chordRegistrations.isEmpty)
        #expect(p.messages.count == 1)
        #expect(p.result == .task(id: "t6"))
        let chain = p.messages[0].options.chain
        #expect(chain.map(\.task) == ["add", "celery.chord"])
        #expect(chain[0].options.taskId == "t6")
        #expect(chain[1].options.taskId == "t2")
        guard case .chord(let embedded) = try Canvas(signature: chain[1]) else { Issue.record("not a chord"); return }
        #expect(embedded.header.tasks.map { $0.task?.options.groupIndex } == [0, 1])
        #expect(embedded.header.tasks.allSatisfy { $0.task?.options.chord == nil })  // placed when it runs

        // The engine: t1 returned 2; run the next step with the rest of the chain.
        let next = chain[chain.count - 1]
        let rest = JSON.array(chain.dropLast().map(\.json))
        let step = try next.prepare(partialArgs: [2], options: ["parent_id": "t1", "root_id": "t1", "chain": rest],
                                    idGenerator: SequentialTaskIDs(prefix: "new"))
        #expect(!planText(step).contains("\"new"))  // every id was frozen up front
        #expect(step.chordRegistrations.map(\.groupId) == ["t2"])
        #expect(step.chordRegistrations.map(\.size) == [2])
        #expect(step.messages.map(\.args) == [[2, 1], [2, 2]])
        #expect(step.messages.map(\.options.taskId) == ["t3", "t4"])
        #expect(step.messages.allSatisfy { $0.options.parentId == "t1" && $0.options.rootId == "t1" })
        let body = try #require(step.messages[0].options.chord)
        #expect(body.options.taskId == "t5")
        #expect(body.options.chain.map(\.options.taskId) == ["t6"])  // the leftover rides on the body
        #expect(step.result == .task(id: "t6"))

        // The engine: the header finished with [3, 4]; run the body.
        let bodyPlan = try body.prepare(partialArgs: [[3, 4]], options: ["parent_id": "t4", "root_id": "t1"],
                                        idGenerator: SequentialTaskIDs(prefix: "new"))
        #expect(bodyPlan.messages.count == 1)
        #expect(bodyPlan.messages[0].args == [[3, 4]])
        #expect(bodyPlan.messages[0].options.taskId == "t5")
        #expect(bodyPlan.messages[0].options.chain.map(\.args) == [[5]])
        #expect(bodyPlan.result == .task(id: "t6"))
    }

    @Test func chordFirstInAChainPassesTheRestToItsBody() throws {
        let p = try plan("chord(a(), body=s()) | t()")
        #expect(p.messages.map(\.task) == ["a"])
        #expect(p.messages[0].options.chord?.options.chain.map(\.task) == ["t"])
        #expect(p.chordRegistrations.map(\.size) == [1])
        #expect(p.result == .task(id: "t4"))
    }

    @Test func chordWithAChainBodyRunsTheTailAfterTheBody() throws {
        let p = try plan("chord(a(), b(), body=s() | t())")
        let body = try #require(p.messages[0].options.chord)
        #expect(body.task == "s")
        #expect(body.options.chain.map(\.task) == ["t"])
        #expect(p.result == .task(id: body.options.chain[0].options.taskId ?? ""))
    }

    @Test func chainAsAGroupMember() throws {
        let p = try plan("group(a() | b(), c())")
        #expect(p.messages.map(\.task) == ["a", "c"])
        #expect(p.messages[0].options.groupId == nil)  // only the chain's last step reports to the group
        let b = p.messages[0].options.chain[0]
        #expect(b.options.groupId == "t1")
        #expect(b.options.groupIndex == 0)
        #expect(p.messages[1].options.groupIndex == 1)
        #expect(p.result == .group(id: "t1", members: [.task(id: "t3"), .task(id: "t4")]))
    }

    @Test func chainInAChordHeaderReportsFromItsLastStep() throws {
        let p = try plan("chord(a() | b(), c(), body=s())")
        #expect(p.chordRegistrations.map(\.size) == [2])
        let b = p.messages[0].options.chain[0]
        #expect(b.options.groupId == "t1")
        #expect(b.options.chord?.task == "s")
        #expect(p.messages[0].options.chord == nil)
        #expect(p.messages[1].options.groupIndex == 1)
    }
}

/// The plan as text, to search for ids.
func planText(_ p: PublishPlan) -> String {
    (p.messages.map(\.json) + p.chordRegistrations.map(\.body.json)).map(\.description).joined(separator: "\n")
}
