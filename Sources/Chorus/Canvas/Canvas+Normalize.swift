/// Normalisation: the canonical shape Celery's `chain`/`group`/`chord` give a
/// canvas before it runs. After it, a composite's own args, kwargs, plain
/// options, `link` and `link_error` have been handed to the members that use
/// them, and only identity and placement options (`task_id`, `group_id`,
/// `group_index`, `root_id`, `parent_id`, `chord`) stay on the composite.
///
/// - chains: nested chains are spliced in place; a group followed by anything
///   becomes `chord(group, next)`; a step after a chord whose body is a group
///   becomes `chord(header, chord(bodyGroup, step))`; a one-step chain is its step;
/// - chords: a chain body is split (Celery 5.7 does this for task-led chains,
///   Chorus for every chain body, which runs the same):
///   `chord(h, a | b | c)` becomes `chord(h, a) | b | c`;
/// - groups (and chord headers): nested groups are flattened in order.
extension Canvas {
    public func normalized() throws(ChorusError) -> Canvas {
        switch self {
        case .task: self
        case .group(let g): .group(try g.normalized())
        case .chain(let c): try c.normalized()
        case .chord(let c): try c.normalized()
        }
    }

    /// Sets the id of the task (or group) whose result this canvas returns, if not set yet.
    mutating func nameResult(_ id: String) {
        switch self {
        case .task(var s):
            if s.options.taskId == nil { s.options.taskId = id }
            self = .task(s)
        case .group(var g):
            if g.options.taskId == nil { g.options.taskId = id }
            self = .group(g)
        case .chain(var c):
            if c.tasks.isEmpty { return }
            c.tasks[c.tasks.count - 1].nameResult(id)
            self = .chain(c)
        case .chord(var c):
            c.body.nameResult(id)
            self = .chord(c)
        }
    }

    /// `prev | next` when Celery turns it into one step, else nil.
    static func absorb(_ prev: Canvas, _ next: Canvas) -> Canvas? {
        switch prev {
        case .group(let g):
            return .chord(Chord(header: g, body: next))
        case .chord(var c):
            guard let body = absorb(c.body, next) else { return nil }
            c.body = body
            return .chord(c)
        default:
            return nil
        }
    }
}

extension SignatureOptions {
    /// Options without identity, placement and links (see `OptionName.isPlacement`): what members inherit.
    var plain: SignatureOptions { filter { $0.code?.isPlacement != true } }

    /// Identity and placement only (no links, no leftover chain).
    var placement: SignatureOptions {
        filter { entry in
            switch entry.code {
            case .link?, .linkError?, .chain?: false
            case let code?: code.isPlacement
            case nil: false
            }
        }
    }
}

extension Group {
    func normalized() throws(ChorusError) -> Group {
        if !options.link.isEmpty {
            throw ChorusError(.invalidInput, "a group cannot carry link callbacks (Celery raises TypeError); use a chord: group(...) | callback")
        }
        var flat: [Canvas] = []
        // Computed once, not per member (each is a filtered copy or a decode).
        let plain = options.plain
        let errbacks = options.linkError
        for member in tasks {
            var m = member.clone(args: args, kwargs: kwargs, options: plain)
            for e in errbacks { m.linkError(e) }
            switch try m.normalized() {
            case .group(let inner): flat += inner.tasks
            case let other: flat.append(other)
            }
        }
        return Group(flat, options: options.placement, immutable: immutable)
    }
}

extension Chain {
    func normalized() throws(ChorusError) -> Canvas {
        var tasks = self.tasks
        guard !tasks.isEmpty else { return .chain(Chain([], options: options.placement, immutable: immutable)) }
        tasks[0] = tasks[0].clone(args: args, kwargs: kwargs, options: options.plain)
        if let id = options.taskId { tasks[tasks.count - 1].nameResult(id) }

        var steps: [Canvas] = []
        for task in tasks {
            let spliced: [Canvas]
            switch try task.normalized() {
            case .chain(let inner): spliced = inner.tasks
            case let other: spliced = [other]
            }
            for step in spliced {
                if let prev = steps.last, let merged = Canvas.absorb(prev, step) {
                    steps[steps.count - 1] = merged
                } else {
                    steps.append(step)
                }
            }
        }
        guard !steps.isEmpty else { return .chain(Chain([], options: options.placement, immutable: immutable)) }
        for callback in options.link { try steps[steps.count - 1].link(callback) }
        for errback in options.linkError { for i in steps.indices { steps[i].linkError(errback) } }

        var placement = options.placement
        placement.taskId = nil
        if steps.count == 1 {
            var only = steps[0]
            only.options = only.options.merging(placement)
            return only
        }
        return .chain(Chain(steps, options: placement, immutable: immutable))
    }
}

extension Chord {
    func normalized() throws(ChorusError) -> Canvas {
        var header = self.header
        let plain = options.plain
        header.tasks = header.tasks.map { $0.clone(args: args, kwargs: kwargs, options: plain) }
        var body = self.body.clone(options: plain)
        for callback in options.link { try body.link(callback) }
        for errback in options.linkError {
            body.linkError(errback)
            for i in header.tasks.indices {
                if case .chord = header.tasks[i] { header.tasks[i].linkError(errback) }
            }
        }
        header = try header.normalized()
        body = try body.normalized()

        var placement = options.placement
        if let id = placement.taskId, id != header.options.taskId {
            body.nameResult(id)
            placement.taskId = nil
        }
        if case .chain(let steps) = body, steps.tasks.count >= 2 {
            let first = Chord(header: header, body: steps.tasks[0], immutable: immutable)
            var split = Chain([.chord(first)] + steps.tasks.dropFirst())
            placement.taskId = nil  // the chord's group id stays on `first`'s header
            split.options = placement
            return try Canvas.chain(split).normalized()
        }
        return .chord(Chord(header: header, body: body, options: placement, immutable: immutable))
    }
}
