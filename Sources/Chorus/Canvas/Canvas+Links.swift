/// Celery's `link` / `link_error` rules for every kind of node.
extension Canvas {
    /// Adds a success callback, following Celery:
    /// - task: appended to `options.link` (duplicates skipped);
    /// - chain: attached to the **last** step;
    /// - chord: attached to the **body**;
    /// - group: an **immutable** clone is attached to the **first member only**.
    ///
    /// The group rule is Celery's well-known trap: the callback fires as soon as
    /// member 0 succeeds, receives no results, and ignores the other members.
    /// To run something after *all* members finish, with their results, use a
    /// chord: `group(...) | callback` (the chain normalises to `chord(group, callback)`).
    ///
    /// Throws `.invalidInput` for an empty group or chain: there is no task to attach to.
    public mutating func link(_ callback: Signature) throws(ChorusError) {
        switch self {
        case .task(var s):
            s.link(callback)
            self = .task(s)
        case .chain(var c):
            guard !c.tasks.isEmpty else { throw ChorusError(.invalidInput, "cannot link a callback to an empty chain") }
            try c.tasks[c.tasks.count - 1].link(callback)
            self = .chain(c)
        case .group(var g):
            guard !g.tasks.isEmpty else {
                throw ChorusError(.invalidInput, "cannot link a callback to an empty group; use a chord: group(...) | callback")
            }
            var frozenArgs = callback
            frozenArgs.immutable = true
            try g.tasks[0].link(frozenArgs)
            self = .group(g)
        case .chord(var c):
            try c.body.link(callback)
            self = .chord(c)
        }
    }

    /// Adds an errback, following Celery:
    /// - task: appended to `options.link_error` (duplicates skipped);
    /// - chain: attached to **every** step;
    /// - group: a clone on **every** member, so it can run once per failing member;
    /// - chord: attached to the **body** (it runs once the header is done and a part
    ///   failed, with the body's id) and to chords nested directly in the header.
    ///   With `onHeader` (Celery's `task_allow_error_cb_on_chord_header`), an
    ///   immutable clone also goes on every header member.
    public mutating func linkError(_ errback: Signature, onHeader: Bool = false) {
        switch self {
        case .task(var s):
            s.linkError(errback)
            self = .task(s)
        case .chain(var c):
            for i in c.tasks.indices { c.tasks[i].linkError(errback, onHeader: onHeader) }
            self = .chain(c)
        case .group(var g):
            for i in g.tasks.indices { g.tasks[i].linkError(errback, onHeader: onHeader) }
            self = .group(g)
        case .chord(var c):
            var immutableClone = errback
            immutableClone.immutable = true
            for i in c.header.tasks.indices {
                if onHeader {
                    c.header.tasks[i].linkError(immutableClone, onHeader: onHeader)
                } else if case .chord = c.header.tasks[i] {
                    c.header.tasks[i].linkError(errback, onHeader: onHeader)
                }
            }
            c.body.linkError(errback, onHeader: onHeader)
            self = .chord(c)
        }
    }
}
