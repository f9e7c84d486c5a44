import Foundation
import Testing
@testable import Chorus

/// `Runtime.apply` on the memory backend streams a canvas (`PublishStream`):
/// messages go to the broker in batches while the rest is still being
/// frozen. It must publish exactly what `prepare` + `MessageBuilder` describe,
/// and nothing at all for a canvas it refuses.
@Suite struct StreamedApplyTests {
    func runtime(started: Bool) throws -> (Runtime, MemoryBackend) {
        let backend = MemoryBackend()
        let runtime = try Runtime(
            registry: try EngineHarness.registry(), configuration: RuntimeConfiguration(concurrency: 2),
            broker: backend, store: backend, state: MemoryPluginStateStore())
        if started { runtime.start() }
        return (runtime, backend)
    }

    /// What makes the last member of a wide canvas unpublishable.
    enum Defect: CaseIterable, CustomTestStringConvertible {
        case badEta, infiniteCountdown, nanExpires, badExpiresTime, emptyChain

        var member: Canvas {
            var options = SignatureOptions()
            switch self {
            case .badEta: options.eta = "next tuesday"
            case .infiniteCountdown: options.countdown = .infinity
            case .nanExpires: options.expires = .seconds(.nan)
            case .badExpiresTime: options.expires = .at("soon")
            case .emptyChain: return .chain(Chain([]))
            }
            return .task(Signature("noop", options: options))
        }

        var message: String {
            switch self {
            case .badEta: #"noop: eta "next tuesday" is not an ISO-8601 time with a time zone, e.g. 2026-11-26T10:00:00+00:00"#
            case .infiniteCountdown: "noop: countdown must be a finite number of seconds"
            case .nanExpires: "noop: expires must be a finite number of seconds"
            case .badExpiresTime: #"noop: expires "soon" is not an ISO-8601 time with a time zone"#
            case .emptyChain: "an empty chain has nothing to run"
            }
        }

        var testDescription: String { "\(self)" }
    }

    /// Where the defective member sits: last of a group, or last of a chord's header.
    enum Shape: CaseIterable { case group, chord }

    /// 200 good members (three full batches and more), then `defect`'s member;
    /// ids come from `SequentialTaskIDs`: the group or header is `id1`.
    static func canvas(_ shape: Shape, lastMember defect: Defect) -> Canvas {
        let members = (0..<200).map { i in Canvas.task(Signature("identity", args: [.int(Int64(i))])) } + [defect.member]
        switch shape {
        case .group: return .group(Group(members))
        case .chord: return .chord(Chord(members, body: .task(Signature("tsum"))))
        }
    }

    @Test(arguments: Shape.allCases, Defect.allCases)
    func aCanvasWhoseLastMemberCannotBePublishedPublishesNothing(_ shape: Shape, _ defect: Defect) throws {
        let (runtime, backend) = try runtime(started: true)
        defer { runtime.shutdown() }
        let events = EngineHarness.events(of: runtime)
        #expect { try runtime.apply(Self.canvas(shape, lastMember: defect), options: [:], idGenerator: SequentialTaskIDs()) } throws: { error in
            (error as? ChorusError)?.code == .invalidInput && (error as? ChorusError)?.message == defect.message
        }
        // Anything published would be reported `sent` first, and the executors would run it.
        usleep(50_000)
        #expect(events.values.isEmpty)
        #expect(backend.pendingCount(queue: "celery") == 0)
        for id in ["id2", "id100", "id201"] { #expect(try backend.result(for: id) == nil) }
        if shape == .chord {
            // No counter was registered for the chord's header.
            let probe = ChordPart(taskID: "probe", groupIndex: 0, state: .success, result: 1)
            #expect(try backend.recordChordPart(probe, forGroup: "id1") == .waiting(ready: 1, size: nil))
        }
    }

