/// Where a node sits when it is frozen: what the enclosing chain, group or
/// chord imposes on it (Celery's `freeze(_id, group_id, chord, root_id, parent_id, group_index)`).
struct Placement: Sendable {
    var rootId: String?
    var parentId: String?
    var groupId: String?
    var groupIndex: Int?
    /// The body of the chord this node reports to, if any, as its signature
    /// dict (`Signature.json`): encoded once per chord, not once per member.
    var chord: JSON?
}

extension SignatureOptions {
    /// Celery's freeze rules: root/parent/index/chord overwrite, `group_id` only fills a gap.
    mutating func apply(_ p: Placement) {
        if let r = p.rootId { rootId = r }
        if let x = p.parentId { parentId = x }
        if let g = p.groupId, groupId == nil { groupId = g }
        if let i = p.groupIndex { groupIndex = i }
        if let c = p.chord { self[.chord] = c }  // what `chord = signature` stores
    }
}

/// Freezes a normalised canvas in two passes: ``assignIDs(_:)`` gives every
/// task and group an id in document order (so a caller's ids and test ids are
/// predictable), then ``emit(_:_:publish:into:)`` writes placement options,
/// embeds chain tails and chord bodies, and hands messages and chord
/// registrations to a ``FreezerSink``.
///
/// Generic over the id source only; the sink is a parameter of `emit`.
/// Holding the sink made unspecialised (debug) code build the metadata of
/// `Freezer<RandomTaskIDs, PlanCollector>` at run time, and memcheck flags
/// the Swift runtime's `swift_initStructMetadata` doing so
/// (`EmbeddingValgrindTests`).
struct Freezer<IDs: TaskIDGenerator> {
    var ids: IDs

    init(ids: IDs) { self.ids = ids }

    /// The first pass. Refuses an empty chain and, when `checkingMessages`,
    /// a task `emit` publishes whose message could not be built (see
    /// ``FreezerSink/sendsAsItGoes``): a sink that sends as it goes must not
    /// see `emit` fail after it was handed a message.
    mutating func assignIDs(_ node: inout Canvas, checkingMessages: Bool) throws(ChorusError) {
        var refused: ChorusError?
        try assignIDs(&node, check: checkingMessages, refused: &refused)
        // Thrown only now: an empty chain anywhere is the error reported, as
        // when `emit` met it before any message was built.
        if let refused { throw refused }
    }

    /// `check`: whether to check the tasks under `node` that `emit` publishes
    /// now (a chain's first step, a chord's header, or its body when the
    /// header is empty); the others are built into messages later, when they
    /// run. `refused` keeps the first refusal.
    private mutating func assignIDs(_ node: inout Canvas, check: Bool, refused: inout ChorusError?) throws(ChorusError) {
        // Each case takes its node out (see `Canvas.vacant`) so that, where
        // the canvas is not shared with the caller, the change is made in place.
        switch node {
        case .task(var s):
            node = .vacant
            // Room for the id and the placement `emit` writes (root, parent,
            // group, index, chord): one allocation instead of regrowing per key.
            s.options.reserveCapacity(adding: 6)
            if s.options.taskId == nil { s.options.taskId = ids.next() }
            if check, refused == nil {
                do throws(ChorusError) { try MessageBuilder.check(s) } catch { refused = error }
            }
            node = .task(s)
        case .group(var g):
            node = .vacant
            try assignIDs(&g, check: check, refused: &refused)
            node = .group(g)
        case .chain(var c):
            node = .vacant
            guard !c.tasks.isEmpty else { throw ChorusError(.invalidInput, "an empty chain has nothing to run") }
            for i in c.tasks.indices { try assignIDs(&c.tasks[i], check: check && i == 0, refused: &refused) }
            node = .chain(c)
        case .chord(var c):
            node = .vacant
            try assignIDs(&c.header, check: check, refused: &refused)
            try assignIDs(&c.body, check: check && c.header.tasks.isEmpty, refused: &refused)
            node = .chord(c)
        }
    }

    private mutating func assignIDs(_ g: inout Group, check: Bool, refused: inout ChorusError?) throws(ChorusError) {
        if g.options.taskId == nil { g.options.taskId = ids.next() }
        for i in g.tasks.indices { try assignIDs(&g.tasks[i], check: check, refused: &refused) }
    }

