import Testing
@testable import Chorus

/// Celery's chain/group/chord normalisation (notes §3).
@Suite struct NormalizeTests {
    func normal(_ text: String) throws -> Canvas { try canvas(text).normalized() }

    @Test func nestedChainsAreSpliced() throws {
        #expect(try normal("a() | (b() | (c() | d()))") == canvas("chain(a(), b(), c(), d())"))
        #expect(try normal("chain(a(), chain(), b())") == canvas("chain(a(), b())"))
        #expect(try normal("chain(a())") == canvas("a()"))
    }

    @Test func groupFollowedByAnythingBecomesAChord() throws {
        #expect(try normal("group(a(), b()) | c()") == canvas("chord(a(), b(), body=c())"))
        #expect(try normal("x() | group(a(), b()) | c() | d()") == canvas("x() | chord(a(), b(), body=c()) | d()"))
        #expect(try normal("group(a()) | group(b(), c())") == canvas("chord(a(), body=group(b(), c()))"))
        // A group at the end of a chain stays a group.
        #expect(try normal("x() | group(a(), b())") == canvas("x() | group(a(), b())"))
    }

    @Test func pipeOperatorBuildsTheSameCanvas() throws {
        let piped = try canvas("group(a(), b())") | canvas("c()") | canvas("d()")
        #expect(try piped.normalized() == canvas("chord(a(), b(), body=c()) | d()"))
    }

    @Test func stepAfterAChordWithAGroupBodyNestsAChord() throws {
        #expect(try normal("chord(a(), body=group(b(), c())) | d()")
            == canvas("chord(a(), body=chord(b(), c(), body=d()))"))
    }

    @Test func chainEndingInAChordThenATask() throws {
        // Celery appends the task to the chord's body, then (5.7) splits the body
        // chain back out: the task runs as the next step, fed the body's result.
        #expect(try normal("(x() | chord(a(), b(), body=s())) | t()") == canvas("x() | chord(a(), b(), body=s()) | t()"))
    }

    @Test func chordWithAChainBodyIsSplit() throws {
        #expect(try normal("chord(a(), body=b() | c() | d())") == canvas("chord(a(), body=b()) | c() | d()"))
        // A chain body that starts with a group: group | c becomes a chord first.
        #expect(try normal("chord(a(), body=group(b(), x()) | c())") == canvas("chord(a(), body=chord(b(), x(), body=c()))"))
    }

    @Test func chordInsideAChainAndChainsAsMembers() throws {
        #expect(try normal("a() | chord(b(), c(), body=d()) | e()") == canvas("a() | chord(b(), c(), body=d()) | e()"))
        #expect(try normal("group(a() | b(), c())") == canvas("group(a() | b(), c())"))
    }

    @Test func chordInAChordHeaderIsKept() throws {
        #expect(try normal("chord(chord(a(), body=b()), c(), body=d())") == canvas("chord(chord(a(), body=b()), c(), body=d())"))
    }

    @Test func nestedGroupsAreFlattenedInOrder() throws {
        #expect(try normal("group(a(), group(b(), group(c())), d())") == canvas("group(a(), b(), c(), d())"))
        #expect(try normal("chord(a(), group(b(), c()), body=s())") == canvas("chord(a(), b(), c(), body=s())"))
        // A nested group's own args and options reach its members.
        let inner = Group([try canvas("b()"), try canvas("si:c(7)")], args: [1], options: ["queue": "q"])
        let flat = try Canvas.group(Group([try canvas("a()"), .group(inner)])).normalized()
        #expect(flat == .group(Group([
            try canvas("a()"),
            .task(Signature("b", args: [1], options: ["queue": "q"])),
            .task(Signature("c", args: [7], options: ["queue": "q"], immutable: true)),
        ])))
    }

    @Test func chainTaskIdNamesTheLastStepAndChordTaskIdTheBody() throws {
        var chain = try canvas("a() | b()")
        chain.options.taskId = "X"
        #expect(try chain.normalized() == canvas("a() | b()").clone(options: [:]).renamingLast("X"))
        var chord = try canvas("chord(a(), body=s())")
        chord.options.taskId = "B"
        guard case .chord(let c) = try chord.normalized() else { Issue.record("not a chord"); return }
        #expect(c.body.task?.options.taskId == "B")
        #expect(c.options.taskId == nil)
    }

    @Test func isIdempotent() throws {
        for text in ["a() | group(b(), c()) | d()", "chord(a(), body=b() | c())", "group(a(), group(b()))",
                     "chord(a(), body=group(b(), c())) | d()"] {
            let once = try normal(text)
            #expect(try once.normalized() == once)
        }
    }
}

extension Canvas {
    /// Test helper: the same chain with its last task's id set.
    func renamingLast(_ id: String) -> Canvas {
        var copy = self
        copy.nameResult(id)
        return copy
    }
}
