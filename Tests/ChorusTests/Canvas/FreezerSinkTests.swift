import Testing
@testable import Chorus

/// The freezer hands its sink what `prepare` collects, in the order a
/// streaming sink relies on: a chord's registration right before its header
/// members, after the messages frozen before it.
@Suite struct FreezerSinkTests {
    struct Recorder: FreezerSink {
        static var sendsAsItGoes: Bool { true }
        var calls: [String] = []
        mutating func register(_ registration: ChordRegistration) { calls.append("register \(registration.groupId)") }
        mutating func publish(_ signature: Signature) { calls.append("publish \(signature.options.taskId ?? "?")") }
    }

    @Test func aChordIsRegisteredWhenMetBeforeItsMembers() throws {
        // Ids: group id1, t id2, header id3, a id4, b id5, body id6, u id7.
        let canvas = Canvas.group(Group([
            .task(Signature("t")),
            .chord(Chord([.task(Signature("a")), .task(Signature("b"))], body: .task(Signature("body")))),
            .task(Signature("u")),
        ]))
        var recorder = Recorder()
        let (result, _) = try canvas.freeze(idGenerator: SequentialTaskIDs(), into: &recorder)
        #expect(recorder.calls == ["publish id2", "register id3", "publish id4", "publish id5", "publish id7"])
        #expect(result == (try canvas.prepare(idGenerator: SequentialTaskIDs())).result)
    }

    @Test func aSinkThatSendsAsItGoesIsHandedNothingForARefusedCanvas() throws {
        var bad = SignatureOptions()
        bad.eta = "soon"
        let canvas = Canvas.group(Group([.task(Signature("t")), .task(Signature("u", options: bad))]))
        var recorder = Recorder()
        #expect(throws: ChorusError(.invalidInput, "")) { try canvas.freeze(idGenerator: SequentialTaskIDs(), into: &recorder) }
        #expect(recorder.calls.isEmpty)
        // Collecting for a plan, the freezer leaves options to `MessageBuilder`, as before.
        #expect(try canvas.prepare().messages.count == 2)
    }
}