    /// Freezes `node` in place and returns its result handle; hands it to
    /// `sink` when `publish`. Each case takes its node out (see
    /// ``Canvas/NodeKind``) while changing it: a member signature
    /// `assignIDs` just copied is then changed without being copied again.
    mutating func emit<Sink: FreezerSink>(
        _ node: inout Canvas, _ p: Placement, publish: Bool, into sink: inout Sink
    ) throws(ChorusError) -> ResultHandle {
        switch node.kind {
        case .task:
            var s = node.takeTask()
            s.options.apply(p)
            node = .task(s)
            guard let id = s.options.taskId else { throw Freezer.missingID }
            if publish { try sink.publish(s) }
            return .task(id: id)

        case .group:
            var g = node.takeGroup()
            defer { node = .group(g) }
            guard let gid = g.options.taskId else { throw Freezer.missingID }
            g.options.apply(p)
            var handles: [ResultHandle] = []
            handles.reserveCapacity(g.tasks.count)
            for i in g.tasks.indices {
                // Inside a chord the members report to that chord; otherwise to this group.
                let member = p.chord != nil
                    ? Placement(rootId: p.rootId, parentId: p.parentId, groupId: p.groupId, groupIndex: p.groupIndex, chord: p.chord)
                    : Placement(rootId: p.rootId, parentId: p.parentId, groupId: gid, groupIndex: i)
                handles.append(try emit(&g.tasks[i], member, publish: publish, into: &sink))
            }
            return .group(id: gid, members: handles)

        case .chain:
            var c = node.takeChain()
            defer { node = .chain(c) }
            // Not empty: `assignIDs` refused an empty chain.
            c.options.apply(Placement(rootId: p.rootId, parentId: p.parentId))
            let last = c.tasks.count - 1
            var result: ResultHandle?
            for k in stride(from: last, through: 0, by: -1) {
                var step = Placement(rootId: p.rootId)
                if k == last { (step.groupId, step.groupIndex, step.chord) = (p.groupId, p.groupIndex, p.chord) }
                if k == 0 {
                    step.parentId = p.parentId
                    if last > 0 {
                        let tail = c.tasks[1...].reversed().map(\.signature)
                        c.tasks[0] = try Freezer.attach(tail, to: c.tasks[0])
                    }
                }
                let handle = try emit(&c.tasks[k], step, publish: publish && k == 0, into: &sink)
                if k == last { result = handle }
            }
            guard let result else { throw Freezer.missingID }
            return result

        case .chord:
            var c = node.takeChord()
            defer { node = .chord(c) }
            guard let gid = c.header.options.taskId else { throw Freezer.missingID }
            c.options.taskId = gid  // as Celery's frozen chord dict shows
            c.options.apply(p)
            c.header.options.apply(Placement(rootId: p.rootId, parentId: p.parentId))
            let bodyPlace = Placement(rootId: p.rootId, groupId: p.groupId ?? gid, groupIndex: p.groupIndex, chord: p.chord)
            let bodyHandle = try emit(&c.body, bodyPlace, publish: false, into: &sink)
            let bodySig = c.body.signature
            let bodyJSON = publish ? bodySig.json : nil
            if c.header.tasks.isEmpty {
                if publish {
                    var empty = c.body.clone(args: [.array([])])
                    _ = try emit(&empty, bodyPlace, publish: true, into: &sink)
                }
            } else if publish {
                let size = c.header.tasks.reduce(0) { $0 + $1.chordSize }
                try sink.register(ChordRegistration(groupId: gid, size: size, body: bodySig))
            }
            for i in c.header.tasks.indices {
                // An unpublished chord (a later chain step) is placed again when it runs;
                // leaving `chord` out here keeps N copies of the body out of the chain embed.
                let member = Placement(rootId: p.rootId, parentId: p.parentId, groupId: gid, groupIndex: i,
                                       chord: bodyJSON)
                _ = try emit(&c.header.tasks[i], member, publish: publish, into: &sink)
            }
            return bodyHandle
        }
    }

    /// Puts the remaining chain steps (reversed) where the first step hands them on:
    /// a task's own `chain` option, or a chord's body.
    static func attach(_ tail: [Signature], to node: Canvas) throws(ChorusError) -> Canvas {
        switch node {
        case .task(var s):
            s.options.chain = tail
            return .task(s)
        case .chord(var c):
            c.body = try attach(tail, to: c.body)
            return .chord(c)
        case .group, .chain:
            throw ChorusError(.internal, "a normalised chain cannot start with a group or a chain")
        }
    }

    static var missingID: ChorusError { ChorusError(.internal, "canvas node was not given an id before emitting") }
}

extension Canvas {
    /// What a node is set to while the freezer changes it: the node's parts
    /// are then referenced only by the freezer's local copy (unless the
    /// caller still holds the canvas), so changing them does not copy them.
    /// One shared value: setting it allocates nothing.
    static let vacant = Canvas.task(Signature("chorus.vacant"))
}

extension Canvas {
    /// Which case a node is, without its parts.
    ///
    /// `emit` switches over this and then takes the parts out with
    /// `takeTask()` and the like: a `switch` over the node itself holds a
    /// copy of it until the case ends, so its parts (a chord's members, a
    /// signature) were shared while the freezer changed them, and each
    /// member signature was copied again — its box and options array — for
    /// ~1,000 instructions per chord member.
    enum NodeKind { case task, group, chain, chord }

    var kind: NodeKind {
        switch self {
        case .task: .task
        case .group: .group
        case .chain: .chain
        case .chord: .chord
        }
    }

    /// The signature of a `.task` node; the node is left `.vacant`, so the
    /// result is the only holder of the parts it did not share already.
    mutating func takeTask() -> Signature {
        guard case .task(let s) = self else { preconditionFailure("takeTask() on a \(kind) node") }
        self = .vacant
        return s
    }

    /// The group of a `.group` node; see ``takeTask()``.
    mutating func takeGroup() -> Group {
        guard case .group(let g) = self else { preconditionFailure("takeGroup() on a \(kind) node") }
        self = .vacant
        return g
    }

    /// The chain of a `.chain` node; see ``takeTask()``.
    mutating func takeChain() -> Chain {
        guard case .chain(let c) = self else { preconditionFailure("takeChain() on a \(kind) node") }
        self = .vacant
        return c
    }

    /// The chord of a `.chord` node; see ``takeTask()``.
    mutating func takeChord() -> Chord {
        guard case .chord(let c) = self else { preconditionFailure("takeChord() on a \(kind) node") }
        self = .vacant
        return c
    }
}
