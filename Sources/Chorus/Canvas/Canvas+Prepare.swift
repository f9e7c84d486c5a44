import OrderedCollections

/// The one entry point for running a canvas, used both by a client publishing
/// a workflow and by the execution engine when it dispatches a callback, the
/// next chain step or a chord body.
extension Canvas {
    /// Applies partial arguments, normalises, freezes every node's ids and
    /// returns what to publish (Celery's `freeze` + `prepare_steps` + `_chord.run`).
    ///
    /// - Parameters:
    ///   - partialArgs: prepended to the args of the task(s) that receive input:
    ///     the task itself, a chain's first step, every group member, every chord
    ///     header member. Immutable nodes ignore them. The engine passes
    ///     `[parentResult]` for a callback or next chain step and
    ///     `[headerResults]` for a chord body.
    ///   - partialKwargs: merged into the same tasks' kwargs (partial wins).
    ///   - options: merged into the node's options (incoming wins, except a
    ///     stored `group_id`). The engine passes `parent_id` and `root_id`, and
    ///     `chain` (the remaining steps, reversed, as it found them in the
    ///     finished task's embed) when it runs the next chain step.
    ///     `task_id` names the result: a task's id, a group's id, a chain's last
    ///     task, a chord's body.
    ///   - idGenerator: source of new ids for nodes that have none. Ids already
    ///     frozen into the canvas are kept, so preparing a frozen chain step or
    ///     chord body again publishes under the ids the caller was given.
    ///
    /// `root_id` is the one in `options` (or already on the node), else the id
    /// of the first task published. Every task of the workflow gets the same
    /// root, group members included (Celery gives each member of a client-sent
    /// group its own id as root; a shared root makes revoking a workflow simple).
    /// - Throws: `.invalidInput` for an empty chain, a group carrying `link`, or
    ///   a malformed `options.chain`.
    public func prepare(
        partialArgs: [JSON] = [],
        partialKwargs: OrderedDictionary<String, JSON> = [:],
        options: SignatureOptions = [:],
        idGenerator: some TaskIDGenerator = RandomTaskIDs()
    ) throws(ChorusError) -> PublishPlan {
        var collector = PlanCollector()
        let (result, canvas) = try freeze(partialArgs: partialArgs, partialKwargs: partialKwargs, options: options,
                                          idGenerator: idGenerator, into: &collector)
        return PublishPlan(chordRegistrations: collector.registrations, messages: collector.messages,
                           result: result, canvas: canvas)
    }

    /// What ``prepare(partialArgs:partialKwargs:options:idGenerator:)`` does,
    /// handing the plan's registrations and messages to `sink` as they are
    /// frozen; returns the plan's result handle and frozen canvas.
    func freeze<Sink: FreezerSink>(
        partialArgs: [JSON] = [],
        partialKwargs: OrderedDictionary<String, JSON> = [:],
        options: SignatureOptions = [:],
        idGenerator: some TaskIDGenerator = RandomTaskIDs(),
        into sink: inout Sink
    ) throws(ChorusError) -> (result: ResultHandle, canvas: Canvas) {
        if case .task(let s) = self {
            var ids = idGenerator
            if let (id, task) = Canvas.preparePlainTask(s, partialArgs: partialArgs, partialKwargs: partialKwargs, options: options, ids: &ids) {
                // The only message: nothing has gone out if it cannot be built.
                try sink.publish(task)
                return (.task(id: id), .task(task))
            }
        }
        var node = clone(args: partialArgs, kwargs: partialKwargs, options: options)
        let leftover = try Canvas.leftoverSteps(node.options)
        if node.options[.chain] != nil {
            node.options[.chain] = nil
            if !leftover.isEmpty {
                // The chain now leads; it takes over where the workflow sits.
                var chain = Chain([], options: [:])
                chain.options.rootId = node.options.rootId
                chain.options.parentId = node.options.parentId
                node.options.rootId = nil
                node.options.parentId = nil
                chain.tasks = [node] + leftover
                node = .chain(chain)
            }
        }
        var canvas = try node.normalized()
        var freezer = Freezer(ids: idGenerator)
        try freezer.assignIDs(&canvas, checkingMessages: Sink.sendsAsItGoes)
        let top = canvas.options
        let placement = Placement(
            rootId: top.rootId ?? canvas.firstTaskID, parentId: top.parentId,
            groupId: top.groupId, groupIndex: top.groupIndex, chord: top.chord?.json)
        let result = try freezer.emit(&canvas, placement, publish: true, into: &sink)
        return (result, canvas)
    }

