import Foundation

/// Publishing work: a canvas is frozen (ids assigned up front), chord
/// counters are registered, and the first messages go to the broker.
extension Runtime {
    /// Publishes `canvas` and returns the handle to wait on: a task's id, a
    /// chain's last task, a group's members, a chord's body.
    ///
    /// Throws `.unknownTask` (with suggestions) when a task it names is not
    /// registered and `validateTaskNames` is on, `.invalidInput` for a
    /// malformed canvas or option, `.backend` when the store fails (a full
    /// disk). Nothing is published when it throws for the canvas or its
    /// options. On the SQLite backend not even a failure of the store midway
    /// leaves anything published (see `publishWhole`); elsewhere the canvas
    /// is streamed (see `PublishStream`) and a broker closed midway by
    /// `shutdown` keeps the batches it took.
    @discardableResult
    public func apply(_ canvas: Canvas, options: SignatureOptions = [:]) throws(ChorusError) -> AsyncResult {
        try apply(canvas, options: options, idGenerator: RandomTaskIDs())
    }

    /// `apply` with the ids drawn from `idGenerator` (tests pass sequential ones).
    func apply(_ canvas: Canvas, options: SignatureOptions, idGenerator: some TaskIDGenerator) throws(ChorusError) -> AsyncResult {
        if configuration.validateTaskNames { try validateTaskNames(in: canvas) }
        if options.isEmpty, case .task(let s) = canvas, s.options.isEmpty {
            var ids = idGenerator
            return try applyPlain(s, id: ids.next())
        }
        if batchesWrites {
            let plan = try canvas.prepare(options: options, idGenerator: idGenerator)
            try publishWhole(plan)
            return AsyncResult(handle: plan.result, rootID: plan.messages.first?.options.rootId, runtime: self)
        }
        var stream = PublishStream(runtime: self)
        let (result, _) = try canvas.freeze(options: options, idGenerator: idGenerator, into: &stream)
        try stream.flush()
        return AsyncResult(handle: result, rootID: stream.rootID, runtime: self)
    }

    /// Publishes a plan all or nothing where the store can: on the SQLite
    /// backend its chord counters and every message commit in one
    /// transaction. Published in batches, a full disk or a crash midway left
    /// the first members of a group queued — and a chord whose counter was
    /// registered but whose header was cut short never fired its body.
    func publishWhole(_ plan: PublishPlan) throws(ChorusError) {
        guard batchesWrites, plan.messages.count + plan.chordRegistrations.count > 1 else {
            try publish(plan)
            return
        }
        let transaction = try state.beginTransaction(broker: broker)
        do {
            try publish(plan, in: transaction, reportingSent: true)
            try transaction.commit()
        } catch {
            transaction.rollback()
            throw error
        }
    }

    /// `apply` of a task signature without options (most tasks sent one by
    /// one): the message `prepare` + `MessageBuilder` would build, made
    /// directly. `MessageBuilderTests` checks the two paths agree.
    private func applyPlain(_ s: Signature, id: String) throws(ChorusError) -> AsyncResult {
        let message = MessageBuilder.plainMessage(task: s.task, args: s.args, kwargs: s.kwargs, id: id)
        emit(TaskEvent(
            kind: .sent, taskID: id, taskName: s.task, attempt: 1, rootID: id, parentID: nil, groupID: nil,
            time: configuration.clock.now))
        try broker.publish(message, to: MessageBuilder.defaultQueue)
        return AsyncResult(handle: .task(id: id), rootID: id, runtime: self)
    }

    /// Publishes a signature or canvas given as Celery JSON.
    @discardableResult
    public func apply(json text: String) throws(ChorusError) -> AsyncResult {
        try apply(Canvas(parsingJSON: text))
    }

    /// Publishes a canvas written in the one-line syntax, e.g. `chord(add(1, 2), add(3, 4)) | tsum()`.
    @discardableResult
    public func apply(syntax text: String) throws(ChorusError) -> AsyncResult {
        try apply(Canvas(parsing: text))
    }

    /// Registers the plan's chords, then publishes its messages in order —
    /// or, inside `transaction`, holds them until it commits (reporting them
    /// `sent` before the commit when `reportingSent`: the caller commits at once).
    func publish(_ plan: PublishPlan, in transaction: StateTransaction? = nil, reportingSent: Bool = false) throws(ChorusError) {
        for registration in plan.chordRegistrations { try register(registration) }
        let now = configuration.clock.now
        if let transaction {
            // Held until commit; no one can start them before then.
            for signature in plan.messages {
                let (message, queue) = try MessageBuilder.message(for: signature, now: now)
                if reportingSent { reportSent(message, at: now) }
                try transaction.publish(message, to: queue)
            }
            return
        }
        // Every message is built before any is published: one that cannot be
        // built (a bad eta) leaves nothing half-published. They go to the
        // broker in batches (one by one, a wide group's members woke the idle
        // executors once each), small enough that the first ones start early.
        var built: [(message: TaskMessage, queue: String)] = []
        built.reserveCapacity(plan.messages.count)
        for signature in plan.messages { built.append(try MessageBuilder.message(for: signature, now: now)) }
        var start = 0
        while start < built.count {
            let batch = built[start..<min(start + Self.publishBatch, built.count)]
            start = batch.endIndex
            try send(batch, at: now)
        }
    }

