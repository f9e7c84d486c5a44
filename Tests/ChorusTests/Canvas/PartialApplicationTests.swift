import Testing
@testable import Chorus

/// Celery's `_merge` / `clone` rules.
@Suite struct PartialApplicationTests {
    let stored = Signature("proj.add", args: [3], kwargs: ["y": 1, "z": 2],
                           options: ["queue": "a", "group_id": "g1", "countdown": 5])

    @Test func prependsArgsAndPartialKwargsWin() {
        let s = stored.clone(args: [10], kwargs: ["y": 9, "w": 0])
        #expect(s.args == [10, 3])
        #expect(JSON.object(s.kwargs).serialized() == #"{"y":9,"z":2,"w":0}"#)
    }

    @Test func incomingOptionsWinExceptGroupId() {
        let s = stored.clone(options: ["queue": "b", "group_id": "g2", "priority": 3])
        #expect(s.options.queue == "b")
        #expect(s.options.groupId == "g1")
        #expect(s.options.priority == 3)
        #expect(s.options.countdown == 5)
        var unset = stored
        unset.options.groupId = nil
        #expect(unset.clone(options: ["group_id": "g2"]).options.groupId == "g2")
    }

    @Test func stampedHeadersKeepTheirStoredValues() {
        let s = Signature("t", options: ["stamped_headers": ["mark"], "mark": "old"])
        let merged = s.clone(options: ["mark": "new", "stamped_headers": ["other"], "queue": "q"])
        #expect(merged.options["mark"] == "old")
        #expect(merged.options["stamped_headers"] == ["mark"])
        #expect(merged.options.queue == "q")
    }

    @Test func immutableKeepsArgsButMergesOptions() {
        var s = stored
        s.immutable = true
        let merged = s.clone(args: [10], kwargs: ["y": 9], options: ["queue": "b"])
        #expect(merged.args == [3])
        #expect(merged.kwargs["y"] == 1)
        #expect(merged.options.queue == "b")
        #expect(merged.immutable)
    }

    @Test func composites() throws {
        // A chain's partial args reach its first task only.
        let chain = try canvas("a(1) | b(2)").prepare(partialArgs: [0], idGenerator: SequentialTaskIDs())
        #expect(chain.messages.map(\.args) == [[0, 1]])
        #expect(chain.messages[0].options.chain.map(\.args) == [[2]])
        // A group's go to every mutable member.
        let group = try canvas("group(a(1), si:b(2), c())").prepare(partialArgs: [0], idGenerator: SequentialTaskIDs())
        #expect(group.messages.map(\.args) == [[0, 1], [2], [0]])
        // A chord's go to the header members, not the body.
        let chord = try canvas("chord(a(1), b(), body=s(9))").prepare(partialArgs: [0], partialKwargs: ["k": true],
                                                                      idGenerator: SequentialTaskIDs())
        #expect(chord.messages.map(\.args) == [[0, 1], [0]])
        #expect(chord.messages.allSatisfy { $0.kwargs["k"] == true })
        #expect(chord.chordRegistrations[0].body.args == [9])
        // An immutable composite ignores them.
        var frozen = try canvas("group(a(1))")
        if case .group(var g) = frozen { g.immutable = true; frozen = .group(g) }
        #expect(try frozen.prepare(partialArgs: [0], idGenerator: SequentialTaskIDs()).messages[0].args == [1])
    }

    @Test func compositeOptionsReachTheirMembers() throws {
        // group → every member; chain → first step (as Celery's chain.apply_async); chord → header and body.
        let g = try canvas("group(a(), b())").prepare(options: ["queue": "q"], idGenerator: SequentialTaskIDs())
        #expect(g.messages.map(\.options.queue) == ["q", "q"])
        let c = try canvas("a() | b()").prepare(options: ["queue": "q"], idGenerator: SequentialTaskIDs())
        #expect(c.messages[0].options.queue == "q")
        #expect(c.messages[0].options.chain[0].options.queue == nil)
        let ch = try canvas("chord(a(), body=s())").prepare(options: ["queue": "q"], idGenerator: SequentialTaskIDs())
        #expect(ch.messages[0].options.queue == "q")
        #expect(ch.chordRegistrations[0].body.options.queue == "q")
    }
}