    /// The fast path of ``prepare(partialArgs:partialKwargs:options:idGenerator:)``
    /// for a plain task whose merged options carry no `chain` (leftover steps
    /// that would make it a chain) and no `chord` (re-placed by the freezer):
    /// the same plan the general path yields — clone, give it an id if it has
    /// none, apply its own placement, publish it alone — without building,
    /// normalising and walking a canvas: its id and frozen signature. Nil
    /// when the general path is needed.
    /// Most tasks published (every task of a group, callbacks, chain steps
    /// after the first) take this path.
    static func preparePlainTask(
        _ signature: Signature, partialArgs: [JSON], partialKwargs: OrderedDictionary<String, JSON>,
        options: SignatureOptions, ids: inout some TaskIDGenerator
    ) -> (id: String, signature: Signature)? {
        var s = signature.clone(args: partialArgs, kwargs: partialKwargs, options: options)
        guard s.options[.chain] == nil, s.options[.chord] == nil else { return nil }
        if s.options.taskId == nil { s.options.taskId = ids.next() }
        guard let id = s.options.taskId else { return nil }
        let top = s.options
        s.options.apply(Placement(
            rootId: top.rootId ?? id, parentId: top.parentId, groupId: top.groupId, groupIndex: top.groupIndex, chord: nil))
        return (id, s)
    }

    /// `options.chain` (reversed, next step last) as canvases in run order.
    private static func leftoverSteps(_ options: SignatureOptions) throws(ChorusError) -> [Canvas] {
        guard let value = options[.chain], !value.isNull else { return [] }
        guard case .array(let items) = value else { throw CanvasDecoding.mismatch("options.chain", "an array of signatures", value) }
        var steps: [Canvas] = []
        for (i, item) in items.enumerated().reversed() {
            steps.append(try Canvas(json: item, path: "options.chain[\(i)]"))
        }
        return steps
    }

    /// The id of the first task that will be published (the workflow's root), after ids are assigned.
    var firstTaskID: String? {
        switch self {
        case .task(let s): s.options.taskId
        case .chain(let c): c.tasks.first?.firstTaskID
        case .group(let g): g.tasks.first?.firstTaskID
        case .chord(let c): c.header.tasks.first?.firstTaskID ?? c.body.firstTaskID
        }
    }

    /// How many completions this node reports to an enclosing chord (see ``ChordRegistration/size``).
    var chordSize: Int {
        switch self {
        case .task: 1
        case .group(let g): g.tasks.reduce(0) { $0 + $1.chordSize }
        case .chain(let c): c.tasks.reversed().lazy.map(\.chordSize).first { $0 > 0 } ?? 0
        case .chord(let c): c.body.chordSize
        }
    }

    /// Celery's dispatch of several success callbacks: each group callback on its
    /// own, every other callback bundled into one new group. One callback is
    /// returned as is. The engine prepares each result with `[result]`.
    public static func bundlingCallbacks(_ callbacks: [Signature]) throws(ChorusError) -> [Canvas] {
        var canvases: [Canvas] = []
        for (i, cb) in callbacks.enumerated() { canvases.append(try Canvas(signature: cb, path: "link[\(i)]")) }
        guard canvases.count > 1 else { return canvases }
        var groups: [Canvas] = []
        var others: [Canvas] = []
        for c in canvases {
            if case .group = c { groups.append(c) } else { others.append(c) }
        }
        return others.isEmpty ? groups : groups + [.group(Group(others))]
    }
}

extension Signature {
    /// Prepares this signature dict (plain or composite); see ``Canvas/prepare(partialArgs:partialKwargs:options:idGenerator:)``.
    public func prepare(
        partialArgs: [JSON] = [],
        partialKwargs: OrderedDictionary<String, JSON> = [:],
        options: SignatureOptions = [:],
        idGenerator: some TaskIDGenerator = RandomTaskIDs()
    ) throws(ChorusError) -> PublishPlan {
        try Canvas(signature: self).prepare(partialArgs: partialArgs, partialKwargs: partialKwargs,
                                            options: options, idGenerator: idGenerator)
    }
}