    /// Sets the size of a chord before any of its header members is
    /// published; runs its body if the parts already recorded complete it
    /// (or its size is 0).
    func register(_ registration: ChordRegistration) throws(ChorusError) {
        let outcome = try store.setChordSize(registration.size, forGroup: registration.groupId)
        if let parts = outcome.completedParts {
            try completeChord(parts: parts, body: registration.body, parentID: nil, rootID: registration.body.options.rootId)
        }
    }

    /// Hands built messages to the broker in one call, reporting each `sent`
    /// just before: once the broker has them, an executor may start (and
    /// finish) a task before this thread runs again, and observers must see
    /// `sent` first.
    func send(_ batch: ArraySlice<(message: TaskMessage, queue: String)>, at now: Date) throws(ChorusError) {
        for (message, _) in batch { reportSent(message, at: now) }
        if batch.count == 1 { try broker.publish(batch[batch.startIndex].message, to: batch[batch.startIndex].queue) } else { try broker.publish(Array(batch)) }
    }

    private func reportSent(_ message: TaskMessage, at now: Date) {
        emit(TaskEvent(
            kind: .sent, taskID: message.id, taskName: message.taskName, attempt: 1, rootID: message.headers.rootID,
            parentID: message.headers.parentID, groupID: message.headers.group, time: now))
    }

    /// Messages of one plan handed to the broker at once.
    static let publishBatch = 64

    /// Prepares and publishes a follow-up (callback, next chain step, chord
    /// body) on behalf of the task `parentID` of workflow `rootID`.
    func publishFollowUp(_ canvas: Canvas, partialArgs: [JSON], parentID: String?, rootID: String?, chain: [JSON]? = nil) throws(ChorusError) {
        var options = SignatureOptions()
        options.parentId = parentID
        options.rootId = rootID
        if let chain, !chain.isEmpty, case .task = canvas {
            // Celery's `next.apply_async((retval,), chain=chain[:-1])`: the remaining
            // steps were frozen and normalised when the workflow was prepared, so
            // hand them on untouched. Preparing them again at every step (decode,
            // normalise, freeze, encode all n - 1 of them) made an n-step chain
            // O(n^2) in canvas work: a 1,000-step chain took over half a minute.
            var plan = try canvas.prepare(partialArgs: partialArgs, options: options)
            guard plan.messages.count == 1 else {
                throw ChorusError(.internal, "a chain step that is a task prepared into \(plan.messages.count) messages")
            }
            plan.messages[0].options[.chain] = .array(chain)
            try publish(plan)
            return
        }
        if let chain, !chain.isEmpty { options[.chain] = .array(chain) }
        try publish(canvas.prepare(partialArgs: partialArgs, options: options))
    }

    /// Refuses a canvas naming a task this runtime does not know, with the
    /// registry's suggestions, before anything is published.
    func validateTaskNames(in canvas: Canvas) throws(ChorusError) {
        // The common case, one plain task with nothing linked: one lookup.
        if case .task(let s) = canvas, !s.options.mayNameOtherTasks {
            _ = try registry.task(named: s.task)
            return
        }
        var names: [String] = []
        try Self.collectTaskNames(canvas, into: &names)
        for name in Set(names).sorted() { _ = try registry.task(named: name) }
    }

    static func collectTaskNames(_ canvas: Canvas, into names: inout [String]) throws(ChorusError) {
        let options = canvas.options
        // Decoding the linked lists is skipped for a node that has none (most).
        if options.mayNameOtherTasks {
            for linked in options.link + options.linkError + options.chain + (options.chord.map { [$0] } ?? []) {
                try collectTaskNames(Canvas(signature: linked), into: &names)
            }
        }
        switch canvas {
        case .task(let s):
            // Members of a group or chord mostly name one task: a repeat of
            // the last name is not listed again (a wide chord hashed each
            // member's name into the set below).
            if names.last != s.task { names.append(s.task) }
        case .chain(let c): for t in c.tasks { try collectTaskNames(t, into: &names) }
        case .group(let g): for t in g.tasks { try collectTaskNames(t, into: &names) }
        case .chord(let c):
            for t in c.header.tasks { try collectTaskNames(t, into: &names) }
            try collectTaskNames(c.body, into: &names)
        }
    }
}
