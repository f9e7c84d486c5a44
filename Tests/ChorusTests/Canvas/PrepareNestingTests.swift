import Testing
@testable import Chorus

/// Freezing nested canvases, naming results, engine-side preparation and ids.
@Suite struct PrepareNestingTests {
    @Test func chordSizesCountWhatReportsCompletion() throws {
        // a: 1, b and c (flattened group): 1 each, d | group(e1, e2): its last step, 2,
        // a nested chord with a group body: its body, 2. Total 7.
        let text = "chord(a(), group(b(), c()), d() | group(e1(), e2()), chord(f(), body=group(x(), y())), body=s())"
        let p = try canvas(text).prepare(idGenerator: SequentialTaskIDs(prefix: "t"))
        #expect(p.chordRegistrations.map(\.size) == [7, 1])
        let outer = p.chordRegistrations[0]
        let inner = p.chordRegistrations[1]
        #expect(p.messages.map(\.task) == ["a", "b", "c", "d", "f"])
        #expect(p.messages.map(\.options.groupId) == [outer.groupId, outer.groupId, outer.groupId, nil, inner.groupId])
        #expect(p.messages.map(\.options.groupIndex) == [0, 1, 2, nil, 0])

        // The group ending the chain reports each member to the outer chord, at the chain's slot.
        let tail = try Canvas(signature: p.messages[3].options.chain[0])
        guard case .group(let g) = tail else { Issue.record("not a group"); return }
        for member in g.tasks {
            #expect(member.task?.options.groupId == outer.groupId)
            #expect(member.task?.options.groupIndex == 3)
            #expect(member.task?.options.chord == outer.body)
        }

        // The nested chord's header reports to its own chord; its body reports to the outer one.
        let f = p.messages[4]
        #expect(f.options.groupId == inner.groupId)
        #expect(f.options.chord == inner.body)
        guard case .group(let innerBody) = try Canvas(signature: inner.body) else { Issue.record("not a group"); return }
        for member in innerBody.tasks {
            #expect(member.task?.options.groupId == outer.groupId)
            #expect(member.task?.options.groupIndex == 4)
            #expect(member.task?.options.chord == outer.body)
        }
    }

    @Test func taskIdNamesTheResult() throws {
        func result(_ text: String) throws -> ResultHandle {
            try canvas(text).prepare(options: ["task_id": "X"], idGenerator: SequentialTaskIDs()).result
        }
        #expect(try result("a()") == .task(id: "X"))
        #expect(try result("a() | b()") == .task(id: "X"))
        #expect(try result("chord(a(), body=s())") == .task(id: "X"))
        #expect(try result("group(a())").id == "X")
        #expect(try result("chord(a(), body=s() | t())") == .task(id: "X"))
    }

    @Test func callbackPreparedByTheEngine() throws {
        let callback = Signature("proj.cb", args: [10])
        let p = try callback.prepare(partialArgs: [5], options: ["parent_id": "P", "root_id": "R"],
                                     idGenerator: SequentialTaskIDs(prefix: "c"))
        #expect(p.messages == [Signature("proj.cb", args: [5, 10],
                                         options: ["parent_id": "P", "root_id": "R", "task_id": "c1"])])
        let immutable = Signature("proj.cb", args: [10], immutable: true)
        #expect(try immutable.prepare(partialArgs: [5]).messages[0].args == [10])
    }

    @Test func severalCallbacksAreBundledAsCelery() throws {
        let a = Signature("a")
        let g = try canvas("group(b(), c())").signature
        let d = Signature("d")
        #expect(try Canvas.bundlingCallbacks([a]) == [.task(a)])
        #expect(try Canvas.bundlingCallbacks([a, g, d]) == [try Canvas(signature: g), .group(Group([.task(a), .task(d)]))])
    }

    @Test func emptyChainIsRejected() throws {
        #expect(errorMessage { _ = try Canvas.chain(Chain([])).prepare() } == "an empty chain has nothing to run")
        #expect(errorMessage { _ = try canvas("group(a(), chain())").prepare() } == "an empty chain has nothing to run")
    }

    @Test func malformedLeftoverChainIsRejected() throws {
        #expect(errorMessage { _ = try canvas("a()").prepare(options: ["chain": [["task": 1]]]) }
            == "options.chain[0].task: expected a string, got integer")
    }

    @Test func randomIdsAreVersion4UUIDs() {
        var ids = RandomTaskIDs()
        let samples = (0..<50).map { _ in ids.next() }
        #expect(Set(samples).count == 50)
        for id in samples {
            let chars = Array(id)
            #expect(chars.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { chars[$0] == "-" })
            #expect(chars[14] == "4")
            #expect("89ab".contains(chars[19]))
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) })
        }
    }

    @Test func frozenPlanRoundTripsThroughJSON() throws {
        let p = try canvas("a() | chord(b(), c(), body=s()) | t()").prepare(idGenerator: SequentialTaskIDs())
        let text = p.canvas.json.serialized()
        #expect(try Canvas(json: JSON(parsing: text)) == p.canvas)
    }
}
