import OrderedCollections

/// A workflow: a task, or tasks composed into chains, groups and chords.
///
/// This is the structured view of a Celery signature dict (see
/// ``Canvas/init(signature:path:)`` and ``Canvas/signature``). Every node
/// carries its own args, kwargs, options and `immutable` flag; on a composite
/// they apply to its members when it runs (see ``Canvas/normalized()``).
/// To run a canvas, call ``Canvas/prepare(partialArgs:partialKwargs:options:idGenerator:)``.
///
/// Only the composites are boxed (`indirect`): a signature is already one
/// reference, and boxing it too cost an allocation every time a task node
/// was rebuilt — several times per chord or group member while preparing.
public enum Canvas: Sendable, Hashable {
    /// One task.
    case task(Signature)
    /// Tasks run one after another, each receiving the previous result.
    indirect case chain(Chain)
    /// Tasks run in parallel.
    indirect case group(Group)
    /// A group whose results, in member order, are passed to a body once all are done.
    indirect case chord(Chord)
}

/// Steps run in order; each mutable step gets the previous step's result prepended.
/// Its args/kwargs and plain options apply to the first step, `task_id` names the last.
public struct Chain: PartiallyApplicable, Hashable {
    public var tasks: [Canvas]
    public var args: [JSON]
    public var kwargs: OrderedDictionary<String, JSON>
    public var options: SignatureOptions
    public var immutable: Bool

    public init(_ tasks: [Canvas], args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:],
                options: SignatureOptions = [:], immutable: Bool = false) {
        self.tasks = tasks
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.immutable = immutable
    }
}

/// Members run in parallel. `options.task_id` is the group id; args, kwargs and
/// plain options apply to every member.
public struct Group: PartiallyApplicable, Hashable {
    public var tasks: [Canvas]
    public var args: [JSON]
    public var kwargs: OrderedDictionary<String, JSON>
    public var options: SignatureOptions
    public var immutable: Bool

    public init(_ tasks: [Canvas], args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:],
                options: SignatureOptions = [:], immutable: Bool = false) {
        self.tasks = tasks
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.immutable = immutable
    }
}

/// A header group and a body that receives the list of header results.
/// The header's `options.task_id` is the chord's group id; the chord's own
/// `options.task_id` names the body (as `chord.apply_async(task_id=)` does in
/// Celery) unless the body already has an id. Args and kwargs apply to every
/// header member; plain options to the header members and the body.
public struct Chord: PartiallyApplicable, Hashable {
    public var header: Group
    public var body: Canvas
    public var args: [JSON]
    public var kwargs: OrderedDictionary<String, JSON>
    public var options: SignatureOptions
    public var immutable: Bool

    public init(header: Group, body: Canvas, args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:],
                options: SignatureOptions = [:], immutable: Bool = false) {
        self.header = header
        self.body = body
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.immutable = immutable
    }

    public init(_ header: [Canvas], body: Canvas) {
        self.init(header: Group(header), body: body)
    }
}

extension Canvas {
    /// The node's own options.
    public var options: SignatureOptions {
        get {
            switch self {
            case .task(let s): s.options
            case .chain(let c): c.options
            case .group(let g): g.options
            case .chord(let c): c.options
            }
        }
        set {
            switch self {
            case .task(var s): s.options = newValue; self = .task(s)
            case .chain(var c): c.options = newValue; self = .chain(c)
            case .group(var g): g.options = newValue; self = .group(g)
            case .chord(var c): c.options = newValue; self = .chord(c)
            }
        }
    }

    /// Partial application on the node itself (see ``PartiallyApplicable/clone(args:kwargs:options:)``).
    public func clone(
        args: [JSON] = [], kwargs: OrderedDictionary<String, JSON> = [:], options: SignatureOptions = [:]
    ) -> Canvas {
        switch self {
        case .task(let s): .task(s.clone(args: args, kwargs: kwargs, options: options))
        case .chain(let c): .chain(c.clone(args: args, kwargs: kwargs, options: options))
        case .group(let g): .group(g.clone(args: args, kwargs: kwargs, options: options))
        case .chord(let c): .chord(c.clone(args: args, kwargs: kwargs, options: options))
        }
    }

    /// Convenience: `a | b` chains two canvases (flattening happens in ``normalized()``).
    public static func | (lhs: Canvas, rhs: Canvas) -> Canvas {
        .chain(Chain([lhs, rhs]))
    }
}