    /// As before streaming, an empty chain anywhere is the error reported,
    /// even after a member whose message could not be built.
    @Test func anEmptyChainIsReportedBeforeABadOption() throws {
        let (runtime, _) = try runtime(started: false)
        defer { runtime.shutdown() }
        let canvas = Canvas.group(Group([Defect.badEta.member, .task(Signature("noop")), Defect.emptyChain.member]))
        #expect { try runtime.apply(canvas) } throws: { error in
            (error as? ChorusError)?.message == Defect.emptyChain.message
        }
        #expect(throws: ChorusError(.invalidInput, "")) { try canvas.prepare() }
    }

    /// Only what is published now is checked now, as before: a later chain
    /// step's options are read when the step is published.
    @Test func aLaterChainStepIsNotCheckedUpFront() throws {
        let (runtime, backend) = try runtime(started: false)
        defer { runtime.shutdown() }
        try runtime.apply(.chain(Chain([.task(Signature("noop")), Defect.badEta.member])))
        #expect(backend.pendingCount(queue: "celery") == 1)
    }

    /// Nested canvases: a chord in a group in a chain, links, a chord with an
    /// empty header, a group wider than one batch.
    static let nested: [Canvas] = {
        var linked = Signature("add", args: [1, 2])
        linked.options.link = [Signature("mul", args: [10])]
        linked.options.linkError = [Signature("noop", immutable: true)]
        let chord = Canvas.chord(Chord([.task(Signature("add", args: [1, 1])), .task(linked)], body: .task(Signature("tsum"))))
        let emptyChord = Canvas.chord(Chord([], body: .task(Signature("tsum"))))
        let wide = (0..<70).map { i in Canvas.task(Signature("identity", args: [.int(Int64(i))])) }
        let chainOfChord = Canvas.chain(Chain([chord, .task(Signature("mul", args: [2]))]))
        // (Not a countdown: the broker would hold that message back from `prefetch`.)
        var expiring = Signature("noop")
        expiring.options.expires = .seconds(60)
        return [
            .chain(Chain([.group(Group([chord, .task(linked), emptyChord] + wide)), .task(Signature("tsum")), .task(Signature("identity"))])),
            .group(Group(wide + [chainOfChord, emptyChord, .task(expiring)] + wide)),
            .chord(Chord(wide + [.group(Group([chord, emptyChord]))] + wide, body: .chain(Chain([.task(Signature("tsum")), .task(linked)])))),
        ]
    }()

    @Test(arguments: nested)
    func theStreamPublishesWhatPrepareDescribes(_ canvas: Canvas) throws {
        let (runtime, backend) = try runtime(started: false)
        defer { runtime.shutdown() }
        let events = EngineHarness.events(of: runtime)
        let handle = try runtime.apply(canvas, options: [:], idGenerator: SequentialTaskIDs())

        let plan = try canvas.prepare(idGenerator: SequentialTaskIDs())
        let sentAt = try #require(events.values.first?.time)
        let expected = try plan.messages.map { try MessageBuilder.message(for: $0, now: sentAt) }
        #expect(expected.count > Runtime.publishBatch)
        let queued = try backend.prefetch(from: ["celery"], leaseSeconds: 60, limit: 10_000, timeout: 0)
        #expect(queued.count == expected.count)
        for (delivery, (message, queue)) in zip(queued, expected) {
            #expect(delivery.queue == queue)
            #expect(delivery.message == message)
            #expect(delivery.message.headers.json == message.headers.json)
            #expect(delivery.message.bodyText == message.bodyText)
        }
        #expect(events.values.allSatisfy { $0.kind == .sent })
        #expect(events.values.map(\.taskID) == expected.map { $0.0.id })
        #expect(handle.handle == plan.result)
        #expect(handle.rootID == plan.messages.first?.options.rootId)
        // Every chord counter was registered with its size.
        #expect(!plan.chordRegistrations.isEmpty)
        for registration in plan.chordRegistrations {
            let probe = ChordPart(taskID: "probe", groupIndex: 0, state: .success, result: 1)
            #expect(try backend.recordChordPart(probe, forGroup: registration.groupId) == .waiting(ready: 1, size: registration.size))
        }
    }
}
