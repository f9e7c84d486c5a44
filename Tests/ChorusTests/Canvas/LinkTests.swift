import Testing
@testable import Chorus

/// link / link_error rules for every kind of node (notes §2).
@Suite struct LinkTests {
    let cb = Signature("proj.cb")
    let eb = Signature("proj.eb")

    @Test func singleTaskAppendsAndSkipsDuplicates() throws {
        var s = Signature("proj.add", args: [2, 3])
        s.link(cb)
        s.link(cb)
        s.link(Signature("proj.other"))
        s.linkError(eb)
        s.linkError(eb)
        #expect(s.options.link.map(\.task) == ["proj.cb", "proj.other"])
        #expect(s.options.linkError.map(\.task) == ["proj.eb"])
    }

    @Test func groupLinkGoesImmutableToTheFirstMemberOnly() throws {
        var g = try canvas("group(a(), b(), c())")
        try g.link(cb)
        guard case .group(let group) = g else { Issue.record("not a group"); return }
        let first = try #require(group.tasks[0].task)
        #expect(first.options.link.count == 1)
        #expect(first.options.link[0].immutable)
        #expect(first.options.link[0].task == "proj.cb")
        #expect(group.tasks[1].task?.options.link == [])
        #expect(group.tasks[2].task?.options.link == [])
    }

    @Test func groupLinkErrorGoesToEveryMember() throws {
        var g = try canvas("group(a(), b() | c())")
        g.linkError(eb)
        let plan = try g.prepare(idGenerator: SequentialTaskIDs())
        #expect(plan.messages.map { $0.options.linkError.map(\.task) } == [["proj.eb"], ["proj.eb"]])
        #expect(plan.messages[1].options.chain[0].options.linkError.map(\.task) == ["proj.eb"])
        #expect(plan.messages[0].options.linkError[0].immutable == false)
    }

    @Test func linkingAnEmptyGroupOrChainThrows() throws {
        var g = try canvas("group()")
        #expect(errorMessage { try g.link(cb) } == "cannot link a callback to an empty group; use a chord: group(...) | callback")
        var c = Canvas.chain(Chain([]))
        #expect(errorMessage { try c.link(cb) } == "cannot link a callback to an empty chain")
    }

    @Test func chainLinkGoesToTheLastTaskAndLinkErrorToEvery() throws {
        var c = try canvas("a() | b() | c()")
        try c.link(cb)
        c.linkError(eb)
        let plan = try c.prepare(idGenerator: SequentialTaskIDs())
        let first = plan.messages[0]
        let rest = first.options.chain  // reversed: [c, b]
        #expect(first.options.link == [])
        #expect(rest[1].options.link == [])
        #expect(rest[0].options.link.map(\.task) == ["proj.cb"])
        #expect([first, rest[1], rest[0]].allSatisfy { $0.options.linkError.map(\.task) == ["proj.eb"] })
    }

    @Test func chordLinksGoToTheBody() throws {
        var c = try canvas("chord(a(), chord(x(), body=y()), body=s())")
        try c.link(cb)
        c.linkError(eb)
        guard case .chord(let chord) = c else { Issue.record("not a chord"); return }
        #expect(chord.body.task?.options.link.map(\.task) == ["proj.cb"])
        #expect(chord.body.task?.options.linkError.map(\.task) == ["proj.eb"])
        #expect(chord.header.tasks[0].task?.options.linkError == [])
        // A chord nested in the header gets the errback on its body too.
        guard case .chord(let nested) = chord.header.tasks[1] else { Issue.record("not nested"); return }
        #expect(nested.body.task?.options.linkError.map(\.task) == ["proj.eb"])
    }

    @Test func chordLinkErrorOnHeaderWhenAllowed() throws {
        var c = try canvas("chord(a(), b(), body=s())")
        c.linkError(eb, onHeader: true)
        guard case .chord(let chord) = c else { Issue.record("not a chord"); return }
        for member in chord.header.tasks {
            #expect(member.task?.options.linkError == [Signature("proj.eb", immutable: true)])
        }
        #expect(chord.body.task?.options.linkError == [eb])
    }

    @Test func linksStoredOnCompositeOptionsFollowTheSameRules() throws {
        // Decoded dicts may carry link/link_error on the composite itself.
        var chain = try canvas("a() | b()")
        chain.options.link = [cb]
        chain.options.linkError = [eb]
        let plan = try chain.prepare(idGenerator: SequentialTaskIDs())
        #expect(plan.messages[0].options.link == [])
        #expect(plan.messages[0].options.linkError == [eb])
        #expect(plan.messages[0].options.chain[0].options.link == [cb])

        var chord = try canvas("chord(a(), body=s())")
        chord.options.link = [cb]
        let chordPlan = try chord.prepare(idGenerator: SequentialTaskIDs())
        #expect(chordPlan.chordRegistrations[0].body.options.link == [cb])
        #expect(chordPlan.messages[0].options.link == [])

        var group = try canvas("group(a(), b())")
        group.options.linkError = [eb]
        #expect(try group.prepare(idGenerator: SequentialTaskIDs()).messages.allSatisfy { $0.options.linkError == [eb] })
        group.options.link = [cb]
        #expect(errorMessage { _ = try group.prepare() }
            == "a group cannot carry link callbacks (Celery raises TypeError); use a chord: group(...) | callback")
    }
}
