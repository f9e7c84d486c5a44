import Testing
@testable import Chorus

/// The one-line syntax: every accepted form.
@Suite struct CanvasParserTests {
    func task(_ name: String, _ args: [JSON] = [], _ kwargs: [(String, JSON)] = [], immutable: Bool = false) -> Canvas {
        var s = Signature(name, args: args, immutable: immutable)
        for (k, v) in kwargs { s.kwargs[k] = v }
        return .task(s)
    }

    @Test func tasksAndArguments() throws {
        #expect(try canvas("add(1, 2)") == task("add", [1, 2]))
        #expect(try canvas("a()") == task("a"))
        #expect(try canvas(#"images.resize("a.png", width=640)"#) == task("images.resize", ["a.png"], [("width", 640)]))
        #expect(try canvas("my-task.run-it_2()") == task("my-task.run-it_2"))
        #expect(try canvas("tasks.group(1)") == task("tasks.group", [1]))
        #expect(try canvas("si:add(1, 2)") == task("add", [1, 2], immutable: true))
        #expect(try canvas("  add ( 1 , y = 2 , )  ") == task("add", [1], [("y", 2)]))
    }

    @Test func jsonLiteralValues() throws {
        let t = try canvas(#"t([1, 2], {"a": 1}, true, false, null, -1.5e3, "s\"q", 18446744073709551615, x={"k": [null]})"#)
        #expect(t == task("t", [[1, 2], ["a": 1], true, false, nil, .double(-1500), "s\"q", .uint(.max)],
                          [("x", ["k": [nil]])]))
    }

    @Test func pipelinesAndComposites() throws {
        #expect(try canvas("add(1, 2) | mul(10)") == .chain(Chain([task("add", [1, 2]), task("mul", [10])])))
        #expect(try canvas("chain(a(), b())") == canvas("a() | b()"))
        #expect(try canvas("group(add(1, 2), add(3, 4))") == .group(Group([task("add", [1, 2]), task("add", [3, 4])])))
        #expect(try canvas("group()") == .group(Group([])))
        #expect(try canvas("group(a(),)") == .group(Group([task("a")])))
        #expect(try canvas("(a() | b()) | c()") == .chain(Chain([.chain(Chain([task("a"), task("b")])), task("c")])))
    }

    @Test func chords() throws {
        let expected = Canvas.chord(Chord([task("a", [1]), task("b", [], [("x", 2)])], body: task("total")))
        #expect(try canvas("chord(a(1), b(x=2)) | total()") == expected)
        #expect(try canvas("chord(a(1), b(x=2), body=total())") == expected)
        #expect(try canvas("chord(body=total())") == .chord(Chord([], body: task("total"))))
        // A chord header takes the next term as its body; the rest stays in the chain.
        #expect(try canvas("x() | chord(a()) | s() | t()")
            == .chain(Chain([task("x"), .chord(Chord([task("a")], body: task("s"))), task("t")])))
        #expect(try canvas("chord(a()) | chord(b()) | c()")
            == .chord(Chord([task("a")], body: .chord(Chord([task("b")], body: task("c"))))))
        // Nesting everywhere.
        let nested = try canvas("chord(group(a(), b()) | c(), d(), body=(e() | f()))")
        guard case .chord(let c) = nested else { Issue.record("not a chord"); return }
        #expect(c.header.tasks[0] == .chain(Chain([.group(Group([task("a"), task("b")])), task("c")])))
        #expect(c.body == .chain(Chain([task("e"), task("f")])))
    }

    @Test func callbackSuffixes() throws {
        var expected = Signature("add", args: [1])
        expected.link(Signature("log"))
        expected.linkError(Signature("alert"))
        #expect(try canvas("add(1).on_success(log()).on_error(alert())") == .task(expected))
        // Group: Celery's rule, member 0 only, immutable.
        guard case .group(let g) = try canvas("group(a(), b()).on_success(s())") else { Issue.record("not a group"); return }
        #expect(g.tasks[0].task?.options.link == [Signature("s", immutable: true)])
        #expect(g.tasks[1].task?.options.link == [])
        // Chord: the body.
        guard case .chord(let c) = try canvas("chord(a(), body=s()).on_error(e())") else { Issue.record("not a chord"); return }
        #expect(c.body.task?.options.linkError == [Signature("e")])
        // A callback may itself be a canvas.
        let chained = try canvas("a().on_success(b() | c())")
        #expect(chained.task?.options.link.first?.subtaskType == .chain)
    }
}
